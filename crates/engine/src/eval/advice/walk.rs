//! The walk of one criterion's expression: which undocumented facts its
//! result depends on, and which of their values make it pass.

use super::*;

/// A walk of one criterion's expression over the scratch case.
pub(super) struct Walk<'a, 'r, 'b> {
    pub(super) a: &'a Advisor<'r>,
    pub(super) sc: &'b mut Scratch,
}

impl Walk<'_, '_, '_> {
    pub(super) fn p(&self) -> &Program {
        &self.a.rs.program
    }

    pub(super) fn read(&self, r: FactRef) -> Value {
        crate::eval::read(&self.sc.case, self.a.i, r).clone()
    }

    /// `history.T.received` of a treatment with no entry: reads false,
    /// and recording the course would make it true.
    pub(super) fn soft(&self, r: FactRef) -> bool {
        matches!(r, FactRef::Prior(..) | FactRef::History(..))
            && self.p().schema.builtin.history_received == Some(slot(r))
            && defaulted(&self.sc.case, self.a.i, r)
    }

    /// Can advice give `r` a value? Undocumented facts (not text, not
    /// derived from other parts of the case, `diagnoses.tags` aside) and
    /// the `received` of a prior course the case does not list.
    pub(super) fn is_var(&self, r: FactRef) -> bool {
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

    pub(super) fn vars(&self, e: &TExpr, out: &mut Vec<FactRef>) {
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

    pub(super) fn eval(&self, e: &TExpr) -> Value {
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

    pub(super) fn leaf(&self, r: FactRef, passes: Passes, example: Value) -> N {
        N::Need(Need::Fact(FactNeed {
            fact: r,
            passes,
            example,
            new_entry: matches!(r, FactRef::Prior(..) | FactRef::History(..)) && defaulted(&self.sc.case, self.a.i, r),
        }))
    }

    /// What makes `e` evaluate to `want`.
    pub(super) fn need(&mut self, e: &TExpr, want: bool) -> N {
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
    pub(super) fn all(&mut self, parts: Vec<(&TExpr, bool)>) -> N {
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
    pub(super) fn atom(&mut self, e: &TExpr, want: bool, vars: &[FactRef]) -> N {
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
    pub(super) fn candidates(&self, r: FactRef) -> Vec<Value> {
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
    pub(super) fn summarize(
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
    pub(super) fn any_example(&self, cands: &[Value]) -> Option<Value> {
        match cands.first()? {
            Value::Date(_) => self.sc.case.requests.get(self.a.i).map(|q| Value::Date(q.date)),
            v => Some(v.clone()),
        }
    }

    /// Between a date that fails and one that passes, the passing date
    /// nearest the one that fails.
    pub(super) fn bisect(&mut self, r: FactRef, fail: &Value, pass: &Value, e: &TExpr, want: bool) -> Value {
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
pub(super) const DATE_OFFSETS: &[i32] = &[
    -36_500, -7_300, -3_650, -1_825, -1_095, -730, -365, -270, -180, -120, -90, -60, -42, -30, -21, -14, -7, -3, -1, 0,
    1, 3, 7, 14, 30, 60, 90, 180, 365, 730, 3_650,
];

pub(super) fn slot(r: FactRef) -> u16 {
    match r {
        FactRef::Case(_, s) | FactRef::Request(_, s) | FactRef::Prior(_, s) | FactRef::History(_, _, s) => s,
    }
}
