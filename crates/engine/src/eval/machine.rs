//! The stack machine that runs compiled criteria against one request's
//! frame: values borrowed from the case or the rule set, three-valued
//! logic, a small stack on the thread's own stack for most criteria.

use super::*;

/// A value on the machine's stack: a fact or literal, borrowed from the
/// case or the rule set.
#[derive(Clone, Copy, Debug)]
pub(super) enum Val<'a> {
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
pub(super) fn val(v: &Value) -> Val<'_> {
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
pub(super) fn tri(v: Val<'_>) -> Tri {
    match v {
        Val::Bool(b) => Tri::from_bool(b),
        _ => Tri::Unknown,
    }
}

#[inline(always)]
pub(super) fn from_tri<'a>(t: Tri) -> Val<'a> {
    match t {
        Tri::True => Val::Bool(true),
        Tri::False => Val::Bool(false),
        Tri::Unknown => Val::Absent,
    }
}

/// The scalar a value is for arithmetic and ordering, if it is one.
#[inline(always)]
pub(super) fn scalar(v: Val<'_>) -> Option<Scalar> {
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
pub(super) fn compare(op: CmpOp, a: Val<'_>, b: Val<'_>) -> Val<'static> {
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
pub(super) fn arith(add: bool, a: Val<'_>, b: Val<'_>) -> Val<'static> {
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

pub(super) static ABSENT: Value = Value::Absent;

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
pub(super) const SMALL_STACK: usize = 16;

/// The machine's value stack.
pub(super) trait Stack<'a> {
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
pub(super) struct One<'a> {
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
pub(super) struct SmallStack<'a> {
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
pub(super) fn operand<'a, S: Stack<'a>>(c: &'a Compiled, f: &Frame<'a>, a: Arg, st: &mut S) -> Val<'a> {
    match a {
        Arg::Pop => st.pop(),
        Arg::Case(s) => val(f.case.facts.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Req(s) => val(f.request.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Prior(s) => val(f.prior.get(s as usize).unwrap_or(&ABSENT)),
        Arg::Lit(i) => val(c.lits.get(i as usize).unwrap_or(&ABSENT)),
    }
}

pub(super) fn run_code<'a, S: Stack<'a>>(
    c: &'a Compiled,
    code: std::ops::Range<u32>,
    f: &Frame<'a>,
    st: &mut S,
) -> Tri {
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
