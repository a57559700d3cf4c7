//! Stage 5: turning decisions and diagnostics into text and JSON.
//!
//! [`RequestReport`] is the one description of a decided request that both
//! formats print, so the text and the JSON never disagree. The JSON shape
//! is documented in `docs/json.md` and versioned by [`JSON_VERSION`].
//!
//! Invariants: never decides anything (it reads decisions); output depends
//! only on its inputs (no clock, no hash-map order).

pub mod authorization;
pub mod diagnostics;
mod escape;
mod excerpt;
pub mod explain;
pub mod json_write;

pub use escape::{escape_terminal, escape_terminal_text};

use serde::Serialize;

use crate::RuleSet;
use crate::check::confidence::LowConst;
use crate::check::{Citation, Program};
use crate::eval::advice::{self, Need, Passes, Scratch};
use crate::eval::{Decision, EvalError, Machine, Outcome, Role, Status, read};
use crate::facts::{Case, Recorded};
use crate::syntax::ast::CriterionKind;
use crate::syntax::ast::Level;
use crate::value::{Value, fmt_num};

/// Version of the JSON output; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize)]
pub struct FactValue {
    /// How a case file names it: `exam.muscle_spasm`,
    /// `history.massage_therapy.visits`, `request.quantity`.
    pub fact: String,
    /// `null` when not documented.
    pub value: serde_json::Value,
    /// `"no history entry"` when the value is the stand-in for a treatment
    /// the case does not list under `history` (received reads false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CriterionReport {
    pub name: String,
    pub kind: CriterionKind,
    pub description: String,
    pub status: Status,
    /// The status in words for its kind: `met`, `not met`, `not
    /// documented`, `does not apply`; for an exclusion `excludes` (its
    /// condition holds: the request is not medically necessary) or `does
    /// not exclude`.
    pub label: &'static str,
    pub citation: String,
    /// Every fact the criterion reads, with the value it saw.
    pub facts: Vec<FactValue>,
    /// For `not_documented`: the facts it read that were not documented.
    pub missing: Vec<String>,
    /// Its effective confidence (`low` when it, its rule or a constant it
    /// reads says low); `null` when nothing states one.
    pub confidence: Option<Level>,
    /// The criteria catalog IDs it rests on.
    pub confidence_ids: Vec<String>,
    /// Why it is LOW (`OPI-9: opioid_med_ceiling = 120 mg_med`); omitted
    /// unless it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low_reason: Option<String>,
}

/// A LOW criterion a provisional decision rests on.
#[derive(Clone, Debug, Serialize)]
pub struct LowCriterion {
    pub rule: String,
    pub criterion: String,
    /// The IDs of its own or its rule's `confidence low` line.
    pub ids: Vec<String>,
    /// The LOW constants it reads.
    pub constants: Vec<LowConst>,
    /// In words: `OPI-4; OPI-9: opioid_med_ceiling = 120 mg_med`.
    pub reason: String,
}

/// Why a decision is provisional.
#[derive(Clone, Debug, Serialize)]
pub struct ProvisionalReport {
    /// The LOW criteria the outcome rests on.
    pub rests_on: Vec<LowCriterion>,
    /// The request it fell with, whose decision is provisional.
    pub falls_with: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleReport {
    pub rule: String,
    pub title: String,
    pub role: Role,
    pub source: String,
    pub tier: crate::check::Tier,
    /// The rule's citation (its first `cites` line).
    pub citation: String,
    /// Further pages or sections the rule cites, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_cites: Vec<String>,
    pub criteria: Vec<CriterionReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecidedBy {
    pub rule: String,
    pub criterion: String,
    pub status: Status,
    pub citation: String,
}

/// One fact to document, with the values that pass, typed as a case
/// file writes them.
#[derive(Clone, Debug, Serialize)]
pub struct FactAdvice {
    /// How a case file names it (`exam.muscle_spasm`,
    /// `history.massage_therapy.visits`); `history.T` for a prior course
    /// to record whole.
    pub fact: String,
    pub description: String,
    /// How `passes` reads: `is`, `one_of`, `at_least`, `at_most`,
    /// `between` (a pair), `any` (any value, `passes` null),
    /// `includes_any`, `includes_all`, `excludes` (lists).
    pub bound: &'static str,
    /// The passing value (a bool, a number, `"5 visit"`, a symbol code,
    /// a date), or a list of them for `one_of`, `between` and the list
    /// bounds.
    pub passes: serde_json::Value,
    /// The value the advice was checked with: applying it passes.
    pub example: serde_json::Value,
    /// The case has no `history` entry for the treatment: add one (the
    /// course was given, `received: true`) holding this fact.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new_entry: bool,
    /// What the fact may hold (type, units, values, range).
    pub values: String,
}

/// A need: a fact, or all of / any of needs.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum NeedReport {
    Fact(FactAdvice),
    AllOf { all_of: Vec<NeedReport> },
    AnyOf { any_of: Vec<NeedReport> },
}

/// A change to the request itself.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeReport {
    /// `request.quantity`, `request.intent`...
    pub fact: String,
    pub requested: serde_json::Value,
    pub passes: serde_json::Value,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AdviceReport {
    /// What one criterion needs documented to pass: every fact of
    /// `all_of`, or one alternative of `any_of` (each item a fact or a
    /// nested group).
    Document {
        rule: String,
        criterion: String,
        description: String,
        exclusion: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        all_of: Option<Vec<NeedReport>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        any_of: Option<Vec<NeedReport>>,
    },
    /// Documenting cannot meet this criterion for the request as asked.
    CannotPass {
        rule: String,
        criterion: String,
        description: String,
        exclusion: bool,
        /// The documented facts it reads, with their values.
        because: Vec<FactValue>,
        /// The facts it reads that are not documented (no value of them
        /// would do).
        undocumented: Vec<String>,
    },
    /// The nearest request that passes: change these, then document
    /// what `then` says.
    NearestRequest {
        changes: Vec<ChangeReport>,
        then: Vec<AdviceReport>,
    },
    /// No change to the amount, intent or other terms of the request
    /// passes: the record stands against it.
    NoRequestPasses,
    /// It falls with the request it depends on: that one must pass first.
    FallsWith { request: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
    pub help: String,
    /// Where the case file shows the cause (1-based; see
    /// `EvalError::span`), when the case text was at hand: `check` and
    /// `test` fill it in with [`locate_errors`].
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The case file, for the text's `-->` line (JSON has it per case).
    #[serde(skip)]
    pub file: Option<String>,
}

/// One request, decided or not: everything the text and JSON outputs say.
#[derive(Clone, Debug, Serialize)]
pub struct RequestReport {
    pub request: String,
    pub text: Option<String>,
    pub treatment: String,
    pub category: Option<String>,
    pub date: String,
    pub outcome: Option<Outcome>,
    /// `upheld` or `overturned`, from the outcome.
    pub predicted: Option<Recorded>,
    /// From the case's determination, if it has one.
    pub recorded: Option<Recorded>,
    pub agrees: Option<bool>,
    pub decided_by: Option<DecidedBy>,
    /// The request this one fell with (`depends_on`).
    pub fell_with: Option<String>,
    /// Set when the outcome rests on a LOW criterion; `null` when settled
    /// (or undecided).
    pub provisional: Option<ProvisionalReport>,
    pub rules: Vec<RuleReport>,
    /// Rules in force for the treatment that a higher tier displaced.
    pub set_aside: Vec<String>,
    /// What would have to be documented or changed to pass; empty when it
    /// passes.
    pub to_pass: Vec<AdviceReport>,
    pub error: Option<ErrorReport>,
    /// What the verdict does not rest on: a pass although no limit on
    /// the amount asked for is encoded (see [`coverage_notes`]). With the
    /// advice only (`check`, `serve`); omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<CoverageNote>,
}

/// A coverage note beside a verdict.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageNote {
    /// `no-limit-encoded` (nothing in the rules deciding the request reads
    /// the amount) or `no-guideline-limit-encoded` (only a statutory cap
    /// does).
    pub code: &'static str,
    pub message: String,
}

/// The notes for a request that passes: each amount it states
/// (`request.quantity`, `request.duration`) that no criterion of the
/// rules deciding it reads ("the amount was not checked"), or that only a
/// statute's rule reads (a source whose id starts `LC-`, the Labor Code:
/// "no guideline limit is encoded, only the statutory cap"). A pass that
/// rests on a limit the rules do not encode says so.
pub fn coverage_notes(p: &Program, case: &Case, i: usize, d: &Decision) -> Vec<CoverageNote> {
    let mut out = Vec::new();
    if d.outcome != Outcome::MedicallyNecessary {
        return out;
    }
    let b = &p.schema.builtin;
    let req = &case.requests[i];
    let treatment = &p.catalog.treatment(req.treatment).name;
    for (slot, name) in [
        (b.request_quantity, "request.quantity"),
        (b.request_duration, "request.duration"),
    ] {
        let Some(slot) = slot else { continue };
        let Some(v) = req.facts.get(slot as usize).filter(|v| !v.is_absent()) else {
            continue;
        };
        let readers: Vec<(crate::check::RuleId, usize)> = d
            .rules
            .iter()
            .flat_map(|rr| {
                let rule = p.rule(rr.rule);
                (0..rule.criteria.len())
                    .filter(move |&ci| {
                        rule.criteria[ci]
                            .reads
                            .iter()
                            .any(|r| matches!(*r, crate::check::FactRef::Request(_, s) if s == slot))
                    })
                    .map(move |ci| (rr.rule, ci))
            })
            .collect();
        let amount = text_value(p, case, v);
        if readers.is_empty() {
            out.push(CoverageNote {
                code: "no-limit-encoded",
                message: format!(
                    "no limit on {name} is encoded for {treatment}: {amount} passes unchecked; a reviewer judges the amount"
                ),
            });
            continue;
        }
        let statutory = |r: crate::check::RuleId| p.source(p.rule(r).source).id.starts_with("LC-");
        if readers.iter().all(|&(r, _)| statutory(r)) {
            let caps: Vec<String> = readers
                .iter()
                .map(|&(r, ci)| format!("{}.{}", p.rule(r).name, p.rule(r).criteria[ci].name))
                .collect();
            out.push(CoverageNote {
                code: "no-guideline-limit-encoded",
                message: format!(
                    "no guideline limit on {name} is encoded for {treatment}: only the statutory cap ({}) checks {amount}; a reviewer judges the amount",
                    caps.join(", ")
                ),
            });
        }
    }
    out
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseReport {
    pub file: String,
    pub case: String,
    pub requests: Vec<RequestReport>,
}

/// A JSON rendering of a fact value; quantities and dates as written.
pub fn json_value(p: &Program, case: &Case, v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Absent => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
        Value::Date(d) => J::String(d.to_string()),
        Value::Qty(q) => J::String(q.to_string()),
        Value::Sym(s) => J::String(case.sym_name(p, *s).to_string()),
        Value::List(l) => J::Array(l.iter().map(|s| J::String(case.sym_name(p, *s).to_string())).collect()),
        Value::Text(t) => J::String(t.to_string()),
    }
}

/// A text rendering of a fact value.
pub fn text_value(p: &Program, case: &Case, v: &Value) -> String {
    match v {
        Value::Absent => "not documented".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Num(n) => fmt_num(*n),
        Value::Date(d) => d.to_string(),
        Value::Qty(q) => q.to_string(),
        Value::Sym(s) => case.sym_name(p, *s).to_string(),
        Value::List(l) => {
            let items: Vec<&str> = l.iter().map(|s| case.sym_name(p, *s)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Text(t) => format!("{t:?}"),
    }
}

pub use crate::eval::fact_name;

fn cite(p: &Program, c: &Citation) -> String {
    p.cite(c)
}

/// Describe request `i` of a case, given its decision.
///
/// `audit::jsonw::trace` writes the same trace (without advice) straight
/// to JSON for `audit --format jsonl`: a change here must be made there
/// too (the audit's tests compare the two).
pub fn request_report(
    rs: &RuleSet,
    m: &mut Machine,
    case: &Case,
    i: usize,
    decision: &Result<Decision, EvalError>,
    with_advice: bool,
) -> RequestReport {
    let mut scratch = with_advice.then(|| Scratch::new(case));
    request_report_in(rs, m, case, i, decision, scratch.as_mut())
}

/// [`request_report`], the advice worked out in `scratch` (a copy of
/// `case` made once for all its requests), if given.
fn request_report_in(
    rs: &RuleSet,
    m: &mut Machine,
    case: &Case,
    i: usize,
    decision: &Result<Decision, EvalError>,
    scratch: Option<&mut Scratch>,
) -> RequestReport {
    let p = &rs.program;
    let req = &case.requests[i];
    let t = p.catalog.treatment(req.treatment);
    let text = p
        .schema
        .builtin
        .request_text
        .and_then(|s| match req.facts.get(s as usize) {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        });
    let recorded = case.recorded(i).map(|d| d.outcome);
    let mut report = RequestReport {
        request: req.id.clone(),
        text,
        treatment: t.name.clone(),
        category: t.classes.first().map(|c| p.catalog.class(*c).name.clone()),
        date: req.date.to_string(),
        outcome: None,
        predicted: None,
        recorded,
        agrees: None,
        decided_by: None,
        fell_with: None,
        provisional: None,
        rules: Vec::new(),
        set_aside: Vec::new(),
        to_pass: Vec::new(),
        error: None,
        notes: Vec::new(),
    };
    let d = match decision {
        Err(e) => {
            report.error = Some(ErrorReport {
                code: e.code(),
                message: e.to_string(),
                help: e.help(),
                line: None,
                column: None,
                file: None,
            });
            return report;
        }
        Ok(d) => d,
    };
    report.outcome = Some(d.outcome);
    report.predicted = Some(d.outcome.predicts());
    report.agrees = recorded.map(|r| r == d.outcome.predicts());
    report.fell_with = d.fell_with.map(|q| case.requests[q].id.clone());
    report.set_aside = d.set_aside.iter().map(|r| p.rule(*r).name.clone()).collect();
    for rr in &d.rules {
        let rule = p.rule(rr.rule);
        let rule_cite = rule.cites.first().map(|c| cite(p, c)).unwrap_or_default();
        let criteria = rule
            .criteria
            .iter()
            .zip(&rr.statuses)
            .map(|(c, &status)| {
                let facts: Vec<FactValue> = c
                    .reads
                    .iter()
                    .map(|&r| FactValue {
                        fact: fact_name(p, case, i, r),
                        value: json_value(p, case, read(case, i, r)),
                        note: crate::eval::defaulted(case, i, r).then_some("no history entry"),
                    })
                    .collect();
                let missing = match (&c.expr, status) {
                    (Some(e), Status::NotDocumented) => crate::eval::reference::missing_facts(e, case, i)
                        .into_iter()
                        .map(|r| fact_name(p, case, i, r))
                        .collect(),
                    _ => Vec::new(),
                };
                CriterionReport {
                    name: c.name.clone(),
                    kind: c.kind,
                    description: c.description.clone(),
                    status,
                    label: status.label_for(c.kind),
                    citation: c.citation.as_ref().map_or_else(|| rule_cite.clone(), |x| cite(p, x)),
                    facts,
                    missing,
                    confidence: if c.grounds.is_low() {
                        Some(Level::Low)
                    } else {
                        c.grounds.stated
                    },
                    confidence_ids: c.grounds.ids.clone(),
                    low_reason: c.grounds.is_low().then(|| c.grounds.low_reason()),
                }
            })
            .collect();
        report.rules.push(RuleReport {
            rule: rule.name.clone(),
            title: rule.title.clone(),
            role: rr.role,
            source: p.source(rule.source).id.clone(),
            tier: rule.tier,
            citation: rule_cite,
            also_cites: rule.cites.iter().skip(1).map(|c| cite(p, c)).collect(),
            criteria,
        });
    }
    if let Some((ri, ci)) = d.decided_by {
        let rr = &report.rules[ri];
        let c = &rr.criteria[ci];
        report.decided_by = Some(DecidedBy {
            rule: rr.rule.clone(),
            criterion: c.name.clone(),
            status: c.status,
            citation: c.citation.clone(),
        });
    }
    if d.provisional.is_provisional() {
        let rests_on = d
            .provisional
            .criteria
            .iter()
            .filter_map(|&(ri, ci)| {
                let rule = p.rule(d.rules.get(ri)?.rule);
                let c = rule.criteria.get(ci)?;
                Some(LowCriterion {
                    rule: rule.name.clone(),
                    criterion: c.name.clone(),
                    ids: c.grounds.low_ids.clone(),
                    constants: c.grounds.low_consts.clone(),
                    reason: c.grounds.low_reason(),
                })
            })
            .collect();
        report.provisional = Some(ProvisionalReport {
            rests_on,
            falls_with: d
                .fell_with
                .filter(|_| d.provisional.dependency)
                .map(|q| case.requests[q].id.clone()),
        });
    }
    if scratch.is_some() {
        report.notes = coverage_notes(p, case, i, d);
    }
    if let Some(sc) = scratch.filter(|_| d.outcome != Outcome::MedicallyNecessary) {
        if d.fell_with.is_none() || d.decided_by.is_some() {
            let adv = advice::advise(rs, m, sc, case, i, d);
            report.to_pass = advice_report(p, case, i, &adv);
        }
        if let Some(q) = d.fell_with {
            report.to_pass.push(AdviceReport::FallsWith {
                request: case.requests[q].id.clone(),
            });
        }
    }
    report
}

/// The advice for request `i` as the report shows it.
fn advice_report(p: &Program, case: &Case, i: usize, a: &advice::Advice) -> Vec<AdviceReport> {
    let mut out = Vec::new();
    for b in &a.blocked {
        let c = &p.rule(b.rule).criteria[b.criterion];
        out.push(AdviceReport::CannotPass {
            rule: p.rule(b.rule).name.clone(),
            criterion: c.name.clone(),
            description: c.description.clone(),
            exclusion: c.kind == CriterionKind::Exclude,
            because: b
                .because
                .iter()
                .map(|&r| FactValue {
                    fact: fact_name(p, case, i, r),
                    value: json_value(p, case, read(case, i, r)),
                    note: crate::eval::defaulted(case, i, r).then_some("no history entry"),
                })
                .collect(),
            undocumented: b.undocumented.iter().map(|&r| fact_name(p, case, i, r)).collect(),
        });
    }
    if !a.blocked.is_empty() {
        match &a.nearest {
            Some(n) => out.push(AdviceReport::NearestRequest {
                changes: n
                    .changes
                    .iter()
                    .map(|c| ChangeReport {
                        fact: fact_name(p, case, i, c.fact),
                        requested: json_value(p, case, &c.from),
                        passes: json_value(p, case, &c.to),
                    })
                    .collect(),
                then: n.then.iter().map(|c| criterion_advice(p, case, i, c)).collect(),
            }),
            None => out.push(AdviceReport::NoRequestPasses),
        }
    }
    out.extend(a.document.iter().map(|c| criterion_advice(p, case, i, c)));
    out
}

fn criterion_advice(p: &Program, case: &Case, i: usize, a: &advice::CriterionAdvice) -> AdviceReport {
    let rule = p.rule(a.rule);
    let c = &rule.criteria[a.criterion];
    let (all_of, any_of) = match &a.need {
        Need::AnyOf(xs) => (None, Some(xs.iter().map(|x| need_report(p, case, i, x)).collect())),
        Need::AllOf(xs) => (Some(xs.iter().map(|x| need_report(p, case, i, x)).collect()), None),
        one => (Some(vec![need_report(p, case, i, one)]), None),
    };
    AdviceReport::Document {
        rule: rule.name.clone(),
        criterion: c.name.clone(),
        description: c.description.clone(),
        exclusion: c.kind == CriterionKind::Exclude,
        all_of,
        any_of,
    }
}

fn need_report(p: &Program, case: &Case, i: usize, n: &Need) -> NeedReport {
    match n {
        Need::AllOf(xs) => NeedReport::AllOf {
            all_of: xs.iter().map(|x| need_report(p, case, i, x)).collect(),
        },
        Need::AnyOf(xs) => NeedReport::AnyOf {
            any_of: xs.iter().map(|x| need_report(p, case, i, x)).collect(),
        },
        Need::Fact(f) => {
            let fact = p.schema.fact(f.fact.fact());
            // A whole number is written as a case file writes it: `30`.
            let j = |v: &Value| match v {
                Value::Num(x) if x.fract() == 0.0 && x.abs() < 1e15 => serde_json::Value::from(*x as i64),
                _ => json_value(p, case, v),
            };
            let syms =
                |xs: &[crate::value::Sym]| serde_json::Value::Array(xs.iter().map(|s| j(&Value::Sym(*s))).collect());
            let (bound, passes) = match &f.passes {
                Passes::Is(v) => ("is", j(v)),
                Passes::OneOf(vs) => ("one_of", serde_json::Value::Array(vs.iter().map(j).collect())),
                Passes::AtLeast(v) => ("at_least", j(v)),
                Passes::AtMost(v) => ("at_most", j(v)),
                Passes::Between(a, b) => ("between", serde_json::Value::Array(vec![j(a), j(b)])),
                Passes::Any => ("any", serde_json::Value::Null),
                Passes::IncludesAny(xs) => ("includes_any", syms(xs)),
                Passes::IncludesAll(xs) => ("includes_all", syms(xs)),
                Passes::Excludes(xs) => ("excludes", syms(xs)),
            };
            let is_received = p.schema.builtin.history_received == Some(fact.slot)
                && matches!(
                    f.fact,
                    crate::check::FactRef::Prior(..) | crate::check::FactRef::History(..)
                );
            if f.new_entry && is_received {
                // Recording the course itself: `history.T`, given.
                let t = match f.fact {
                    crate::check::FactRef::History(t, ..) => t,
                    _ => case.requests[i].treatment,
                };
                let name = &p.catalog.treatment(t).name;
                return NeedReport::Fact(FactAdvice {
                    fact: format!("history.{name}"),
                    description: format!(
                        "the prior course of {name}, if it was given: an entry `history.{name}` (the case has none, so it reads as not given)"
                    ),
                    bound,
                    passes,
                    example: j(&f.example),
                    new_entry: true,
                    values: String::new(),
                });
            }
            NeedReport::Fact(FactAdvice {
                fact: fact_name(p, case, i, f.fact),
                description: fact.description.clone(),
                bound,
                passes,
                example: j(&f.example),
                new_entry: f.new_entry,
                values: crate::check::describe::fact_summary(p, fact),
            })
        }
    }
}

/// Describe every request of a case.
pub fn case_report(
    rs: &RuleSet,
    m: &mut Machine,
    file: &str,
    case: &Case,
    decisions: &[Result<Decision, EvalError>],
    with_advice: bool,
) -> CaseReport {
    let mut scratch: Option<Scratch> = None;
    CaseReport {
        file: file.to_string(),
        case: case.id.clone(),
        requests: decisions
            .iter()
            .enumerate()
            .map(|(i, d)| {
                // One copy of the case for the advice of all its requests,
                // made when the first request needs it.
                let needs = with_advice && matches!(d, Ok(d) if d.outcome != Outcome::MedicallyNecessary);
                if needs && scratch.is_none() {
                    scratch = Some(Scratch::new(case));
                }
                let mut report = request_report_in(rs, m, case, i, d, scratch.as_mut().filter(|_| needs));
                if let (true, Ok(d)) = (with_advice, d) {
                    report.notes = coverage_notes(&rs.program, case, i, d);
                }
                report
            })
            .collect(),
    }
}

/// Place each undecided request's error in its case file: `source` is
/// the text the case was loaded from (`report` and `decisions` are the
/// case's, request by request).
pub fn locate_errors(
    report: &mut CaseReport,
    case: &Case,
    decisions: &[Result<Decision, EvalError>],
    source: &crate::diag::SourceFile,
) {
    for ((q, d), req) in report.requests.iter_mut().zip(decisions).zip(&case.requests) {
        if let (Some(e), Err(err)) = (&mut q.error, d) {
            let (line, column) = source.line_col(err.span(req).start as usize);
            e.line = Some(line);
            e.column = Some(column);
            e.file = Some(source.name.clone());
        }
    }
}

fn status_tag(s: Status, kind: CriterionKind) -> &'static str {
    match (kind, s) {
        (CriterionKind::Exclude, Status::Met) => "[does not exclude]",
        (CriterionKind::Exclude, Status::NotMet) => "[EXCLUDES]      ",
        (_, Status::Met) => "[met]           ",
        (_, Status::NotApplicable) => "[does not apply]",
        (_, Status::NotMet) => "[NOT MET]       ",
        (_, Status::NotDocumented) => "[not documented]",
    }
}

/// Render a case report as text for a person.
pub fn render_case_text(r: &CaseReport, out: &mut String) {
    render_case_header(r, out);
    for q in &r.requests {
        out.push('\n');
        render_request_text(q, out);
    }
}

/// The first line of a case in text: its id and file, escaped for the
/// terminal (both come from the input).
pub fn render_case_header(r: &CaseReport, out: &mut String) {
    use std::fmt::Write;
    let _ = writeln!(out, "case {} ({})", escape_terminal(&r.case), escape_terminal(&r.file));
}

/// `file:line:column` of an error placed by [`locate_errors`], escaped
/// for the terminal (the file name comes from the user).
fn error_place(e: &ErrorReport) -> Option<String> {
    let (file, line, column) = (e.file.as_deref()?, e.line?, e.column?);
    Some(format!("{}:{line}:{column}", escape_terminal(file)))
}

/// `rule.criterion (status), citation`: what decided a request, in the
/// full and the brief text alike.
fn decided_line(q: &RequestReport, b: &DecidedBy) -> String {
    let label = q
        .rules
        .iter()
        .filter(|r| r.rule == b.rule)
        .flat_map(|r| &r.criteria)
        .find(|c| c.name == b.criterion)
        .map_or_else(|| b.status.label(), |c| c.label);
    format!("{}.{} ({label}), {}", b.rule, b.criterion, b.citation)
}

pub fn render_request_text(q: &RequestReport, out: &mut String) {
    use std::fmt::Write;
    // Ids, text and fact values come from the case: escaped for the
    // terminal. Names, descriptions and citations come from rules that
    // checked.
    let esc = escape_terminal;
    let head = match &q.text {
        Some(t) => format!("request {}: {}", esc(&q.request), esc(t)),
        None => format!("request {}", esc(&q.request)),
    };
    let _ = writeln!(out, "{head}");
    let _ = writeln!(out, "  treatment: {}, requested {}", q.treatment, q.date);
    if let Some(e) = &q.error {
        let _ = writeln!(out, "  error[{}]: {}", e.code, e.message);
        if let Some(at) = error_place(e) {
            let _ = writeln!(out, "   --> {at}");
        }
        let _ = writeln!(out, "  help: {}", e.help);
        return;
    }
    let Some(outcome) = q.outcome else { return };
    let _ = writeln!(out, "  outcome: {}", outcome_line(q, outcome));
    for n in &q.notes {
        let _ = writeln!(out, "  note: {}", n.message);
    }
    if let Some(b) = &q.decided_by {
        let _ = writeln!(out, "  decided by: {}", decided_line(q, b));
    }
    if let Some(f) = &q.fell_with {
        let _ = writeln!(out, "  falls with: request {}, which it depends on", esc(f));
    }
    if let Some(pr) = &q.provisional {
        render_provisional(pr, out);
    }
    for rr in &q.rules {
        let role = match rr.role {
            Role::Decides => "decides",
            Role::Supplements => "supplements",
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "  rule {} \"{}\" ({role})", rr.rule, rr.title);
        let _ = writeln!(out, "    {}", rr.citation);
        for c in &rr.also_cites {
            let _ = writeln!(out, "    {c}");
        }
        for c in &rr.criteria {
            let kind = match c.kind {
                CriterionKind::Require => "",
                CriterionKind::Exclude => " (exclusion)",
            };
            let _ = writeln!(
                out,
                "    {} {}{kind}: {}",
                status_tag(c.status, c.kind),
                c.name,
                c.description
            );
            if c.citation != rr.citation {
                let _ = writeln!(out, "{:25}{}", "", c.citation);
            }
            if let Some(why) = &c.low_reason {
                let _ = writeln!(out, "{:25}confidence LOW: {why}", "");
            }
            for f in &c.facts {
                let v = match &f.value {
                    serde_json::Value::Null => "not documented".to_string(),
                    serde_json::Value::String(s) if f.fact.starts_with("request.text") => format!("{s:?}"),
                    serde_json::Value::String(s) => esc(s).into_owned(),
                    serde_json::Value::Array(a) => {
                        let items: Vec<String> =
                            a.iter().map(|x| esc(x.as_str().unwrap_or("?")).into_owned()).collect();
                        format!("[{}]", items.join(", "))
                    }
                    other => other.to_string(),
                };
                let note = f.note.map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = writeln!(out, "{:25}{} = {v}{note}", "", f.fact);
            }
        }
    }
    if !q.set_aside.is_empty() {
        let _ = writeln!(
            out,
            "\n  set aside (a higher-tier rule decides): {}",
            q.set_aside.join(", ")
        );
    }
    if !q.to_pass.is_empty() {
        out.push('\n');
        render_to_pass(q, out);
    }
}

/// Outcome line of a request: `NOT MEDICALLY NECESSARY (predicts upheld; ...)`.
fn outcome_line(q: &RequestReport, outcome: Outcome) -> String {
    let verdict = match outcome {
        Outcome::MedicallyNecessary => "MEDICALLY NECESSARY".to_string(),
        Outcome::NotMedicallyNecessary => "NOT MEDICALLY NECESSARY".to_string(),
        Outcome::InsufficientDocumentation => "NOT MEDICALLY NECESSARY (insufficient documentation)".to_string(),
    };
    let predicted = q.predicted.map_or("", |p| p.name());
    let recorded = match (q.recorded, q.agrees) {
        (Some(r), Some(true)) => format!("; recorded {}: agrees", r.name()),
        (Some(r), _) => format!("; recorded {}: DISAGREES", r.name()),
        (None, _) => String::new(),
    };
    format!("{verdict} (predicts {predicted}{recorded})")
}

/// A case in `check --brief`: per request its outcome, what decided it,
/// what it needs to pass, and the pre-submission findings one line each.
pub fn render_case_brief(r: &CaseReport, pre: &[authorization::PreSubmission], out: &mut String) {
    use std::fmt::Write;
    render_case_header(r, out);
    for (i, q) in r.requests.iter().enumerate() {
        let esc = escape_terminal;
        let _ = writeln!(out, "  request {} ({}, {})", esc(&q.request), q.treatment, q.date);
        if let Some(e) = &q.error {
            let _ = writeln!(out, "    error[{}]: {}", e.code, e.message);
            if let Some(at) = error_place(e) {
                let _ = writeln!(out, "     --> {at}");
            }
            continue;
        }
        if let Some(o) = q.outcome {
            let _ = writeln!(out, "    outcome: {}", outcome_line(q, o));
        }
        for n in &q.notes {
            let _ = writeln!(out, "    note: {}", n.message);
        }
        if let Some(b) = &q.decided_by {
            let _ = writeln!(out, "    decided by: {}", decided_line(q, b));
        }
        if let Some(f) = &q.fell_with {
            let _ = writeln!(out, "    falls with: request {}, which it depends on", esc(f));
        }
        if !q.to_pass.is_empty() {
            let mut tp = String::new();
            render_to_pass(q, &mut tp);
            for line in tp.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if let Some(s) = pre.get(i) {
            if let Some(a) = &s.authorization {
                let verdict = match a.prior_authorization {
                    crate::formulary::PriorAuthorization::Required => "REQUIRED",
                    crate::formulary::PriorAuthorization::NotRequired => "not required",
                    crate::formulary::PriorAuthorization::Undetermined => "UNDETERMINED",
                };
                let _ = writeln!(out, "    prior authorization: {verdict} ({})", a.status.label());
                for f in &a.findings {
                    let _ = writeln!(out, "    {} {}: {}", f.check.tag(), f.code, escape_terminal(&f.message));
                }
            }
            for f in &s.rfa {
                let _ = writeln!(out, "    {} {}: {}", f.check.tag(), f.code, escape_terminal(&f.message));
            }
        }
    }
}

/// The "to pass:" section of a request.
pub fn render_to_pass(q: &RequestReport, out: &mut String) {
    use std::fmt::Write;
    let esc = escape_terminal;
    let _ = writeln!(out, "  to pass:");
    for a in &q.to_pass {
        render_advice(a, 4, out);
    }
    let _ = esc;
}

/// One item of "to pass", indented by `ind`.
fn render_advice(a: &AdviceReport, ind: usize, out: &mut String) {
    use std::fmt::Write;
    let pad = " ".repeat(ind);
    match a {
        AdviceReport::Document {
            rule,
            criterion,
            all_of,
            any_of,
            ..
        } => {
            let (how, items) = match (all_of, any_of) {
                (_, Some(xs)) => ("any of", xs),
                (Some(xs), None) => ("all of", xs),
                (None, None) => return,
            };
            match items.as_slice() {
                [NeedReport::Fact(f)] => {
                    let _ = writeln!(out, "{pad}- for {rule}.{criterion}: document {}", fact_advice_text(f));
                }
                many => {
                    let _ = writeln!(out, "{pad}- for {rule}.{criterion}: document {how}:");
                    for x in many {
                        render_need(x, ind + 4, out);
                    }
                }
            }
        }
        AdviceReport::CannotPass {
            rule,
            criterion,
            description,
            exclusion,
            because,
            undocumented,
        } => {
            let what = if *exclusion { " (exclusion)" } else { "" };
            let _ = writeln!(
                out,
                "{pad}- cannot pass as requested: {rule}.{criterion}{what}: {description}"
            );
            if !because.is_empty() {
                let facts: Vec<String> = because
                    .iter()
                    .map(|f| {
                        let note = f.note.map(|n| format!(" ({n})")).unwrap_or_default();
                        format!("{} = {}{note}", f.fact, value_text(&f.value))
                    })
                    .collect();
                let _ = writeln!(out, "{pad}    the record and the request say: {}", facts.join(", "));
            }
            if !undocumented.is_empty() {
                let _ = writeln!(
                    out,
                    "{pad}    and no value of {} would meet it",
                    undocumented.join(", ")
                );
            }
        }
        AdviceReport::NearestRequest { changes, then } => {
            let items: Vec<String> = changes
                .iter()
                .map(|c| {
                    format!(
                        "{} {} (now {})",
                        c.fact,
                        value_text(&c.passes),
                        value_text(&c.requested)
                    )
                })
                .collect();
            let _ = writeln!(out, "{pad}- the nearest request that passes: {}", items.join(", "));
            if !then.is_empty() {
                let _ = writeln!(out, "{pad}    and then:");
                for t in then {
                    render_advice(t, ind + 4, out);
                }
            }
        }
        AdviceReport::NoRequestPasses => {
            let _ = writeln!(
                out,
                "{pad}- no change to the amount, intent or other terms of the request passes: the record stands against it"
            );
        }
        AdviceReport::FallsWith { request } => {
            let _ = writeln!(
                out,
                "{pad}- it depends on request {}, which does not pass: see what that request needs",
                escape_terminal(request)
            );
        }
    }
}

fn render_need(n: &NeedReport, ind: usize, out: &mut String) {
    use std::fmt::Write;
    let pad = " ".repeat(ind);
    match n {
        NeedReport::Fact(f) => {
            let _ = writeln!(out, "{pad}{}", fact_advice_text(f));
        }
        NeedReport::AllOf { all_of } => {
            let _ = writeln!(out, "{pad}all of:");
            for x in all_of {
                render_need(x, ind + 2, out);
            }
        }
        NeedReport::AnyOf { any_of } => {
            let _ = writeln!(out, "{pad}any of:");
            for x in any_of {
                render_need(x, ind + 2, out);
            }
        }
    }
}

/// A JSON value as text: strings bare, a list's items joined with commas
/// (an empty list is "none", never nothing at all).
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => escape_terminal(s).into_owned(),
        serde_json::Value::Array(xs) if xs.is_empty() => "none".to_string(),
        serde_json::Value::Array(xs) => {
            let items: Vec<String> = xs.iter().map(value_text).collect();
            items.join(", ")
        }
        serde_json::Value::Null => "not documented".to_string(),
        other => other.to_string(),
    }
}

/// `exam.muscle_spasm as true (muscle spasm found on examination; true or false)`.
pub fn fact_advice_text(f: &FactAdvice) -> String {
    let is_date = f.values.starts_with("date");
    let v = value_text(&f.passes);
    let passes = match f.bound {
        "is" => format!(" as {v}"),
        "one_of" => format!(" as one of {v}"),
        "at_least" if is_date => format!(" as on or after {v}"),
        "at_most" if is_date => format!(" as on or before {v}"),
        "at_least" => format!(" as at least {v}"),
        "at_most" => format!(" as at most {v}"),
        "between" => match &f.passes {
            serde_json::Value::Array(xs) if xs.len() == 2 => {
                format!(" as from {} to {}", value_text(&xs[0]), value_text(&xs[1]))
            }
            _ => format!(" as {v}"),
        },
        "includes_any" => format!(" including one of {v}"),
        "includes_all" => format!(" including {v}"),
        "excludes" => format!(" without {v}"),
        _ => " (any value)".to_string(),
    };
    if f.values.is_empty() {
        // A prior course to record whole.
        return format!("{} ({})", f.fact, f.description);
    }
    let entry = if f.new_entry {
        ", in a new history entry (the course was given)"
    } else {
        ""
    };
    format!("{}{passes} ({}; {}{entry})", f.fact, f.description, f.values)
}

/// `  provisional: rests on LOW criterion r.c (OPI-9: k = 120 mg_med)`
fn render_provisional(pr: &ProvisionalReport, out: &mut String) {
    use std::fmt::Write;
    let items: Vec<String> = pr
        .rests_on
        .iter()
        .map(|c| format!("{}.{} ({})", c.rule, c.criterion, c.reason))
        .collect();
    match items.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "  provisional: rests on LOW criterion {one}");
        }
        many => {
            let _ = writeln!(out, "  provisional: rests on LOW criteria {}", many.join(", "));
        }
    }
    if let Some(f) = &pr.falls_with {
        let _ = writeln!(
            out,
            "  provisional: falls with request {f}, whose decision rests on a LOW criterion"
        );
    }
}

/// The JSON document `mtus check --format json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct CheckJson<'a> {
    pub version: u32,
    pub cases: &'a [CaseReport],
    pub errors: &'a [diagnostics::DiagnosticJson],
}

/// The width text output is wrapped to when it does not go to a terminal
/// (and in tests): stable, whatever runs it.
pub const DEFAULT_WIDTH: usize = 100;

/// Wrap every line longer than `width` characters at spaces, with a
/// hanging indent: continuation lines start under the text of the line (a
/// `- ` item's text, the text after a `[status]` tag, else four more than
/// the line's own indent). A word longer than the width stays whole.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if body.chars().count() <= width {
            out.push_str(line);
            continue;
        }
        let lead = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[lead..];
        let hang = if rest.starts_with("- ") {
            lead + 2
        } else if rest.starts_with('[') {
            rest.find("] ")
                .map(|i| lead + i + 2 + (rest[i + 2..].len() - rest[i + 2..].trim_start().len()))
                .unwrap_or(lead + 4)
        } else {
            lead + 4
        };
        let hang = hang.min(width / 2);
        let mut col = 0;
        let mut first = true;
        for word in body[lead..].split(' ') {
            let w = word.chars().count();
            if first {
                out.push_str(&body[..lead]);
                out.push_str(word);
                col = lead + w;
                first = false;
            } else if col + 1 + w > width && col > hang {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', hang));
                out.push_str(word);
                col = hang + w;
            } else {
                out.push(' ');
                out.push_str(word);
                col += 1 + w;
            }
        }
        out.push_str(nl);
    }
    out
}

/// The rule set in force, as the JSON outputs name it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RulesJson {
    pub kind: &'static str,
    pub path: Option<String>,
    pub sha256: String,
    pub description: String,
}

impl RulesJson {
    pub fn new(rules: &RuleSet) -> RulesJson {
        let o = &rules.origin;
        RulesJson {
            kind: match o.kind {
                crate::RuleOriginKind::BuiltIn => "built-in",
                crate::RuleOriginKind::Folder => "folder",
                crate::RuleOriginKind::Found => "found",
                crate::RuleOriginKind::Files => "files",
            },
            path: o.path.clone(),
            sha256: o.hash.clone(),
            description: o.describe(),
        }
    }
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_under_their_text() {
        let text = "    - document a.b as true (one two three four five six); needed by r.c\nshort\n";
        assert_eq!(
            wrap(text, 40),
            "    - document a.b as true (one two\n      three four five six); needed by\n      r.c\nshort\n"
        );
        let tag = "    [NOT MET]        name: one two three four five six seven\n";
        assert_eq!(
            wrap(tag, 50),
            "    [NOT MET]        name: one two three four five\n                     six seven\n"
        );
        // A word longer than the width stays whole (and where it is, when
        // moving it would not gain room); short lines are kept.
        let long = format!("  x {}\n", "y".repeat(50));
        assert_eq!(wrap(&long, 40), long);
        let later = format!("  a b c d e f g h i {}\n", "y".repeat(50));
        assert_eq!(
            wrap(&later, 40),
            format!("  a b c d e f g h i\n      {}\n", "y".repeat(50))
        );
        assert_eq!(wrap("a b\n", 40), "a b\n");
    }
}
