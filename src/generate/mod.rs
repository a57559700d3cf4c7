//! Realistic synthetic cases, for benchmarks and scale tests.
//!
//! A [`Generator`] reads what the rule set declares (the fact schema, the
//! treatment catalog, the rules with their windows, thresholds and symbol
//! sets) and makes cases that load against that schema: requests for
//! treatments some rule covers, dated when a rule is in force; the facts
//! those rules read documented most of the time, with values spread around
//! the thresholds the rules test (so some requests pass and some fail);
//! other facts now and then; and a recorded determination that mostly, not
//! always, agrees with what the rules predict. Nothing names a treatment or
//! fact in code: as rule files are added, the cases follow.
//!
//! Case `k` of seed `s` is the same whatever the count and whatever the
//! thread count: every case has its own random stream, seeded from
//! `(s, k)`.
//!
//! With [`Options::extremes`], a share of cases carries extreme numbers
//! (`extreme.rs`) to test the loader and the evaluators at the edges.
//!
//! Invariants: every case it returns loads ([`crate::facts::load_json`])
//! against the rule set's schema (it is loaded once to record its
//! determination), extreme cases excepted; output depends only on the rule
//! set, seed, options and index.

mod extreme;
mod model;
mod node;
mod rng;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use crate::RuleSet;
use crate::check::{Fact, FactId, FactType, Program, Scope, TreatmentId};
use crate::eval::Machine;
use crate::eval::fast::Plan;
use crate::facts::{Loader, Recorded};
use crate::value::{Date, Dim, Unit, fmt_num};

pub use extreme::Extreme;
use extreme::extreme_value;
use model::{Hint, Model};
pub use node::Node;
use rng::Rng;

/// Why cases could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("no rule in the rule set covers a treatment on any date: there is nothing to generate requests for")]
    NothingToGenerate,
    #[error("generated case `{case}` does not load against the schema: {message}")]
    Invalid { case: String, message: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How the generated corpus looks.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Share of requests whose recorded determination agrees with the rules.
    pub agreement: f64,
    /// Share of requests with a recorded decision at all.
    pub recorded: f64,
    /// Share of facts the requested treatment's rules read that are documented.
    pub documented: f64,
    /// Share of requests dated anywhere from 1995 to 2030, whether or not
    /// a rule is in force then (those that fall outside cannot be decided:
    /// "no rule in force"). 0 by default, so a corpus decides cleanly.
    pub any_date: f64,
    /// Share of cases written with extreme numbers (0 by default): in
    /// such a case about one numeric value in three (ints, numbers,
    /// scores, percents, quantities, durations) is an [`Extreme`] instead
    /// of a realistic one. An extreme case need not load (rejecting it is
    /// the loader's job); one that does not gets no recorded determination.
    pub extremes: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            agreement: 0.85,
            recorded: 0.95,
            documented: 0.75,
            any_date: 0.0,
            extremes: 0.0,
        }
    }
}

/// A generated case, ready to write as one JSON line or as a YAML file.
#[derive(Clone, Debug)]
pub struct Generated {
    pub id: String,
    pub node: Node,
}

impl Generated {
    /// One line of JSON, without the newline.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(1024);
        self.node.write_json(&mut s);
        s
    }

    /// A YAML document.
    pub fn to_yaml(&self) -> String {
        let mut s = String::with_capacity(1024);
        self.node.write_yaml(&mut s);
        s
    }
}

/// Makes cases for a rule set; see the module documentation.
pub struct Generator<'r> {
    rs: &'r RuleSet,
    loader: Loader<'r>,
    plan: Plan,
    model: Model,
    seed: u64,
    pub options: Options,
}

/// The earliest and latest request dates generated (open rule windows are
/// cut to this span).
const EARLIEST: &str = "2005-01-01";
const LATEST: &str = "2024-12-31";

impl<'r> Generator<'r> {
    pub fn new(rs: &'r RuleSet, seed: u64) -> Result<Generator<'r>, GenerateError> {
        let lo = Date::parse(EARLIEST).unwrap_or(Date(12784));
        let hi = Date::parse(LATEST).unwrap_or(Date(20088));
        let model = Model::new(rs, lo, hi);
        if model.choices.is_empty() {
            return Err(GenerateError::NothingToGenerate);
        }
        Ok(Generator {
            rs,
            loader: Loader::new(&rs.program),
            plan: Plan::new(rs),
            model,
            seed,
            options: Options::default(),
        })
    }

    /// Case number `index` of this seed. `m` is scratch space for deciding
    /// it (its recorded determination follows the rules most of the time).
    pub fn case(&self, index: u64, m: &mut Machine) -> Result<Generated, GenerateError> {
        let mut rng = Rng::for_item(self.seed, index);
        let id = format!("gen{}-{index:07}", self.seed);
        // Drawn only when asked for, so that the cases of a seed do not
        // change with the option off.
        let extreme = self.options.extremes > 0.0 && rng.chance(self.options.extremes);
        let mut b = Builder {
            p: &self.rs.program,
            model: &self.model,
            opts: &self.options,
            rng: &mut rng,
            extreme,
        };
        let (mut node, requests) = b.case(&id);
        // Decide it, to record a determination that mostly agrees.
        let json = {
            let mut s = String::new();
            node.write_json(&mut s);
            s
        };
        let case = match self.loader.load_json(&id, &json) {
            Ok(case) => case,
            // An extreme value the loader rejects: the case is written as
            // it is, for the loader to reject again.
            Err(_) if extreme => return Ok(Generated { id, node }),
            Err(e) => {
                return Err(GenerateError::Invalid {
                    case: id.clone(),
                    message: e.to_string(),
                });
            }
        };
        let mut verdicts = Vec::new();
        self.plan.decide_case(self.rs, m, &case, &mut verdicts);
        let mut decisions = Vec::new();
        for (k, v) in verdicts.iter().enumerate() {
            if !rng.chance(self.options.recorded) {
                continue;
            }
            let predicted = match v {
                Ok(v) => v.outcome.predicts(),
                Err(_) => Recorded::Upheld,
            };
            let recorded = if rng.chance(self.options.agreement) {
                predicted
            } else {
                match predicted {
                    Recorded::Upheld => Recorded::Overturned,
                    Recorded::Overturned => Recorded::Upheld,
                }
            };
            let mut d = Node::map();
            d.insert("request", Node::Str(requests[k].clone()));
            d.insert("outcome", Node::Str(recorded.name().into()));
            if let Some(cite) = v
                .as_ref()
                .ok()
                .and_then(|v| v.decided_by)
                .and_then(|d| self.rs.program.rule(d.rule).cites.first())
            {
                d.insert("cites", Node::List(vec![Node::Str(self.rs.program.cite(cite))]));
            }
            decisions.push(d);
        }
        let mut det = Node::map();
        let specialties = [
            "family_practice",
            "physical_medicine",
            "orthopedic_surgery",
            "pain_medicine",
        ];
        let states = ["ca", "nj", "ny", "tx", "wa"];
        let mut reviewer = Node::map();
        reviewer.insert("specialty", Node::Str(rng.pick(&specialties).to_string()));
        reviewer.insert("licensure", Node::List(vec![Node::Str(rng.pick(&states).to_string())]));
        det.insert("reviewer", reviewer);
        det.insert("decisions", Node::List(decisions));
        node.insert("determination", det);
        Ok(Generated { id, node })
    }

    /// Cases `0..count`, made on all threads of the current rayon pool and
    /// handed to `sink` in order, a batch at a time.
    pub fn each(
        &self,
        count: u64,
        mut sink: impl FnMut(u64, Generated) -> Result<(), GenerateError>,
    ) -> Result<(), GenerateError> {
        const BATCH: u64 = 4096;
        let mut start = 0;
        while start < count {
            let end = (start + BATCH).min(count);
            let batch: Vec<Result<Generated, GenerateError>> = (start..end)
                .into_par_iter()
                .map_init(Machine::new, |m, k| self.case(k, m))
                .collect();
            for (k, g) in (start..end).zip(batch) {
                sink(k, g?)?;
            }
            start = end;
        }
        Ok(())
    }

    /// Write cases `0..count` as JSON Lines.
    pub fn write_jsonl(&self, count: u64, out: &mut dyn Write, name: &str) -> Result<(), GenerateError> {
        let io = |e| GenerateError::Io {
            path: name.to_string(),
            source: e,
        };
        let mut buf = String::new();
        self.each(count, |_, g| {
            g.node.write_json(&mut buf);
            buf.push('\n');
            if buf.len() > 1 << 16 {
                out.write_all(buf.as_bytes()).map_err(io)?;
                buf.clear();
            }
            Ok(())
        })?;
        out.write_all(buf.as_bytes()).map_err(io)?;
        out.flush().map_err(io)
    }

    /// Write cases `0..count` as YAML files under `dir`, a thousand to a
    /// subfolder: `dir/000/gen7-0000000.yaml`. Sorted paths follow the
    /// case numbers.
    pub fn write_yaml_dir(&self, count: u64, dir: &Path) -> Result<(), GenerateError> {
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |e| GenerateError::Io { path, source: e }
        };
        self.each(count, |k, g| {
            let sub = dir.join(format!("{:03}", k / 1000));
            if k % 1000 == 0 {
                std::fs::create_dir_all(&sub).map_err(io(&sub))?;
            }
            let file = sub.join(format!("{}.yaml", g.id));
            std::fs::write(&file, g.to_yaml()).map_err(io(&file))
        })
    }
}

/// Builds one case's tree from a random stream.
struct Builder<'a> {
    p: &'a Program,
    model: &'a Model,
    opts: &'a Options,
    rng: &'a mut Rng,
    /// Write extreme numbers now and then ([`Options::extremes`]).
    extreme: bool,
}

impl Builder<'_> {
    /// The case without its determination, and its request ids.
    fn case(&mut self, id: &str) -> (Node, Vec<String>) {
        let p = self.p;
        let b = p.schema.builtin;
        let mut root = Node::map();
        root.insert("case", Node::Str(id.to_string()));
        // The requests first: they decide which facts matter.
        let n = match self.rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut picked: Vec<(TreatmentId, Date)> = Vec::new();
        for _ in 0..n {
            let choice = self.rng.pick(&self.model.choices);
            let t = *self.rng.pick(&choice.treatments);
            let tm = &self.model.treatments[t.0 as usize];
            let same_day = picked.first().map(|x| x.1).filter(|d| tm.in_force(*d));
            let date = match same_day {
                _ if self.opts.any_date > 0.0 && self.rng.chance(self.opts.any_date) => {
                    Date(self.rng.range(9131, 22279) as i32)
                }
                Some(d) if self.rng.chance(0.7) => d,
                _ => tm.date(self.rng),
            };
            picked.push((t, date));
        }
        // Case dates (the injury's, say) are drawn before `base`: the
        // earliest request's, so no request precedes its injury.
        let base = picked.iter().map(|x| x.1).min().unwrap_or(Date(16000));
        let reads: Vec<&HashMap<FactId, Hint>> = picked
            .iter()
            .map(|(t, _)| &self.model.treatments[t.0 as usize].reads)
            .collect();
        let read_by_any = |f: FactId| reads.iter().any(|r| r.contains_key(&f));
        let hint_for = |f: FactId| -> Hint {
            let mut h = Hint::default();
            for r in &reads {
                if let Some(x) = r.get(&f) {
                    h.merge(x);
                }
            }
            if h.is_empty() {
                if let Some(x) = self.model.global.get(&f) {
                    h.merge(x);
                }
            }
            h
        };
        // Case-level facts.
        for (fi, f) in p.schema.facts.iter().enumerate() {
            if f.scope != Scope::Case || f.derived {
                continue;
            }
            let id = FactId(fi as u32);
            let prob = if read_by_any(id) { self.opts.documented } else { 0.12 };
            if self.rng.chance(prob) {
                let v = self.value(f, &hint_for(id), base, &[]);
                root.insert_path(&f.key, v);
            }
        }
        // Diagnoses, with tags the rules look for.
        if let Some(tags_fact) = p.schema.lookup("diagnoses.tags") {
            let id = p.schema.by_path.get("diagnoses.tags").copied();
            let documented = id.is_some_and(read_by_any);
            if self.rng.chance(if documented { 0.7 } else { 0.3 }) {
                let hint = id.map(hint_for).unwrap_or_default();
                let mut list = Vec::new();
                for k in 0..=self.rng.below(2) {
                    let mut d = Node::map();
                    d.insert("text", Node::Str(format!("diagnosis {} of the record", k + 1)));
                    d.insert("tags", self.value(tags_fact, &hint, base, &[]));
                    list.push(d);
                }
                root.insert("diagnoses", Node::List(list));
            }
        }
        // History: entries for the requested treatments, and for the
        // treatments the rules name.
        let mut history = Node::map();
        let mut entries: Vec<TreatmentId> = Vec::new();
        for (t, _) in &picked {
            if self.rng.chance(0.55) && !entries.contains(t) {
                entries.push(*t);
            }
            for named in &self.model.treatments[t.0 as usize].named_history {
                if self.rng.chance(0.5) && !entries.contains(named) {
                    entries.push(*named);
                }
            }
        }
        if self.rng.chance(0.15) {
            let t = TreatmentId(self.rng.below(p.catalog.treatments.len() as u64) as u32);
            if !entries.contains(&t) {
                entries.push(t);
            }
        }
        for t in entries {
            let mut entry = Node::map();
            let tm = &self.model.treatments[t.0 as usize];
            let mut drawn: Vec<(&Fact, Node)> = Vec::new();
            for (fi, f) in p.schema.facts.iter().enumerate() {
                if f.scope != Scope::History || f.derived {
                    continue;
                }
                let id = FactId(fi as u32);
                let read = tm.reads.contains_key(&id) || read_by_any(id);
                if self.rng.chance(if read { self.opts.documented } else { 0.1 }) {
                    let v = self.value(f, &hint_for(id), base, &[]);
                    drawn.push((f, v));
                }
            }
            // A treatment not received has nothing else to say (FACTS.md
            // v2): keep `received: false` alone.
            let received = p.schema.builtin.history_received;
            let not_received = drawn
                .iter()
                .any(|(f, v)| Some(f.slot) == received && matches!(v, Node::Bool(false)));
            for (f, v) in drawn {
                if !not_received || Some(f.slot) == received {
                    entry.insert_path(&f.key, v);
                }
            }
            history.insert(&p.catalog.treatment(t).name, entry);
        }
        if !history.is_empty_map() {
            root.insert("history", history);
        }
        // The requests.
        let mut ids = Vec::new();
        let mut requests = Vec::new();
        for (k, (t, date)) in picked.iter().enumerate() {
            let tm = &self.model.treatments[t.0 as usize];
            let tr = p.catalog.treatment(*t);
            let rid = format!("r{}", k + 1);
            let mut r = Node::map();
            // The written name: canonical mostly, a brand name or spelling now and then.
            let written = match tr.aka.len() {
                0 => tr.name.clone(),
                n if self.rng.chance(0.2) => tr.aka[self.rng.below(n as u64) as usize].clone(),
                _ => tr.name.clone(),
            };
            let mut quantity: Option<String> = None;
            let request_fact = |slot: u16| p.schema.by_slot(Scope::Request, slot);
            for (slot, v) in [
                (b.request_id, Node::Str(rid.clone())),
                (b.request_treatment, Node::Str(written.clone())),
                (b.request_date, Node::Str(date.to_string())),
            ] {
                if let Some(f) = request_fact(slot) {
                    r.insert_path(&f.key, v);
                }
            }
            if let Some(f) = b.request_text.and_then(request_fact) {
                // Filled in below, once the quantity is known.
                r.insert_path(&f.key, Node::Str(String::new()));
            }
            for (fi, f) in p.schema.facts.iter().enumerate() {
                if f.scope != Scope::Request || f.derived {
                    continue;
                }
                let s = Some(f.slot);
                let key = &f.key;
                if [b.request_id, b.request_treatment, b.request_date].contains(&f.slot)
                    || s == b.request_text
                    || s == b.request_depends_on
                {
                    // Written above or below.
                } else {
                    let id = FactId(fi as u32);
                    let read = tm.reads.contains_key(&id);
                    if self.rng.chance(if read { 0.85 } else { 0.04 }) {
                        let mut hint = tm.reads.get(&id).cloned().unwrap_or_default();
                        if hint.is_empty() {
                            hint = self.model.global.get(&id).cloned().unwrap_or_default();
                        }
                        // A request's amounts in units its treatment allows.
                        let fit: &[Dim] = match f.path.as_str() {
                            "request.quantity" => &tr.quantity_dims,
                            "request.strength" => &tr.strength_dims,
                            _ => &[],
                        };
                        let v = self.value(f, &hint, *date, fit);
                        if s == b.request_quantity {
                            if let Node::Str(q) = &v {
                                quantity = Some(q.clone());
                            }
                        }
                        r.insert_path(key, v);
                    }
                }
            }
            if let Some(slot) = b.request_text {
                if let Some(f) = p.schema.by_slot(Scope::Request, slot) {
                    let text = match &quantity {
                        Some(q) => format!("{}, Qty {q}", tr.title),
                        None => tr.title.clone(),
                    };
                    r.insert_path(&f.key, Node::Str(text));
                }
            }
            if let (Some(slot), Some(prev)) = (b.request_depends_on, ids.last()) {
                if let Some(f) = p.schema.by_slot(Scope::Request, slot) {
                    if self.rng.chance(0.04) {
                        r.insert_path(&f.key, Node::Str(String::clone(prev)));
                    }
                }
            }
            ids.push(rid);
            requests.push(r);
        }
        root.insert("requests", Node::List(requests));
        (root, ids)
    }

    /// A value for fact `f`, near the thresholds in `hint`; dates before
    /// `base` (the request date); numbers inside the fact's range; a
    /// quantity in one of the dimensions `fit` (any when empty). An
    /// extreme value ignores `fit` and the range, on purpose.
    fn value(&mut self, f: &Fact, hint: &Hint, base: Date, fit: &[Dim]) -> Node {
        if self.extreme && self.rng.chance(1.0 / 3.0) {
            if let Some(v) = extreme_value(f, hint, self.rng) {
                return v;
            }
        }
        let rng = &mut *self.rng;
        let p = self.p;
        let names = |syms: &[crate::value::Sym]| -> Vec<String> {
            syms.iter()
                .filter_map(|s| p.symbols.name(*s))
                .map(str::to_string)
                .collect()
        };
        let top = |default: f64| {
            hint.numbers
                .iter()
                .copied()
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
                .map_or(default, |m| (2.0 * m).max(1.0))
        };
        // Realistic values stay within the fact's declared range.
        let int = |n: i64| {
            let x = in_range(f, n as f64, 1.0);
            Node::Int(if x < n as f64 { x.floor() } else { x.ceil() } as i64)
        };
        match f.ty {
            FactType::Bool => Node::Bool(rng.chance(0.55)),
            FactType::Int => {
                let (lo, hi) = if hint.numbers.is_empty() && f.path.ends_with("age") {
                    (18, 75)
                } else {
                    (0, top(10.0).ceil() as i64)
                };
                int(rng.range(lo, hi))
            }
            FactType::Number => Node::Num(in_range(f, (rng.unit() * top(10.0) * 2.0).round() / 2.0, 1.0)),
            FactType::Score => int(rng.range(0, 10)),
            FactType::Percent => int(rng.range(0, 20) * 5),
            FactType::Date => Node::Str(Date(base.0 - rng.range(0, 1500) as i32).to_string()),
            FactType::Duration | FactType::Quantity => {
                let (unit, limit) = unit_and_limit(f, hint, rng, fit);
                let hi = (2.0 * limit).ceil().max(2.0) as i64;
                let amount = in_range(f, rng.range(1, hi) as f64, unit.factor());
                Node::Str(format!("{} {}", fmt_num(amount), unit.name()))
            }
            FactType::Symbol => {
                let allowed = f.allowed.as_deref().map(names).unwrap_or_default();
                let hinted = names(&hint.symbols);
                let hinted: Vec<String> = hinted
                    .into_iter()
                    .filter(|s| allowed.is_empty() || allowed.contains(s))
                    .collect();
                let pool = if !hinted.is_empty() && (allowed.is_empty() || rng.chance(0.5)) {
                    hinted
                } else if !allowed.is_empty() {
                    allowed
                } else {
                    examples(&f.description)
                };
                Node::Str(rng.pick(&pool).clone())
            }
            FactType::SymbolList => {
                let allowed = f.allowed.as_deref().map(names).unwrap_or_default();
                let mut pool = names(&hint.symbols);
                for x in examples(&f.description).into_iter().chain(allowed.iter().cloned()) {
                    if !pool.contains(&x) {
                        pool.push(x);
                    }
                }
                pool.retain(|s| allowed.is_empty() || allowed.contains(s));
                let k = rng.below(4) as usize;
                let mut out: Vec<Node> = Vec::new();
                for _ in 0..k {
                    let s = rng.pick(&pool).clone();
                    if !out.iter().any(|n| matches!(n, Node::Str(x) if *x == s)) {
                        out.push(Node::Str(s));
                    }
                }
                Node::List(out)
            }
            FactType::Text => Node::Str(format!("note {}", rng.below(1000))),
            FactType::Treatment => {
                let t = rng.below(p.catalog.treatments.len() as u64) as usize;
                Node::Str(p.catalog.treatments.get(t).map_or_else(String::new, |t| t.name.clone()))
            }
        }
    }
}

/// `x`, in a unit `factor` times the base unit of its dimension, moved
/// into the fact's declared range, if it has one.
fn in_range(f: &Fact, x: f64, factor: f64) -> f64 {
    match f.range {
        Some(r) if r.min <= r.max && factor > 0.0 => {
            let y = (x * factor).clamp(r.min, r.max) / factor;
            // Written with six decimals at most: round towards the inside.
            if y < x {
                (y * 1e6).floor() / 1e6
            } else if y > x {
                (y * 1e6).ceil() / 1e6
            } else {
                y
            }
        }
        _ => x,
    }
}

/// A unit for a quantity or duration of fact `f`, with a threshold the
/// rules compare it with in that unit (or a typical amount when they
/// compare it with none).
fn unit_and_limit(f: &Fact, hint: &Hint, rng: &mut Rng, fit: &[Dim]) -> (Unit, f64) {
    let dim = if f.ty == FactType::Duration {
        Some(Dim::Time)
    } else {
        f.dim
    };
    let candidates: Vec<_> = hint
        .quantities
        .iter()
        .filter(|q| dim.is_none_or(|d| q.dim() == d))
        .filter(|q| fit.is_empty() || fit.contains(&q.dim()))
        .collect();
    let dim = dim.or_else(|| fit.first().copied());
    match candidates.get(rng.below(candidates.len().max(1) as u64) as usize) {
        Some(q) => (q.unit, q.amount),
        None => match dim {
            Some(Dim::Time) => (Unit::Day, 30.0),
            Some(Dim::Visit) => (Unit::Visit, 8.0),
            Some(Dim::Tablet) => (Unit::Tablet, 60.0),
            Some(Dim::Item) => (Unit::Item, 2.0),
            Some(Dim::Mass) => (Unit::Mg, 50.0),
            Some(Dim::Med) => (Unit::MgMed, 90.0),
            Some(Dim::Concentration) => (Unit::Percent, 0.025),
            Some(Dim::DoseRate) => (Unit::McgPerHour, 25.0),
            None => (*rng.pick(&[Unit::Visit, Unit::Tablet, Unit::Item]), 12.0),
        },
    }
}

/// Example values a fact's description lists in parentheses, e.g.
/// "(nsaid, acetaminophen, tricyclic)"; `other` when it lists none.
fn examples(description: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(a), Some(b)) = (description.find('('), description.rfind(')')) {
        let inside = description.get(a + 1..b).unwrap_or("");
        if inside.contains(',') {
            for w in inside.split(',') {
                // "e.g. naproxen" names naproxen.
                let w = w.trim().rsplit(' ').next().unwrap_or("");
                let ok = w
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && w.starts_with(|c: char| c.is_ascii_lowercase());
                if ok && !out.iter().any(|x| x == w) {
                    out.push(w.to_string());
                }
            }
        }
    }
    if out.is_empty() {
        out.push("other".to_string());
    }
    out
}

/// The case loader's JSON front end against serde_json (the oracle) over
/// generated cases: it lives here, beside the generator, so the engine
/// needs neither.
#[cfg(test)]
mod json_oracle {
    use crate::facts::Limits;
    use crate::facts::load::testing::{Kind, Node, has_escaped_control, parse_flagged};

    /// Our tree against serde_json's `Value` of the same text: structure,
    /// text of every scalar, and each node's span holding what it parsed.
    fn same(text: &str, n: &Node<'_>, v: &serde_json::Value) {
        use serde_json::Value as V;
        let here = &text[n.span.start as usize..n.span.end as usize];
        let reparsed: V = serde_json::from_str(here).unwrap_or_else(|e| panic!("{here}: {e}"));
        assert_eq!(&reparsed, v, "span {:?}", n.span);
        match (&n.kind, v) {
            (Kind::Null, V::Null) => {}
            (Kind::Scalar(s), V::String(t)) => assert!(s.quoted && s.text == t.as_str(), "{here}"),
            (Kind::Scalar(s), V::Bool(b)) => assert!(!s.quoted && s.text == b.to_string(), "{here}"),
            (Kind::Scalar(s), V::Number(x)) => {
                assert!(!s.quoted);
                assert_eq!(s.text.parse::<f64>().ok(), x.as_f64(), "{here}");
            }
            (Kind::Seq(items), V::Array(vs)) => {
                assert_eq!(items.len(), vs.len(), "{here}");
                items.iter().zip(vs).for_each(|(i, v)| same(text, i, v));
            }
            (Kind::Map(entries), V::Object(m)) => {
                assert_eq!(entries.len(), m.len(), "{here}");
                for (k, val) in entries {
                    let key = k.text().unwrap_or_else(|| panic!("{here}"));
                    same(text, k, &V::String(key.to_string()));
                    same(text, val, &m[key]);
                }
            }
            _ => panic!("{here} is {:?}", n.kind),
        }
    }

    #[test]
    fn generated_cases_parse_as_serde_json_parses_them() {
        let mut sm = crate::diag::SourceMap::new();
        let rs = crate::RuleSet::embedded(&mut sm).unwrap_or_else(|e| panic!("{:?}", e.diagnostics.first()));
        let mut m = crate::eval::Machine::new();
        let mut compared = 0;
        for extremes in [0.0, 1.0] {
            let mut g = super::Generator::new(&rs, 31).unwrap_or_else(|e| panic!("{e}"));
            g.options.extremes = extremes;
            for k in 0..150 {
                let c = g.case(k, &mut m).unwrap_or_else(|e| panic!("{e}"));
                let text = c.to_json();
                let (node, flag) = parse_flagged(&text, 0, &Limits::default()).unwrap();
                // serde_json refuses a number beyond `f64` (an extreme
                // case's `1e400`), which is JSON all the same: the loader
                // reports it as a fact value.
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v) => {
                        same(&text, &node, &v);
                        compared += 1;
                    }
                    Err(e) => assert!(e.to_string().contains("number out of range"), "{e}"),
                }
                assert_eq!(flag, has_escaped_control(&text, &node), "{text}");
            }
        }
        assert!(compared > 250, "{compared} cases compared");
    }
}
