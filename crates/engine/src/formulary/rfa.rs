//! Pre-submission findings on the request for authorization (RFA):
//! criteria-2018.md sections 0.2 (SB 1160, UR30-*) and 3 (UR-1..UR-5).
//!
//! For requests dated in the current regime (from 2017-12-01):
//! - the first 30 days after a 2018 injury, by a network physician: no
//!   RFA for treatment outside the UR30-2 exceptions (it must still be
//!   MTUS-consistent and reported);
//! - a drug that needs no prior authorization needs no RFA;
//! - otherwise: the RFA form, and (for requests from 2026-04-01, when
//!   8 CCR 9792.6.1(u) as amended took effect) documentation dated within
//!   30 days, a signature, each treatment named specifically; and the UR
//!   deadlines the completed RFA starts.

use super::status::{Authorization, PriorAuthorization, is_drug};
use super::{Check, Confidence, Finding, current_regime_start, facts, formulary_start};
use crate::check::Program;
use crate::check::formulary::FormularyFacts;
use crate::facts::Case;
use crate::value::Date;

/// First day of the amended UR regulations that define a complete RFA
/// (UR-2: DWC Newsline 2026-42).
pub fn complete_rfa_rules_start() -> Date {
    Date(20544) // 2026-04-01
}

/// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
fn weekday(d: Date) -> i32 {
    (d.0 + 3).rem_euclid(7)
}

/// The date `n` business days after `d`: the day after receipt is day
/// one; Saturdays and Sundays do not count (holidays are not known).
pub fn add_business_days(d: Date, n: u32) -> Date {
    let mut day = d;
    let mut counted = 0;
    while counted < n {
        day = Date(day.0 + 1);
        if weekday(day) < 5 {
            counted += 1;
        }
    }
    day
}

const CITE_30_DAYS: &str = "Lab. Code 4610(b) (SB 1160)";
const CITE_COMPLETE: &str = "8 CCR 9792.6.1(u), 9792.9.1";

/// What in a treatment still needs prospective review in the first 30
/// days (UR30-2); `Ok(None)` when nothing does; `Err(fact)` when a fact
/// that decides it is not documented.
fn first_30_days_exception(
    p: &Program,
    ff: &FormularyFacts,
    case: &Case,
    i: usize,
    auth: Option<&Authorization>,
) -> Result<Option<&'static str>, &'static str> {
    let Some(req) = case.requests.get(i) else {
        return Ok(None);
    };
    if is_drug(p, req.treatment) {
        return match auth.map(|a| a.prior_authorization) {
            Some(PriorAuthorization::NotRequired) => Ok(None),
            Some(PriorAuthorization::Undetermined) => Err("the drug's formulary status (load the official list)"),
            _ => Ok(Some("a drug the formulary does not exempt from review")),
        };
    }
    let tr = p.catalog.treatment(req.treatment);
    let classes: Vec<&str> = tr.classes.iter().map(|c| p.catalog.class(*c).name.as_str()).collect();
    Ok(match tr.name.as_str() {
        "psychotherapy" => Some("psychological treatment"),
        "home_health_services" => Some("home health care"),
        "mri" => Some("imaging other than X-rays"),
        "emg_ncs" => Some("electrodiagnostic medicine"),
        _ if classes.contains(&"behavioral") => Some("psychological treatment"),
        _ if classes.contains(&"home_care") => Some("home health care"),
        _ if classes.contains(&"device") => match ff.request_equipment_value.get(case, i) {
            Some(v) if v > 250.0 => Some("durable medical equipment worth more than $250"),
            Some(_) => None,
            None => return Err("request.equipment_value"),
        },
        _ => None,
    })
}

/// The pre-submission findings for request `i`; empty before the
/// current regime. `auth` is the formulary's answer for it, if a drug.
pub fn rfa_findings(p: &Program, case: &Case, i: usize, auth: Option<&Authorization>) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(req) = case.requests.get(i) else { return out };
    if req.date < current_regime_start() {
        return out;
    }
    let drug = is_drug(p, req.treatment);
    let ff = facts(p);

    // SB 1160: the first 30 days after a 2018 injury.
    if first_30_days(p, &ff, case, i, auth, &mut out) {
        return out;
    }

    // A drug that needs no prior authorization needs no RFA.
    if drug && auth.is_some_and(|a| a.prior_authorization == PriorAuthorization::NotRequired) {
        out.push(Finding::new(
            "no_rfa_needed",
            Check::Met,
            "8 CCR 9792.27.10",
            Confidence::High,
            "no RFA is needed before dispensing (see prior authorization)",
        ));
        return out;
    }

    out.push(Finding::new(
        "rfa_form",
        Check::Note,
        "8 CCR 9792.9.1(a)",
        Confidence::High,
        "submit the request on DWC Form RFA (a request in another form may start no review clock)",
    ));

    if req.date >= complete_rfa_rules_start() {
        complete_rfa(&ff, case, i, drug, &mut out);
    } else {
        out.push(Finding::new(
            "rfa_complete",
            Check::Note,
            CITE_COMPLETE,
            Confidence::High,
            "from 2026-04-01 a complete RFA also needs documentation dated within 30 days, a signature and each treatment named specifically",
        ));
    }

    // Deadlines the completed RFA starts.
    let expedited = ff.request_expedited.get(case, i) == Some(true);
    let due = add_business_days(req.date, 5);
    let cap = Date(req.date.0 + 14);
    let msg = if expedited {
        format!(
            "expedited review (imminent and serious threat, certified by the physician): UR decides within 72 hours of receiving the information it needs; otherwise within 5 business days of receipt (by {due} if received {}), and no later than {cap} (14 days from the recommendation)",
            req.date
        )
    } else {
        format!(
            "UR decides within 5 business days of receiving the completed RFA (by {due} if received {}; weekends skipped, holidays not), and no later than {cap} (14 days from the recommendation); 72 hours if the physician certifies expedited review",
            req.date
        )
    };
    out.push(Finding::new(
        "ur_deadline",
        Check::Note,
        "Lab. Code 4610(i); 8 CCR 9792.9.1(c)",
        Confidence::High,
        msg,
    ));
    if drug && req.date >= formulary_start() {
        out.push(Finding::new(
            "imr_deadline",
            Check::Note,
            "Lab. Code 4610.6(d)(1); 8 CCR 9792.10.1(b)",
            Confidence::High,
            "if UR denies or modifies it: IMR is asked for within 30 days of the UR decision, and a formulary drug dispute is decided within 5 working days",
        ));
    }
    out
}

/// SB 1160: the first 30 days after a 2018 injury, by a network
/// physician. True when no RFA is needed (nothing more to say).
fn first_30_days(
    p: &Program,
    ff: &FormularyFacts,
    case: &Case,
    i: usize,
    auth: Option<&Authorization>,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(req) = case.requests.get(i) else { return false };
    let drug = is_drug(p, req.treatment);
    if let Some(doi) = ff.injury_date.get(case, i) {
        let day = req.date.0 - doi.0;
        if doi >= formulary_start() && (0..=30).contains(&day) {
            match ff.claim_network.get(case, i) {
                Some(true) => match first_30_days_exception(p, ff, case, i, auth) {
                    Ok(None) => {
                        out.push(Finding::new(
                            "first_30_days",
                            Check::Met,
                            CITE_30_DAYS,
                            Confidence::HighSecondary,
                            format!(
                                "day {day} after the injury, by a network physician: no RFA required (must still be MTUS-consistent and reported to the claims administrator, who may review it afterwards)"
                            ),
                        ));
                        return true;
                    }
                    Ok(Some(what)) => out.push(Finding::new(
                        "first_30_days",
                        Check::NotMet,
                        CITE_30_DAYS,
                        Confidence::HighSecondary,
                        format!("day {day} after the injury, but {what} still needs prospective review in the first 30 days"),
                    )),
                    Err(missing) => {
                        let what = if drug {
                            "a drug needs no RFA only if the formulary exempts it"
                        } else {
                            "equipment worth more than $250 still needs review"
                        };
                        out.push(Finding::new(
                            "first_30_days",
                            Check::NotDocumented,
                            CITE_30_DAYS,
                            Confidence::HighSecondary,
                            format!("day {day} after the injury: {what} in the first 30 days; not documented: {missing}"),
                        ))
                    }
                },
                Some(false) => out.push(Finding::new(
                    "first_30_days",
                    Check::NotMet,
                    CITE_30_DAYS,
                    Confidence::HighSecondary,
                    format!("day {day} after the injury, but not treated within the employer's network: the first-30-days exemption does not apply"),
                )),
                None => out.push(Finding::new(
                    "first_30_days",
                    Check::NotDocumented,
                    CITE_30_DAYS,
                    Confidence::HighSecondary,
                    format!("day {day} after the injury: no RFA may be needed if treated within the employer's network; not documented: claim.network"),
                )),
            }
        }
    }
    false
}

/// A complete RFA (from 2026-04-01): documentation dated within 30 days,
/// a signature, each treatment named specifically.
fn complete_rfa(ff: &FormularyFacts, case: &Case, i: usize, drug: bool, out: &mut Vec<Finding>) {
    let Some(req) = case.requests.get(i) else { return };
    // Documentation dated within 30 days of the request.
    let f = match ff.rfa_documentation_date.get(case, i) {
        None => Finding::new(
            "rfa_documentation_date",
            Check::NotDocumented,
            CITE_COMPLETE,
            Confidence::High,
            "the supporting documentation must be dated no earlier than 30 days before the request; not documented: rfa.documentation_date",
        ),
        Some(d) => {
            let age = req.date.0 - d.0;
            let (check, msg) = if age < 0 {
                (
                    Check::NotMet,
                    format!(
                        "the supporting documentation ({d}) is dated after the request ({})",
                        req.date
                    ),
                )
            } else if age > 30 {
                (
                    Check::NotMet,
                    format!(
                        "the supporting documentation ({d}) is {age} days old; it must be dated no earlier than 30 days before the request"
                    ),
                )
            } else {
                (
                    Check::Met,
                    format!("the supporting documentation ({d}) is {age} days old (at most 30)"),
                )
            };
            Finding::new("rfa_documentation_date", check, CITE_COMPLETE, Confidence::High, msg)
        }
    };
    out.push(f);
    let (check, msg) = match ff.rfa_signed.get(case, i) {
        Some(true) => (Check::Met, "the RFA is signed by the treating physician"),
        Some(false) => (Check::NotMet, "the RFA must be signed by the treating physician"),
        None => (
            Check::NotDocumented,
            "the RFA must be signed by the treating physician; not documented: rfa.signed",
        ),
    };
    out.push(Finding::new("rfa_signed", check, CITE_COMPLETE, Confidence::High, msg));
    // Named specifically: what, how much, how strong (drugs), how long.
    let quantity = ff.request_quantity.documented(case, i);
    let mut missing: Vec<&str> = Vec::new();
    if drug {
        if !ff.request_strength.documented(case, i) {
            missing.push("request.strength");
        }
        if !quantity && !ff.request_days_supply.documented(case, i) {
            missing.push("request.quantity");
        }
    } else if !quantity && !ff.request_duration.documented(case, i) {
        missing.push("request.quantity");
    }
    let f = if missing.is_empty() {
        Finding::new(
            "rfa_specific",
            Check::Met,
            CITE_COMPLETE,
            Confidence::High,
            "the treatment is named specifically, with its amount",
        )
    } else {
        Finding::new(
            "rfa_specific",
            Check::NotDocumented,
            CITE_COMPLETE,
            Confidence::High,
            format!(
                "each treatment must be named specifically on the RFA, with quantity{}; not documented: {}",
                if drug {
                    " and strength"
                } else {
                    ", frequency or duration"
                },
                missing.join(", ")
            ),
        )
    };
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn business_days_skip_weekends_and_start_the_day_after() {
        // 2026-12-03 is a Thursday.
        assert_eq!(weekday(d("2026-12-03")), 3);
        assert_eq!(add_business_days(d("2026-12-03"), 5), d("2026-12-10"));
        // From a Friday: Mon..Fri of the next week.
        assert_eq!(add_business_days(d("2026-12-04"), 5), d("2026-12-11"));
        // From a Saturday: the Monday is day one.
        assert_eq!(add_business_days(d("2026-12-05"), 1), d("2026-12-07"));
        assert_eq!(complete_rfa_rules_start(), d("2026-04-01"));
    }
}
