//! The book's content, built once from the checked rules and the cases'
//! recorded determinations; `html.rs` and `markdown.rs` only draw it.
//!
//! Pages: an index, one page per guideline source (its rules grouped by
//! the section they cite), the treatments, a glossary of facts, the
//! constants, and what is in force on a date (with a timeline of the
//! guideline versions). Every cross-reference is a [`Link`] to a page and
//! an anchor, so both renderers resolve it the same way.

use std::collections::{BTreeMap, BTreeSet};

use super::cond::{self, Cond};
use crate::RuleSet;
use crate::check::{ConstValue, FactType, RuleId, Scope, Target, Tier, TreatmentId, Window, confidence::Grounds};
use crate::diag::SourceMap;
use crate::eval::{EvalError, select};
use crate::facts::{Case, Recorded};
use crate::syntax::ast::{CriterionKind, Level};
use crate::value::Date;

/// Which page of the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageId {
    Index,
    /// The page of `Book::sources[i]`.
    Source(usize),
    Treatments,
    Facts,
    Constants,
    InForce,
}

/// A place in the book: a page, and an anchor on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub page: PageId,
    pub anchor: Option<String>,
}

impl Link {
    pub fn to(page: PageId, anchor: String) -> Link {
        Link {
            page,
            anchor: Some(anchor),
        }
    }

    pub fn page(page: PageId) -> Link {
        Link { page, anchor: None }
    }
}

/// Anchors: rule and criterion names are identifiers (`[a-z0-9_]`), fact
/// paths add `.` and `*`; `-` appears in none of them, so these cannot
/// collide.
pub fn rule_anchor(rule: &str) -> String {
    format!("rule-{rule}")
}
pub fn criterion_anchor(rule: &str, criterion: &str) -> String {
    format!("rule-{rule}.{criterion}")
}
pub fn treatment_anchor(name: &str) -> String {
    format!("t-{name}")
}
pub fn class_anchor(name: &str) -> String {
    format!("class-{name}")
}
pub fn fact_anchor(path: &str) -> String {
    format!("f-{}", path.replace('*', "-"))
}
pub fn const_anchor(name: &str) -> String {
    format!("c-{name}")
}

/// A case file given to the book, and how to link to it from a page.
pub struct CaseInput<'a> {
    /// The path as shown (`cases/massage-alone.yaml`).
    pub shown: String,
    /// A relative link to the file from the book's folder.
    pub href: String,
    pub case: &'a Case,
}

/// The whole book.
#[derive(Clone, Debug)]
pub struct Book {
    /// The rule set, as every output names it.
    pub origin: String,
    /// The date of the "in force" page.
    pub date: Date,
    pub sources: Vec<SourceDoc>,
    pub classes: Vec<ClassDoc>,
    pub treatments: Vec<TreatmentDoc>,
    pub facts: Vec<FactDoc>,
    pub constants: Vec<ConstDoc>,
    pub in_force: Vec<InForceRow>,
    pub timeline: Vec<TimelineRow>,
    pub changes: Vec<Change>,
    /// Rules in force for only part of their source's period, with their
    /// own period.
    pub own_periods: Vec<(Named, String)>,
    pub totals: Totals,
}

#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub rules: usize,
    pub criteria: usize,
    /// Criteria that at least one case names as its `because:`.
    pub criteria_proven: usize,
    pub cases: usize,
    /// Recorded decisions with a `because:`.
    pub proofs: usize,
}

/// A guideline source and its rules: one page.
#[derive(Clone, Debug)]
pub struct SourceDoc {
    pub id: String,
    pub title: String,
    pub tier: &'static str,
    pub window: String,
    /// The page's file name without extension.
    pub stem: String,
    pub sections: Vec<SectionDoc>,
}

/// The rules that cite one section of a source (by their first citation).
#[derive(Clone, Debug)]
pub struct SectionDoc {
    pub title: String,
    pub rules: Vec<RuleDoc>,
}

#[derive(Clone, Debug)]
pub struct RuleDoc {
    pub name: String,
    pub title: String,
    pub anchor: String,
    /// `MTUS-CPMTG "Massage therapy" p. 60`, the rule's citations.
    pub citations: Vec<String>,
    pub tier: &'static str,
    /// In force: `from 2009-07-18 until 2017-12-01`.
    pub window: String,
    pub in_force_on_date: bool,
    /// `rules/massage.mtus:14`.
    pub location: String,
    /// What the rule is written to apply to: treatments and classes.
    pub applies: Vec<Named>,
    /// Every treatment it covers (through classes too).
    pub covers: Vec<Named>,
    pub supplements: Option<Named>,
    pub supplemented_by: Vec<Named>,
    /// The rule's own `confidence` line: `HIGH (OPI-1)`.
    pub confidence: Option<String>,
    pub criteria: Vec<CriterionDoc>,
}

/// Something with a title and a place in the book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub text: String,
    /// A name in code style after the title (`massage_therapy`), if any.
    pub code: Option<String>,
    pub link: Link,
}

#[derive(Clone, Debug)]
pub struct CriterionDoc {
    pub name: String,
    pub anchor: String,
    pub exclude: bool,
    pub description: String,
    /// Its own citation, when it has one.
    pub citation: Option<String>,
    /// `None`: an unconditional exclusion (not recommended at all).
    pub condition: Option<Cond>,
    /// The condition as written in the rule file.
    pub written: Option<String>,
    pub confidence: ConfidenceDoc,
    pub constants: Vec<ConstUse>,
    pub proofs: Vec<Proof>,
}

/// A constant a criterion uses: its name, value and confidence.
#[derive(Clone, Debug)]
pub struct ConstUse {
    pub name: String,
    pub value: String,
    /// `HIGH`, `LOW` or `not stated`.
    pub level: &'static str,
    pub ids: Vec<String>,
    pub link: Link,
}

#[derive(Clone, Debug)]
pub struct ConfidenceDoc {
    /// `HIGH`, `LOW` or `not stated`.
    pub level: &'static str,
    pub ids: Vec<String>,
    /// Why it is LOW: `OPI-9: opioid_med_ceiling = 120 mg_med`.
    pub low_reason: Option<String>,
}

/// A recorded decision whose `because:` names a criterion.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Proof {
    pub shown: String,
    pub href: String,
    pub case: String,
    pub request: String,
    pub date: String,
    pub outcome: &'static str,
}

#[derive(Clone, Debug)]
pub struct ClassDoc {
    pub name: String,
    pub title: String,
    pub anchor: String,
    pub members: Vec<Named>,
    pub rules: Vec<Named>,
}

#[derive(Clone, Debug)]
pub struct TreatmentDoc {
    pub name: String,
    pub title: String,
    pub anchor: String,
    pub brands: Vec<String>,
    pub classes: Vec<Named>,
    /// Rules that cover it, with their windows.
    pub rules: Vec<(Named, String)>,
}

#[derive(Clone, Debug)]
pub struct FactDoc {
    /// As rules write it (`prior.visits` for a history fact).
    pub path: String,
    /// As declared (`history.*.visits`).
    pub declared: String,
    pub anchor: String,
    pub description: String,
    /// `quantity (visits), 0 to 1000`.
    pub kind: String,
    pub allowed: Vec<String>,
    /// The record it belongs to: `the case`, `each request`, `each prior treatment`.
    pub scope: &'static str,
    pub derived: bool,
    /// Criteria that read it.
    pub read_by: Vec<Named>,
}

#[derive(Clone, Debug)]
pub struct ConstDoc {
    pub name: String,
    pub anchor: String,
    pub value: String,
    pub description: Option<String>,
    /// `HIGH`, `LOW` or `not stated`.
    pub level: &'static str,
    pub ids: Vec<String>,
    pub read_by: Vec<Named>,
}

/// What decides a treatment on the book's date.
#[derive(Clone, Debug)]
pub struct InForceRow {
    pub treatment: Named,
    pub deciding: Vec<Named>,
    pub supplements: Vec<Named>,
    /// In force, but a higher tier decides.
    pub set_aside: Vec<Named>,
    /// Why nothing decides it, when nothing does.
    pub none: Option<String>,
}

/// A guideline version and its period.
#[derive(Clone, Debug)]
pub struct TimelineRow {
    pub id: String,
    pub title: String,
    pub tier: &'static str,
    pub from: Option<String>,
    pub until: Option<String>,
    pub in_force_on_date: bool,
    pub rules: usize,
    /// Its page, when it has rules.
    pub link: Option<Link>,
}

/// A date on which guideline versions start or stop being in force.
#[derive(Clone, Debug)]
pub struct Change {
    pub date: Date,
    pub starts: Vec<String>,
    pub ends: Vec<String>,
}

/// Words for a tier.
pub fn tier_words(t: Tier) -> &'static str {
    match t {
        Tier::Mtus => "MTUS (decides)",
        Tier::AcoemOrOdg => "ACOEM or ODG (where MTUS is silent, or as a named supplement)",
        Tier::OtherGuideline => "other guideline",
        Tier::Study => "study",
    }
}

fn level_words(l: Option<Level>) -> &'static str {
    match l {
        Some(Level::High) => "HIGH",
        Some(Level::Low) => "LOW",
        None => "not stated",
    }
}

fn window_words(w: &Window) -> String {
    match (w.from, w.until) {
        (Some(f), Some(u)) => format!("from {f} through {}", Date(u.0.saturating_sub(1))),
        (Some(f), None) => format!("from {f}, with no end date"),
        (None, Some(u)) => format!("through {}", Date(u.0.saturating_sub(1))),
        (None, None) => "at any date".to_string(),
    }
}

/// `file:line` of a span.
fn location(sources: &SourceMap, span: crate::diag::Span) -> String {
    let pos = sources.position(span);
    format!("{}:{}", pos.file, pos.line)
}

/// The text of a span, with the indentation of its later lines removed.
fn written(sources: &SourceMap, span: crate::diag::Span) -> Option<String> {
    let f = sources.get(span.file);
    let text = f.text.get(span.start as usize..span.end as usize)?;
    // A condition's span may run on over the blank lines and comments
    // that follow it: those belong to the next item.
    let mut lines: Vec<&str> = text.lines().collect();
    while lines.len() > 1
        && lines
            .last()
            .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        lines.pop();
    }
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(if i == 0 { line } else { line.trim_start() });
    }
    Some(out)
}

/// Build the book: from the rules, the sources they were read from (for
/// file and line, and the conditions as written), the cases (only their
/// recorded `because:` and the treatment and date of the request it is
/// about are read), and the date for "in force".
pub fn build(rules: &RuleSet, sources: &SourceMap, cases: &[CaseInput<'_>], date: Date) -> Book {
    let p = &rules.program;

    // Source pages: file names from the ids, made unique.
    let mut stems: Vec<String> = Vec::new();
    for g in &p.sources {
        let base = format!("source-{}", slug(&g.id));
        let mut stem = base.clone();
        let mut n = 2;
        while stems.contains(&stem) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        stems.push(stem);
    }
    // Rules by source, only sources with rules get a page.
    let mut page_of_source: Vec<Option<usize>> = vec![None; p.sources.len()];
    let mut source_docs: Vec<SourceDoc> = Vec::new();
    for (i, g) in p.sources.iter().enumerate() {
        if p.rules.iter().any(|r| r.source.0 as usize == i) {
            page_of_source[i] = Some(source_docs.len());
            source_docs.push(SourceDoc {
                id: g.id.clone(),
                title: g.title.clone(),
                tier: tier_words(g.tier),
                window: window_words(&g.window),
                stem: stems[i].clone(),
                sections: Vec::new(),
            });
        }
    }
    let rule_page = |r: RuleId| -> PageId {
        let src = p.rule(r).source.0 as usize;
        PageId::Source(page_of_source.get(src).copied().flatten().unwrap_or(0))
    };
    let rule_named = |r: RuleId| -> Named {
        let rule = p.rule(r);
        Named {
            text: rule.title.clone(),
            code: Some(rule.name.clone()),
            link: Link::to(rule_page(r), rule_anchor(&rule.name)),
        }
    };
    let criterion_named = |r: RuleId, c: &str| -> Named {
        let rule = p.rule(r);
        Named {
            text: format!("{}: {c}", rule.title),
            code: None,
            link: Link::to(rule_page(r), criterion_anchor(&rule.name, c)),
        }
    };
    let treatment_named = |t: TreatmentId| -> Named {
        let tr = p.catalog.treatment(t);
        Named {
            text: tr.title.clone(),
            code: Some(tr.name.clone()),
            link: Link::to(PageId::Treatments, treatment_anchor(&tr.name)),
        }
    };

    // Proofs: a recorded decision's `because:`, resolved to the rules
    // that apply to its request's treatment on its date.
    let mut proofs: BTreeMap<(u32, String), BTreeSet<Proof>> = BTreeMap::new();
    let mut total_proofs = 0;
    for input in cases {
        let Some(det) = &input.case.determination else {
            continue;
        };
        for d in &det.decisions {
            let (Some(because), Some(req)) = (&d.because, input.case.requests.get(d.request)) else {
                continue;
            };
            total_proofs += 1;
            let candidates: Vec<RuleId> = match because.rule {
                Some(r) => vec![r],
                None => {
                    let has = |r: &RuleId| {
                        let rule = p.rule(*r);
                        p.applies(rule, req.treatment) && rule.criteria.iter().any(|c| c.name == because.criterion)
                    };
                    let all: Vec<RuleId> = (0..p.rules.len() as u32).map(RuleId).filter(has).collect();
                    let in_force: Vec<RuleId> = all
                        .iter()
                        .copied()
                        .filter(|&r| p.rule(r).window.contains(req.date))
                        .collect();
                    if in_force.is_empty() { all } else { in_force }
                }
            };
            for r in candidates {
                proofs
                    .entry((r.0, because.criterion.clone()))
                    .or_default()
                    .insert(Proof {
                        shown: input.shown.clone(),
                        href: input.href.clone(),
                        case: input.case.id.clone(),
                        request: req.id.clone(),
                        date: req.date.to_string(),
                        outcome: match d.outcome {
                            Recorded::Upheld => "upheld",
                            Recorded::Overturned => "overturned",
                        },
                    });
            }
        }
    }

    // Who reads each fact and constant.
    let mut fact_readers: BTreeMap<u32, Vec<Named>> = BTreeMap::new();
    let mut const_readers: BTreeMap<u32, Vec<Named>> = BTreeMap::new();
    let mut totals = Totals {
        cases: cases.len(),
        proofs: total_proofs,
        ..Totals::default()
    };

    // The rule pages.
    for (ri, rule) in p.rules.iter().enumerate() {
        let rid = RuleId(ri as u32);
        totals.rules += 1;
        let applies = rule
            .applies
            .iter()
            .map(|t| match *t {
                Target::Treatment(t) => treatment_named(t),
                Target::Class(c) => {
                    let class = p.catalog.class(c);
                    Named {
                        text: format!("{} (class)", class.title),
                        code: Some(class.name.clone()),
                        link: Link::to(PageId::Treatments, class_anchor(&class.name)),
                    }
                }
            })
            .collect();
        let covers = (0..p.catalog.treatments.len() as u32)
            .map(TreatmentId)
            .filter(|&t| p.applies(rule, t))
            .map(|t| {
                let mut n = treatment_named(t);
                let tr = p.catalog.treatment(t);
                if !tr.aka.is_empty() {
                    n.text = format!("{} ({})", tr.title, tr.aka.join(", "));
                }
                n
            })
            .collect();
        let supplemented_by = (0..p.rules.len() as u32)
            .map(RuleId)
            .filter(|&r| p.rule(r).supplements == Some(rid))
            .map(rule_named)
            .collect();
        let mut criteria = Vec::new();
        for c in &rule.criteria {
            totals.criteria += 1;
            let named = criterion_named(rid, &c.name);
            for r in &c.reads {
                let list = fact_readers.entry(r.fact().0).or_default();
                if !list.contains(&named) {
                    list.push(named.clone());
                }
            }
            let mut constants = Vec::new();
            if let Some(e) = &c.expr {
                for id in crate::check::confidence::consts_read(e, &p.consts) {
                    let k = &p.consts[id.0 as usize];
                    const_readers.entry(id.0).or_default().push(named.clone());
                    constants.push(ConstUse {
                        name: k.name.clone(),
                        value: const_value(p, &k.value),
                        level: level_words(k.confidence.as_ref().map(|c| c.level)),
                        ids: k.confidence.as_ref().map(|c| c.ids.clone()).unwrap_or_default(),
                        link: Link::to(PageId::Constants, const_anchor(&k.name)),
                    });
                }
            }
            let proofs: Vec<Proof> = proofs
                .get(&(rid.0, c.name.clone()))
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            if !proofs.is_empty() {
                totals.criteria_proven += 1;
            }
            criteria.push(CriterionDoc {
                name: c.name.clone(),
                anchor: criterion_anchor(&rule.name, &c.name),
                exclude: c.kind == CriterionKind::Exclude,
                description: c.description.clone(),
                citation: c.citation.as_ref().map(|ct| p.cite(ct)),
                condition: c.expr.as_ref().map(|e| cond::cond(p, e)),
                written: c.expr.as_ref().and_then(|e| written(sources, e.span)),
                confidence: confidence_doc(&c.grounds),
                constants,
                proofs,
            });
        }
        let doc = RuleDoc {
            name: rule.name.clone(),
            title: rule.title.clone(),
            anchor: rule_anchor(&rule.name),
            citations: rule.cites.iter().map(|c| p.cite(c)).collect(),
            tier: tier_words(rule.tier),
            window: window_words(&rule.window),
            in_force_on_date: rule.window.contains(date),
            location: location(sources, rule.span),
            applies,
            covers,
            supplements: rule.supplements.map(rule_named),
            supplemented_by,
            confidence: rule.confidence.as_ref().map(|c| {
                if c.ids.is_empty() {
                    level_words(Some(c.level)).to_string()
                } else {
                    format!("{} ({})", level_words(Some(c.level)), c.ids.join(", "))
                }
            }),
            criteria,
        };
        let Some(page) = page_of_source.get(rule.source.0 as usize).copied().flatten() else {
            continue;
        };
        let section = rule.cites.first().map_or_else(String::new, |c| c.section.clone());
        let sections = &mut source_docs[page].sections;
        match sections.iter_mut().find(|s| s.title == section) {
            Some(s) => s.rules.push(doc),
            None => sections.push(SectionDoc {
                title: section,
                rules: vec![doc],
            }),
        }
    }

    // Treatments and classes.
    let rules_of = |t: TreatmentId| -> Vec<(Named, String)> {
        (0..p.rules.len() as u32)
            .map(RuleId)
            .filter(|&r| p.applies(p.rule(r), t))
            .map(|r| (rule_named(r), window_words(&p.rule(r).window)))
            .collect()
    };
    let mut treatments: Vec<TreatmentDoc> = p
        .catalog
        .treatments
        .iter()
        .enumerate()
        .map(|(i, tr)| TreatmentDoc {
            name: tr.name.clone(),
            title: tr.title.clone(),
            anchor: treatment_anchor(&tr.name),
            brands: tr.aka.clone(),
            classes: tr
                .classes
                .iter()
                .map(|&c| {
                    let class = p.catalog.class(c);
                    Named {
                        text: class.title.clone(),
                        code: None,
                        link: Link::to(PageId::Treatments, class_anchor(&class.name)),
                    }
                })
                .collect(),
            rules: rules_of(TreatmentId(i as u32)),
        })
        .collect();
    treatments.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.name.cmp(&b.name))
    });
    let mut classes: Vec<ClassDoc> = p
        .catalog
        .classes
        .iter()
        .enumerate()
        .map(|(ci, class)| ClassDoc {
            name: class.name.clone(),
            title: class.title.clone(),
            anchor: class_anchor(&class.name),
            members: class.members.iter().map(|&t| treatment_named(t)).collect(),
            rules: (0..p.rules.len() as u32)
                .map(RuleId)
                .filter(|&r| {
                    p.rule(r)
                        .applies
                        .contains(&Target::Class(crate::check::ClassId(ci as u32)))
                })
                .map(rule_named)
                .collect(),
        })
        .collect();
    classes.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.name.cmp(&b.name))
    });

    // The glossary of facts, by path.
    let mut facts: Vec<FactDoc> = p
        .schema
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| FactDoc {
            path: crate::check::display_path(f),
            declared: f.path.clone(),
            anchor: fact_anchor(&f.path),
            description: f.description.clone(),
            kind: fact_kind(f),
            allowed: f
                .allowed
                .as_ref()
                .map(|a| {
                    a.iter()
                        .map(|&s| p.symbols.name(s).unwrap_or("?").to_string())
                        .collect()
                })
                .unwrap_or_default(),
            scope: match f.scope {
                Scope::Case => "the case",
                Scope::History => "each prior treatment (history)",
                Scope::Request => "each request",
            },
            derived: f.derived,
            read_by: fact_readers.remove(&(i as u32)).unwrap_or_default(),
        })
        .collect();
    facts.sort_by(|a, b| a.declared.cmp(&b.declared));

    // The constants, by name.
    let mut constants: Vec<ConstDoc> = p
        .consts
        .iter()
        .enumerate()
        .map(|(i, k)| ConstDoc {
            name: k.name.clone(),
            anchor: const_anchor(&k.name),
            value: const_value(p, &k.value),
            description: k.description.clone(),
            level: level_words(k.confidence.as_ref().map(|c| c.level)),
            ids: k.confidence.as_ref().map(|c| c.ids.clone()).unwrap_or_default(),
            read_by: const_readers.remove(&(i as u32)).unwrap_or_default(),
        })
        .collect();
    constants.sort_by(|a, b| a.name.cmp(&b.name));

    // In force on the date, per treatment, as the engine selects them.
    let mut in_force: Vec<InForceRow> = Vec::new();
    for tdoc in &treatments {
        let Some(t) = p.catalog.treatment_named(&tdoc.name) else {
            continue;
        };
        let row = match select(p, &rules.compiled, t, date) {
            Ok(sel) => InForceRow {
                treatment: treatment_named(t),
                deciding: sel.deciding.iter().map(|&r| rule_named(r)).collect(),
                supplements: sel.supplements.iter().map(|&r| rule_named(r)).collect(),
                set_aside: sel.set_aside.iter().map(|&r| rule_named(r)).collect(),
                none: None,
            },
            Err(e) => InForceRow {
                treatment: treatment_named(t),
                deciding: Vec::new(),
                supplements: Vec::new(),
                set_aside: Vec::new(),
                none: Some(match e {
                    EvalError::NoRule { .. } => "no rule covers this treatment".to_string(),
                    _ => format!("no rule in force on {date}"),
                }),
            },
        };
        in_force.push(row);
    }

    // The timeline of guideline versions.
    let mut timeline: Vec<TimelineRow> = p
        .sources
        .iter()
        .enumerate()
        .map(|(i, g)| TimelineRow {
            id: g.id.clone(),
            title: g.title.clone(),
            tier: tier_words(g.tier),
            from: g.window.from.map(|d| d.to_string()),
            until: g.window.until.map(|d| d.to_string()),
            in_force_on_date: g.window.contains(date),
            rules: p.rules.iter().filter(|r| r.source.0 as usize == i).count(),
            link: page_of_source[i].map(|s| Link::page(PageId::Source(s))),
        })
        .collect();
    timeline.sort_by(|a, b| a.from.cmp(&b.from).then(a.until.cmp(&b.until)).then(a.id.cmp(&b.id)));
    let mut changes: BTreeMap<Date, Change> = BTreeMap::new();
    for g in &p.sources {
        if let Some(f) = g.window.from {
            changes
                .entry(f)
                .or_insert_with(|| Change {
                    date: f,
                    starts: Vec::new(),
                    ends: Vec::new(),
                })
                .starts
                .push(g.id.clone());
        }
        if let Some(u) = g.window.until {
            changes
                .entry(u)
                .or_insert_with(|| Change {
                    date: u,
                    starts: Vec::new(),
                    ends: Vec::new(),
                })
                .ends
                .push(g.id.clone());
        }
    }
    let changes: Vec<Change> = changes
        .into_values()
        .map(|mut c| {
            c.starts.sort();
            c.ends.sort();
            c
        })
        .collect();

    let own_periods = (0..p.rules.len() as u32)
        .map(RuleId)
        .filter(|&r| p.rule(r).window != p.source(p.rule(r).source).window)
        .map(|r| (rule_named(r), window_words(&p.rule(r).window)))
        .collect();

    Book {
        origin: rules.origin.describe(),
        date,
        sources: source_docs,
        classes,
        treatments,
        facts,
        constants,
        in_force,
        timeline,
        changes,
        own_periods,
        totals,
    }
}

/// `6 visit`, `[neck, upper_back]`.
fn const_value(p: &crate::check::Program, v: &ConstValue) -> String {
    match v {
        ConstValue::Lit(l) => cond::lit_text(p, l),
        ConstValue::Set(items) => format!("[{}]", cond::syms_text(p, items)),
    }
}

fn confidence_doc(g: &Grounds) -> ConfidenceDoc {
    let level = if g.is_low() { "LOW" } else { level_words(g.stated) };
    ConfidenceDoc {
        level,
        ids: g.ids.clone(),
        low_reason: g.is_low().then(|| g.low_reason()),
    }
}

/// `quantity (visits), 0 to 1000`.
fn fact_kind(f: &crate::check::Fact) -> String {
    let mut s = f.ty.name().to_string();
    if let Some(d) = f.dim {
        s.push_str(&format!(" ({})", d.name()));
    }
    if let Some(r) = f.range {
        let base = match (f.ty, f.dim) {
            (FactType::Quantity | FactType::Duration, Some(d)) => format!(" {}", d.name()),
            (FactType::Duration, None) => " days".to_string(),
            _ => String::new(),
        };
        s.push_str(&format!(
            ", {} to {}{base}",
            crate::value::fmt_num(r.min),
            crate::value::fmt_num(r.max)
        ));
    }
    s
}

/// A file-name-safe form of an id: lower case, any other run of
/// characters one `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut pending = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('-');
            }
            pending = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending = true;
        }
    }
    if out.is_empty() { "source".to_string() } else { out }
}
