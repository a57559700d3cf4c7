//! What would have to be documented or changed for a request to pass:
//! the pre-submission view of a decision.
//!
//! For each criterion that does not pass, [`advise`] works out from its
//! expression which undocumented facts its result depends on and which
//! of their values make it pass: a [`Need`], a fact with the values that
//! pass, or *all of* / *any of* such needs, following the criterion's
//! `and`, `or`, `when` and `not` (so `a or b` and `a and b` give
//! different advice). It then chooses one way (the first alternative of
//! each "any of", the passing value nearest the boundary), writes it into
//! a scratch copy of the case and runs every criterion of the decision
//! again with the evaluator that decides: a criterion the choice makes
//! fail (the guard of `when prior.received then ...` opened by recording
//! a prior course) is advised too, for a few rounds at most. Every other
//! alternative of an "any of" is checked the same way against the
//! criteria that read what it changes, and dropped if it fails.
//!
//! What documenting cannot meet (a documented fact against it, or a limit
//! that the record already uses up) is "cannot pass as requested"
//! ([`Blocker`]); then the nearest request that passes is looked for by
//! changing what the request itself says, one or two of its facts: the
//! largest amount, another intent, the shorter course ([`Nearest`]).
//!
//! A prior treatment the case has no `history` entry for reads as not
//! given: recording it is a need like any other (`new_entry`), and an
//! entry written means the course was given (`received: true`), as in a
//! case file. A course given has at least one visit and lasted at least a
//! day: the values tried for its `visits` and `duration` start there.
//!
//! Invariants: advice is checked with the compiled evaluator before it is
//! given (`Advice::checked`); the case is copied once per case
//! ([`Scratch`]), never per request, and every change to the copy is
//! undone before [`advise`] returns; the work for one request grows with
//! the criteria of the rules deciding it, not with the other requests.

mod nearest;
mod scratch;
mod walk;

pub use scratch::Scratch;
use scratch::{Key, key, treatment_of};
use walk::Walk;

use std::collections::{HashMap, HashSet};

use super::explain::{arith, compare, lit_value, truth_value};
use super::{Decision, Frame, Machine, Status, criterion_status, defaulted};
use crate::RuleSet;
use crate::check::{FactRef, FactType, Program, RuleId, TExpr, TKind, TreatmentId};
use crate::facts::Case;
use crate::syntax::ast::{AddOp, CriterionKind};
use crate::value::{Date, Dim, Qty, Sym, Tri, Unit, Value};

/// The values of a fact that meet what is asked of it, typed as a case
/// file writes them.
#[derive(Clone, Debug, PartialEq)]
pub enum Passes {
    /// This value.
    Is(Value),
    /// Any one of these.
    OneOf(Vec<Value>),
    /// This value or more.
    AtLeast(Value),
    /// This value or less.
    AtMost(Value),
    /// From the first to the second, both included.
    Between(Value, Value),
    /// Any value: the criterion asks only that it be documented.
    Any,
    /// A list holding at least one of these.
    IncludesAny(Vec<Sym>),
    /// A list holding every one of these.
    IncludesAll(Vec<Sym>),
    /// A list holding none of these.
    Excludes(Vec<Sym>),
}

/// One fact to document, with the values that pass.
#[derive(Clone, Debug, PartialEq)]
pub struct FactNeed {
    pub fact: FactRef,
    pub passes: Passes,
    /// The passing value the advice was checked with (the boundary of a
    /// range, the first of a choice).
    pub example: Value,
    /// The case has no `history` entry for this treatment: write one (a
    /// course given, `received: true`) holding the fact.
    pub new_entry: bool,
}

/// What a criterion needs documented to pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Need {
    Fact(FactNeed),
    AllOf(Vec<Need>),
    AnyOf(Vec<Need>),
}

impl Need {
    /// Every fact need in the tree, depth first.
    pub fn facts(&self) -> Vec<&FactNeed> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            match n {
                Need::Fact(f) => out.push(f),
                Need::AllOf(xs) | Need::AnyOf(xs) => stack.extend(xs.iter().rev()),
            }
        }
        out
    }
}

/// The advice for one criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionAdvice {
    pub rule: RuleId,
    pub criterion: usize,
    pub need: Need,
}

/// A criterion that documenting cannot meet for the request as asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocker {
    pub rule: RuleId,
    pub criterion: usize,
    /// The documented facts it reads (what the record or the request
    /// says), in the order it reads them.
    pub because: Vec<FactRef>,
    /// Undocumented facts it reads, for which no value would do.
    pub undocumented: Vec<FactRef>,
}

/// One change to what the request says.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub fact: FactRef,
    pub from: Value,
    pub to: Value,
}

/// The nearest request that passes: the changes to the request, then
/// what to document for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Nearest {
    pub changes: Vec<Change>,
    pub then: Vec<CriterionAdvice>,
}

/// Advice for a request that does not pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advice {
    /// Documentation that makes the request pass as asked (empty when it
    /// cannot pass as asked).
    pub document: Vec<CriterionAdvice>,
    /// What cannot pass as requested.
    pub blocked: Vec<Blocker>,
    /// When it cannot pass as requested: the nearest request that does.
    pub nearest: Option<Nearest>,
    /// The advice was applied to a copy of the case and the request
    /// passed (always, unless no way to pass was found).
    pub checked: bool,
}

/// A need being built: already met, impossible, or a tree.
enum N {
    T,
    F,
    Need(Need),
}

fn all_of(parts: Vec<N>) -> N {
    let mut xs = Vec::new();
    for p in parts {
        match p {
            N::T => {}
            N::F => return N::F,
            N::Need(Need::AllOf(ys)) => xs.extend(ys),
            N::Need(n) => xs.push(n),
        }
    }
    // "Any value" of a fact that another part gives a value is that value.
    let valued: Vec<FactRef> = xs
        .iter()
        .filter_map(|x| match x {
            Need::Fact(f) if f.passes != Passes::Any => Some(f.fact),
            _ => None,
        })
        .collect();
    xs.retain(|x| !matches!(x, Need::Fact(f) if f.passes == Passes::Any && valued.contains(&f.fact)));
    match xs.len() {
        0 => N::T,
        1 => N::Need(xs.remove(0)),
        _ => N::Need(Need::AllOf(xs)),
    }
}

fn any_of(parts: Vec<N>) -> N {
    let mut xs = Vec::new();
    for p in parts {
        match p {
            N::T => return N::T,
            N::F => {}
            N::Need(Need::AnyOf(ys)) => xs.extend(ys),
            N::Need(n) => {
                if !xs.contains(&n) {
                    xs.push(n)
                }
            }
        }
    }
    // The easiest way first: no prior course to record, fewest facts; a
    // way that records a prior course ("if it was given") only when no
    // way needs fewer.
    xs.sort_by_key(cost);
    if let Some(least) = xs.first().map(|x| cost(x).0) {
        xs.retain(|x| cost(x).0 == least);
    }
    match xs.len() {
        0 => N::F,
        1 => N::Need(xs.remove(0)),
        _ => N::Need(Need::AnyOf(xs)),
    }
}

/// How much documenting the first way through a need asks for: history
/// entries to add weigh most, then facts.
fn cost(n: &Need) -> (usize, usize) {
    let facts = chosen(n);
    (facts.iter().filter(|f| f.new_entry).count(), facts.len())
}

fn truth(v: &Value) -> Tri {
    match v {
        Value::Bool(b) => Tri::from_bool(*b),
        _ => Tri::Unknown,
    }
}

/// The writes of the advice items after item `after`, by place.
struct Later<'w> {
    writes: &'w HashMap<Key, Vec<(usize, FactRef, Value)>>,
    after: usize,
}

/// The state of one request being advised.
struct Advisor<'a> {
    rs: &'a RuleSet,
    i: usize,
    /// The criteria of the decision, in decision order.
    crits: Vec<(RuleId, usize)>,
    /// The criteria reading each place.
    readers: HashMap<Key, Vec<usize>>,
}

/// Advice for request `i`, given its decision (which does not pass).
/// `scratch` is a [`Scratch`] of `case`, reused for every request of it.
pub fn advise(rs: &RuleSet, m: &mut Machine, scratch: &mut Scratch, case: &Case, i: usize, d: &Decision) -> Advice {
    let p = &rs.program;
    let mut crits = Vec::new();
    for rr in &d.rules {
        for ci in 0..p.rule(rr.rule).criteria.len() {
            crits.push((rr.rule, ci));
        }
    }
    let mut readers: HashMap<Key, Vec<usize>> = HashMap::new();
    for (k, &(r, ci)) in crits.iter().enumerate() {
        for &f in &p.rule(r).criteria[ci].reads {
            let list = readers.entry(key(case, i, f)).or_default();
            if list.last() != Some(&k) {
                list.push(k);
            }
        }
    }
    let a = Advisor { rs, i, crits, readers };
    let mark = scratch.mark();
    let out = a.advise(m, scratch);
    scratch.undo_to(mark);
    out
}

/// The outcome of trying to make the request pass by documenting.
struct Plan {
    advice: Vec<CriterionAdvice>,
    blocked: Vec<usize>,
    passes: bool,
}

impl Advisor<'_> {
    fn p(&self) -> &Program {
        &self.rs.program
    }

    fn advise(&self, m: &mut Machine, sc: &mut Scratch) -> Advice {
        let mark = sc.mark();
        let plan = self.plan(m, sc);
        if plan.passes {
            let document = self.check_alternatives(m, sc, plan.advice);
            sc.undo_to(mark);
            return Advice {
                document,
                blocked: Vec::new(),
                nearest: None,
                checked: true,
            };
        }
        sc.undo_to(mark);
        let blocked: Vec<Blocker> = plan.blocked.iter().map(|&k| self.blocker(sc, k)).collect();
        let nearest = self.nearest(m, sc, &plan.blocked);
        Advice {
            document: Vec::new(),
            blocked,
            checked: nearest.is_some(),
            nearest,
        }
    }

    fn blocker(&self, sc: &mut Scratch, k: usize) -> Blocker {
        let (r, ci) = self.crits[k];
        let c = &self.p().rule(r).criteria[ci];
        let mut because = Vec::new();
        let mut undocumented = Vec::new();
        for &f in &c.reads {
            if super::read(&sc.case, self.i, f).is_absent() {
                undocumented.push(f);
            } else {
                because.push(f);
            }
        }
        Blocker {
            rule: r,
            criterion: ci,
            because,
            undocumented,
        }
    }

    fn status(&self, m: &mut Machine, sc: &Scratch, k: usize) -> Status {
        let (r, ci) = self.crits[k];
        criterion_status(self.rs, m, r, ci, &Frame::new(&sc.case, self.i))
    }

    /// Document what the failing criteria need, round by round, in the
    /// scratch copy (left applied; the caller undoes it).
    fn plan(&self, m: &mut Machine, sc: &mut Scratch) -> Plan {
        let mut advice: Vec<CriterionAdvice> = Vec::new();
        let mut blocked: Vec<usize> = Vec::new();
        let mut advised: HashSet<usize> = HashSet::new();
        for _round in 0..4 {
            let failing: Vec<usize> = (0..self.crits.len())
                .filter(|&k| !self.status(m, sc, k).passes())
                .collect();
            if failing.is_empty() {
                return Plan {
                    advice,
                    blocked,
                    passes: true,
                };
            }
            let mut progress = false;
            for k in failing {
                if !self.status(m, sc, k).passes() {
                    // Another criterion's choice this round may have met it.
                    match self.need_of(sc, k) {
                        N::Need(need) if !advised.contains(&k) => {
                            for f in chosen(&need) {
                                sc.set(self.p(), self.i, f.fact, f.example.clone());
                            }
                            advised.insert(k);
                            let (rule, criterion) = self.crits[k];
                            advice.push(CriterionAdvice { rule, criterion, need });
                            progress = true;
                        }
                        _ => blocked.push(k),
                    }
                }
            }
            if !blocked.is_empty() || !progress {
                break;
            }
        }
        if blocked.is_empty() {
            // Out of rounds: whatever still fails cannot be advised.
            blocked = (0..self.crits.len())
                .filter(|&k| !self.status(m, sc, k).passes())
                .collect();
        }
        let passes = blocked.is_empty();
        Plan {
            advice,
            blocked,
            passes,
        }
    }

    /// Check every alternative of every "any of" (with the first
    /// alternative of the others): it must leave each criterion reading
    /// what it changes passing; one that does not is dropped.
    fn check_alternatives(
        &self,
        m: &mut Machine,
        sc: &mut Scratch,
        advice: Vec<CriterionAdvice>,
    ) -> Vec<CriterionAdvice> {
        // The plan is applied in `sc`. Memo: a swap checked once.
        let mut memo: HashMap<String, bool> = HashMap::new();
        // Where each item's chosen way writes, by place: what an item's
        // other alternative would see written over it by the items after.
        let mut writes: HashMap<Key, Vec<(usize, FactRef, Value)>> = HashMap::new();
        for (idx, a) in advice.iter().enumerate() {
            for f in chosen(&a.need) {
                writes
                    .entry(key(&sc.case, self.i, f.fact))
                    .or_default()
                    .push((idx, f.fact, f.example.clone()));
            }
        }
        let mut out = Vec::with_capacity(advice.len());
        for (idx, mut a) in advice.into_iter().enumerate() {
            let later = Later {
                writes: &writes,
                after: idx,
            };
            a.need = self.prune(m, sc, &a.need, &later, &mut memo);
            out.push(a);
        }
        out
    }

    fn prune(
        &self,
        m: &mut Machine,
        sc: &mut Scratch,
        n: &Need,
        later: &Later<'_>,
        memo: &mut HashMap<String, bool>,
    ) -> Need {
        match n {
            Need::Fact(_) => n.clone(),
            Need::AllOf(xs) => Need::AllOf(xs.iter().map(|x| self.prune(m, sc, x, later, memo)).collect()),
            Need::AnyOf(xs) => {
                let first = chosen(&xs[0]);
                let mut kept = vec![self.prune(m, sc, &xs[0], later, memo)];
                for alt in &xs[1..] {
                    let add = chosen(alt);
                    // What later advice writes over, applied in order as a
                    // reader would.
                    let mut keys: Vec<Key> = add.iter().map(|f| key(&sc.case, self.i, f.fact)).collect();
                    keys.sort_by_key(|k| format!("{k:?}"));
                    keys.dedup();
                    let mut over: Vec<(usize, FactRef, Value)> = keys
                        .iter()
                        .filter_map(|k| later.writes.get(k))
                        .flatten()
                        .filter(|(j, ..)| *j > later.after)
                        .cloned()
                        .collect();
                    over.sort_by_key(|(j, ..)| *j);
                    let over: Vec<(FactRef, Value)> = over.into_iter().map(|(_, f, v)| (f, v)).collect();
                    let memo_key = format!(
                        "{:?}|{:?}|{:?}",
                        first.iter().map(|f| f.fact).collect::<Vec<_>>(),
                        add,
                        over
                    );
                    let ok = match memo.get(&memo_key) {
                        Some(&ok) => ok,
                        None => {
                            let ok = self.try_swap(m, sc, &first, &add, &over);
                            memo.insert(memo_key, ok);
                            ok
                        }
                    };
                    if ok {
                        kept.push(self.prune(m, sc, alt, later, memo));
                    }
                }
                if kept.len() == 1 {
                    kept.remove(0)
                } else {
                    Need::AnyOf(kept)
                }
            }
        }
    }

    /// With the plan applied: take out the facts of `remove` (back to
    /// what the case says), put in those of `add` then `over`, and run the
    /// criteria reading any of them.
    fn try_swap(
        &self,
        m: &mut Machine,
        sc: &mut Scratch,
        remove: &[&FactNeed],
        add: &[&FactNeed],
        over: &[(FactRef, Value)],
    ) -> bool {
        let mark = sc.mark();
        let mut touched: Vec<usize> = Vec::new();
        let touch = |sc: &Scratch, f: FactRef, touched: &mut Vec<usize>| {
            let k = key(&sc.case, self.i, f);
            let mut keys = vec![k];
            if let (Key::Hist(t, _), Some(h)) = (k, self.p().schema.builtin.history_received) {
                keys.push(Key::Hist(t, h));
            }
            for k in keys {
                if let Some(rs) = self.readers.get(&k) {
                    touched.extend(rs);
                }
            }
        };
        for f in remove {
            touch(sc, f.fact, &mut touched);
            sc.set(self.p(), self.i, f.fact, Value::Absent);
        }
        for f in add {
            touch(sc, f.fact, &mut touched);
            sc.set(self.p(), self.i, f.fact, f.example.clone());
        }
        for (f, v) in over {
            sc.set(self.p(), self.i, *f, v.clone());
        }
        touched.sort_unstable();
        touched.dedup();
        let ok = touched.iter().all(|&k| self.status(m, sc, k).passes());
        sc.undo_to(mark);
        ok
    }

    /// What criterion `k` needs, in the scratch case as it is now.
    fn need_of(&self, sc: &mut Scratch, k: usize) -> N {
        let (r, ci) = self.crits[k];
        let c = &self.p().rule(r).criteria[ci];
        let want = c.kind == CriterionKind::Require;
        let Some(e) = &c.expr else {
            // An unconditional exclusion: not recommended.
            return N::F;
        };
        let mut w = Walk { a: self, sc };
        match &e.kind {
            // The guard of `when C then X`: C false does not apply,
            // whatever the kind.
            TKind::When(cond, then, None) => {
                let off = w.need(cond, false);
                let on = all_of(vec![w.need(cond, true), w.need(then, want)]);
                any_of(vec![off, on])
            }
            _ => w.need(e, want),
        }
    }
}

/// The fact needs of the first alternative of each "any of" (the way the
/// advice is applied and checked).
fn chosen(n: &Need) -> Vec<&FactNeed> {
    let mut out = Vec::new();
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        match n {
            Need::Fact(f) => out.push(f),
            Need::AllOf(xs) => stack.extend(xs.iter().rev()),
            Need::AnyOf(xs) => stack.extend(xs.first()),
        }
    }
    out
}
