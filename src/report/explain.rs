//! `mtus explain`: one criterion (or every criterion of the rules that
//! decide a request) against one request, with the value of every
//! sub-expression and the case-file lines the facts it read came from.
//!
//! The request is decided as `check` decides it ([`crate::eval`]); each
//! criterion is then walked by [`crate::eval::explain::walk`], and the
//! facts it reads are placed in the case file by
//! [`crate::facts::load::fact_places`] (the file's tree read again: a
//! `Case` carries no spans). The JSON shape is documented in
//! `docs/explain.md`.
//!
//! Invariants: decides nothing itself; the status shown is the trace's,
//! and the walk's own status is kept beside it (`tests/explain.rs`
//! checks they agree on every shipped case); output depends only on its
//! inputs.

use std::fmt::Write as _;

use serde::Serialize;

use super::{RequestReport, escape_terminal, json_value, request_report, text_value};
use crate::RuleSet;
use crate::check::{RuleId, TExpr, TKind};
use crate::diag::{SourceFile, SourceMap, Span, did_you_mean};
use crate::eval::explain::{Step, walk};
use crate::eval::{self, EvalError, Machine, Outcome, Role, Status, defaulted, fact_name};
use crate::facts::Case;
use crate::syntax::ast::CriterionKind;
use crate::value::{Tri, Value};

/// Version of `explain`'s JSON; bumped on any incompatible change.
pub const EXPLAIN_JSON_VERSION: u32 = 1;

/// What `explain` is asked: a request of a case file and, optionally, one
/// criterion.
pub struct Query<'a> {
    /// The case file's name, as given.
    pub file: &'a str,
    /// The case file's text (for the places facts were written).
    pub text: &'a str,
    /// Whether the text is JSON (else YAML).
    pub json: bool,
    pub request: &'a str,
    /// `rule.criterion`, a criterion's name alone, or a rule's name (all
    /// its criteria).
    pub criterion: Option<&'a str>,
}

/// Why a request or criterion cannot be explained.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExplainError {
    #[error("case `{case}` in {file} has no request `{request}`")]
    UnknownRequest {
        file: String,
        case: String,
        request: String,
        available: Vec<String>,
    },
    #[error("request `{request}` could not be decided: {error}")]
    Undecided {
        request: String,
        /// The request's position in the case (to place `error` in the
        /// case file: [`EvalError::diagnostic`]).
        index: usize,
        error: EvalError,
    },
    #[error("no criterion `{criterion}` among the rules that decide request `{request}`")]
    UnknownCriterion {
        request: String,
        criterion: String,
        available: Vec<String>,
    },
    #[error("criterion `{criterion}` is in more than one rule applied to request `{request}`")]
    AmbiguousCriterion {
        request: String,
        criterion: String,
        candidates: Vec<String>,
    },
}

impl ExplainError {
    /// A stable code, as diagnostics have.
    pub fn code(&self) -> &'static str {
        match self {
            ExplainError::UnknownRequest { .. } => "unknown-request",
            ExplainError::Undecided { .. } => "undecided",
            ExplainError::UnknownCriterion { .. } => "unknown-criterion",
            ExplainError::AmbiguousCriterion { .. } => "ambiguous-criterion",
        }
    }

    /// What to do about it: the ids there are, and the nearest one.
    pub fn help(&self) -> String {
        let list = |what: &str, given: &str, ids: &[String]| {
            let near = did_you_mean(given, ids.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            if ids.is_empty() {
                format!("{near}there are no {what}")
            } else {
                format!("{near}{what}: {}", ids.join(", "))
            }
        };
        match self {
            ExplainError::UnknownRequest { request, available, .. } => list("requests", request, available),
            ExplainError::Undecided { error, .. } => error.help(),
            ExplainError::UnknownCriterion {
                criterion, available, ..
            } => {
                // Compare with the names alone too: `visit_limt` for
                // `massage_therapy.visit_limit`.
                let bare = criterion.rsplit('.').next().unwrap_or(criterion);
                let near = did_you_mean(criterion, available.iter().map(String::as_str)).or_else(|| {
                    available
                        .iter()
                        .map(String::as_str)
                        .find(|a| did_you_mean(bare, [a.rsplit('.').next().unwrap_or(a)]).is_some())
                });
                let near = near.map(|s| format!("did you mean `{s}`? ")).unwrap_or_default();
                format!("{near}criteria of this request: {}", available.join(", "))
            }
            ExplainError::AmbiguousCriterion { candidates, .. } => {
                format!("name it with its rule: {}", candidates.join(", "))
            }
        }
    }
}

/// A place in the case file a fact was read from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The whole line, as written (without its line break).
    pub text: String,
}

/// A fact a criterion reads.
#[derive(Clone, Debug, Serialize)]
pub struct FactExplained {
    /// As a case file names it (`history.massage_therapy.visits`).
    pub fact: String,
    /// `null` when not documented.
    pub value: serde_json::Value,
    /// The value as text (`not documented`, `6 visit`, `[nsaid]`).
    pub shown: String,
    /// Where the file says it; empty when it does not.
    pub places: Vec<Place>,
    /// `no history entry` (received reads false), or `not in the case file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// One node of a criterion's expression with its value.
#[derive(Clone, Debug, Serialize)]
pub struct NodeExplained {
    /// What kind of node: `and`, `or`, `not`, `when`, `compare`, `sum`,
    /// `documented`, `in`, `contains`, `contains_any`, `contains_all`,
    /// `fact`, `constant`, `literal`.
    pub op: &'static str,
    /// Its place under a `when`: `when`, `then`, `else`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// For a `then` or `else`: whether the `when` took it (`null` when
    /// the condition is unknown, and both count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken: Option<bool>,
    /// The rule text of this node, on one line.
    pub text: String,
    /// For a condition: `true`, `false` or `unknown`; else `null`.
    pub truth: Option<&'static str>,
    /// The value: a truth value, a number, a date, a quantity (`6
    /// visit`; a computed one in its base unit), a symbol or a list;
    /// `null` when unknown (not documented).
    pub value: serde_json::Value,
    /// The value as text.
    pub shown: String,
    pub children: Vec<NodeExplained>,
}

/// One criterion explained.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionExplained {
    /// `rule.criterion`, as the trace names it.
    pub id: String,
    pub rule: String,
    pub criterion: String,
    pub kind: CriterionKind,
    pub role: Role,
    pub description: String,
    /// Where the criterion is written: `file:line:col`.
    pub defined_at: String,
    /// Its status in the request's trace (`mtus check`).
    pub status: Status,
    /// The status the walk below gives (equal to `status`).
    pub explained_status: Status,
    /// The whole expression's value: `true`, `false` or `unknown` (an
    /// unconditional `exclude` holds: `true`).
    pub value: &'static str,
    /// Why the status follows from the value, when it is not the plain
    /// reading (a `when` guard false; met with nothing documented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The expression as written in the rule file; `null` for an
    /// unconditional `exclude`.
    pub expression: Option<String>,
    pub tree: Option<NodeExplained>,
    pub facts: Vec<FactExplained>,
}

/// A request and the criteria explained.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub version: u32,
    /// The rule set in force (as `check --format json` names it).
    pub rules: super::RulesJson,
    pub file: String,
    pub case: String,
    pub request: String,
    pub text: Option<String>,
    pub treatment: String,
    pub date: String,
    pub outcome: Option<Outcome>,
    /// `rule.criterion` that decided it, if one did.
    pub decided_by: Option<String>,
    /// The request it fell with (`depends_on`), if it did.
    pub fell_with: Option<String>,
    pub criteria: Vec<CriterionExplained>,
}

/// Explain a request of a loaded case (see [`Query`]). `sources` holds the
/// rule files (for the rule text of each node).
pub fn explain(rs: &RuleSet, sources: &SourceMap, case: &Case, q: &Query<'_>) -> Result<Explanation, ExplainError> {
    let Some(i) = case.requests.iter().position(|r| r.id == q.request) else {
        return Err(ExplainError::UnknownRequest {
            file: q.file.to_string(),
            case: case.id.clone(),
            request: q.request.to_string(),
            available: case.requests.iter().map(|r| r.id.clone()).collect(),
        });
    };
    let mut m = Machine::new();
    let decisions = eval::decide_case(rs, &mut m, case);
    let decision = &decisions[i];
    let d = match decision {
        Ok(d) => d,
        Err(e) => {
            return Err(ExplainError::Undecided {
                request: q.request.to_string(),
                index: i,
                error: e.clone(),
            });
        }
    };
    let report: RequestReport = request_report(rs, &mut m, case, i, decision, false);
    let p = &rs.program;
    // Every criterion of the decision's trace: (rule, index, role, status).
    let mut all: Vec<(RuleId, usize, Role, Status)> = Vec::new();
    for rr in &d.rules {
        for (ci, s) in rr.statuses.iter().enumerate() {
            all.push((rr.rule, ci, rr.role, *s));
        }
    }
    let id_of = |r: RuleId, ci: usize| format!("{}.{}", p.rule(r).name, p.rule(r).criteria[ci].name);
    let chosen: Vec<(RuleId, usize, Role, Status)> = match q.criterion {
        None => all.clone(),
        Some(name) => {
            let hits: Vec<_> = all
                .iter()
                .copied()
                .filter(|&(r, ci, ..)| id_of(r, ci) == name || p.rule(r).criteria[ci].name == name)
                .collect();
            // A rule's name: every criterion of that rule.
            let of_rule: Vec<_> = all.iter().copied().filter(|&(r, ..)| p.rule(r).name == name).collect();
            match hits.len() {
                0 if !of_rule.is_empty() => of_rule,
                0 => {
                    return Err(ExplainError::UnknownCriterion {
                        request: q.request.to_string(),
                        criterion: name.to_string(),
                        available: all.iter().map(|&(r, ci, ..)| id_of(r, ci)).collect(),
                    });
                }
                1 => hits,
                _ => {
                    return Err(ExplainError::AmbiguousCriterion {
                        request: q.request.to_string(),
                        criterion: name.to_string(),
                        candidates: hits.iter().map(|&(r, ci, ..)| id_of(r, ci)).collect(),
                    });
                }
            }
        }
    };
    let file = SourceFile::new(q.file, q.text);
    let criteria = chosen
        .iter()
        .map(|&(r, ci, role, status)| {
            let c = &p.rule(r).criteria[ci];
            let w = walk(c, case, i);
            let reason = if w.guard_false {
                Some("its `when` condition is false, so it does not apply".to_string())
            } else if w.status == Status::NotApplicable && w.nothing_documented {
                Some("it holds, but none of the facts it reads is documented, so it does not apply".to_string())
            } else {
                None
            };
            let spans = crate::facts::load::fact_places(p, case, q.text, q.json, i, &c.reads);
            let facts = c
                .reads
                .iter()
                .zip(spans)
                .map(|(&fr, spans)| {
                    let v = eval::read(case, i, fr);
                    let places: Vec<Place> = spans.into_iter().map(|s| place(&file, s)).collect();
                    let note = if defaulted(case, i, fr) {
                        Some("no history entry")
                    } else if places.is_empty() {
                        Some("not in the case file")
                    } else {
                        None
                    };
                    FactExplained {
                        fact: fact_name(p, case, i, fr),
                        value: json_value(p, case, v),
                        shown: text_value(p, case, v),
                        places,
                        note,
                    }
                })
                .collect();
            CriterionExplained {
                id: id_of(r, ci),
                rule: p.rule(r).name.clone(),
                criterion: c.name.clone(),
                kind: c.kind,
                role,
                description: c.description.clone(),
                defined_at: sources.position(c.span).to_string(),
                status,
                explained_status: w.status,
                value: truth_word(w.holds),
                reason,
                expression: c.expr.as_ref().map(|e| rule_text(sources, e.span, false)),
                tree: w.tree.as_ref().map(|t| node(rs, sources, case, t, None)),
                facts,
            }
        })
        .collect();
    Ok(Explanation {
        version: EXPLAIN_JSON_VERSION,
        rules: super::RulesJson::new(rs),
        file: q.file.to_string(),
        case: case.id.clone(),
        request: report.request,
        text: report.text,
        treatment: report.treatment,
        date: report.date,
        outcome: report.outcome,
        decided_by: report.decided_by.map(|b| format!("{}.{}", b.rule, b.criterion)),
        fell_with: report.fell_with,
        criteria,
    })
}

fn place(file: &SourceFile, s: Span) -> Place {
    let (line, column) = file.line_col(s.start as usize);
    let text = file
        .line_range(line - 1)
        .and_then(|r| file.text.get(r))
        .unwrap_or("")
        .trim_end_matches(['\n', '\r'])
        .to_string();
    Place {
        file: file.name.clone(),
        line,
        column,
        text,
    }
}

fn truth_word(t: Tri) -> &'static str {
    match t {
        Tri::True => "true",
        Tri::False => "false",
        Tri::Unknown => "unknown",
    }
}

/// The rule text under a span: as written (`one_line`: every run of white
/// space, comments aside, made one space).
fn rule_text(sources: &SourceMap, span: Span, one_line: bool) -> String {
    let f = sources.get(span.file);
    let text = f.text.get(span.start as usize..span.end as usize).unwrap_or("");
    if !one_line {
        // Without the blank and comment lines that end the span, and
        // continuation lines indented as the first is: the common
        // indentation of the lines after it dropped.
        let mut lines: Vec<&str> = text.lines().collect();
        while lines.len() > 1 && lines.last().is_some_and(|l| strip_comment(l).trim().is_empty()) {
            lines.pop();
        }
        let first = lines.first().map_or("", |l| l.trim_end()).to_string();
        let rest: Vec<&str> = lines.iter().skip(1).copied().collect();
        let common = rest
            .iter()
            .filter(|l| !strip_comment(l).trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let mut out = first;
        for l in rest {
            out.push('\n');
            out.push_str(l.get(common..).unwrap_or(l.trim_start()).trim_end());
        }
        return out;
    }
    let mut out = String::new();
    for l in text.lines() {
        let code = strip_comment(l).trim();
        if code.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&code.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// A line of rule text without its comment (a `#` outside a string).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

fn op_name(e: &TExpr) -> &'static str {
    match &e.kind {
        TKind::Lit(_) => "literal",
        TKind::Const(..) => "constant",
        TKind::Fact(_) => "fact",
        TKind::Not(_) => "not",
        TKind::And(_) => "and",
        TKind::Or(_) => "or",
        TKind::When(..) => "when",
        TKind::Cmp(..) => "compare",
        TKind::Sum(..) => "sum",
        TKind::Documented(..) => "documented",
        TKind::In(..) => "in",
        TKind::Contains(..) => "contains",
        TKind::ContainsAny(..) => "contains_any",
        TKind::ContainsAll(..) => "contains_all",
    }
}

/// Whether a node is a condition (its value a truth value).
fn is_condition(e: &TExpr) -> bool {
    matches!(
        e.kind,
        TKind::Not(_)
            | TKind::And(_)
            | TKind::Or(_)
            | TKind::When(..)
            | TKind::Cmp(..)
            | TKind::Documented(..)
            | TKind::In(..)
            | TKind::Contains(..)
            | TKind::ContainsAny(..)
            | TKind::ContainsAll(..)
    ) || matches!(e.ty, crate::check::Ty::Bool)
}

fn node(rs: &RuleSet, sources: &SourceMap, case: &Case, s: &Step<'_>, role: Option<&'static str>) -> NodeExplained {
    let p = &rs.program;
    let condition = is_condition(s.expr);
    let truth = condition.then(|| truth_word(s.truth()));
    let shown = match (&s.value, condition, &s.expr.kind) {
        (Value::Absent, _, TKind::Fact(_)) => "not documented".to_string(),
        (_, true, _) => truth_word(s.truth()).to_string(),
        (Value::Absent, _, _) => "unknown".to_string(),
        (v, ..) => text_value(p, case, v),
    };
    let text = match &s.expr.kind {
        TKind::And(xs) => format!("all of these {} (and)", xs.len()),
        TKind::Or(xs) => format!("any of these {} (or)", xs.len()),
        TKind::When(_, _, Some(_)) => "when ... then ... else ...".to_string(),
        TKind::When(_, _, None) => "when ... then ...".to_string(),
        _ => rule_text(sources, s.expr.span, true),
    };
    let roles: &[&'static str] = match s.expr.kind {
        TKind::When(..) => &["when", "then", "else"],
        _ => &[],
    };
    let cond = match s.expr.kind {
        TKind::When(..) => s.children.first().map(Step::truth),
        _ => None,
    };
    let children = s
        .children
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let mut n = node(rs, sources, case, c, roles.get(k).copied());
            n.taken = match (k, cond) {
                (1, Some(Tri::True)) | (2, Some(Tri::False)) => Some(true),
                (1, Some(Tri::False)) | (2, Some(Tri::True)) => Some(false),
                _ => None,
            };
            n
        })
        .collect();
    NodeExplained {
        op: op_name(s.expr),
        role,
        taken: None,
        text,
        truth,
        value: json_value(p, case, &s.value),
        shown,
        children,
    }
}

/// Render an explanation as text for a person.
pub fn render_text(x: &Explanation, out: &mut String) {
    let esc = escape_terminal;
    let _ = writeln!(out, "case {} ({})", esc(&x.case), esc(&x.file));
    let head = match &x.text {
        Some(t) => format!("request {}: {}", esc(&x.request), esc(t)),
        None => format!("request {}", esc(&x.request)),
    };
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "  treatment: {}, requested {}", x.treatment, x.date);
    if let Some(o) = x.outcome {
        let by = match (&x.decided_by, &x.fell_with) {
            (Some(b), _) => format!(", decided by {b}"),
            (None, Some(q)) => format!(", falls with request {}", esc(q)),
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "  outcome: {}{by}", o.label());
    }
    for c in &x.criteria {
        out.push('\n');
        render_criterion(c, out);
    }
}

fn render_criterion(c: &CriterionExplained, out: &mut String) {
    let kind = match c.kind {
        CriterionKind::Require => "require",
        CriterionKind::Exclude => "exclusion",
    };
    let role = match c.role {
        Role::Decides => "decides",
        Role::Supplements => "supplements",
    };
    let _ = writeln!(out, "criterion {} ({kind}; rule {} {role})", c.id, c.rule);
    let _ = writeln!(out, "  {}", c.description);
    let _ = writeln!(out, "  written at {}", c.defined_at);
    let agrees = if c.explained_status == c.status {
        String::new()
    } else {
        format!(" (this walk gives {}: please report it)", c.explained_status.label())
    };
    let _ = writeln!(out, "  status: {}{agrees}", c.status.label());
    match (c.kind, &c.tree) {
        (_, None) => {}
        (CriterionKind::Require, Some(_)) => {
            let _ = writeln!(out, "  the condition is {}", c.value);
        }
        (CriterionKind::Exclude, Some(_)) => {
            let _ = writeln!(out, "  the exclusion's condition is {}", c.value);
        }
    }
    if let Some(r) = &c.reason {
        let _ = writeln!(out, "  {r}");
    }
    match (&c.expression, &c.tree) {
        (Some(e), Some(t)) => {
            out.push_str("\n  expression:\n");
            for l in e.lines() {
                let _ = writeln!(out, "    {l}");
            }
            out.push_str("\n  values:\n");
            render_node(t, 2, out);
        }
        _ => out.push_str("\n  no condition: the treatment is not recommended\n"),
    }
    if !c.facts.is_empty() {
        out.push_str("\n  facts read:\n");
    }
    for f in &c.facts {
        let note = match f.note {
            Some("no history entry") => " (no history entry)",
            _ => "",
        };
        let _ = writeln!(out, "    {} = {}{note}", f.fact, escape_terminal(&f.shown));
        if f.places.is_empty() {
            let _ = writeln!(out, "        not in the case file");
        }
        for pl in &f.places {
            let _ = writeln!(
                out,
                "        {}:{}:{}: {}",
                escape_terminal(&pl.file),
                pl.line,
                pl.column,
                escape_terminal(pl.text.trim())
            );
        }
    }
}

fn render_node(n: &NodeExplained, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let role = match (n.role, n.taken) {
        (Some(r), Some(false)) => format!("{r} (not taken): "),
        (Some(r), _) => format!("{r}: "),
        (None, _) => String::new(),
    };
    let _ = writeln!(out, "{pad}{role}{} = {}", n.text, escape_terminal(&n.shown));
    // A literal's value is its text: shown in the line above it.
    for c in n.children.iter().filter(|c| c.op != "literal") {
        render_node(c, depth + 1, out);
    }
}
