//! Building the book, one stage a page: the source pages and their rules
//! (with the cases' proofs), the treatments and classes, the glossaries
//! of facts and constants, what is in force on the date, the timeline.

use super::*;
use crate::check::{Program, Rule};

/// Build the book: from the rules, the sources they were read from (for
/// file and line, and the conditions as written), the cases (only their
/// recorded `because:` and the treatment and date of the request it is
/// about are read), and the date for "in force".
pub fn build(rules: &RuleSet, sources: &SourceMap, cases: &[CaseInput<'_>], date: Date) -> Book {
    let p = &rules.program;
    let (page_of_source, mut source_docs) = source_pages(p);
    let b = Builder {
        p,
        sources,
        page_of_source,
        date,
    };
    let (proofs, total_proofs) = b.proofs(cases);
    let mut readers = Readers::default();
    let mut totals = Totals {
        cases: cases.len(),
        proofs: total_proofs,
        ..Totals::default()
    };
    for (ri, rule) in p.rules.iter().enumerate() {
        let doc = b.rule_doc(RuleId(ri as u32), rule, &proofs, &mut readers, &mut totals);
        let Some(page) = b.page_of_source.get(rule.source.0 as usize).copied().flatten() else {
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
    let treatments = b.treatments();
    let classes = b.classes();
    let facts = b.facts(&mut readers.facts);
    let constants = b.constants(&mut readers.consts);
    let in_force = b.in_force(&rules.compiled, &treatments);
    let timeline = b.timeline();
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
        changes: changes(p),
        own_periods: b.own_periods(),
        totals,
    }
}

/// Source pages: file names from the ids, made unique; only sources with
/// rules get a page. The page of each source, and the pages.
fn source_pages(p: &Program) -> (Vec<Option<usize>>, Vec<SourceDoc>) {
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
    (page_of_source, source_docs)
}

/// The days the guideline versions start or end on.
fn changes(p: &Program) -> Vec<Change> {
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
    changes
        .into_values()
        .map(|mut c| {
            c.starts.sort();
            c.ends.sort();
            c
        })
        .collect()
}

/// Who reads each fact and constant, by id, filled by the rule pages.
#[derive(Default)]
struct Readers {
    facts: BTreeMap<u32, Vec<Named>>,
    consts: BTreeMap<u32, Vec<Named>>,
}

/// The proofs of each criterion, by rule id and criterion name.
type Proofs = BTreeMap<(u32, String), BTreeSet<Proof>>;

/// What every stage reads: the rules, their sources, the page of each
/// source, and the date.
struct Builder<'a> {
    p: &'a Program,
    sources: &'a SourceMap,
    page_of_source: Vec<Option<usize>>,
    date: Date,
}

impl Builder<'_> {
    fn rule_page(&self, r: RuleId) -> PageId {
        let src = self.p.rule(r).source.0 as usize;
        PageId::Source(self.page_of_source.get(src).copied().flatten().unwrap_or(0))
    }

    fn rule_named(&self, r: RuleId) -> Named {
        let rule = self.p.rule(r);
        Named {
            text: rule.title.clone(),
            code: Some(rule.name.clone()),
            link: Link::to(self.rule_page(r), rule_anchor(&rule.name)),
        }
    }

    fn criterion_named(&self, r: RuleId, c: &str) -> Named {
        let rule = self.p.rule(r);
        Named {
            text: format!("{}: {c}", rule.title),
            code: None,
            link: Link::to(self.rule_page(r), criterion_anchor(&rule.name, c)),
        }
    }

    fn treatment_named(&self, t: TreatmentId) -> Named {
        let tr = self.p.catalog.treatment(t);
        Named {
            text: tr.title.clone(),
            code: Some(tr.name.clone()),
            link: Link::to(PageId::Treatments, treatment_anchor(&tr.name)),
        }
    }

    /// Proofs: a recorded decision's `because:`, resolved to the rules
    /// that apply to its request's treatment on its date; and how many
    /// decisions give one.
    fn proofs(&self, cases: &[CaseInput<'_>]) -> (Proofs, usize) {
        let p = self.p;
        let mut proofs: Proofs = BTreeMap::new();
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
        (proofs, total_proofs)
    }

    /// One rule on its source's page: what it applies to and covers, its
    /// links to supplements, and its criteria.
    fn rule_doc(
        &self,
        rid: RuleId,
        rule: &Rule,
        proofs: &Proofs,
        readers: &mut Readers,
        totals: &mut Totals,
    ) -> RuleDoc {
        let p = self.p;
        totals.rules += 1;
        let applies = rule
            .applies
            .iter()
            .map(|t| match *t {
                Target::Treatment(t) => self.treatment_named(t),
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
                let mut n = self.treatment_named(t);
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
            .map(|r| self.rule_named(r))
            .collect();
        let criteria = rule
            .criteria
            .iter()
            .map(|c| self.criterion_doc(rid, rule, c, proofs, readers, totals))
            .collect();
        RuleDoc {
            name: rule.name.clone(),
            title: rule.title.clone(),
            anchor: rule_anchor(&rule.name),
            citations: rule.cites.iter().map(|c| p.cite(c)).collect(),
            tier: tier_words(rule.tier),
            window: window_words(&rule.window),
            in_force_on_date: rule.window.contains(self.date),
            location: location(self.sources, rule.span),
            applies,
            covers,
            supplements: rule.supplements.map(|r| self.rule_named(r)),
            supplemented_by,
            confidence: rule.confidence.as_ref().map(|c| {
                if c.ids.is_empty() {
                    level_words(Some(c.level)).to_string()
                } else {
                    format!("{} ({})", level_words(Some(c.level)), c.ids.join(", "))
                }
            }),
            criteria,
        }
    }

    /// One criterion of a rule: its condition in words and as written,
    /// the constants it reads, and the cases that name it.
    fn criterion_doc(
        &self,
        rid: RuleId,
        rule: &Rule,
        c: &crate::check::Criterion,
        proofs: &Proofs,
        readers: &mut Readers,
        totals: &mut Totals,
    ) -> CriterionDoc {
        let p = self.p;
        totals.criteria += 1;
        let named = self.criterion_named(rid, &c.name);
        for r in &c.reads {
            let list = readers.facts.entry(r.fact().0).or_default();
            if !list.contains(&named) {
                list.push(named.clone());
            }
        }
        let mut constants = Vec::new();
        if let Some(e) = &c.expr {
            for id in crate::check::confidence::consts_read(e, &p.consts) {
                let k = &p.consts[id.0 as usize];
                readers.consts.entry(id.0).or_default().push(named.clone());
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
        CriterionDoc {
            name: c.name.clone(),
            anchor: criterion_anchor(&rule.name, &c.name),
            exclude: c.kind == CriterionKind::Exclude,
            description: c.description.clone(),
            citation: c.citation.as_ref().map(|ct| p.cite(ct)),
            condition: c.expr.as_ref().map(|e| cond::cond(p, e)),
            written: c.expr.as_ref().and_then(|e| written(self.sources, e.span)),
            confidence: confidence_doc(&c.grounds),
            constants,
            proofs,
        }
    }

    /// The treatments, by title, with their classes and rules.
    fn treatments(&self) -> Vec<TreatmentDoc> {
        let p = self.p;
        let rules_of = |t: TreatmentId| -> Vec<(Named, String)> {
            (0..p.rules.len() as u32)
                .map(RuleId)
                .filter(|&r| p.applies(p.rule(r), t))
                .map(|r| (self.rule_named(r), window_words(&p.rule(r).window)))
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
        treatments
    }

    /// The classes, by title, with their members and rules.
    fn classes(&self) -> Vec<ClassDoc> {
        let p = self.p;
        let mut classes: Vec<ClassDoc> = p
            .catalog
            .classes
            .iter()
            .enumerate()
            .map(|(ci, class)| ClassDoc {
                name: class.name.clone(),
                title: class.title.clone(),
                anchor: class_anchor(&class.name),
                members: class.members.iter().map(|&t| self.treatment_named(t)).collect(),
                rules: (0..p.rules.len() as u32)
                    .map(RuleId)
                    .filter(|&r| {
                        p.rule(r)
                            .applies
                            .contains(&Target::Class(crate::check::ClassId(ci as u32)))
                    })
                    .map(|r| self.rule_named(r))
                    .collect(),
            })
            .collect();
        classes.sort_by(|a, b| {
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(a.name.cmp(&b.name))
        });
        classes
    }

    /// The glossary of facts, by path.
    fn facts(&self, readers: &mut BTreeMap<u32, Vec<Named>>) -> Vec<FactDoc> {
        let p = self.p;
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
                read_by: readers.remove(&(i as u32)).unwrap_or_default(),
            })
            .collect();
        facts.sort_by(|a, b| a.declared.cmp(&b.declared));
        facts
    }

    /// The constants, by name.
    fn constants(&self, readers: &mut BTreeMap<u32, Vec<Named>>) -> Vec<ConstDoc> {
        let p = self.p;
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
                read_by: readers.remove(&(i as u32)).unwrap_or_default(),
            })
            .collect();
        constants.sort_by(|a, b| a.name.cmp(&b.name));
        constants
    }

    /// In force on the date, per treatment, as the engine selects them.
    fn in_force(&self, compiled: &crate::compile::Compiled, treatments: &[TreatmentDoc]) -> Vec<InForceRow> {
        let (p, date) = (self.p, self.date);
        let mut in_force: Vec<InForceRow> = Vec::new();
        for tdoc in treatments {
            let Some(t) = p.catalog.treatment_named(&tdoc.name) else {
                continue;
            };
            let row = match select(p, compiled, t, date) {
                Ok(sel) => InForceRow {
                    treatment: self.treatment_named(t),
                    deciding: sel.deciding.iter().map(|&r| self.rule_named(r)).collect(),
                    supplements: sel.supplements.iter().map(|&r| self.rule_named(r)).collect(),
                    set_aside: sel.set_aside.iter().map(|&r| self.rule_named(r)).collect(),
                    none: None,
                },
                Err(e) => InForceRow {
                    treatment: self.treatment_named(t),
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
        in_force
    }

    /// The timeline of guideline versions.
    fn timeline(&self) -> Vec<TimelineRow> {
        let p = self.p;
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
                in_force_on_date: g.window.contains(self.date),
                rules: p.rules.iter().filter(|r| r.source.0 as usize == i).count(),
                link: self.page_of_source[i].map(|s| Link::page(PageId::Source(s))),
            })
            .collect();
        timeline.sort_by(|a, b| a.from.cmp(&b.from).then(a.until.cmp(&b.until)).then(a.id.cmp(&b.id)));
        timeline
    }

    /// Rules in force for only part of their source's period.
    fn own_periods(&self) -> Vec<(Named, String)> {
        let p = self.p;
        (0..p.rules.len() as u32)
            .map(RuleId)
            .filter(|&r| p.rule(r).window != p.source(p.rule(r).source).window)
            .map(|r| (self.rule_named(r), window_words(&p.rule(r).window)))
            .collect()
    }
}
