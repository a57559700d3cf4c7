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

/// Where an instruction takes an operand from: the stack, or, for a
/// fact or a literal, straight from its slot (no push and pop).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    /// Pop it (the code before left it on the stack).
    Pop,
    /// A case-level fact.
    Case(u16),
    /// A fact of the request.
    Req(u16),
    /// A fact of the requested treatment's history entry.
    Prior(u16),
    /// A literal from the pool.
    Lit(u32),
}

impl Arg {
    fn pops(self) -> usize {
        usize::from(self == Arg::Pop)
    }
}

/// One instruction of the predicate machine. Each leaves one value on the
/// stack; an instruction with two stack operands pops the second first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Push a value (a fact or a literal).
    Push(Arg),
    /// Push a fact of a named treatment's history entry.
    Hist(u32, u16),
    Not(Arg),
    /// Pop n conditions, push their Kleene conjunction.
    And(u32),
    /// Pop n conditions, push their Kleene disjunction.
    Or(u32),
    /// The Kleene conjunction of two conditions.
    And2(Arg, Arg),
    /// The Kleene disjunction of two conditions.
    Or2(Arg, Arg),
    /// Condition and consequence; without `else`, a false condition is met.
    When(Arg, Arg),
    /// Condition, consequence and alternative.
    WhenElse(Arg, Arg, Arg),
    Cmp(CmpOp, Arg, Arg),
    /// `a + b` (true) or `a - b` (false).
    Arith(bool, Arg, Arg),
    /// `(a + b) op c` (true) or `(a - b) op c` (false) in one step: the
    /// shape of every "completed plus requested within a limit" criterion.
    SumCmp(CmpOp, bool, Arg, Arg, Arg),
    /// Whether a symbol is in the set.
    InSet(u32, Arg),
    /// Whether a list holds a symbol.
    Contains(Arg, Arg),
    ContainsAny(u32, Arg),
    ContainsAll(u32, Arg),
    /// Whether a value is documented (negated: not documented).
    Documented(bool, Arg),
}

#[derive(Clone, Debug)]
pub struct CompiledCriterion {
    pub kind: CriterionKind,
    /// Empty for an unconditional `exclude`.
    pub code: Range<u32>,
    /// For a criterion written `when C then X` (no `else`), the code of C
    /// alone: when it is false, the criterion does not apply.
    pub guard: Option<Range<u32>>,
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
            let mut guard = None;
            if let Some(TExpr {
                kind: TKind::When(cond, _, None),
                ..
            }) = &cr.expr
            {
                let g = c.ops.len() as u32;
                c.depth = 0;
                c.expr(cond);
                guard = Some(g..c.ops.len() as u32);
            }
            let start = c.ops.len() as u32;
            c.depth = 0;
            if let Some(e) = &cr.expr {
                c.expr(e);
            }
            criteria.push(CompiledCriterion {
                kind: cr.kind,
                code: start..c.ops.len() as u32,
                guard,
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

    fn lit_index(&mut self, v: Value) -> u32 {
        let i = match self.lits.iter().position(|x| *x == v) {
            Some(i) => i,
            None => {
                self.lits.push(v);
                self.lits.len() - 1
            }
        };
        i as u32
    }

    fn set(&mut self, items: &[Sym]) -> u32 {
        if let Some(i) = self.sets.iter().position(|s| &s[..] == items) {
            return i as u32;
        }
        self.sets.push(items.into());
        (self.sets.len() - 1) as u32
    }

    /// A fact or a literal, as an argument read in place.
    fn leaf(&mut self, e: &TExpr) -> Option<Arg> {
        use crate::check::FactRef;
        match &e.kind {
            TKind::Lit(l) | TKind::Const(_, l) => Some(Arg::Lit(self.lit_index(lit_value(l)))),
            TKind::Fact(FactRef::Case(_, s)) => Some(Arg::Case(*s)),
            TKind::Fact(FactRef::Request(_, s)) => Some(Arg::Req(*s)),
            TKind::Fact(FactRef::Prior(_, s)) => Some(Arg::Prior(*s)),
            _ => None,
        }
    }

    /// An operand: a leaf stays an argument; anything else is computed
    /// onto the stack. Operands are compiled left to right, so stack
    /// operands are popped right to left.
    fn operand(&mut self, e: &TExpr) -> Arg {
        match self.leaf(e) {
            Some(a) => a,
            None => {
                self.expr(e);
                Arg::Pop
            }
        }
    }

    fn expr(&mut self, e: &TExpr) {
        use crate::check::FactRef;
        match &e.kind {
            TKind::Lit(_) | TKind::Const(..) | TKind::Fact(_) => match (&e.kind, self.leaf(e)) {
                (_, Some(a)) => self.emit(Op::Push(a), 0),
                (TKind::Fact(FactRef::History(t, _, s)), None) => self.emit(Op::Hist(t.0, *s), 0),
                _ => {}
            },
            TKind::Not(x) => {
                let a = self.operand(x);
                self.emit(Op::Not(a), a.pops());
            }
            TKind::And(xs) | TKind::Or(xs) if xs.len() == 2 => {
                let a = self.operand(&xs[0]);
                let b = self.operand(&xs[1]);
                let op = if matches!(e.kind, TKind::And(_)) {
                    Op::And2(a, b)
                } else {
                    Op::Or2(a, b)
                };
                self.emit(op, a.pops() + b.pops());
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
            TKind::When(c, t, o) => match o {
                Some(o) => {
                    let c = self.operand(c);
                    let t = self.operand(t);
                    let o = self.operand(o);
                    self.emit(Op::WhenElse(c, t, o), c.pops() + t.pops() + o.pops());
                }
                None => {
                    let c = self.operand(c);
                    let t = self.operand(t);
                    self.emit(Op::When(c, t), c.pops() + t.pops());
                }
            },
            TKind::Cmp(op, a, b) => {
                // `x ± y <op> z` with leaves x and y: one instruction.
                if let TKind::Sum(first, rest) = &a.kind {
                    if let ([(add, y)], Some(x)) = (rest.as_slice(), self.leaf(first)) {
                        if let Some(y) = self.leaf(y) {
                            let z = self.operand(b);
                            self.emit(Op::SumCmp(*op, *add == AddOp::Add, x, y, z), z.pops());
                            return;
                        }
                    }
                }
                let a = self.operand(a);
                let b = self.operand(b);
                self.emit(Op::Cmp(*op, a, b), a.pops() + b.pops());
            }
            TKind::Sum(first, rest) => {
                let mut acc = self.operand(first);
                if rest.is_empty() {
                    if acc != Arg::Pop {
                        self.emit(Op::Push(acc), 0);
                    }
                    return;
                }
                for (op, x) in rest {
                    let b = self.operand(x);
                    self.emit(Op::Arith(*op == AddOp::Add, acc, b), acc.pops() + b.pops());
                    acc = Arg::Pop;
                }
            }
            TKind::Documented(x, neg) => {
                let a = self.operand(x);
                self.emit(Op::Documented(*neg, a), a.pops());
            }
            TKind::In(x, set) => {
                let a = self.operand(x);
                let s = self.set(&set.items);
                self.emit(Op::InSet(s, a), a.pops());
            }
            TKind::Contains(l, x) => {
                let l = self.operand(l);
                let x = self.operand(x);
                self.emit(Op::Contains(l, x), l.pops() + x.pops());
            }
            TKind::ContainsAny(l, set) | TKind::ContainsAll(l, set) => {
                let a = self.operand(l);
                let s = self.set(&set.items);
                let op = if matches!(e.kind, TKind::ContainsAny(..)) {
                    Op::ContainsAny(s, a)
                } else {
                    Op::ContainsAll(s, a)
                };
                self.emit(op, a.pops());
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
