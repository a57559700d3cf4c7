//! Rules and their criteria: citations, targets, periods in force,
//! supplements, and each criterion's typed condition.
//!
//! Invariants: every rule cites one source and applies to something; a
//! rule's window is its own intersected with its source's and is never
//! empty; a criterion's condition is a typed boolean expression.

use std::collections::HashMap;

use super::expr::collect_reads;
use super::*;
use crate::diag::{Diagnostic, did_you_mean};
use crate::syntax::ast::{self, CriterionKind, Ident};

impl Checker<'_> {
    pub(super) fn citation(&mut self, env: &Env<'_>, c: &ast::Cite) -> Option<Citation> {
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

    pub(super) fn rule(&mut self, env: &Env<'_>, r: &ast::RuleDecl) -> Option<Rule> {
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
            // Its syntax error is reported; it is not unknown too.
            None if env.broken_rules.contains(s.name.as_str()) => None,
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
            confidence: r.confidence.as_ref().map(super::confidence::Confidence::from_decl),
            criteria,
            span: r.span,
        })
        .map(|rule| super::confidence::ground(rule, env.consts, &self.symbols))
    }

    pub(super) fn unknown_treatment(&mut self, catalog: &Catalog, a: &Ident, classes_too: bool) {
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

    pub(super) fn criterion(&mut self, env: &Env<'_>, c: &ast::CriterionDecl) -> Option<Criterion> {
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
            confidence: c.confidence.as_ref().map(super::confidence::Confidence::from_decl),
            grounds: super::confidence::Grounds::default(),
            span: c.span,
        })
    }
}
