//! The fact schema: every fact a case may hold, with its scope, slot, type,
//! closed vocabulary, numeric range and unit, and the facts the engine
//! itself reads.
//!
//! Invariants: a fact path is declared once and is either a group or a
//! fact; slots are dense per scope; an `extend` names a closed fact and
//! adds only new values; a range lies inside its type's built-in bounds.

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::diag::Span;
use crate::diag::{Diagnostic, did_you_mean};
use crate::syntax::ast::{self, Ident};
use crate::value::{Dim, Sym, UNIT_NAMES, Unit};

impl Checker<'_> {
    pub(super) fn schema(
        &mut self,
        decls: &[&ast::FactDecl],
        extends: &[&ast::ExtendDecl],
        catalog: &Catalog,
    ) -> Option<Schema> {
        let mut facts: Vec<Fact> = Vec::new();
        let mut by_path = HashMap::new();
        let mut seen = HashMap::new();
        let mut slots = [0usize; 3];
        let mut trees: [BTreeMap<String, KeyNode>; 3] = Default::default();
        for d in decls {
            if !self.first("fact", &mut seen, &d.path) {
                continue;
            }
            let Some((scope, key)) = self.fact_scope(d) else {
                continue;
            };
            let Some(ty) = self.fact_type(d) else {
                continue;
            };
            let allowed = self.fact_values(d, ty);
            let dim = self.fact_dim(d, ty);
            let range = self.range(ty, dim, d.range.as_ref());
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
                range,
                description: d.description.value.clone(),
                derived,
                span: d.span,
            });
        }
        let path_spans: HashMap<&str, Span> = decls.iter().map(|d| (d.path.name.as_str(), d.path.span)).collect();
        for e in extends {
            self.extend(&mut facts, &by_path, &path_spans, e);
        }
        // Current medications name treatments: when the set is closed, every
        // catalog treatment is one of its values besides the drugs listed.
        if let Some(allowed) = by_path
            .get("medications.current")
            .and_then(|id| facts[id.0 as usize].allowed.as_mut())
        {
            for t in &catalog.treatments {
                if !allowed.contains(&t.sym) {
                    allowed.push(t.sym);
                }
            }
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

    /// A fact's scope and its keys below the scope's record, from its
    /// declared path; `None` (reported) for a path no fact may have.
    fn fact_scope(&mut self, d: &ast::FactDecl) -> Option<(Scope, Vec<String>)> {
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
                return None;
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
                    .with_help("rules read them as `prior.NAME` (the requested treatment) or `history.TREATMENT.NAME`"),
                );
                return None;
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
                return None;
            }
            _ => (Scope::Case, segs.iter().map(|s| s.to_string()).collect()),
        };
        if key.iter().any(|k| k == "*") {
            self.err(Diagnostic::error(
                "bad-fact-name",
                d.path.span,
                "`*` may appear only as `history.*.NAME`",
            ));
            return None;
        }
        Some((scope, key))
    }

    /// A fact's declared type; `None` (reported) when unknown.
    fn fact_type(&mut self, d: &ast::FactDecl) -> Option<FactType> {
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
                return None;
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
                    return None;
                }
            }
        };
        Some(ty)
    }

    /// The closed set of symbols a symbol fact may hold (`of [...]`).
    fn fact_values(&mut self, d: &ast::FactDecl, ty: FactType) -> Option<Vec<Sym>> {
        match &d.of {
            Some(set) if matches!(ty, FactType::Symbol | FactType::SymbolList) => {
                let mut values: Vec<(Sym, Span)> = Vec::with_capacity(set.items.len());
                for i in &set.items {
                    let sym = self.symbols.intern(&i.name);
                    match values.iter().find(|(s, _)| *s == sym) {
                        Some(&(_, first)) => self.err(
                            Diagnostic::error("duplicate-value", i.span, format!("`{}` is listed twice", i.name))
                                .with_note(first, "first listed here")
                                .with_help("delete the copy"),
                        ),
                        None => values.push((sym, i.span)),
                    }
                }
                Some(values.into_iter().map(|(s, _)| s).collect())
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
        }
    }

    /// The unit dimension a quantity fact fixes (`in UNIT`).
    fn fact_dim(&mut self, d: &ast::FactDecl, ty: FactType) -> Option<Dim> {
        match &d.unit {
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
        }
    }

    /// The range a fact may take: as declared, or the built-in bounds of
    /// scores (0-10) and percents (0-100). Bounds of a quantity are kept in
    /// the base unit of its dimension.
    fn range(&mut self, ty: FactType, dim: Option<Dim>, decl: Option<&ast::RangeDecl>) -> Option<Range> {
        let builtin = match ty {
            FactType::Score => Some(Range { min: 0.0, max: 10.0 }),
            FactType::Percent => Some(Range { min: 0.0, max: 100.0 }),
            _ => None,
        };
        let Some(decl) = decl else {
            return builtin;
        };
        let bad = |msg: String, help: &str| Diagnostic::error("bad-range", decl.span, msg).with_help(help.to_string());
        let want_dim = match ty {
            FactType::Int | FactType::Number | FactType::Score | FactType::Percent => None,
            FactType::Duration => Some(Some(Dim::Time)),
            FactType::Quantity => Some(dim),
            other => {
                self.err(bad(
                    format!(
                        "a range bounds a number or a quantity, but this fact is {}",
                        other.name()
                    ),
                    "delete the range, or declare the fact as int, number, quantity or duration",
                ));
                return builtin;
            }
        };
        // The unit each bound is read in: its own, else the other bound's,
        // else the fact's `in UNIT`.
        let default_unit = decl.min.unit.as_ref().or(decl.max.unit.as_ref());
        if want_dim == Some(Some(Dim::Time)) && default_unit.is_none() {
            self.err(bad(
                "a duration's range needs a unit".to_string(),
                "e.g. `range 0 day..100 year`",
            ));
            return builtin;
        }
        let mut ok = true;
        let mut base = |this: &mut Self, b: &ast::Bound| -> f64 {
            let written = b.unit.as_ref().or(default_unit);
            let factor = match (&want_dim, written) {
                (None, None) => 1.0,
                (None, Some(_)) if !ok => 1.0,
                (None, Some(u)) => {
                    this.err(
                        Diagnostic::error(
                            "bad-range",
                            u.span,
                            format!("this fact is {}, a number without a unit", ty.name()),
                        )
                        .with_help("write the bounds as plain numbers, e.g. `range 0..21`"),
                    );
                    ok = false;
                    1.0
                }
                (Some(_), None) => 1.0,
                (Some(d), Some(u)) => match Unit::parse(&u.name) {
                    None => {
                        this.unknown_unit(u);
                        ok = false;
                        1.0
                    }
                    Some(unit) if d.is_some_and(|d| d == unit.dim()) => unit.factor(),
                    Some(_) if !ok => 1.0,
                    Some(unit) => {
                        let d = match d {
                            Some(d) => Diagnostic::error(
                                "bad-range",
                                u.span,
                                format!("`{}` ({}) does not fit this fact", unit.name(), unit.dim().name()),
                            )
                            .with_help(format!("the bounds are in {}", d.name())),
                            None => Diagnostic::error(
                                "bad-range",
                                u.span,
                                "a quantity without `in UNIT` takes its unit from the case, so its range has none",
                            )
                            .with_help("write plain numbers, `range 0..N`: they bound the amount in its base unit (visits, tablets, units, mg)"),
                        };
                        this.err(d);
                        ok = false;
                        1.0
                    }
                },
            };
            let v = b.value * factor;
            if !v.is_finite() || v.abs() > MAX_MAGNITUDE {
                this.err(huge(b.span, &crate::value::fmt_num(b.value)));
                ok = false;
            }
            v
        };
        let min = base(self, &decl.min);
        let max = base(self, &decl.max);
        if !ok {
            return builtin;
        }
        if min > max {
            self.err(bad(
                format!(
                    "the range ends ({}) below where it starts ({})",
                    crate::value::fmt_num(decl.max.value),
                    crate::value::fmt_num(decl.min.value)
                ),
                "write the smaller bound first: `range LOW..HIGH`",
            ));
            return builtin;
        }
        if let Some(b) = builtin {
            if min < b.min || max > b.max {
                self.err(bad(
                    format!(
                        "a {} lies between {} and {}; the range cannot go beyond",
                        ty.name(),
                        crate::value::fmt_num(b.min),
                        crate::value::fmt_num(b.max)
                    ),
                    "narrow the range, or declare the fact as number",
                ));
                return builtin;
            }
        }
        Some(Range { min, max })
    }

    /// `extend fact X with [a, b]`: add values to a closed set.
    fn extend(
        &mut self,
        facts: &mut [Fact],
        by_path: &HashMap<String, FactId>,
        path_spans: &HashMap<&str, Span>,
        e: &ast::ExtendDecl,
    ) {
        let Some(&id) = by_path.get(&e.path.name) else {
            let mut d = Diagnostic::error("unknown-fact", e.path.span, format!("unknown fact `{}`", e.path.name));
            d = d.with_help(match did_you_mean(&e.path.name, by_path.keys().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "only a declared fact with a closed set of values can be extended".to_string(),
            });
            self.err(d);
            return;
        };
        let fact = &facts[id.0 as usize];
        let fact_span = path_spans.get(fact.path.as_str()).copied().unwrap_or(fact.span);
        let (path, ty) = (fact.path.clone(), fact.ty);
        if !matches!(ty, FactType::Symbol | FactType::SymbolList) {
            self.err(
                Diagnostic::error(
                    "open-set",
                    e.path.span,
                    format!("`{path}` is {}, not a symbol with a set of values", ty.name()),
                )
                .with_note(fact_span, "declared here")
                .with_help("only `symbol` and `list<symbol>` facts have values to extend"),
            );
            return;
        }
        if fact.allowed.is_none() {
            self.err(
                Diagnostic::error(
                    "open-set",
                    e.path.span,
                    format!("`{path}` takes any value, so there is no set to extend"),
                )
                .with_note(fact_span, "declared here")
                .with_help("close it first with `of [...]` in its declaration"),
            );
            return;
        }
        let mut added: Vec<(Sym, Span)> = Vec::new();
        for item in &e.with.items {
            let sym = self.symbols.intern(&item.name);
            let already = facts[id.0 as usize].allowed.as_ref().is_some_and(|a| a.contains(&sym));
            if let Some(&(_, first)) = added.iter().find(|(s, _)| *s == sym) {
                self.err(
                    Diagnostic::error("duplicate-value", item.span, format!("`{}` is listed twice", item.name))
                        .with_note(first, "first listed here")
                        .with_help("delete the copy"),
                );
            } else if already {
                self.err(
                    Diagnostic::error(
                        "duplicate-value",
                        item.span,
                        format!("`{}` is already a value of `{path}`", item.name),
                    )
                    .with_note(fact_span, "declared here")
                    .with_help("delete it from the extension"),
                );
            } else {
                added.push((sym, item.span));
            }
        }
        if let Some(a) = facts[id.0 as usize].allowed.as_mut() {
            a.extend(added.into_iter().map(|(s, _)| s));
        }
    }

    pub(super) fn unknown_unit(&mut self, u: &Ident) {
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

/// A number too large to be meant (see [`MAX_MAGNITUDE`]).
pub(super) fn huge(span: Span, written: &str) -> Diagnostic {
    Diagnostic::error(
        "huge-constant",
        span,
        format!("`{written}` is too large to be a real limit"),
    )
    .with_help(
        "numbers in rules stay below 1000000000000 (in days, mg or visits); for \"no limit\", leave the comparison out",
    )
}
