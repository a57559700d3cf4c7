//! Fact patterns as data: one YAML file per fact family
//! (`patterns/*.yaml`), each pattern naming the fact path it proposes,
//! the words that find it, the value it gives when the sentence states
//! it present or absent, and examples that are tests.
//!
//! In `find`, `near` and `unless`: `{name}` is the pattern's treatment
//! names (a pattern with `treatments` is one pattern per treatment, and
//! `{treatment}` in its path is the treatment), `{date}` a date as the
//! letters write them (captured), `{n}` a number (captured).

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::context::phrases_regex;
use crate::error::PatternError;

/// Reads a YAML file into a typed value, errors naming the file.
pub(crate) fn read_file<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, PatternError> {
    let v = crate::yaml::parse(text).map_err(|error| PatternError::Yaml {
        file: file.to_string(),
        error,
    })?;
    serde_json::from_value(v).map_err(|e| PatternError::Invalid {
        file: file.to_string(),
        message: e.to_string(),
    })
}

/// How a captured piece of text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// A number from 0 to 10 (`7/10`).
    Score,
    /// A whole number.
    Int,
    /// A date, written out as ISO `YYYY-MM-DD`.
    Date,
    /// A count of visits (`12 visit`).
    Visits,
}

/// A value taken from the sentence: capture group `capture` read as `as`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Captured {
    pub capture: usize,
    #[serde(rename = "as")]
    pub kind: ValueKind,
}

/// Which proposal of a letter for one path is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// The last sentence stating it (the latest visit, in a summary told in order).
    #[default]
    Last,
    /// The largest value (the latest date, the worst score).
    Largest,
    /// Only when every sentence stating it agrees.
    Agree,
}

/// What a historical statement of the finding gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnHistorical {
    /// Nothing (an exam finding of the past is not today's).
    #[default]
    Skip,
    /// The same as present (a treatment had in the past).
    Present,
}

/// An example: a sentence of the project's own writing and the value
/// the pattern proposes from it (`none`: nothing established).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    pub expect: Value,
    /// For a pattern with treatments: which one the example is about.
    #[serde(default)]
    pub treatment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    id: String,
    path: String,
    find: Vec<String>,
    #[serde(default)]
    near: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    window: Option<usize>,
    #[serde(default)]
    present: Option<Value>,
    #[serde(default)]
    absent: Option<Value>,
    #[serde(default)]
    value: Option<Captured>,
    #[serde(default)]
    historical: OnHistorical,
    #[serde(default)]
    pick: Pick,
    #[serde(default)]
    treatments: Option<serde_json::Map<String, Value>>,
    examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    family: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    patterns: Vec<RawPattern>,
}

/// One compiled pattern (one per treatment for a pattern with treatments).
#[derive(Debug)]
pub struct Pattern {
    /// The file's family (`exam`).
    pub family: String,
    /// `family/id`, or `family/id/treatment`.
    pub id: String,
    /// The fact path proposed (`exam.muscle_spasm`, `history.acupuncture.visits`).
    pub path: String,
    /// The treatment, for a pattern with treatments.
    pub treatment: Option<String>,
    pub(crate) find: Vec<Regex>,
    pub(crate) near: Option<Regex>,
    pub(crate) unless: Option<Regex>,
    pub window: Option<usize>,
    pub present: Option<Value>,
    pub absent: Option<Value>,
    pub value: Option<Captured>,
    pub historical: OnHistorical,
    pub pick: Pick,
    /// The examples (for a pattern with treatments, those of its treatment).
    pub examples: Vec<Example>,
}

/// A date as the letters write it: `11/08/2016`, `11-8-16`, `November 8, 2016`, `Nov. 8 2016`.
pub const DATE: &str = r"((?:\d{1,2}[/-]\s?\d{1,2}[/-]\s?(?:\d{4}|\d{2})\b)|(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}))";
const NUMBER: &str = r"(\d+(?:\.\d+)?)";

fn expand(src: &str, names: Option<&str>) -> String {
    let mut s = src.replace("{date}", DATE).replace("{n}", NUMBER);
    if let Some(n) = names {
        s = s.replace("{name}", n);
    }
    s
}

fn compile(file: &str, src: &str) -> Result<Regex, PatternError> {
    Regex::new(&format!("(?i){src}")).map_err(|e| PatternError::Regex {
        file: file.to_string(),
        pattern: src.to_string(),
        message: e.to_string(),
    })
}

fn any_of(file: &str, srcs: &[String], names: Option<&str>) -> Result<Option<Regex>, PatternError> {
    if srcs.is_empty() {
        return Ok(None);
    }
    let alts: Vec<String> = srcs.iter().map(|s| format!("(?:{})", expand(s, names))).collect();
    compile(file, &alts.join("|")).map(Some)
}

/// Reads the patterns of one family file.
pub fn read_patterns(file: &str, text: &str) -> Result<Vec<Pattern>, PatternError> {
    let raw: RawFile = read_file(file, text)?;
    let invalid = |message: String| PatternError::Invalid {
        file: file.to_string(),
        message,
    };
    let mut out = Vec::new();
    for p in raw.patterns {
        if p.present.is_none() && p.value.is_none() {
            return Err(invalid(format!(
                "pattern `{}` gives no value (`present` or `value`)",
                p.id
            )));
        }
        if p.examples.is_empty() {
            return Err(invalid(format!("pattern `{}` has no examples", p.id)));
        }
        let treatments: Vec<(Option<String>, Option<String>)> = match &p.treatments {
            None => vec![(None, None)],
            Some(m) => {
                let mut v = Vec::new();
                for (t, names) in m {
                    let names: Vec<String> = match names {
                        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                        _ => {
                            return Err(invalid(format!(
                                "pattern `{}`: treatment `{t}` needs a list of names",
                                p.id
                            )));
                        }
                    };
                    let re = phrases_regex(file, &names)?
                        .ok_or_else(|| invalid(format!("pattern `{}`: treatment `{t}` has no names", p.id)))?;
                    // The names as one group-free alternation.
                    let alt = re.as_str().trim_start_matches("(?i)").to_string();
                    v.push((Some(t.clone()), Some(alt)));
                }
                v
            }
        };
        for (t, names) in treatments {
            let mut find = Vec::new();
            for f in &p.find {
                find.push(compile(file, &expand(f, names.as_deref()))?);
            }
            let examples = p
                .examples
                .iter()
                .filter(|e| t.is_none() || e.treatment == t)
                .cloned()
                .collect();
            let path = match &t {
                Some(t) => p.path.replace("{treatment}", t),
                None => p.path.clone(),
            };
            let id = match &t {
                Some(t) => format!("{}/{}/{t}", raw.family, p.id),
                None => format!("{}/{}", raw.family, p.id),
            };
            out.push(Pattern {
                family: raw.family.clone(),
                id,
                path,
                treatment: t.clone(),
                find,
                near: any_of(file, &p.near, names.as_deref())?,
                unless: any_of(file, &p.unless, names.as_deref())?,
                window: p.window,
                present: p.present.clone(),
                absent: p.absent.clone(),
                value: p.value.clone(),
                historical: p.historical,
                pick: p.pick,
                examples,
            });
        }
        if p.treatments.is_some() {
            if let Some(e) = p.examples.iter().find(|e| e.treatment.is_none()) {
                return Err(invalid(format!(
                    "pattern `{}`: the example \"{}\" names no treatment",
                    p.id, e.text
                )));
            }
        }
    }
    Ok(out)
}
