//! The reference interpreter: a plain tree-walking evaluator of the checked
//! rules, written for obviousness rather than speed.
//!
//! It reads the typed expressions ([`TExpr`]) of the checked [`Program`]
//! directly: no flat code, no slots resolved ahead of time beyond what the
//! checker fixed, no shared stack. It chooses the rules in force and
//! applies the decision policy (DESIGN.md section 5) on its own, with code
//! of its own. Its only job is to be the second opinion that the compiled
//! predicates ([`super::Machine`], [`super::decide_case`]) and the audit's
//! fast path are tested against (`tests/reference.rs`): the same case must
//! give the same outcome and the same status for every criterion.
//!
//! Besides, [`missing_facts`] walks a criterion the same plain way to name
//! the undocumented facts its unknown result actually depends on, for
//! reports ("document this").
//!
//! It keeps its own copy of the value semantics (comparison, `+` and `-`,
//! date arithmetic) on purpose, rather than calling [`crate::value::ops`]
//! as the evaluator and the linter do: an oracle that shares the code it
//! checks would agree with its bugs. Its copy follows the same rules,
//! written separately: a sum that is not finite or a date outside the
//! years 1 to 9999 is not documented.
//!
//! Invariants: never used to decide anything a user sees; recursion is
//! bounded by the parser's nesting limit; pure (same input, same output).

use super::{Decision, EvalError, Outcome, Role, RuleResult, Status};
use crate::check::{FactRef, Lit, Program, Rule, RuleId, TExpr, TKind};
use crate::facts::Case;
use crate::syntax::ast::{AddOp, CmpOp, CriterionKind};
use crate::value::{Dim, Sym, Tri, Value, cmp_f64};

/// A value while evaluating: owned, simple.
#[derive(Clone, Debug, PartialEq)]
enum V {
    Absent,
    Bool(bool),
    Num(f64),
    /// Days since 1970-01-01.
    Date(i32),
    /// Amount in the dimension's base unit.
    Qty(f64, Dim),
    Sym(Sym),
    List(Vec<Sym>),
    Text(String),
}

fn from_value(v: &Value) -> V {
    match v {
        Value::Absent => V::Absent,
        Value::Bool(b) => V::Bool(*b),
        Value::Int(i) => V::Num(*i as f64),
        Value::Num(n) => V::Num(*n),
        Value::Date(d) => V::Date(d.0),
        Value::Qty(q) => V::Qty(q.base(), q.dim()),
        Value::Sym(s) => V::Sym(*s),
        Value::List(l) => V::List(l.to_vec()),
        Value::Text(t) => V::Text(t.to_string()),
    }
}

fn from_lit(l: &Lit) -> V {
    match l {
        Lit::Bool(b) => V::Bool(*b),
        Lit::Num(n) => V::Num(*n),
        Lit::Date(d) => V::Date(d.0),
        Lit::Qty(q) => V::Qty(q.base(), q.dim()),
        Lit::Sym(s) => V::Sym(*s),
        Lit::Str(s) => V::Text(s.clone()),
    }
}

fn truth(v: &V) -> Tri {
    match v {
        V::Bool(true) => Tri::True,
        V::Bool(false) => Tri::False,
        _ => Tri::Unknown,
    }
}

fn of_truth(t: Tri) -> V {
    match t {
        Tri::True => V::Bool(true),
        Tri::False => V::Bool(false),
        Tri::Unknown => V::Absent,
    }
}

/// What one request's criteria can see.
struct Scope<'a> {
    case: &'a Case,
    request: usize,
}

impl Scope<'_> {
    fn fact(&self, r: FactRef) -> V {
        let req = &self.case.requests[self.request];
        let record: Option<&[Value]> = match r {
            FactRef::Case(..) => Some(&self.case.facts),
            FactRef::Request(..) => Some(&req.facts),
            FactRef::Prior(..) => Some(self.case.record(req.treatment)),
            FactRef::History(t, ..) => Some(self.case.record(t)),
        };
        let slot = match r {
            FactRef::Case(_, s) | FactRef::Request(_, s) | FactRef::Prior(_, s) | FactRef::History(_, _, s) => s,
        };
        match record.and_then(|values| values.get(usize::from(slot))) {
            Some(v) => from_value(v),
            None => V::Absent,
        }
    }

    fn eval(&self, e: &TExpr) -> V {
        match &e.kind {
            TKind::Lit(l) | TKind::Const(_, l) => from_lit(l),
            TKind::Fact(r) => self.fact(*r),
            TKind::Not(x) => of_truth(truth(&self.eval(x)).not()),
            TKind::And(xs) => of_truth(xs.iter().fold(Tri::True, |acc, x| acc.and(truth(&self.eval(x))))),
            TKind::Or(xs) => of_truth(xs.iter().fold(Tri::False, |acc, x| acc.or(truth(&self.eval(x))))),
            TKind::When(c, t, otherwise) => {
                let c = truth(&self.eval(c));
                let t = truth(&self.eval(t));
                let o = match otherwise {
                    Some(o) => truth(&self.eval(o)),
                    None => Tri::True,
                };
                of_truth(Tri::select(c, t, o))
            }
            TKind::Cmp(op, a, b) => compare(*op, &self.eval(a), &self.eval(b)),
            TKind::Sum(first, rest) => {
                let mut acc = self.eval(first);
                for (op, x) in rest {
                    acc = add(*op == AddOp::Add, &acc, &self.eval(x));
                }
                acc
            }
            TKind::Documented(x, negated) => V::Bool((self.eval(x) == V::Absent) == *negated),
            TKind::In(x, set) => match self.eval(x) {
                V::Sym(s) => V::Bool(set.items.contains(&s)),
                _ => V::Absent,
            },
            TKind::Contains(l, x) => match (self.eval(l), self.eval(x)) {
                (V::List(l), V::Sym(s)) => V::Bool(l.contains(&s)),
                _ => V::Absent,
            },
            TKind::ContainsAny(l, set) => match self.eval(l) {
                V::List(l) => V::Bool(set.items.iter().any(|s| l.contains(s))),
                _ => V::Absent,
            },
            TKind::ContainsAll(l, set) => match self.eval(l) {
                V::List(l) => V::Bool(set.items.iter().all(|s| l.contains(s))),
                _ => V::Absent,
            },
        }
    }
}

impl Scope<'_> {
    /// The undocumented facts the value of `e` depends on: for a known
    /// result, none; for an unknown one, those of the parts that are
    /// unknown and could change it (a `when` whose condition is known
    /// false does not need its consequence's facts).
    fn missing(&self, e: &TExpr, out: &mut Vec<FactRef>) {
        let unknown = |x: &TExpr| self.eval(x) == V::Absent;
        match &e.kind {
            TKind::Lit(_) | TKind::Const(..) | TKind::Documented(..) => {}
            TKind::Fact(r) => {
                if self.fact(*r) == V::Absent && !out.contains(r) {
                    out.push(*r);
                }
            }
            TKind::When(c, t, o) => match truth(&self.eval(c)) {
                Tri::True => self.missing(t, out),
                Tri::False => {
                    if let Some(o) = o {
                        self.missing(o, out);
                    }
                }
                Tri::Unknown => {
                    self.missing(c, out);
                    if unknown(t) {
                        self.missing(t, out);
                    }
                    if let Some(o) = o.as_deref().filter(|o| unknown(o)) {
                        self.missing(o, out);
                    }
                }
            },
            // A known result needs nothing; an unknown one needs its
            // unknown parts (known parts cannot change it).
            _ if !unknown(e) => {}
            TKind::Not(x) => self.missing(x, out),
            TKind::And(xs) | TKind::Or(xs) => xs.iter().filter(|x| unknown(x)).for_each(|x| self.missing(x, out)),
            TKind::Cmp(_, a, b) | TKind::Contains(a, b) => {
                self.missing(a, out);
                self.missing(b, out);
            }
            TKind::Sum(first, rest) => {
                self.missing(first, out);
                rest.iter().for_each(|(_, x)| self.missing(x, out));
            }
            TKind::In(x, _) | TKind::ContainsAny(x, _) | TKind::ContainsAll(x, _) => self.missing(x, out),
        }
    }
}

/// The undocumented facts a criterion's unknown result depends on, for
/// request `i`, in the order the criterion reads them.
pub fn missing_facts(e: &TExpr, case: &Case, i: usize) -> Vec<FactRef> {
    let mut out = Vec::new();
    Scope { case, request: i }.missing(e, &mut out);
    out
}

/// Comparison: numbers, dates and quantities of one dimension are ordered;
/// symbols, truth values and texts are only equal or not (an ordering of
/// them, which the checker never lets through, is not documented).
/// Anything else is not documented.
fn compare(op: CmpOp, a: &V, b: &V) -> V {
    use std::cmp::Ordering;
    let same = |x: bool| match op {
        CmpOp::Eq => V::Bool(x),
        CmpOp::Ne => V::Bool(!x),
        _ => V::Absent,
    };
    let ord: Ordering = match (a, b) {
        // Not finite: compares with nothing (not documented).
        (V::Num(x), V::Num(y)) | (V::Qty(x, _), V::Qty(y, _)) if !(x.is_finite() && y.is_finite()) => {
            return V::Absent;
        }
        (V::Num(x), V::Num(y)) => cmp_f64(*x, *y),
        (V::Date(x), V::Date(y)) => x.cmp(y),
        (V::Qty(x, dx), V::Qty(y, dy)) if dx == dy => cmp_f64(*x, *y),
        (V::Sym(x), V::Sym(y)) => return same(x == y),
        (V::Bool(x), V::Bool(y)) => return same(x == y),
        (V::Text(x), V::Text(y)) => return same(x == y),
        _ => return V::Absent,
    };
    V::Bool(match op {
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
    })
}

/// `a + b` or `a - b`: numbers, quantities of one dimension, a date moved
/// by a duration, the days between two dates. A result that is not a
/// finite number, or a date before 0001-01-01 or after 9999-12-31, is not
/// documented.
fn add(plus: bool, a: &V, b: &V) -> V {
    let sign = if plus { 1.0 } else { -1.0 };
    let number = |x: f64| if x.is_finite() { Some(x) } else { None };
    let date = |d: i32, days: f64| -> V {
        // Whole days, in f64 (exact for every day count that matters).
        let moved = f64::from(d) + days.round();
        let (first, last) = (-719_162.0, 2_932_896.0);
        if moved.is_finite() && (first..=last).contains(&moved) {
            V::Date(moved as i32)
        } else {
            V::Absent
        }
    };
    match (a, b) {
        (V::Num(x), V::Num(y)) => number(x + sign * y).map_or(V::Absent, V::Num),
        (V::Qty(x, dx), V::Qty(y, dy)) if dx == dy => number(x + sign * y).map_or(V::Absent, |v| V::Qty(v, *dx)),
        (V::Date(d), V::Qty(days, Dim::Time)) => date(*d, sign * days),
        (V::Qty(days, Dim::Time), V::Date(d)) if plus => date(*d, *days),
        (V::Date(x), V::Date(y)) if !plus => V::Qty(f64::from(*x) - f64::from(*y), Dim::Time),
        _ => V::Absent,
    }
}

fn status(kind: CriterionKind, holds: Tri) -> Status {
    match (kind, holds) {
        (CriterionKind::Require, Tri::True) | (CriterionKind::Exclude, Tri::False) => Status::Met,
        (CriterionKind::Require, Tri::False) | (CriterionKind::Exclude, Tri::True) => Status::NotMet,
        (_, Tri::Unknown) => Status::NotDocumented,
    }
}

/// The status of every criterion of a rule for request `i`.
pub fn rule_statuses(rule: &Rule, case: &Case, i: usize) -> Vec<Status> {
    let scope = Scope { case, request: i };
    rule.criteria
        .iter()
        .map(|c| {
            // `when C then X` with C false: the criterion does not apply.
            if let Some(TExpr {
                kind: TKind::When(cond, _, None),
                ..
            }) = &c.expr
            {
                if truth(&scope.eval(cond)) == Tri::False {
                    return Status::NotApplicable;
                }
            }
            let holds = match &c.expr {
                Some(e) => truth(&scope.eval(e)),
                // An unconditional `exclude`: the treatment is not recommended.
                None => Tri::True,
            };
            // Met with nothing documented that it reads: it does not apply.
            let nothing_read = !c.reads.is_empty() && c.reads.iter().all(|r| scope.fact(*r) == V::Absent);
            match status(c.kind, holds) {
                Status::Met if nothing_read => Status::NotApplicable,
                s => s,
            }
        })
        .collect()
}

/// Decide request `i` on its own (without `depends_on`).
pub fn decide_request(p: &Program, case: &Case, i: usize) -> Result<Decision, EvalError> {
    let req = &case.requests[i];
    let name = || p.catalog.treatment(req.treatment).name.clone();
    let ids = (0..p.rules.len()).map(|r| RuleId(r as u32));
    let covering: Vec<RuleId> = ids.filter(|&r| p.applies(p.rule(r), req.treatment)).collect();
    if covering.is_empty() {
        return Err(EvalError::NoRule { treatment: name() });
    }
    let in_force: Vec<RuleId> = covering
        .iter()
        .copied()
        .filter(|&r| p.rule(r).window.contains(req.date))
        .collect();
    // A rule that supplements another joins it; it never decides alone.
    let candidates: Vec<RuleId> = in_force
        .iter()
        .copied()
        .filter(|&r| p.rule(r).supplements.is_none())
        .collect();
    if candidates.is_empty() {
        let windows = covering
            .iter()
            .filter(|&&r| p.rule(r).supplements.is_none())
            .map(|&r| (p.rule(r).name.clone(), p.rule(r).window.describe()))
            .collect();
        return Err(EvalError::NoRuleInForce {
            treatment: name(),
            date: req.date,
            windows,
            guidelines: super::guidelines_in_force(p, req.date),
        });
    }
    let mut best = None;
    for &r in &candidates {
        let tier = p.rule(r).tier;
        if best.is_none_or(|b| tier < b) {
            best = Some(tier);
        }
    }
    let deciding: Vec<RuleId> = candidates
        .iter()
        .copied()
        .filter(|&r| Some(p.rule(r).tier) == best)
        .collect();
    let mut rules = Vec::new();
    let mut set_aside = Vec::new();
    for &r in &deciding {
        rules.push(RuleResult {
            rule: r,
            role: Role::Decides,
            statuses: rule_statuses(p.rule(r), case, i),
        });
    }
    for &r in &in_force {
        if deciding.contains(&r) {
            continue;
        }
        match p.rule(r).supplements {
            Some(target) if deciding.contains(&target) => rules.push(RuleResult {
                rule: r,
                role: Role::Supplements,
                statuses: rule_statuses(p.rule(r), case, i),
            }),
            _ => set_aside.push(r),
        }
    }
    // The first criterion not met decides; else the first not documented.
    let mut decided_by = None;
    let mut outcome = Outcome::MedicallyNecessary;
    'find: for (want, verdict) in [
        (Status::NotMet, Outcome::NotMedicallyNecessary),
        (Status::NotDocumented, Outcome::InsufficientDocumentation),
    ] {
        for (ri, rr) in rules.iter().enumerate() {
            for (ci, s) in rr.statuses.iter().enumerate() {
                if *s == want {
                    decided_by = Some((ri, ci));
                    outcome = verdict;
                    break 'find;
                }
            }
        }
    }
    let provisional = super::Provisional {
        criteria: super::rests_on(p, &rules, outcome, decided_by),
        dependency: false,
    };
    Ok(Decision {
        outcome,
        rules,
        set_aside,
        decided_by,
        fell_with: None,
        provisional,
    })
}

/// Decide every request of a case: a request that depends on another
/// falls with it when that one (after its own dependencies) is not
/// medically necessary, and cannot be decided when that one cannot.
pub fn decide_case(p: &Program, case: &Case) -> Vec<Result<Decision, EvalError>> {
    let own: Vec<Result<Decision, EvalError>> = (0..case.requests.len()).map(|i| decide_request(p, case, i)).collect();
    (0..case.requests.len())
        .map(|i| settle(case, &own, i, case.requests.len()))
        .collect()
}

/// The final decision of request `i`: its own, unless what it depends on
/// finally fails. `budget` stops a cycle (the loader rejects them).
fn settle(case: &Case, own: &[Result<Decision, EvalError>], i: usize, budget: usize) -> Result<Decision, EvalError> {
    let mine = own[i].clone();
    let Some(q) = case.requests[i].depends_on else {
        return mine;
    };
    if budget == 0 {
        return mine;
    }
    match settle(case, own, q, budget - 1) {
        Err(_) => Err(EvalError::DependencyUndecided {
            request: case.requests[i].id.clone(),
            on: case.requests[q].id.clone(),
        }),
        Ok(d) if d.outcome != Outcome::MedicallyNecessary => mine.map(|mut m| {
            m.fell_with = Some(q);
            if m.outcome == Outcome::MedicallyNecessary {
                m.outcome = Outcome::NotMedicallyNecessary;
                // It rests on the dependency's decision now.
                m.provisional.criteria.clear();
                m.provisional.dependency = d.provisional.is_provisional();
            }
            m
        }),
        Ok(_) => mine,
    }
}
