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
    /// Ask for less: the largest quantity or duration that meets every
    /// criterion reading it.
    Reduce { fact: String, from: Qty, to: Qty },
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
    let quantity = p.schema.builtin.request_quantity;
    let duration = p.schema.builtin.request_duration;
    let mut reducible: Vec<(RuleId, usize, u16)> = Vec::new();
    for rr in &d.rules {
        let rule = p.rule(rr.rule);
        for (ci, &status) in rr.statuses.iter().enumerate() {
            let cr = &rule.criteria[ci];
            match status {
                Status::Met => {}
                Status::NotDocumented => {
                    let needed = cr.expr.as_ref().map(|e| super::reference::missing_facts(e, case, i));
                    for r in needed.unwrap_or_default() {
                        let f = p.schema.fact(r.fact());
                        let who = (rule.name.clone(), cr.name.clone());
                        document(&mut out, fact_name(p, case, i, r), f.description.clone(), who);
                    }
                }
                Status::NotMet => {
                    let slot = cr.reads.iter().find_map(|r| match *r {
                        FactRef::Request(_, s) if Some(s) == quantity || Some(s) == duration => Some(s),
                        _ => None,
                    });
                    // A prior treatment the case does not list reads as not
                    // given: if it was given, recording it may meet this.
                    let unlisted: Vec<FactRef> = cr.reads.iter().copied().filter(|&r| defaulted(case, i, r)).collect();
                    match slot {
                        Some(s) => reducible.push((rr.rule, ci, s)),
                        None if !unlisted.is_empty() => {
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
                        }
                        None => out.push(Advice::Unmet {
                            rule: rule.name.clone(),
                            criterion: cr.name.clone(),
                            description: cr.description.clone(),
                        }),
                    }
                }
            }
        }
    }
    // For each requested amount that fails a criterion, search downwards in
    // whole units for the largest amount every criterion reading it meets.
    let mut slots: Vec<u16> = reducible.iter().map(|x| x.2).collect();
    slots.dedup();
    for s in slots {
        let Some(Value::Qty(from)) = case.requests[i].facts.get(s as usize).cloned() else {
            continue;
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
        let mut best = None;
        let mut k = from.amount.ceil() - 1.0;
        let mut steps = 0;
        while k >= 1.0 && steps < 10_000 {
            trial.requests[i].facts[s as usize] = Value::Qty(Qty::new(k, from.unit));
            let f = Frame::new(&trial, i);
            if readers
                .iter()
                .all(|&(r, ci)| criterion_status(rs, m, r, ci, &f) == Status::Met)
            {
                best = Some(Qty::new(k, from.unit));
                break;
            }
            k -= 1.0;
            steps += 1;
        }
        let fact = p
            .schema
            .by_slot(Scope::Request, s)
            .map_or_else(|| "request".to_string(), display_path);
        match best {
            Some(to) => out.push(Advice::Reduce { fact, from, to }),
            None => {
                for &(r, ci, _) in reducible.iter().filter(|x| x.2 == s) {
                    let rule = p.rule(r);
                    out.push(Advice::Unmet {
                        rule: rule.name.clone(),
                        criterion: rule.criteria[ci].name.clone(),
                        description: rule.criteria[ci].description.clone(),
                    });
                }
            }
        }
    }
    out
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
