//! What would have to be documented or changed for a request to pass:
//! the pre-submission view of a decision.

use super::{Decision, Frame, Machine, Status, criterion_status, defaulted, fact_name};
use crate::RuleSet;
use crate::check::{FactRef, RuleId, Scope, display_path};
use crate::facts::Case;
use crate::value::{Qty, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Advice {
    /// Put this fact on the record; criteria could not be decided without it.
    Document {
        fact: String,
        description: String,
        /// The criteria (rule, criterion name) that need it.
        needed_by: Vec<(String, String)>,
        /// The value that lets those criteria pass, as a case writes it
        /// (`true`, `false`, `one of a, b`, `at least 30`), when trying
        /// the values the fact may hold tells; `None` when every value
        /// would do or none alone does.
        passes: Option<String>,
        /// What the fact may hold: type, units, values or range.
        values: String,
    },
    /// Ask for less: the largest amount (a quantity, duration, number of
    /// levels, hours a week...) that meets every criterion reading it, as
    /// written (`6 visit`, `35`).
    Reduce { fact: String, from: String, to: String },
    /// A criterion that is not met and that no change to the request
    /// itself can meet.
    Unmet {
        rule: String,
        criterion: String,
        description: String,
    },
}

/// Advice for request `i`, given its decision.
pub fn advise(rs: &RuleSet, m: &mut Machine, case: &Case, i: usize, d: &Decision) -> Vec<Advice> {
    let p = &rs.program;
    let mut out: Vec<Advice> = Vec::new();
    let mut reducible: Vec<(RuleId, usize, Vec<u16>)> = Vec::new();
    for rr in &d.rules {
        let rule = p.rule(rr.rule);
        for (ci, &status) in rr.statuses.iter().enumerate() {
            let cr = &rule.criteria[ci];
            match status {
                Status::Met | Status::NotApplicable => {}
                Status::NotDocumented => {
                    let needed = cr.expr.as_ref().map(|e| super::reference::missing_facts(e, case, i));
                    for r in needed.unwrap_or_default() {
                        let who = (rule.name.clone(), cr.name.clone());
                        if defaulted(case, i, r) {
                            prior_course(&mut out, p, case, i, r, cr, who);
                            continue;
                        }
                        let f = p.schema.fact(r.fact());
                        let passes = passing_values(rs, m, case, i, rr.rule, ci, r);
                        document(
                            &mut out,
                            fact_name(p, case, i, r),
                            f.description.clone(),
                            who,
                            passes,
                            crate::check::describe::fact_summary(p, f),
                        );
                    }
                }
                Status::NotMet => {
                    // Amounts the request asks for that this criterion reads.
                    let amounts: Vec<u16> = cr
                        .reads
                        .iter()
                        .filter_map(|r| match *r {
                            FactRef::Request(_, s) => is_amount(req_value(case, i, s)).then_some(s),
                            _ => None,
                        })
                        .collect();
                    // A prior treatment the case does not list reads as not
                    // given: if it was given, recording it may meet this.
                    let unlisted: Vec<FactRef> = cr.reads.iter().copied().filter(|&r| defaulted(case, i, r)).collect();
                    if !amounts.is_empty() {
                        reducible.push((rr.rule, ci, amounts));
                    } else if !unlisted.is_empty() {
                        for r in unlisted {
                            prior_course(&mut out, p, case, i, r, cr, (rule.name.clone(), cr.name.clone()));
                        }
                    } else {
                        out.push(Advice::Unmet {
                            rule: rule.name.clone(),
                            criterion: cr.name.clone(),
                            description: cr.description.clone(),
                        });
                    }
                }
            }
        }
    }
    // For each failing criterion, try lowering each amount it reads, in
    // whole steps, for the largest value that every criterion reading that
    // amount meets; the first amount that works is the advice.
    let mut advised: Vec<u16> = Vec::new();
    for (r, ci, amounts) in &reducible {
        let found = amounts.iter().find_map(|&s| {
            if advised.contains(&s) {
                return Some(None);
            }
            largest_passing(rs, m, case, i, d, s).map(|to| Some((s, to)))
        });
        match found {
            Some(Some((s, to))) => {
                advised.push(s);
                let fact = p
                    .schema
                    .by_slot(Scope::Request, s)
                    .map_or_else(|| "request".to_string(), display_path);
                out.push(Advice::Reduce {
                    fact,
                    from: amount_text(req_value(case, i, s)),
                    to: amount_text(&to),
                });
            }
            Some(None) => {}
            None => {
                let rule = p.rule(*r);
                out.push(Advice::Unmet {
                    rule: rule.name.clone(),
                    criterion: rule.criteria[*ci].name.clone(),
                    description: rule.criteria[*ci].description.clone(),
                });
            }
        }
    }
    // What cannot pass as asked comes first, then the largest amount that
    // passes, then what to document.
    out.sort_by_key(|a| match a {
        Advice::Unmet { .. } => 0,
        Advice::Reduce { .. } => 1,
        Advice::Document { .. } => 2,
    });
    out
}

/// A criterion reads a prior treatment the case has no `history` entry
/// for: ask for the prior course as a whole (`history.X`, with the facts
/// of it the criterion reads), not for `history.X.received` alone.
fn prior_course(
    out: &mut Vec<Advice>,
    p: &crate::check::Program,
    case: &Case,
    i: usize,
    r: FactRef,
    cr: &crate::check::Criterion,
    who: (String, String),
) {
    let t = match r {
        FactRef::History(t, ..) => t,
        _ => case.requests[i].treatment,
    };
    let name = &p.catalog.treatment(t).name;
    let mut keys: Vec<String> = Vec::new();
    for x in &cr.reads {
        let same = match *x {
            FactRef::Prior(..) => case.requests[i].treatment == t,
            FactRef::History(u, ..) => u == t,
            _ => false,
        };
        let k = p.schema.fact(x.fact()).key.join(".");
        if same && !keys.contains(&k) {
            keys.push(k);
        }
    }
    let description = format!(
        "the prior course of {name}, if it was given: an entry `history.{name}` with {} (the case has none, so it reads as not given)",
        keys.join(", ")
    );
    document(out, format!("history.{name}"), description, who, None, String::new());
}

/// Put `v` where fact reference `r` reads for request `i` (adding a
/// history entry, received, when the case has none).
fn set_fact(case: &mut Case, i: usize, r: FactRef, v: Value) {
    let put = |facts: &mut [Value], s: u16| {
        if let Some(x) = facts.get_mut(s as usize) {
            *x = v;
        }
    };
    match r {
        FactRef::Case(_, s) => put(&mut case.facts, s),
        FactRef::Request(_, s) => put(&mut case.requests[i].facts, s),
        FactRef::Prior(_, s) | FactRef::History(_, _, s) => {
            let t = match r {
                FactRef::History(t, ..) => t,
                _ => case.requests[i].treatment,
            };
            let at = match case.history.binary_search_by_key(&t, |(id, _)| *id) {
                Ok(at) => at,
                Err(at) => {
                    let record: Box<[Value]> = case.no_history.iter().cloned().collect();
                    case.history.insert(at, (t, record));
                    at
                }
            };
            put(&mut case.history[at].1, s);
        }
    }
}

/// Which values of the missing fact `r` let criterion `ci` of rule `rule`
/// pass (or at least not fail: other facts it reads may still be
/// missing): each value a bool, a closed symbol, a score, a percent or a
/// small bounded int may hold, and whole amounts of a number, duration or
/// quantity across its range, is tried with the criterion re-run. `None`
/// when the fact is of another type, or when every value (or none) does.
fn passing_values(
    rs: &RuleSet,
    m: &mut Machine,
    case: &Case,
    i: usize,
    rule: RuleId,
    ci: usize,
    r: FactRef,
) -> Option<String> {
    use crate::check::FactType;
    let p = &rs.program;
    let f = p.schema.fact(r.fact());
    let (candidates, shown): (Vec<Value>, Vec<String>) = match f.ty {
        FactType::Bool => (
            vec![Value::Bool(true), Value::Bool(false)],
            vec!["true".into(), "false".into()],
        ),
        FactType::Symbol => {
            let syms = f.allowed.as_ref()?;
            (
                syms.iter().map(|s| Value::Sym(*s)).collect(),
                syms.iter()
                    .map(|s| p.symbols.name(*s).unwrap_or("?").to_string())
                    .collect(),
            )
        }
        FactType::Score | FactType::Percent | FactType::Int => {
            let (lo, hi) = match (f.range, f.ty) {
                (Some(r), _) => (r.min, r.max),
                (None, FactType::Score) => (0.0, 10.0),
                (None, FactType::Percent) => (0.0, 100.0),
                _ => return None,
            };
            if !(hi - lo <= 200.0 && lo.is_finite()) {
                return None;
            }
            let n = (hi - lo).floor() as i64;
            let vals: Vec<f64> = (0..=n).map(|k| lo.ceil() + k as f64).filter(|x| *x <= hi).collect();
            let make = |x: f64| {
                if f.ty == FactType::Int {
                    Value::Int(x as i64)
                } else {
                    Value::Num(x)
                }
            };
            (
                vals.iter().map(|&x| make(x)).collect(),
                vals.iter().map(|&x| crate::value::fmt_num(x)).collect(),
            )
        }
        FactType::Quantity | FactType::Duration | FactType::Number => {
            use crate::value::{Dim, Unit};
            // Whole amounts in the unit the fact is counted in (days for a
            // duration), across its range, at most 400 of them.
            let unit = match f.ty {
                FactType::Duration => Some(Unit::Day),
                FactType::Quantity => match f.dim? {
                    Dim::Visit => Some(Unit::Visit),
                    Dim::Tablet => Some(Unit::Tablet),
                    Dim::Item => Some(Unit::Item),
                    Dim::Mass => Some(Unit::Mg),
                    Dim::Med => Some(Unit::MgMed),
                    Dim::Time => Some(Unit::Day),
                    Dim::Concentration | Dim::DoseRate => return None,
                },
                _ => None,
            };
            let factor = unit.map_or(1.0, Unit::factor);
            let (lo, hi) = f.range.map_or((0.0, 400.0 * factor), |r| (r.min, r.max));
            let lo = (lo / factor).ceil().max(0.0);
            let hi = (hi / factor).floor().min(lo + 400.0);
            if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
                return None;
            }
            let vals: Vec<f64> = (0..=(hi - lo) as i64).map(|k| lo + k as f64).collect();
            (
                vals.iter()
                    .map(|&x| match unit {
                        Some(u) => Value::Qty(Qty::new(x, u)),
                        None => Value::Num(x),
                    })
                    .collect(),
                vals.iter()
                    .map(|&x| match unit {
                        Some(u) => format!("{} {}", crate::value::fmt_num(x), u.name()),
                        None => crate::value::fmt_num(x),
                    })
                    .collect(),
            )
        }
        _ => return None,
    };
    let mut trial = case.clone();
    let statuses: Vec<Status> = candidates
        .into_iter()
        .map(|v| {
            set_fact(&mut trial, i, r, v);
            let fr = Frame::new(&trial, i);
            criterion_status(rs, m, rule, ci, &fr)
        })
        .collect();
    // The values that pass, if some do and some do not; else those that
    // do not fail (another fact it reads may still be missing).
    let strict = |ok: &[bool]| {
        let n = ok.iter().filter(|x| **x).count();
        n > 0 && n < ok.len()
    };
    let passing: Vec<bool> = statuses.iter().map(|s| s.passes()).collect();
    let not_failing: Vec<bool> = statuses.iter().map(|s| *s != Status::NotMet).collect();
    let ok = if strict(&passing) {
        passing
    } else if strict(&not_failing) {
        not_failing
    } else {
        return None;
    };
    let n_ok = ok.iter().filter(|x| **x).count();
    let passing: Vec<&str> = shown
        .iter()
        .zip(&ok)
        .filter(|(_, k)| **k)
        .map(|(s, _)| s.as_str())
        .collect();
    if matches!(
        f.ty,
        FactType::Score
            | FactType::Percent
            | FactType::Int
            | FactType::Quantity
            | FactType::Duration
            | FactType::Number
    ) {
        // A threshold: all passing values at one end.
        let first = ok.iter().position(|x| *x).unwrap_or(0);
        let last = ok.iter().rposition(|x| *x).unwrap_or(0);
        if last - first + 1 == n_ok {
            if last == ok.len() - 1 {
                return Some(format!("at least {}", shown[first]));
            }
            if first == 0 {
                return Some(format!("at most {}", shown[last]));
            }
            return Some(format!("from {} to {}", shown[first], shown[last]));
        }
    }
    Some(match passing.as_slice() {
        [one] => (*one).to_string(),
        many => format!("one of {}", many.join(", ")),
    })
}

fn req_value(case: &Case, i: usize, s: u16) -> &Value {
    case.requests[i].facts.get(s as usize).unwrap_or(&Value::Absent)
}

fn is_amount(v: &Value) -> bool {
    matches!(v, Value::Qty(_) | Value::Int(_) | Value::Num(_))
}

fn amount_text(v: &Value) -> String {
    match v {
        Value::Qty(q) => q.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Num(n) => crate::value::fmt_num(*n),
        _ => String::new(),
    }
}

/// The largest whole amount below the requested one (at least 1) for
/// which every criterion of the decision that reads request slot `s` is
/// met, all else unchanged.
fn largest_passing(rs: &RuleSet, m: &mut Machine, case: &Case, i: usize, d: &Decision, s: u16) -> Option<Value> {
    let p = &rs.program;
    let from = req_value(case, i, s).clone();
    let (amount, make): (f64, Box<dyn Fn(f64) -> Value>) = match from {
        Value::Qty(q) => (q.amount, Box::new(move |k| Value::Qty(Qty::new(k, q.unit)))),
        Value::Int(n) => (n as f64, Box::new(|k| Value::Int(k as i64))),
        Value::Num(n) => (n, Box::new(Value::Num)),
        _ => return None,
    };
    let readers: Vec<(RuleId, usize)> = d
        .rules
        .iter()
        .flat_map(|rr| {
            let rule = p.rule(rr.rule);
            (0..rule.criteria.len())
                .filter(move |&ci| {
                    rule.criteria[ci]
                        .reads
                        .iter()
                        .any(|r| matches!(*r, FactRef::Request(_, x) if x == s))
                })
                .map(move |ci| (rr.rule, ci))
        })
        .collect();
    let mut trial = case.clone();
    let mut k = amount.ceil() - 1.0;
    let mut steps = 0;
    while k >= 1.0 && steps < 10_000 {
        trial.requests[i].facts[s as usize] = make(k);
        let f = Frame::new(&trial, i);
        if readers
            .iter()
            .all(|&(r, ci)| criterion_status(rs, m, r, ci, &f).passes())
        {
            return Some(make(k));
        }
        k -= 1.0;
        steps += 1;
    }
    None
}

/// Ask for a fact to be documented, once per fact, naming every criterion
/// that needs it; when criteria differ on the value that passes, the
/// first one's is kept.
fn document(
    out: &mut Vec<Advice>,
    name: String,
    description: String,
    who: (String, String),
    passing: Option<String>,
    allowed: String,
) {
    match out
        .iter_mut()
        .find(|a| matches!(a, Advice::Document { fact, .. } if *fact == name))
    {
        Some(Advice::Document { needed_by, passes, .. }) => {
            if !needed_by.contains(&who) {
                needed_by.push(who);
            }
            if passes.is_none() {
                *passes = passing;
            }
        }
        _ => out.push(Advice::Document {
            fact: name,
            description,
            needed_by: vec![who],
            passes: passing,
            values: allowed,
        }),
    }
}
