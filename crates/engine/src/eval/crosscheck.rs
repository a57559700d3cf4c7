//! The three evaluators side by side: the compiled predicates
//! ([`super::decide_case`]), the audit's fast path ([`super::fast::Plan`])
//! and the reference interpreter ([`super::reference`]) must give the same
//! decisions for any case that loads. `tests/reference.rs` runs this on
//! generated cases and the fuzz targets (`fuzz/`) on arbitrary input.
//!
//! Compared, per request: the outcome, every criterion's status and the
//! deciding criterion (compiled against reference: the whole `Decision`),
//! the request it fell with, whether the decision is provisional and its
//! first LOW criterion, and the error when it cannot be decided.
//!
//! Invariants: decides nothing itself; never panics on a loaded case; a
//! disagreement is returned, not asserted, so callers choose how to fail.

use super::fast::{Decider, Plan, Verdict};
use super::{Decision, EvalError, Machine, reference};
use crate::RuleSet;
use crate::facts::Case;

/// Two evaluators that decided a case differently.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{what}")]
pub struct Disagreement {
    /// The request concerned, when one is.
    pub request: Option<usize>,
    /// What differs, with both sides' values.
    pub what: String,
}

/// Reusable state for checking many cases against one rule set.
pub struct Crosscheck<'r> {
    rs: &'r RuleSet,
    plan: Plan,
    machine: Machine,
    verdicts: Vec<Result<Verdict, EvalError>>,
}

impl<'r> Crosscheck<'r> {
    pub fn new(rs: &'r RuleSet) -> Crosscheck<'r> {
        Crosscheck {
            rs,
            plan: Plan::new(rs),
            machine: Machine::new(),
            verdicts: Vec::new(),
        }
    }

    /// Decide `case` three ways; the compiled decisions when all agree.
    pub fn case(&mut self, case: &Case) -> Result<Vec<Result<Decision, EvalError>>, Disagreement> {
        let compiled = super::decide_case(self.rs, &mut self.machine, case);
        let reference = reference::decide_case(&self.rs.program, case);
        if compiled.len() != reference.len() || compiled.len() != case.requests.len() {
            return Err(Disagreement {
                request: None,
                what: format!(
                    "{} requests, compiled decided {}, reference {}",
                    case.requests.len(),
                    compiled.len(),
                    reference.len()
                ),
            });
        }
        for (i, (c, r)) in compiled.iter().zip(&reference).enumerate() {
            if c != r {
                return Err(Disagreement {
                    request: Some(i),
                    what: format!("request {i}: compiled {c:?}, reference {r:?}"),
                });
            }
        }
        self.plan
            .decide_case(self.rs, &mut self.machine, case, &mut self.verdicts);
        if self.verdicts.len() != compiled.len() {
            return Err(Disagreement {
                request: None,
                what: format!(
                    "compiled decided {} requests, fast path {}",
                    compiled.len(),
                    self.verdicts.len()
                ),
            });
        }
        for (i, (c, f)) in compiled.iter().zip(&self.verdicts).enumerate() {
            let same = match (c, f) {
                (Ok(c), Ok(f)) => {
                    let decider = c.decided_by.and_then(|(ri, ci)| {
                        let rule = c.rules.get(ri)?;
                        Some(Decider {
                            rule: rule.rule,
                            criterion: u16::try_from(ci).ok()?,
                            status: *rule.statuses.get(ci)?,
                        })
                    });
                    // Provisional (resting on a LOW criterion) and the
                    // first LOW criterion agree too.
                    let first_low = c
                        .provisional
                        .criteria
                        .first()
                        .and_then(|&(ri, ci)| Some((c.rules.get(ri)?.rule, u16::try_from(ci).ok()?)));
                    c.outcome == f.outcome
                        && c.fell_with == f.fell_with
                        && decider == f.decided_by
                        && c.decided_by.is_some() == decider.is_some()
                        && c.provisional.is_provisional() == f.provisional
                        && first_low == f.low
                }
                (Err(c), Err(f)) => c == f,
                _ => false,
            };
            if !same {
                return Err(Disagreement {
                    request: Some(i),
                    what: format!("request {i}: compiled {c:?}, fast path {f:?}"),
                });
            }
        }
        Ok(compiled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceMap;
    use crate::facts::load_yaml;

    fn rules(limit: u32) -> RuleSet {
        let text = format!(
            "source S \"An example guideline\"\n  tier mtus\n  effective 2010-01-01\n\n\
             fact request.id: text \"the request id\"\n\
             fact request.treatment: treatment \"what is asked for\"\n\
             fact request.date: date \"the date of the request\"\n\
             fact request.quantity: quantity \"how much\"\n\
             class physical \"Physical treatments\"\n\
             treatment massage_therapy \"Massage therapy\" class physical\n\n\
             rule massage \"Massage\"\n  cites S \"Massage\" p. 1\n  applies to massage_therapy\n\n  \
             require visit_limit \"No more than the limit\"\n    request.quantity <= {limit} visit\n"
        );
        let mut sm = SourceMap::new();
        match RuleSet::from_texts(&mut sm, [("x.mtus", text.as_str())]) {
            Ok(rs) => rs,
            Err(e) => panic!("{e}: {:?}", e.diagnostics),
        }
    }

    const CASE: &str =
        "case: c\nrequests:\n  - { id: r1, treatment: massage_therapy, quantity: 7 visit, date: 2015-05-06 }\n";

    #[test]
    fn agreeing_evaluators_pass_and_a_changed_program_is_caught() {
        let six = rules(6);
        let case = load_yaml(&six.program, "c.yaml", CASE).expect("the case loads");
        let decisions = Crosscheck::new(&six).case(&case).expect("the evaluators agree");
        assert_eq!(
            decisions[0].as_ref().map(|d| d.outcome),
            Ok(super::super::Outcome::NotMedicallyNecessary)
        );
        // The reference reads the checked program (limit 6), the compiled
        // code and the fast path a program compiled with limit 8: 7 visits
        // pass one and fail the other.
        let mixed = RuleSet {
            program: six.program.clone(),
            compiled: rules(8).compiled,
            origin: six.origin.clone(),
        };
        let d = Crosscheck::new(&mixed).case(&case).expect_err("a disagreement");
        assert_eq!(d.request, Some(0));
        assert!(d.what.contains("reference"), "{d}");
    }
}
