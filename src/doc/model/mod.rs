//! The book's content, built once from the checked rules and the cases'
//! recorded determinations; `html.rs` and `markdown.rs` only draw it.
//!
//! Pages: an index, one page per guideline source (its rules grouped by
//! the section they cite), the treatments, a glossary of facts, the
//! constants, and what is in force on a date (with a timeline of the
//! guideline versions). Every cross-reference is a [`Link`] to a page and
//! an anchor, so both renderers resolve it the same way.

mod build;

use std::collections::{BTreeMap, BTreeSet};

use super::cond::{self, Cond};
use crate::RuleSet;
use crate::check::{ConstValue, FactType, RuleId, Scope, Target, Tier, TreatmentId, Window, confidence::Grounds};
use crate::diag::SourceMap;
use crate::eval::{EvalError, select};
use crate::facts::{Case, Recorded};
use crate::syntax::ast::{CriterionKind, Level};
use crate::value::Date;
pub use build::build;

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

impl Change {
    /// What starts and stops being in force on the day, in words; the
    /// guideline ids pass through `esc`, the format's escaper.
    pub fn words(&self, esc: impl Fn(&str) -> String) -> String {
        let mut parts = Vec::new();
        if !self.starts.is_empty() {
            parts.push(format!("in force from this day: {}", esc(&self.starts.join(", "))));
        }
        if !self.ends.is_empty() {
            parts.push(format!("no longer in force: {}", esc(&self.ends.join(", "))));
        }
        parts.join("; ")
    }
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
