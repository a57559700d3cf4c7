//! The tag table (rules/icd10cm-tags.tsv): code prefixes and the
//! diagnosis tags of `diagnoses.tags` they map to. A code takes the tags
//! of its longest listed prefix only; '-' maps a prefix to no tag on
//! purpose (documented as read, not forgotten).

use serde::Serialize;

use crate::format::normalize;
use crate::table::TableError;

/// One row of the tag table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagRow {
    /// The prefix, dotless and upper case.
    pub prefix: String,
    /// The prefix as written in the table.
    pub written: String,
    pub tags: Vec<String>,
    pub note: String,
    /// The line in rules/icd10cm-tags.tsv.
    pub line: usize,
}

pub(crate) fn parse(text: &str) -> Result<Vec<TagRow>, TableError> {
    let mut rows: Vec<TagRow> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |why: String| TableError::Tags { line: i + 1, why };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(written), Some(tags), note) = (f.next(), f.next(), f.next()) else {
            return Err(bad("expected a code prefix, a tab and the tags".into()));
        };
        let prefix = normalize(written).map_err(|e| bad(format!("'{written}': {e}")))?;
        if let Some(r) = rows.iter().find(|r| r.prefix == prefix) {
            return Err(bad(format!("'{written}' is listed twice (also line {})", r.line)));
        }
        let tags: Vec<String> = match tags.trim() {
            "-" => Vec::new(),
            t => t.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        };
        if tags.is_empty() && tags_field_empty(line) {
            return Err(bad("no tags: write '-' for a code that maps to no tag".into()));
        }
        rows.push(TagRow {
            prefix,
            written: written.to_string(),
            tags,
            note: note.unwrap_or("").trim().to_string(),
            line: i + 1,
        });
    }
    Ok(rows)
}

fn tags_field_empty(line: &str) -> bool {
    line.split('\t').nth(1).is_none_or(|t| t.trim().is_empty())
}
