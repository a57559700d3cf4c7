//! Request lines as offices and letters write them, read against the
//! rules' treatment catalog.
//!
//! The reader is the `mtus-request` crate, which knows no treatment
//! names; this module gives it the catalog as its [`Vocabulary`] and tells
//! the three ways a treatment phrase can end: a treatment of the catalog
//! (with the rules that decide it on a date, or none), a near miss of one
//! (a typo), or a phrase the catalog does not know.
//!
//! Invariant: it never decides anything; it only names.

use mtus_engine::RuleSet;
use mtus_engine::check::{Catalog, TreatmentId, normalize_name};
use mtus_engine::diag::edit_distance_within;
use mtus_engine::eval::{EvalError, select};
use mtus_engine::value::Date;
pub use mtus_request::{Problem, Reading, Resolution, Severity, Vocabulary, render};

/// Words a request line puts around a treatment's name that are not part
/// of it ("Physical therapy *for the*", "MRI *without contrast*").
const TRAILING: &[&str] = &[
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "without",
    "contrast",
    "dye",
    "study",
    "studies",
    "evaluation",
    "eval",
    "session",
    "sessions",
    "visit",
    "visits",
    "treatment",
    "treatments",
    "therapy",
    "program",
];

/// The rules' treatment catalog as the reader's vocabulary.
pub struct CatalogVocabulary<'a> {
    catalog: &'a Catalog,
    /// The most words in a name of the catalog: no longer run of a
    /// phrase's words can name a treatment, so no longer one is tried
    /// (a phrase of many words costs in proportion to its length).
    longest: usize,
}

impl<'a> CatalogVocabulary<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let longest = catalog
            .lookup
            .keys()
            .map(|k| k.split('_').filter(|w| !w.is_empty()).count())
            .max()
            .unwrap_or(0);
        CatalogVocabulary { catalog, longest }
    }

    /// The treatment a phrase names: the whole phrase, else the longest
    /// run of its first words that is a name of the catalog ("MRI of the
    /// lumbar spine without contrast" is `mri`), with the words of
    /// [`TRAILING`] dropped from the end first.
    pub fn lookup(&self, phrase: &str) -> Option<TreatmentId> {
        if let Some(t) = self.catalog.resolve(phrase) {
            return Some(t);
        }
        let normalized = normalize_name(phrase);
        let words: Vec<&str> = normalized.split('_').filter(|w| !w.is_empty()).collect();
        // A run longer than the longest name, less its trailing words, is
        // also tried as the shorter run it leaves.
        for n in (1..=words.len().min(self.longest)).rev() {
            let mut head = &words[..n];
            while let Some((last, rest)) = head.split_last() {
                if TRAILING.contains(last) {
                    head = rest;
                } else {
                    break;
                }
            }
            if head.is_empty() {
                continue;
            }
            if let Some(t) = self.catalog.resolve(&head.join("_")) {
                return Some(t);
            }
        }
        None
    }

    /// Names of the catalog within two edits of the phrase (phrases of five
    /// letters or more: shorter ones are too often another word), closest
    /// first: a treatment's own name, or a name it is also known by with
    /// its own after it ("flexeril (cyclobenzaprine)").
    fn near(&self, phrase: &str) -> Vec<String> {
        let n = normalize_name(phrase);
        if n.chars().count() < 5 {
            return Vec::new();
        }
        let mut near: Vec<(usize, String, TreatmentId)> = self
            .catalog
            .lookup
            .iter()
            .filter_map(|(k, &t)| {
                let d = edit_distance_within(&n, k, 2)?;
                Some((d, k.clone(), t))
            })
            .collect();
        near.sort();
        let mut out: Vec<String> = Vec::new();
        let mut seen: Vec<TreatmentId> = Vec::new();
        for (_, key, t) in near {
            if seen.contains(&t) {
                continue;
            }
            seen.push(t);
            let canonical = &self.catalog.treatment(t).name;
            out.push(if *canonical == key {
                key
            } else {
                format!("{} ({canonical})", key.replace('_', " "))
            });
        }
        out.truncate(3);
        out
    }
}

impl Vocabulary for CatalogVocabulary<'_> {
    fn resolve(&self, phrase: &str) -> Resolution {
        if let Some(t) = self.lookup(phrase) {
            return Resolution::Known {
                id: self.catalog.treatment(t).name.clone(),
            };
        }
        let suggestions = self.near(phrase);
        if suggestions.is_empty() {
            Resolution::Unknown
        } else {
            Resolution::NearMiss { suggestions }
        }
    }
}

/// Whether rules decide a treatment on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// These rules decide it (their names).
    Decided(Vec<String>),
    /// The catalog names it but no rule covers it: a gap in the rules, not
    /// a typo.
    NoRule,
    /// Rules cover it, none in force on the date.
    NotInForce,
}

/// The rules that decide treatment `t` on `date`.
pub fn coverage(rules: &RuleSet, t: TreatmentId, date: Date) -> Coverage {
    match select(&rules.program, &rules.compiled, t, date) {
        Ok(sel) => Coverage::Decided(
            sel.deciding
                .iter()
                .map(|&r| rules.program.rule(r).name.clone())
                .collect(),
        ),
        Err(EvalError::NoRule { .. }) => Coverage::NoRule,
        Err(_) => Coverage::NotInForce,
    }
}

/// Reads a request line against the rules' catalog.
///
/// When the reader's treatment phrase names no treatment, the words of the
/// whole line are tried, the longest run first, with numbers left out:
/// the reader takes body regions and amounts out of its phrase, and
/// letters write names around them ("Left *shoulder arthroscopy* with
/// Bankart repair", "*Lidocaine* 5% *patch* #1", "Three phase *bone
/// scan* to the left foot").
pub fn read(rules: &RuleSet, line: &str) -> Reading {
    let catalog = &rules.program.catalog;
    let vocab = CatalogVocabulary::new(catalog);
    let mut r = mtus_request::read(line, &vocab);
    let phrase = r.treatment.as_ref().map(|t| (t.text.clone(), t.span));
    let found = phrase
        .as_ref()
        .and_then(|(text, span)| qualified(catalog, &vocab, &r, text).map(|t| (t, span.start, span.end)));
    if found.is_none()
        && r.treatment
            .as_ref()
            .is_some_and(|t| matches!(t.resolution, Resolution::Known { .. }))
    {
        return r;
    }
    if let Some((t, start, end)) = found.or_else(|| window(&vocab, line)) {
        let id = catalog.treatment(t).name.clone();
        r.problems.retain(|p| {
            !matches!(
                p,
                Problem::NoTreatment { .. } | Problem::UnknownTreatment { .. } | Problem::MisspeltTreatment { .. }
            )
        });
        r.treatment = Some(mtus_request::Treatment {
            text: line[start..end].to_string(),
            span: mtus_request::Span::new(start, end),
            resolution: Resolution::Known { id },
        });
    }
    r
}

/// The treatment a phrase names once the rest of the line qualifies it:
/// several ingredients in percent are a topical compound; the dosage form
/// joins the phrase ("Lidocaine 5% patch" is a lidocaine patch); a strength
/// in percent makes a drug its topical form ("Diclofenac sodium 3%"); a body
/// region joins the phrase ("Arthroscopy of the left knee" is a knee
/// arthroscopy). None when nothing qualifies it: the phrase stands.
fn qualified(catalog: &Catalog, vocab: &CatalogVocabulary, r: &Reading, text: &str) -> Option<TreatmentId> {
    use mtus_request::StrengthUnit;
    let percent = r
        .strength
        .iter()
        .filter(|c| c.unit == Some(StrengthUnit::Percent))
        .count();
    let named = r.strength.iter().filter(|c| c.name.is_some()).count();
    if named >= 2 && percent >= 2 {
        if let Some(t) = catalog.treatment_named("topical_compound") {
            return Some(t);
        }
    }
    if let Some(f) = &r.form {
        // "Methyl salicylate / menthol compounded cream": a compounded
        // cream, gel, ointment or lotion is a topical compound whatever its
        // first ingredient.
        let topical = matches!(f.value.name(), "cream" | "gel" | "ointment" | "lotion");
        let compounded = text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("compounded") || w.eq_ignore_ascii_case("compound"));
        if topical && compounded {
            if let Some(t) = catalog.treatment_named("topical_compound") {
                return Some(t);
            }
        }
        if let Some(t) = catalog.resolve(&format!("{text} {}", f.value.name())) {
            return Some(t);
        }
    }
    if percent >= 1 {
        if let Some(t) = catalog.resolve(&format!("topical {text}")) {
            return Some(t);
        }
        if let Some(t) = vocab
            .lookup(&format!("topical {text}"))
            .filter(|&t| catalog.treatment(t).name.starts_with("topical"))
        {
            return Some(t);
        }
    }
    if catalog.resolve(text).is_some() {
        return None;
    }
    r.regions.iter().find_map(|g| {
        let part = g.part.split('/').next().unwrap_or(&g.part);
        catalog
            .resolve(&format!("{part} {text}"))
            .or_else(|| catalog.resolve(&format!("{text} {part}")))
    })
}

/// The longest run of words of `line` (numbers left out) that names a
/// treatment, the leftmost of equal length, with its byte range.
fn window(vocab: &CatalogVocabulary, line: &str) -> Option<(TreatmentId, usize, usize)> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, line.len()));
    }
    words.retain(|&(a, b)| !line[a..b].chars().all(|c| c.is_ascii_digit()));
    const LONGEST: usize = 6;
    for n in (1..=LONGEST.min(words.len())).rev() {
        for w in words.windows(n) {
            let phrase: Vec<&str> = w.iter().map(|&(a, b)| &line[a..b]).collect();
            let phrase = phrase.join(" ");
            // One word alone must be a name of its own, not a leftover
            // such as "therapy" or "evaluation".
            if n == 1 && TRAILING.contains(&phrase.to_lowercase().as_str()) {
                continue;
            }
            if let Some(t) = vocab.catalog.resolve(&phrase) {
                return Some((t, w[0].0, w[n - 1].1));
            }
        }
    }
    None
}
