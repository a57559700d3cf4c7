//! The audit's JSON rows, written by hand ([`crate::report::json_write`])
//! instead of through serde: the JSON and JSON Lines formats write one per
//! request, so this is the audit's hot path.
//!
//! [`Names`] holds the rule set's names (treatments, classes, `rule.criterion`)
//! escaped once per run; a row copies them. Input-derived text (file
//! names, case and request ids, error messages) is escaped as it is
//! written.
//!
//! Invariants: a row is byte for byte what serde_json writes for
//! [`AuditRow`] (kept, with its `Serialize`, as the oracle and for other
//! callers); a JSON Lines line is what serde_json wrote for the row with
//! `kind` first and the trace (if any) last. Checked over generated cases
//! in `tests/audit_json_writer.rs`.

use super::run::{Done, RequestDone};
use crate::RuleSet;
use crate::report::diagnostics::DiagnosticJson;
use crate::report::json_write::{self as jw, Json, Open, quoted};
use crate::report::{self, RequestReport};

/// The rule set's names as JSON string literals, escaped once per run.
#[derive(Clone, Debug)]
pub struct Names {
    /// By treatment id.
    treatments: Vec<String>,
    /// By treatment id: its first class, or `null`.
    categories: Vec<String>,
    /// By rule id, by criterion: `"rule.criterion"`.
    deciders: Vec<Vec<String>>,
    /// By rule id: `"rule.?"` (a criterion out of range).
    unknown: Vec<String>,
}

impl Names {
    pub fn new(rs: &RuleSet) -> Names {
        let p = &rs.program;
        let c = &p.catalog;
        Names {
            treatments: c.treatments.iter().map(|t| quoted(&t.name)).collect(),
            categories: c
                .treatments
                .iter()
                .map(|t| {
                    t.classes
                        .first()
                        .map_or_else(|| "null".to_string(), |k| quoted(&c.class(*k).name))
                })
                .collect(),
            deciders: p
                .rules
                .iter()
                .map(|r| {
                    r.criteria
                        .iter()
                        .map(|k| quoted(&format!("{}.{}", r.name, k.name)))
                        .collect()
                })
                .collect(),
            unknown: p.rules.iter().map(|r| quoted(&format!("{}.?", r.name))).collect(),
        }
    }
}

/// The fields of [`AuditRow::new`](super::AuditRow::new)'s row for
/// request `i` into the open object `o`.
pub fn row_fields(
    w: &mut Json<'_>,
    o: &mut Open,
    names: &Names,
    d: &Done,
    case: &str,
    requests: &[RequestDone],
    i: usize,
) {
    let Some(r) = requests.get(i) else { return };
    let v = r.verdict.as_ref().ok();
    let t = r.treatment.0 as usize;
    w.key(o, "file");
    w.str(&d.file);
    w.key(o, "line");
    w.opt_usize(r.error_at.map(|(l, _)| l).or(d.line));
    w.key(o, "column");
    w.opt_usize(r.error_at.map(|(_, c)| c));
    w.key(o, "case");
    w.str(case);
    w.key(o, "request");
    w.str(&r.id);
    w.key(o, "treatment");
    w.raw(names.treatments.get(t).map_or("null", String::as_str));
    w.key(o, "category");
    w.raw(names.categories.get(t).map_or("null", String::as_str));
    w.key(o, "outcome");
    w.opt_name(v.map(|v| jw::outcome_name(v.outcome)));
    w.key(o, "predicted");
    w.opt_name(v.map(|v| v.outcome.predicts().name()));
    w.key(o, "recorded");
    w.opt_name(jw::opt_recorded(r.recorded));
    w.key(o, "agrees");
    w.opt_bool(r.agrees());
    w.key(o, "decided_by");
    match v.and_then(|v| v.decided_by) {
        Some(by) => {
            let rule = by.rule.0 as usize;
            let s = names
                .deciders
                .get(rule)
                .and_then(|c| c.get(by.criterion as usize))
                .or_else(|| names.unknown.get(rule));
            w.raw(s.map_or("null", String::as_str));
        }
        None => w.raw("null"),
    }
    w.key(o, "error");
    match &r.verdict {
        Err(e) => w.str(&e.to_string()),
        Ok(_) => w.raw("null"),
    }
    w.key(o, "provisional");
    w.opt_bool(v.map(|v| v.provisional));
    w.key(o, "falls_with");
    w.opt_str(
        v.and_then(|v| v.fell_with)
            .and_then(|q| requests.get(q))
            .map(|q| q.id.as_str()),
    );
}

/// A JSON document's row: `{...}` (no newline).
pub fn json_row(out: &mut String, names: &Names, d: &Done, case: &str, requests: &[RequestDone], i: usize) {
    let mut w = Json::compact(out);
    let mut o = w.object();
    row_fields(&mut w, &mut o, names, d, case, requests, i);
    w.end(o);
}

/// A JSON Lines request line, with its trace if it has one, and a newline.
pub fn jsonl_row(
    out: &mut String,
    names: &Names,
    d: &Done,
    case: &str,
    requests: &[RequestDone],
    i: usize,
    trace: Option<&RequestReport>,
) {
    let mut w = Json::compact(out);
    let mut o = w.object();
    w.key(&mut o, "kind");
    w.raw("\"request\"");
    row_fields(&mut w, &mut o, names, d, case, requests, i);
    if let Some(t) = trace {
        w.key(&mut o, "trace");
        report::json_write::request_report(&mut w, t);
    }
    w.end(o);
    w.out.push('\n');
}

/// A load error: `{"kind":"error",...}` and a newline for JSON Lines
/// (`kind` given), the bare record for JSON.
pub fn error_record(out: &mut String, kind: bool, g: &DiagnosticJson) {
    let mut w = Json::compact(out);
    let mut o = w.object();
    if kind {
        w.key(&mut o, "kind");
        w.raw("\"error\"");
    }
    jw::diagnostic_fields(&mut w, &mut o, g);
    w.end(o);
    if kind {
        w.out.push('\n');
    }
}
