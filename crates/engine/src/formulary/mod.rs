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

use crate::check::formulary::{Amount, Day, Days, FormularyFacts, Name, Slot, Yes};
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

/// Reading the facts the formulary uses, through the slots the checker
/// resolved ([`crate::check::formulary`]); never by path.
impl<K> Slot<K> {
    /// The fact of request `i` (or of the case, or of the requested
    /// treatment's history); `Absent` when the rules do not declare it.
    pub(crate) fn value<'a>(&self, case: &'a Case, i: usize) -> &'a Value {
        const ABSENT: &Value = &Value::Absent;
        let Some((scope, slot)) = self.at else { return ABSENT };
        let Some(req) = case.requests.get(i) else { return ABSENT };
        let slot = slot as usize;
        match scope {
            Scope::Case => case.facts.get(slot),
            Scope::Request => req.facts.get(slot),
            Scope::History => case.record(req.treatment).get(slot),
        }
        .unwrap_or(ABSENT)
    }

    /// Whether request `i` documents it.
    pub(crate) fn documented(&self, case: &Case, i: usize) -> bool {
        !self.value(case, i).is_absent()
    }
}

impl Slot<Day> {
    pub(crate) fn get(&self, case: &Case, i: usize) -> Option<Date> {
        match self.value(case, i) {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
}

impl Slot<Yes> {
    pub(crate) fn get(&self, case: &Case, i: usize) -> Option<bool> {
        match self.value(case, i) {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl Slot<Name> {
    /// A symbol fact's name.
    pub(crate) fn get<'a>(&self, p: &'a Program, case: &'a Case, i: usize) -> Option<&'a str> {
        match self.value(case, i) {
            Value::Sym(s) => Some(case.sym_name(p, *s)),
            _ => None,
        }
    }
}

impl Slot<Days> {
    /// A duration fact in days.
    pub(crate) fn get(&self, case: &Case, i: usize) -> Option<f64> {
        match self.value(case, i) {
            Value::Qty(q) if q.dim() == crate::value::Dim::Time => Some(q.base()),
            _ => None,
        }
    }
}

impl Slot<Amount> {
    pub(crate) fn get(&self, case: &Case, i: usize) -> Option<f64> {
        match self.value(case, i) {
            Value::Num(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
}

/// The facts the formulary reads in `p`'s schema, resolved once for one
/// answer (the checker has already reported any that are wrong).
pub(crate) fn facts(p: &Program) -> FormularyFacts {
    FormularyFacts::resolve(&p.schema).0
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
