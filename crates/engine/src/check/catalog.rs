//! The treatment catalog: classes, canonical treatments, their brand names
//! and spellings, and the units a request for each may be written in.
//!
//! Invariants: a normalized name (canonical or alias) maps to one treatment;
//! a treatment's classes are declared; a units clause names known units.

use std::collections::HashMap;

use super::*;
use crate::diag::Span;
use crate::diag::{Diagnostic, did_you_mean};
use crate::syntax::ast::{self, UnitsOf};
use crate::value::{Dim, Unit};

impl Checker<'_> {
    pub(super) fn catalog(&mut self, classes: &[&ast::ClassDecl], treatments: &[&ast::TreatmentDecl]) -> Catalog {
        let mut cat = Catalog::default();
        let mut seen = HashMap::new();
        // Per class: the dimensions its members' quantity and strength may have.
        let mut class_dims: Vec<[Option<Vec<Dim>>; 2]> = Vec::new();
        for c in classes {
            if !self.first("class", &mut seen, &c.name) {
                continue;
            }
            class_dims.push(self.units(&c.units));
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
            // A treatment's own declaration wins; else the union of its classes'.
            let own = self.units(&t.units);
            let mut dims: [Vec<Dim>; 2] = Default::default();
            for (k, own) in own.into_iter().enumerate() {
                dims[k] = match own {
                    Some(d) => d,
                    None => {
                        let mut u: Vec<Dim> = tclasses
                            .iter()
                            .filter_map(|c| class_dims.get(c.0 as usize).and_then(|d| d[k].clone()))
                            .flatten()
                            .collect();
                        u.sort_unstable();
                        u.dedup();
                        u
                    }
                };
            }
            let [quantity_dims, strength_dims] = dims;
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
                quantity_dims,
                strength_dims,
                span: t.span,
            });
        }
        cat
    }

    /// The dimensions of `quantity in ...` and `strength in ...` clauses,
    /// in that order; `None` for an amount with no clause.
    fn units(&mut self, clauses: &[ast::UnitsDecl]) -> [Option<Vec<Dim>>; 2] {
        let mut out: [Option<Vec<Dim>>; 2] = Default::default();
        let mut first: [Option<Span>; 2] = [None, None];
        for c in clauses {
            let (k, what, fits): (usize, &str, &[Dim]) = match c.of {
                UnitsOf::Quantity => (
                    0,
                    "quantity",
                    &[Dim::Visit, Dim::Tablet, Dim::Item, Dim::Mass, Dim::Time],
                ),
                UnitsOf::Strength => (1, "strength", &[Dim::Mass, Dim::Concentration, Dim::DoseRate]),
            };
            if let Some(prev) = first[k] {
                self.err(
                    Diagnostic::error("bad-units", c.span, format!("the {what} units are declared twice"))
                        .with_note(prev, "first declared here")
                        .with_help(format!("list every unit in one clause: {what} in a, b")),
                );
                continue;
            }
            first[k] = Some(c.span);
            let mut dims = Vec::new();
            for u in &c.units {
                match Unit::parse(&u.name) {
                    None => self.unknown_unit(u),
                    Some(unit) if !fits.contains(&unit.dim()) => {
                        let kinds = if k == 0 {
                            "visits, tablets, units, mass (mg, g) or time (a rental, a program in days)"
                        } else {
                            "mass (mg), percent or mcg_per_hour"
                        };
                        self.err(
                            Diagnostic::error(
                                "bad-units",
                                u.span,
                                format!("a request's {what} is never in {}", unit.dim().name()),
                            )
                            .with_help(format!("a {what} is in {kinds}")),
                        );
                    }
                    Some(unit) if dims.contains(&unit.dim()) => {
                        self.err(
                            Diagnostic::error(
                                "bad-units",
                                u.span,
                                format!("`{}` is the same kind of unit as one listed before", u.name),
                            )
                            .with_help("units of one kind convert; name each kind once"),
                        );
                    }
                    Some(unit) => dims.push(unit.dim()),
                }
            }
            dims.sort_unstable();
            out[k] = Some(dims);
        }
        out
    }
}
