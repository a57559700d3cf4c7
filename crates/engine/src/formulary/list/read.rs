//! Reading one list file: the `#` lines, the header matched to the
//! columns, then each row, every problem reported with its place.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Column {
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
pub(super) const COLUMNS: &[(&str, Column)] = &[
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

pub(super) const HEADER_HELP: &str = "columns are ingredient, dosage_form, reference_in_acoem_guidelines, status (Exempt or Non-Exempt), special_fill, perioperative_fill (days), confidence (high or low), source; strength, rxcui, drug_class, condition, acoem_recommendation, brand_name and notes are accepted and not read";

pub(super) fn norm_caption(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(super) struct Ctx<'a> {
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
    pub(super) fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    pub(super) fn error(&mut self, start: usize, end: usize, code: &'static str, message: String, help: Option<&str>) {
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
pub(super) fn field_range(text: &str, start: usize, n: usize) -> (usize, usize) {
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
pub(super) fn field_ranges(text: &str, start: usize, count: usize) -> Vec<(usize, usize)> {
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
pub(super) fn skip_comment_lines(text: &str, mut at: usize) -> usize {
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
pub(super) fn shown(cell: &str) -> String {
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

pub(super) fn parse_days(cell: &str) -> Result<Option<u32>, ()> {
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

pub(super) fn parse_status(cell: &str) -> Option<ListStatus> {
    match norm_caption(cell).as_str() {
        "exempt" => Some(ListStatus::Exempt),
        "nonexempt" => Some(ListStatus::NonExempt),
        _ => None,
    }
}

pub(super) fn non_empty(s: &str) -> Option<String> {
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

        let Metadata {
            version,
            effective,
            partial,
            effective_at,
        } = read_metadata(&mut cx, base);
        let (header, rows) = read_rows(&mut cx, base);
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
}

/// What the leading `#` lines say.
struct Metadata {
    version: Option<String>,
    effective: Option<Date>,
    partial: bool,
    /// Where the effective date is: start, end, line, column.
    effective_at: (usize, usize, usize, usize),
}

/// The leading `# key: value` lines of the list (after a byte order mark
/// of `base` bytes): version, effective date, coverage.
fn read_metadata(cx: &mut Ctx, base: usize) -> Metadata {
    let text = cx.text;
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
                        Some(
                            "write the date the list version took effect as YYYY-MM-DD, e.g. `# effective: 2020-11-01`",
                        ),
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
    Metadata {
        version,
        effective,
        partial,
        effective_at,
    }
}

/// The CSV records after the `#` lines: the header, then one row a drug,
/// each checked against the header and the rows before it.
fn read_rows(cx: &mut Ctx, base: usize) -> (Option<Vec<Column>>, Vec<DrugRow>) {
    let text = cx.text;
    let body = &text[base..];
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
            header = Some(read_header(cx, &record, start));
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
        if let Some(row) = read_row(cx, cols, &record, start) {
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
    (header, rows)
}

pub(super) fn read_header(cx: &mut Ctx, record: &csv::StringRecord, start: usize) -> Vec<Column> {
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

pub(super) fn read_row(cx: &mut Ctx, cols: &[Column], record: &csv::StringRecord, start: usize) -> Option<DrugRow> {
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
