//! Stage 6: re-running past determinations and comparing.
//!
//! An audit takes case files with recorded determinations, decides every
//! request, and tallies where the rules agree with the reviewer. Every
//! input ends as a result or an error: `inputs == cases + errors`.
//!
//! Invariants: never changes a decision; totals are computed from the rows
//! alone; rows keep input order.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::eval::Outcome;
use crate::facts::Recorded;
use crate::report::{CaseReport, RequestReport};

/// One request of an audit.
#[derive(Clone, Debug, Serialize)]
pub struct AuditRow {
    pub file: String,
    pub case: String,
    pub request: String,
    pub treatment: String,
    pub category: Option<String>,
    pub outcome: Option<Outcome>,
    pub predicted: Option<Recorded>,
    pub recorded: Option<Recorded>,
    pub agrees: Option<bool>,
    /// `rule.criterion` that decided it.
    pub decided_by: Option<String>,
    /// Why it could not be decided.
    pub error: Option<String>,
}

impl AuditRow {
    pub fn from_report(case: &CaseReport, r: &RequestReport) -> AuditRow {
        AuditRow {
            file: case.file.clone(),
            case: case.case.clone(),
            request: r.request.clone(),
            treatment: r.treatment.clone(),
            category: r.category.clone(),
            outcome: r.outcome,
            predicted: r.predicted,
            recorded: r.recorded,
            agrees: r.agrees,
            decided_by: r.decided_by.as_ref().map(|d| format!("{}.{}", d.rule, d.criterion)),
            error: r.error.as_ref().map(|e| e.message.clone()),
        }
    }
}

/// Counts over an audit.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    /// Case files given (after expanding folders).
    pub inputs: usize,
    /// Case files read and evaluated.
    pub cases: usize,
    /// Case files that could not be read.
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
}

impl Totals {
    pub fn add_row(&mut self, r: &AuditRow) {
        self.requests += 1;
        match (r.error.is_some(), r.agrees) {
            (true, _) => self.undecided += 1,
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

/// Expand files and folders into case files, in a stable order: folders
/// are walked recursively for `*.yaml` / `*.yml`, sorted by path; files
/// given by name are kept as given, whatever their extension.
pub fn expand_inputs(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = walk(p, &mut found) {
                out.push(Err((p.clone(), e.to_string())));
            }
            found.sort();
            out.extend(found.into_iter().map(Ok));
        } else if p.exists() {
            out.push(Ok(p.clone()));
        } else {
            out.push(Err((p.clone(), "no such file or folder".into())));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(path);
        }
    }
    Ok(())
}

/// Render the per-request lines and totals of an audit as text.
pub fn render_text(rows: &[AuditRow], totals: &Totals, out: &mut String) {
    use std::fmt::Write;
    let w_case = rows.iter().map(|r| r.case.len()).max().unwrap_or(4).max(4);
    let w_req = rows.iter().map(|r| r.request.len()).max().unwrap_or(7).max(7);
    let w_tr = rows.iter().map(|r| r.treatment.len()).max().unwrap_or(9).max(9);
    let _ = writeln!(
        out,
        "{:w_case$}  {:w_req$}  {:w_tr$}  {:10}  {:10}  result",
        "case", "request", "treatment", "predicted", "recorded"
    );
    for r in rows {
        let predicted = r.predicted.map_or("-", Recorded::name);
        let recorded = r.recorded.map_or("-", Recorded::name);
        let result = match (&r.error, r.agrees) {
            (Some(e), _) => format!("ERROR: {e}"),
            (None, Some(true)) => "agrees".to_string(),
            (None, Some(false)) => format!("DISAGREES ({})", r.decided_by.as_deref().unwrap_or("all criteria met")),
            (None, None) => "no recorded decision".to_string(),
        };
        let _ = writeln!(
            out,
            "{:w_case$}  {:w_req$}  {:w_tr$}  {predicted:10}  {recorded:10}  {result}",
            r.case, r.request, r.treatment
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "inputs: {} case files: {} read, {} could not be read",
        totals.inputs, totals.cases, totals.errors
    );
    let _ = writeln!(
        out,
        "requests: {}: {} agree, {} disagree, {} without a recorded decision, {} could not be decided",
        totals.requests, totals.agree, totals.disagree, totals.unrecorded, totals.undecided
    );
    match totals.agreement() {
        Some(a) => {
            let _ = writeln!(
                out,
                "agreement: {}/{} = {:.1}%",
                totals.agree,
                totals.compared,
                a * 100.0
            );
        }
        None => {
            let _ = writeln!(out, "agreement: no request had a recorded decision to compare with");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(agrees: Option<bool>, error: bool) -> AuditRow {
        AuditRow {
            file: "f".into(),
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
