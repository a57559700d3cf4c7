//! Agreement statistics, gathered one request at a time.
//!
//! [`Stats`] holds counters only (indexed by outcome, recorded outcome,
//! treatment class, rule and criterion), so memory does not grow with the
//! number of cases. [`Stats::summary`] turns them into rates, Cohen's
//! kappa and sorted tables, with names.
//!
//! Invariants: every request is counted exactly once in the totals
//! (`requests = agree + disagree + unrecorded + undecided`) and in one
//! class; output order never depends on hash order.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Totals;
use super::filter::FiltersJson;
use super::groups::{Breakdown, Group, MAX_GROUPS, Rate, SMALL_SAMPLE, guideline_of};
use super::run::{CaseDone, Done, RequestDone};
use crate::RuleSet;
use crate::check::{ClassId, RuleId};
use crate::eval::{Outcome, Status};
use crate::facts::Recorded;

/// The specialty group of a case with no reviewer specialty recorded.
const NOT_RECORDED: &str = "(not recorded)";
/// The guideline group of a decision that cites nothing.
const NONE_CITED: &str = "none cited";

fn outcome_index(o: Outcome) -> usize {
    match o {
        Outcome::MedicallyNecessary => 0,
        Outcome::NotMedicallyNecessary => 1,
        Outcome::InsufficientDocumentation => 2,
    }
}

fn recorded_index(r: Recorded) -> usize {
    match r {
        Recorded::Upheld => 0,
        Recorded::Overturned => 1,
    }
}

/// Counts over one group of requests (all of them, or one class).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Table {
    requests: u64,
    agree: u64,
    disagree: u64,
    unrecorded: u64,
    undecided: u64,
    /// Decided and recorded, in a case without clinical facts.
    without_facts: u64,
    /// Recorded outcomes, whatever the engine did.
    upheld: u64,
    overturned: u64,
    /// Compared requests by outcome (medically necessary, not medically
    /// necessary, insufficient documentation) and recorded outcome
    /// (upheld, overturned).
    cells: [[u64; 2]; 3],
}

impl Table {
    fn add(&mut self, r: &RequestDone) {
        self.requests += 1;
        match r.recorded {
            Some(Recorded::Upheld) => self.upheld += 1,
            Some(Recorded::Overturned) => self.overturned += 1,
            None => {}
        }
        match (&r.verdict, r.recorded) {
            (Err(_), _) => self.undecided += 1,
            (Ok(_), None) => self.unrecorded += 1,
            (Ok(_), Some(_)) if !r.facts => self.without_facts += 1,
            (Ok(v), Some(rec)) => {
                self.cells[outcome_index(v.outcome)][recorded_index(rec)] += 1;
                if v.outcome.predicts() == rec {
                    self.agree += 1;
                } else {
                    self.disagree += 1;
                }
            }
        }
    }

    fn compared(&self) -> u64 {
        self.agree + self.disagree
    }

    fn confusion(&self) -> Confusion {
        let c = &self.cells;
        let counts = |row: [u64; 2]| RecordedCounts {
            upheld: row[0],
            overturned: row[1],
        };
        Confusion {
            upheld: counts([c[1][0] + c[2][0], c[1][1] + c[2][1]]),
            overturned: counts(c[0]),
            by_outcome: ByOutcome {
                not_medically_necessary: counts(c[1]),
                insufficient_documentation: counts(c[2]),
                medically_necessary: counts(c[0]),
            },
        }
    }

    fn agreement(&self) -> Option<f64> {
        let n = self.compared();
        (n > 0).then(|| self.agree as f64 / n as f64)
    }

    /// Cohen's kappa of predicted against recorded (upheld / overturned):
    /// agreement beyond what the two sides' own rates give by chance.
    /// `None` when nothing was compared or chance agreement is total (both
    /// sides always said the same one thing).
    fn kappa(&self) -> Option<f64> {
        let conf = self.confusion();
        kappa(
            [conf.upheld.upheld, conf.upheld.overturned],
            [conf.overturned.upheld, conf.overturned.overturned],
        )
    }
}

/// Cohen's kappa of a 2x2 table: rows predicted (upheld, overturned),
/// columns recorded (upheld, overturned).
pub fn kappa(upheld: [u64; 2], overturned: [u64; 2]) -> Option<f64> {
    let n = (upheld[0] + upheld[1] + overturned[0] + overturned[1]) as f64;
    if n == 0.0 {
        return None;
    }
    let observed = (upheld[0] + overturned[1]) as f64 / n;
    let pred_up = (upheld[0] + upheld[1]) as f64 / n;
    let rec_up = (upheld[0] + overturned[0]) as f64 / n;
    let chance = pred_up * rec_up + (1.0 - pred_up) * (1.0 - rec_up);
    if (1.0 - chance).abs() < 1e-12 {
        return None;
    }
    Some((observed - chance) / (1.0 - chance))
}

/// Counters over an audit; see the module documentation.
#[derive(Clone, Debug)]
pub struct Stats {
    pub totals: Totals,
    all: Table,
    /// By class id + 1; 0 is "treatment without a class".
    by_class: Vec<Table>,
    /// Disagreements decided by each rule (the deciding criterion's rule,
    /// or for a request that passed, the first deciding rule).
    rules: Vec<u64>,
    criteria: HashMap<(RuleId, u16, Status), u64>,
    /// Disagreements where the rules found every criterion met.
    all_met: u64,
    /// Disagreements where the request fell with the one it depends on.
    fell: u64,
    undecided: BTreeMap<&'static str, u64>,
    load_errors: BTreeMap<&'static str, u64>,
    /// Decided requests whose outcome rests on no LOW criterion.
    settled: Table,
    /// Decided requests whose outcome rests on a LOW criterion.
    provisional: Table,
    /// By the request date's year.
    by_year: BTreeMap<i32, Table>,
    /// By each of the reviewer's specialties (`(not recorded)`), at most
    /// [`MAX_GROUPS`] and `(other)`.
    by_specialty: BTreeMap<String, Table>,
    /// By each guideline the recorded decision cites ([`guideline_of`]).
    by_guideline: BTreeMap<String, Table>,
}

/// Count `r` under `key` in a group map kept to [`MAX_GROUPS`] keys.
fn add_keyed(map: &mut BTreeMap<String, Table>, key: &str, r: &RequestDone) {
    if let Some(t) = map.get_mut(key) {
        t.add(r);
        return;
    }
    let key = if map.len() >= MAX_GROUPS { "(other)" } else { key };
    map.entry(key.to_string()).or_default().add(r);
}

impl Stats {
    pub fn new(rs: &RuleSet) -> Stats {
        Stats {
            totals: Totals::default(),
            all: Table::default(),
            by_class: vec![Table::default(); rs.program.catalog.classes.len() + 1],
            rules: vec![0; rs.program.rules.len()],
            criteria: HashMap::new(),
            all_met: 0,
            fell: 0,
            undecided: BTreeMap::new(),
            load_errors: BTreeMap::new(),
            settled: Table::default(),
            provisional: Table::default(),
            by_year: BTreeMap::new(),
            by_specialty: BTreeMap::new(),
            by_guideline: BTreeMap::new(),
        }
    }

    /// Count one input: a case with its requests, or an error.
    pub fn add(&mut self, rs: &RuleSet, d: &Done) {
        self.totals.inputs += 1;
        let case = match &d.result {
            Err(f) => {
                self.totals.errors += 1;
                *self.load_errors.entry(f.diagnostic.code).or_default() += 1;
                return;
            }
            Ok(c) => c,
        };
        self.totals.cases += 1;
        let mut kept = 0;
        for r in &case.requests {
            if r.kept {
                kept += 1;
                self.add_request(rs, case, r);
            } else {
                self.totals.filtered_out += 1;
            }
        }
        if kept == 0 && !case.requests.is_empty() {
            self.totals.cases_filtered_out += 1;
        }
    }

    fn add_request(&mut self, rs: &RuleSet, case: &CaseDone, r: &RequestDone) {
        self.totals.requests += 1;
        match r.recorded {
            Some(Recorded::Upheld) => self.totals.upheld += 1,
            Some(Recorded::Overturned) => self.totals.overturned += 1,
            None => {}
        }
        match (&r.verdict, r.agrees()) {
            (Err(e), _) => {
                self.totals.undecided += 1;
                *self.undecided.entry(e.code()).or_default() += 1;
            }
            (Ok(_), None) if r.recorded.is_some() => self.totals.without_facts += 1,
            (Ok(_), None) => self.totals.unrecorded += 1,
            (Ok(_), Some(true)) => {
                self.totals.compared += 1;
                self.totals.agree += 1;
            }
            (Ok(v), Some(false)) => {
                self.totals.compared += 1;
                self.totals.disagree += 1;
                match v.decided_by {
                    Some(d) => {
                        *self.criteria.entry((d.rule, d.criterion, d.status)).or_default() += 1;
                        if let Some(n) = self.rules.get_mut(d.rule.0 as usize) {
                            *n += 1;
                        }
                    }
                    None => {
                        if v.fell_with.is_some() {
                            self.fell += 1;
                        } else {
                            self.all_met += 1;
                        }
                        if let Some(n) = v.rule.and_then(|r| self.rules.get_mut(r.0 as usize)) {
                            *n += 1;
                        }
                    }
                }
            }
        }
        self.all.add(r);
        match &r.verdict {
            Ok(v) if v.provisional => self.provisional.add(r),
            Ok(_) => self.settled.add(r),
            Err(_) => {}
        }
        let class = category(rs, r).map_or(0, |c| c.0 as usize + 1);
        if let Some(t) = self.by_class.get_mut(class) {
            t.add(r);
        }
        self.by_year.entry(r.date.ymd().0).or_default().add(r);
        let specialties = case
            .reviewer
            .as_ref()
            .and_then(|rv| rv.specialty.as_deref())
            .unwrap_or("");
        let mut any = false;
        let mut seen: Vec<&str> = Vec::new();
        for s in specialties.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            if !seen.contains(&s) {
                seen.push(s);
                add_keyed(&mut self.by_specialty, s, r);
                any = true;
            }
        }
        if !any {
            add_keyed(&mut self.by_specialty, NOT_RECORDED, r);
        }
        let mut cited: Vec<String> = r.cites.iter().map(|c| guideline_of(c)).collect();
        cited.sort();
        cited.dedup();
        // A decision that cites something besides "none cited" is not
        // "none cited".
        if cited.len() > 1 {
            cited.retain(|g| g != NONE_CITED);
        }
        if cited.is_empty() {
            cited.push(NONE_CITED.to_string());
        }
        for g in &cited {
            add_keyed(&mut self.by_guideline, g, r);
        }
    }

    /// Rates, kappa and tables, with names.
    pub fn summary(&self, rs: &RuleSet) -> Summary {
        let p = &rs.program;
        let by_category = self
            .by_class
            .iter()
            .enumerate()
            .filter(|(_, t)| t.requests > 0)
            .map(|(i, t)| {
                let class = i.checked_sub(1).map(|c| p.catalog.class(ClassId(c as u32)));
                CategorySummary {
                    category: class.map(|c| c.name.clone()),
                    title: class.map_or_else(|| "Treatments without a class".to_string(), |c| c.title.clone()),
                    requests: t.requests,
                    compared: t.compared(),
                    agree: t.agree,
                    disagree: t.disagree,
                    unrecorded: t.unrecorded,
                    undecided: t.undecided,
                    agreement: t.agreement(),
                    kappa: t.kappa(),
                    confusion: t.confusion(),
                }
            })
            .collect::<Vec<_>>();
        let mut by_category = by_category;
        // Classes by name; the class-less group last.
        by_category.sort_by(|a, b| match (&a.category, &b.category) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let mut rules: Vec<RuleCount> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| {
                let r = p.rule(RuleId(i as u32));
                RuleCount {
                    rule: r.name.clone(),
                    title: r.title.clone(),
                    disagreements: n,
                }
            })
            .collect();
        rules.sort_by(|a, b| b.disagreements.cmp(&a.disagreements).then_with(|| a.rule.cmp(&b.rule)));
        let mut criteria: Vec<CriterionCount> = self
            .criteria
            .iter()
            .map(|(&(r, c, status), &n)| {
                let rule = p.rule(r);
                let crit = rule.criteria.get(c as usize);
                CriterionCount {
                    rule: rule.name.clone(),
                    criterion: crit.map_or_else(String::new, |x| x.name.clone()),
                    status,
                    description: crit.map_or_else(String::new, |x| x.description.clone()),
                    disagreements: n,
                }
            })
            .collect();
        criteria.sort_by(|a, b| {
            b.disagreements
                .cmp(&a.disagreements)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.criterion.cmp(&b.criterion))
                .then_with(|| a.status.label().cmp(b.status.label()))
        });
        let counts = |m: &BTreeMap<&'static str, u64>| {
            m.iter()
                .map(|(&code, &count)| CodeCount { code, count })
                .collect::<Vec<_>>()
        };
        let breakdown = self.breakdown(rs);
        Summary {
            breakdown,
            filters: FiltersJson::default(),
            totals: self.totals.clone(),
            agreement: self.all.agreement(),
            kappa: self.all.kappa(),
            confusion: self.all.confusion(),
            by_category,
            deciders: Deciders {
                rules,
                criteria,
                all_criteria_met: self.all_met,
                fell_with_dependency: self.fell,
            },
            undecided: counts(&self.undecided),
            load_errors: counts(&self.load_errors),
            by_confidence: ByConfidence {
                settled: self.settled.split(),
                provisional: self.provisional.split(),
            },
        }
    }
}

impl Stats {
    /// The four groupings, with rates and intervals.
    fn breakdown(&self, rs: &RuleSet) -> Breakdown {
        let p = &rs.program;
        let mut by_category: Vec<(Option<String>, Group)> = self
            .by_class
            .iter()
            .enumerate()
            .filter(|(_, t)| t.requests > 0)
            .map(|(i, t)| {
                let name = i
                    .checked_sub(1)
                    .map(|c| p.catalog.class(ClassId(c as u32)).name.clone());
                let label = name.clone().unwrap_or_else(|| "(no class)".to_string());
                (name, t.group(label))
            })
            .collect();
        // Classes by name; the class-less group last.
        by_category.sort_by(|a, b| match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let by_year = self.by_year.iter().map(|(y, t)| t.group(y.to_string())).collect();
        let most_first = |m: &BTreeMap<String, Table>| {
            let mut v: Vec<Group> = m.iter().map(|(k, t)| t.group(k.clone())).collect();
            // Most requests first, then by name (the map's order, kept by
            // a stable sort).
            v.sort_by_key(|g| std::cmp::Reverse(g.requests));
            v
        };
        Breakdown {
            small_sample_below: SMALL_SAMPLE,
            all: self.all.group("all".to_string()),
            by_category: by_category.into_iter().map(|(_, g)| g).collect(),
            by_year,
            by_specialty: most_first(&self.by_specialty),
            by_guideline: most_first(&self.by_guideline),
        }
    }
}

impl Table {
    fn group(&self, group: String) -> Group {
        Group {
            group,
            requests: self.requests,
            upheld: self.upheld,
            overturned: self.overturned,
            uphold_rate: Rate::of(self.upheld, self.upheld + self.overturned),
            compared: self.compared(),
            agree: self.agree,
            agreement: Rate::of(self.agree, self.compared()),
            without_facts: self.without_facts,
        }
    }

    fn split(&self) -> SplitSummary {
        SplitSummary {
            requests: self.requests,
            compared: self.compared(),
            agree: self.agree,
            disagree: self.disagree,
            unrecorded: self.unrecorded,
            agreement: self.agreement(),
            kappa: self.kappa(),
        }
    }
}

/// Agreement over the decided requests of one kind (settled or provisional).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SplitSummary {
    pub requests: u64,
    pub compared: u64,
    pub agree: u64,
    pub disagree: u64,
    pub unrecorded: u64,
    pub agreement: Option<f64>,
    pub kappa: Option<f64>,
}

/// Decided requests split by whether their outcome rests on a LOW
/// criterion (`provisional`) or not (`settled`); undecided ones are in
/// neither.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ByConfidence {
    pub settled: SplitSummary,
    pub provisional: SplitSummary,
}

/// A request's treatment class (its first), as audit tables group it.
pub fn category(rs: &RuleSet, r: &RequestDone) -> Option<ClassId> {
    rs.program.catalog.treatment(r.treatment).classes.first().copied()
}

#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct RecordedCounts {
    pub upheld: u64,
    pub overturned: u64,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ByOutcome {
    pub not_medically_necessary: RecordedCounts,
    pub insufficient_documentation: RecordedCounts,
    pub medically_necessary: RecordedCounts,
}

/// Compared requests, predicted (the fields) against recorded (inside).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Confusion {
    /// Predicted upheld: not medically necessary, for either reason.
    pub upheld: RecordedCounts,
    /// Predicted overturned: medically necessary.
    pub overturned: RecordedCounts,
    /// The same by the outcome behind the prediction.
    pub by_outcome: ByOutcome,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CategorySummary {
    /// The treatment's first class; `null` for treatments without one.
    pub category: Option<String>,
    pub title: String,
    pub requests: u64,
    pub compared: u64,
    pub agree: u64,
    pub disagree: u64,
    pub unrecorded: u64,
    pub undecided: u64,
    pub agreement: Option<f64>,
    pub kappa: Option<f64>,
    pub confusion: Confusion,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RuleCount {
    pub rule: String,
    pub title: String,
    pub disagreements: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CriterionCount {
    pub rule: String,
    pub criterion: String,
    pub status: Status,
    pub description: String,
    pub disagreements: u64,
}

/// What decided the disagreements.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Deciders {
    /// By rule: the deciding criterion's rule, or, for a request the rules
    /// passed, the first deciding rule; most first.
    pub rules: Vec<RuleCount>,
    /// By criterion and status (not met / not documented); most first.
    pub criteria: Vec<CriterionCount>,
    /// Disagreements where every criterion was met (predicted overturned,
    /// recorded upheld).
    pub all_criteria_met: u64,
    /// Disagreements where the request fell with the one it depends on.
    pub fell_with_dependency: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CodeCount {
    pub code: &'static str,
    pub count: u64,
}

/// Everything an audit found, in numbers.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub totals: Totals,
    pub agreement: Option<f64>,
    pub kappa: Option<f64>,
    pub confusion: Confusion,
    pub by_category: Vec<CategorySummary>,
    pub deciders: Deciders,
    /// Requests that could not be decided, by reason.
    pub undecided: Vec<CodeCount>,
    /// Inputs that could not be read, by reason.
    pub load_errors: Vec<CodeCount>,
    /// Agreement among settled and among provisional decisions.
    pub by_confidence: ByConfidence,
    /// Totals for analysts: by category, year, specialty and guideline
    /// cited, with uphold rates and agreement and their intervals.
    pub breakdown: Breakdown,
    /// The filters applied before any total.
    pub filters: FiltersJson,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_of_known_tables() {
        // Perfect agreement with both answers present.
        assert_eq!(kappa([10, 0], [0, 10]), Some(1.0));
        // Agreement no better than chance.
        let k = kappa([25, 25], [25, 25]).unwrap_or(f64::NAN);
        assert!(k.abs() < 1e-12);
        // A textbook example: 20 + 15 agree of 50; kappa 0.4.
        let k = kappa([20, 5], [10, 15]).unwrap_or(f64::NAN);
        assert!((k - 0.4).abs() < 1e-12, "{k}");
        // Both sides always said upheld: kappa is undefined.
        assert_eq!(kappa([7, 0], [0, 0]), None);
        assert_eq!(kappa([0, 0], [0, 0]), None);
    }
}
