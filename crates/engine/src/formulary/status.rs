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

use serde::Serialize;

use super::list::{DrugList, DrugLists, DrugRow, ListStatus, RowConfidence, combination_key, ingredient_key};
use super::{Check, Confidence, Finding, facts, formulary_start};
use crate::check::Program;
use crate::check::formulary::FormularyFacts;
use crate::eval::Outcome;
use crate::facts::Case;
use crate::value::{Date, Value};

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

/// Conditions gathered for one exception (a fill, physician dispensing).
#[derive(Default)]
struct Conds {
    not_met: Vec<String>,
    missing: Vec<&'static str>,
}

impl Conds {
    fn check(&self) -> Check {
        if !self.not_met.is_empty() {
            Check::NotMet
        } else if !self.missing.is_empty() {
            Check::NotDocumented
        } else {
            Check::Met
        }
    }

    /// Why it does not apply: what rules it out, or (only when nothing
    /// does) what is not documented. A condition the dates already fail is
    /// not followed by facts that could not change the answer.
    fn why(&self) -> String {
        if !self.not_met.is_empty() {
            return self.not_met.join("; ");
        }
        format!("not documented: {}", self.missing.join(", "))
    }

    /// The initial treatment visit, within 7 days of the injury (the day
    /// after the injury is day one), and the drug prescribed at it. When
    /// the first visit is not documented, the request's date alone can
    /// still rule it out: a prescription later than day 7 after the injury
    /// (or before it) cannot be at an initial visit within 7 days.
    fn initial_visit(&mut self, ff: &FormularyFacts, case: &Case, i: usize, req_date: Date) {
        let doi = ff.injury_date.get(case, i);
        let first = ff.injury_first_visit.get(case, i);
        match first {
            None => match doi {
                Some(d) if !(0..=7).contains(&(req_date.0 - d.0)) => self.not_met.push(format!(
                    "prescribed on {req_date}, day {} after the injury ({d}); the initial visit must be within 7 days of the injury, so a prescription on that day is not at it",
                    req_date.0 - d.0
                )),
                Some(_) => self.missing.push("injury.first_visit"),
                None => {
                    self.missing.push("injury.first_visit");
                    self.missing.push("injury.date");
                }
            },
            Some(fv) => {
                if fv != req_date {
                    self.not_met
                        .push(format!("prescribed on {req_date}, not at the initial visit ({fv})"));
                }
                match doi {
                    None => self.missing.push("injury.date"),
                    Some(d) => {
                        let day = fv.0 - d.0;
                        if !(0..=7).contains(&day) {
                            self.not_met.push(format!(
                                "the initial visit ({fv}) is day {day} after the injury ({d}); it must be within 7 days"
                            ));
                        }
                    }
                }
            }
        }
    }

    fn supply_at_most(&mut self, ff: &FormularyFacts, case: &Case, i: usize, limit: u32) {
        match ff.request_days_supply.get(case, i) {
            None => self.missing.push("request.days_supply"),
            Some(d) if d > f64::from(limit) + 1e-9 => self.not_met.push(format!(
                "{} days' supply is more than the {limit} days allowed",
                crate::value::fmt_num(d)
            )),
            Some(_) => {}
        }
    }

    fn generic(&mut self, ff: &FormularyFacts, case: &Case, i: usize) {
        if ff.request_brand_requested.get(case, i) == Some(true) {
            self.not_met
                .push("the brand name is asked for where a generic exists".to_string());
        }
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
    let ff = facts(p);
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
        transition(p, &ff, case, i, &mut a);
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
        let combo = parts.len() > 1;
        let mut msg = if all_rows.is_empty() {
            format!("`{key}` is not on the {label}")
        } else {
            let forms: Vec<&str> = all_rows.iter().filter_map(|r| r.dosage_form.as_deref()).collect();
            format!("`{key}` is on the {label} only as {}", forms.join(", "))
        };
        if combo {
            let listed: Vec<&str> = keys
                .iter()
                .filter(|k| !list.rows_for(k).is_empty())
                .map(String::as_str)
                .collect();
            msg.push_str(
                "; a combination drug not on the list as a combination is unlisted even if each ingredient is listed",
            );
            if !listed.is_empty() {
                msg.push_str(&format!(" (listed alone: {})", listed.join(", ")));
            }
        }
        if list.partial {
            a.status = FormularyStatus::NotConfirmed;
            a.prior_authorization = PriorAuthorization::Undetermined;
            msg.push_str(
                "; this file holds only the rows confirmed in public sources, so the drug may well be listed: load the official list with --drug-list (with it, a drug absent from the list is unlisted and needs prior authorization)",
            );
            a.findings.push(Finding::new(
                "not_confirmed",
                Check::Note,
                CITE_LIST,
                Confidence::High,
                msg,
            ));
        } else {
            a.status = FormularyStatus::Unlisted;
            a.prior_authorization = PriorAuthorization::Required;
            msg.push_str(
                ": an unlisted drug needs authorization through prospective review (an RFA) before it is dispensed",
            );
            a.findings.push(Finding::new(
                "unlisted",
                Check::NotMet,
                CITE_UNLISTED,
                Confidence::High,
                msg,
            ));
            transition(p, &ff, case, i, &mut a);
        }
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
    let req_date = req.date;
    match row.status {
        ListStatus::NonExempt => {
            a.status = FormularyStatus::NonExempt;
            a.findings.push(Finding::new(
                "non_exempt",
                Check::Note,
                CITE_STATUS,
                row_conf,
                format!(
                    "`{}` is Non-Exempt on the {label} ({line}): it needs authorization through prospective review before it is dispensed, unless a Special Fill or Perioperative Fill applies",
                    row.ingredient
                ),
            ));
            let mut fill_applies = false;
            if let Some(limit) = row.special_fill_days {
                let mut c = Conds::default();
                c.initial_visit(&ff, case, i, req_date);
                c.supply_at_most(&ff, case, i, limit);
                c.generic(&ff, case, i);
                let check = c.check();
                fill_applies |= check == Check::Met;
                let msg = if check == Check::Met {
                    format!(
                        "Special Fill applies: prescribed at the initial visit within 7 days of the injury, at most {limit} days' supply, generic"
                    )
                } else {
                    format!("Special Fill ({limit} days) does not apply: {}", c.why())
                };
                a.findings
                    .push(Finding::new("special_fill", check, "8 CCR 9792.27.12", row_conf, msg));
            }
            if let Some(limit) = row.perioperative_fill_days {
                let mut c = Conds::default();
                // The surgery the fill is for; else the most recent surgery
                // for the injury, which the clinical rules read.
                let surgery = ff
                    .surgery_date
                    .get(case, i)
                    .or_else(|| ff.course_surgery_date.get(case, i));
                match surgery {
                    None => c.missing.push("surgery.date"),
                    Some(s) => {
                        let day = req_date.0 - s.0;
                        if !(-4..=4).contains(&day) {
                            c.not_met.push(format!(
                                "prescribed on day {day:+} from the surgery ({s}); the perioperative period is day -4 to day +4"
                            ));
                        }
                    }
                }
                c.supply_at_most(&ff, case, i, limit);
                c.generic(&ff, case, i);
                let check = c.check();
                fill_applies |= check == Check::Met;
                let msg = if check == Check::Met {
                    format!(
                        "Perioperative Fill applies: prescribed within 4 days before or after the surgery, at most {limit} days' supply, generic"
                    )
                } else {
                    format!("Perioperative Fill ({limit} days) does not apply: {}", c.why())
                };
                a.findings.push(Finding::new(
                    "perioperative_fill",
                    check,
                    "8 CCR 9792.27.13",
                    row_conf,
                    msg,
                ));
            }
            if row.special_fill_days.is_none() && row.perioperative_fill_days.is_none() {
                a.findings.push(Finding::new(
                    "no_fill",
                    Check::Note,
                    CITE_STATUS,
                    row_conf,
                    "the list gives this drug no Special Fill or Perioperative Fill",
                ));
            }
            if fill_applies {
                a.prior_authorization = PriorAuthorization::NotRequired;
                a.findings.push(mtus_condition());
            } else {
                a.prior_authorization = PriorAuthorization::Required;
            }
        }
        ListStatus::Exempt => {
            a.status = FormularyStatus::Exempt;
            a.findings.push(Finding::new(
                "exempt",
                Check::Note,
                CITE_STATUS,
                row_conf,
                format!(
                    "`{}` is Exempt on the {label} ({line}): no prospective review is needed if it is prescribed in accordance with the MTUS",
                    row.ingredient
                ),
            ));
            let mut required = false;
            match ff.request_dispensed_by.get(p, case, i) {
                Some("physician") => {
                    let mut c = Conds::default();
                    c.initial_visit(&ff, case, i, req_date);
                    c.supply_at_most(&ff, case, i, 7);
                    let check = c.check();
                    required |= check != Check::Met;
                    let msg = if check == Check::Met {
                        "physician-dispensed: one supply of at most 7 days at the initial visit within 7 days of the injury needs no review".to_string()
                    } else {
                        format!(
                            "physician-dispensed Exempt drugs need no review only as one supply of at most 7 days at the initial visit within 7 days of the injury: {}",
                            c.why()
                        )
                    };
                    a.findings
                        .push(Finding::new("physician_dispensed", check, "8 CCR 9792.27.8", Confidence::High, msg));
                }
                Some(_) => {}
                None => a.findings.push(Finding::new(
                    "dispensed_by",
                    Check::Note,
                    "8 CCR 9792.27.8",
                    Confidence::High,
                    "who dispenses is not documented (request.dispensed_by): taken as a pharmacy; a physician may dispense an Exempt drug without review only as one 7-day supply at the initial visit",
                )),
            }
            if ff.request_brand_requested.get(case, i) == Some(true) {
                required = true;
                a.findings.push(Finding::new(
                    "brand",
                    Check::NotMet,
                    "8 CCR 9792.27.7",
                    Confidence::High,
                    "a brand-name drug where a generic exists needs prior authorization: document the patient-specific need in the chart and the Doctor's First Report or PR-2, and submit an RFA",
                ));
            }
            if ff.request_off_label.get(case, i) == Some(true) {
                let recommended = ff.request_off_label_recommended.get(case, i);
                let (check, msg) = match recommended {
                    Some(true) => (
                        Check::Met,
                        "off-label use that the MTUS guideline recommends for the condition needs no review".to_string(),
                    ),
                    Some(false) => (
                        Check::NotMet,
                        "off-label use without an MTUS recommendation needs prior authorization".to_string(),
                    ),
                    None => (
                        Check::NotDocumented,
                        "off-label use needs prior authorization unless the MTUS guideline recommends it for the condition; not documented: request.off_label_recommended".to_string(),
                    ),
                };
                required |= check != Check::Met;
                a.findings.push(Finding::new(
                    "off_label",
                    check,
                    "8 CCR 9792.27.5",
                    Confidence::High,
                    msg,
                ));
            }
            if required {
                a.prior_authorization = PriorAuthorization::Required;
            } else {
                a.prior_authorization = PriorAuthorization::NotRequired;
                a.findings.push(mtus_condition());
            }
        }
    }
    if a.status == FormularyStatus::NonExempt {
        transition(p, &ff, case, i, &mut a);
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

fn mtus_condition() -> Finding {
    Finding::new(
        "mtus_consistent",
        Check::Note,
        "8 CCR 9792.27.1, 9792.27.10",
        Confidence::High,
        "only if prescribed in accordance with the MTUS: the guideline must recommend it for this condition and phase of care (the clinical outcome); otherwise prior authorization is required",
    )
}

/// FORM-3: an injury before 2018 on an ongoing course of a Non-Exempt,
/// unlisted or compounded drug begun before 2018.
fn transition(p: &Program, ff: &FormularyFacts, case: &Case, i: usize, a: &mut Authorization) {
    let Some(doi) = ff.injury_date.get(case, i) else {
        return;
    };
    if doi >= formulary_start() {
        return;
    }
    let started = ff.history_started.get(case, i);
    let received = ff.history_received.get(case, i) == Some(true);
    let current = match (ff.medications_current.value(case, i), case.requests.get(i)) {
        (Value::List(l), Some(r)) => l.contains(&p.catalog.treatment(r.treatment).sym),
        _ => false,
    };
    const PLAN: &str = "with a progress report, the RFA must either set out a weaning, tapering or transition plan to an MTUS-consistent drug, or substantiate this drug's medical necessity under the MTUS; previously approved drug treatment is not to be stopped abruptly";
    let msg = match started {
        Some(s) if s < formulary_start() => {
            format!("the injury ({doi}) and this drug (begun {s}) predate the formulary: {PLAN}")
        }
        Some(_) => return,
        None if received || current => format!(
            "the injury ({doi}) predates the formulary and the drug is ongoing, but when it was begun is not documented (history.*.started); if before 2018: {PLAN}"
        ),
        None => return,
    };
    a.findings.push(Finding::new(
        "transition",
        Check::Note,
        "8 CCR 9792.27.3",
        Confidence::High,
        msg,
    ));
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
