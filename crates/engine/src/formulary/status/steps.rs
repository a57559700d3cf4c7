//! The steps of [`authorize`] for a drug on the list, or absent from it:
//! unlisted, Non-Exempt with its fills, Exempt with its conditions; the
//! conditions a fill or an exemption asks for ([`Conds`]); the transition
//! of FORM-3.

use super::*;

/// The request an answer is for, and what every step reads.
pub(super) struct Ask<'a> {
    pub(super) p: &'a Program,
    pub(super) ff: FormularyFacts,
    pub(super) case: &'a Case,
    pub(super) i: usize,
    /// The request's date.
    pub(super) date: Date,
}

/// Not on the list in force (or not in the form asked for, or a
/// combination the list does not name as such): unlisted, or not
/// confirmed when the list is partial.
pub(super) fn unlisted(
    ask: &Ask<'_>,
    a: &mut Authorization,
    list: &DrugList,
    key: &str,
    keys: &[String],
    all_rows: &[&DrugRow],
) {
    let &Ask { p, ref ff, case, i, .. } = ask;
    let label = ListUsed::of(list).label();
    let combo = keys.len() > 1;
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
        transition(p, ff, case, i, a);
    }
}

/// Non-Exempt: prior authorization is required unless a Special Fill or
/// a Perioperative Fill applies.
pub(super) fn non_exempt(
    ask: &Ask<'_>,
    a: &mut Authorization,
    row: &DrugRow,
    row_conf: Confidence,
    label: &str,
    line: &str,
) {
    let &Ask { ref ff, case, i, .. } = ask;
    let req_date = ask.date;
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
        c.initial_visit(ff, case, i, req_date);
        let f = c.fill(ask, limit, row_conf, &SPECIAL_FILL);
        fill_applies |= f.check == Check::Met;
        a.findings.push(f);
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
        let f = c.fill(ask, limit, row_conf, &PERIOPERATIVE_FILL);
        fill_applies |= f.check == Check::Met;
        a.findings.push(f);
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

/// Exempt: no prior authorization, unless physician-dispensed beyond the
/// initial supply, a brand where a generic exists, or off-label without
/// an MTUS recommendation.
pub(super) fn exempt(
    ask: &Ask<'_>,
    a: &mut Authorization,
    row: &DrugRow,
    row_conf: Confidence,
    label: &str,
    line: &str,
) {
    let &Ask { p, ref ff, case, i, .. } = ask;
    let req_date = ask.date;
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
            c.initial_visit(ff, case, i, req_date);
            c.supply_at_most(ff, case, i, 7);
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

/// Conditions gathered for one exception (a fill, physician dispensing).
#[derive(Default)]
pub(super) struct Conds {
    not_met: Vec<String>,
    missing: Vec<&'static str>,
}

impl Conds {
    pub(super) fn check(&self) -> Check {
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
    pub(super) fn why(&self) -> String {
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
    pub(super) fn initial_visit(&mut self, ff: &FormularyFacts, case: &Case, i: usize, req_date: Date) {
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

    pub(super) fn supply_at_most(&mut self, ff: &FormularyFacts, case: &Case, i: usize, limit: u32) {
        match ff.request_days_supply.get(case, i) {
            None => self.missing.push("request.days_supply"),
            Some(d) if d > f64::from(limit) + 1e-9 => self.not_met.push(format!(
                "{} days' supply is more than the {limit} days allowed",
                crate::value::fmt_num(d)
            )),
            Some(_) => {}
        }
    }

    pub(super) fn generic(&mut self, ff: &FormularyFacts, case: &Case, i: usize) {
        if ff.request_brand_requested.get(case, i) == Some(true) {
            self.not_met
                .push("the brand name is asked for where a generic exists".to_string());
        }
    }
}

/// A fill the list may give a Non-Exempt drug, as its finding names it.
pub(super) struct Fill {
    name: &'static str,
    /// When it may be prescribed, in words.
    when: &'static str,
    code: &'static str,
    citation: &'static str,
}

const SPECIAL_FILL: Fill = Fill {
    name: "Special Fill",
    when: "prescribed at the initial visit within 7 days of the injury",
    code: "special_fill",
    citation: "8 CCR 9792.27.12",
};

const PERIOPERATIVE_FILL: Fill = Fill {
    name: "Perioperative Fill",
    when: "prescribed within 4 days before or after the surgery",
    code: "perioperative_fill",
    citation: "8 CCR 9792.27.13",
};

impl Conds {
    /// The finding on a fill of at most `limit` days, once the conditions
    /// on its timing are in: the supply and the generic are checked too.
    fn fill(mut self, ask: &Ask<'_>, limit: u32, row_conf: Confidence, fill: &Fill) -> Finding {
        self.supply_at_most(&ask.ff, ask.case, ask.i, limit);
        self.generic(&ask.ff, ask.case, ask.i);
        let check = self.check();
        let name = fill.name;
        let msg = if check == Check::Met {
            format!("{name} applies: {}, at most {limit} days' supply, generic", fill.when)
        } else {
            format!("{name} ({limit} days) does not apply: {}", self.why())
        };
        Finding::new(fill.code, check, fill.citation, row_conf, msg)
    }
}

pub(super) fn mtus_condition() -> Finding {
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
pub(super) fn transition(p: &Program, ff: &FormularyFacts, case: &Case, i: usize, a: &mut Authorization) {
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
