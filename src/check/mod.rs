//! Stage 2: syntax trees to a checked [`Program`].
//!
//! Resolves every name (sources, facts, treatments, classes, constants,
//! rules), types every expression, checks units, and reports all problems
//! at once, each with its span.
//!
//! Invariants: never evaluates a rule against a case; never stops at the
//! first error; returns a program only when there is no error; recursion
//! is bounded by the parser's nesting limit.

pub mod confidence;
pub mod model;

use std::collections::{BTreeMap, HashMap};

pub use model::*;

use crate::diag::{Diagnostic, SourceMap, Span, did_you_mean};
use crate::syntax::ast::{self, AddOp, CmpOp, CriterionKind, Expr, ExprKind, Ident, Item, RuleFile, SetExpr};
use crate::value::{Dim, Qty, Sym, UNIT_NAMES, Unit};

/// Top-level keys of a case file that the loader reads itself; the schema
/// may not declare facts under them (except the derived `diagnoses.tags`
/// and `requests.treatments`).
pub const RESERVED_ROOTS: &[&str] = &[
    "case",
    "diagnoses",
    "history",
    "requests",
    "determination",
    "request",
    "prior",
];

/// Check parsed rule files. Returns the program when there is no error,
/// and every diagnostic found.
pub fn check(sources: &SourceMap, files: &[RuleFile]) -> (Option<Program>, Vec<Diagnostic>) {
    let mut c = Checker {
        sources,
        diags: Vec::new(),
        symbols: Symbols::default(),
    };
    let mut srcs = Vec::new();
    let mut facts = Vec::new();
    let mut classes = Vec::new();
    let mut treatments = Vec::new();
    let mut consts = Vec::new();
    let mut rules = Vec::new();
    for f in files {
        for item in &f.items {
            match item {
                Item::Source(x) => srcs.push(x),
                Item::Fact(x) => facts.push(x),
                Item::Class(x) => classes.push(x),
                Item::Treatment(x) => treatments.push(x),
                Item::Const(x) => consts.push(x),
                Item::Rule(x) => rules.push(x),
            }
        }
    }
    let guidelines = c.sources_(&srcs);
    let catalog = c.catalog(&classes, &treatments);
    let schema = c.schema(&facts, &catalog);
    let consts = c.consts(&consts, &catalog);
    let (rules, names) = c.rule_names(&rules);
    let mut checked = Vec::new();
    if let Some(schema) = &schema {
        let env = Env {
            schema,
            catalog: &catalog,
            consts: &consts,
            guidelines: &guidelines,
            rule_names: &names,
        };
        for r in &rules {
            if let Some(rule) = c.rule(&env, r) {
                checked.push(rule);
            }
        }
    }
    let has_error = c.diags.iter().any(Diagnostic::is_error);
    let program = match schema {
        Some(schema) if !has_error => Some(Program {
            symbols: c.symbols,
            sources: guidelines.into_iter().map(|(g, _)| g).collect(),
            schema,
            catalog,
            consts,
            rules: checked,
        }),
        _ => None,
    };
    (program, c.diags)
}

struct Checker<'a> {
    sources: &'a SourceMap,
    diags: Vec<Diagnostic>,
    symbols: Symbols,
}

/// What a rule's expressions may refer to.
struct Env<'a> {
    schema: &'a Schema,
    catalog: &'a Catalog,
    consts: &'a [Const],
    guidelines: &'a [(Guideline, String)],
    rule_names: &'a HashMap<String, RuleId>,
}

fn fact_ty(f: &Fact) -> Ty {
    match f.ty {
        FactType::Bool => Ty::Bool,
        FactType::Int | FactType::Number | FactType::Score | FactType::Percent => Ty::Number,
        FactType::Date => Ty::Date,
        FactType::Duration => Ty::Qty(QtyTy::Dim(Dim::Time)),
        FactType::Quantity => Ty::Qty(f.dim.map_or(QtyTy::AnyCount, QtyTy::Dim)),
        FactType::Symbol => Ty::Sym(f.allowed.clone().map_or(SymDomain::Open, SymDomain::Closed)),
        FactType::SymbolList => Ty::SymList(f.allowed.clone().map_or(SymDomain::Open, SymDomain::Closed)),
        FactType::Text => Ty::Text,
        FactType::Treatment => Ty::Sym(SymDomain::Treatment),
    }
}

fn qty_compatible(a: QtyTy, b: QtyTy) -> bool {
    match (a, b) {
        (QtyTy::AnyCount, QtyTy::AnyCount) => true,
        (QtyTy::AnyCount, QtyTy::Dim(d)) | (QtyTy::Dim(d), QtyTy::AnyCount) => d != Dim::Time,
        (QtyTy::Dim(x), QtyTy::Dim(y)) => x == y,
    }
}

fn describe_qty(q: QtyTy) -> String {
    match q {
        QtyTy::AnyCount => "a count of visits, tablets, units or mg".to_string(),
        QtyTy::Dim(Dim::Time) => "a duration".to_string(),
        QtyTy::Dim(d) => format!("a quantity in {}", d.name()),
    }
}

fn describe_ty(t: &Ty) -> String {
    match t {
        Ty::Qty(q) => describe_qty(*q),
        other => other.describe().to_string(),
    }
}

impl Checker<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn snippet(&self, span: Span) -> String {
        let text = &self.sources.get(span.file).text;
        let s = text.get(span.start as usize..span.end as usize).unwrap_or("");
        let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 60 {
            let cut: String = one_line.chars().take(57).collect();
            format!("{cut}...")
        } else {
            one_line
        }
    }

    /// Report a second declaration of a name; returns true when it is new.
    fn first(&mut self, what: &str, seen: &mut HashMap<String, Span>, id: &Ident) -> bool {
        if let Some(&prev) = seen.get(&id.name) {
            self.err(
                Diagnostic::error(
                    "duplicate-name",
                    id.span,
                    format!("{what} `{}` is declared twice", id.name),
                )
                .with_note(prev, "first declared here")
                .with_help("rename one of them or delete the copy"),
            );
            false
        } else {
            seen.insert(id.name.clone(), id.span);
            true
        }
    }

    fn window(&mut self, e: &ast::Effective) -> Window {
        let w = Window {
            from: Some(e.from.date),
            until: e.until.as_ref().map(|u| u.date),
        };
        if let Some(u) = &e.until {
            if u.date <= e.from.date {
                self.err(
                    Diagnostic::error(
                        "bad-window",
                        e.span,
                        format!("the period ends ({}) before it starts ({})", u.date, e.from.date),
                    )
                    .with_help("`effective FROM until UNTIL`: UNTIL is the first day no longer in force"),
                );
            }
        }
        w
    }

    fn sources_(&mut self, decls: &[&ast::SourceDecl]) -> Vec<(Guideline, String)> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for d in decls {
            if !self.first("source", &mut seen, &d.id) {
                continue;
            }
            let tier = match &d.tier {
                None => {
                    self.err(
                        Diagnostic::error("missing-tier", d.id.span, format!("source `{}` does not say its tier", d.id.name))
                            .with_help("add `tier mtus` (or acoem_or_odg, other_guideline, study): MTUS rules decide, others supplement or fill gaps"),
                    );
                    Tier::Mtus
                }
                Some(t) => match Tier::NAMES.iter().find(|(n, _)| *n == t.name) {
                    Some(&(_, tier)) => tier,
                    None => {
                        let names = Tier::NAMES.iter().map(|(n, _)| *n);
                        let mut d = Diagnostic::error("unknown-tier", t.span, format!("unknown tier `{}`", t.name));
                        d = d.with_help(match did_you_mean(&t.name, names) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "tiers are mtus, acoem_or_odg, other_guideline, study".to_string(),
                        });
                        self.err(d);
                        Tier::Mtus
                    }
                },
            };
            let window = d.effective.as_ref().map(|e| self.window(e)).unwrap_or_default();
            out.push((
                Guideline {
                    id: d.id.name.clone(),
                    title: d.title.value.clone(),
                    tier,
                    window,
                    span: d.span,
                },
                d.id.name.clone(),
            ));
        }
        out
    }

    fn catalog(&mut self, classes: &[&ast::ClassDecl], treatments: &[&ast::TreatmentDecl]) -> Catalog {
        let mut cat = Catalog::default();
        let mut seen = HashMap::new();
        for c in classes {
            if !self.first("class", &mut seen, &c.name) {
                continue;
            }
            let sym = self.symbols.intern(&c.name.name);
            cat.classes.push(Class {
                name: c.name.name.clone(),
                sym,
                title: c.title.value.clone(),
                members: Vec::new(),
                span: c.span,
            });
        }
        let mut alias_at: HashMap<String, Span> = HashMap::new();
        for t in treatments {
            if !self.first("treatment or class", &mut seen, &t.name) {
                continue;
            }
            let id = TreatmentId(cat.treatments.len() as u32);
            let mut tclasses = Vec::new();
            for cl in &t.classes {
                match cat.class_named(&cl.name) {
                    Some(cid) => {
                        tclasses.push(cid);
                        cat.classes[cid.0 as usize].members.push(id);
                    }
                    None => {
                        let names: Vec<&str> = cat.classes.iter().map(|c| c.name.as_str()).collect();
                        let mut d = Diagnostic::error("unknown-class", cl.span, format!("unknown class `{}`", cl.name));
                        if let Some(s) = did_you_mean(&cl.name, names) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        } else {
                            d = d.with_help(format!("declare it first: class {} \"Title\"", cl.name));
                        }
                        self.err(d);
                    }
                }
            }
            let sym = self.symbols.intern(&t.name.name);
            let mut names = vec![(normalize_name(&t.name.name), t.name.span)];
            names.extend(t.aka.iter().map(|a| (normalize_name(&a.value), a.span)));
            for (n, span) in names {
                if n.is_empty() {
                    self.err(Diagnostic::error(
                        "bad-alias",
                        span,
                        "a treatment name needs at least one letter or digit",
                    ));
                    continue;
                }
                match cat.lookup.get(&n) {
                    Some(&other) if other != id => {
                        let other_name = cat.treatment(other).name.clone();
                        let mut d = Diagnostic::error(
                            "duplicate-name",
                            span,
                            format!("the name `{n}` already means `{other_name}`"),
                        )
                        .with_help("a brand name or spelling may map to one treatment only");
                        if let Some(&prev) = alias_at.get(&n) {
                            d = d.with_note(prev, "first used here");
                        }
                        self.err(d);
                    }
                    _ => {
                        cat.lookup.insert(n.clone(), id);
                        alias_at.entry(n).or_insert(span);
                    }
                }
            }
            cat.by_sym.insert(sym, id);
            cat.treatments.push(Treatment {
                name: t.name.name.clone(),
                sym,
                title: t.title.value.clone(),
                classes: tclasses,
                aka: t.aka.iter().map(|a| a.value.clone()).collect(),
                quantity_dims: Vec::new(),
                strength_dims: Vec::new(),
                span: t.span,
            });
        }
        cat
    }

    fn schema(&mut self, decls: &[&ast::FactDecl], catalog: &Catalog) -> Option<Schema> {
        let _ = catalog;
        let mut facts: Vec<Fact> = Vec::new();
        let mut by_path = HashMap::new();
        let mut seen = HashMap::new();
        let mut slots = [0usize; 3];
        let mut trees: [BTreeMap<String, KeyNode>; 3] = Default::default();
        for d in decls {
            if !self.first("fact", &mut seen, &d.path) {
                continue;
            }
            let segs: Vec<&str> = d.path.name.split('.').collect();
            let (scope, key): (Scope, Vec<String>) = match segs.as_slice() {
                [_] => {
                    self.err(
                        Diagnostic::error(
                            "bad-fact-name",
                            d.path.span,
                            format!("fact `{}` needs a group", d.path.name),
                        )
                        .with_help("fact names have a group and a name, such as `exam.muscle_spasm`"),
                    );
                    continue;
                }
                ["request", rest @ ..] => (Scope::Request, rest.iter().map(|s| s.to_string()).collect()),
                ["history", "*", rest @ ..] if !rest.is_empty() => {
                    (Scope::History, rest.iter().map(|s| s.to_string()).collect())
                }
                ["history", ..] | ["prior", ..] => {
                    self.err(
                        Diagnostic::error(
                            "bad-fact-name",
                            d.path.span,
                            format!(
                                "prior-treatment facts are declared as `history.*.NAME`, not `{}`",
                                d.path.name
                            ),
                        )
                        .with_help(
                            "rules read them as `prior.NAME` (the requested treatment) or `history.TREATMENT.NAME`",
                        ),
                    );
                    continue;
                }
                ["diagnoses", "tags"] => (Scope::Case, vec!["diagnoses".into(), "tags".into()]),
                ["requests", "treatments"] => (Scope::Case, vec!["requests".into(), "treatments".into()]),
                [root, ..] if RESERVED_ROOTS.contains(root) => {
                    self.err(
                        Diagnostic::error(
                            "reserved-fact",
                            d.path.span,
                            format!("`{root}` is read by the case loader itself and cannot hold declared facts"),
                        )
                        .with_help("choose another group name"),
                    );
                    continue;
                }
                _ => (Scope::Case, segs.iter().map(|s| s.to_string()).collect()),
            };
            if key.iter().any(|k| k == "*") {
                self.err(Diagnostic::error(
                    "bad-fact-name",
                    d.path.span,
                    "`*` may appear only as `history.*.NAME`",
                ));
                continue;
            }
            let ty = if d.ty.list {
                if d.ty.name.name != "symbol" {
                    self.err(
                        Diagnostic::error(
                            "unknown-type",
                            d.ty.span,
                            format!("unknown type `list<{}>`", d.ty.name.name),
                        )
                        .with_help("the list type is `list<symbol>`"),
                    );
                    continue;
                }
                FactType::SymbolList
            } else {
                match FactType::NAMES.iter().find(|(n, _)| *n == d.ty.name.name) {
                    Some(&(_, t)) => t,
                    None => {
                        let mut diag =
                            Diagnostic::error("unknown-type", d.ty.span, format!("unknown type `{}`", d.ty.name.name));
                        let names = FactType::NAMES.iter().map(|(n, _)| *n);
                        diag = diag.with_help(match did_you_mean(&d.ty.name.name, names) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "types are bool, int, number, score, percent, date, duration, quantity, symbol, list<symbol>, text, treatment".to_string(),
                        });
                        self.err(diag);
                        continue;
                    }
                }
            };
            let allowed = match &d.of {
                Some(set) if matches!(ty, FactType::Symbol | FactType::SymbolList) => {
                    Some(set.items.iter().map(|i| self.symbols.intern(&i.name)).collect())
                }
                Some(set) => {
                    self.err(Diagnostic::error(
                        "type-mismatch",
                        set.span,
                        format!("`of [...]` lists symbols, but this fact is {}", ty.name()),
                    ));
                    None
                }
                None => None,
            };
            let dim = match &d.unit {
                Some(u) if ty == FactType::Quantity => match Unit::parse(&u.name) {
                    Some(unit) if unit.dim() != Dim::Time => Some(unit.dim()),
                    Some(_) => {
                        self.err(
                            Diagnostic::error("unit-mismatch", u.span, "a quantity in time units is a duration")
                                .with_help("declare the fact as `duration`"),
                        );
                        None
                    }
                    None => {
                        self.unknown_unit(u);
                        None
                    }
                },
                Some(u) => {
                    self.err(Diagnostic::error(
                        "type-mismatch",
                        u.span,
                        format!("`in UNIT` fixes the unit of a quantity, but this fact is {}", ty.name()),
                    ));
                    None
                }
                None => None,
            };
            let id = FactId(facts.len() as u32);
            let derived = matches!(d.path.name.as_str(), "diagnoses.tags" | "requests.treatments");
            let slot = slots[scope as usize];
            slots[scope as usize] += 1;
            if !derived && !insert_key(&mut trees[scope as usize], &key, id) {
                self.err(
                    Diagnostic::error(
                        "duplicate-name",
                        d.path.span,
                        format!("fact `{}` clashes with another fact's group", d.path.name),
                    )
                    .with_help("a name is either a group of facts or a fact, not both"),
                );
                continue;
            }
            by_path.insert(d.path.name.clone(), id);
            facts.push(Fact {
                path: d.path.name.clone(),
                scope,
                key,
                slot: slot as u16,
                ty,
                dim,
                allowed,
                range: None,
                description: d.description.value.clone(),
                derived,
                span: d.span,
            });
        }
        let schema_span = decls.first().map(|d| d.span);
        let mut need = |path: &str, ty: FactType, required: bool| -> Option<u16> {
            match by_path.get(path).map(|&id| &facts[id.0 as usize]) {
                Some(f) if f.ty == ty => Some(f.slot),
                Some(f) => {
                    self.diags.push(Diagnostic::error(
                        "reserved-fact",
                        f.span,
                        format!("`{path}` must be declared as {}, the engine reads it", ty.name()),
                    ));
                    None
                }
                None if required => {
                    let msg = format!("the fact schema must declare `{path}` as {}", ty.name());
                    self.diags.push(
                        match schema_span {
                            Some(s) => Diagnostic::error("reserved-fact", s, msg),
                            None => Diagnostic::bare("reserved-fact", msg),
                        }
                        .with_help(format!("add: fact {path}: {} \"...\"", ty.name())),
                    );
                    None
                }
                None => None,
            }
        };
        let request_id = need("request.id", FactType::Text, true);
        let request_treatment = need("request.treatment", FactType::Treatment, true);
        let request_date = need("request.date", FactType::Date, true);
        let builtin = Builtin {
            request_id: request_id.unwrap_or(0),
            request_text: need("request.text", FactType::Text, false),
            request_treatment: request_treatment.unwrap_or(0),
            request_date: request_date.unwrap_or(0),
            request_depends_on: need("request.depends_on", FactType::Text, false),
            request_quantity: need("request.quantity", FactType::Quantity, false),
            request_duration: need("request.duration", FactType::Duration, false),
            diagnosis_tags: need("diagnoses.tags", FactType::SymbolList, false),
            requested_treatments: need("requests.treatments", FactType::SymbolList, false),
            medications_current: need("medications.current", FactType::SymbolList, false),
            history_received: need("history.*.received", FactType::Bool, false),
        };
        if request_id.is_none() || request_treatment.is_none() || request_date.is_none() {
            return None;
        }
        let mut no_history = vec![crate::value::Value::Absent; slots[Scope::History as usize]];
        if let Some(s) = builtin.history_received {
            no_history[s as usize] = crate::value::Value::Bool(false);
        }
        Some(Schema {
            facts,
            by_path,
            slots,
            trees,
            builtin,
            no_history: no_history.into(),
        })
    }

    fn unknown_unit(&mut self, u: &Ident) {
        let mut d = Diagnostic::error("unknown-unit", u.span, format!("unknown unit `{}`", u.name));
        d = d.with_help(match did_you_mean(&u.name, UNIT_NAMES.iter().map(|(n, _)| *n)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "units are visit, session, tablet, capsule, patch, unit, mg, g, mg_med, hour, day, week, month, year"
                    .to_string()
            }
        });
        self.err(d);
    }

    fn consts(&mut self, decls: &[&ast::ConstDecl], catalog: &Catalog) -> Vec<Const> {
        let mut seen: HashMap<String, Span> = catalog.classes.iter().map(|c| (c.name.clone(), c.span)).collect();
        let mut out = Vec::new();
        for d in decls {
            if !self.first("constant or class", &mut seen, &d.name) {
                continue;
            }
            let value = match &d.value.kind {
                ExprKind::Set(l) => ConstValue::Set(l.items.iter().map(|i| self.symbols.intern(&i.name)).collect()),
                ExprKind::Bool(b) => ConstValue::Lit(Lit::Bool(*b)),
                ExprKind::Number(n) => ConstValue::Lit(Lit::Num(*n)),
                ExprKind::Date(dt) => ConstValue::Lit(Lit::Date(*dt)),
                ExprKind::Quantity(n, u) => match Unit::parse(&u.name) {
                    Some(unit) => ConstValue::Lit(Lit::Qty(Qty::new(*n, unit))),
                    None => {
                        self.unknown_unit(u);
                        continue;
                    }
                },
                _ => {
                    self.err(Diagnostic::error(
                        "syntax",
                        d.value.span,
                        "a constant is a number, quantity, date, true/false or a list [a, b]",
                    ));
                    continue;
                }
            };
            out.push(Const {
                name: d.name.name.clone(),
                value,
                description: d.description.as_ref().map(|s| s.value.clone()),
                confidence: d.confidence.as_ref().map(confidence::Confidence::from_decl),
                span: d.span,
            });
        }
        out
    }

    fn rule_names<'r>(&mut self, decls: &[&'r ast::RuleDecl]) -> (Vec<&'r ast::RuleDecl>, HashMap<String, RuleId>) {
        let mut seen = HashMap::new();
        let mut kept = Vec::new();
        let mut names = HashMap::new();
        for d in decls {
            if self.first("rule", &mut seen, &d.name) {
                names.insert(d.name.name.clone(), RuleId(kept.len() as u32));
                kept.push(*d);
            }
        }
        (kept, names)
    }

    fn citation(&mut self, env: &Env<'_>, c: &ast::Cite) -> Option<Citation> {
        match env.guidelines.iter().position(|(_, id)| *id == c.source.name) {
            Some(i) => Some(Citation {
                source: SourceId(i as u32),
                section: c.section.value.clone(),
                pages: c.pages.as_ref().map(|p| p.text.clone()),
                span: c.span,
            }),
            None => {
                let mut d = Diagnostic::error(
                    "unknown-source",
                    c.source.span,
                    format!("unknown source `{}`", c.source.name),
                );
                let ids = env.guidelines.iter().map(|(_, id)| id.as_str());
                d = d.with_help(match did_you_mean(&c.source.name, ids) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("declare it: source {} \"Title\" tier mtus", c.source.name),
                });
                self.err(d);
                None
            }
        }
    }

    fn rule(&mut self, env: &Env<'_>, r: &ast::RuleDecl) -> Option<Rule> {
        let errors_before = self.diags.len();
        if r.cites.is_empty() {
            self.err(
                Diagnostic::error(
                    "missing-citation",
                    r.name.span,
                    format!("rule `{}` has no citation", r.name.name),
                )
                .with_help("add a line under the title: cites SOURCE \"Section\" p. N"),
            );
        }
        let cites: Vec<Citation> = r.cites.iter().filter_map(|c| self.citation(env, c)).collect();
        if let Some(first) = cites.first() {
            for (c, decl) in cites.iter().zip(&r.cites).skip(1) {
                if c.source != first.source {
                    self.err(
                        Diagnostic::error("mixed-sources", decl.span, "a rule cites one source")
                            .with_help("put criteria from another source in a rule that `supplements` this one"),
                    );
                }
            }
        }
        if r.applies.is_empty() {
            self.err(
                Diagnostic::error(
                    "missing-applies",
                    r.name.span,
                    format!("rule `{}` does not say what it applies to", r.name.name),
                )
                .with_help("add: applies to TREATMENT (or a class such as muscle_relaxant)"),
            );
        }
        let mut applies = Vec::new();
        for a in &r.applies {
            if let Some(t) = env.catalog.treatment_named(&a.name) {
                applies.push(Target::Treatment(t));
            } else if let Some(c) = env.catalog.class_named(&a.name) {
                applies.push(Target::Class(c));
            } else {
                self.unknown_treatment(env.catalog, a, true);
            }
        }
        if r.effective.len() > 1 {
            self.err(Diagnostic::error(
                "duplicate-clause",
                r.effective[1].span,
                "a rule has one `effective` period",
            ));
        }
        let own = r.effective.first().map(|e| self.window(e)).unwrap_or_default();
        if r.supplements.len() > 1 {
            self.err(Diagnostic::error(
                "duplicate-clause",
                r.supplements[1].span,
                "a rule supplements one rule",
            ));
        }
        let supplements = r.supplements.first().and_then(|s| match env.rule_names.get(&s.name) {
            Some(&id) if s.name == r.name.name => {
                self.err(Diagnostic::error(
                    "unknown-rule",
                    s.span,
                    "a rule cannot supplement itself",
                ));
                let _ = id;
                None
            }
            Some(&id) => Some(id),
            None => {
                let mut d = Diagnostic::error("unknown-rule", s.span, format!("unknown rule `{}`", s.name));
                if let Some(sug) = did_you_mean(&s.name, env.rule_names.keys().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{sug}`?"));
                }
                self.err(d);
                None
            }
        });
        if r.criteria.is_empty() {
            self.err(
                Diagnostic::error(
                    "missing-criteria",
                    r.name.span,
                    format!("rule `{}` has no criteria", r.name.name),
                )
                .with_help("add `require NAME \"description\" CONDITION` or `exclude NAME \"description\" CONDITION`"),
            );
        }
        let mut seen = HashMap::new();
        let mut criteria = Vec::new();
        for c in &r.criteria {
            self.first("criterion", &mut seen, &c.name);
            if let Some(cr) = self.criterion(env, c) {
                criteria.push(cr);
            }
        }
        if self.diags[errors_before..].iter().any(Diagnostic::is_error) {
            return None;
        }
        let first = cites.first()?;
        let (source, _) = &env.guidelines[first.source.0 as usize];
        let window = own.intersect(source.window);
        if !window.overlaps(&Window::default()) || matches!((window.from, window.until), (Some(f), Some(u)) if f >= u) {
            self.err(Diagnostic::error(
                "bad-window",
                r.name.span,
                format!(
                    "rule `{}` is never in force: its period does not overlap its source's ({})",
                    r.name.name,
                    source.window.describe()
                ),
            ));
            return None;
        }
        Some(Rule {
            name: r.name.name.clone(),
            title: r.title.value.clone(),
            source: first.source,
            tier: source.tier,
            cites,
            applies,
            window,
            supplements,
            confidence: r.confidence.as_ref().map(confidence::Confidence::from_decl),
            criteria,
            span: r.span,
        })
        .map(|rule| confidence::ground(rule, env.consts, &self.symbols))
    }

    fn unknown_treatment(&mut self, catalog: &Catalog, a: &Ident, classes_too: bool) {
        let mut names: Vec<&str> = catalog.treatments.iter().map(|t| t.name.as_str()).collect();
        if classes_too {
            names.extend(catalog.classes.iter().map(|c| c.name.as_str()));
        }
        let what = if classes_too { "treatment or class" } else { "treatment" };
        let mut d = Diagnostic::error("unknown-treatment", a.span, format!("unknown {what} `{}`", a.name));
        d = d.with_help(match did_you_mean(&a.name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => match catalog.resolve(&a.name) {
                Some(t) => format!(
                    "`{}` is a brand name; rules use the canonical name `{}`",
                    a.name,
                    catalog.treatment(t).name
                ),
                None => "declare it in the catalog: treatment NAME \"Title\" class CLASS".to_string(),
            },
        });
        self.err(d);
    }

    fn criterion(&mut self, env: &Env<'_>, c: &ast::CriterionDecl) -> Option<Criterion> {
        if c.description.value.trim().is_empty() {
            self.err(
                Diagnostic::error(
                    "missing-description",
                    c.description.span,
                    format!("criterion `{}` has an empty description", c.name.name),
                )
                .with_help("say in plain words what the guideline asks for"),
            );
        }
        let citation = c.cites.as_ref().and_then(|x| self.citation(env, x));
        let expr = match (&c.expr, c.kind) {
            (None, CriterionKind::Exclude) => None,
            (None, CriterionKind::Require) => {
                self.err(
                    Diagnostic::error(
                        "missing-condition",
                        c.name.span,
                        format!("criterion `{}` has no condition", c.name.name),
                    )
                    .with_help(
                        "write the condition after the description; only `exclude` may stand alone (never recommended)",
                    ),
                );
                return None;
            }
            (Some(e), _) => {
                let t = self.expr(env, e)?;
                Some(self.want_bool(env, t)?)
            }
        };
        let mut reads = Vec::new();
        if let Some(e) = &expr {
            collect_reads(e, &mut reads);
        }
        Some(Criterion {
            name: c.name.name.clone(),
            description: c.description.value.clone(),
            kind: c.kind,
            citation,
            expr,
            reads,
            confidence: c.confidence.as_ref().map(confidence::Confidence::from_decl),
            grounds: confidence::Grounds::default(),
            span: c.span,
        })
    }

    /// Explain a bare name that is neither a constant nor usable as a symbol here.
    fn not_a_value(&mut self, env: &Env<'_>, t: &TExpr, expected: &str) {
        let name = self.snippet(t.span);
        let mut d = Diagnostic::error(
            "unknown-name",
            t.span,
            format!("`{name}` is not a fact or a constant, so it cannot be {expected}"),
        );
        let suffix = format!(".{name}");
        let by_suffix = env
            .schema
            .facts
            .iter()
            .find(|f| f.path.ends_with(&suffix))
            .map(display_path);
        let consts = env.consts.iter().map(|c| c.name.as_str());
        d = match by_suffix.or_else(|| did_you_mean(&name, consts).map(str::to_string)) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help("facts are written with their group, such as `exam.muscle_spasm`"),
        };
        self.err(d);
    }

    fn want_bool(&mut self, env: &Env<'_>, t: TExpr) -> Option<TExpr> {
        if t.ty == Ty::Bool {
            return Some(t);
        }
        if let Ty::Sym(SymDomain::Literal(_)) = t.ty {
            self.not_a_value(env, &t, "a condition");
            return None;
        }
        let text = self.snippet(t.span);
        let help = match &t.ty {
            Ty::Qty(_) | Ty::Number | Ty::Date => "compare it with something, e.g. `request.quantity <= 6 visit`",
            Ty::Sym(_) => "compare it with a value, e.g. `request.intent == acute_flare`",
            Ty::SymList(_) => "test it with `contains`, e.g. `course.first_line_tried contains nsaid`",
            _ => "use `is documented` to test that it is on the record",
        };
        self.err(
            Diagnostic::error(
                "type-mismatch",
                t.span,
                format!("expected a condition, but `{text}` is {}", describe_ty(&t.ty)),
            )
            .with_help(help),
        );
        None
    }

    fn lit(kind: Lit, ty: Ty, span: Span) -> Option<TExpr> {
        Some(TExpr {
            kind: TKind::Lit(kind),
            ty,
            span,
        })
    }

    fn expr(&mut self, env: &Env<'_>, e: &Expr) -> Option<TExpr> {
        let span = e.span;
        match &e.kind {
            ExprKind::Bool(b) => Self::lit(Lit::Bool(*b), Ty::Bool, span),
            ExprKind::Number(n) => Self::lit(Lit::Num(*n), Ty::Number, span),
            ExprKind::Date(d) => Self::lit(Lit::Date(*d), Ty::Date, span),
            ExprKind::Str(s) => Self::lit(Lit::Str(s.clone()), Ty::Text, span),
            ExprKind::Quantity(n, u) => match Unit::parse(&u.name) {
                Some(unit) => Self::lit(Lit::Qty(Qty::new(*n, unit)), Ty::Qty(QtyTy::Dim(unit.dim())), span),
                None => {
                    self.unknown_unit(u);
                    None
                }
            },
            ExprKind::Path(segs) => self.path(env, segs, span),
            ExprKind::Name(id) => {
                if let Some(i) = env.consts.iter().position(|c| c.name == id.name) {
                    let c = &env.consts[i];
                    return match &c.value {
                        ConstValue::Lit(l) => {
                            let ty = match l {
                                Lit::Bool(_) => Ty::Bool,
                                Lit::Num(_) => Ty::Number,
                                Lit::Date(_) => Ty::Date,
                                Lit::Qty(q) => Ty::Qty(QtyTy::Dim(q.dim())),
                                Lit::Sym(s) => Ty::Sym(SymDomain::Literal(*s)),
                                Lit::Str(_) => Ty::Text,
                            };
                            Some(TExpr {
                                kind: TKind::Const(ConstId(i as u32), l.clone()),
                                ty,
                                span,
                            })
                        }
                        ConstValue::Set(_) => {
                            self.err(
                                Diagnostic::error("type-mismatch", span, format!("`{}` is a set of values", id.name))
                                    .with_help(format!("use it after `in` or `contains any of`: x in {}", id.name)),
                            );
                            None
                        }
                    };
                }
                let sym = self.symbols.intern(&id.name);
                Some(TExpr {
                    kind: TKind::Lit(Lit::Sym(sym)),
                    ty: Ty::Sym(SymDomain::Literal(sym)),
                    span,
                })
            }
            ExprKind::Set(l) => {
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        l.span,
                        "a list of values stands after `in` or `contains any of`",
                    )
                    .with_help("e.g. request.intent in [acute_flare, trial]"),
                );
                None
            }
            ExprKind::Paren(inner) => self.expr(env, inner),
            ExprKind::Not(x) => {
                let x = self.expr(env, x)?;
                let x = self.want_bool(env, x)?;
                Some(TExpr {
                    kind: TKind::Not(Box::new(x)),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                let mut ok = true;
                for x in xs {
                    match self.expr(env, x).and_then(|t| self.want_bool(env, t)) {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let kind = if matches!(e.kind, ExprKind::And(_)) {
                    TKind::And(out)
                } else {
                    TKind::Or(out)
                };
                Some(TExpr {
                    kind,
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::When { cond, then, otherwise } => {
                let c = self.expr(env, cond).and_then(|t| self.want_bool(env, t));
                let t = self.expr(env, then).and_then(|t| self.want_bool(env, t));
                let o = match otherwise {
                    Some(o) => Some(self.expr(env, o).and_then(|t| self.want_bool(env, t))?),
                    None => None,
                };
                Some(TExpr {
                    kind: TKind::When(Box::new(c?), Box::new(t?), o.map(Box::new)),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::Cmp(op, a, b) => {
                let a = self.expr(env, a);
                let b = self.expr(env, b);
                self.cmp(env, *op, a?, b?, span)
            }
            ExprKind::Sum(first, rest) => {
                let mut acc = self.expr(env, first)?;
                let mut terms = Vec::new();
                let mut ty = acc.ty.clone();
                for (op, x) in rest {
                    let t = self.expr(env, x)?;
                    ty = self.sum_ty(&acc, &ty, *op, &t)?;
                    terms.push((*op, t));
                }
                acc = TExpr {
                    kind: TKind::Sum(Box::new(acc), terms),
                    ty,
                    span,
                };
                Some(acc)
            }
            ExprKind::Documented { expr, negated } => {
                let x = self.expr(env, expr)?;
                if !matches!(x.kind, TKind::Fact(_)) {
                    self.err(
                        Diagnostic::error("type-mismatch", x.span, "only a fact can be documented or not")
                            .with_help("write e.g. `prior.visits is documented`"),
                    );
                    return None;
                }
                Some(TExpr {
                    kind: TKind::Documented(Box::new(x), *negated),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::In(x, set) => {
                let x = self.expr(env, x)?;
                let domain = match &x.ty {
                    Ty::Sym(d) => d.clone(),
                    other => {
                        let text = self.snippet(x.span);
                        self.err(
                            Diagnostic::error(
                                "type-mismatch",
                                x.span,
                                format!("`in` tests a symbol, but `{text}` is {}", describe_ty(other)),
                            )
                            .with_help(if matches!(other, Ty::SymList(_)) {
                                "for a list, write `contains any of [...]`"
                            } else {
                                "compare numbers and quantities with <, <=, ==, ..."
                            }),
                        );
                        return None;
                    }
                };
                let set = self.set(env, set, &domain)?;
                Some(TExpr {
                    kind: TKind::In(Box::new(x), set),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::Contains(list, elem) => {
                let list = self.expr(env, list)?;
                let elem = self.expr(env, elem)?;
                let domain = self.want_list(&list)?;
                match &elem.ty {
                    Ty::Sym(_) => {
                        self.check_sym(env, &elem, &domain, Some(&list))?;
                    }
                    other => {
                        let text = self.snippet(elem.span);
                        self.err(Diagnostic::error(
                            "type-mismatch",
                            elem.span,
                            format!(
                                "a list of symbols contains symbols, but `{text}` is {}",
                                describe_ty(other)
                            ),
                        ));
                        return None;
                    }
                }
                Some(TExpr {
                    kind: TKind::Contains(Box::new(list), Box::new(elem)),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::ContainsAny(list, set) | ExprKind::ContainsAll(list, set) => {
                let list = self.expr(env, list)?;
                let domain = self.want_list(&list)?;
                let set = self.set(env, set, &domain)?;
                let kind = if matches!(e.kind, ExprKind::ContainsAny(..)) {
                    TKind::ContainsAny(Box::new(list), set)
                } else {
                    TKind::ContainsAll(Box::new(list), set)
                };
                Some(TExpr {
                    kind,
                    ty: Ty::Bool,
                    span,
                })
            }
        }
    }

    fn want_list(&mut self, list: &TExpr) -> Option<SymDomain> {
        match &list.ty {
            Ty::SymList(d) => Some(d.clone()),
            other => {
                let text = self.snippet(list.span);
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        list.span,
                        format!("`contains` needs a list, but `{text}` is {}", describe_ty(other)),
                    )
                    .with_help("for a single symbol, write `x == value` or `x in [a, b]`"),
                );
                None
            }
        }
    }

    /// Check that a symbol literal is a value the other side (`fact`, when
    /// known) can hold; in a set, a class name also counts for treatments.
    fn check_sym(&mut self, env: &Env<'_>, lit: &TExpr, domain: &SymDomain, other: Option<&TExpr>) -> Option<()> {
        let sym = match &lit.kind {
            TKind::Lit(Lit::Sym(s)) | TKind::Const(_, Lit::Sym(s)) => *s,
            _ => return Some(()),
        };
        let name = self.symbols.name(sym).unwrap_or("?").to_string();
        match domain {
            SymDomain::Open | SymDomain::Literal(_) => Some(()),
            SymDomain::Closed(allowed) if allowed.contains(&sym) => Some(()),
            SymDomain::Closed(allowed) => {
                let names: Vec<String> = allowed
                    .iter()
                    .filter_map(|s| self.symbols.name(*s))
                    .map(str::to_string)
                    .collect();
                let message = match other {
                    Some(o) => format!("`{name}` is not a value `{}` can have", self.snippet(o.span)),
                    None => format!("`{name}` is not one of the values this fact can have"),
                };
                let mut d = Diagnostic::error("unknown-symbol", lit.span, message);
                d = d.with_help(match did_you_mean(&name, names.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("its values are: {}", names.join(", ")),
                });
                self.err(d);
                None
            }
            SymDomain::Treatment => {
                if env.catalog.treatment_named(&name).is_some() {
                    return Some(());
                }
                let id = Ident { name, span: lit.span };
                self.unknown_treatment(env.catalog, &id, other.is_none());
                None
            }
        }
    }

    fn set(&mut self, env: &Env<'_>, s: &SetExpr, domain: &SymDomain) -> Option<SymSet> {
        let (items, name): (Vec<(Sym, Span)>, Option<String>) = match s {
            SetExpr::List(l) => {
                let mut items = Vec::new();
                for i in &l.items {
                    // In a treatment set, a class stands for its members.
                    if *domain == SymDomain::Treatment {
                        if let Some(c) = env.catalog.class_named(&i.name) {
                            for &m in &env.catalog.class(c).members {
                                items.push((env.catalog.treatment(m).sym, i.span));
                            }
                            continue;
                        }
                    }
                    items.push((self.symbols.intern(&i.name), i.span));
                }
                (items, None)
            }
            SetExpr::Named(n) => {
                if let Some(c) = env.consts.iter().find(|c| c.name == n.name) {
                    match &c.value {
                        ConstValue::Set(v) => (v.iter().map(|&s| (s, n.span)).collect(), Some(n.name.clone())),
                        ConstValue::Lit(_) => {
                            self.err(
                                Diagnostic::error(
                                    "type-mismatch",
                                    n.span,
                                    format!("`{}` is a single value, not a set", n.name),
                                )
                                .with_help("compare with `==`, or declare the constant as a list [a, b]"),
                            );
                            return None;
                        }
                    }
                } else if let Some(c) = env.catalog.class_named(&n.name) {
                    let members = env
                        .catalog
                        .class(c)
                        .members
                        .iter()
                        .map(|&m| (env.catalog.treatment(m).sym, n.span))
                        .collect();
                    (members, Some(n.name.clone()))
                } else {
                    let mut names: Vec<&str> = env.consts.iter().map(|c| c.name.as_str()).collect();
                    names.extend(env.catalog.classes.iter().map(|c| c.name.as_str()));
                    let mut d = Diagnostic::error("unknown-name", n.span, format!("unknown set `{}`", n.name));
                    d = d.with_help(match did_you_mean(&n.name, names) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => format!(
                            "write the values in brackets, [{}], or declare `const {} = [...]`",
                            n.name, n.name
                        ),
                    });
                    self.err(d);
                    return None;
                }
            }
        };
        let mut ok = true;
        for &(sym, span) in &items {
            let lit = TExpr {
                kind: TKind::Lit(Lit::Sym(sym)),
                ty: Ty::Sym(SymDomain::Literal(sym)),
                span,
            };
            if self.check_sym(env, &lit, domain, None).is_none() {
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let mut syms: Vec<Sym> = items.into_iter().map(|(s, _)| s).collect();
        syms.sort_unstable();
        syms.dedup();
        Some(SymSet { items: syms, name })
    }

    fn cmp(&mut self, env: &Env<'_>, op: CmpOp, a: TExpr, b: TExpr, span: Span) -> Option<TExpr> {
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let ok = match (&a.ty, &b.ty) {
            (Ty::Number, Ty::Number) | (Ty::Date, Ty::Date) => true,
            (Ty::Qty(x), Ty::Qty(y)) => {
                if !qty_compatible(*x, *y) {
                    let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
                    self.err(
                        Diagnostic::error(
                            "unit-mismatch",
                            span,
                            format!(
                                "cannot compare `{ta}` ({}) with `{tb}` ({})",
                                describe_qty(*x),
                                describe_qty(*y)
                            ),
                        )
                        .with_help("both sides need the same kind of unit: visits with visits, days with weeks"),
                    );
                    return None;
                }
                true
            }
            (Ty::Qty(q), Ty::Number) | (Ty::Number, Ty::Qty(q)) => {
                let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
                let example = match q {
                    QtyTy::Dim(Dim::Time) => "3 week",
                    QtyTy::Dim(Dim::Tablet) => "15 tablet",
                    QtyTy::Dim(Dim::Mass) => "7.5 mg",
                    QtyTy::Dim(Dim::Med) => "120 mg_med",
                    QtyTy::Dim(Dim::Item) => "1 unit",
                    _ => "6 visit",
                };
                self.err(
                    Diagnostic::error(
                        "unit-mismatch",
                        span,
                        format!("cannot compare `{ta}` with `{tb}`: one has a unit and the other does not"),
                    )
                    .with_help(format!("give the number a unit, e.g. `{example}`")),
                );
                return None;
            }
            (Ty::Sym(da), Ty::Sym(db)) if equality => {
                self.check_sym(env, &a, db, Some(&b))?;
                self.check_sym(env, &b, da, Some(&a))?;
                true
            }
            (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) if equality => true,
            (Ty::Sym(_), Ty::Sym(_)) | (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) => {
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("`{}` does not order {}s", op.symbol(), describe_ty(&a.ty)),
                    )
                    .with_help("use `==` or `!=`"),
                );
                return None;
            }
            _ => false,
        };
        if !ok {
            if let Ty::Sym(SymDomain::Literal(_)) = b.ty {
                if !matches!(a.ty, Ty::Sym(_)) {
                    self.not_a_value(env, &b, "compared");
                    return None;
                }
            }
            if let Ty::Sym(SymDomain::Literal(_)) = a.ty {
                self.not_a_value(env, &a, "compared");
                return None;
            }
            let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
            self.err(Diagnostic::error(
                "type-mismatch",
                span,
                format!(
                    "cannot compare `{ta}` ({}) with `{tb}` ({})",
                    describe_ty(&a.ty),
                    describe_ty(&b.ty)
                ),
            ));
            return None;
        }
        Some(TExpr {
            kind: TKind::Cmp(op, Box::new(a), Box::new(b)),
            ty: Ty::Bool,
            span,
        })
    }

    fn sum_ty(&mut self, left: &TExpr, lt: &Ty, op: AddOp, right: &TExpr) -> Option<Ty> {
        let time = QtyTy::Dim(Dim::Time);
        let out = match (lt, op, &right.ty) {
            (Ty::Number, _, Ty::Number) => Some(Ty::Number),
            (Ty::Qty(x), _, Ty::Qty(y)) if qty_compatible(*x, *y) => Some(Ty::Qty(match (x, y) {
                (QtyTy::Dim(d), _) | (_, QtyTy::Dim(d)) => QtyTy::Dim(*d),
                _ => QtyTy::AnyCount,
            })),
            (Ty::Date, _, Ty::Qty(q)) if *q == time => Some(Ty::Date),
            (Ty::Qty(q), AddOp::Add, Ty::Date) if *q == time => Some(Ty::Date),
            (Ty::Date, AddOp::Sub, Ty::Date) => Some(Ty::Qty(time)),
            _ => None,
        };
        if out.is_none() {
            let (ta, tb) = (self.snippet(left.span), self.snippet(right.span));
            let verb = if op == AddOp::Add { "add" } else { "subtract" };
            let prep = if op == AddOp::Add { "to" } else { "from" };
            let (x, y) = (tb, ta);
            let (tx, ty) = (describe_ty(&right.ty), describe_ty(lt));
            self.err(
                Diagnostic::error(
                    if matches!(
                        (lt, &right.ty),
                        (Ty::Qty(_), Ty::Qty(_)) | (Ty::Qty(_), Ty::Number) | (Ty::Number, Ty::Qty(_))
                    ) {
                        "unit-mismatch"
                    } else {
                        "type-mismatch"
                    },
                    left.span.to(right.span),
                    format!("cannot {verb} `{x}` ({tx}) {prep} `{y}` ({ty})"),
                )
                .with_help("numbers add to numbers, quantities to quantities of the same unit, durations to dates"),
            );
        }
        out
    }

    fn path(&mut self, env: &Env<'_>, segs: &[Ident], span: Span) -> Option<TExpr> {
        let full: String = segs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
        let history_field = |name: &str| env.schema.lookup(&format!("history.*.{name}"));
        let found: Option<(FactRef, &Fact)> = match segs {
            [p, field] if p.name == "prior" => {
                history_field(&field.name).map(|f| (FactRef::Prior(fact_id(env, f), f.slot), f))
            }
            [h, t, field] if h.name == "history" => {
                let Some(tid) = env.catalog.treatment_named(&t.name) else {
                    self.unknown_treatment(env.catalog, t, false);
                    return None;
                };
                history_field(&field.name).map(|f| (FactRef::History(tid, fact_id(env, f), f.slot), f))
            }
            [r, ..] if r.name == "request" => env
                .schema
                .lookup(&full)
                .map(|f| (FactRef::Request(fact_id(env, f), f.slot), f)),
            _ => env
                .schema
                .lookup(&full)
                .filter(|f| f.scope == Scope::Case)
                .map(|f| (FactRef::Case(fact_id(env, f), f.slot), f)),
        };
        match found {
            Some((r, f)) => Some(TExpr {
                kind: TKind::Fact(r),
                ty: fact_ty(f),
                span,
            }),
            None => {
                let display: Vec<String> = env.schema.facts.iter().map(display_path).collect();
                let mut d = Diagnostic::error("unknown-fact", span, format!("unknown fact `{full}`"));
                let lookup = if segs.first().is_some_and(|s| s.name == "history") && segs.len() == 3 {
                    format!("prior.{}", segs[2].name)
                } else {
                    full.clone()
                };
                d = d.with_help(match did_you_mean(&lookup, display.iter().map(String::as_str)) {
                    Some(s) if segs.first().is_some_and(|s| s.name == "history") => {
                        format!(
                            "did you mean `history.{}.{}`?",
                            segs[1].name,
                            s.trim_start_matches("prior.")
                        )
                    }
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "declare it in the fact schema: fact GROUP.NAME: TYPE \"description\"".to_string(),
                });
                self.err(d);
                None
            }
        }
    }
}

fn fact_id(env: &Env<'_>, f: &Fact) -> FactId {
    env.schema.by_path.get(&f.path).copied().unwrap_or(FactId(0))
}

/// How rules name a fact: history fields as `prior.NAME`.
pub fn display_path(f: &Fact) -> String {
    match f.scope {
        Scope::History => format!("prior.{}", f.key.join(".")),
        _ => f.path.clone(),
    }
}

fn insert_key(tree: &mut BTreeMap<String, KeyNode>, key: &[String], id: FactId) -> bool {
    let Some((last, groups)) = key.split_last() else {
        return false;
    };
    let mut node = tree;
    for g in groups {
        let entry = node.entry(g.clone()).or_insert_with(|| KeyNode::Group(BTreeMap::new()));
        match entry {
            KeyNode::Group(children) => node = children,
            KeyNode::Leaf(_) => return false,
        }
    }
    if node.contains_key(last) {
        return false;
    }
    node.insert(last.clone(), KeyNode::Leaf(id));
    true
}

fn collect_reads(e: &TExpr, out: &mut Vec<FactRef>) {
    e.walk(&mut |x| {
        if let TKind::Fact(r) = x.kind {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    });
}
