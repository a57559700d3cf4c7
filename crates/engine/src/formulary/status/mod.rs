//! Does a drug request need authorization through prospective review
//! before it is dispensed? The checker logic of criteria-2018.md 1.7.
//!
//! 1. Compounded (FORM-12): prior authorization required.
//! 2. Administered in the office (FORM-2): the formulary does not apply.
//! 3. Absent from the list in force, or a combination the list does not
//!    name as such (FORM-6): unlisted, prior authorization required.
//! 4. Non-Exempt (FORM-8): required, unless Special Fill (FORM-9) or
//!    Perioperative Fill (FORM-10) applies.
//! 5. Exempt (FORM-7): not required, unless physician-dispensed beyond
//!    the initial 7-day supply, a brand where a generic exists (FORM-11),
//!    or off-label without an MTUS recommendation (FORM-13); and always
//!    provided it is prescribed in accordance with the MTUS.
//! 7. Injury before 2018 and a drug begun before 2018 (FORM-3): the RFA
//!    carries a taper or transition plan, or substantiation.
//!
//! (Step 6, the first 30 days after a 2018 injury, is in [`super::rfa`].)
//!
//! A condition whose facts are not documented counts against the request
//! (the burden is on the request): prior authorization is then required,
//! and the finding names the facts to document. `brand_requested`,
//! `administered`, `compounded` and `off_label` read as "no" when absent:
//! a request names the generic, dispensed for use at home, unless it
//! says otherwise.

mod steps;

use serde::Serialize;

use super::list::{DrugList, DrugLists, DrugRow, ListStatus, RowConfidence, combination_key, ingredient_key};
use super::{Check, Confidence, Finding, facts, formulary_start};
use crate::check::Program;
use crate::check::formulary::FormularyFacts;
use crate::eval::Outcome;
use crate::facts::Case;
use crate::value::{Date, Value};
use steps::{Ask, exempt, non_exempt, transition, unlisted};

/// Where a drug stands under the formulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormularyStatus {
    Exempt,
    NonExempt,
    /// Not on the (complete) list in force, or a combination not listed as one.
    Unlisted,
    Compounded,
    /// Administered by the physician: outside the formulary (FORM-2).
    NotApplicable,
    /// Absent from the shipped partial list: the official list decides.
    NotConfirmed,
    /// No list version loaded is in force on the request's date.
    NoList,
}

impl FormularyStatus {
    /// The name JSON gives it (`non_exempt`).
    pub fn name(self) -> &'static str {
        match self {
            FormularyStatus::Exempt => "exempt",
            FormularyStatus::NonExempt => "non_exempt",
            FormularyStatus::Unlisted => "unlisted",
            FormularyStatus::Compounded => "compounded",
            FormularyStatus::NotApplicable => "not_applicable",
            FormularyStatus::NotConfirmed => "not_confirmed",
            FormularyStatus::NoList => "no_list",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FormularyStatus::Exempt => "Exempt",
            FormularyStatus::NonExempt => "Non-Exempt",
            FormularyStatus::Unlisted => "unlisted",
            FormularyStatus::Compounded => "compounded",
            FormularyStatus::NotApplicable => "administered in the office (formulary does not apply)",
            FormularyStatus::NotConfirmed => "not among the confirmed rows",
            FormularyStatus::NoList => "no drug list in force",
        }
    }
}

/// Whether the drug needs authorization through prospective review (an
/// RFA and a UR decision) before it is dispensed. Separate from medical
/// necessity: a pre-submission check needs both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorAuthorization {
    Required,
    NotRequired,
    /// The lists loaded cannot tell (no list in force, or the drug is not
    /// among the shipped confirmed rows).
    Undetermined,
}

impl PriorAuthorization {
    /// The name JSON gives it (`not_required`).
    pub fn name(self) -> &'static str {
        match self {
            PriorAuthorization::Required => "required",
            PriorAuthorization::NotRequired => "not_required",
            PriorAuthorization::Undetermined => "undetermined",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PriorAuthorization::Required => "required",
            PriorAuthorization::NotRequired => "not required",
            PriorAuthorization::Undetermined => "undetermined",
        }
    }
}

/// The list version a result used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListUsed {
    pub version: String,
    pub effective: String,
    pub file: String,
    /// Only some rows of the list (the shipped confirmed rows).
    pub partial: bool,
}

impl ListUsed {
    fn of(l: &DrugList) -> ListUsed {
        ListUsed {
            version: l.version.clone(),
            effective: l.effective.to_string(),
            file: l.file.clone(),
            partial: l.partial,
        }
    }

    /// `MTUS Drug List v7, 2020-11-01, confirmed rows only`.
    pub fn label(&self) -> String {
        let part = if self.partial { ", confirmed rows only" } else { "" };
        format!("MTUS Drug List {}, {}{part}", self.version, self.effective)
    }
}

/// The formulary's answer for one drug request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Authorization {
    pub status: FormularyStatus,
    pub prior_authorization: PriorAuthorization,
    /// The ingredient key looked up (`acetaminophen+hydrocodone`).
    pub ingredient: Option<String>,
    /// The list version in force on the request's date, if any was used.
    pub list: Option<ListUsed>,
    /// Rests on a row or rule of LOW confidence.
    pub provisional: bool,
    /// Why, in the order the checker went.
    pub findings: Vec<Finding>,
    /// Whether the clinical outcome finds the request in accordance with
    /// the MTUS (medically necessary), once joined to it
    /// ([`join_clinical_outcome`]); absent before, or when not joined
    /// (an undecided request, or one that needs review anyway). `false`
    /// turns a "not required" into "required".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtus_consistent: Option<bool>,
}

/// Treatment classes of the catalog that are drugs (the formulary's scope).
const DRUG_CLASSES: &[&str] = &[
    "muscle_relaxant",
    "opioid",
    "nsaid",
    "ppi",
    "topical_analgesic",
    "anticonvulsant",
    "antidepressant",
    "tricyclic",
    "snri",
    "hypnotic",
    "benzodiazepine",
    "analgesic",
    "corticosteroid",
];

/// Is the treatment a drug (a member of a drug class of the catalog)?
pub fn is_drug(p: &Program, t: crate::check::TreatmentId) -> bool {
    let tr = p.catalog.treatment(t);
    tr.classes
        .iter()
        .any(|c| DRUG_CLASSES.contains(&p.catalog.class(*c).name.as_str()))
}

/// The active ingredients of a catalog treatment, and the dosage form
/// its name fixes. A name with two ingredients is a combination drug.
/// Canonical treatment names are the ingredient, except these.
pub fn ingredients_of(treatment: &str) -> (Vec<&str>, Option<&'static str>) {
    match treatment {
        "hydrocodone_acetaminophen" => (vec!["hydrocodone", "acetaminophen"], None),
        "oxycodone_acetaminophen" => (vec!["oxycodone", "acetaminophen"], None),
        "lidocaine_patch" => (vec!["lidocaine"], Some("patch")),
        "topical_diclofenac" => (vec!["diclofenac"], Some("topical")),
        "capsaicin" => (vec!["capsaicin"], Some("topical")),
        "diclofenac" => (vec!["diclofenac"], Some("oral")),
        "baclofen" => (vec!["baclofen"], Some("oral")),
        t => (vec![t], None),
    }
}

const TOPICAL_FORMS: &[&str] = &[
    "topical",
    "patch",
    "gel",
    "cream",
    "ointment",
    "lotion",
    "transdermal",
    "film",
];

fn is_topical(form: &str) -> bool {
    let f = form.to_lowercase();
    TOPICAL_FORMS.iter().any(|t| f.contains(t))
}

/// Does a row's dosage form fit the form the treatment fixes? A row
/// without a form fits every form; a request without a fixed form is
/// taken as not topical.
fn form_fits(row: &DrugRow, wanted: Option<&str>) -> bool {
    let Some(rf) = &row.dosage_form else { return true };
    match wanted {
        Some("oral") | None => !is_topical(rf),
        Some(w) => rf.to_lowercase().contains(w) || (is_topical(w) && is_topical(rf)),
    }
}

const CITE_LIST: &str = "8 CCR 9792.27.15";
const CITE_UNLISTED: &str = "8 CCR 9792.27.1, 9792.27.10";
const CITE_STATUS: &str = "8 CCR 9792.27.10";

/// The formulary's answer for request `i`, or `None` when the formulary
/// does not reach it: a request dated before 2018-01-01, or a treatment
/// that is not a drug.
pub fn authorize(p: &Program, case: &Case, i: usize, lists: &DrugLists) -> Option<Authorization> {
    let req = case.requests.get(i)?;
    if req.date < formulary_start() || !is_drug(p, req.treatment) {
        return None;
    }
    let tname = p.catalog.treatment(req.treatment).name.as_str();
    let ask = Ask {
        p,
        ff: facts(p),
        case,
        i,
        date: req.date,
    };
    let ff = &ask.ff;
    let mut a = Authorization {
        status: FormularyStatus::NoList,
        prior_authorization: PriorAuthorization::Undetermined,
        ingredient: None,
        list: None,
        provisional: false,
        findings: Vec::new(),
        mtus_consistent: None,
    };
    let list = lists.in_force(req.date);
    a.list = list.map(ListUsed::of);

    // 1. Compounded.
    let compounded = tname == "topical_compound" || ff.request_compounded.get(case, i) == Some(true);
    if compounded {
        a.status = FormularyStatus::Compounded;
        a.prior_authorization = PriorAuthorization::Required;
        a.findings.push(Finding::new(
            "compounded",
            Check::NotMet,
            "8 CCR 9792.27.9",
            Confidence::High,
            "a compounded drug needs authorization through prospective review before it is dispensed, even if an ingredient is Exempt; document why a compound is needed instead of an FDA-approved drug (chart and Doctor's First Report or PR-2) and submit an RFA",
        ));
        transition(p, ff, case, i, &mut a);
        return Some(a);
    }

    // 2. Administered in the office.
    if ff.request_administered.get(case, i) == Some(true) {
        a.status = FormularyStatus::NotApplicable;
        a.prior_authorization = PriorAuthorization::NotRequired;
        a.findings.push(Finding::new(
            "administered",
            Check::Note,
            "8 CCR 9792.27.2(b)",
            Confidence::High,
            "the formulary covers drugs dispensed for use outside a clinical setting, not drugs the physician administers; the MTUS guidelines still apply (the clinical outcome)",
        ));
        return Some(a);
    }

    // 3. The list in force, and the drug's row.
    let Some(list) = list else {
        a.findings.push(Finding::new(
            "no_list",
            Check::Note,
            CITE_LIST,
            Confidence::High,
            format!(
                "no MTUS Drug List version loaded is in force on {}; load the version in force then with --drug-list",
                req.date
            ),
        ));
        return Some(a);
    };
    let (parts, form) = ingredients_of(tname);
    let keys: Vec<String> = parts.iter().map(|x| ingredient_key(x)).collect();
    let key = combination_key(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    a.ingredient = Some(key.clone());
    let all_rows = list.rows_for(&key);
    let rows: Vec<&DrugRow> = all_rows.iter().copied().filter(|r| form_fits(r, form)).collect();
    let label = ListUsed::of(list).label();
    if rows.is_empty() {
        unlisted(&ask, &mut a, list, &key, &keys, &all_rows);
        return Some(a);
    }
    // Several rows fit (the list splits the drug by form and the request
    // does not say which): the most restrictive decides.
    let row = rows
        .iter()
        .copied()
        .find(|r| r.status == ListStatus::NonExempt)
        .unwrap_or(rows[0]);
    if rows.len() > 1 {
        let forms: Vec<&str> = rows
            .iter()
            .map(|r| r.dosage_form.as_deref().unwrap_or("any form"))
            .collect();
        a.findings.push(Finding::new(
            "several_rows",
            Check::Note,
            CITE_LIST,
            Confidence::High,
            format!(
                "the list has {} rows for `{key}` ({}); the most restrictive is used",
                rows.len(),
                forms.join(", ")
            ),
        ));
    }
    let row_conf = match row.confidence {
        RowConfidence::High => Confidence::High,
        RowConfidence::Low => {
            a.provisional = true;
            Confidence::Low
        }
    };
    let line = format!("{} line {}", list.file, row.line);
    if row.confidence == RowConfidence::Low {
        a.findings.push(Finding::new(
            "provisional_row",
            Check::Note,
            CITE_LIST,
            Confidence::Low,
            format!(
                "the row for `{}` ({line}) is recalled, not confirmed in a source ({}): provisional until checked against the official list",
                row.ingredient,
                row.source.as_deref().unwrap_or("no source given")
            ),
        ));
    }
    match row.status {
        ListStatus::NonExempt => non_exempt(&ask, &mut a, row, row_conf, &label, &line),
        ListStatus::Exempt => exempt(&ask, &mut a, row, row_conf, &label, &line),
    }
    if a.status == FormularyStatus::NonExempt {
        transition(p, ff, case, i, &mut a);
    }
    Some(a)
}

/// The clinical outcome joined to the formulary's answer. An Exempt drug
/// (or a Non-Exempt one under a fill) needs no prospective review only if
/// it is prescribed in accordance with the MTUS (criteria-2018.md 1.7 step
/// 5; FORM-7, FORM-9, FORM-10): when the clinical outcome says the request
/// is not medically necessary, or does not document what the guideline
/// asks, that condition fails and review is required after all. Both are
/// said: the status as the list gives it, and why it does not spare this
/// request review. `None` (undecided) and a medically necessary outcome
/// leave the answer as it was. A drug administered in the office is
/// outside the formulary and keeps its answer.
pub fn join_clinical_outcome(a: &mut Authorization, outcome: Option<Outcome>) {
    let Some(outcome) = outcome else { return };
    if a.prior_authorization != PriorAuthorization::NotRequired || a.status == FormularyStatus::NotApplicable {
        return;
    }
    let exemption = match a.status {
        FormularyStatus::Exempt => "Exempt status",
        _ => "fill",
    };
    let (check, consistent, msg) = match outcome {
        Outcome::MedicallyNecessary => {
            a.mtus_consistent = Some(true);
            return;
        }
        Outcome::NotMedicallyNecessary => (
            Check::NotMet,
            false,
            format!(
                "not in accordance with the MTUS as requested: the clinical outcome is not medically necessary, so its {exemption} does not spare it review; it needs authorization through prospective review (an RFA), and as requested it would be denied"
            ),
        ),
        Outcome::InsufficientDocumentation => (
            Check::NotDocumented,
            false,
            format!(
                "not shown to be in accordance with the MTUS: the record does not document what the guideline asks (the clinical outcome), so its {exemption} does not spare it review; document it, or submit an RFA"
            ),
        ),
    };
    a.mtus_consistent = Some(consistent);
    a.prior_authorization = PriorAuthorization::Required;
    let f = Finding::new(
        "mtus_consistent",
        check,
        "8 CCR 9792.27.1, 9792.27.10",
        Confidence::High,
        msg,
    );
    match a.findings.iter_mut().find(|f| f.code == "mtus_consistent") {
        Some(slot) => *slot = f,
        None => a.findings.push(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(form: Option<&str>) -> DrugRow {
        DrugRow {
            ingredient: "x".into(),
            key: "x".into(),
            dosage_form: form.map(str::to_string),
            guideline_refs: None,
            status: ListStatus::Exempt,
            special_fill_days: None,
            perioperative_fill_days: None,
            confidence: RowConfidence::High,
            source: None,
            line: 1,
        }
    }

    #[test]
    fn combinations_are_their_own_ingredient() {
        assert_eq!(
            ingredients_of("hydrocodone_acetaminophen").0,
            ["hydrocodone", "acetaminophen"]
        );
        assert_eq!(ingredients_of("lidocaine_patch"), (vec!["lidocaine"], Some("patch")));
        assert_eq!(ingredients_of("duloxetine"), (vec!["duloxetine"], None));
    }

    #[test]
    fn dosage_forms_fit_by_family() {
        assert!(form_fits(&row(None), Some("patch")));
        assert!(form_fits(&row(Some("Topical patch")), Some("patch")));
        assert!(form_fits(&row(Some("gel")), Some("topical")));
        assert!(!form_fits(&row(Some("gel")), Some("oral")));
        assert!(!form_fits(&row(Some("transdermal patch")), None));
        assert!(form_fits(&row(Some("tablet")), None));
        assert!(!form_fits(&row(Some("tablet")), Some("patch")));
    }
}
