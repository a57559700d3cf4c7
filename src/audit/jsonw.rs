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
//! in `audit::output::tests::json_writer_matches_serde`.

use super::run::{Done, RequestDone};
use crate::RuleSet;
use crate::eval::reference::missing_facts;
use crate::eval::{Decision, EvalError, Role, Status, defaulted, fact_name, read};
use crate::facts::Case;
use crate::report;
use crate::report::diagnostics::DiagnosticJson;
use crate::report::json_write::{self as jw, Json, Open, quoted};
use crate::value::Value;

/// About what a row takes (generated cases: 360 bytes on average), and a
/// row with its trace (4 KB).
const ROW_BYTES: usize = 512;
const TRACE_BYTES: usize = 8 << 10;

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
    /// By rule id: what a trace says of the rule and its criteria.
    rules: Vec<RuleNames>,
}

/// A rule's part of a trace that depends only on the rule set, as JSON.
#[derive(Clone, Debug)]
struct RuleNames {
    name: String,
    title: String,
    source: String,
    tier: &'static str,
    citation: String,
    /// `also_cites` (omitted when empty): an array.
    also_cites: Option<String>,
    criteria: Vec<CriterionNames>,
}

#[derive(Clone, Debug)]
struct CriterionNames {
    name: String,
    kind: &'static str,
    description: String,
    /// Its own citation, else its rule's.
    citation: String,
    /// `"low"`, `"high"` or `null`.
    confidence: &'static str,
    /// An array.
    confidence_ids: String,
    /// `low_reason`, omitted unless LOW.
    low_reason: Option<String>,
    /// As a provisional decision's `rests_on` names it: the `ids` and
    /// `constants` arrays and the `reason`.
    low_ids: String,
    low_consts: String,
    reason: String,
}

/// A JSON array of strings, compact.
fn str_array<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    Json::compact(&mut out).strs(items);
    out
}

impl RuleNames {
    fn new(p: &crate::check::Program, r: &crate::check::Rule) -> RuleNames {
        use crate::syntax::ast::{CriterionKind, Level};
        let rule_cite = r.cites.first().map(|c| p.cite(c)).unwrap_or_default();
        let criteria = r
            .criteria
            .iter()
            .map(|c| {
                let g = &c.grounds;
                let confidence = if g.is_low() { Some(Level::Low) } else { g.stated };
                let mut low_consts = String::new();
                let mut w = Json::compact(&mut low_consts);
                let mut a = w.array();
                for k in &g.low_consts {
                    w.item(&mut a);
                    jw::low_const(&mut w, k);
                }
                w.end(a);
                let reason = quoted(&g.low_reason());
                CriterionNames {
                    name: quoted(&c.name),
                    kind: match c.kind {
                        CriterionKind::Require => "\"require\"",
                        CriterionKind::Exclude => "\"exclude\"",
                    },
                    description: quoted(&c.description),
                    citation: quoted(&c.citation.as_ref().map_or_else(|| rule_cite.clone(), |x| p.cite(x))),
                    confidence: match confidence {
                        Some(Level::Low) => "\"low\"",
                        Some(Level::High) => "\"high\"",
                        None => "null",
                    },
                    confidence_ids: str_array(&g.ids),
                    low_reason: g.is_low().then(|| reason.clone()),
                    low_ids: str_array(&g.low_ids),
                    low_consts,
                    reason,
                }
            })
            .collect();
        let also: Vec<String> = r.cites.iter().skip(1).map(|c| p.cite(c)).collect();
        RuleNames {
            name: quoted(&r.name),
            title: quoted(&r.title),
            source: quoted(&p.source(r.source).id),
            tier: match r.tier {
                crate::check::Tier::Mtus => "\"mtus\"",
                crate::check::Tier::AcoemOrOdg => "\"acoem_or_odg\"",
                crate::check::Tier::OtherGuideline => "\"other_guideline\"",
                crate::check::Tier::Study => "\"study\"",
            },
            citation: quoted(&rule_cite),
            also_cites: (!also.is_empty()).then(|| str_array(&also)),
            criteria,
        }
    }
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
            rules: p.rules.iter().map(|r| RuleNames::new(p, r)).collect(),
        }
    }
}

/// The fields of [`AuditRow::new`](super::AuditRow::new)'s row for
/// request `i` into the open object `o`.
#[allow(clippy::too_many_arguments)]
pub fn row_fields(
    w: &mut Json<'_>,
    rs: &RuleSet,
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
    w.raw(",\"line\":");
    w.opt_usize(r.error_at.map(|(l, _)| l).or(d.line));
    w.raw(",\"column\":");
    w.opt_usize(r.error_at.map(|(_, c)| c));
    w.raw(",\"case\":");
    w.str(case);
    w.raw(",\"request\":");
    w.str(&r.id);
    w.raw(",\"treatment\":");
    w.raw(names.treatments.get(t).map_or("null", String::as_str));
    w.raw(",\"category\":");
    w.raw(names.categories.get(t).map_or("null", String::as_str));
    w.raw(",\"outcome\":");
    w.opt_name(v.map(|v| jw::outcome_name(v.outcome)));
    w.raw(",\"predicted\":");
    w.opt_name(v.map(|v| v.outcome.predicts().name()));
    w.raw(",\"recorded\":");
    w.opt_name(jw::opt_recorded(r.recorded));
    w.raw(",\"agrees\":");
    w.opt_bool(r.agrees());
    w.raw(if r.facts {
        ",\"clinical_facts\":true"
    } else {
        ",\"clinical_facts\":false"
    });
    w.raw(",\"decided_by\":");
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
    w.raw(",\"error\":");
    match &r.verdict {
        Err(e) => w.str(&e.to_string()),
        Ok(_) => w.raw("null"),
    }
    w.raw(",\"provisional\":");
    w.opt_bool(v.map(|v| v.provisional));
    w.raw(",\"falls_with\":");
    w.opt_str(
        v.and_then(|v| v.fell_with)
            .and_then(|q| requests.get(q))
            .map(|q| q.id.as_str()),
    );
    w.raw(",\"request_date\":");
    w.str(&r.date.to_string());
    let reviewer = super::case_done(d).and_then(|c| c.reviewer.as_ref());
    w.raw(",\"reviewer_specialty\":");
    w.opt_str(reviewer.and_then(|rv| rv.specialty.as_deref()));
    w.raw(",\"reviewer_licensure\":");
    w.raw(&str_array(reviewer.map_or(&[][..], |rv| rv.licensure.as_slice())));
    w.raw(",\"cites\":");
    w.raw(&str_array(&r.cites));
    let rule = super::deciding_rule(v).map(|id| rs.program.rule(id));
    w.raw(",\"rule_source\":");
    w.opt_str(rule.map(|x| rs.program.source(x.source).id.as_str()));
    w.raw(",\"rule_tier\":");
    w.opt_name(rule.map(|x| x.tier.name()));
    if let Some(a) = r.authorization {
        w.raw(",\"prior_authorization\":");
        w.opt_name(a.map(|a| a.prior_authorization.name()));
        w.raw(",\"formulary_status\":");
        w.opt_name(a.map(|a| a.status.name()));
    }
}

/// A JSON document's row: `{...}` (no newline).
pub fn json_row(
    out: &mut String,
    rs: &RuleSet,
    names: &Names,
    d: &Done,
    case: &str,
    requests: &[RequestDone],
    i: usize,
) {
    out.reserve(ROW_BYTES);
    let mut w = Json::compact(out);
    let mut o = w.object();
    row_fields(&mut w, rs, &mut o, names, d, case, requests, i);
    w.end(o);
}

/// A JSON Lines request line, with its trace if it has one (its JSON, else
/// its report), and a newline.
pub fn jsonl_row(
    out: &mut String,
    rs: &RuleSet,
    names: &Names,
    d: &Done,
    case: &str,
    requests: &[RequestDone],
    i: usize,
) {
    let (trace, trace_json) = requests
        .get(i)
        .map_or((None, None), |r| (r.trace.as_deref(), r.trace_json.as_deref()));
    // Room for the line at once, not grown a doubling at a time.
    out.reserve(ROW_BYTES + trace_json.map_or(0, str::len));
    let mut w = Json::compact(out);
    let mut o = w.object();
    w.key(&mut o, "kind");
    w.raw("\"request\"");
    row_fields(&mut w, rs, &mut o, names, d, case, requests, i);
    if let Some(t) = trace_json {
        w.key(&mut o, "trace");
        w.raw(t);
    } else if let Some(t) = trace {
        w.out.reserve(TRACE_BYTES);
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

/// The trace of request `i` of `case` as JSON, compact (keys are written
/// as literals, commas and all): byte for byte
/// what [`report::request_report`] (without advice) gives through serde,
/// written straight from the decision with the rule set's part copied
/// from `names`, so a JSON Lines audit builds no [`report::RequestReport`] for a
/// trace it only writes. Keep in step with `request_report`: the audit's
/// tests compare the two on every disagreement of thousands of cases.
pub fn trace(
    out: &mut String,
    names: &Names,
    rs: &RuleSet,
    case: &Case,
    i: usize,
    decision: &Result<Decision, EvalError>,
) {
    let p = &rs.program;
    let Some(req) = case.requests.get(i) else { return };
    let t = req.treatment.0 as usize;
    let id_of = |q: usize| case.requests.get(q).map(|r| r.id.as_str());
    out.reserve(TRACE_BYTES);
    let mut w = Json::compact(out);
    let o = w.object();
    w.raw("\"request\":");
    w.str(&req.id);
    w.raw(",\"text\":");
    let text = p
        .schema
        .builtin
        .request_text
        .and_then(|s| match req.facts.get(s as usize) {
            Some(Value::Text(t)) => Some(&**t),
            _ => None,
        });
    w.opt_str(text);
    w.raw(",\"treatment\":");
    w.raw(names.treatments.get(t).map_or("null", String::as_str));
    w.raw(",\"category\":");
    w.raw(names.categories.get(t).map_or("null", String::as_str));
    w.raw(",\"date\":");
    w.str(&req.date.to_string());
    let recorded = case.recorded(i).map(|d| d.outcome);
    let d = match decision {
        Err(e) => {
            w.raw(",\"outcome\":null,\"predicted\":null,\"recorded\":");
            w.opt_name(jw::opt_recorded(recorded));
            w.raw(",\"agrees\":null,\"decided_by\":null,\"fell_with\":null,\"provisional\":null,\"rules\":[],\"set_aside\":[],\"to_pass\":[],\"error\":");
            let eo = w.object();
            w.raw("\"code\":");
            w.str(e.code());
            w.raw(",\"message\":");
            w.str(&e.to_string());
            w.raw(",\"help\":");
            w.str(&e.help());
            w.raw(",\"line\":");
            w.raw("null");
            w.raw(",\"column\":");
            w.raw("null");
            w.end(eo);
            w.end(o);
            return;
        }
        Ok(d) => d,
    };
    let rule_of = |ri: usize| {
        d.rules
            .get(ri)
            .and_then(|rr| names.rules.get(rr.rule.0 as usize).map(|n| (rr, n)))
    };
    w.raw(",\"outcome\":");
    w.name(jw::outcome_name(d.outcome));
    w.raw(",\"predicted\":");
    w.name(d.outcome.predicts().name());
    w.raw(",\"recorded\":");
    w.opt_name(jw::opt_recorded(recorded));
    w.raw(",\"agrees\":");
    w.opt_bool(recorded.map(|r| r == d.outcome.predicts()));
    w.raw(",\"decided_by\":");
    let by = d.decided_by.and_then(|(ri, ci)| {
        let (rr, n) = rule_of(ri)?;
        Some((n, n.criteria.get(ci)?, *rr.statuses.get(ci)?))
    });
    match by {
        Some((n, c, status)) => {
            let bo = w.object();
            w.raw("\"rule\":");
            w.raw(&n.name);
            w.raw(",\"criterion\":");
            w.raw(&c.name);
            w.raw(",\"status\":");
            w.name(jw::status_name(status));
            w.raw(",\"citation\":");
            w.raw(&c.citation);
            w.end(bo);
        }
        None => w.raw("null"),
    }
    w.raw(",\"fell_with\":");
    w.opt_str(d.fell_with.and_then(id_of));
    w.raw(",\"provisional\":");
    if d.provisional.is_provisional() {
        let po = w.object();
        w.raw("\"rests_on\":");
        let mut a = w.array();
        for &(ri, ci) in &d.provisional.criteria {
            let Some((n, c)) = rule_of(ri).and_then(|(_, n)| Some((n, n.criteria.get(ci)?))) else {
                continue;
            };
            w.item(&mut a);
            let lo = w.object();
            w.raw("\"rule\":");
            w.raw(&n.name);
            w.raw(",\"criterion\":");
            w.raw(&c.name);
            w.raw(",\"ids\":");
            w.raw(&c.low_ids);
            w.raw(",\"constants\":");
            w.raw(&c.low_consts);
            w.raw(",\"reason\":");
            w.raw(&c.reason);
            w.end(lo);
        }
        w.end(a);
        w.raw(",\"falls_with\":");
        w.opt_str(d.fell_with.filter(|_| d.provisional.dependency).and_then(id_of));
        w.end(po);
    } else {
        w.raw("null");
    }
    w.raw(",\"rules\":");
    let mut ra = w.array();
    for rr in &d.rules {
        let rule = p.rule(rr.rule);
        let Some(n) = names.rules.get(rr.rule.0 as usize) else {
            continue;
        };
        w.item(&mut ra);
        let ro = w.object();
        w.raw("\"rule\":");
        w.raw(&n.name);
        w.raw(",\"title\":");
        w.raw(&n.title);
        w.raw(",\"role\":");
        w.name(match rr.role {
            Role::Decides => "decides",
            Role::Supplements => "supplements",
        });
        w.raw(",\"source\":");
        w.raw(&n.source);
        w.raw(",\"tier\":");
        w.raw(n.tier);
        w.raw(",\"citation\":");
        w.raw(&n.citation);
        if let Some(also) = &n.also_cites {
            w.raw(",\"also_cites\":");
            w.raw(also);
        }
        w.raw(",\"criteria\":");
        let mut ca = w.array();
        for ((c, cn), &status) in rule.criteria.iter().zip(&n.criteria).zip(&rr.statuses) {
            w.item(&mut ca);
            let co = w.object();
            w.raw("\"name\":");
            w.raw(&cn.name);
            w.raw(",\"kind\":");
            w.raw(cn.kind);
            w.raw(",\"description\":");
            w.raw(&cn.description);
            w.raw(",\"status\":");
            w.name(jw::status_name(status));
            w.raw(",\"label\":");
            w.name(status.label_for(c.kind));
            w.raw(",\"citation\":");
            w.raw(&cn.citation);
            w.raw(",\"facts\":");
            let mut fa = w.array();
            for &r in &c.reads {
                w.item(&mut fa);
                let fo = w.object();
                w.raw("\"fact\":");
                w.str(&fact_name(p, case, i, r));
                w.raw(",\"value\":");
                w.value(&report::json_value(p, case, read(case, i, r)));
                if defaulted(case, i, r) {
                    w.raw(",\"note\":");
                    w.raw("\"no history entry\"");
                }
                w.end(fo);
            }
            w.end(fa);
            w.raw(",\"missing\":");
            let mut ma = w.array();
            if let (Some(e), Status::NotDocumented) = (&c.expr, status) {
                for r in missing_facts(e, case, i) {
                    w.item(&mut ma);
                    w.str(&fact_name(p, case, i, r));
                }
            }
            w.end(ma);
            w.raw(",\"confidence\":");
            w.raw(cn.confidence);
            w.raw(",\"confidence_ids\":");
            w.raw(&cn.confidence_ids);
            if let Some(why) = &cn.low_reason {
                w.raw(",\"low_reason\":");
                w.raw(why);
            }
            w.end(co);
        }
        w.end(ca);
        w.end(ro);
    }
    w.end(ra);
    w.raw(",\"set_aside\":");
    let mut sa = w.array();
    for r in &d.set_aside {
        w.item(&mut sa);
        w.raw(names.rules.get(r.0 as usize).map_or("null", |n| n.name.as_str()));
    }
    w.end(sa);
    // No advice in an audit's trace.
    w.raw(",\"to_pass\":");
    w.raw("[]");
    w.raw(",\"error\":");
    w.raw("null");
    w.end(o);
}
