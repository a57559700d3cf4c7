//! Proposes case facts from the clinical case summary of an IMR letter.
//!
//! The summary's lines (as `mtus-letters` reads them) are split into
//! [`Sentence`]s that know their places; each fact pattern
//! ([`patterns`], data files under `patterns/`) finds its words in a
//! sentence; the context engine ([`context`], NegEx/ConText style, its
//! words in `patterns/context.yaml`) says whether the sentence states
//! them present, absent, uncertain, hypothetical, historical or of
//! someone else. A [`Proposal`] carries the fact path, the value, the
//! polarity, the finding's place, and the words that triggered it.
//!
//! Uncertain, hypothetical and other-person statements are listed but
//! never established: only an established proposal may become a fact.
//! Of several established proposals for one path the pattern's
//! [`Pick`] chooses one; no model is involved, and the same summary
//! always gives the same proposals.

#![forbid(unsafe_code)]

pub mod compare;
pub mod context;
pub mod date;
pub mod error;
pub mod patterns;
pub mod sentence;
pub mod yaml;

use mtus_letters::{Line, Place};
use serde::Serialize;
use serde_json::Value;

pub use context::{Context, ContextRules, Polarity};
pub use error::PatternError;
pub use patterns::{OnHistorical, Pattern, Pick, ValueKind};
pub use sentence::{Sentence, sentences};

/// The shipped pattern files: (file name, text).
pub const BUILTIN_FAMILIES: &[(&str, &str)] = &[
    ("exam.yaml", include_str!("../patterns/exam.yaml")),
    ("pain.yaml", include_str!("../patterns/pain.yaml")),
    ("function.yaml", include_str!("../patterns/function.yaml")),
    ("history.yaml", include_str!("../patterns/history.yaml")),
    ("tests.yaml", include_str!("../patterns/tests.yaml")),
];

/// The shipped context words.
pub const BUILTIN_CONTEXT: (&str, &str) = ("context.yaml", include_str!("../patterns/context.yaml"));

/// The context rules and the fact patterns, compiled.
pub struct Engine {
    pub context: ContextRules,
    pub patterns: Vec<Pattern>,
}

/// One proposed fact, established or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// The fact path (`exam.muscle_spasm`).
    pub path: String,
    /// The value a case file would hold; None when the polarity gives
    /// none (an uncertain finding, an absent score).
    pub value: Option<Value>,
    pub polarity: Polarity,
    /// Whether it may become a fact (a value, and a polarity that states one).
    pub established: bool,
    /// `family/id` of the pattern.
    pub pattern: String,
    /// The sentence's order in the summary, from 0.
    pub sentence: usize,
    /// Where the sentence begins and ends.
    pub sentence_start: Place,
    pub sentence_end: Place,
    /// The line of the words found.
    pub place: Place,
    /// The words that found it, as written.
    pub words: String,
    /// The context trigger's words, when one applied ("no", "possible").
    pub trigger: Option<String>,
}

/// The proposals of one summary: every one found, and for each path the
/// one kept (indices into `all`), in summary order.
#[derive(Debug, Clone, Default)]
pub struct Proposals {
    pub all: Vec<Proposal>,
    pub kept: Vec<usize>,
}

impl Proposals {
    /// The kept proposals, in summary order.
    pub fn facts(&self) -> impl Iterator<Item = &Proposal> {
        self.kept.iter().filter_map(|&i| self.all.get(i))
    }
}

impl Engine {
    /// The shipped patterns.
    pub fn builtin() -> Result<Engine, PatternError> {
        Engine::from_texts(BUILTIN_CONTEXT, BUILTIN_FAMILIES)
    }

    /// Patterns from texts: the context file and the family files.
    pub fn from_texts(context: (&str, &str), families: &[(&str, &str)]) -> Result<Engine, PatternError> {
        let context = ContextRules::from_yaml(context.0, context.1)?;
        let mut patterns = Vec::new();
        for (file, text) in families {
            patterns.extend(patterns::read_patterns(file, text)?);
        }
        Ok(Engine { context, patterns })
    }

    /// Every proposal of one sentence, in the order the words are found.
    pub fn propose_sentence(&self, s: &Sentence) -> Vec<Proposal> {
        let mut out = Vec::new();
        for p in &self.patterns {
            self.propose_with(p, s, &mut out);
        }
        out
    }

    /// The proposals of one pattern in one sentence, added to `out`.
    pub fn propose_with(&self, p: &Pattern, s: &Sentence, out: &mut Vec<Proposal>) {
        {
            if p.near.as_ref().is_some_and(|n| !n.is_match(&s.text)) {
                return;
            }
            if p.unless.as_ref().is_some_and(|u| u.is_match(&s.text)) {
                return;
            }
            let mut seen: Vec<(usize, usize)> = Vec::new();
            for re in &p.find {
                for c in re.captures_iter(&s.text) {
                    let Some(m) = c.get(0) else { continue };
                    let at = (m.start(), m.end());
                    if seen.iter().any(|(a, b)| *a < at.1 && at.0 < *b) {
                        continue;
                    }
                    seen.push(at);
                    let ctx = self.context.context(&s.text, at, p.window);
                    let value = match (ctx.polarity, p.historical) {
                        (Polarity::Present, _) | (Polarity::Historical, OnHistorical::Present) => match &p.value {
                            Some(cap) => c.get(cap.capture).and_then(|g| read_value(cap.kind, g.as_str())),
                            None => p.present.clone(),
                        },
                        (Polarity::Absent, _) => p.absent.clone(),
                        _ => None,
                    };
                    let established = value.is_some() && ctx.polarity.can_establish();
                    out.push(Proposal {
                        path: p.path.clone(),
                        value,
                        polarity: ctx.polarity,
                        established,
                        pattern: p.id.clone(),
                        sentence: s.index,
                        sentence_start: s.start(),
                        sentence_end: s.end(),
                        place: s.place_at(at.0),
                        words: m.as_str().to_string(),
                        trigger: ctx.trigger,
                    });
                }
            }
        }
    }

    /// The proposals of a summary, and the one kept per path.
    pub fn propose(&self, summary: &[Line]) -> Proposals {
        let mut all = Vec::new();
        for s in sentences(summary) {
            all.extend(self.propose_sentence(&s));
        }
        let kept = self.keep(&all);
        Proposals { all, kept }
    }

    fn pick_of(&self, path: &str) -> Pick {
        self.patterns
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.pick)
            .unwrap_or_default()
    }

    fn keep(&self, all: &[Proposal]) -> Vec<usize> {
        let mut paths: Vec<&str> = Vec::new();
        for p in all.iter().filter(|p| p.established) {
            if !paths.contains(&p.path.as_str()) {
                paths.push(&p.path);
            }
        }
        let mut kept = Vec::new();
        for path in paths {
            let cands: Vec<usize> = (0..all.len())
                .filter(|&i| all[i].established && all[i].path == path)
                .collect();
            let chosen = match self.pick_of(path) {
                Pick::Last => cands.last().copied(),
                Pick::Largest => cands
                    .iter()
                    .copied()
                    .max_by(|&a, &b| order(all[a].value.as_ref(), all[b].value.as_ref()).then(b.cmp(&a))),
                Pick::Agree => {
                    let first = cands.first().and_then(|&i| all[i].value.as_ref());
                    cands
                        .iter()
                        .all(|&i| all[i].value.as_ref() == first)
                        .then(|| cands.last().copied())
                        .flatten()
                }
            };
            kept.extend(chosen);
        }
        kept.sort_unstable();
        kept
    }
}

fn order(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0))
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// A captured piece of text as a value of its kind.
fn read_value(kind: ValueKind, text: &str) -> Option<Value> {
    match kind {
        ValueKind::Score => {
            let n: f64 = text.parse().ok()?;
            (0.0..=10.0).contains(&n).then(|| number(n))
        }
        ValueKind::Int => text.parse::<u32>().ok().map(|n| Value::Number(n.into())),
        ValueKind::Date => date::iso(text).map(Value::String),
        ValueKind::Visits => {
            let n: u32 = text.parse().ok()?;
            (1..=200).contains(&n).then(|| Value::String(format!("{n} visit")))
        }
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 {
        Value::Number((n as i64).into())
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// A value as YAML text for a case file.
pub fn yaml_value(v: &Value) -> String {
    match v {
        Value::Array(a) => format!("[{}]", a.iter().map(yaml_value).collect::<Vec<_>>().join(", ")),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
