//! Stage 2: syntax trees to a checked [`Program`].
//!
//! Resolves every name (sources, facts, treatments, classes, constants,
//! rules), types every expression, checks units, and reports all problems
//! at once, each with its span.
//!
//! Invariants: never evaluates a rule against a case; never stops at the
//! first error; returns a program only when there is no error; recursion
//! is bounded by the parser's nesting limit.

#[warn(unreachable_pub)]
mod catalog;
#[warn(unreachable_pub)]
pub mod confidence;
#[warn(unreachable_pub)]
pub mod describe;
#[warn(unreachable_pub)]
mod expr;
#[warn(unreachable_pub)]
pub mod formulary;
pub mod model;
#[warn(unreachable_pub)]
mod rules;
#[warn(unreachable_pub)]
mod schema;

use std::collections::{HashMap, HashSet};

pub use model::*;
pub use schema::display_path;

use crate::diag::{Diagnostic, SourceMap, Span, did_you_mean};
use crate::syntax::ast::{self, ExprKind, Ident, Item, RuleFile};
use crate::value::{Qty, Unit};

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

/// The largest magnitude a number in a rule or a range bound may have
/// (in the base unit of a quantity: days, mg, visits). Anything larger is
/// a typo or an attempt to stand for infinity, and would lose precision
/// or overflow a date.
pub const MAX_MAGNITUDE: f64 = 1e12;

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
    let mut extends = Vec::new();
    let mut classes = Vec::new();
    let mut treatments = Vec::new();
    let mut consts = Vec::new();
    let mut rules = Vec::new();
    for f in files {
        for item in &f.items {
            match item {
                Item::Source(x) => srcs.push(x),
                Item::Fact(x) => facts.push(x),
                Item::Extend(x) => extends.push(x),
                Item::Class(x) => classes.push(x),
                Item::Treatment(x) => treatments.push(x),
                Item::Const(x) => consts.push(x),
                Item::Rule(x) => rules.push(x),
            }
        }
    }
    let guidelines = c.sources_(&srcs);
    let catalog = c.catalog(&classes, &treatments);
    let schema = c.schema(&facts, &extends, &catalog);
    if let Some(schema) = &schema {
        for e in formulary::FormularyFacts::resolve(schema).1 {
            c.err(e.diagnostic());
        }
    }
    let consts = c.consts(&consts, &catalog);
    let (rules, names) = c.rule_names(&rules);
    let broken_rules: HashSet<&str> = files
        .iter()
        .flat_map(|f| &f.broken_rules)
        .map(|i| i.name.as_str())
        .collect();
    c.supplement_cycles(&rules, &names);
    let mut checked = Vec::new();
    if let Some(schema) = &schema {
        let env = Env {
            schema,
            catalog: &catalog,
            consts: &consts,
            guidelines: &guidelines,
            rule_names: &names,
            broken_rules: &broken_rules,
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
    /// Rules whose text did not parse (already reported).
    broken_rules: &'a HashSet<&'a str>,
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
                ExprKind::Number(n) if !expr::fits(*n) => {
                    let text = self.snippet(d.value.span);
                    self.err(schema::huge(d.value.span, &text));
                    continue;
                }
                ExprKind::Number(n) => ConstValue::Lit(Lit::Num(*n)),
                ExprKind::Date(dt) => ConstValue::Lit(Lit::Date(*dt)),
                ExprKind::Quantity(n, u) => match Unit::parse(&u.name) {
                    Some(unit) if !expr::fits(Qty::new(*n, unit).base()) => {
                        let text = self.snippet(d.value.span);
                        self.err(schema::huge(d.value.span, &text));
                        continue;
                    }
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

    /// Rules that supplement each other in a cycle (`a` supplements `b`,
    /// `b` supplements `a`): one error per cycle, at the first rule's
    /// `supplements` clause, with a note at each other rule's. Linear in
    /// the rules: each rule's chain is followed once.
    fn supplement_cycles(&mut self, rules: &[&ast::RuleDecl], names: &HashMap<String, RuleId>) {
        let next = |i: usize| -> Option<usize> {
            let s = rules[i].supplements.first()?;
            let j = names.get(&s.name)?.0 as usize;
            // A rule naming itself is reported where it is checked.
            (j != i).then_some(j)
        };
        // 0: not met yet; 1: on the chain being followed; 2: done.
        let mut state = vec![0u8; rules.len()];
        for start in 0..rules.len() {
            let mut chain = Vec::new();
            let mut at = Some(start);
            while let Some(i) = at {
                if state[i] != 0 {
                    break;
                }
                state[i] = 1;
                chain.push(i);
                at = next(i);
            }
            if let Some(i) = at.filter(|&i| state[i] == 1) {
                // The chain closes on `i`: the cycle is the chain from it.
                let from = chain.iter().position(|&x| x == i).unwrap_or(0);
                let mut cycle: Vec<usize> = chain[from..].to_vec();
                // Reported from the rule written first.
                let first = cycle.iter().enumerate().min_by_key(|(_, r)| **r).map_or(0, |(k, _)| k);
                cycle.rotate_left(first);
                self.report_supplement_cycle(rules, &cycle);
            }
            for i in chain {
                state[i] = 2;
            }
        }
    }

    fn report_supplement_cycle(&mut self, rules: &[&ast::RuleDecl], cycle: &[usize]) {
        let clause = |i: usize| rules[i].supplements.first().map_or(rules[i].name.span, |s| s.span);
        let named: Vec<String> = cycle.iter().map(|&i| format!("`{}`", rules[i].name.name)).collect();
        let message = if cycle.len() == 2 {
            format!("rules {} and {} supplement each other", named[0], named[1])
        } else {
            format!("rules {} supplement each other in a cycle", named.join(", "))
        };
        let mut d = Diagnostic::error("supplement-cycle", clause(cycle[0]), message).with_help(
            "a rule supplements the rule that decides; remove the `supplements` clause of the rule that decides",
        );
        for &by in &cycle[1..] {
            let target = rules[by].supplements.first().map_or("?", |s| s.name.as_str());
            d = d.with_note(
                clause(by),
                format!("`{}` supplements `{target}` here", rules[by].name.name),
            );
        }
        self.err(d);
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
}
