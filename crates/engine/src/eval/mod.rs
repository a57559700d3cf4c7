//! Stage 4: deciding requests.
//!
//! [`Machine`] runs the flat predicate code of one criterion against one
//! request, reading facts by slot. [`decide_case`] applies the decision
//! policy of DESIGN.md section 5 to every request of a case: choose the
//! rules in force on the request date (MTUS first, supplements with the
//! rule they supplement), evaluate every criterion, and take the outcome
//! from the worst status; a request with `depends_on` falls with the
//! request it depends on. Each decision says which LOW criteria (see
//! `check::confidence`) its outcome rests on ([`Provisional`]).
//!
//! Invariants: never does a string lookup or a map search per fact; never
//! allocates per criterion; never recurses; the same case gives the same
//! decision, whatever else runs.

pub mod advice;
pub mod crosscheck;
pub mod explain;
pub mod fast;
pub mod reference;

use crate::RuleSet;
use crate::check::{Program, RuleId, Tier, TreatmentId};
use crate::compile::{Arg, Compiled, Op};
use crate::diag::{Diagnostic, FileId, Span};
use crate::facts::{Case, Recorded};
use crate::syntax::ast::{CmpOp, CriterionKind};
use crate::value::ops::{self, Scalar};
use crate::value::{Date, Dim, Sym, Tri, Value};

/// The status of one criterion for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    NotMet,
    NotDocumented,
    /// A criterion written `when C then ...` whose condition C is false:
    /// it does not concern this request (a repeat-injection criterion on a
    /// first injection). Counts as met.
    NotApplicable,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not met",
            Status::NotDocumented => "not documented",
            Status::NotApplicable => "does not apply",
        }
    }

    /// The status in words for a criterion of `kind`: an exclusion whose
    /// condition holds "excludes" the request, one whose condition does
    /// not "does not exclude" it (never "met" beside a sentence stating
    /// the excluding condition).
    pub fn label_for(self, kind: CriterionKind) -> &'static str {
        match (kind, self) {
            (CriterionKind::Exclude, Status::NotMet) => "excludes",
            (CriterionKind::Exclude, Status::Met) => "does not exclude",
            _ => self.label(),
        }
    }

    /// Met or not applicable: nothing against the request.
    pub fn passes(self) -> bool {
        matches!(self, Status::Met | Status::NotApplicable)
    }
}

/// The decision for one request (DESIGN.md section 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    MedicallyNecessary,
    NotMedicallyNecessary,
    /// Not medically necessary because the record does not document a
    /// criterion.
    InsufficientDocumentation,
}

impl Outcome {
    /// What an IMR reviewer would record: not medically necessary upholds
    /// the denial, medically necessary overturns it.
    pub fn predicts(self) -> Recorded {
        match self {
            Outcome::MedicallyNecessary => Recorded::Overturned,
            _ => Recorded::Upheld,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::MedicallyNecessary => "medically necessary",
            Outcome::NotMedicallyNecessary => "not medically necessary",
            Outcome::InsufficientDocumentation => "not medically necessary: insufficient documentation",
        }
    }
}

/// Why a rule took part in a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The highest-tier rules in force for the treatment.
    Decides,
    /// A lower-tier rule that names a deciding rule in `supplements`.
    Supplements,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleResult {
    pub rule: RuleId,
    pub role: Role,
    /// One status per criterion of the rule, in order.
    pub statuses: Vec<Status>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    /// Deciding rules first, then supplements, each in declaration order.
    pub rules: Vec<RuleResult>,
    /// Rules in force for the treatment that a higher tier displaced.
    pub set_aside: Vec<RuleId>,
    /// The first criterion not met, else the first not documented:
    /// (index into `rules`, criterion index).
    pub decided_by: Option<(usize, usize)>,
    /// The request this one fell with (`depends_on`), if it did.
    pub fell_with: Option<usize>,
    /// The LOW criteria the outcome rests on (see [`Provisional`]).
    pub provisional: Provisional,
}

/// Why a decision is provisional: it rests on a criterion whose
/// confidence is LOW (`check::confidence`). Not medically necessary rests
/// on its deciding criterion; insufficient documentation on every
/// criterion not documented; medically necessary on every criterion met
/// (not those that do not apply). A request that was medically necessary
/// on its own and fell with its dependency rests on that decision.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provisional {
    /// (index into `Decision::rules`, criterion index) of each LOW
    /// criterion the outcome rests on, in decision order.
    pub criteria: Vec<(usize, usize)>,
    /// It fell with a dependency whose decision is provisional.
    pub dependency: bool,
}

impl Provisional {
    pub fn is_provisional(&self) -> bool {
        !self.criteria.is_empty() || self.dependency
    }
}

/// The LOW criteria an outcome rests on (see [`Provisional`]).
pub fn rests_on(
    p: &Program,
    rules: &[RuleResult],
    outcome: Outcome,
    decided_by: Option<(usize, usize)>,
) -> Vec<(usize, usize)> {
    let low = |ri: usize, ci: usize| {
        rules
            .get(ri)
            .and_then(|rr| p.rule(rr.rule).criteria.get(ci))
            .is_some_and(|c| c.grounds.is_low())
    };
    let all = |want: Status| -> Vec<(usize, usize)> {
        rules
            .iter()
            .enumerate()
            .flat_map(|(ri, rr)| {
                rr.statuses
                    .iter()
                    .enumerate()
                    .filter(move |&(_, &s)| s == want)
                    .map(move |(ci, _)| (ri, ci))
            })
            .filter(|&(ri, ci)| low(ri, ci))
            .collect()
    };
    match outcome {
        Outcome::NotMedicallyNecessary => decided_by.filter(|&(ri, ci)| low(ri, ci)).into_iter().collect(),
        Outcome::InsufficientDocumentation => all(Status::NotDocumented),
        Outcome::MedicallyNecessary => all(Status::Met),
    }
}

/// After `depends_on` is settled: a request that fell from medically
/// necessary (`fell_from` gives its dependency) is provisional when that
/// dependency's decision is. Only ever sets, so it ends within `n` passes.
pub(crate) fn settle_provisional<T>(
    out: &mut [Result<T, EvalError>],
    fell_from: impl Fn(&T) -> Option<usize>,
    is_provisional: impl Fn(&T) -> bool,
    mark: impl Fn(&mut T),
) {
    for _ in 0..=out.len() {
        let mut changed = false;
        for i in 0..out.len() {
            let q = match &out[i] {
                Ok(d) if !is_provisional(d) => fell_from(d),
                _ => None,
            };
            let dep = q
                .and_then(|q| out.get(q))
                .is_some_and(|r| r.as_ref().is_ok_and(&is_provisional));
            if dep {
                if let Ok(d) = &mut out[i] {
                    mark(d);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// A request that could not be decided.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("no rule covers {treatment}")]
    NoRule { treatment: String },
    #[error("no rule in force on {date} for {treatment}{}", not_encoded(.treatment, .guidelines))]
    NoRuleInForce {
        treatment: String,
        date: Date,
        /// The covering rules and when they are in force.
        windows: Vec<(String, String)>,
        /// For a date of the current regime (2017-12-01 on): the titles of
        /// the MTUS guideline versions in force then, none of which has a
        /// criterion encoded for the treatment.
        guidelines: Vec<String>,
    },
    #[error("request `{request}` depends on `{on}`, which could not be decided")]
    DependencyUndecided { request: String, on: String },
}

/// `: no criterion encoded for T under the MTUS guideline versions in
/// force then (...)`, for a date of the current regime.
fn not_encoded(treatment: &str, guidelines: &[String]) -> String {
    if guidelines.is_empty() {
        return String::new();
    }
    format!(
        ": no criterion encoded for {treatment} under the MTUS guideline versions in force then ({})",
        guidelines.join("; ")
    )
}

/// The first date of service of the ACOEM-based MTUS (criteria-2018.md
/// LAW18-1).
pub const CURRENT_REGIME: Date = Date(17501); // 2017-12-01, checked in a unit test

/// The MTUS guideline versions of the current regime in force on `date`
/// (sources of tier `mtus` whose period starts on or after
/// [`CURRENT_REGIME`] and contains the date), by title, in declaration
/// order; empty before the current regime.
pub fn guidelines_in_force(p: &Program, date: Date) -> Vec<String> {
    if date < CURRENT_REGIME {
        return Vec::new();
    }
    p.sources
        .iter()
        .filter(|g| {
            g.tier == Tier::Mtus && g.window.from.is_some_and(|f| f >= CURRENT_REGIME) && g.window.contains(date)
        })
        .map(|g| g.title.clone())
        .collect()
}

impl EvalError {
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::NoRule { .. } => "no-rule",
            EvalError::NoRuleInForce { .. } => "no-rule-in-force",
            EvalError::DependencyUndecided { .. } => "dependency-undecided",
        }
    }

    pub fn help(&self) -> String {
        match self {
            EvalError::NoRule { .. } => {
                "the shipped rules do not cover this treatment yet; a reviewer decides it by hand, or a rule author adds a rule".into()
            }
            EvalError::NoRuleInForce { windows, .. } => {
                let list: Vec<String> = windows.iter().map(|(r, w)| format!("{r} ({w})")).collect();
                format!("rules for this treatment are in force at other dates: {}", list.join("; "))
            }
            EvalError::DependencyUndecided { .. } => "decide the request it depends on first".into(),
        }
    }

    /// Where in the case file the error is best shown: the treatment
    /// that no rule covers, the date no rule is in force on, the
    /// `depends_on` that could not be followed (else the request's entry).
    /// In the loader's stand-in file id (see [`crate::facts::RequestAt`]).
    pub fn span(&self, req: &crate::facts::Request) -> Span {
        let at = &req.at;
        let place = match self {
            EvalError::NoRule { .. } => at.treatment,
            EvalError::NoRuleInForce { .. } => at.date,
            EvalError::DependencyUndecided { .. } => at.depends_on,
        };
        place.unwrap_or(at.entry)
    }

    /// The error as a diagnostic of the case file, located at
    /// [`Self::span`] in file `file` (the case text's id in a source map).
    pub fn diagnostic(&self, req: &crate::facts::Request, file: FileId) -> Diagnostic {
        let d = Diagnostic::error(self.code(), self.span(req).in_file(file), self.to_string()).with_help(self.help());
        match (self, req.at.treatment) {
            (EvalError::NoRuleInForce { .. }, Some(t)) => d.with_note(t.in_file(file), "the treatment asked for"),
            _ => d,
        }
    }
}

/// A value on the machine's stack: a fact or literal, borrowed from the
/// case or the rule set.
#[derive(Clone, Copy, Debug)]
enum Val<'a> {
    Absent,
    Bool(bool),
    Num(f64),
    Date(i32),
    /// Amount in the dimension's base unit.
    Qty(f64, Dim),
    Sym(Sym),
    List(&'a [Sym]),
    Text(&'a str),
}

#[inline(always)]
fn val(v: &Value) -> Val<'_> {
    match v {
        Value::Absent => Val::Absent,
        Value::Bool(b) => Val::Bool(*b),
        Value::Int(i) => Val::Num(*i as f64),
        Value::Num(n) => Val::Num(*n),
        Value::Date(d) => Val::Date(d.0),
        Value::Qty(q) => Val::Qty(q.base(), q.dim()),
        Value::Sym(s) => Val::Sym(*s),
        Value::List(l) => Val::List(l),
        Value::Text(t) => Val::Text(t),
    }
}

#[inline(always)]
fn tri(v: Val<'_>) -> Tri {
    match v {
        Val::Bool(b) => Tri::from_bool(b),
        _ => Tri::Unknown,
    }
}

#[inline(always)]
fn from_tri<'a>(t: Tri) -> Val<'a> {
    match t {
        Tri::True => Val::Bool(true),
        Tri::False => Val::Bool(false),
        Tri::Unknown => Val::Absent,
    }
}

/// The scalar a value is for arithmetic and ordering, if it is one.
#[inline(always)]
fn scalar(v: Val<'_>) -> Option<Scalar> {
    match v {
        Val::Num(x) => Some(Scalar::Num(x)),
        Val::Qty(x, d) => Some(Scalar::Qty(x, d)),
        Val::Date(d) => Some(Scalar::Date(d)),
        _ => None,
    }
}

/// A comparison, with the semantics of [`crate::value::ops`]: numbers,
/// dates and quantities of one dimension are ordered; symbols, truth values
/// and texts are only equal or not; anything else (an absent fact) is
/// unknown.
#[inline(always)]
fn compare(op: CmpOp, a: Val<'_>, b: Val<'_>) -> Val<'static> {
    let result = match (a, b) {
        (Val::Sym(x), Val::Sym(y)) => ops::equality(op, x == y),
        (Val::Bool(x), Val::Bool(y)) => ops::equality(op, x == y),
        (Val::Text(x), Val::Text(y)) => ops::equality(op, x == y),
        _ => match (scalar(a), scalar(b)) {
            (Some(x), Some(y)) => ops::compare(x, y).map(|o| ops::holds(op, o)),
            _ => None,
        },
    };
    result.map_or(Val::Absent, Val::Bool)
}

/// `a + b` or `a - b` ([`crate::value::ops::arith`]); a result out of
/// range is unknown, never a wrapped or infinite value.
#[inline(always)]
fn arith(add: bool, a: Val<'_>, b: Val<'_>) -> Val<'static> {
    match (scalar(a), scalar(b)) {
        (Some(x), Some(y)) => match ops::arith(add, x, y) {
            Some(Scalar::Num(n)) => Val::Num(n),
            Some(Scalar::Qty(n, d)) => Val::Qty(n, d),
            Some(Scalar::Date(d)) => Val::Date(d),
            None => Val::Absent,
        },
        _ => Val::Absent,
    }
}

/// What a criterion's code reads: the case, the request, and the history
/// entry of the requested treatment.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub case: &'a Case,
    pub request: &'a [Value],
    /// The requested treatment's history record (see `Case::record`).
    pub prior: &'a [Value],
}

impl<'a> Frame<'a> {
    pub fn new(case: &'a Case, request: usize) -> Frame<'a> {
        let r = &case.requests[request];
        Frame {
            case,
            request: &r.facts,
            prior: case.record(r.treatment),
        }
    }
}

static ABSENT: Value = Value::Absent;

/// The predicate machine. Keep one per thread and reuse it: its stack is
/// allocated once.
#[derive(Default)]
pub struct Machine {
    stack: Vec<Val<'static>>,
}

impl Machine {
    pub fn new() -> Machine {
        Machine::default()
    }

    /// Evaluate one criterion's code to a truth value.
    pub fn run(&mut self, c: &Compiled, code: std::ops::Range<u32>, f: &Frame<'_>) -> Tri {
        self.session(c, f, |s| s.run(code))
    }

    /// Evaluate several criteria of one request in a row (`each` calls
    /// [`Session::run`] per criterion), setting the stack up once.
    pub fn session<'a, R>(
        &mut self,
        c: &'a Compiled,
        f: &Frame<'a>,
        each: impl FnOnce(&mut Session<'_, 'a>) -> R,
    ) -> R {
        if c.max_stack <= SMALL_STACK {
            // Every criterion's code fits the local stack: the vector is
            // never used (and never allocates).
            return each(&mut Session {
                c,
                f,
                stack: &mut Vec::new(),
                small: None,
            });
        }
        // The stack holds borrowed values only for the length of this call;
        // reuse the allocation across calls with a fresh lifetime.
        let mut stack: Vec<Val<'a>> = std::mem::take(&mut self.stack)
            .into_iter()
            .map(|_| Val::Absent)
            .collect();
        stack.clear();
        stack.reserve(c.max_stack);
        let result = each(&mut Session {
            c,
            f,
            stack: &mut stack,
            small: None,
        });
        stack.clear();
        self.stack = stack.into_iter().map(|_| Val::Absent).collect();
        result
    }
}

/// A [`Machine`] set up for one request: runs its criteria one by one.
pub struct Session<'s, 'a> {
    c: &'a Compiled,
    f: &'s Frame<'a>,
    stack: &'s mut Vec<Val<'a>>,
    /// The stack for code that fits in [`SMALL_STACK`] values: set up
    /// once per request, in local memory, when a criterion first needs it.
    small: Option<SmallStack<'a>>,
}

impl Session<'_, '_> {
    /// Evaluate one criterion's code to a truth value.
    pub fn run(&mut self, code: std::ops::Range<u32>) -> Tri {
        if code.len() == 1 {
            // One instruction (most criteria): its operands are facts and
            // literals, and its value is the only one on the stack.
            let mut one = One { v: Val::Absent, len: 0 };
            run_code(self.c, code, self.f, &mut one)
        } else if self.c.max_stack <= SMALL_STACK {
            let small = self.small.get_or_insert_with(SmallStack::new);
            small.len = 0;
            run_code(self.c, code, self.f, small)
        } else {
            self.stack.clear();
            run_code(self.c, code, self.f, self.stack)
        }
    }
}

/// The depth of the stack kept in local memory.
const SMALL_STACK: usize = 16;

/// The machine's value stack.
trait Stack<'a> {
    fn push(&mut self, v: Val<'a>);
    /// The top value; not documented on an empty stack (which compiled
    /// code never pops).
    fn pop(&mut self) -> Val<'a>;
    fn len(&self) -> usize;
    /// The values from `from` to the top.
    fn tail(&self, from: usize) -> &[Val<'a>];
    fn truncate(&mut self, len: usize);
}

impl<'a> Stack<'a> for Vec<Val<'a>> {
    fn push(&mut self, v: Val<'a>) {
        Vec::push(self, v);
    }
    fn pop(&mut self) -> Val<'a> {
        Vec::pop(self).unwrap_or(Val::Absent)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn tail(&self, from: usize) -> &[Val<'a>] {
        self.get(from..).unwrap_or(&[])
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// The stack of a one-instruction criterion: one value.
struct One<'a> {
    v: Val<'a>,
    len: usize,
}

impl<'a> Stack<'a> for One<'a> {
    fn push(&mut self, v: Val<'a>) {
        self.v = v;
        self.len = 1;
    }
    fn pop(&mut self) -> Val<'a> {
        if self.len == 0 {
            return Val::Absent;
        }
        self.len = 0;
        self.v
    }
    fn len(&self) -> usize {
        self.len
    }
    fn tail(&self, from: usize) -> &[Val<'a>] {
        if from < self.len {
            std::slice::from_ref(&self.v)
        } else {
            &[]
        }
    }
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// A stack of at most [`SMALL_STACK`] values, for code whose `max_stack`
/// fits (pushes past it are dropped, which such code never does).
struct SmallStack<'a> {
    items: [Val<'a>; SMALL_STACK],
    len: usize,
}

impl SmallStack<'_> {
    fn new() -> Self {
        SmallStack {
            items: [Val::Absent; SMALL_STACK],
            len: 0,
        }
    }
}

impl<'a> Stack<'a> for SmallStack<'a> {
    fn push(&mut self, v: Val<'a>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = v;
            self.len += 1;
        }
    }
    fn pop(&mut self) -> Val<'a> {
        match self.len.checked_sub(1) {
            Some(n) => {
                self.len = n;
                self.items[n]
            }
            None => Val::Absent,
        }
    }
    fn len(&self) -> usize {
        self.len
    }
    fn tail(&self, from: usize) -> &[Val<'a>] {
        self.items.get(from..self.len).unwrap_or(&[])
    }
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// An operand: popped, or read in place from its slot.
#[inline(always)]
fn operand<'a, S: Stack<'a>>(c: &'a Compiled, f: &Frame<'a>, a: Arg, st: &mut S) -> Val<'a> {
    match a {
        Arg::Pop => st.pop(),
        Arg::Case(s) => val(f.case.facts.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Req(s) => val(f.request.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Prior(s) => val(f.prior.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Lit(i) => val(c.lits.get(i as usize).unwrap_or(&ABSENT)),
    }
}

fn run_code<'a, S: Stack<'a>>(c: &'a Compiled, code: std::ops::Range<u32>, f: &Frame<'a>, st: &mut S) -> Tri {
    let ops = c.ops.get(code.start as usize..code.end as usize).unwrap_or(&[]);
    let arg = |a: Arg, st: &mut S| operand(c, f, a, st);
    for op in ops {
        let v = match *op {
            Op::Push(a) => arg(a, st),
            Op::Hist(t, s) => val(f.case.record(TreatmentId(t)).get(s as usize).unwrap_or(&ABSENT)),
            Op::Not(a) => from_tri(tri(arg(a, st)).not()),
            Op::And(n) => {
                let from = st.len().saturating_sub(n as usize);
                let acc = st.tail(from).iter().fold(Tri::True, |acc, v| acc.and(tri(*v)));
                st.truncate(from);
                from_tri(acc)
            }
            Op::Or(n) => {
                let from = st.len().saturating_sub(n as usize);
                let acc = st.tail(from).iter().fold(Tri::False, |acc, v| acc.or(tri(*v)));
                st.truncate(from);
                from_tri(acc)
            }
            Op::And2(a, b) => {
                let b = arg(b, st);
                let a = arg(a, st);
                from_tri(tri(a).and(tri(b)))
            }
            Op::Or2(a, b) => {
                let b = arg(b, st);
                let a = arg(a, st);
                from_tri(tri(a).or(tri(b)))
            }
            Op::When(cnd, then) => {
                let t = arg(then, st);
                let cnd = arg(cnd, st);
                from_tri(Tri::select(tri(cnd), tri(t), Tri::True))
            }
            Op::WhenElse(cnd, then, otherwise) => {
                let e = arg(otherwise, st);
                let t = arg(then, st);
                let cnd = arg(cnd, st);
                from_tri(Tri::select(tri(cnd), tri(t), tri(e)))
            }
            Op::Cmp(o, a, b) => {
                let b = arg(b, st);
                let a = arg(a, st);
                compare(o, a, b)
            }
            Op::Arith(add, a, b) => {
                let b = arg(b, st);
                let a = arg(a, st);
                arith(add, a, b)
            }
            Op::SumCmp(o, add, a, b, rhs) => {
                let rhs = arg(rhs, st);
                let b = arg(b, st);
                let a = arg(a, st);
                compare(o, arith(add, a, b), rhs)
            }
            Op::InSet(s, a) => {
                let set = c.sets.get(s as usize).map_or(&[][..], |x| &x[..]);
                match arg(a, st) {
                    Val::Sym(x) => Val::Bool(set.binary_search(&x).is_ok()),
                    _ => Val::Absent,
                }
            }
            Op::Contains(l, x) => {
                let x = arg(x, st);
                match (arg(l, st), x) {
                    (Val::List(l), Val::Sym(x)) => Val::Bool(l.contains(&x)),
                    _ => Val::Absent,
                }
            }
            Op::ContainsAny(s, a) => {
                let set = c.sets.get(s as usize).map_or(&[][..], |x| &x[..]);
                match arg(a, st) {
                    Val::List(l) => Val::Bool(l.iter().any(|x| set.binary_search(x).is_ok())),
                    _ => Val::Absent,
                }
            }
            Op::ContainsAll(s, a) => {
                let set = c.sets.get(s as usize).map_or(&[][..], |x| &x[..]);
                match arg(a, st) {
                    Val::List(l) => Val::Bool(set.iter().all(|x| l.contains(x))),
                    _ => Val::Absent,
                }
            }
            Op::Documented(neg, a) => Val::Bool(matches!(arg(a, st), Val::Absent) == neg),
        };
        st.push(v);
    }
    tri(st.pop())
}

/// The status of criterion `i` of rule `r` for a request.
pub fn criterion_status(rs: &RuleSet, m: &mut Machine, r: RuleId, i: usize, f: &Frame<'_>) -> Status {
    let Some(cc) = rs.compiled.rules.get(r.0 as usize).and_then(|x| x.criteria.get(i)) else {
        return Status::NotDocumented;
    };
    if let Some(g) = &cc.guard {
        if m.run(&rs.compiled, g.clone(), f) == Tri::False {
            return Status::NotApplicable;
        }
    }
    let holds = if cc.code.is_empty() {
        Tri::True
    } else {
        m.run(&rs.compiled, cc.code.clone(), f)
    };
    match (cc.kind, holds) {
        (CriterionKind::Require, Tri::True) | (CriterionKind::Exclude, Tri::False) => {
            // A criterion met although every fact it reads is undocumented
            // (`x is documented and ...` on a silent record) is shown as not
            // applying: the record did not satisfy it, it just passes.
            if reads_nothing_documented(rs, r, i, f) {
                Status::NotApplicable
            } else {
                Status::Met
            }
        }
        (CriterionKind::Require, Tri::False) | (CriterionKind::Exclude, Tri::True) => Status::NotMet,
        (_, Tri::Unknown) => Status::NotDocumented,
    }
}

/// Does criterion `i` of rule `r` read facts, none of them documented in
/// frame `f`? Such a criterion, met, is shown as not applying (and so
/// cannot make a decision provisional); the fast path asks the same.
pub(crate) fn reads_nothing_documented(rs: &RuleSet, r: RuleId, i: usize, f: &Frame<'_>) -> bool {
    let reads = rs
        .program
        .rules
        .get(r.0 as usize)
        .and_then(|x| x.criteria.get(i))
        .map_or(&[][..], |c| &c.reads[..]);
    !reads.is_empty() && reads.iter().all(|&fr| frame_value(f, fr).is_absent())
}

/// The value of a fact as the criterion's code reads it in frame `f`.
fn frame_value<'a>(f: &Frame<'a>, r: crate::check::FactRef) -> &'a Value {
    use crate::check::FactRef;
    let (record, slot): (&'a [Value], u16) = match r {
        FactRef::Case(_, s) => (&f.case.facts, s),
        FactRef::Request(_, s) => (f.request, s),
        FactRef::Prior(_, s) => (f.prior, s),
        FactRef::History(t, _, s) => (f.case.record(t), s),
    };
    record.get(usize::from(slot)).unwrap_or(&ABSENT)
}

/// The rules that take part in deciding a treatment on a date.
pub struct Selection {
    pub deciding: Vec<RuleId>,
    pub supplements: Vec<RuleId>,
    pub set_aside: Vec<RuleId>,
}

/// Choose the rules for treatment `t` on `date`: the highest-tier rules in
/// force decide; lower-tier rules join only as supplements of those.
pub fn select(p: &Program, c: &Compiled, t: TreatmentId, date: Date) -> Result<Selection, EvalError> {
    let treatment = || p.catalog.treatment(t).name.clone();
    let covering = c.by_treatment.get(t.0 as usize).map_or(&[][..], |v| &v[..]);
    if covering.is_empty() {
        return Err(EvalError::NoRule { treatment: treatment() });
    }
    let in_force: Vec<RuleId> = covering
        .iter()
        .copied()
        .filter(|&r| p.rule(r).window.contains(date))
        .collect();
    // A supplement joins the rule it supplements; it never decides alone,
    // so a treatment whose only rules in force are supplements has no rule.
    let primary: Vec<RuleId> = in_force
        .iter()
        .copied()
        .filter(|&r| p.rule(r).supplements.is_none())
        .collect();
    if primary.is_empty() {
        return Err(EvalError::NoRuleInForce {
            treatment: treatment(),
            date,
            windows: covering
                .iter()
                .filter(|&&r| p.rule(r).supplements.is_none())
                .map(|&r| (p.rule(r).name.clone(), p.rule(r).window.describe()))
                .collect(),
            guidelines: guidelines_in_force(p, date),
        });
    }
    let pool = &primary;
    let best: Tier = pool.iter().map(|&r| p.rule(r).tier).min().unwrap_or(Tier::Mtus);
    let deciding: Vec<RuleId> = pool.iter().copied().filter(|&r| p.rule(r).tier == best).collect();
    let supplements: Vec<RuleId> = in_force
        .iter()
        .copied()
        .filter(|&r| !deciding.contains(&r) && p.rule(r).supplements.is_some_and(|s| deciding.contains(&s)))
        .collect();
    let set_aside = in_force
        .iter()
        .copied()
        .filter(|r| !deciding.contains(r) && !supplements.contains(r))
        .collect();
    Ok(Selection {
        deciding,
        supplements,
        set_aside,
    })
}

/// Decide one request on its own (without `depends_on`).
pub fn decide_request(rs: &RuleSet, m: &mut Machine, case: &Case, i: usize) -> Result<Decision, EvalError> {
    let req = &case.requests[i];
    let sel = select(&rs.program, &rs.compiled, req.treatment, req.date)?;
    let frame = Frame::new(case, i);
    let mut rules = Vec::with_capacity(sel.deciding.len() + sel.supplements.len());
    let roles = sel
        .deciding
        .iter()
        .map(|&r| (r, Role::Decides))
        .chain(sel.supplements.iter().map(|&r| (r, Role::Supplements)));
    for (r, role) in roles {
        let n = rs.program.rule(r).criteria.len();
        let statuses = (0..n).map(|c| criterion_status(rs, m, r, c, &frame)).collect();
        rules.push(RuleResult {
            rule: r,
            role,
            statuses,
        });
    }
    let find = |want: Status| {
        rules
            .iter()
            .enumerate()
            .find_map(|(ri, rr)| rr.statuses.iter().position(|&s| s == want).map(|ci| (ri, ci)))
    };
    let (outcome, decided_by) = match find(Status::NotMet) {
        Some(at) => (Outcome::NotMedicallyNecessary, Some(at)),
        None => match find(Status::NotDocumented) {
            Some(at) => (Outcome::InsufficientDocumentation, Some(at)),
            None => (Outcome::MedicallyNecessary, None),
        },
    };
    let provisional = Provisional {
        criteria: rests_on(&rs.program, &rules, outcome, decided_by),
        dependency: false,
    };
    Ok(Decision {
        outcome,
        rules,
        set_aside: sel.set_aside,
        decided_by,
        fell_with: None,
        provisional,
    })
}

/// Decide every request of a case, in order; a request with `depends_on`
/// falls with the request it depends on when that one, after its own
/// dependencies, is not medically necessary, and cannot be decided when
/// that one cannot.
pub fn decide_case(rs: &RuleSet, m: &mut Machine, case: &Case) -> Vec<Result<Decision, EvalError>> {
    let mut out: Vec<Result<Decision, EvalError>> = (0..case.requests.len())
        .map(|i| decide_request(rs, m, case, i))
        .collect();
    settle_dependencies(
        case,
        &mut out,
        |d| d.outcome,
        |d, q| {
            d.fell_with = Some(q);
            if d.outcome == Outcome::MedicallyNecessary {
                d.outcome = Outcome::NotMedicallyNecessary;
                // It now rests on its dependency, not on its own criteria.
                d.provisional.criteria.clear();
            }
        },
    );
    settle_provisional(
        &mut out,
        |d| d.fell_with.filter(|_| d.decided_by.is_none()),
        |d| d.provisional.is_provisional(),
        |d| d.provisional.dependency = true,
    );
    out
}

/// Apply `depends_on` to the decisions of a case, each request after the
/// one it depends on (so a chain settles from its end): a request falls
/// (`fall`) with a dependency whose final outcome is not medically
/// necessary, and is undecided when its dependency is. Without recursion;
/// a cycle (which the loader rejects) stops the walk.
pub(crate) fn settle_dependencies<T>(
    case: &Case,
    out: &mut [Result<T, EvalError>],
    outcome: impl Fn(&T) -> Outcome,
    fall: impl Fn(&mut T, usize),
) {
    let n = case.requests.len().min(out.len());
    if !case.requests.iter().any(|r| r.depends_on.is_some()) {
        return;
    }
    let mut settled = vec![false; n];
    let mut chain = Vec::new();
    for start in 0..n {
        chain.clear();
        let mut at = Some(start);
        while let Some(i) = at {
            if i >= n || settled[i] || chain.len() > n {
                break;
            }
            chain.push(i);
            at = case.requests[i].depends_on;
        }
        // Settle from the end of the chain back to `start`.
        for &i in chain.iter().rev() {
            settled[i] = true;
            let Some(q) = case.requests[i].depends_on.filter(|&q| q < n && q != i) else {
                continue;
            };
            let fell = match &out[q] {
                Err(_) => None,
                Ok(d) => Some(outcome(d) != Outcome::MedicallyNecessary),
            };
            match fell {
                None => {
                    out[i] = Err(EvalError::DependencyUndecided {
                        request: case.requests[i].id.clone(),
                        on: case.requests[q].id.clone(),
                    });
                }
                Some(true) => {
                    if let Ok(d) = &mut out[i] {
                        fall(d, q);
                    }
                }
                Some(false) => {}
            }
        }
    }
}

/// The name a case file uses for a fact read by request `i`.
pub fn fact_name(p: &Program, case: &Case, i: usize, r: crate::check::FactRef) -> String {
    use crate::check::{FactRef, display_path};
    let f = p.schema.fact(r.fact());
    match r {
        FactRef::Prior(..) => {
            let t = case.requests[i].treatment;
            format!("history.{}.{}", p.catalog.treatment(t).name, f.key.join("."))
        }
        FactRef::History(t, ..) => format!("history.{}.{}", p.catalog.treatment(t).name, f.key.join(".")),
        _ => display_path(f),
    }
}

/// Whether a fact reference reads the stand-in record of a treatment the
/// case has no `history` entry for (so `received` reads false by default).
pub fn defaulted(case: &Case, i: usize, r: crate::check::FactRef) -> bool {
    use crate::check::FactRef;
    match r {
        FactRef::Prior(..) => case.history(case.requests[i].treatment).is_none(),
        FactRef::History(t, ..) => case.history(t).is_none(),
        FactRef::Case(..) | FactRef::Request(..) => false,
    }
}

/// The value a fact reference reads for request `i`.
pub fn read<'a>(case: &'a Case, i: usize, r: crate::check::FactRef) -> &'a Value {
    use crate::check::FactRef;
    let req = &case.requests[i];
    let slot = |v: Option<&'a [Value]>, s: u16| v.and_then(|v| v.get(s as usize)).unwrap_or(&ABSENT);
    match r {
        FactRef::Case(_, s) => slot(Some(&case.facts), s),
        FactRef::Request(_, s) => slot(Some(&req.facts), s),
        FactRef::Prior(_, s) => slot(Some(case.record(req.treatment)), s),
        FactRef::History(t, _, s) => slot(Some(case.record(t)), s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_with_absent_are_unknown() {
        assert!(matches!(compare(CmpOp::Le, Val::Absent, Val::Num(6.0)), Val::Absent));
        assert!(matches!(
            compare(CmpOp::Le, Val::Num(6.0), Val::Num(6.0)),
            Val::Bool(true)
        ));
        assert!(matches!(
            compare(CmpOp::Lt, Val::Num(6.0), Val::Num(6.0)),
            Val::Bool(false)
        ));
        // Different dimensions never compare.
        assert!(matches!(
            compare(CmpOp::Le, Val::Qty(6.0, Dim::Visit), Val::Qty(6.0, Dim::Tablet)),
            Val::Absent
        ));
        assert!(matches!(
            compare(CmpOp::Ne, Val::Sym(Sym(1)), Val::Sym(Sym(2))),
            Val::Bool(true)
        ));
    }

    #[test]
    fn date_arithmetic() {
        let d = Date::parse("2015-05-06").map(|d| d.0).unwrap_or(0);
        let Val::Date(x) = arith(true, Val::Date(d), Val::Qty(7.0, Dim::Time)) else {
            panic!()
        };
        assert_eq!(Date(x).to_string(), "2015-05-13");
        let Val::Qty(days, Dim::Time) = arith(false, Val::Date(d + 10), Val::Date(d)) else {
            panic!()
        };
        assert_eq!(days, 10.0);
        assert!(matches!(
            arith(true, Val::Qty(1.0, Dim::Visit), Val::Qty(1.0, Dim::Time)),
            Val::Absent
        ));
    }

    #[test]
    fn out_of_range_results_are_unknown_not_wrapped() {
        let d = Date::parse("2015-05-06").map(|d| d.0).unwrap_or(0);
        // 3e9 days would wrap an i32 date; infinity and NaN have no date.
        for days in [3e9, 1e12, f64::INFINITY, f64::NAN] {
            assert!(matches!(
                arith(true, Val::Date(d), Val::Qty(days, Dim::Time)),
                Val::Absent
            ));
            assert!(matches!(
                arith(false, Val::Date(d), Val::Qty(days, Dim::Time)),
                Val::Absent
            ));
        }
        assert!(matches!(
            arith(true, Val::Num(f64::MAX), Val::Num(f64::MAX)),
            Val::Absent
        ));
        // An unknown sum makes the comparison unknown, not "passes every limit".
        let sum = arith(true, Val::Qty(f64::MAX, Dim::Visit), Val::Qty(f64::MAX, Dim::Visit));
        assert!(matches!(
            compare(CmpOp::Le, sum, Val::Qty(6.0, Dim::Visit)),
            Val::Absent
        ));
        assert!(matches!(
            compare(CmpOp::Gt, sum, Val::Qty(6.0, Dim::Visit)),
            Val::Absent
        ));
    }
}

#[cfg(test)]
mod regime_tests {
    use super::*;

    #[test]
    fn the_current_regime_starts_on_2017_12_01() {
        assert_eq!(Some(CURRENT_REGIME), Date::parse("2017-12-01"));
    }
}
