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
                        let f = p.schema.fact(r.fact());
                        let who = (rule.name.clone(), cr.name.clone());
                        document(&mut out, fact_name(p, case, i, r), f.description.clone(), who);
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
                            let f = p.schema.fact(r.fact());
                            let desc = format!(
                                "{}: the case has no history entry for it, so it reads as not given",
                                f.description
                            );
                            document(
                                &mut out,
                                fact_name(p, case, i, r),
                                desc,
                                (rule.name.clone(), cr.name.clone()),
                            );
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
    out
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
/// that needs it.
fn document(out: &mut Vec<Advice>, name: String, description: String, who: (String, String)) {
    match out
        .iter_mut()
        .find(|a| matches!(a, Advice::Document { fact, .. } if *fact == name))
    {
        Some(Advice::Document { needed_by, .. }) => {
            if !needed_by.contains(&who) {
                needed_by.push(who);
            }
        }
        _ => out.push(Advice::Document {
            fact: name,
            description,
            needed_by: vec![who],
        }),
    }
}
