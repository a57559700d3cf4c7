//! The nearest request that passes: what the request itself says, changed
//! in one or two of its facts, when documenting cannot make it pass.

use super::*;

impl Advisor<'_> {
    /// The nearest request that passes: change one or two facts the
    /// request states and that a blocking criterion reads.
    pub(super) fn nearest(&self, m: &mut Machine, sc: &mut Scratch, blocked: &[usize]) -> Option<Nearest> {
        let first = self.changes_for(sc, blocked, &[]);
        let mut tried = 0;
        for (f, v) in &first {
            let mark = sc.mark();
            let from = crate::eval::read(&sc.case, self.i, *f).clone();
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
                    let gfrom = crate::eval::read(&sc.case, self.i, *g).clone();
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
    pub(super) fn changes_for(&self, sc: &mut Scratch, blocked: &[usize], avoid: &[Key]) -> Vec<(FactRef, Value)> {
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
                let now = crate::eval::read(&sc.case, self.i, f).clone();
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
    pub(super) fn largest_amount(&self, sc: &mut Scratch, f: FactRef, now: &Value, readers: &[usize]) -> Option<Value> {
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
}
