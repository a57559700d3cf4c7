//! The MTUS Drug List as data: CSV files in the layout the state
//! publishes, one file per list version.
//!
//! A file starts with `#` lines naming the version and the date it took
//! effect (the published table has no such cells), then a header row and
//! one row per drug ingredient (and dosage form, where the list splits
//! one):
//!
//! ```text
//! # version: v7
//! # effective: 2020-11-01
//! # coverage: partial
//! ingredient,dosage_form,reference_in_acoem_guidelines,status,special_fill,perioperative_fill,confidence,source
//! duloxetine,,Chronic Pain; Depressive Disorders,Exempt,,,high,criteria-2018.md FORM-19
//! ```
//!
//! Header names are matched without case, spaces or punctuation, so the
//! published captions ("Drug Ingredient", "Reference in ACOEM
//! Guidelines", "Exempt/Non-Exempt", "Special Fill", "Perioperative
//! Fill") work as written, in any column order. `ingredient` and `status`
//! are required; an unknown column is an error. `coverage: partial` says
//! the file holds only some rows of the list (the shipped file): a drug
//! absent from it is not known to be unlisted.
//!
//! Invariants: every error names file, line and column; nothing panics on
//! any input; the list is data, never code.

mod read;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, FileId, Span};
use crate::value::Date;

/// The drug lists shipped in `rules/drug-list/`, embedded at build time.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_drug_lists.rs"));
}

/// A list's designation of a drug (8 CCR 9792.27.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListStatus {
    /// No prospective review needed if prescribed in accordance with the MTUS.
    Exempt,
    /// Prospective review needed before dispensing, unless a fill applies.
    NonExempt,
}

impl ListStatus {
    pub fn label(self) -> &'static str {
        match self {
            ListStatus::Exempt => "Exempt",
            ListStatus::NonExempt => "Non-Exempt",
        }
    }
}

/// How sure the shipped data is of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowConfidence {
    /// Confirmed in a source (or the official list itself).
    High,
    /// Recalled, not read in a source: results resting on it are provisional.
    Low,
}

/// One row of the list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrugRow {
    /// As written in the file.
    pub ingredient: String,
    /// The matching key: lower case, salts dropped, combination parts
    /// sorted and joined by `+` (`acetaminophen+hydrocodone`).
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dosage_form: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guideline_refs: Option<String>,
    pub status: ListStatus,
    /// Special Fill days' supply, when the list marks the drug for it.
    pub special_fill_days: Option<u32>,
    /// Perioperative Fill days' supply, when the list marks the drug for it.
    pub perioperative_fill_days: Option<u32>,
    pub confidence: RowConfidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// 1-based line in the file.
    #[serde(skip)]
    pub line: usize,
}

/// One version of the MTUS Drug List.
#[derive(Clone, Debug, PartialEq)]
pub struct DrugList {
    /// The file it was read from.
    pub file: String,
    /// `v7`.
    pub version: String,
    /// First day it is in force.
    pub effective: Date,
    /// The file holds only some rows of the list (the shipped confirmed rows).
    pub partial: bool,
    /// Where the effective date is written (byte range, line), for messages.
    effective_at: (usize, usize, usize, usize),
    pub rows: Vec<DrugRow>,
    /// Row indexes by `key`.
    index: BTreeMap<String, Vec<usize>>,
}

/// A drug list file that cannot be used: where and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct DrugListError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Byte range in the file's text.
    pub start: usize,
    pub end: usize,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl DrugListError {
    /// As a diagnostic on the file's text, once it is in a `SourceMap`.
    pub fn diagnostic(&self, file: FileId) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, Span::new(file, self.start, self.end), self.message.clone());
        d.help = self.help.clone();
        d
    }
}

/// Salt and ester words that do not change the active ingredient.
const SALTS: &[&str] = &[
    "hcl",
    "hydrochloride",
    "bitartrate",
    "sodium",
    "potassium",
    "sulfate",
    "citrate",
    "tartrate",
    "magnesium",
    "calcium",
    "besylate",
    "maleate",
    "succinate",
    "phosphate",
    "mesylate",
    "hydrobromide",
    "acetate",
    "epolamine",
];

/// The matching key of an ingredient as written: lower case, salt words
/// dropped, combination parts (split at `/`, `+`, `,`, ` and `, ` with `)
/// sorted and joined by `+`. `Hydrocodone Bitartrate/Acetaminophen` and
/// `acetaminophen + hydrocodone` give one key.
pub fn ingredient_key(written: &str) -> String {
    let lower = written.to_lowercase().replace(" and ", "/").replace(" with ", "/");
    let mut parts: Vec<String> = lower
        .split(['/', '+', ','])
        .map(|part| {
            part.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty() && !SALTS.contains(w))
                .collect::<Vec<_>>()
                .join("_")
        })
        .filter(|p| !p.is_empty())
        .collect();
    parts.sort();
    parts.dedup();
    parts.join("+")
}

/// The key of a combination of ingredient keys.
pub fn combination_key(parts: &[&str]) -> String {
    let mut v: Vec<&str> = parts.to_vec();
    v.sort_unstable();
    v.dedup();
    v.join("+")
}

impl DrugList {
    /// The rows for an ingredient key (several when the list splits it by
    /// dosage form).
    pub fn rows_for(&self, key: &str) -> Vec<&DrugRow> {
        self.index
            .get(key)
            .map(|v| v.iter().map(|&i| &self.rows[i]).collect())
            .unwrap_or_default()
    }

    /// `MTUS Drug List v7 (2020-11-01)`.
    pub fn label(&self) -> String {
        format!("MTUS Drug List {} ({})", self.version, self.effective)
    }
}

/// Every list version loaded, ordered by effective date.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrugLists {
    lists: Vec<DrugList>,
}

impl DrugLists {
    pub fn new() -> DrugLists {
        DrugLists::default()
    }

    /// Add a version; two versions taking effect on one date are an error
    /// (which one is in force would be ambiguous).
    pub fn add(&mut self, list: DrugList) -> Result<(), DrugListError> {
        if let Some(other) = self.lists.iter().find(|l| l.effective == list.effective) {
            let (start, end, line, column) = list.effective_at;
            return Err(DrugListError {
                file: list.file.clone(),
                line,
                column,
                start,
                end,
                code: "drug-list-version",
                message: format!(
                    "two drug lists take effect on {}: this one and {} ({})",
                    list.effective, other.version, other.file
                ),
                help: Some("load one file per list version; each version has its own effective date".into()),
            });
        }
        let at = self.lists.partition_point(|l| l.effective < list.effective);
        self.lists.insert(at, list);
        Ok(())
    }

    /// Parse and add several files, reporting every error.
    pub fn from_texts<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<DrugLists, Vec<DrugListError>> {
        let mut lists = DrugLists::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            match DrugList::parse(name, text) {
                Ok(l) => {
                    if let Err(e) = lists.add(l) {
                        errors.push(e);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() { Ok(lists) } else { Err(errors) }
    }

    /// The lists shipped with this build (`rules/drug-list/*.csv`).
    pub fn embedded() -> Result<DrugLists, Vec<DrugListError>> {
        DrugLists::from_texts(embedded::FILES.iter().copied())
    }

    /// The version in force on a date: the latest that took effect on or
    /// before it.
    pub fn in_force(&self, date: Date) -> Option<&DrugList> {
        self.lists.iter().rev().find(|l| l.effective <= date)
    }

    pub fn lists(&self) -> &[DrugList] {
        &self.lists
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}
