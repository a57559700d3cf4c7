//! Request lines as offices and letters write them, read against the
//! treatment catalog: the `mtus-request` reader, which knows no treatment
//! names, given the catalog as its [`Vocabulary`], and the ways a
//! treatment phrase can end: a treatment of the catalog, a near miss of
//! one (a typo), or a phrase the catalog does not know.
//!
//! Case loading reads a request's `text:` with it (a request may give its
//! line alone); the CLI's `mtus request`, `ingest` and `serve` read lines
//! through it too, so a line reads the same everywhere.
//!
//! Invariant: it never decides anything; it only names.

use crate::check::{Catalog, TreatmentId, normalize_name};
use crate::diag::edit_distance_within;
use crate::value::{Dim, Qty, Unit};
pub use mtus_request::{Problem, Reading, Resolution, Severity, Vocabulary};

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
    /// Each treatment's title in normalized words ("Diclofenac with
    /// misoprostol" is `diclofenac`, `with`, `misoprostol`), longest
    /// first: the catalog's own words for a treatment name it.
    titles: Vec<(Vec<String>, TreatmentId)>,
}

impl<'a> CatalogVocabulary<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let longest = catalog
            .lookup
            .keys()
            .map(|k| k.split('_').filter(|w| !w.is_empty()).count())
            .max()
            .unwrap_or(0);
        let mut titles: Vec<(Vec<String>, TreatmentId)> = catalog
            .treatments
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let words = normalize_name(&t.title).split('_').map(str::to_string).collect();
                (words, TreatmentId(i as u32))
            })
            .filter(|(w, _): &(Vec<String>, _)| w.len() > 1)
            .collect();
        titles.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        CatalogVocabulary {
            catalog,
            longest,
            titles,
        }
    }

    /// The treatment whose title the line's words from byte `at` spell,
    /// the longest, with the byte where the title ends.
    fn title_at(&self, line: &str, at: usize) -> Option<(TreatmentId, usize)> {
        let rest = line.get(at..)?;
        let words = alnum_words(rest);
        self.titles.iter().find_map(|(title, t)| {
            let run = words.get(..title.len())?;
            let same = run
                .iter()
                .zip(title)
                .all(|(&(a, b), w)| rest[a..b].to_lowercase() == *w);
            same.then(|| (*t, at + run[title.len() - 1].1))
        })
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

/// Reads a request line against the rules' catalog.
///
/// When the reader's treatment phrase names no treatment, the words of the
/// whole line are tried, the longest run first, with numbers left out:
/// the reader takes body regions and amounts out of its phrase, and
/// letters write names around them ("Left *shoulder arthroscopy* with
/// Bankart repair", "*Lidocaine* 5% *patch* #1", "Three phase *bone
/// scan* to the left foot").
pub fn read(catalog: &Catalog, line: &str) -> Reading {
    read_with(&CatalogVocabulary::new(catalog), line)
}

/// [`read`] with a vocabulary made once (a loader reads many lines).
pub fn read_with(vocab: &CatalogVocabulary<'_>, line: &str) -> Reading {
    let catalog = vocab.catalog;
    let mut r = mtus_request::read(line, vocab);
    let phrase = r.treatment.as_ref().map(|t| (t.text.clone(), t.span));
    let found = phrase
        .as_ref()
        .and_then(|(text, span)| qualified(catalog, vocab, &r, text).map(|t| (t, span.start, span.end)));
    let known = r
        .treatment
        .as_ref()
        .is_some_and(|t| matches!(t.resolution, Resolution::Known { .. }));
    let found = if found.is_none() && known {
        None
    } else {
        found.or_else(|| window(vocab, line))
    };
    if let Some((t, start, end)) = found {
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
    // A title of the catalog that runs on from where the phrase starts
    // names its treatment ("Diclofenac with misoprostol" is the
    // combination, not diclofenac).
    // The title may also open the line when the reader's phrase is a
    // later word of it ("Codeine with acetaminophen").
    let first = line.len() - line.trim_start().len();
    let longer = r.treatment.as_ref().and_then(|t| {
        [t.span.start, first].into_iter().find_map(|at| {
            let (id, end) = vocab.title_at(line, at)?;
            (end > t.span.end || (at < t.span.start && end >= t.span.end)).then_some((id, at, end))
        })
    });
    if let Some((t, start, end)) = longer {
        r.treatment = Some(mtus_request::Treatment {
            text: line[start..end].to_string(),
            span: mtus_request::Span::new(start, end),
            resolution: Resolution::Known {
                id: catalog.treatment(t).name.clone(),
            },
        });
    }
    // A number inside the treatment's name is part of the name ("Three
    // phase bone scan"), not how many are asked.
    if let (Some(t), Some(q)) = (&r.treatment, &r.quantity) {
        if matches!(t.resolution, Resolution::Known { .. }) && t.span.start <= q.span.start && q.span.end <= t.span.end
        {
            r.quantity = None;
        }
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

/// The byte ranges of the runs of letters and digits of `s`.
fn alnum_words(s: &str) -> Vec<(usize, usize)> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                words.push((b, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        words.push((b, s.len()));
    }
    words
}

/// The longest run of words of `line` (numbers left out) that names a
/// treatment, the leftmost of equal length, with its byte range.
fn window(vocab: &CatalogVocabulary, line: &str) -> Option<(TreatmentId, usize, usize)> {
    let mut words = alnum_words(line);
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

/// What a request line says in the case file's own vocabulary: the values
/// a request's `text:` gives for its other fields, each with the byte
/// range of the line it was read from. A value the vocabulary has no slot
/// for (a side, a strength in mg/ml, a quantity in ml), or that is a range
/// ("1-2 tabs"), is left out: nothing is guessed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineFields {
    /// The treatment, when the line names one of the catalog.
    pub treatment: Option<(TreatmentId, Span)>,
    /// A near miss of names of the catalog (a typo), closest first.
    pub near_miss: Option<(Vec<String>, Span)>,
    /// `request.quantity`: the total asked for (visits a week times weeks;
    /// a count with its refills), a bare count in the one kind of count
    /// the treatment is measured in.
    pub quantity: Option<(Qty, Span)>,
    /// `request.strength`: one strength, or the first of a combination
    /// ("Norco 10/325" is 10 mg, the first ingredient's, as case files
    /// write it), none for a compound of named ingredients.
    pub strength: Option<(Qty, Span)>,
    pub per_week: Option<(f64, Span)>,
    pub duration: Option<(Qty, Span)>,
    pub days_supply: Option<(Qty, Span)>,
    /// `request.body_region` names, each with where it is written.
    pub body_region: Vec<(String, Span)>,
    /// `request.levels`: the number of spinal segments ("L4-5, L5-S1" is
    /// 2), only when every level written is one segment.
    pub levels: Option<(i64, Span)>,
}

pub use mtus_request::Span;

/// The case-file unit of a request-line unit; none for millilitres and
/// pads, which no request quantity counts in.
fn unit(u: mtus_request::Unit) -> Option<Unit> {
    use mtus_request::Unit as U;
    Some(match u {
        U::Visit => Unit::Visit,
        U::Tablet => Unit::Tablet,
        U::Capsule => Unit::Capsule,
        U::Patch => Unit::Patch,
        U::G => Unit::G,
        U::Unit => Unit::Item,
        U::Hour => Unit::Hour,
        U::Day => Unit::Day,
        U::Week => Unit::Week,
        U::Month => Unit::Month,
        U::Pad | U::Ml => return None,
    })
}

/// The position of a vertebra down the spine (C1 = 0 ... S1 = 24), for
/// telling one segment ("L4-5") from a span of several ("L3-S1").
fn vertebra_index(v: mtus_request::Vertebra) -> Option<u32> {
    let n = u32::from(v.number);
    match v.letter {
        'C' if (1..=7).contains(&n) => Some(n - 1),
        'T' if (1..=12).contains(&n) => Some(6 + n),
        'L' if (1..=5).contains(&n) => Some(18 + n),
        'S' if n == 1 => Some(24),
        _ => None,
    }
}

/// The values a reading gives for a request's fields (see [`LineFields`]).
pub fn fields(catalog: &Catalog, r: &Reading) -> LineFields {
    use mtus_request::StrengthUnit as S;
    let mut f = LineFields::default();
    if let Some(t) = &r.treatment {
        match &t.resolution {
            Resolution::Known { id } => f.treatment = catalog.treatment_named(id).map(|id| (id, t.span)),
            Resolution::NearMiss { suggestions } => f.near_miss = Some((suggestions.clone(), t.span)),
            Resolution::Unknown => {}
        }
    }
    let treatment = f.treatment.map(|(t, _)| catalog.treatment(t));
    // A number the reader could not place, or totals that disagree, leave
    // the total unclear: it is not given.
    let unclear = r
        .problems
        .iter()
        .any(|p| matches!(p, Problem::AmbiguousNumber { .. } | Problem::TotalsDisagree { .. }));
    if let (Some(q), false) = (&r.quantity, unclear) {
        let amount = q.with_refills.unwrap_or(q.amount);
        // A bare count of a drug given in mg or mcg counts its doses:
        // tablets or capsules, the same to the rules.
        let doses = r.strength.iter().any(|c| matches!(c.unit, Some(S::Mg | S::Mcg)));
        let u = match q.unit {
            Some(u) => unit(u),
            None => {
                let counts: Vec<Unit> = treatment
                    .map(|t| {
                        t.quantity_dims
                            .iter()
                            .filter_map(|d| match d {
                                Dim::Tablet => Some(Unit::Tablet),
                                Dim::Visit => Some(Unit::Visit),
                                Dim::Item => Some(Unit::Item),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match counts[..] {
                    [one] => Some(one),
                    _ => doses.then_some(Unit::Tablet),
                }
            }
        };
        if let (false, Some(u)) = (amount.is_range(), u) {
            f.quantity = Some((Qty::new(amount.lo, u), q.span));
        }
    }
    let named = r.strength.iter().any(|c| c.name.is_some());
    if let (Some(c), false) = (r.strength.first(), named) {
        let u = match c.unit.or_else(|| r.strength.iter().find_map(|c| c.unit)) {
            Some(S::Mg) => Some(Unit::Mg),
            Some(S::Mcg) => Some(Unit::Mcg),
            Some(S::G) => Some(Unit::G),
            Some(S::Percent) => Some(Unit::Percent),
            Some(S::McgPerHr) => Some(Unit::McgPerHour),
            _ => None,
        };
        if let Some(u) = u {
            f.strength = Some((Qty::new(c.amount, u), c.span));
        }
    }
    if let Some(p) = &r.per_week {
        if !p.value.is_range() {
            f.per_week = Some((p.value.lo, p.span));
        }
    }
    let length = |l: &Option<mtus_request::Spanned<mtus_request::Length>>| {
        let l = l.as_ref()?;
        let u = unit(l.value.unit)?;
        (!l.value.amount.is_range()).then(|| (Qty::new(l.value.amount.lo, u), l.span))
    };
    f.duration = length(&r.duration);
    f.days_supply = length(&r.days_supply);
    for g in &r.regions {
        if let Some(n) = &g.name {
            if !f.body_region.iter().any(|(x, _)| x == n) {
                f.body_region.push((n.clone(), g.span));
            }
        }
    }
    let one_segment = |l: &mtus_request::Level| match (vertebra_index(l.upper), l.lower.map(vertebra_index)) {
        (Some(a), Some(Some(b))) => b == a + 1,
        _ => false,
    };
    if let (Some(first), Some(last)) = (r.levels.first(), r.levels.last()) {
        if r.levels.iter().all(one_segment) {
            f.levels = Some((r.levels.len() as i64, first.span.to(last.span)));
        }
    }
    f
}
