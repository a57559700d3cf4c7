//! Request lines as offices and letters write them, read against the
//! rules' treatment catalog.
//!
//! The reader is the `mtus-request` crate, which knows no treatment
//! names; the engine's [`mtus_engine::line`] gives it the catalog as its
//! [`Vocabulary`] (case loading reads `text:` with it), and this module
//! adds what the CLI shows beside a reading: whether rules decide the
//! treatment it names on a date ([`coverage`]).
//!
//! Invariant: it never decides anything; it only names.

use mtus_engine::RuleSet;
use mtus_engine::check::TreatmentId;
use mtus_engine::eval::{EvalError, select};
pub use mtus_engine::line::CatalogVocabulary;
use mtus_engine::value::Date;
pub use mtus_request::{Problem, Reading, Resolution, Severity, Vocabulary, render};

/// Whether rules decide a treatment on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// These rules decide it (their names).
    Decided(Vec<String>),
    /// The catalog names it but no rule covers it: a gap in the rules, not
    /// a typo.
    NoRule,
    /// Rules cover it, none in force on the date.
    NotInForce,
}

/// The rules that decide treatment `t` on `date`.
pub fn coverage(rules: &RuleSet, t: TreatmentId, date: Date) -> Coverage {
    match select(&rules.program, &rules.compiled, t, date) {
        Ok(sel) => Coverage::Decided(
            sel.deciding
                .iter()
                .map(|&r| rules.program.rule(r).name.clone())
                .collect(),
        ),
        Err(EvalError::NoRule { .. }) => Coverage::NoRule,
        Err(_) => Coverage::NotInForce,
    }
}

/// Reads a request line against the rules' catalog (see
/// [`mtus_engine::line::read`]).
pub fn read(rules: &RuleSet, line: &str) -> Reading {
    mtus_engine::line::read(&rules.program.catalog, line)
}
