//! A ConText-style context engine: trigger words (negation, uncertainty,
//! hypothetical, historical, another person) whose scope runs forward (or
//! backward) to the end of the sentence, a terminating word ("but",
//! "however") or a window of words, whichever comes first. Pseudo-triggers
//! ("no change") are phrases that hold a trigger word but trigger nothing.
//! The words are data: `patterns/context.yaml`.

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::PatternError;

/// What a sentence says about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Stated as found.
    Present,
    /// Stated as absent ("no", "denies", "without", "negative for", "ruled out").
    Absent,
    /// Stated as possible only ("possible", "rule out", "suspected").
    Uncertain,
    /// Asked for, planned or conditional ("requested", "recommended", "if").
    Hypothetical,
    /// In the past ("history of", "previously", "status post").
    Historical,
    /// About someone else ("family history", "his mother").
    OtherPerson,
}

impl Polarity {
    /// `present`, `absent`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Present => "present",
            Polarity::Absent => "absent",
            Polarity::Uncertain => "uncertain",
            Polarity::Hypothetical => "hypothetical",
            Polarity::Historical => "historical",
            Polarity::OtherPerson => "other_person",
        }
    }

    /// Whether a statement of this polarity can ever be an established
    /// fact: uncertain, hypothetical and other-person ones never are.
    pub fn can_establish(self) -> bool {
        matches!(self, Polarity::Present | Polarity::Absent | Polarity::Historical)
    }
}

/// Which way a trigger's scope runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Forward,
    Backward,
}

/// A group of triggers as the file writes them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerGroup {
    kind: Polarity,
    #[serde(default)]
    forward: Vec<String>,
    #[serde(default)]
    backward: Vec<String>,
}

/// A sentence with its target in brackets and the polarity expected.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextExample {
    /// "The exam found no [spasm]."
    pub text: String,
    /// The polarity of the bracketed words.
    pub expect: Polarity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    /// Words a forward scope spans at most, by default.
    window: usize,
    triggers: Vec<TriggerGroup>,
    pseudo: Vec<String>,
    terminators: Vec<String>,
    examples: Vec<ContextExample>,
}

struct Trigger {
    kind: Polarity,
    direction: Direction,
    re: Regex,
}

/// The context rules, compiled.
pub struct ContextRules {
    /// Default forward window, in words.
    pub window: usize,
    triggers: Vec<Trigger>,
    pseudo: Option<Regex>,
    terminators: Regex,
    /// The file's examples (each a test).
    pub examples: Vec<ContextExample>,
}

/// What decided a finding's polarity: the trigger's words and where
/// they are in the sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub polarity: Polarity,
    /// The trigger's words as written, when one applied.
    pub trigger: Option<String>,
    /// The trigger's byte range in the sentence.
    pub trigger_at: Option<(usize, usize)>,
}

/// A regex matching any of the phrases as whole words, case-insensitive,
/// longest first.
pub(crate) fn phrases_regex(file: &str, phrases: &[String]) -> Result<Option<Regex>, PatternError> {
    if phrases.is_empty() {
        return Ok(None);
    }
    let mut p: Vec<&String> = phrases.iter().collect();
    p.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let alts: Vec<String> = p
        .iter()
        .map(|s| {
            let e = regex::escape(s.trim()).replace("\\ ", " ").replace(' ', r"\s+");
            let start = if s.starts_with(|c: char| c.is_alphanumeric()) {
                r"\b"
            } else {
                ""
            };
            let end = if s.ends_with(|c: char| c.is_alphanumeric()) {
                r"\b"
            } else {
                ""
            };
            format!("{start}{e}{end}")
        })
        .collect();
    let src = format!("(?i)(?:{})", alts.join("|"));
    Regex::new(&src).map(Some).map_err(|e| PatternError::Regex {
        file: file.to_string(),
        pattern: src,
        message: e.to_string(),
    })
}

impl ContextRules {
    /// Reads the rules from the text of a context file.
    pub fn from_yaml(file: &str, text: &str) -> Result<ContextRules, PatternError> {
        let f: ContextFile = crate::patterns::read_file(file, text)?;
        let mut triggers = Vec::new();
        for g in &f.triggers {
            for (direction, words) in [(Direction::Forward, &g.forward), (Direction::Backward, &g.backward)] {
                if let Some(re) = phrases_regex(file, words)? {
                    triggers.push(Trigger {
                        kind: g.kind,
                        direction,
                        re,
                    });
                }
            }
        }
        let terminators = phrases_regex(file, &f.terminators)?.ok_or_else(|| PatternError::Invalid {
            file: file.to_string(),
            message: "no terminators given".into(),
        })?;
        Ok(ContextRules {
            window: f.window,
            triggers,
            pseudo: phrases_regex(file, &f.pseudo)?,
            terminators,
            examples: f.examples,
        })
    }

    /// The polarity of the words at `at` (byte range) in `sentence`;
    /// a forward trigger reaches at most `window` words (None: the file's).
    pub fn context(&self, sentence: &str, at: (usize, usize), window: Option<usize>) -> Context {
        let window = window.unwrap_or(self.window);
        let pseudo: Vec<(usize, usize)> = self
            .pseudo
            .as_ref()
            .map(|p| p.find_iter(sentence).map(|m| (m.start(), m.end())).collect())
            .unwrap_or_default();
        let terms: Vec<(usize, usize)> = self
            .terminators
            .find_iter(sentence)
            .map(|m| (m.start(), m.end()))
            .chain(sentence.match_indices([';', ':']).map(|(i, s)| (i, i + s.len())))
            .collect();
        let mut best: Option<(u8, Context)> = None;
        for t in &self.triggers {
            for m in t.re.find_iter(sentence) {
                let (ms, me) = (m.start(), m.end());
                if pseudo.iter().any(|(ps, pe)| *ps <= ms && me <= *pe) {
                    continue;
                }
                // The finding itself is not its own trigger.
                if ms < at.1 && at.0 < me {
                    continue;
                }
                let applies = match t.direction {
                    Direction::Forward => {
                        me <= at.0
                            && !terms.iter().any(|(ts, te)| *ts >= me && *te <= at.0)
                            && words(&sentence[me..at.0]) <= window
                    }
                    Direction::Backward => at.1 <= ms && !terms.iter().any(|(ts, te)| *ts >= at.1 && *te <= ms),
                };
                if !applies {
                    continue;
                }
                let rank = rank(t.kind);
                let better = best.as_ref().is_none_or(|(r, c)| {
                    rank > *r || (rank == *r && c.trigger_at.is_some_and(|(s, _)| distance(s, at) > distance(ms, at)))
                });
                if better {
                    best = Some((
                        rank,
                        Context {
                            polarity: t.kind,
                            trigger: Some(m.as_str().to_string()),
                            trigger_at: Some((ms, me)),
                        },
                    ));
                }
            }
        }
        best.map(|(_, c)| c).unwrap_or(Context {
            polarity: Polarity::Present,
            trigger: None,
            trigger_at: None,
        })
    }
}

fn distance(pos: usize, at: (usize, usize)) -> usize {
    if pos < at.0 { at.0 - pos } else { pos - at.1 }
}

/// Which polarity wins when several triggers reach a finding: someone
/// else's, then hypothetical, then uncertain, then negated, then past.
fn rank(p: Polarity) -> u8 {
    match p {
        Polarity::Present => 0,
        Polarity::Historical => 1,
        Polarity::Absent => 2,
        Polarity::Uncertain => 3,
        Polarity::Hypothetical => 4,
        Polarity::OtherPerson => 5,
    }
}

fn words(s: &str) -> usize {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// An example's text without its brackets and the bracketed byte range.
pub fn bracketed(text: &str) -> Option<(String, (usize, usize))> {
    let a = text.find('[')?;
    let b = text.find(']')?;
    if b < a {
        return None;
    }
    let plain = format!("{}{}{}", &text[..a], &text[a + 1..b], &text[b + 1..]);
    Some((plain, (a, b - 1)))
}
