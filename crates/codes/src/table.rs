//! The shipped table, decompressed and parsed once.

use std::io::Read;
use std::sync::OnceLock;

use flate2::read::GzDecoder;
use serde::Serialize;
use thiserror::Error;

use crate::Near;
use crate::format::dotted;
use crate::tags::{self, TagRow};

static DATA: &[u8] = include_bytes!("../data/icd10cm.tsv.gz");
static TAGS: &str = include_str!("../../../rules/icd10cm-tags.tsv");

/// The shipped data does not read: a build that ships a broken table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("the shipped ICD-10-CM table does not decompress: {0}")]
    Decompress(String),
    #[error("the shipped ICD-10-CM table has a bad line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("rules/icd10cm-tags.tsv:{line}: {why}")]
    Tags { line: usize, why: String },
}

/// One shipped code set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub fiscal_year: u16,
    pub source: String,
}

/// A code's standing in one code set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Billable,
    Header,
    Absent,
}

pub(crate) struct Entry {
    pub code: Box<str>,
    status: Box<[u8]>,
    pub long: Box<str>,
    pub short: Box<str>,
}

impl Entry {
    pub fn presence(&self, snapshot: usize) -> Presence {
        match self.status.get(snapshot) {
            Some(b'B') => Presence::Billable,
            Some(b'H') => Presence::Header,
            _ => Presence::Absent,
        }
    }
}

pub(crate) struct Table {
    pub snapshots: Vec<Snapshot>,
    entries: Vec<Entry>,
    pub tags: Vec<TagRow>,
}

static TABLE: OnceLock<Result<Table, TableError>> = OnceLock::new();

pub(crate) fn get() -> Result<&'static Table, TableError> {
    TABLE.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Table, TableError> {
    let mut text = String::new();
    GzDecoder::new(DATA)
        .read_to_string(&mut text)
        .map_err(|e| TableError::Decompress(e.to_string()))?;
    let mut snapshots = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |why: &str| TableError::Line {
            line: i + 1,
            why: why.to_string(),
        };
        if let Some(rest) = line.strip_prefix("#snapshot\t") {
            let (fy, source) = rest
                .split_once('\t')
                .ok_or_else(|| bad("a snapshot needs a year and a source"))?;
            let fiscal_year = fy.parse().map_err(|_| bad("the snapshot year is not a number"))?;
            snapshots.push(Snapshot {
                fiscal_year,
                source: source.to_string(),
            });
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(code), Some(status), Some(long), Some(short), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad("expected 4 columns"));
        };
        if status.len() != snapshots.len() || !status.bytes().all(|b| b"BH-".contains(&b)) {
            return Err(bad("the status has one of B, H, - per snapshot"));
        }
        if entries.last().is_some_and(|e| *e.code >= *code) {
            return Err(bad("codes are not sorted"));
        }
        entries.push(Entry {
            code: code.into(),
            status: status.as_bytes().into(),
            long: long.into(),
            short: short.into(),
        });
    }
    if snapshots.is_empty() || snapshots.windows(2).any(|w| w[0].fiscal_year >= w[1].fiscal_year) {
        return Err(TableError::Line {
            line: 1,
            why: "no snapshots, or not in order".into(),
        });
    }
    let tags = tags::parse(TAGS)?;
    Ok(Table {
        snapshots,
        entries,
        tags,
    })
}

impl Table {
    pub fn find(&self, code: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| (*e.code).cmp(code))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The tags of the longest tag-table prefix of `code`.
    pub fn tags_for(&self, code: &str) -> &[String] {
        self.tags
            .iter()
            .filter(|r| code.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
            .map_or(&[], |r| &r.tags)
    }

    /// Billable codes of snapshot `snap` nearest `code`: codes below it,
    /// then its category by edit distance, then any code within edit
    /// distance 2.
    pub fn nearest(&self, code: &str, snap: usize, n: usize) -> Vec<Near> {
        let category = &code[..3];
        let mut cands: Vec<(bool, bool, usize, usize, &Entry)> = self
            .entries
            .iter()
            .filter(|e| e.presence(snap) == Presence::Billable)
            .filter_map(|e| {
                let d = distance(code, &e.code);
                let same = e.code.starts_with(category);
                (same || d <= 2).then(|| {
                    let common = code.bytes().zip(e.code.bytes()).take_while(|(a, b)| a == b).count();
                    (!e.code.starts_with(code), !same, d, usize::MAX - common, e)
                })
            })
            .collect();
        cands.sort_by(|a, b| (a.0, a.1, a.2, a.3, &a.4.code).cmp(&(b.0, b.1, b.2, b.3, &b.4.code)));
        cands
            .into_iter()
            .take(n)
            .map(|c| Near {
                code: dotted(&c.4.code),
                description: c.4.long.to_string(),
            })
            .collect()
    }
}

/// Levenshtein distance over bytes (codes are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn distance() {
        assert_eq!(super::distance("M5416", "M5416"), 0);
        assert_eq!(super::distance("M5419", "M5418"), 1);
        assert_eq!(super::distance("M545", "M5450"), 1);
        assert_eq!(super::distance("G560", "G56"), 1);
        assert_eq!(super::distance("ABC", "XYZW"), 4);
    }
}
