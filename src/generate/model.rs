//! What the generator learns from a rule set: which treatments it can
//! request and when, which facts their rules read, and the thresholds and
//! symbols the rules compare those facts with.

use std::collections::HashMap;

use super::rng::Rng;
use crate::RuleSet;
use crate::check::{FactId, FactRef, Lit, TExpr, TKind, TreatmentId};
use crate::eval::select;
use crate::value::{Date, Qty, Sym};

/// What the rules compare a fact with.
#[derive(Clone, Debug, Default)]
pub struct Hint {
    pub numbers: Vec<f64>,
    pub quantities: Vec<Qty>,
    pub symbols: Vec<Sym>,
}

impl Hint {
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty() && self.quantities.is_empty() && self.symbols.is_empty()
    }

    pub fn merge(&mut self, other: &Hint) {
        for &n in &other.numbers {
            if !self.numbers.contains(&n) {
                self.numbers.push(n);
            }
        }
        for &q in &other.quantities {
            if !self.quantities.contains(&q) {
                self.quantities.push(q);
            }
        }
        for &s in &other.symbols {
            if !self.symbols.contains(&s) {
                self.symbols.push(s);
            }
        }
    }

    fn add_lit(&mut self, l: &Lit) {
        match l {
            Lit::Num(n) if !self.numbers.contains(n) => self.numbers.push(*n),
            Lit::Qty(q) if !self.quantities.contains(q) => self.quantities.push(*q),
            Lit::Sym(s) if !self.symbols.contains(s) => self.symbols.push(*s),
            _ => {}
        }
    }
}

/// A group of treatments one rule decides.
#[derive(Clone, Debug)]
pub struct Choice {
    pub treatments: Vec<TreatmentId>,
}

#[derive(Clone, Debug, Default)]
pub struct TreatmentModel {
    /// Date ranges (inclusive) when a rule is in force for it.
    pub periods: Vec<(Date, Date)>,
    /// Facts its rules read, with what they compare them with.
    pub reads: HashMap<FactId, Hint>,
    /// Other treatments whose history its rules read.
    pub named_history: Vec<TreatmentId>,
}

impl TreatmentModel {
    pub fn in_force(&self, d: Date) -> bool {
        self.periods.iter().any(|&(a, b)| a <= d && d <= b)
    }

    /// A date when a rule is in force (the treatment must have one).
    pub fn date(&self, rng: &mut Rng) -> Date {
        let (a, b) = *rng.pick(&self.periods);
        Date(rng.range(i64::from(a.0), i64::from(b.0)) as i32)
    }
}

#[derive(Clone, Debug)]
pub struct Model {
    pub choices: Vec<Choice>,
    pub treatments: Vec<TreatmentModel>,
    /// Every rule's hints together, for facts the requested treatment's
    /// own rules do not read.
    pub global: HashMap<FactId, Hint>,
}

impl Model {
    pub fn new(rs: &RuleSet, lo: Date, hi: Date) -> Model {
        let p = &rs.program;
        let rule_hints: Vec<HashMap<FactId, Hint>> = p
            .rules
            .iter()
            .map(|r| {
                let mut h = HashMap::new();
                for c in &r.criteria {
                    for f in &c.reads {
                        h.entry(f.fact()).or_insert_with(Hint::default);
                    }
                    if let Some(e) = &c.expr {
                        walk(e, &mut h);
                    }
                }
                h
            })
            .collect();
        let mut global: HashMap<FactId, Hint> = HashMap::new();
        for h in &rule_hints {
            for (f, x) in h {
                global.entry(*f).or_default().merge(x);
            }
        }
        let treatments: Vec<TreatmentModel> = (0..p.catalog.treatments.len())
            .map(|t| {
                let t = TreatmentId(t as u32);
                let covering = rs.compiled.by_treatment.get(t.0 as usize).map_or(&[][..], |v| &v[..]);
                let mut m = TreatmentModel::default();
                for &r in covering {
                    for (f, x) in &rule_hints[r.0 as usize] {
                        m.reads.entry(*f).or_default().merge(x);
                    }
                    for c in &p.rule(r).criteria {
                        for f in &c.reads {
                            if let FactRef::History(n, ..) = f {
                                if !m.named_history.contains(n) {
                                    m.named_history.push(*n);
                                }
                            }
                        }
                    }
                }
                // Stretches between window boundaries, kept where a rule is in force.
                let mut bounds: Vec<i32> = covering
                    .iter()
                    .flat_map(|&r| [p.rule(r).window.from, p.rule(r).window.until])
                    .flatten()
                    .map(|d| d.0)
                    .filter(|&d| d > lo.0 && d <= hi.0)
                    .collect();
                bounds.push(lo.0);
                bounds.push(hi.0 + 1);
                bounds.sort_unstable();
                bounds.dedup();
                for w in bounds.windows(2) {
                    let (a, b) = (Date(w[0]), Date(w[1] - 1));
                    if a <= b && select(p, &rs.compiled, t, a).is_ok() {
                        m.periods.push((a, b));
                    }
                }
                m
            })
            .collect();
        let mut choices = Vec::new();
        for (ri, r) in p.rules.iter().enumerate() {
            if r.supplements.is_some() {
                continue;
            }
            let ts: Vec<TreatmentId> = (0..p.catalog.treatments.len())
                .map(|t| TreatmentId(t as u32))
                .filter(|&t| {
                    rs.compiled
                        .by_treatment
                        .get(t.0 as usize)
                        .is_some_and(|v| v.iter().any(|x| x.0 as usize == ri))
                        && !treatments[t.0 as usize].periods.is_empty()
                })
                .collect();
            if !ts.is_empty() {
                choices.push(Choice { treatments: ts });
            }
        }
        Model {
            choices,
            treatments,
            global,
        }
    }
}

fn facts(e: &TExpr, out: &mut Vec<FactId>) {
    match &e.kind {
        TKind::Fact(r) => out.push(r.fact()),
        TKind::Sum(first, rest) => {
            facts(first, out);
            rest.iter().for_each(|(_, x)| facts(x, out));
        }
        _ => {}
    }
}

fn lits<'a>(e: &'a TExpr, out: &mut Vec<&'a Lit>) {
    match &e.kind {
        TKind::Lit(l) | TKind::Const(_, l) => out.push(l),
        TKind::Sum(first, rest) => {
            lits(first, out);
            rest.iter().for_each(|(_, x)| lits(x, out));
        }
        _ => {}
    }
}

/// Collect, for every fact a comparison or membership test reads, the
/// literals on the other side.
fn walk(e: &TExpr, out: &mut HashMap<FactId, Hint>) {
    e.walk(&mut |x| match &x.kind {
        TKind::Cmp(_, a, b) | TKind::Contains(a, b) => {
            for (side, other) in [(a, b), (b, a)] {
                let mut fs = Vec::new();
                facts(side, &mut fs);
                let mut ls = Vec::new();
                lits(other, &mut ls);
                for f in fs {
                    let h = out.entry(f).or_default();
                    ls.iter().for_each(|l| h.add_lit(l));
                }
            }
        }
        TKind::In(x, set) | TKind::ContainsAny(x, set) | TKind::ContainsAll(x, set) => {
            let mut fs = Vec::new();
            facts(x, &mut fs);
            for f in fs {
                let h = out.entry(f).or_default();
                for s in &set.items {
                    h.add_lit(&Lit::Sym(*s));
                }
            }
        }
        _ => {}
    });
}
