//! The fast path: outcome and deciding criterion, without the trace.
//!
//! An audit needs, for most requests, only the outcome and the criterion
//! that decided it. [`Plan`] works out ahead of time, for every treatment
//! and every stretch of dates between two rule-window boundaries, which
//! criteria take part and in which order (deciding rules first, then
//! supplements, as [`super::select`] chooses them). Deciding a request is
//! then a binary search on its date and a run over that list with the
//! predicate [`Machine`], stopping at the first criterion not met. Nothing
//! is allocated per request.
//!
//! Invariants: gives the outcome, deciding criterion and `depends_on`
//! result that [`super::decide_case`] gives (tested against it and the
//! reference interpreter in `tests/reference.rs`); errors are left to
//! [`super::select`], which names them.

use std::ops::Range;

use super::{EvalError, Frame, Machine, Outcome, Status, select};
use crate::RuleSet;
use crate::check::{RuleId, TreatmentId};
use crate::facts::Case;
use crate::syntax::ast::CriterionKind;
use crate::value::{Date, Tri};

/// One criterion to run, in decision order.
#[derive(Clone, Debug)]
struct Step {
    code: Range<u32>,
    kind: CriterionKind,
    rule: RuleId,
    criterion: u16,
    /// Its confidence is LOW (a decision resting on it is provisional).
    low: bool,
    /// Its `when` guard, run only for a LOW criterion that passes, to
    /// tell met from does not apply.
    guard: Option<Range<u32>>,
}

/// The criteria that decide a treatment, by date.
#[derive(Clone, Debug, Default)]
struct Periods {
    /// Dates where the rules in force change, ascending. Stretch `k` runs
    /// from `bounds[k - 1]` (inclusive) to `bounds[k]` (exclusive); the
    /// first and last are open.
    bounds: Vec<Date>,
    /// One entry per stretch (`bounds.len() + 1`): the criteria, or `None`
    /// when no rule is in force (or none covers the treatment).
    steps: Vec<Option<Stretch>>,
}

/// The criteria that decide a treatment over one stretch of dates.
#[derive(Clone, Debug)]
struct Stretch {
    /// The first deciding rule.
    primary: Option<RuleId>,
    steps: Box<[Step]>,
}

/// Decision tables for every treatment of a rule set.
#[derive(Clone, Debug)]
pub struct Plan {
    treatments: Vec<Periods>,
}

/// The criterion that decided a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decider {
    pub rule: RuleId,
    pub criterion: u16,
    pub status: Status,
}

/// What the fast path says about a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// The first criterion not met, else the first not documented.
    pub decided_by: Option<Decider>,
    /// The request this one fell with (`depends_on`).
    pub fell_with: Option<usize>,
    /// The first deciding rule (the one a citation would name).
    pub rule: Option<RuleId>,
    /// The first LOW criterion the outcome rests on (as
    /// [`super::Provisional`] defines it).
    pub low: Option<(RuleId, u16)>,
    /// The outcome rests on a LOW criterion, or (having fallen with its
    /// dependency) on a provisional decision.
    pub provisional: bool,
}

impl Plan {
    pub fn new(rs: &RuleSet) -> Plan {
        let p = &rs.program;
        let treatments = (0..p.catalog.treatments.len())
            .map(|t| {
                let t = TreatmentId(t as u32);
                let covering = rs.compiled.by_treatment.get(t.0 as usize).map_or(&[][..], |v| &v[..]);
                let mut bounds: Vec<Date> = covering
                    .iter()
                    .flat_map(|&r| {
                        let w = p.rule(r).window;
                        [w.from, w.until]
                    })
                    .flatten()
                    .collect();
                bounds.sort();
                bounds.dedup();
                // A date inside each stretch stands for all of it.
                let mut probes: Vec<Date> = bounds.clone();
                probes.insert(0, bounds.first().map_or(Date(0), |d| Date(d.0 - 1)));
                let steps = probes
                    .into_iter()
                    .map(|d| {
                        let sel = select(p, &rs.compiled, t, d).ok()?;
                        let steps: Vec<Step> = sel
                            .deciding
                            .iter()
                            .chain(&sel.supplements)
                            .flat_map(|&r| {
                                let rule = rs.compiled.rules.get(r.0 as usize);
                                let checked = p.rule(r);
                                rule.into_iter()
                                    .flat_map(|x| x.criteria.iter())
                                    .enumerate()
                                    .map(move |(ci, c)| Step {
                                        code: c.code.clone(),
                                        kind: c.kind,
                                        rule: r,
                                        criterion: ci as u16,
                                        low: checked.criteria.get(ci).is_some_and(|x| x.grounds.is_low()),
                                        guard: c.guard.clone(),
                                    })
                            })
                            .collect();
                        Some(Stretch {
                            primary: sel.deciding.first().copied(),
                            steps: steps.into_boxed_slice(),
                        })
                    })
                    .collect();
                Periods { bounds, steps }
            })
            .collect();
        Plan { treatments }
    }

    fn stretch(&self, t: TreatmentId, date: Date) -> Option<&Stretch> {
        let periods = self.treatments.get(t.0 as usize)?;
        let k = periods.bounds.partition_point(|&b| b <= date);
        periods.steps.get(k)?.as_ref()
    }

    /// Decide request `i` on its own (without `depends_on`); `None` when
    /// no rule covers it or none is in force on its date.
    pub fn decide_request(&self, rs: &RuleSet, m: &mut Machine, case: &Case, i: usize) -> Option<Verdict> {
        let req = case.requests.get(i)?;
        let stretch = self.stretch(req.treatment, req.date)?;
        let frame = Frame::new(case, i);
        m.session(&rs.compiled, &frame, |session| {
            let mut undocumented = None;
            let mut low_undocumented = None;
            for s in &stretch.steps[..] {
                let holds = if s.code.is_empty() {
                    Tri::True
                } else {
                    session.run(s.code.clone())
                };
                let status = match (s.kind, holds) {
                    (CriterionKind::Require, Tri::True) | (CriterionKind::Exclude, Tri::False) => continue,
                    (CriterionKind::Require, Tri::False) | (CriterionKind::Exclude, Tri::True) => Status::NotMet,
                    (_, Tri::Unknown) => Status::NotDocumented,
                };
                let d = Decider {
                    rule: s.rule,
                    criterion: s.criterion,
                    status,
                };
                let low = s.low.then_some((s.rule, s.criterion));
                if status == Status::NotMet {
                    return Some(Verdict {
                        outcome: Outcome::NotMedicallyNecessary,
                        decided_by: Some(d),
                        fell_with: None,
                        rule: stretch.primary,
                        low,
                        provisional: low.is_some(),
                    });
                }
                undocumented = undocumented.or(Some(d));
                low_undocumented = low_undocumented.or(low);
            }
            let (outcome, low) = if undocumented.is_some() {
                (Outcome::InsufficientDocumentation, low_undocumented)
            } else {
                // Every criterion passed. The first LOW one that is met
                // (not one whose guard says it does not apply, nor one
                // reading nothing documented: those are shown as not
                // applying, as `criterion_status` does) is what the
                // outcome rests on. Worked out only here, since no other
                // outcome needs it.
                let low_met = stretch
                    .steps
                    .iter()
                    .filter(|s| s.low)
                    .find(|s| {
                        s.guard.as_ref().is_none_or(|g| session.run(g.clone()) != Tri::False)
                            && !super::reads_nothing_documented(rs, s.rule, usize::from(s.criterion), &frame)
                    })
                    .map(|s| (s.rule, s.criterion));
                (Outcome::MedicallyNecessary, low_met)
            };
            Some(Verdict {
                outcome,
                decided_by: undocumented,
                fell_with: None,
                rule: stretch.primary,
                low,
                provisional: low.is_some(),
            })
        })
    }

    /// Decide every request of a case into `out` (cleared first), with
    /// `depends_on` applied as [`super::decide_case`] applies it.
    pub fn decide_case(&self, rs: &RuleSet, m: &mut Machine, case: &Case, out: &mut Vec<Result<Verdict, EvalError>>) {
        out.clear();
        for (i, req) in case.requests.iter().enumerate() {
            out.push(match self.decide_request(rs, m, case, i) {
                Some(v) => Ok(v),
                None => match select(&rs.program, &rs.compiled, req.treatment, req.date) {
                    Err(e) => Err(e),
                    // Cannot happen: the plan and `select` agree. Say so
                    // rather than pass.
                    Ok(_) => Err(EvalError::NoRule {
                        treatment: rs.program.catalog.treatment(req.treatment).name.clone(),
                    }),
                },
            });
        }
        if case.requests.iter().any(|r| r.depends_on.is_some()) {
            super::settle_dependencies(
                case,
                out,
                |v| v.outcome,
                |v, q| {
                    v.fell_with = Some(q);
                    if v.outcome == Outcome::MedicallyNecessary {
                        v.outcome = Outcome::NotMedicallyNecessary;
                        v.low = None;
                        v.provisional = false;
                    }
                },
            );
            super::settle_provisional(
                out,
                |v| v.fell_with.filter(|_| v.decided_by.is_none()),
                |v| v.provisional,
                |v| v.provisional = true,
            );
        }
    }
}
