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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Ingredient,
    DosageForm,
    GuidelineRefs,
    Status,
    SpecialFill,
    PerioperativeFill,
    Confidence,
    Source,
    /// Published columns mtus does not read (strength, RxCUI, class...).
    Ignored,
}

/// Header captions, normalized (lower case, letters and digits only).
const COLUMNS: &[(&str, Column)] = &[
    ("ingredient", Column::Ingredient),
    ("drugingredient", Column::Ingredient),
    ("activeingredient", Column::Ingredient),
    ("drug", Column::Ingredient),
    ("dosageform", Column::DosageForm),
    ("form", Column::DosageForm),
    ("referenceinacoemguidelines", Column::GuidelineRefs),
    ("acoemguidelines", Column::GuidelineRefs),
    ("guidelinereferences", Column::GuidelineRefs),
    ("status", Column::Status),
    ("exemptnonexempt", Column::Status),
    ("exemptstatus", Column::Status),
    ("exemptionstatus", Column::Status),
    ("specialfill", Column::SpecialFill),
    ("specialfilldays", Column::SpecialFill),
    ("perioperativefill", Column::PerioperativeFill),
    ("perioperativefilldays", Column::PerioperativeFill),
    ("confidence", Column::Confidence),
    ("source", Column::Source),
    ("strength", Column::Ignored),
    ("rxcui", Column::Ignored),
    ("drugclass", Column::Ignored),
    ("condition", Column::Ignored),
    ("acoemrecommendation", Column::Ignored),
    ("brandname", Column::Ignored),
    ("notes", Column::Ignored),
];

const HEADER_HELP: &str = "columns are ingredient, dosage_form, reference_in_acoem_guidelines, status (Exempt or Non-Exempt), special_fill, perioperative_fill (days), confidence (high or low), source; strength, rxcui, drug_class, condition, acoem_recommendation, brand_name and notes are accepted and not read";

fn norm_caption(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
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

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offsets of the line starts of `text`, found once: a line
    /// number is a search in them, never a count from the start (which
    /// made reading a list quadratic in its rows).
    line_starts: Vec<usize>,
    errors: Vec<DrugListError>,
}

impl Ctx<'_> {
    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    fn error(&mut self, start: usize, end: usize, code: &'static str, message: String, help: Option<&str>) {
        // Spans fall on character boundaries, whatever the input.
        let mut start = start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let line = self.line_of(start);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0).min(start);
        let column = self.text[line_start..start].chars().count() + 1;
        self.errors.push(DrugListError {
            file: self.file.to_string(),
            line,
            column,
            start,
            end,
            code,
            message,
            help: help.map(str::to_string),
        });
    }
}

/// Byte range of field `n` of the record starting at `start`: a small
/// scan that knows quotes, to point at the cell a message is about.
fn field_range(text: &str, start: usize, n: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut i = start.min(bytes.len());
    let mut field = 0;
    let mut field_start = i;
    let mut quoted = false;
    while i < bytes.len() {
        let c = bytes[i];
        if quoted {
            if c == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if c == b'"' {
            quoted = true;
        } else if c == b',' || c == b'\n' || c == b'\r' {
            if field == n {
                return (field_start, i.max(field_start + 1).min(bytes.len()));
            }
            if c != b',' {
                break;
            }
            field += 1;
            field_start = i + 1;
        }
        i += 1;
    }
    if field == n {
        (field_start, i.max(field_start + 1).min(bytes.len()))
    } else {
        (field_start, field_start)
    }
}

/// Byte ranges of every field of the record starting at `start`, in one
/// pass ([`field_range`] for each): a row of many cells costs its length,
/// not its length times its cells.
fn field_ranges(text: &str, start: usize, count: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(count);
    let mut i = start.min(bytes.len());
    let mut field_start = i;
    let mut quoted = false;
    while i < bytes.len() && out.len() < count {
        let c = bytes[i];
        if quoted {
            if c == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if c == b'"' {
            quoted = true;
        } else if c == b',' || c == b'\n' || c == b'\r' {
            out.push((field_start, i.max(field_start + 1).min(bytes.len())));
            if c != b',' {
                break;
            }
            field_start = i + 1;
        }
        i += 1;
    }
    if out.len() < count && i >= bytes.len() {
        out.push((field_start, i.max(field_start + 1).min(bytes.len())));
    }
    while out.len() < count {
        let at = out.last().map_or(field_start, |&(_, e)| e);
        out.push((at, at));
    }
    out
}

/// The CSV reader gives a record the position where it started looking:
/// before any comment or blank lines it skipped. Step over those.
fn skip_comment_lines(text: &str, mut at: usize) -> usize {
    while let Some(rest) = text.get(at..) {
        let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = rest[..line_end].trim();
        if line_end == 0 || !(line.is_empty() || line.starts_with('#')) || line_end == rest.len() {
            break;
        }
        at += line_end;
    }
    at
}

/// A cell quoted in a message: control characters (a NUL, an escape
/// sequence, a line break inside a quoted cell) written as escapes, so a
/// message is one line and nothing in a list reaches a terminal raw.
fn shown(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for c in cell.chars() {
        if c.is_control() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_days(cell: &str) -> Result<Option<u32>, ()> {
    let c = cell.trim().to_ascii_lowercase();
    if matches!(c.as_str(), "" | "-" | "no" | "none" | "n/a" | "na") {
        return Ok(None);
    }
    let num: String = c.chars().take_while(char::is_ascii_digit).collect();
    let rest = c[num.len()..].trim().trim_start_matches('-').trim();
    if num.is_empty()
        || !matches!(
            rest,
            "" | "day" | "days" | "day supply" | "days supply" | "days' supply"
        )
    {
        return Err(());
    }
    match num.parse::<u32>() {
        Ok(n) if (1..=365).contains(&n) => Ok(Some(n)),
        _ => Err(()),
    }
}

fn parse_status(cell: &str) -> Option<ListStatus> {
    match norm_caption(cell).as_str() {
        "exempt" => Some(ListStatus::Exempt),
        "nonexempt" => Some(ListStatus::NonExempt),
        _ => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl DrugList {
    /// Read one list file. Every problem is reported, not just the first.
    pub fn parse(file: &str, text: &str) -> Result<DrugList, Vec<DrugListError>> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut cx = Ctx {
            file,
            text,
            line_starts,
            errors: Vec::new(),
        };
        // A byte order mark is skipped; offsets stay those of `text`.
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let body = &text[base..];

        // Leading `# key: value` lines.
        let mut version = None;
        let mut effective = None;
        let mut partial = false;
        let mut effective_at = (0, 0, 1, 1);
        // The line each of `version`, `effective`, `coverage` was first
        // given on: a second is an error, never a silent override.
        let mut given: [(&str, Option<usize>); 3] = [("version", None), ("effective", None), ("coverage", None)];
        let mut offset = base;
        for line in body.split_inclusive('\n') {
            let t = line.trim();
            if !t.starts_with('#') && !t.is_empty() {
                break;
            }
            if let Some((k, v)) = t.trim_start_matches('#').split_once(':') {
                let v = v.trim();
                let vstart = offset + line.find(v).unwrap_or(0);
                let key = k.trim().to_ascii_lowercase();
                let this_line = cx.line_of(offset);
                if let Some((name, first)) = given.iter_mut().find(|(n, _)| *n == key) {
                    if let Some(first) = *first {
                        let kstart = offset + line.find(k.trim()).unwrap_or(0);
                        cx.error(
                            kstart,
                            kstart + k.trim().len(),
                            "drug-list-metadata",
                            format!("`# {name}` is given twice (first on line {first})"),
                            Some("keep one `# version`, one `# effective` and at most one `# coverage` line; a file holds one list version"),
                        );
                        offset += line.len();
                        continue;
                    }
                    *first = Some(this_line);
                }
                match key.as_str() {
                    "version" => version = Some(v.to_string()),
                    "effective" => match Date::parse(v) {
                        Some(d) => {
                            effective = Some(d);
                            effective_at = (
                                vstart,
                                vstart + v.len(),
                                this_line,
                                text[offset..vstart].chars().count() + 1,
                            );
                        }
                        None => cx.error(
                            vstart,
                            vstart + v.len(),
                            "drug-list-metadata",
                            format!("`{}` is not a date", shown(v)),
                            Some("write the date the list version took effect as YYYY-MM-DD, e.g. `# effective: 2020-11-01`"),
                        ),
                    },
                    "coverage" => match v {
                        "partial" => partial = true,
                        "complete" => partial = false,
                        _ => cx.error(
                            vstart,
                            vstart + v.len(),
                            "drug-list-metadata",
                            format!("unknown coverage `{}`", shown(v)),
                            Some("write `# coverage: complete` (the whole list) or `# coverage: partial` (some rows only)"),
                        ),
                    },
                    _ => {}
                }
            }
            offset += line.len();
        }
        if version.is_none() || (effective.is_none() && cx.errors.is_empty()) {
            let what = match (version.is_none(), effective.is_none()) {
                (true, true) => "its version and effective date",
                (true, false) => "its version",
                _ => "its effective date",
            };
            cx.error(
                base,
                base + 1,
                "drug-list-metadata",
                format!("the drug list does not say {what}"),
                Some("start the file with `# version: v7` and `# effective: 2020-11-01` lines (the date the list version took effect)"),
            );
        }

        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(body.as_bytes());
        let mut header: Option<Vec<Column>> = None;
        let mut rows: Vec<DrugRow> = Vec::new();
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let at = e.position().map_or(base, |p| base + p.byte() as usize);
                    let why = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "the drug list is not UTF-8 text".to_string(),
                        _ => "the drug list is not valid CSV".to_string(),
                    };
                    cx.error(
                        at,
                        at + 1,
                        "drug-list-csv",
                        why,
                        Some("save the list as comma-separated UTF-8 text"),
                    );
                    break;
                }
            }
            let start = skip_comment_lines(text, base + record.position().map_or(0, |p| p.byte() as usize));
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let Some(cols) = &header else {
                header = Some(read_header(&mut cx, &record, start));
                continue;
            };
            if record.len() != cols.len() {
                let (s, e) = field_range(text, start, record.len().min(cols.len()).saturating_sub(1));
                cx.error(
                    s,
                    e,
                    "drug-list-fields",
                    format!("this row has {} cells; the header has {}", record.len(), cols.len()),
                    Some("every row needs one cell per column, empty cells included"),
                );
                continue;
            }
            if let Some(row) = read_row(&mut cx, cols, &record, start) {
                let key = (
                    row.key.clone(),
                    row.dosage_form.clone().unwrap_or_default().to_lowercase(),
                );
                if let Some(&first) = seen.get(&key) {
                    let (s, e) = field_range(
                        text,
                        start,
                        cols.iter().position(|c| *c == Column::Ingredient).unwrap_or(0),
                    );
                    cx.error(
                        s,
                        e,
                        "drug-list-duplicate",
                        format!("`{}` is listed twice (first on line {first})", shown(&row.ingredient)),
                        Some("keep one row per ingredient and dosage form"),
                    );
                } else {
                    seen.insert(key, row.line);
                    rows.push(row);
                }
            }
        }
        if header.is_none() && cx.errors.is_empty() {
            cx.error(
                text.len().saturating_sub(1),
                text.len(),
                "drug-list-header",
                "the drug list has no header row".into(),
                Some(HEADER_HELP),
            );
        }
        if !cx.errors.is_empty() {
            return Err(cx.errors);
        }
        let (Some(version), Some(effective)) = (version, effective) else {
            return Err(cx.errors);
        };
        let mut index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            index.entry(r.key.clone()).or_default().push(i);
        }
        Ok(DrugList {
            file: file.to_string(),
            version,
            effective,
            partial,
            effective_at,
            rows,
            index,
        })
    }

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

fn read_header(cx: &mut Ctx, record: &csv::StringRecord, start: usize) -> Vec<Column> {
    let mut cols = Vec::new();
    // The known columns met so far: a handful, however many cells.
    let mut known: Vec<Column> = Vec::new();
    let ranges = field_ranges(cx.text, start, record.len());
    for ((s, e), cell) in ranges.into_iter().zip(record.iter()) {
        let norm = norm_caption(cell);
        let col = COLUMNS.iter().find(|(name, _)| *name == norm).map(|&(_, c)| c);
        match col {
            None => {
                cx.error(
                    s,
                    e,
                    "drug-list-header",
                    format!("unknown column `{}`", shown(cell.trim())),
                    Some(HEADER_HELP),
                );
                cols.push(Column::Ignored);
            }
            Some(c) if c != Column::Ignored && known.contains(&c) => {
                cx.error(
                    s,
                    e,
                    "drug-list-header",
                    format!("column `{}` appears twice", shown(cell.trim())),
                    Some(HEADER_HELP),
                );
                cols.push(Column::Ignored);
            }
            Some(c) => {
                known.push(c);
                cols.push(c);
            }
        }
    }
    for (required, name) in [(Column::Ingredient, "ingredient"), (Column::Status, "status")] {
        if !known.contains(&required) {
            let (s, _) = field_range(cx.text, start, 0);
            let end = cx.text[s..].find('\n').map_or(cx.text.len(), |i| s + i);
            cx.error(
                s,
                end,
                "drug-list-header",
                format!("the header has no `{name}` column"),
                Some(HEADER_HELP),
            );
        }
    }
    cols
}

fn read_row(cx: &mut Ctx, cols: &[Column], record: &csv::StringRecord, start: usize) -> Option<DrugRow> {
    let line = cx.line_of(start.min(cx.text.len()));
    let mut row = DrugRow {
        ingredient: String::new(),
        key: String::new(),
        dosage_form: None,
        guideline_refs: None,
        status: ListStatus::NonExempt,
        special_fill_days: None,
        perioperative_fill_days: None,
        confidence: RowConfidence::High,
        source: None,
        line,
    };
    let mut ok = true;
    let ranges = field_ranges(cx.text, start, cols.len());
    for ((col, cell), (s, e)) in cols.iter().zip(record.iter()).zip(ranges) {
        match col {
            Column::Ingredient => {
                row.ingredient = cell.trim().to_string();
                row.key = ingredient_key(cell);
                if row.key.is_empty() {
                    cx.error(
                        s,
                        e,
                        "drug-list-value",
                        "the ingredient is empty".into(),
                        Some("name the active ingredient, e.g. `duloxetine` or `hydrocodone/acetaminophen`"),
                    );
                    ok = false;
                }
            }
            Column::DosageForm => row.dosage_form = non_empty(cell),
            Column::GuidelineRefs => row.guideline_refs = non_empty(cell),
            Column::Source => row.source = non_empty(cell),
            Column::Ignored => {}
            Column::Status => match parse_status(cell) {
                Some(st) => row.status = st,
                None => {
                    cx.error(
                        s,
                        e,
                        "drug-list-value",
                        format!("`{}` is not a drug list status", shown(cell.trim())),
                        Some("write `Exempt` or `Non-Exempt`"),
                    );
                    ok = false;
                }
            },
            Column::SpecialFill | Column::PerioperativeFill => match parse_days(cell) {
                Ok(d) if *col == Column::SpecialFill => row.special_fill_days = d,
                Ok(d) => row.perioperative_fill_days = d,
                Err(()) => {
                    cx.error(
                        s,
                        e,
                        "drug-list-value",
                        format!("`{}` is not a days' supply", shown(cell.trim())),
                        Some("write the days' supply the fill allows (`4` or `4 days`), or leave the cell empty when the fill does not apply"),
                    );
                    ok = false;
                }
            },
            Column::Confidence => match cell.trim().to_ascii_lowercase().as_str() {
                "" | "high" => row.confidence = RowConfidence::High,
                "low" => row.confidence = RowConfidence::Low,
                other => {
                    cx.error(
                        s,
                        e,
                        "drug-list-value",
                        format!("`{}` is not a confidence", shown(other)),
                        Some("write `high` (confirmed in a source) or `low` (recalled: results are provisional)"),
                    );
                    ok = false;
                }
            },
        }
    }
    ok.then_some(row)
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

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "# version: v9\n# effective: 2021-08-01\n";

    fn parse(body: &str) -> Result<DrugList, Vec<DrugListError>> {
        DrugList::parse("list.csv", &format!("{HEAD}{body}"))
    }

    fn first_error(body: &str) -> DrugListError {
        match parse(body) {
            Ok(_) => panic!("expected an error for {body:?}"),
            Err(e) => e[0].clone(),
        }
    }

    #[test]
    fn a_good_file_in_the_published_column_order_and_captions() {
        let l = parse(
            "Drug Ingredient,Reference in ACOEM Guidelines,Exempt/Non-Exempt,Special Fill,Perioperative Fill\n\
             Duloxetine,Chronic Pain,Exempt,,\n\
             \"Hydrocodone Bitartrate/Acetaminophen\",Opioids,Non-Exempt,4 days,4\n",
        )
        .unwrap();
        assert_eq!(
            (l.version.as_str(), l.effective.to_string().as_str()),
            ("v9", "2021-08-01")
        );
        assert!(!l.partial);
        assert_eq!(l.rows.len(), 2);
        let d = l.rows_for("duloxetine");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].status, ListStatus::Exempt);
        assert_eq!(d[0].special_fill_days, None);
        let h = l.rows_for("acetaminophen+hydrocodone");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].status, ListStatus::NonExempt);
        assert_eq!(
            (h[0].special_fill_days, h[0].perioperative_fill_days),
            (Some(4), Some(4))
        );
        assert_eq!(h[0].line, 5);
        assert_eq!(h[0].confidence, RowConfidence::High);
    }

    #[test]
    fn ingredient_keys_ignore_salts_case_and_order() {
        assert_eq!(
            ingredient_key("Hydrocodone Bitartrate/Acetaminophen"),
            "acetaminophen+hydrocodone"
        );
        assert_eq!(
            ingredient_key("acetaminophen and hydrocodone"),
            "acetaminophen+hydrocodone"
        );
        assert_eq!(ingredient_key("Cyclobenzaprine HCl"), "cyclobenzaprine");
        assert_eq!(
            combination_key(&["oxycodone", "acetaminophen"]),
            "acetaminophen+oxycodone"
        );
    }

    #[test]
    fn a_missing_required_column_is_an_error_on_the_header() {
        let e = first_error("ingredient,special_fill\nduloxetine,\n");
        assert_eq!(e.code, "drug-list-header");
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("no `status` column"), "{}", e.message);
    }

    #[test]
    fn an_unknown_column_is_an_error_at_its_cell() {
        let e = first_error("ingredient,status,price\nduloxetine,Exempt,3\n");
        assert_eq!(e.code, "drug-list-header");
        assert_eq!((e.line, e.column), (3, 19));
        assert_eq!(e.message, "unknown column `price`");
        assert_eq!(e.to_string(), "list.csv:3:19: unknown column `price`");
    }

    #[test]
    fn a_bad_cell_names_line_and_column() {
        let e = first_error("ingredient,status,special_fill\nduloxetine,Exempt,\ntramadol,Non-Exempt,four\n");
        assert_eq!(e.code, "drug-list-value");
        assert_eq!((e.line, e.column), (5, 21));
        assert_eq!(e.message, "`four` is not a days' supply");
        let e = first_error("ingredient,status\n\"tramadol, ER\",Sometimes\n");
        assert_eq!((e.line, e.column, e.code), (4, 16, "drug-list-value"));
        let e = first_error("ingredient,status\ntramadol,Exempt,extra\n");
        assert_eq!((e.line, e.code), (4, "drug-list-fields"));
    }

    #[test]
    fn a_duplicate_ingredient_is_an_error_naming_the_first() {
        let e = first_error("ingredient,status\nduloxetine,Exempt\nDuloxetine HCl,Non-Exempt\n");
        assert_eq!(e.code, "drug-list-duplicate");
        assert_eq!((e.line, e.column), (5, 1));
        assert!(e.message.contains("first on line 4"), "{}", e.message);
        // One ingredient in two dosage forms is two rows.
        let l =
            parse("ingredient,dosage_form,status\nlidocaine,patch,Non-Exempt\nlidocaine,injection,Exempt\n").unwrap();
        assert_eq!(l.rows_for("lidocaine").len(), 2);
    }

    #[test]
    fn a_second_version_or_date_line_is_an_error_naming_the_first() {
        let e = DrugList::parse(
            "x.csv",
            "# version: v1\n# effective: 2018-01-01\n#  Version: v2\ningredient,status\nx,Exempt\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].line, e[0].column, e[0].code), (3, 4, "drug-list-metadata"));
        assert_eq!(e[0].message, "`# version` is given twice (first on line 1)");
        let e = DrugList::parse(
            "x.csv",
            "# version: v1\n# effective: 2018-01-01\n# coverage: partial\n# effective: 2019-01-01\n# coverage: complete\ningredient,status\n",
        )
        .unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (4, "`# effective` is given twice (first on line 2)"),
                (5, "`# coverage` is given twice (first on line 3)")
            ]
        );
    }

    #[test]
    fn control_characters_in_a_cell_are_escaped_in_messages() {
        let e = first_error("ingredient,status\n\"a\u{0}b\",Exempt\n\"a\u{0}b\",Exempt\n");
        assert_eq!(e.code, "drug-list-duplicate");
        assert_eq!(e.message, "`a\\x00b` is listed twice (first on line 4)");
        let e = first_error("ingredient,status\nx,\"Ex\u{1b}]0;t\u{7}\nempt\"\n");
        assert_eq!(e.message, "`Ex\\x1b]0;t\\x07\\nempt` is not a drug list status");
        assert!(!e.message.chars().any(char::is_control));
    }

    #[test]
    fn field_ranges_match_one_at_a_time() {
        for (text, n) in [
            ("a,\"b,c\",d\nnext", 3),
            ("a,,\"\"\"x\"\r\n", 3),
            ("one", 1),
            ("a,b", 4),
            ("\"open,", 2),
        ] {
            let all = field_ranges(text, 0, n);
            for (i, got) in all.iter().enumerate() {
                let want = field_range(text, 0, i);
                // Past the last field, both point at an empty range.
                if want.0 == want.1 {
                    assert_eq!(got.0, got.1, "{text:?} field {i}");
                } else {
                    assert_eq!(*got, want, "{text:?} field {i}");
                }
            }
        }
    }

    #[test]
    fn version_and_effective_date_are_required() {
        let e = DrugList::parse("x.csv", "ingredient,status\nduloxetine,Exempt\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column, e[0].code), (1, 1, "drug-list-metadata"));
        let e = DrugList::parse("x.csv", "# version: v1\n# effective: 2018-02-30\ningredient,status\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 14));
    }

    #[test]
    fn the_version_in_force_is_the_latest_that_took_effect() {
        let mk = |v: &str, d: &str| {
            DrugList::parse(
                &format!("{v}.csv"),
                &format!("# version: {v}\n# effective: {d}\ningredient,status\nx,Exempt\n"),
            )
            .unwrap()
        };
        let mut lists = DrugLists::new();
        lists.add(mk("v7", "2020-11-01")).unwrap();
        lists.add(mk("v1", "2018-01-01")).unwrap();
        lists.add(mk("v8", "2021-02-01")).unwrap();
        let at = |d: &str| lists.in_force(Date::parse(d).unwrap()).map(|l| l.version.clone());
        assert_eq!(at("2017-12-31"), None);
        assert_eq!(at("2018-01-01").as_deref(), Some("v1"));
        assert_eq!(at("2020-10-31").as_deref(), Some("v1"));
        assert_eq!(at("2020-11-01").as_deref(), Some("v7"));
        assert_eq!(at("2026-12-03").as_deref(), Some("v8"));
        let e = lists.add(mk("v7b", "2020-11-01")).unwrap_err();
        assert_eq!(
            (e.code, e.file.as_str(), e.line, e.column),
            ("drug-list-version", "v7b.csv", 2, 14)
        );
        assert!(e.message.contains("v7 (v7.csv)"), "{}", e.message);
    }

    #[test]
    fn the_shipped_list_loads_and_is_partial() {
        let lists = DrugLists::embedded().unwrap();
        assert_eq!(lists.lists().len(), 1);
        let l = &lists.lists()[0];
        assert!(l.partial);
        assert_eq!(l.version, "v7");
        assert_eq!(l.rows_for("duloxetine")[0].confidence, RowConfidence::High);
        assert_eq!(
            l.rows_for("acetaminophen+hydrocodone")[0].confidence,
            RowConfidence::Low
        );
    }

    #[test]
    fn windows_line_ends_and_a_byte_order_mark() {
        let text = "\u{feff}# version: v1\r\n# effective: 2018-01-01\r\ningredient,status,special_fill\r\nduloxetine,Exempt,\r\ntramadol,Non-Exempt,x\r\n";
        let e = DrugList::parse("w.csv", text).unwrap_err();
        assert_eq!((e[0].line, e[0].column, e[0].code), (5, 21, "drug-list-value"));
        assert_eq!(&text[e[0].start..e[0].end], "x");
        let ok = text.replace(",x\r", ",\r");
        let l = DrugList::parse("w.csv", &ok).unwrap();
        assert_eq!(l.rows.len(), 2);
        assert_eq!(l.rows[1].line, 5);
    }

    #[test]
    fn no_input_panics() {
        for text in [
            "",
            "#",
            "\u{feff}",
            "\"",
            "# version: v1\n# effective: 2018-01-01\n\"a,b\nc",
            ",,,\n,,",
            "# version: \u{e9}\n",
        ] {
            let _ = DrugList::parse("x.csv", text);
        }
        // A span never splits a character.
        for text in [
            "\u{e9}t\u{e9},x\n",
            "# version: v1\n# effective: 2018-01-01\ningr\u{e9}dient,status\n\u{e9},\u{e9}\n",
        ] {
            for e in DrugList::parse("x.csv", text).unwrap_err() {
                assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end), "{e:?}");
            }
        }
    }
}
