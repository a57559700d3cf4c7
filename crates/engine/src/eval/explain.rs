//! A recording walk of one criterion for one request: the value of every
//! sub-expression, for `mtus explain`.
//!
//! It walks the checked expression ([`TExpr`]) the way the reference
//! interpreter does, but keeps each node's value, and it uses the value
//! semantics the compiled evaluator uses ([`crate::value::ops`]), since
//! what it shows a user must be what decided the request. The status it
//! works out follows [`super::criterion_status`] step by step (a `when`
//! guard known false does not apply; met with nothing documented that it
//! reads does not apply); `tests/explain.rs` checks it equals the trace's
//! status on every shipped case.
//!
//! Invariants: pure; decides nothing; recursion bounded by the parser's
//! nesting limit; values are `Value`s (`Absent` is unknown / not
//! documented, `Bool` a known truth value; a computed quantity is in the
//! base unit of its dimension).

use super::Status;
use crate::check::{Criterion, Lit, TExpr, TKind};
use crate::facts::Case;
use crate::syntax::ast::{AddOp, CmpOp, CriterionKind};
use crate::value::ops::{self, Scalar};
use crate::value::{Date, Dim, Qty, Tri, Unit, Value};

/// One node of a criterion's expression with the value it had.
#[derive(Clone, Debug)]
pub struct Step<'e> {
    pub expr: &'e TExpr,
    pub value: Value,
    /// The operands, in the order they are written.
    pub children: Vec<Step<'e>>,
}

impl Step<'_> {
    /// The node's value as a truth value (unknown for anything but a
    /// known `true` or `false`).
    pub fn truth(&self) -> Tri {
        match self.value {
            Value::Bool(b) => Tri::from_bool(b),
            _ => Tri::Unknown,
        }
    }
}

/// A criterion walked for one request.
#[derive(Clone, Debug)]
pub struct Walk<'e> {
    /// `None` for an unconditional `exclude` (not recommended).
    pub tree: Option<Step<'e>>,
    /// What the expression says (true for an unconditional `exclude`).
    pub holds: Tri,
    /// `when C then X` (no `else`) with C false.
    pub guard_false: bool,
    /// It reads facts and none is documented for this request.
    pub nothing_documented: bool,
    /// The status these give, as the trace works it out.
    pub status: Status,
}

/// Walk criterion `c` for request `i` of `case`.
pub fn walk<'e>(c: &'e Criterion, case: &Case, i: usize) -> Walk<'e> {
    let w = Walker { case, request: i };
    let tree = c.expr.as_ref().map(|e| w.step(e));
    let holds = tree.as_ref().map_or(Tri::True, Step::truth);
    let guard_false = match (&tree, c.expr.as_ref().map(|e| &e.kind)) {
        (Some(t), Some(TKind::When(_, _, None))) => t.children.first().is_some_and(|g| g.truth() == Tri::False),
        _ => false,
    };
    let nothing_documented = !c.reads.is_empty() && c.reads.iter().all(|&r| super::read(case, i, r).is_absent());
    let status = if guard_false {
        Status::NotApplicable
    } else {
        match (c.kind, holds) {
            (CriterionKind::Require, Tri::True) | (CriterionKind::Exclude, Tri::False) => {
                if nothing_documented {
                    Status::NotApplicable
                } else {
                    Status::Met
                }
            }
            (CriterionKind::Require, Tri::False) | (CriterionKind::Exclude, Tri::True) => Status::NotMet,
            (_, Tri::Unknown) => Status::NotDocumented,
        }
    };
    Walk {
        tree,
        holds,
        guard_false,
        nothing_documented,
        status,
    }
}

struct Walker<'a> {
    case: &'a Case,
    request: usize,
}

pub(crate) fn truth_value(t: Tri) -> Value {
    match t {
        Tri::True => Value::Bool(true),
        Tri::False => Value::Bool(false),
        Tri::Unknown => Value::Absent,
    }
}

pub(crate) fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Num(n) => Value::Num(*n),
        Lit::Date(d) => Value::Date(*d),
        Lit::Qty(q) => Value::Qty(*q),
        Lit::Sym(s) => Value::Sym(*s),
        Lit::Str(s) => Value::Text(s.as_str().into()),
    }
}

/// The base unit of a dimension, for a computed quantity.
fn base_unit(d: Dim) -> Unit {
    match d {
        Dim::Visit => Unit::Visit,
        Dim::Tablet => Unit::Tablet,
        Dim::Item => Unit::Item,
        Dim::Mass => Unit::Mg,
        Dim::Med => Unit::MgMed,
        Dim::Time => Unit::Day,
        Dim::Concentration => Unit::Percent,
        Dim::DoseRate => Unit::McgPerHour,
    }
}

fn scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::Int(i) => Some(Scalar::Num(*i as f64)),
        Value::Num(n) => Some(Scalar::Num(*n)),
        Value::Qty(q) => Some(Scalar::Qty(q.base(), q.dim())),
        Value::Date(d) => Some(Scalar::Date(d.0)),
        _ => None,
    }
}

fn of_scalar(s: Option<Scalar>) -> Value {
    match s {
        Some(Scalar::Num(n)) => Value::Num(n),
        Some(Scalar::Qty(n, d)) => Value::Qty(Qty::new(n, base_unit(d))),
        Some(Scalar::Date(d)) => Value::Date(Date(d)),
        None => Value::Absent,
    }
}

/// A comparison, as the compiled evaluator makes it.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    let result = match (a, b) {
        (Value::Sym(x), Value::Sym(y)) => ops::equality(op, x == y),
        (Value::Bool(x), Value::Bool(y)) => ops::equality(op, x == y),
        (Value::Text(x), Value::Text(y)) => ops::equality(op, x == y),
        _ => match (scalar(a), scalar(b)) {
            (Some(x), Some(y)) => ops::compare(x, y).map(|o| ops::holds(op, o)),
            _ => None,
        },
    };
    result.map_or(Value::Absent, Value::Bool)
}

pub(crate) fn arith(add: bool, a: &Value, b: &Value) -> Value {
    match (scalar(a), scalar(b)) {
        (Some(x), Some(y)) => of_scalar(ops::arith(add, x, y)),
        _ => Value::Absent,
    }
}

impl Walker<'_> {
    fn step<'e>(&self, e: &'e TExpr) -> Step<'e> {
        let leaf = |value| Step {
            expr: e,
            value,
            children: Vec::new(),
        };
        let node = |value, children| Step {
            expr: e,
            value,
            children,
        };
        match &e.kind {
            TKind::Lit(l) | TKind::Const(_, l) => leaf(lit_value(l)),
            TKind::Fact(r) => leaf(super::read(self.case, self.request, *r).clone()),
            TKind::Not(x) => {
                let x = self.step(x);
                node(truth_value(x.truth().not()), vec![x])
            }
            TKind::And(xs) => {
                let xs: Vec<Step<'e>> = xs.iter().map(|x| self.step(x)).collect();
                let v = xs.iter().fold(Tri::True, |acc, x| acc.and(x.truth()));
                node(truth_value(v), xs)
            }
            TKind::Or(xs) => {
                let xs: Vec<Step<'e>> = xs.iter().map(|x| self.step(x)).collect();
                let v = xs.iter().fold(Tri::False, |acc, x| acc.or(x.truth()));
                node(truth_value(v), xs)
            }
            TKind::When(c, t, o) => {
                let c = self.step(c);
                let t = self.step(t);
                let o = o.as_deref().map(|o| self.step(o));
                let v = Tri::select(c.truth(), t.truth(), o.as_ref().map_or(Tri::True, Step::truth));
                let mut children = vec![c, t];
                children.extend(o);
                node(truth_value(v), children)
            }
            TKind::Cmp(op, a, b) => {
                let (a, b) = (self.step(a), self.step(b));
                node(compare(*op, &a.value, &b.value), vec![a, b])
            }
            TKind::Sum(first, rest) => {
                let first = self.step(first);
                let mut acc = first.value.clone();
                let mut children = vec![first];
                for (op, x) in rest {
                    let x = self.step(x);
                    acc = arith(*op == AddOp::Add, &acc, &x.value);
                    children.push(x);
                }
                node(acc, children)
            }
            TKind::Documented(x, negated) => {
                let x = self.step(x);
                node(Value::Bool(x.value.is_absent() == *negated), vec![x])
            }
            TKind::In(x, set) => {
                let x = self.step(x);
                let v = match x.value {
                    Value::Sym(s) => Value::Bool(set.items.contains(&s)),
                    _ => Value::Absent,
                };
                node(v, vec![x])
            }
            TKind::Contains(l, x) => {
                let (l, x) = (self.step(l), self.step(x));
                let v = match (&l.value, &x.value) {
                    (Value::List(l), Value::Sym(s)) => Value::Bool(l.contains(s)),
                    _ => Value::Absent,
                };
                node(v, vec![l, x])
            }
            TKind::ContainsAny(l, set) => {
                let l = self.step(l);
                let v = match &l.value {
                    Value::List(l) => Value::Bool(set.items.iter().any(|s| l.contains(s))),
                    _ => Value::Absent,
                };
                node(v, vec![l])
            }
            TKind::ContainsAll(l, set) => {
                let l = self.step(l);
                let v = match &l.value {
                    Value::List(l) => Value::Bool(set.items.iter().all(|s| l.contains(s))),
                    _ => Value::Absent,
                };
                node(v, vec![l])
            }
        }
    }
}
