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
mod machine;
pub mod reference;

use crate::RuleSet;
use crate::check::{Program, RuleId, Tier, TreatmentId};
use crate::compile::{Arg, Compiled, Op};
use crate::diag::{Diagnostic, FileId, Span};
use crate::facts::{Case, Recorded};
use crate::syntax::ast::{CmpOp, CriterionKind};
use crate::value::ops::{self, Scalar};
use crate::value::{Date, Dim, Sym, Tri, Value};
use machine::ABSENT;
pub use machine::{Frame, Machine, Session};

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
mod regime_tests {
    use super::*;

    #[test]
    fn the_current_regime_starts_on_2017_12_01() {
        assert_eq!(Some(CURRENT_REGIME), Date::parse("2017-12-01"));
    }
}
