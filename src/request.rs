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

/// The case-file unit of a request-line unit; none for millilitres and
/// pads, which no request quantity counts in. Shared by `ingest` and the
/// server's line box, which write a reading as case-file fields.
pub(crate) fn unit_name(u: mtus_request::Unit) -> Option<&'static str> {
    match u {
        mtus_request::Unit::Pad | mtus_request::Unit::Ml => None,
        u => Some(u.name()),
    }
}

/// The unit a bare count ("#30") of the treatment is in, when the catalog
/// gives the treatment one kind of count: tablets (or capsules, the same
/// to the rules), visits or units.
pub(crate) fn count_unit(rules: &RuleSet, treatment: Option<&str>) -> Option<&'static str> {
    use mtus_engine::value::Dim;
    let c = &rules.program.catalog;
    let t = c.treatment(c.treatment_named(treatment?)?);
    let counts: Vec<&'static str> = t
        .quantity_dims
        .iter()
        .filter_map(|d| match d {
            Dim::Tablet => Some("tablet"),
            Dim::Visit => Some("visit"),
            Dim::Item => Some("unit"),
            _ => None,
        })
        .collect();
    match counts[..] {
        [one] => Some(one),
        _ => None,
    }
}
