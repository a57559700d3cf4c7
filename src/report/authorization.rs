//! The pre-submission section of `mtus check`: the formulary's answer
//! (does the drug need prior authorization?) and the RFA findings, shown
//! after each request's clinical outcome. A separate question from
//! medical necessity: an office needs both.
//!
//! Invariants: never decides (it shows what `formulary` found); output
//! depends only on its inputs.

use serde::Serialize;

use super::{CaseReport, RequestReport, diagnostics};
use crate::check::Program;
use crate::facts::Case;
use crate::formulary::{self, Authorization, DrugLists, Finding, PriorAuthorization};

/// What the formulary and the RFA checks say of one request.
#[derive(Clone, Debug, Serialize)]
pub struct PreSubmission {
    /// `None` when the formulary does not reach the request (dated before
    /// 2018-01-01, or not a drug).
    pub authorization: Option<Authorization>,
    /// Empty before the current regime (2017-12-01).
    pub rfa: Vec<Finding>,
}

/// The pre-submission findings for every request of a case, each joined
/// to its clinical outcome in `report` (the case's report): an Exempt drug
/// found not medically necessary is not shown as needing no review
/// ([`formulary::join_clinical_outcome`]).
pub fn pre_submission(p: &Program, case: &Case, lists: &DrugLists, report: &CaseReport) -> Vec<PreSubmission> {
    (0..case.requests.len())
        .map(|i| {
            let mut authorization = formulary::authorize(p, case, i, lists);
            if let Some(a) = authorization.as_mut() {
                formulary::join_clinical_outcome(a, report.requests.get(i).and_then(|q| q.outcome));
            }
            let rfa = formulary::rfa_findings(p, case, i, authorization.as_ref());
            PreSubmission { authorization, rfa }
        })
        .collect()
}

fn render_finding(f: &Finding, out: &mut String) {
    use std::fmt::Write;
    // A finding quotes the drug list's cells (an ingredient, a dosage
    // form, a source, the list's version): no control character of a
    // list file reaches the terminal.
    let _ = writeln!(
        out,
        "    {} {}: {}",
        f.check.tag(),
        f.code,
        super::escape_terminal(&f.message)
    );
    let _ = writeln!(out, "{:25}{} ({})", "", f.citation, f.confidence.label());
}

/// The section for one request, after its clinical outcome.
pub fn render_pre_submission_text(s: &PreSubmission, out: &mut String) {
    use std::fmt::Write;
    if let Some(a) = &s.authorization {
        let verdict = match a.prior_authorization {
            PriorAuthorization::Required => "REQUIRED",
            PriorAuthorization::NotRequired => "not required",
            PriorAuthorization::Undetermined => "UNDETERMINED",
        };
        let list = a
            .list
            .as_ref()
            .map_or_else(|| "no drug list in force".to_string(), |l| l.label());
        let provisional = if a.provisional {
            " (provisional: rests on a LOW-confidence row)"
        } else {
            ""
        };
        let _ = writeln!(out);
        // A status that already says there is no list is not said twice.
        let status = a.status.label();
        let why = if status == list {
            list
        } else {
            format!("{status}; {list}")
        };
        let why = super::escape_terminal(&why);
        let _ = writeln!(out, "  prior authorization: {verdict} ({why}){provisional}");
        if a.mtus_consistent == Some(false) {
            let _ = writeln!(
                out,
                "    the list alone would need no review, but this request is not shown to be in accordance with the MTUS (see its outcome above): it needs prior authorization"
            );
        }
        for f in &a.findings {
            render_finding(f, out);
        }
    }
    if !s.rfa.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "  before submitting (request for authorization):");
        for f in &s.rfa {
            render_finding(f, out);
        }
    }
}

/// A case report as text, each request followed by its pre-submission
/// section.
pub fn render_case_text(r: &CaseReport, pre: &[PreSubmission], out: &mut String) {
    super::render_case_header(r, out);
    for (i, q) in r.requests.iter().enumerate() {
        out.push('\n');
        super::render_request_text(q, out);
        if let Some(s) = pre.get(i) {
            render_pre_submission_text(s, out);
        }
    }
}

/// A request in `mtus check --format json`: the request report, plus
/// `authorization` and `rfa` when they say something (so the JSON of a
/// request before the current regime is unchanged).
#[derive(Clone, Debug, Serialize)]
pub struct RequestJson<'a> {
    #[serde(flatten)]
    pub report: &'a RequestReport,
    /// Absent when the formulary does not reach the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization: Option<&'a Authorization>,
    /// Absent before the current regime (2017-12-01).
    #[serde(skip_serializing_if = "<[Finding]>::is_empty")]
    pub rfa: &'a [Finding],
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseJson<'a> {
    pub file: &'a str,
    pub case: &'a str,
    pub requests: Vec<RequestJson<'a>>,
}

impl<'a> CaseJson<'a> {
    pub fn new(r: &'a CaseReport, pre: &'a [PreSubmission]) -> CaseJson<'a> {
        CaseJson {
            file: &r.file,
            case: &r.case,
            requests: r
                .requests
                .iter()
                .enumerate()
                .map(|(i, q)| RequestJson {
                    report: q,
                    authorization: pre.get(i).and_then(|s| s.authorization.as_ref()),
                    rfa: pre.get(i).map_or(&[], |s| s.rfa.as_slice()),
                })
                .collect(),
        }
    }
}

/// The JSON document `mtus check --format json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct CheckJson<'a> {
    pub version: u32,
    pub cases: Vec<CaseJson<'a>>,
    pub errors: &'a [diagnostics::DiagnosticJson],
    /// The rule set that decided (every output names it); absent only
    /// from an API error that no rules were applied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<super::RulesJson>,
}
