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

/// A copy of a case to try advice on, made once per case; every change
/// is recorded and undone.
pub struct Scratch {
    case: Case,
    undo: Vec<Undo>,
}

enum Undo {
    Case(u16, Value),
    Request(usize, u16, Value),
    History(TreatmentId, u16, Value),
    Inserted(TreatmentId),
}

impl Scratch {
    pub fn new(case: &Case) -> Scratch {
        Scratch {
            case: case.clone(),
            undo: Vec::new(),
        }
    }

    fn mark(&self) -> usize {
        self.undo.len()
    }

    /// Put `v` where `r` reads for request `i`; a history fact of a
    /// treatment with no entry adds one (given: `received` true).
    fn set(&mut self, p: &Program, i: usize, r: FactRef, v: Value) {
        let c = &mut self.case;
        match r {
            FactRef::Case(_, s) => {
                if let Some(x) = c.facts.get_mut(s as usize) {
                    self.undo.push(Undo::Case(s, std::mem::replace(x, v)));
                }
            }
            FactRef::Request(_, s) => {
                if let Some(x) = c.requests.get_mut(i).and_then(|q| q.facts.get_mut(s as usize)) {
                    self.undo.push(Undo::Request(i, s, std::mem::replace(x, v)));
                }
            }
            FactRef::Prior(_, s) | FactRef::History(_, _, s) => {
                let t = treatment_of(c, i, r);
                let at = match c.history.binary_search_by_key(&t, |(id, _)| *id) {
                    Ok(at) => at,
                    Err(at) => {
                        let mut record: Box<[Value]> = c.no_history.iter().cloned().collect();
                        if let Some(x) = p
                            .schema
                            .builtin
                            .history_received
                            .and_then(|h| record.get_mut(h as usize))
                        {
                            *x = Value::Bool(true);
                        }
                        c.history.insert(at, (t, record));
                        self.undo.push(Undo::Inserted(t));
                        at
                    }
                };
                if let Some(x) = c.history[at].1.get_mut(s as usize) {
                    self.undo.push(Undo::History(t, s, std::mem::replace(x, v)));
                }
            }
        }
    }

    fn undo_to(&mut self, mark: usize) {
        let c = &mut self.case;
        while self.undo.len() > mark {
            let Some(u) = self.undo.pop() else { break };
            match u {
                Undo::Case(s, v) => {
                    if let Some(x) = c.facts.get_mut(s as usize) {
                        *x = v;
                    }
                }
                Undo::Request(i, s, v) => {
                    if let Some(x) = c.requests.get_mut(i).and_then(|q| q.facts.get_mut(s as usize)) {
                        *x = v;
                    }
                }
                Undo::History(t, s, v) => {
                    if let Ok(at) = c.history.binary_search_by_key(&t, |(id, _)| *id) {
                        if let Some(x) = c.history[at].1.get_mut(s as usize) {
                            *x = v;
                        }
                    }
                }
                Undo::Inserted(t) => {
                    if let Ok(at) = c.history.binary_search_by_key(&t, |(id, _)| *id) {
                        c.history.remove(at);
                    }
                }
            }
        }
    }
}

/// The treatment whose history record `r` reads for request `i`.
fn treatment_of(case: &Case, i: usize, r: FactRef) -> TreatmentId {
    match r {
        FactRef::History(t, ..) => t,
        _ => case.requests.get(i).map_or(TreatmentId(0), |q| q.treatment),
    }
}

/// Where a fact reference reads, whatever it is called (`prior.x` of the
/// requested treatment and `history.T.x` are one place).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Case(u16),
    Request(u16),
    Hist(TreatmentId, u16),
}

fn key(case: &Case, i: usize, r: FactRef) -> Key {
    match r {
        FactRef::Case(_, s) => Key::Case(s),
        FactRef::Request(_, s) => Key::Request(s),
        FactRef::Prior(_, s) | FactRef::History(_, _, s) => Key::Hist(treatment_of(case, i, r), s),
    }
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

    /// The nearest request that passes: change one or two facts the
    /// request states and that a blocking criterion reads.
    fn nearest(&self, m: &mut Machine, sc: &mut Scratch, blocked: &[usize]) -> Option<Nearest> {
        let first = self.changes_for(sc, blocked, &[]);
        let mut tried = 0;
        for (f, v) in &first {
            let mark = sc.mark();
            let from = super::read(&sc.case, self.i, *f).clone();
            sc.set(self.p(), self.i, *f, v.clone());
            let plan = self.plan(m, sc);
            if plan.passes {
                let then = self.check_alternatives(m, sc, plan.advice);
                sc.undo_to(mark);
                return Some(Nearest {
                    changes: vec![Change {
                        fact: *f,
                        from,
                        to: v.clone(),
                    }],
                    then,
                });
            }
            // One more change, for the first few.
            if tried < 6 {
                tried += 1;
                let plan_blocked = plan.blocked.clone();
                // Undo the plan's documentation, keep the change.
                sc.undo_to(mark);
                sc.set(self.p(), self.i, *f, v.clone());
                let second = self.changes_for(sc, &plan_blocked, &[key(&sc.case, self.i, *f)]);
                for (g, w) in second.iter().take(8) {
                    let inner = sc.mark();
                    let gfrom = super::read(&sc.case, self.i, *g).clone();
                    sc.set(self.p(), self.i, *g, w.clone());
                    let plan = self.plan(m, sc);
                    if plan.passes {
                        let then = self.check_alternatives(m, sc, plan.advice);
                        sc.undo_to(mark);
                        return Some(Nearest {
                            changes: vec![
                                Change {
                                    fact: *f,
                                    from,
                                    to: v.clone(),
                                },
                                Change {
                                    fact: *g,
                                    from: gfrom,
                                    to: w.clone(),
                                },
                            ],
                            then,
                        });
                    }
                    sc.undo_to(inner);
                }
            }
            sc.undo_to(mark);
        }
        None
    }

    /// Changes to the request that might meet the blocking criteria: per
    /// fact of the request they read (documented, not `avoid`), the
    /// largest smaller amount that lets every one of them reading it be
    /// met, else each other value of a closed fact or a truth value.
    fn changes_for(&self, sc: &mut Scratch, blocked: &[usize], avoid: &[Key]) -> Vec<(FactRef, Value)> {
        let p = self.p();
        let b = &p.schema.builtin;
        let fixed = [
            Some(b.request_id),
            b.request_text,
            Some(b.request_treatment),
            Some(b.request_date),
            b.request_depends_on,
        ];
        let mut seen: Vec<u16> = Vec::new();
        let mut out = Vec::new();
        for &k in blocked {
            let (r, ci) = self.crits[k];
            for &f in &p.rule(r).criteria[ci].reads {
                let FactRef::Request(id, s) = f else { continue };
                if seen.contains(&s) || fixed.contains(&Some(s)) || avoid.contains(&Key::Request(s)) {
                    continue;
                }
                seen.push(s);
                let now = super::read(&sc.case, self.i, f).clone();
                let fact = p.schema.fact(id);
                match (&now, fact.ty) {
                    (Value::Absent, _) => {}
                    (Value::Qty(_) | Value::Int(_) | Value::Num(_), _) => {
                        let readers: Vec<usize> = blocked
                            .iter()
                            .copied()
                            .filter(|&k| {
                                let (r, ci) = self.crits[k];
                                p.rule(r).criteria[ci].reads.contains(&f)
                            })
                            .collect();
                        if let Some(v) = self.largest_amount(sc, f, &now, &readers) {
                            out.push((f, v));
                        }
                    }
                    (Value::Sym(cur), FactType::Symbol) => {
                        for s in fact.allowed.iter().flatten() {
                            if s != cur {
                                out.push((f, Value::Sym(*s)));
                            }
                        }
                    }
                    (Value::Bool(x), FactType::Bool) => out.push((f, Value::Bool(!x))),
                    _ => {}
                }
            }
        }
        // Amounts first (the nearest change), then the other values.
        out.sort_by_key(|(_, v)| !matches!(v, Value::Qty(_) | Value::Int(_) | Value::Num(_)));
        out
    }

    /// The largest whole amount below `now` (in its unit, at least 1) for
    /// which every criterion of `readers` can be met by documenting.
    fn largest_amount(&self, sc: &mut Scratch, f: FactRef, now: &Value, readers: &[usize]) -> Option<Value> {
        let (amount, make): (f64, Box<dyn Fn(f64) -> Value>) = match *now {
            Value::Qty(q) => (q.amount, Box::new(move |k| Value::Qty(Qty::new(k, q.unit)))),
            Value::Int(n) => (n as f64, Box::new(|k| Value::Int(k as i64))),
            Value::Num(n) => (n, Box::new(Value::Num)),
            _ => return None,
        };
        let top = amount.ceil() - 1.0;
        if !(top >= 1.0 && top.is_finite()) {
            return None;
        }
        let ok = |k: f64, sc: &mut Scratch| -> bool {
            let mark = sc.mark();
            sc.set(self.p(), self.i, f, make(k));
            let good = readers.iter().all(|&r| !matches!(self.need_of(sc, r), N::F));
            sc.undo_to(mark);
            good
        };
        if ok(top, sc) {
            return Some(make(top));
        }
        // Limits hold below a bound: search for the largest amount that
        // works as if they did (what is returned always works).
        if !ok(1.0, sc) {
            return None;
        }
        let (mut lo, mut hi) = (1.0_f64, top);
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if ok(mid, sc) { lo = mid } else { hi = mid }
        }
        Some(make(lo))
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

/// A walk of one criterion's expression over the scratch case.
struct Walk<'a, 'r, 'b> {
    a: &'a Advisor<'r>,
    sc: &'b mut Scratch,
}

impl Walk<'_, '_, '_> {
    fn p(&self) -> &Program {
        &self.a.rs.program
    }

    fn read(&self, r: FactRef) -> Value {
        super::read(&self.sc.case, self.a.i, r).clone()
    }

    /// `history.T.received` of a treatment with no entry: reads false,
    /// and recording the course would make it true.
    fn soft(&self, r: FactRef) -> bool {
        matches!(r, FactRef::Prior(..) | FactRef::History(..))
            && self.p().schema.builtin.history_received == Some(slot(r))
            && defaulted(&self.sc.case, self.a.i, r)
    }

    /// Can advice give `r` a value? Undocumented facts (not text, not
    /// derived from other parts of the case, `diagnoses.tags` aside) and
    /// the `received` of a prior course the case does not list.
    fn is_var(&self, r: FactRef) -> bool {
        if self.soft(r) {
            return true;
        }
        let f = self.p().schema.fact(r.fact());
        // An entry that says `received: false` documents nothing more.
        if matches!(r, FactRef::Prior(..) | FactRef::History(..)) {
            let t = treatment_of(&self.sc.case, self.a.i, r);
            let received = self.p().schema.builtin.history_received;
            if let (Some(rec), Some(h)) = (self.sc.case.history(t), received) {
                if rec.get(h as usize) == Some(&Value::Bool(false)) {
                    return false;
                }
            }
        }
        let derived_ok = !f.derived || self.p().schema.builtin.diagnosis_tags == Some(f.slot);
        self.read(r).is_absent() && derived_ok && !matches!(f.ty, FactType::Text | FactType::Treatment)
    }

    fn vars(&self, e: &TExpr, out: &mut Vec<FactRef>) {
        match &e.kind {
            TKind::Lit(_) | TKind::Const(..) => {}
            TKind::Fact(r) => {
                if self.is_var(*r) && !out.contains(r) {
                    out.push(*r);
                }
            }
            TKind::Not(x)
            | TKind::Documented(x, _)
            | TKind::In(x, _)
            | TKind::ContainsAny(x, _)
            | TKind::ContainsAll(x, _) => self.vars(x, out),
            TKind::And(xs) | TKind::Or(xs) => xs.iter().for_each(|x| self.vars(x, out)),
            TKind::When(c, t, o) => {
                self.vars(c, out);
                self.vars(t, out);
                if let Some(o) = o {
                    self.vars(o, out);
                }
            }
            TKind::Cmp(_, a, b) | TKind::Contains(a, b) => {
                self.vars(a, out);
                self.vars(b, out);
            }
            TKind::Sum(first, rest) => {
                self.vars(first, out);
                rest.iter().for_each(|(_, x)| self.vars(x, out));
            }
        }
    }

    fn eval(&self, e: &TExpr) -> Value {
        match &e.kind {
            TKind::Lit(l) | TKind::Const(_, l) => lit_value(l),
            TKind::Fact(r) => self.read(*r),
            TKind::Not(x) => truth_value(truth(&self.eval(x)).not()),
            TKind::And(xs) => truth_value(xs.iter().fold(Tri::True, |acc, x| acc.and(truth(&self.eval(x))))),
            TKind::Or(xs) => truth_value(xs.iter().fold(Tri::False, |acc, x| acc.or(truth(&self.eval(x))))),
            TKind::When(c, t, o) => {
                let o = o.as_deref().map_or(Tri::True, |o| truth(&self.eval(o)));
                truth_value(Tri::select(truth(&self.eval(c)), truth(&self.eval(t)), o))
            }
            TKind::Cmp(op, a, b) => compare(*op, &self.eval(a), &self.eval(b)),
            TKind::Sum(first, rest) => {
                let mut acc = self.eval(first);
                for (op, x) in rest {
                    acc = arith(*op == AddOp::Add, &acc, &self.eval(x));
                }
                acc
            }
            TKind::Documented(x, negated) => Value::Bool(self.eval(x).is_absent() == *negated),
            TKind::In(x, set) => match self.eval(x) {
                Value::Sym(s) => Value::Bool(set.items.contains(&s)),
                _ => Value::Absent,
            },
            TKind::Contains(l, x) => match (self.eval(l), self.eval(x)) {
                (Value::List(l), Value::Sym(s)) => Value::Bool(l.contains(&s)),
                _ => Value::Absent,
            },
            TKind::ContainsAny(l, set) => match self.eval(l) {
                Value::List(l) => Value::Bool(set.items.iter().any(|s| l.contains(s))),
                _ => Value::Absent,
            },
            TKind::ContainsAll(l, set) => match self.eval(l) {
                Value::List(l) => Value::Bool(set.items.iter().all(|s| l.contains(s))),
                _ => Value::Absent,
            },
        }
    }

    fn leaf(&self, r: FactRef, passes: Passes, example: Value) -> N {
        N::Need(Need::Fact(FactNeed {
            fact: r,
            passes,
            example,
            new_entry: matches!(r, FactRef::Prior(..) | FactRef::History(..)) && defaulted(&self.sc.case, self.a.i, r),
        }))
    }

    /// What makes `e` evaluate to `want`.
    fn need(&mut self, e: &TExpr, want: bool) -> N {
        let mut vars = Vec::new();
        self.vars(e, &mut vars);
        if vars.is_empty() {
            return match (truth(&self.eval(e)), want) {
                (Tri::True, true) | (Tri::False, false) => N::T,
                _ => N::F,
            };
        }
        match &e.kind {
            // A prior course not listed already reads as not given.
            TKind::Fact(r) if self.soft(*r) && !want => N::T,
            TKind::Fact(r) => self.leaf(*r, Passes::Is(Value::Bool(want)), Value::Bool(want)),
            TKind::Not(x) => self.need(x, !want),
            TKind::And(xs) if want => self.all(xs.iter().map(|x| (x, want)).collect()),
            TKind::Or(xs) if !want => self.all(xs.iter().map(|x| (x, want)).collect()),
            TKind::And(xs) | TKind::Or(xs) => {
                let parts = xs.iter().map(|x| self.need(x, want)).collect();
                any_of(parts)
            }
            TKind::When(c, t, o) => {
                let on = self.all(vec![(c, true), (t, want)]);
                let off = match o {
                    Some(o) => self.all(vec![(c, false), (o, want)]),
                    None if want => self.need(c, false),
                    None => N::F,
                };
                any_of(vec![on, off])
            }
            TKind::Documented(x, negated) => match &x.kind {
                TKind::Fact(r) if self.read(*r).is_absent() => {
                    if want != *negated {
                        let cands = self.candidates(*r);
                        match self.any_example(&cands) {
                            Some(v) => self.leaf(*r, Passes::Any, v),
                            None => N::F,
                        }
                    } else {
                        N::T
                    }
                }
                _ => self.atom(e, want, &vars),
            },
            TKind::ContainsAny(l, set) | TKind::ContainsAll(l, set) => match &l.kind {
                TKind::Fact(r) if vars == [*r] => {
                    let items = set.items.to_vec();
                    let all = matches!(e.kind, TKind::ContainsAll(..));
                    match (want, all) {
                        (true, false) => {
                            let ex = Value::List(items[..1.min(items.len())].into());
                            self.leaf(*r, Passes::IncludesAny(items), ex)
                        }
                        (true, true) => {
                            let ex = Value::List(items.clone().into());
                            self.leaf(*r, Passes::IncludesAll(items), ex)
                        }
                        (false, _) => self.leaf(*r, Passes::Excludes(items), Value::List(Box::new([]))),
                    }
                }
                _ => self.atom(e, want, &vars),
            },
            TKind::Contains(l, x) => match (&l.kind, self.eval(x)) {
                (TKind::Fact(r), Value::Sym(s)) if vars == [*r] => {
                    if want {
                        self.leaf(*r, Passes::IncludesAll(vec![s]), Value::List(Box::new([s])))
                    } else {
                        self.leaf(*r, Passes::Excludes(vec![s]), Value::List(Box::new([])))
                    }
                }
                _ => self.atom(e, want, &vars),
            },
            _ => self.atom(e, want, &vars),
        }
    }

    /// What makes every one of `parts` evaluate as wanted: each part's
    /// need is worked out with the choices of those before it in place,
    /// so the facts they share get one value.
    fn all(&mut self, parts: Vec<(&TExpr, bool)>) -> N {
        let mark = self.sc.mark();
        let mut out = Vec::new();
        for (e, want) in parts {
            let n = self.need(e, want);
            if let N::Need(need) = &n {
                let a = self.a;
                // "Any value" is left open for the parts after it to say.
                for f in chosen(need).into_iter().filter(|f| f.passes != Passes::Any) {
                    self.sc.set(&a.rs.program, a.i, f.fact, f.example.clone());
                }
            }
            let stop = matches!(n, N::F);
            out.push(n);
            if stop {
                break;
            }
        }
        self.sc.undo_to(mark);
        all_of(out)
    }

    /// A comparison (or another test) over one or two undocumented facts:
    /// the values that make it `want`, by trying the values each may hold.
    fn atom(&mut self, e: &TExpr, want: bool, vars: &[FactRef]) -> N {
        let hits = |w: &mut Self, r: FactRef, cands: &[Value]| -> Vec<bool> {
            let mut at = |k: usize| {
                let mark = w.sc.mark();
                let a = w.a;
                w.sc.set(&a.rs.program, a.i, r, cands[k].clone());
                let t = truth(&w.eval(e));
                w.sc.undo_to(mark);
                t == Tri::from_bool(want)
            };
            let ordered = cands
                .first()
                .is_some_and(|v| matches!(v, Value::Qty(_) | Value::Int(_) | Value::Num(_)));
            if !ordered || cands.len() <= 64 {
                return (0..cands.len()).map(at).collect();
            }
            // Many whole amounts in order: try every 1/32nd of them and find
            // each change between two tried to the unit (a test of an amount
            // changes at its thresholds only).
            let step = cands.len() / 32;
            let mut grid: Vec<usize> = (0..cands.len()).step_by(step).collect();
            if grid.last() != Some(&(cands.len() - 1)) {
                grid.push(cands.len() - 1);
            }
            let vals: Vec<bool> = grid.iter().map(|&k| at(k)).collect();
            let mut ok = vec![false; cands.len()];
            for w2 in 0..grid.len() - 1 {
                let (a, b) = (grid[w2], grid[w2 + 1]);
                let (va, vb) = (vals[w2], vals[w2 + 1]);
                if va == vb {
                    ok[a..=b].iter_mut().for_each(|x| *x = va);
                    continue;
                }
                let (mut lo, mut hi) = (a, b);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if at(mid) == va { lo = mid } else { hi = mid }
                }
                ok[a..=lo].iter_mut().for_each(|x| *x = va);
                ok[hi..=b].iter_mut().for_each(|x| *x = vb);
            }
            ok
        };
        match vars {
            [r] => {
                let cands = self.candidates(*r);
                let ok = hits(self, *r, &cands);
                match self.summarize(*r, &cands, &ok, e, want) {
                    Some((passes, example)) => self.leaf(*r, passes, example),
                    None => N::F,
                }
            }
            [r, s] => {
                let (c1, c2) = (self.candidates(*r), self.candidates(*s));
                // The first fact's values at its ends, then across its range
                // (a pair is a sum under a bound: an end works if any does).
                let step = (c1.len() / 32).max(1);
                let mut order: Vec<usize> = vec![0, c1.len().saturating_sub(1)];
                order.extend((0..c1.len()).step_by(step));
                order.dedup();
                for v in order.into_iter().filter_map(|k| c1.get(k)) {
                    let mark = self.sc.mark();
                    let a = self.a;
                    self.sc.set(&a.rs.program, a.i, *r, v.clone());
                    let ok = hits(self, *s, &c2);
                    let found = self.summarize(*s, &c2, &ok, e, want);
                    let first = self.leaf(*r, Passes::Is(v.clone()), v.clone());
                    self.sc.undo_to(mark);
                    if let Some((passes, example)) = found {
                        let second = self.leaf(*s, passes, example);
                        return all_of(vec![first, second]);
                    }
                }
                N::F
            }
            _ => N::F,
        }
    }

    /// The values tried for an undocumented fact: both truth values, each
    /// value of a closed symbol, whole amounts across a number's range
    /// (at most 401, in the unit it is counted in), dates around the
    /// request's.
    fn candidates(&self, r: FactRef) -> Vec<Value> {
        let p = self.p();
        let f = p.schema.fact(r.fact());
        if self.soft(r) {
            return vec![Value::Bool(true), Value::Bool(false)];
        }
        match f.ty {
            FactType::Bool => vec![Value::Bool(true), Value::Bool(false)],
            FactType::Symbol => f.allowed.iter().flatten().map(|s| Value::Sym(*s)).collect(),
            FactType::Score | FactType::Percent | FactType::Int => {
                let Some((lo, hi)) = crate::check::describe::range_of(f) else {
                    return Vec::new();
                };
                if !(lo.is_finite() && hi - lo <= 400.0) {
                    return Vec::new();
                }
                let n = (hi - lo).floor() as i64;
                (0..=n)
                    .map(|k| lo.ceil() + k as f64)
                    .filter(|x| *x <= hi)
                    .map(|x| {
                        if f.ty == FactType::Int {
                            Value::Int(x as i64)
                        } else {
                            Value::Num(x)
                        }
                    })
                    .collect()
            }
            FactType::Quantity | FactType::Duration | FactType::Number => {
                let unit = match f.ty {
                    FactType::Duration => Some(Unit::Day),
                    FactType::Quantity => match f.dim {
                        Some(Dim::Visit) => Some(Unit::Visit),
                        Some(Dim::Tablet) => Some(Unit::Tablet),
                        Some(Dim::Item) => Some(Unit::Item),
                        Some(Dim::Mass) => Some(Unit::Mg),
                        Some(Dim::Med) => Some(Unit::MgMed),
                        Some(Dim::Time) => Some(Unit::Day),
                        _ => return Vec::new(),
                    },
                    _ => None,
                };
                let factor = unit.map_or(1.0, Unit::factor);
                let (lo, hi) = f.range.map_or((0.0, 400.0 * factor), |r| (r.min, r.max));
                let mut lo = (lo / factor).ceil().max(0.0);
                // A course given had a visit and lasted a day.
                let course = matches!(r, FactRef::Prior(..) | FactRef::History(..))
                    && matches!(f.key.as_slice(), [k] if k == "visits" || k == "duration")
                    && p.schema.builtin.history_received.is_some_and(|h| {
                        let t = treatment_of(&self.sc.case, self.a.i, r);
                        self.sc
                            .case
                            .history(t)
                            .is_none_or(|rec| rec.get(h as usize) == Some(&Value::Bool(true)))
                    });
                if course {
                    lo = lo.max(1.0);
                }
                let hi = (hi / factor).floor().min(lo + 400.0);
                if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
                    return Vec::new();
                }
                (0..=(hi - lo) as i64)
                    .map(|k| lo + k as f64)
                    .map(|x| match unit {
                        Some(u) => Value::Qty(Qty::new(x, u)),
                        None => Value::Num(x),
                    })
                    .collect()
            }
            FactType::Date => {
                let base = self.sc.case.requests.get(self.a.i).map_or(0, |q| q.date.0);
                DATE_OFFSETS.iter().map(|d| Value::Date(Date(base + d))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The passing values among `cands` (`ok`), as a [`Passes`] and the
    /// example to apply: a run at one end of an ordered range is a bound
    /// (for dates, found to the day between the values tried).
    fn summarize(
        &mut self,
        r: FactRef,
        cands: &[Value],
        ok: &[bool],
        e: &TExpr,
        want: bool,
    ) -> Option<(Passes, Value)> {
        let n_ok = ok.iter().filter(|x| **x).count();
        if n_ok == 0 {
            return None;
        }
        let ty = self.p().schema.fact(r.fact()).ty;
        let ordered = matches!(
            ty,
            FactType::Score
                | FactType::Percent
                | FactType::Int
                | FactType::Quantity
                | FactType::Duration
                | FactType::Number
                | FactType::Date
        ) && !self.soft(r);
        let first = ok.iter().position(|x| *x)?;
        let last = ok.iter().rposition(|x| *x)?;
        if n_ok == ok.len() {
            return Some((Passes::Any, self.any_example(cands)?));
        }
        if ordered && last - first + 1 == n_ok {
            let mut lo = cands[first].clone();
            let mut hi = cands[last].clone();
            if ty == FactType::Date {
                if first > 0 {
                    lo = self.bisect(r, &cands[first - 1], &lo, e, want);
                }
                if last + 1 < cands.len() {
                    hi = self.bisect(r, &cands[last + 1], &hi, e, want);
                }
            }
            if last == ok.len() - 1 {
                return Some((Passes::AtLeast(lo.clone()), lo));
            }
            if first == 0 {
                return Some((Passes::AtMost(hi.clone()), hi));
            }
            return Some((Passes::Between(lo.clone(), hi), lo));
        }
        let passing: Vec<Value> = cands
            .iter()
            .zip(ok)
            .filter(|(_, k)| **k)
            .map(|(v, _)| v.clone())
            .collect();
        let example = passing[0].clone();
        Some(match passing.len() {
            1 => (Passes::Is(example.clone()), example),
            _ => (Passes::OneOf(passing), example),
        })
    }

    /// The value to apply for "any value": the request's date for a
    /// date, else the first value tried.
    fn any_example(&self, cands: &[Value]) -> Option<Value> {
        match cands.first()? {
            Value::Date(_) => self.sc.case.requests.get(self.a.i).map(|q| Value::Date(q.date)),
            v => Some(v.clone()),
        }
    }

    /// Between a date that fails and one that passes, the passing date
    /// nearest the one that fails.
    fn bisect(&mut self, r: FactRef, fail: &Value, pass: &Value, e: &TExpr, want: bool) -> Value {
        let (&Value::Date(Date(f)), &Value::Date(Date(ok))) = (fail, pass) else {
            return pass.clone();
        };
        let (mut f, mut ok) = (f, ok);
        while (ok - f).abs() > 1 {
            let mid = f + (ok - f) / 2;
            let mark = self.sc.mark();
            let a = self.a;
            self.sc.set(&a.rs.program, a.i, r, Value::Date(Date(mid)));
            let good = truth(&self.eval(e)) == Tri::from_bool(want);
            self.sc.undo_to(mark);
            if good { ok = mid } else { f = mid }
        }
        Value::Date(Date(ok))
    }
}

/// Days from the request date tried for an undocumented date.
const DATE_OFFSETS: &[i32] = &[
    -36_500, -7_300, -3_650, -1_825, -1_095, -730, -365, -270, -180, -120, -90, -60, -42, -30, -21, -14, -7, -3, -1, 0,
    1, 3, 7, 14, 30, 60, 90, 180, 365, 730, 3_650,
];

fn slot(r: FactRef) -> u16 {
    match r {
        FactRef::Case(_, s) | FactRef::Request(_, s) | FactRef::Prior(_, s) | FactRef::History(_, _, s) => s,
    }
}
