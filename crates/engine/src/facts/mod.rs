//! Case files: the loaded form of a case, and loading it (see [`load`]).
//!
//! A [`Case`] holds fact values in slots numbered by the schema, one array
//! per record (the case, each prior treatment, each request), so
//! evaluation reads a fact by index.
//!
//! Invariants: a `Case` only exists if its file was valid against the
//! schema; `Value::Absent` means "not documented"; the YAML parser is used
//! in `load` only, so it can be swapped in one place.

pub mod load;

use crate::check::{Program, RuleId, TreatmentId};
use crate::diag::Span;
use crate::value::{Date, Sym, Value};

pub use load::{CaseErrors, Limits, Loader, load_json, load_yaml};

/// One case, as loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: String,
    /// Case-level facts by slot.
    pub facts: Box<[Value]>,
    /// Prior treatments by treatment, sorted by id; facts by slot.
    pub history: Vec<(TreatmentId, Box<[Value]>)>,
    pub diagnoses: Vec<Diagnosis>,
    pub requests: Vec<Request>,
    pub determination: Option<Determination>,
    /// Symbols the rules do not know; `Sym(n)` for `n >= program symbols`
    /// is `local_symbols[n - program symbols]`.
    pub local_symbols: Vec<String>,
    /// The record read for a treatment with no `history` entry (shared,
    /// from the schema): not received, nothing else documented.
    pub no_history: std::sync::Arc<[Value]>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    pub text: Option<String>,
    pub code: Option<String>,
    pub tags: Vec<Sym>,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub id: String,
    pub treatment: TreatmentId,
    pub date: Date,
    /// Index of the request this one falls with.
    pub depends_on: Option<usize>,
    /// Request facts by slot (`id`, `treatment` and `date` among them).
    pub facts: Box<[Value]>,
    /// Where the request is written, for messages about a request that
    /// loaded (one that cannot be decided, say).
    pub at: RequestAt,
}

/// Two requests are the same whatever their place in a file (a case read
/// from YAML equals its JSON form).
impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.treatment == other.treatment
            && self.date == other.date
            && self.depends_on == other.depends_on
            && self.facts == other.facts
    }
}

/// Where a request's entry and its `treatment`, `date` and `depends_on`
/// values are written: byte spans into the case text, in the loader's
/// stand-in file id (see `load::CaseErrors`); [`Span::in_file`] moves one
/// into a source map's file.
#[derive(Clone, Copy, Debug)]
pub struct RequestAt {
    /// The whole entry (its first key, when only a place is wanted).
    pub entry: Span,
    pub treatment: Option<Span>,
    pub date: Option<Span>,
    pub depends_on: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Recorded {
    /// The denial stands: not medically necessary.
    Upheld,
    /// The denial is reversed: medically necessary.
    Overturned,
}

impl Recorded {
    pub fn name(self) -> &'static str {
        match self {
            Recorded::Upheld => "upheld",
            Recorded::Overturned => "overturned",
        }
    }
}

#[derive(Clone, Debug)]
pub struct RecordedDecision {
    /// Index into `Case::requests`.
    pub request: usize,
    pub outcome: Recorded,
    pub cites: Vec<String>,
    /// `because:`: the criterion the case's author expects to decide the
    /// request (the first not met, else the first not documented).
    pub because: Option<ExpectedCriterion>,
    /// Where the case file writes the `outcome` and `because` values (byte
    /// spans into the case text; the file id is a stand-in, see
    /// `load::CaseErrors`), for messages about a case that loaded, such as
    /// a failed test.
    pub outcome_at: Option<Span>,
    pub because_at: Option<Span>,
}

/// Two decisions are the same whatever their place in a file (a case read
/// from YAML equals its JSON form).
impl PartialEq for RecordedDecision {
    fn eq(&self, other: &Self) -> bool {
        self.request == other.request
            && self.outcome == other.outcome
            && self.cites == other.cites
            && self.because == other.because
    }
}

/// A criterion named in `because:`, as `criterion` or `rule.criterion`.
/// The loader accepts it only if a rule that applies to the request's
/// treatment has such a criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedCriterion {
    /// As written in the case file.
    pub written: String,
    /// The rule, when written as `rule.criterion`.
    pub rule: Option<RuleId>,
    pub criterion: String,
}

impl ExpectedCriterion {
    /// Is criterion `name` of rule `rule` the one expected?
    pub fn matches(&self, rule: RuleId, name: &str) -> bool {
        self.criterion == name && self.rule.is_none_or(|r| r == rule)
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Reviewer {
    pub specialty: Option<String>,
    pub licensure: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Determination {
    pub date: Option<Date>,
    pub reviewer: Option<Reviewer>,
    pub decisions: Vec<RecordedDecision>,
}

impl Case {
    /// The history entry of a treatment, if the case has one.
    pub fn history(&self, t: TreatmentId) -> Option<&[Value]> {
        self.history
            .binary_search_by_key(&t, |(id, _)| *id)
            .ok()
            .map(|i| &*self.history[i].1)
    }

    /// What the case says of a prior treatment: its `history` entry, or,
    /// when it has none, a record saying it was not received. Every reader
    /// of history facts goes through here, so all evaluators agree.
    pub fn record(&self, t: TreatmentId) -> &[Value] {
        self.history(t).unwrap_or(&self.no_history)
    }

    /// The recorded outcome for request `i`, if the case has one.
    pub fn recorded(&self, i: usize) -> Option<&RecordedDecision> {
        self.determination.as_ref()?.decisions.iter().find(|d| d.request == i)
    }

    /// The name of a symbol, whether the rules know it or only this case.
    pub fn sym_name<'a>(&'a self, p: &'a Program, s: Sym) -> &'a str {
        p.symbols.name(s).unwrap_or_else(|| {
            let i = s.0 as usize - p.symbols.len();
            self.local_symbols.get(i).map_or("?", String::as_str)
        })
    }
}
