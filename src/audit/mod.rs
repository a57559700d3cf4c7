//! Stage 6: re-running past determinations and comparing, at scale.
//!
//! An audit reads case files (YAML folders, JSON Lines files, standard
//! input) as a stream ([`input`]), loads and decides them on every core,
//! a bounded batch at a time ([`run`]), gathers agreement statistics as it
//! goes ([`stats`]) and writes results in input order as text, JSON, JSON
//! Lines, CSV or Markdown ([`output`]), with an optional HTML page
//! ([`html`]). Every input ends as a result or an error:
//! `inputs == cases + errors`.
//!
//! Invariants: never changes a decision; output is byte-identical
//! whatever the thread count; memory does not grow with the number of
//! inputs (counters, a bounded batch, and bounded lists of disagreements
//! and errors to show).

pub mod filter;
pub mod groups;
pub mod html;
pub mod input;
pub mod jsonw;
pub mod output;
pub mod run;
pub mod stats;

use serde::Serialize;

use crate::RuleSet;
use crate::eval::Outcome;
use crate::facts::Recorded;
use run::{Done, RequestDone};

pub use input::{Input, expand_inputs};
pub use output::{AuditError, AuditOptions, Finished, Format, audit};

/// One request of an audit.
#[derive(Clone, Debug, Serialize)]
pub struct AuditRow {
    pub file: String,
    /// The line of a JSON Lines record (`null` for a YAML file); for a
    /// request that could not be decided, the line of its cause.
    pub line: Option<usize>,
    /// For a request that could not be decided, the column of its cause
    /// (the treatment no rule covers, the date no rule is in force on,
    /// the `depends_on` that could not be followed); else `null`.
    pub column: Option<usize>,
    pub case: String,
    pub request: String,
    pub treatment: String,
    pub category: Option<String>,
    pub outcome: Option<Outcome>,
    pub predicted: Option<Recorded>,
    pub recorded: Option<Recorded>,
    pub agrees: Option<bool>,
    /// The case documents clinical facts (anything beyond the claimant,
    /// the date of injury and the requests); `false` for a case `mtus
    /// ingest` wrote without `--facts`, whose requests are left out of
    /// agreement (`agrees` is `null`).
    pub clinical_facts: bool,
    /// `rule.criterion` that decided it.
    pub decided_by: Option<String>,
    /// Why it could not be decided.
    pub error: Option<String>,
    /// The outcome rests on a LOW criterion; `null` when undecided.
    pub provisional: Option<bool>,
    /// The id of the request this one fell with (`depends_on`): it was
    /// decided by that request's outcome, not by a criterion of its own.
    pub falls_with: Option<String>,
    /// The request's date.
    pub request_date: String,
    /// The recorded determination's reviewer: specialty and licensure.
    pub reviewer_specialty: Option<String>,
    pub reviewer_licensure: Vec<String>,
    /// The guidelines the recorded decision cites (`cites:`).
    pub cites: Vec<String>,
    /// The source and tier of the rule that decided the request (the
    /// deciding criterion's rule, else the first deciding rule).
    pub rule_source: Option<String>,
    pub rule_tier: Option<&'static str>,
    /// With `--drug-list`: the formulary's answer (absent without it).
    #[serde(flatten)]
    pub authorization: Option<AuthColumns>,
}

/// The formulary's answer in an audit row: both `null` when the formulary
/// does not reach the request (not a drug, or dated before 2018).
#[derive(Clone, Debug, Serialize)]
pub struct AuthColumns {
    pub prior_authorization: Option<crate::formulary::PriorAuthorization>,
    pub formulary_status: Option<crate::formulary::FormularyStatus>,
}

impl AuditRow {
    /// The row of request `i` of a case whose requests are `requests`.
    pub fn new(rs: &RuleSet, d: &Done, case: &str, requests: &[RequestDone], i: usize) -> AuditRow {
        let r = &requests[i];
        let p = &rs.program;
        let t = p.catalog.treatment(r.treatment);
        let v = r.verdict.as_ref().ok();
        AuditRow {
            file: d.file.to_string(),
            line: r.error_at.map(|(l, _)| l).or(d.line),
            column: r.error_at.map(|(_, c)| c),
            case: case.to_string(),
            request: r.id.clone(),
            treatment: t.name.clone(),
            category: t.classes.first().map(|c| p.catalog.class(*c).name.clone()),
            outcome: v.map(|v| v.outcome),
            predicted: v.map(|v| v.outcome.predicts()),
            recorded: r.recorded,
            agrees: r.agrees(),
            decided_by: v.and_then(|v| v.decided_by).map(|d| {
                let rule = p.rule(d.rule);
                let crit = rule.criteria.get(d.criterion as usize).map_or("?", |c| c.name.as_str());
                format!("{}.{crit}", rule.name)
            }),
            error: r.verdict.as_ref().err().map(ToString::to_string),
            provisional: v.map(|v| v.provisional),
            falls_with: v
                .and_then(|v| v.fell_with)
                .and_then(|q| requests.get(q))
                .map(|q| q.id.clone()),
            request_date: r.date.to_string(),
            reviewer_specialty: case_done(d).and_then(|c| c.reviewer.as_ref()?.specialty.clone()),
            reviewer_licensure: case_done(d)
                .and_then(|c| c.reviewer.as_ref())
                .map(|rv| rv.licensure.clone())
                .unwrap_or_default(),
            cites: r.cites.clone(),
            rule_source: deciding_rule(v).map(|id| p.source(p.rule(id).source).id.clone()),
            rule_tier: deciding_rule(v).map(|id| p.rule(id).tier.name()),
            clinical_facts: r.facts,
            authorization: r.authorization.map(|a| AuthColumns {
                prior_authorization: a.map(|a| a.prior_authorization),
                formulary_status: a.map(|a| a.status),
            }),
        }
    }
}

/// The case an input became, if it loaded.
pub fn case_done(d: &Done) -> Option<&run::CaseDone> {
    d.result.as_ref().ok()
}

/// The rule behind a verdict: the deciding criterion's, else the first
/// deciding rule.
pub fn deciding_rule(v: Option<&crate::eval::fast::Verdict>) -> Option<crate::check::RuleId> {
    let v = v?;
    v.decided_by.map(|d| d.rule).or(v.rule)
}

/// Counts over an audit.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Cases given: YAML files and JSON Lines records (after expanding
    /// folders; a path that cannot be read counts as one).
    pub inputs: usize,
    /// Cases read and evaluated.
    pub cases: usize,
    /// Inputs that could not be read or loaded.
    pub errors: usize,
    pub requests: usize,
    /// Requests decided with a recorded outcome to compare with.
    pub compared: usize,
    pub agree: usize,
    pub disagree: usize,
    /// Requests decided but without a recorded outcome.
    pub unrecorded: usize,
    /// Requests that could not be decided (no rule in force, ...).
    pub undecided: usize,
    /// Requests decided, with a recorded outcome, in cases that document
    /// no clinical facts (`mtus ingest` without `--facts`): left out of
    /// agreement, since the engine had nothing to weigh. So `requests =
    /// agree + disagree + unrecorded + undecided + without_facts`.
    pub without_facts: usize,
    /// The letters' side: requests with a recorded outcome, upheld and
    /// overturned (every such request, with clinical facts or without,
    /// decided by the engine or not).
    pub upheld: usize,
    pub overturned: usize,
    /// Requests the filters (`--since`, `--until`, `--treatment`,
    /// `--class`, `--only-disagreements`) left out: counted nowhere else.
    pub filtered_out: usize,
    /// Cases read of which the filters left no request.
    pub cases_filtered_out: usize,
}

impl Totals {
    pub fn add_row(&mut self, r: &AuditRow) {
        self.requests += 1;
        match r.recorded {
            Some(Recorded::Upheld) => self.upheld += 1,
            Some(Recorded::Overturned) => self.overturned += 1,
            None => {}
        }
        match (r.error.is_some(), r.agrees) {
            (true, _) => self.undecided += 1,
            (false, None) if !r.clinical_facts && r.recorded.is_some() => self.without_facts += 1,
            (false, Some(true)) => {
                self.compared += 1;
                self.agree += 1;
            }
            (false, Some(false)) => {
                self.compared += 1;
                self.disagree += 1;
            }
            (false, None) => self.unrecorded += 1,
        }
    }

    /// Agreement as a fraction of compared requests, if any were compared.
    pub fn agreement(&self) -> Option<f64> {
        (self.compared > 0).then(|| self.agree as f64 / self.compared as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(agrees: Option<bool>, error: bool) -> AuditRow {
        AuditRow {
            file: "f".into(),
            line: None,
            column: None,
            case: "c".into(),
            request: "r".into(),
            treatment: "t".into(),
            category: None,
            outcome: None,
            predicted: None,
            recorded: None,
            agrees,
            decided_by: None,
            error: error.then(|| "no rule".to_string()),
            provisional: None,
            falls_with: None,
            request_date: "2020-01-01".into(),
            reviewer_specialty: None,
            reviewer_licensure: Vec::new(),
            cites: Vec::new(),
            rule_source: None,
            rule_tier: None,
            clinical_facts: true,
            authorization: None,
        }
    }

    #[test]
    fn totals_account_for_every_request() {
        let mut t = Totals::default();
        for r in [
            row(Some(true), false),
            row(Some(false), false),
            row(None, false),
            row(Some(true), true),
        ] {
            t.add_row(&r);
        }
        assert_eq!(t.requests, 4);
        assert_eq!(t.agree + t.disagree + t.unrecorded + t.undecided, t.requests);
        assert_eq!(t.agreement(), Some(0.5));
    }
}
