//! Extreme numbers against the shipped rules (issue 8, item 6). The
//! generator's extremes mode writes zero, each fact's maximum and just
//! past it, the rules' thresholds and just past them, huge, negative and
//! non-finite values (`src/generate/extreme.rs`), as YAML files and as
//! JSON lines. For every such case:
//!
//! - loading never panics: the loader rejects the case, or it loads;
//! - a case that loads is decided alike by the compiled program, the fast
//!   path and the reference interpreter;
//! - no request past a limit the rules state comes out medically
//!   necessary: for every criterion reported met, each comparison its
//!   condition needs to hold for it to be met is recomputed here, from the
//!   case's values and the rule's constant with plain `f64` arithmetic,
//!   and must hold;
//! - (with the loader of FACTS.md v2) no number that is not finite, is
//!   negative or is outside the fact's declared range reaches a loaded
//!   case.

use crate::common;

use std::collections::BTreeMap;

use mtus::RuleSet;
use mtus::check::{FactRef, Lit, TExpr, TKind};
use mtus::eval::crosscheck::Crosscheck;
use mtus::eval::{Machine, Status};
use mtus::facts::{Case, load_json, load_yaml};
use mtus::generate::Generator;
use mtus::syntax::ast::{AddOp, CmpOp, CriterionKind};
use mtus::value::Value;

/// Cases per form (YAML and JSON): a few thousand loads in all.
const CASES: u64 = 1500;

/// Every case of the corpus, as (name, form, text).
fn corpus(rules: &RuleSet) -> Vec<(String, &'static str, String)> {
    let mut g = Generator::new(rules, 8_000_006).expect("rules cover some treatment");
    g.options.extremes = 1.0;
    g.options.documented = 0.9;
    let mut m = Machine::new();
    let mut out = Vec::new();
    for k in 0..CASES {
        let c = g
            .case(k, &mut m)
            .expect("an extreme case is generated, loadable or not");
        out.push((c.id.clone(), "yaml", c.to_yaml()));
        out.push((c.id.clone(), "json", c.to_json()));
    }
    out
}

fn load(rules: &RuleSet, form: &str, name: &str, text: &str) -> Option<Case> {
    match form {
        "yaml" => load_yaml(&rules.program, name, text).ok(),
        _ => load_json(&rules.program, name, text).ok(),
    }
}

/// The value a fact reference reads for request `i`, as a plain number in
/// the base unit of its dimension (`None`: absent or not a number).
fn number(case: &Case, i: usize, r: FactRef) -> Option<f64> {
    let req = case.requests.get(i)?;
    let v = match r {
        FactRef::Case(_, slot) => case.facts.get(usize::from(slot))?,
        FactRef::Request(_, slot) => req.facts.get(usize::from(slot))?,
        FactRef::Prior(_, slot) => case.record(req.treatment).get(usize::from(slot))?,
        FactRef::History(t, _, slot) => case.record(t).get(usize::from(slot))?,
    };
    match v {
        Value::Int(n) => Some(*n as f64),
        Value::Num(x) => Some(*x),
        Value::Qty(q) => Some(q.amount * q.unit.factor()),
        _ => None,
    }
}

fn lit(l: &Lit) -> Option<f64> {
    match l {
        Lit::Num(n) => Some(*n),
        Lit::Qty(q) => Some(q.amount * q.unit.factor()),
        _ => None,
    }
}

/// A numeric side of a comparison, computed from the case; also whether
/// it reads a fact.
fn side(e: &TExpr, case: &Case, i: usize) -> Option<(f64, bool)> {
    match &e.kind {
        TKind::Lit(l) | TKind::Const(_, l) => Some((lit(l)?, false)),
        TKind::Fact(r) => Some((number(case, i, *r)?, true)),
        TKind::Sum(first, rest) => {
            let (mut x, mut reads) = side(first, case, i)?;
            for (op, e) in rest {
                let (y, r) = side(e, case, i)?;
                reads |= r;
                match op {
                    AddOp::Add => x += y,
                    AddOp::Sub => x -= y,
                }
            }
            Some((x, reads))
        }
        _ => None,
    }
}

/// `a op b`, two numbers equal when they differ by at most a billionth of
/// the larger (so `0.0075 g` equals `7.5 mg`: the engine's documented
/// tolerance).
fn holds(op: CmpOp, a: f64, b: f64) -> bool {
    let eq = (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    match op {
        CmpOp::Eq => eq,
        CmpOp::Ne => !eq,
        CmpOp::Lt => !eq && a < b,
        CmpOp::Le => eq || a < b,
        CmpOp::Gt => !eq && a > b,
        CmpOp::Ge => eq || a > b,
    }
}

/// The comparisons inside `e`, each with the value it must have for `e`
/// to come out `truth` (`true` for a require met, `false` for an exclude
/// met).
fn forced<'a>(e: &'a TExpr, truth: bool, out: &mut Vec<(&'a TExpr, bool)>) {
    match &e.kind {
        TKind::Not(x) => forced(x, !truth, out),
        TKind::And(xs) if truth => xs.iter().for_each(|x| forced(x, true, out)),
        TKind::Or(xs) if !truth => xs.iter().for_each(|x| forced(x, false, out)),
        // Met (not "does not apply"): the condition held, and so did the rest.
        TKind::When(c, then, None) if truth => {
            forced(c, true, out);
            forced(then, true, out);
        }
        TKind::Cmp(..) => out.push((e, truth)),
        _ => {}
    }
}

#[derive(Default, Debug)]
struct Tally {
    loaded: usize,
    rejected: usize,
    /// Comparisons recomputed for criteria reported met.
    checked: usize,
    /// Comparisons of a fact with a threshold that the case's value fails.
    past_a_limit: usize,
    /// Requests decided medically necessary.
    necessary: usize,
    /// Comparisons not recomputed because a value is not finite (the
    /// loader refuses them: `no_invalid_number_reaches_a_loaded_case`).
    not_finite: usize,
    violations: Vec<String>,
}

#[test]
fn extreme_cases_are_rejected_or_decided_within_the_rules_limits() {
    let (_, rules) = common::shipped_rules();
    let mut check = Crosscheck::new(&rules);
    let mut t = Tally::default();
    for (name, form, text) in corpus(&rules) {
        let Some(case) = load(&rules, form, &name, &text) else {
            t.rejected += 1;
            continue;
        };
        t.loaded += 1;
        let decisions = check
            .case(&case)
            .unwrap_or_else(|d| panic!("{name} ({form}): the evaluators disagree: {d}\n{text}"));
        for (i, d) in decisions.iter().enumerate() {
            let Ok(d) = d else { continue };
            t.necessary += usize::from(d.outcome == mtus::eval::Outcome::MedicallyNecessary);
            for rr in &d.rules {
                let rule = rules.program.rule(rr.rule);
                for (c, status) in rule.criteria.iter().zip(&rr.statuses) {
                    let Some(e) = &c.expr else { continue };
                    // Any comparison of a fact with a threshold that the
                    // value fails: the corpus does reach past the limits.
                    e.walk(&mut |x| {
                        if let TKind::Cmp(op, a, b) = &x.kind {
                            if let (Some((a, ra)), Some((b, rb))) = (side(a, &case, i), side(b, &case, i)) {
                                if ra != rb && a.is_finite() && b.is_finite() && !holds(*op, a, b) {
                                    t.past_a_limit += 1;
                                }
                            }
                        }
                    });
                    if *status != Status::Met {
                        continue;
                    }
                    let mut atoms = Vec::new();
                    forced(e, c.kind == CriterionKind::Require, &mut atoms);
                    for (atom, truth) in atoms {
                        let TKind::Cmp(op, a, b) = &atom.kind else { continue };
                        let (Some((x, _)), Some((y, _))) = (side(a, &case, i), side(b, &case, i)) else {
                            continue;
                        };
                        if !x.is_finite() || !y.is_finite() {
                            t.not_finite += 1;
                            continue;
                        }
                        t.checked += 1;
                        if holds(*op, x, y) != truth {
                            t.violations.push(format!(
                                "{name} ({form}) request {i}: `{}.{}` is met, but {x} {} {y} is {}",
                                rule.name,
                                c.name,
                                op.symbol(),
                                !truth
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{t:?}");
    assert!(
        t.violations.is_empty(),
        "{} violations:\n{}",
        t.violations.len(),
        t.violations.join("\n")
    );
    // The corpus means something: cases load and are rejected, criteria
    // met are recomputed, values past the rules' limits reach the engine.
    assert!(t.loaded > 100 && t.rejected > 100, "{t:?}");
    // (the count moves with the catalog, which shapes the random stream:
    // 298 with the 2016 letters' vocabulary, over 300 before it, 194 with
    // their rules)
    assert!(t.checked > 150, "{t:?}");
    assert!(t.past_a_limit > 100, "{t:?}");
    assert!(t.necessary > 10, "{t:?}");
}

/// What is wrong with a number in a loaded case, if anything.
fn invalid(v: &Value, range: Option<mtus::check::Range>) -> Option<&'static str> {
    let x = match v {
        Value::Int(n) => *n as f64,
        Value::Num(x) => *x,
        Value::Qty(q) => q.amount * q.unit.factor(),
        _ => return None,
    };
    if !x.is_finite() {
        Some("not finite")
    } else if x < 0.0 {
        Some("negative")
    } else if range.is_some_and(|r| !(r.min <= x && x <= r.max)) {
        Some("outside the declared range")
    } else {
        None
    }
}

#[test]
fn no_invalid_number_reaches_a_loaded_case() {
    let (_, rules) = common::shipped_rules();
    let schema = &rules.program.schema;
    let mut found: BTreeMap<(String, &'static str, &'static str), (usize, String)> = BTreeMap::new();
    for (name, form, text) in corpus(&rules) {
        let Some(case) = load(&rules, form, &name, &text) else {
            continue;
        };
        let mut slots: Vec<(mtus::check::Scope, &[Value])> = vec![(mtus::check::Scope::Case, &case.facts)];
        slots.extend(case.requests.iter().map(|r| (mtus::check::Scope::Request, &*r.facts)));
        slots.extend(case.history.iter().map(|(_, h)| (mtus::check::Scope::History, &**h)));
        for (scope, values) in slots {
            for (slot, v) in values.iter().enumerate() {
                let Some(f) = u16::try_from(slot).ok().and_then(|s| schema.by_slot(scope, s)) else {
                    continue;
                };
                if let Some(what) = invalid(v, f.range) {
                    let e = found.entry((f.path.clone(), what, form)).or_insert((0, String::new()));
                    if e.0 == 0 {
                        e.1 = format!("{name}: {v:?}");
                    }
                    e.0 += 1;
                }
            }
        }
    }
    let report: Vec<String> = found
        .iter()
        .map(|((path, what, form), (n, example))| format!("{path} {what} ({form}): {n} case(s), e.g. {example}"))
        .collect();
    assert!(
        report.is_empty(),
        "numbers the loader let through:\n{}",
        report.join("\n")
    );
}

#[test]
fn generate_extremes_flag_changes_only_the_extreme_cases() {
    let plain = common::mtus(&["generate", "--seed", "3", "--count", "40"]);
    let off = common::mtus(&["generate", "--seed", "3", "--count", "40", "--extremes", "0"]);
    let on = common::mtus(&["generate", "--seed", "3", "--count", "40", "--extremes", "1"]);
    for o in [&plain, &off, &on] {
        assert!(o.status.success(), "{}", common::stderr(o));
    }
    // Off, the cases of a seed are those made without the option.
    assert_eq!(common::stdout(&plain), common::stdout(&off));
    let lines: Vec<String> = common::stdout(&on).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 40);
    assert_ne!(common::stdout(&on), common::stdout(&plain));
    // Extreme values are written: the loader has something to reject.
    let (_, rules) = common::shipped_rules();
    let rejected = lines
        .iter()
        .filter(|l| load_json(&rules.program, "stdin", l).is_err())
        .count();
    assert!(rejected > 0 && rejected < 40, "{rejected} of 40 rejected");

    let bad = common::mtus(&["generate", "--extremes", "1.5"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        common::stderr(&bad).contains("--extremes is a share from 0 to 1"),
        "{}",
        common::stderr(&bad)
    );
}

#[test]
fn realistic_values_keep_within_declared_ranges() {
    // Tight ranges on every numeric fact, whatever the schema declares.
    let (_, mut rules) = common::shipped_rules();
    let mut ranged = 0;
    for f in &mut rules.program.schema.facts {
        if f.derived {
            continue;
        }
        let max = match f.ty {
            mtus::check::FactType::Int | mtus::check::FactType::Score => 3.0,
            mtus::check::FactType::Percent => 40.0,
            mtus::check::FactType::Number => 2.5,
            mtus::check::FactType::Quantity | mtus::check::FactType::Duration => 5.0,
            _ => continue,
        };
        f.range = Some(mtus::check::Range { min: 1.0, max });
        ranged += 1;
    }
    assert!(ranged > 10, "only {ranged} numeric facts");
    let schema = rules.program.schema.clone();
    let g = Generator::new(&rules, 5).expect("generator");
    let mut m = Machine::new();
    let mut seen = 0;
    for k in 0..300 {
        let c = g.case(k, &mut m).expect("a case that loads");
        let case = load_json(&rules.program, &c.id, &c.to_json()).expect("loads");
        let mut slots: Vec<(mtus::check::Scope, &[Value])> = vec![(mtus::check::Scope::Case, &case.facts)];
        slots.extend(case.requests.iter().map(|r| (mtus::check::Scope::Request, &*r.facts)));
        slots.extend(case.history.iter().map(|(_, h)| (mtus::check::Scope::History, &**h)));
        for (scope, values) in slots {
            for (slot, v) in values.iter().enumerate() {
                let Some(f) = u16::try_from(slot).ok().and_then(|s| schema.by_slot(scope, s)) else {
                    continue;
                };
                if f.range.is_some() && !v.is_absent() {
                    seen += 1;
                    assert_eq!(invalid(v, f.range), None, "{}: {v:?} in {}", f.path, c.to_json());
                }
            }
        }
    }
    assert!(seen > 300, "only {seen} ranged values");
}
