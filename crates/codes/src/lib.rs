//! ICD-10-CM diagnosis codes, checked against the official CMS code sets
//! of the shipped fiscal years (`data/icd10cm.tsv.gz`, built by
//! `scripts/icd10cm/regenerate.py`; see docs/codes.md).
//!
//! Codes change each October 1: fiscal year N runs from October 1 of N-1
//! to September 30 of N. A date whose fiscal year is shipped is judged by
//! that year's code set. A date between two shipped years is judged only
//! when the code has the same standing in both; a date before the
//! earliest or after the latest shipped year is not judged at all
//! ([`Verdict::NotChecked`]): nothing is guessed.
//!
//! The table is loaded once, on first use.

mod format;
mod table;
mod tags;

use serde::Serialize;

pub use format::{FormatError, FormatErrorKind, dotted, normalize};
pub use table::{Presence, Snapshot, TableError};
pub use tags::TagRow;

/// The fiscal year of a date: October 1 starts the next one.
pub fn fiscal_year(year: i32, month: i32) -> i32 {
    if month >= 10 { year + 1 } else { year }
}

/// The fiscal years shipped, oldest first, with their sources.
pub fn snapshots() -> Result<&'static [Snapshot], TableError> {
    Ok(&table::get()?.snapshots)
}

/// The rows of the tag table (rules/icd10cm-tags.tsv), in file order.
pub fn tag_rows() -> Result<&'static [TagRow], TableError> {
    Ok(&table::get()?.tags)
}

/// Which code set to judge by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The latest shipped code set (no date given).
    Latest,
    /// The code set in force in this fiscal year.
    FiscalYear(i32),
}

/// Why a code was not judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotChecked {
    /// The fiscal year is before the earliest shipped code set.
    BeforeEarliest { earliest: u16 },
    /// The fiscal year is after the latest shipped code set.
    AfterLatest { latest: u16 },
    /// The fiscal year falls between two shipped code sets in which the
    /// code's standing differs: it changed in between, on a date the
    /// table does not know.
    Changed { before: u16, after: u16 },
}

/// The standing of a code in the code set judged by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// A billable code then.
    Valid,
    /// A category or subcategory then: codes below it are billable, not it.
    Header,
    /// In some shipped code set, but not in this one.
    NotValid,
    /// In no shipped code set.
    Unknown,
    /// Not judged.
    NotChecked(NotChecked),
}

/// The code sets a verdict rests on: one shipped fiscal year, or the two
/// around a year that is not shipped (the code's standing is the same in
/// both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub fiscal_year: i32,
    pub snapshots: Vec<u16>,
}

/// A code and its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Near {
    pub code: String,
    pub description: String,
}

/// The answer for one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The code as CMS prints it (with the dot).
    pub code: String,
    /// The official long description (latest shipped set that has it).
    pub description: Option<String>,
    /// The official short description, when it differs from the long one.
    pub short_description: Option<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The shipped code sets the verdict rests on (none when not judged).
    pub basis: Option<Basis>,
    /// The shipped fiscal years in which the code is billable.
    pub billable_in: Vec<u16>,
    /// The shipped fiscal years in which the code is a header.
    pub header_in: Vec<u16>,
    /// Diagnosis tags the code maps to (rules/icd10cm-tags.tsv).
    pub tags: Vec<String>,
    /// For a code that is not valid then: the nearest billable codes of
    /// the code set judged by (or the latest), the codes below a header
    /// first, then the same category, then by edit distance.
    pub nearest: Vec<Near>,
}

/// How many nearest codes are given.
pub const NEAREST: usize = 5;

/// Check `input` (dot optional, any case) against the code set of `when`.
pub fn check(input: &str, when: When) -> Result<Result<Check, FormatError>, TableError> {
    let t = table::get()?;
    let code = match normalize(input) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let entry = t.find(&code);
    let presence = |i: usize| entry.map_or(Presence::Absent, |e| e.presence(i));
    let years = |p: Presence| -> Vec<u16> {
        (0..t.snapshots.len())
            .filter(|&i| presence(i) == p)
            .map(|i| t.snapshots[i].fiscal_year)
            .collect()
    };
    let n = t.snapshots.len();
    let latest = t.snapshots[n - 1].fiscal_year;
    let earliest = t.snapshots[0].fiscal_year;
    // The standing judged by and the snapshot index nearest codes come from.
    let (standing, basis, near_from) = match when {
        When::Latest => (Ok(presence(n - 1)), Some(basis_of(i32::from(latest), &[latest])), n - 1),
        When::FiscalYear(fy) if fy < i32::from(earliest) => (Err(NotChecked::BeforeEarliest { earliest }), None, n - 1),
        When::FiscalYear(fy) if fy > i32::from(latest) => (Err(NotChecked::AfterLatest { latest }), None, n - 1),
        When::FiscalYear(fy) => {
            if let Some(i) = t.snapshots.iter().position(|s| i32::from(s.fiscal_year) == fy) {
                (Ok(presence(i)), Some(basis_of(fy, &[t.snapshots[i].fiscal_year])), i)
            } else {
                // Between snapshot a and a + 1.
                let a = t
                    .snapshots
                    .iter()
                    .rposition(|s| i32::from(s.fiscal_year) < fy)
                    .unwrap_or(0);
                let (before, after) = (t.snapshots[a].fiscal_year, t.snapshots[a + 1].fiscal_year);
                if presence(a) == presence(a + 1) {
                    (Ok(presence(a)), Some(basis_of(fy, &[before, after])), a + 1)
                } else {
                    (Err(NotChecked::Changed { before, after }), None, a + 1)
                }
            }
        }
    };
    let verdict = match standing {
        Ok(Presence::Billable) => Verdict::Valid,
        Ok(Presence::Header) => Verdict::Header,
        Ok(Presence::Absent) if entry.is_some() => Verdict::NotValid,
        Ok(Presence::Absent) => Verdict::Unknown,
        Err(nc) => Verdict::NotChecked(nc),
    };
    let nearest = match verdict {
        Verdict::Header | Verdict::NotValid | Verdict::Unknown => t.nearest(&code, near_from, NEAREST),
        Verdict::Valid | Verdict::NotChecked(_) => Vec::new(),
    };
    Ok(Ok(Check {
        code: dotted(&code),
        description: entry.map(|e| e.long.to_string()),
        short_description: entry.and_then(|e| (!e.short.is_empty()).then(|| e.short.to_string())),
        verdict,
        basis,
        billable_in: years(Presence::Billable),
        header_in: years(Presence::Header),
        // Only a code of some shipped set maps to tags.
        tags: entry.map_or(Vec::new(), |_| t.tags_for(&code).to_vec()),
        nearest,
    }))
}

fn basis_of(fy: i32, snaps: &[u16]) -> Basis {
    Basis {
        fiscal_year: fy,
        snapshots: snaps.to_vec(),
    }
}

/// The description of a code in any shipped set (dot optional, any case).
pub fn describe(input: &str) -> Result<Option<String>, TableError> {
    let t = table::get()?;
    Ok(normalize(input)
        .ok()
        .and_then(|c| t.find(&c).map(|e| e.long.to_string())))
}
