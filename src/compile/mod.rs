//! Stage 3: checked criteria to flat predicate code.
//!
//! Each criterion becomes a short run of [`Op`]s in one shared array,
//! evaluated by a stack machine (see `eval`). Facts are read by slot
//! number; constants and sets sit in pools; `and`/`or` take all their
//! operands at once, so nothing here or in the machine recurses.
//!
//! Invariants: never looks at a case; every fact access is a slot index
//! fixed here; the code for a criterion leaves exactly one value on the
//! stack; `max_stack` bounds the stack any criterion needs.

use std::ops::Range;

use crate::check::{ConstValue, Lit, Program, RuleId, TExpr, TKind, Target, TreatmentId};
use crate::syntax::ast::{AddOp, CmpOp, CriterionKind};
use crate::value::{Sym, Value};

/// One instruction of the predicate machine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Push a case-level fact.
    Case(u16),
    /// Push a fact of the request.
    Req(u16),
    /// Push a fact of the requested treatment's history entry.
    Prior(u16),
    /// Push a fact of a named treatment's history entry.
    Hist(u32, u16),
    /// Push a literal from the pool.
    Lit(u32),
    Not,
    /// Pop n conditions, push their Kleene conjunction.
    And(u32),
    /// Pop n conditions, push their Kleene disjunction.
    Or(u32),
    /// Pop condition and consequence; without `else`, a false condition is met.
    When,
    /// Pop condition, consequence and alternative.
    WhenElse,
    Cmp(CmpOp),
    Add,
    Sub,
    /// Pop a symbol, push whether it is in the set.
    InSet(u32),
    /// Pop a list and a symbol, push whether the list holds it.
    Contains,
    ContainsAny(u32),
    ContainsAll(u32),
    /// Pop a value, push whether it is documented (negated: not documented).
    Documented(bool),
}

#[derive(Clone, Debug)]
pub struct CompiledCriterion {
    pub kind: CriterionKind,
    /// Empty for an unconditional `exclude`.
    pub code: Range<u32>,
}

#[derive(Clone, Debug)]
pub struct CompiledRule {
    pub criteria: Vec<CompiledCriterion>,
}

/// All rules as flat code, plus the rules that cover each treatment.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub ops: Vec<Op>,
    pub lits: Vec<Value>,
    /// Sorted symbol sets for `in` and `contains any/all of`.
    pub sets: Vec<Box<[Sym]>>,
    pub rules: Vec<CompiledRule>,
    /// For each treatment, the rules that apply to it (directly or by
    /// class), in declaration order.
    pub by_treatment: Vec<Vec<RuleId>>,
    /// The deepest stack any criterion needs.
    pub max_stack: usize,
}

pub fn compile(p: &Program) -> Compiled {
    let mut c = Compiler {
        ops: Vec::new(),
        lits: Vec::new(),
        sets: Vec::new(),
        depth: 0,
        max: 0,
    };
    let mut rules = Vec::with_capacity(p.rules.len());
    for r in &p.rules {
        let mut criteria = Vec::with_capacity(r.criteria.len());
        for cr in &r.criteria {
            let start = c.ops.len() as u32;
            c.depth = 0;
            if let Some(e) = &cr.expr {
                c.expr(e);
            }
            criteria.push(CompiledCriterion {
                kind: cr.kind,
                code: start..c.ops.len() as u32,
            });
        }
        rules.push(CompiledRule { criteria });
    }
    let by_treatment = (0..p.catalog.treatments.len())
        .map(|t| {
            let t = TreatmentId(t as u32);
            p.rules
                .iter()
                .enumerate()
                .filter(|(_, r)| p.applies(r, t))
                .map(|(i, _)| RuleId(i as u32))
                .collect()
        })
        .collect();
    let _ = Target::Treatment;
    Compiled {
        ops: c.ops,
        lits: c.lits,
        sets: c.sets,
        rules,
        by_treatment,
        max_stack: c.max.max(1),
    }
}

struct Compiler {
    ops: Vec<Op>,
    lits: Vec<Value>,
    sets: Vec<Box<[Sym]>>,
    depth: usize,
    max: usize,
}

pub fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Num(n) => Value::Num(*n),
        Lit::Date(d) => Value::Date(*d),
        Lit::Qty(q) => Value::Qty(*q),
        Lit::Sym(s) => Value::Sym(*s),
        Lit::Str(s) => Value::Text(s.as_str().into()),
    }
}

impl Compiler {
    /// Emit an op that pops `pop` values and pushes one.
    fn emit(&mut self, op: Op, pop: usize) {
        self.ops.push(op);
        self.depth = self.depth + 1 - pop;
        self.max = self.max.max(self.depth);
    }

    fn lit(&mut self, v: Value) {
        let i = match self.lits.iter().position(|x| *x == v) {
            Some(i) => i,
            None => {
                self.lits.push(v);
                self.lits.len() - 1
            }
        };
        self.emit(Op::Lit(i as u32), 0);
    }

    fn set(&mut self, items: &[Sym]) -> u32 {
        if let Some(i) = self.sets.iter().position(|s| &s[..] == items) {
            return i as u32;
        }
        self.sets.push(items.into());
        (self.sets.len() - 1) as u32
    }

    fn expr(&mut self, e: &TExpr) {
        use crate::check::FactRef;
        match &e.kind {
            TKind::Lit(l) | TKind::Const(_, l) => self.lit(lit_value(l)),
            TKind::Fact(r) => match *r {
                FactRef::Case(_, s) => self.emit(Op::Case(s), 0),
                FactRef::Request(_, s) => self.emit(Op::Req(s), 0),
                FactRef::Prior(_, s) => self.emit(Op::Prior(s), 0),
                FactRef::History(t, _, s) => self.emit(Op::Hist(t.0, s), 0),
            },
            TKind::Not(x) => {
                self.expr(x);
                self.emit(Op::Not, 1);
            }
            TKind::And(xs) | TKind::Or(xs) => {
                for x in xs {
                    self.expr(x);
                }
                let n = xs.len();
                let op = if matches!(e.kind, TKind::And(_)) {
                    Op::And(n as u32)
                } else {
                    Op::Or(n as u32)
                };
                self.emit(op, n);
            }
            TKind::When(c, t, o) => {
                self.expr(c);
                self.expr(t);
                match o {
                    Some(o) => {
                        self.expr(o);
                        self.emit(Op::WhenElse, 3);
                    }
                    None => self.emit(Op::When, 2),
                }
            }
            TKind::Cmp(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.emit(Op::Cmp(*op), 2);
            }
            TKind::Sum(first, rest) => {
                self.expr(first);
                for (op, x) in rest {
                    self.expr(x);
                    self.emit(if *op == AddOp::Add { Op::Add } else { Op::Sub }, 2);
                }
            }
            TKind::Documented(x, neg) => {
                self.expr(x);
                self.emit(Op::Documented(*neg), 1);
            }
            TKind::In(x, set) => {
                self.expr(x);
                let s = self.set(&set.items);
                self.emit(Op::InSet(s), 1);
            }
            TKind::Contains(l, x) => {
                self.expr(l);
                self.expr(x);
                self.emit(Op::Contains, 2);
            }
            TKind::ContainsAny(l, set) | TKind::ContainsAll(l, set) => {
                self.expr(l);
                let s = self.set(&set.items);
                let op = if matches!(e.kind, TKind::ContainsAny(..)) {
                    Op::ContainsAny(s)
                } else {
                    Op::ContainsAll(s)
                };
                self.emit(op, 1);
            }
        }
    }
}

/// The value of a constant, as the machine sees it.
pub fn const_value(c: &ConstValue) -> Option<Value> {
    match c {
        ConstValue::Lit(l) => Some(lit_value(l)),
        ConstValue::Set(_) => None,
    }
}
