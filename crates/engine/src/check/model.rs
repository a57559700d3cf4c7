//! The checked program: every name resolved, every expression typed.
//!
//! This is what the rest of the pipeline consumes: the compiler lowers
//! [`Criterion`] expressions to flat predicates, the case loader reads the
//! [`Schema`] and [`Catalog`], reports print titles and citations.

use std::collections::{BTreeMap, HashMap};

use crate::diag::Span;
use crate::syntax::ast::{AddOp, CmpOp, CriterionKind};
use crate::value::{Date, Dim, Qty, Sym};

/// A `HashMap` written as a list of pairs sorted by key, so the
/// precompiled rule set (`crate::builtin`) is the same bytes on every run.
mod sorted_map {
    use std::collections::HashMap;
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Ord + Serialize, V: Serialize, S: Serializer>(
        map: &HashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut pairs: Vec<(&K, &V)> = map.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        s.collect_seq(pairs)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<HashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs: Vec<(K, V)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

/// Interned symbols shared by rules and cases.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Symbols {
    names: Vec<String>,
    #[serde(with = "sorted_map")]
    map: HashMap<String, Sym>,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.map.get(name) {
            return s;
        }
        let s = Sym(self.names.len() as u32);
        self.names.push(name.to_string());
        self.map.insert(name.to_string(), s);
        s
    }

    pub fn get(&self, name: &str) -> Option<Sym> {
        self.map.get(name).copied()
    }

    /// The name of a rule-set symbol; `None` for a case-local symbol.
    pub fn name(&self, s: Sym) -> Option<&str> {
        self.names.get(s.0 as usize).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Where a guideline sits in the evidence order of Labor Code 4610.5(c)(2)
/// and 8 CCR 9792.21.1: MTUS first, then ACOEM or ODG, then others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Mtus,
    AcoemOrOdg,
    OtherGuideline,
    Study,
}

impl Tier {
    pub const NAMES: &'static [(&'static str, Tier)] = &[
        ("mtus", Tier::Mtus),
        ("acoem_or_odg", Tier::AcoemOrOdg),
        ("other_guideline", Tier::OtherGuideline),
        ("study", Tier::Study),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Mtus => "mtus",
            Tier::AcoemOrOdg => "acoem_or_odg",
            Tier::OtherGuideline => "other_guideline",
            Tier::Study => "study",
        }
    }
}

/// A period in force: `from` inclusive, `until` exclusive; open ends allowed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl Window {
    pub fn contains(&self, d: Date) -> bool {
        self.from.is_none_or(|f| d >= f) && self.until.is_none_or(|u| d < u)
    }

    pub fn intersect(self, other: Window) -> Window {
        Window {
            from: match (self.from, other.from) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            until: match (self.until, other.until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    pub fn overlaps(&self, other: &Window) -> bool {
        let w = self.intersect(*other);
        match (w.from, w.until) {
            (Some(f), Some(u)) => f < u,
            _ => true,
        }
    }

    /// `2009-07-18 to 2017-12-01`, `from 2009-07-18`, `always`.
    pub fn describe(&self) -> String {
        match (self.from, self.until) {
            (Some(f), Some(u)) => format!("{f} until {u}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(u)) => format!("until {u}"),
            (None, None) => "at any date".to_string(),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Guideline {
    pub id: String,
    pub title: String,
    pub tier: Tier,
    pub window: Window,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct SourceId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct FactId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct TreatmentId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ClassId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RuleId(pub u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ConstId(pub u32);

/// Which record a fact lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// One value per case (`exam.muscle_spasm`).
    Case,
    /// One value per prior treatment (`history.*.visits`).
    History,
    /// One value per request (`request.quantity`).
    Request,
}

/// The declared type of a fact, as FACTS.md names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FactType {
    Bool,
    Int,
    Number,
    /// 0 to 10
    Score,
    /// 0 to 100
    Percent,
    Date,
    /// A quantity of time (`3 week`).
    Duration,
    /// A number with a unit (`6 visit`); `Fact::dim` may fix the dimension.
    Quantity,
    Symbol,
    SymbolList,
    Text,
    /// A canonical treatment; brand names are mapped through the catalog.
    Treatment,
}

impl FactType {
    pub const NAMES: &'static [(&'static str, FactType)] = &[
        ("bool", FactType::Bool),
        ("int", FactType::Int),
        ("number", FactType::Number),
        ("score", FactType::Score),
        ("percent", FactType::Percent),
        ("date", FactType::Date),
        ("duration", FactType::Duration),
        ("quantity", FactType::Quantity),
        ("symbol", FactType::Symbol),
        ("text", FactType::Text),
        ("treatment", FactType::Treatment),
    ];

    pub fn name(self) -> &'static str {
        match self {
            FactType::SymbolList => "list<symbol>",
            t => FactType::NAMES.iter().find(|(_, x)| *x == t).map_or("?", |(n, _)| n),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    /// As declared: `exam.muscle_spasm`, `history.*.visits`, `request.quantity`.
    pub path: String,
    pub scope: Scope,
    /// The YAML keys below the scope's record, e.g. `["assessed", "analgesia"]`
    /// for `opioids.assessed.analgesia` is `["opioids", "assessed", "analgesia"]`
    /// in the case scope, and `["visits"]` for `history.*.visits`.
    pub key: Vec<String>,
    pub slot: u16,
    pub ty: FactType,
    /// The unit dimension a quantity must have, if fixed.
    pub dim: Option<Dim>,
    /// The closed set of symbols the fact may hold, if closed.
    pub allowed: Option<Vec<Sym>>,
    /// The inclusive range a number, int, score, percent or quantity may
    /// take (a quantity's bounds in the base unit of its dimension: days,
    /// mg, visits). `None`: finite and non-negative is all that is checked.
    pub range: Option<Range>,
    pub description: String,
    /// Filled by the loader from another part of the case, not a key of its own.
    pub derived: bool,
    pub span: Span,
}

/// Inclusive bounds on a numeric fact, declared in the fact schema.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub fn contains(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }
}

/// A node of the key tree the case loader walks.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum KeyNode {
    Group(BTreeMap<String, KeyNode>),
    Leaf(FactId),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    pub facts: Vec<Fact>,
    #[serde(with = "sorted_map")]
    pub by_path: HashMap<String, FactId>,
    pub slots: [usize; 3],
    /// Keys of the case, history-entry and request records.
    pub trees: [BTreeMap<String, KeyNode>; 3],
    /// Facts the engine itself relies on.
    pub builtin: Builtin,
    /// The history record of a treatment the case has no entry for: not
    /// received (when `history.*.received` is declared), nothing else known.
    pub no_history: std::sync::Arc<[crate::value::Value]>,
}

/// Slots of the facts the loader and evaluator use directly.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct Builtin {
    pub request_id: u16,
    pub request_text: Option<u16>,
    pub request_treatment: u16,
    pub request_date: u16,
    pub request_depends_on: Option<u16>,
    pub request_quantity: Option<u16>,
    pub request_duration: Option<u16>,
    pub diagnosis_tags: Option<u16>,
    /// `medications.current`: its items are mapped through the catalog
    /// (brand names to canonical treatments) when they name a treatment.
    pub medications_current: Option<u16>,
    /// `requests.treatments`: the canonical treatments of every request of
    /// the case, so a rule can see what is asked for alongside.
    pub requested_treatments: Option<u16>,
    /// `history.*.received`: true for an entry unless it says otherwise,
    /// false for a treatment with no entry.
    pub history_received: Option<u16>,
}

impl Schema {
    pub fn fact(&self, id: FactId) -> &Fact {
        &self.facts[id.0 as usize]
    }

    pub fn lookup(&self, path: &str) -> Option<&Fact> {
        self.by_path.get(path).map(|&id| self.fact(id))
    }

    pub fn slots(&self, scope: Scope) -> usize {
        self.slots[scope as usize]
    }

    pub fn tree(&self, scope: Scope) -> &BTreeMap<String, KeyNode> {
        &self.trees[scope as usize]
    }

    /// The fact in `scope` at slot `slot`.
    pub fn by_slot(&self, scope: Scope, slot: u16) -> Option<&Fact> {
        self.facts.iter().find(|f| f.scope == scope && f.slot == slot)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Treatment {
    pub name: String,
    pub sym: Sym,
    pub title: String,
    pub classes: Vec<ClassId>,
    pub aka: Vec<String>,
    /// The unit dimensions `request.quantity` may have for this treatment
    /// (from the catalog: visits for a therapy, tablets or mass for a
    /// drug...). Empty: any dimension is accepted.
    pub quantity_dims: Vec<Dim>,
    /// The unit dimensions `request.strength` may have (mass, percent,
    /// mcg_per_hour). Empty: any dimension is accepted.
    pub strength_dims: Vec<Dim>,
    pub span: Span,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Class {
    pub name: String,
    pub sym: Sym,
    pub title: String,
    pub members: Vec<TreatmentId>,
    pub span: Span,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Catalog {
    pub treatments: Vec<Treatment>,
    pub classes: Vec<Class>,
    /// Normalized canonical names and aliases to treatments.
    #[serde(with = "sorted_map")]
    pub lookup: HashMap<String, TreatmentId>,
    #[serde(with = "sorted_map")]
    pub by_sym: HashMap<Sym, TreatmentId>,
}

/// Lower-case a written treatment name and turn any run of other
/// characters into one underscore: "Flexeril" and "flexeril" are one name,
/// "Voltaren Gel" is `voltaren_gel`.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('_');
            }
            pending = false;
            out.extend(c.to_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

impl Catalog {
    pub fn treatment(&self, id: TreatmentId) -> &Treatment {
        &self.treatments[id.0 as usize]
    }

    pub fn class(&self, id: ClassId) -> &Class {
        &self.classes[id.0 as usize]
    }

    /// Resolve a canonical name, brand name or spelling.
    pub fn resolve(&self, written: &str) -> Option<TreatmentId> {
        self.lookup.get(&normalize_name(written)).copied()
    }

    pub fn class_named(&self, name: &str) -> Option<ClassId> {
        self.classes
            .iter()
            .position(|c| c.name == name)
            .map(|i| ClassId(i as u32))
    }

    pub fn treatment_named(&self, name: &str) -> Option<TreatmentId> {
        self.treatments
            .iter()
            .position(|t| t.name == name)
            .map(|i| TreatmentId(i as u32))
    }

    /// The closest known name (canonical or alias), for "did you mean":
    /// `flexeril (cyclobenzaprine)` for an alias, the name alone otherwise.
    pub fn suggest(&self, written: &str) -> Option<String> {
        let n = normalize_name(written);
        crate::diag::did_you_mean(&n, self.lookup.keys().map(String::as_str)).map(|k| {
            let canonical = &self.treatment(self.lookup[k]).name;
            if canonical == k {
                format!("`{canonical}`")
            } else {
                format!("`{k}` ({canonical})")
            }
        })
    }
}

/// The value of a `const`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Lit {
    Bool(bool),
    Num(f64),
    Date(Date),
    Qty(Qty),
    Sym(Sym),
    Str(String),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ConstValue {
    Lit(Lit),
    Set(Vec<Sym>),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Const {
    pub name: String,
    pub value: ConstValue,
    pub description: Option<String>,
    /// `confidence high|low ID...` under the constant.
    pub confidence: Option<super::confidence::Confidence>,
    pub span: Span,
}

/// Where a criterion's source says it: guideline, section, pages.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Citation {
    pub source: SourceId,
    pub section: String,
    pub pages: Option<String>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Target {
    Treatment(TreatmentId),
    Class(ClassId),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub name: String,
    pub title: String,
    /// The first citation is the rule's; further ones name more pages.
    pub cites: Vec<Citation>,
    pub source: SourceId,
    pub tier: Tier,
    pub applies: Vec<Target>,
    /// The rule's own window intersected with its source's.
    pub window: Window,
    pub supplements: Option<RuleId>,
    /// The default confidence of the rule's criteria.
    pub confidence: Option<super::confidence::Confidence>,
    pub criteria: Vec<Criterion>,
    pub span: Span,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    pub name: String,
    pub description: String,
    pub kind: CriterionKind,
    pub citation: Option<Citation>,
    /// `None` only for an unconditional `exclude` ("not recommended").
    pub expr: Option<TExpr>,
    /// Every fact the expression reads, in order of first appearance.
    pub reads: Vec<FactRef>,
    /// Its own `confidence` line.
    pub confidence: Option<super::confidence::Confidence>,
    /// Its effective confidence: its own, its rule's and the constants it
    /// reads (worked out by `check::confidence`).
    pub grounds: super::confidence::Grounds,
    pub span: Span,
}

/// A resolved fact reference: which record, which slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FactRef {
    Case(FactId, u16),
    Request(FactId, u16),
    /// The history entry of the requested treatment (`prior.x`).
    Prior(FactId, u16),
    /// The history entry of a named treatment (`history.physical_therapy.x`).
    History(TreatmentId, FactId, u16),
}

impl FactRef {
    pub fn fact(self) -> FactId {
        match self {
            FactRef::Case(f, _) | FactRef::Request(f, _) | FactRef::Prior(f, _) | FactRef::History(_, f, _) => f,
        }
    }
}

/// What the type checker knows about a quantity's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QtyTy {
    /// A count whose unit is known only at run time (`request.quantity`).
    AnyCount,
    Dim(Dim),
}

/// What a symbol may be.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SymDomain {
    Open,
    Closed(Vec<Sym>),
    Treatment,
    /// A symbol written in a rule.
    Literal(Sym),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    Bool,
    Number,
    Date,
    Qty(QtyTy),
    Sym(SymDomain),
    SymList(SymDomain),
    Text,
}

impl Ty {
    pub fn describe(&self) -> &'static str {
        match self {
            Ty::Bool => "a true/false condition",
            Ty::Number => "a number",
            Ty::Date => "a date",
            Ty::Qty(QtyTy::Dim(Dim::Time)) => "a duration",
            Ty::Qty(_) => "a quantity",
            Ty::Sym(SymDomain::Treatment) => "a treatment",
            Ty::Sym(_) => "a symbol",
            Ty::SymList(_) => "a list of symbols",
            Ty::Text => "text",
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TExpr {
    pub kind: TKind,
    pub ty: Ty,
    pub span: Span,
}

impl TExpr {
    /// Visit this expression and every sub-expression, parents first, left
    /// to right. The one traversal of typed expressions: readers that need
    /// every node (facts read, lints, the case generator) use it.
    pub fn walk<'e>(&'e self, f: &mut impl FnMut(&'e TExpr)) {
        f(self);
        match &self.kind {
            TKind::Lit(_) | TKind::Const(..) | TKind::Fact(_) => {}
            TKind::Not(x)
            | TKind::Documented(x, _)
            | TKind::In(x, _)
            | TKind::ContainsAny(x, _)
            | TKind::ContainsAll(x, _) => x.walk(f),
            TKind::And(xs) | TKind::Or(xs) => xs.iter().for_each(|x| x.walk(f)),
            TKind::When(c, t, o) => {
                c.walk(f);
                t.walk(f);
                if let Some(o) = o {
                    o.walk(f);
                }
            }
            TKind::Cmp(_, a, b) | TKind::Contains(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            TKind::Sum(first, rest) => {
                first.walk(f);
                rest.iter().for_each(|(_, x)| x.walk(f));
            }
        }
    }
}

/// A resolved set of symbols, with the name it was written as.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SymSet {
    pub items: Vec<Sym>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TKind {
    Lit(Lit),
    Const(ConstId, Lit),
    Fact(FactRef),
    Not(Box<TExpr>),
    And(Vec<TExpr>),
    Or(Vec<TExpr>),
    When(Box<TExpr>, Box<TExpr>, Option<Box<TExpr>>),
    Cmp(CmpOp, Box<TExpr>, Box<TExpr>),
    Sum(Box<TExpr>, Vec<(AddOp, TExpr)>),
    Documented(Box<TExpr>, bool),
    In(Box<TExpr>, SymSet),
    Contains(Box<TExpr>, Box<TExpr>),
    ContainsAny(Box<TExpr>, SymSet),
    ContainsAll(Box<TExpr>, SymSet),
}

/// Everything the rule files say, checked.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Program {
    pub symbols: Symbols,
    pub sources: Vec<Guideline>,
    pub schema: Schema,
    pub catalog: Catalog,
    pub consts: Vec<Const>,
    pub rules: Vec<Rule>,
}

impl Program {
    pub fn source(&self, id: SourceId) -> &Guideline {
        &self.sources[id.0 as usize]
    }

    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.0 as usize]
    }

    pub fn rule_named(&self, name: &str) -> Option<RuleId> {
        self.rules.iter().position(|r| r.name == name).map(|i| RuleId(i as u32))
    }

    /// `MTUS-CPMTG "Muscle relaxants (for pain)" pp. 63-66`
    pub fn cite(&self, c: &Citation) -> String {
        let src = &self.source(c.source).id;
        match &c.pages {
            Some(p) => format!("{src} \"{}\" {p}", c.section),
            None => format!("{src} \"{}\"", c.section),
        }
    }

    /// Does `rule` apply to treatment `t`, directly or through a class?
    pub fn applies(&self, rule: &Rule, t: TreatmentId) -> bool {
        let tr = self.catalog.treatment(t);
        rule.applies.iter().any(|target| match *target {
            Target::Treatment(x) => x == t,
            Target::Class(c) => tr.classes.contains(&c),
        })
    }
}
