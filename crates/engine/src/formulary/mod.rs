//! The MTUS Drug Formulary (8 CCR 9792.27.1-.23) and the request for
//! authorization (RFA) procedure: what a physician's office must do
//! before a treatment is given, beside whether it is medically necessary.
//!
//! - [`list`]: the MTUS Drug List, loaded from CSV files in the layout
//!   the state publishes, one file per version, picked by the request's
//!   date.
//! - [`status`]: the checker logic of criteria-2018.md section 1.7: is a
//!   drug Exempt, Non-Exempt, unlisted or compounded, and does it need
//!   authorization through prospective review before it is dispensed.
//! - [`med`]: the morphine-equivalent dose of an opioid request, worked
//!   out from its drug, strength, quantity and days' supply.
//! - [`rfa`]: pre-submission findings on the RFA (documentation dated
//!   within 30 days, signed, each treatment named specifically), the UR
//!   deadlines it starts, and the SB 1160 first-30-days exemption.
//!
//! Invariants: the drug list is data, never code; a drug absent from a
//! complete list in force is unlisted (absent from the shipped partial
//! list, its status is undetermined, never guessed); this module never
//! decides medical necessity, only authorization and procedure; pure
//! functions of the rules, the case and the lists.

pub mod list;
pub mod med;
pub mod rfa;
pub mod status;

use serde::Serialize;

pub use list::{DrugList, DrugListError, DrugLists};
pub use rfa::rfa_findings;
pub use status::{Authorization, FormularyStatus, PriorAuthorization, authorize, join_clinical_outcome};

use crate::check::{Program, Scope};
use crate::facts::Case;
use crate::value::{Date, Value};

/// How sure the source of a finding is (criteria-2018.md tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The regulation or statute itself was read.
    High,
    /// Seen only in consistent secondary sources.
    HighSecondary,
    /// Recalled, not read: a result resting on it is provisional.
    Low,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::High => "HIGH",
            Confidence::HighSecondary => "HIGH (secondary)",
            Confidence::Low => "LOW",
        }
    }
}

/// What a finding says of the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A condition is met.
    Met,
    /// A condition is not met.
    NotMet,
    /// A fact the condition needs is not documented.
    NotDocumented,
    /// Information (a deadline, a consequence, a caveat).
    Note,
}

impl Check {
    pub fn tag(self) -> &'static str {
        match self {
            Check::Met => "[met]           ",
            Check::NotMet => "[NOT MET]       ",
            Check::NotDocumented => "[not documented]",
            Check::Note => "[note]          ",
        }
    }
}

/// One reason, condition or note, with where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable name: `special_fill`, `rfa_signed`, ...
    pub code: &'static str,
    pub check: Check,
    pub message: String,
    /// `8 CCR 9792.27.12`.
    pub citation: &'static str,
    pub confidence: Confidence,
}

impl Finding {
    pub fn new(
        code: &'static str,
        check: Check,
        citation: &'static str,
        confidence: Confidence,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            code,
            check,
            message: message.into(),
            citation,
            confidence,
        }
    }
}

/// First day of the Drug Formulary (FORM-1, FORM-2): drugs dispensed on
/// or after it, whatever the date of injury.
pub fn formulary_start() -> Date {
    Date(17532) // 2018-01-01
}

/// First day of the ACOEM-based MTUS (LAW18-1): the current regime, whose
/// RFA procedure the findings describe.
pub fn current_regime_start() -> Date {
    Date(17501) // 2017-12-01
}

/// A fact of request `i` (or of the case, or of the requested treatment's
/// history), by its schema path; `Absent` when the rules in use do not
/// declare it.
pub(crate) fn fact<'a>(p: &Program, case: &'a Case, i: usize, path: &str) -> &'a Value {
    const ABSENT: &Value = &Value::Absent;
    let Some(f) = p.schema.lookup(path) else { return ABSENT };
    let Some(req) = case.requests.get(i) else { return ABSENT };
    let slot = f.slot as usize;
    match f.scope {
        Scope::Case => case.facts.get(slot),
        Scope::Request => req.facts.get(slot),
        Scope::History => case.record(req.treatment).get(slot),
    }
    .unwrap_or(ABSENT)
}

pub(crate) fn fact_date(p: &Program, case: &Case, i: usize, path: &str) -> Option<Date> {
    match fact(p, case, i, path) {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

pub(crate) fn fact_bool(p: &Program, case: &Case, i: usize, path: &str) -> Option<bool> {
    match fact(p, case, i, path) {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// A symbol fact's name.
pub(crate) fn fact_sym<'a>(p: &'a Program, case: &'a Case, i: usize, path: &str) -> Option<&'a str> {
    match fact(p, case, i, path) {
        Value::Sym(s) => Some(case.sym_name(p, *s)),
        _ => None,
    }
}

/// A duration fact in days.
pub(crate) fn fact_days(p: &Program, case: &Case, i: usize, path: &str) -> Option<f64> {
    match fact(p, case, i, path) {
        Value::Qty(q) if q.dim() == crate::value::Dim::Time => Some(q.base()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regime_dates_are_the_ones_named() {
        assert_eq!(formulary_start(), Date::parse("2018-01-01").unwrap());
        assert_eq!(current_regime_start(), Date::parse("2017-12-01").unwrap());
    }
}
