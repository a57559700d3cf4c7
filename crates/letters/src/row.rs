//! Stage 6: one row per disputed item, for analysts (JSON Lines and CSV).
//! The format is documented in `docs/letters.md`.

use std::io::Write;

use serde::Serialize;

use crate::{Citation, Decision, GuidelineRef, Item, Letter};

/// One cited source, without its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowRef {
    /// See [`GuidelineRef::source`].
    pub source: String,
    /// The guideline's year, when written.
    pub year: Option<u16>,
    /// Sections or chapters.
    pub sections: Vec<String>,
    /// Pages.
    pub pages: Vec<String>,
    /// Part of the MTUS.
    pub mtus: bool,
}

impl From<&GuidelineRef> for RowRef {
    fn from(r: &GuidelineRef) -> Self {
        RowRef {
            source: r.source.clone(),
            year: r.year,
            sections: r.sections.clone(),
            pages: r.pages.clone(),
            mtus: r.mtus,
        }
    }
}

/// One disputed item of one letter, with the letter's header values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The file the letter was read from, as given to [`Letter::rows`].
    pub file: String,
    /// IMR case number.
    pub case_number: Option<String>,
    /// Decision date, ISO.
    pub decision_date: Option<String>,
    /// Date of injury, ISO.
    pub injury_date: Option<String>,
    /// Date assigned, ISO.
    pub date_assigned: Option<String>,
    /// UR denial date, ISO.
    pub ur_denial_date: Option<String>,
    /// Application received, ISO.
    pub application_received: Option<String>,
    /// Priority ("Standard").
    pub priority: Option<String>,
    /// Claimant's age.
    pub age: Option<u32>,
    /// `male` or `female`.
    pub sex: Option<String>,
    /// Two-letter codes of the states of licensure.
    pub licensure: Vec<String>,
    /// Specialties, one spelling each.
    pub specialties: Vec<String>,
    /// 1-based item number in the letter.
    pub item_number: usize,
    /// The item decided, as written.
    pub item: String,
    /// The treatment the item names, in the rules' vocabulary. The reader
    /// knows no treatment names: [`Letter::rows`] leaves it `None` and a
    /// caller with a vocabulary fills it (`mtus ingest` does).
    pub treatment: Option<String>,
    /// `upheld`, `overturned` or `unreadable`.
    pub decision: Decision,
    /// UR modified the request; `item` is the IMR-eligible portion.
    pub ur_modified: bool,
    /// The original request, when the heading states it.
    pub original_request: Option<String>,
    /// What the claims administrator authorized, when stated.
    pub authorized: Option<String>,
    /// `cited`, `none_cited`, `unread` or `missing` (no citation paragraph).
    pub claims_administrator_evidence: String,
    /// The claims administrator's sources.
    pub claims_administrator: Vec<RowRef>,
    /// As for the claims administrator.
    pub reviewer_evidence: String,
    /// The expert reviewer's (MAXIMUS) sources.
    pub reviewer: Vec<RowRef>,
    /// Page of the item heading.
    pub page: u32,
    /// Line of the item heading.
    pub line: u32,
    /// What could not be read in this letter (all items share the letter's list).
    pub problems: Vec<String>,
}

fn evidence(c: Option<&Citation>) -> (String, Vec<RowRef>) {
    match c {
        None => ("missing".into(), Vec::new()),
        Some(c) => (c.evidence.as_str().into(), c.refs.iter().map(RowRef::from).collect()),
    }
}

impl Letter {
    /// One row per item; `file` names the letter in the rows.
    pub fn rows(&self, file: &str) -> Vec<Row> {
        let v = |o: &Option<crate::Located<String>>| o.as_ref().map(|l| l.value.clone());
        let problems: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        self.items
            .iter()
            .map(|it: &Item| {
                let (ca_e, ca) = evidence(it.claims_administrator.as_ref());
                let (rv_e, rv) = evidence(it.reviewer.as_ref());
                Row {
                    file: file.to_string(),
                    case_number: v(&self.case_number),
                    decision_date: v(&self.decision_date),
                    injury_date: v(&self.injury_date),
                    date_assigned: v(&self.date_assigned),
                    ur_denial_date: v(&self.ur_denial_date),
                    application_received: v(&self.application_received),
                    priority: v(&self.priority),
                    age: self.age.as_ref().map(|a| a.value),
                    sex: self.sex.as_ref().map(|s| s.value.as_str().to_string()),
                    licensure: self.licensure.iter().map(|l| l.value.code.clone()).collect(),
                    specialties: self.specialties.iter().map(|s| s.value.clone()).collect(),
                    item_number: it.number,
                    item: it.text.value.clone(),
                    treatment: None,
                    decision: it.decision.value,
                    ur_modified: it.ur_modified,
                    original_request: v(&it.original_request),
                    authorized: v(&it.authorized),
                    claims_administrator_evidence: ca_e,
                    claims_administrator: ca,
                    reviewer_evidence: rv_e,
                    reviewer: rv,
                    page: it.heading.place.page,
                    line: it.heading.place.line,
                    problems: problems.clone(),
                }
            })
            .collect()
    }
}

/// Writes rows as JSON Lines: one JSON object per line.
pub fn write_jsonl<W: Write>(mut out: W, rows: &[Row]) -> std::io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut out, row)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The CSV shape of a row: lists joined with "; ", citations as JSON arrays.
#[derive(Serialize)]
struct CsvRow<'a> {
    file: &'a str,
    case_number: Option<&'a str>,
    decision_date: Option<&'a str>,
    injury_date: Option<&'a str>,
    date_assigned: Option<&'a str>,
    ur_denial_date: Option<&'a str>,
    application_received: Option<&'a str>,
    priority: Option<&'a str>,
    age: Option<u32>,
    sex: Option<&'a str>,
    licensure: String,
    specialties: String,
    item_number: usize,
    item: &'a str,
    treatment: Option<&'a str>,
    decision: &'a str,
    ur_modified: bool,
    original_request: Option<&'a str>,
    authorized: Option<&'a str>,
    claims_administrator_evidence: &'a str,
    claims_administrator: String,
    reviewer_evidence: &'a str,
    reviewer: String,
    page: u32,
    line: u32,
    problems: String,
}

/// Writes rows as CSV with a header row (lists joined with "; ",
/// citations as JSON arrays in one column each).
pub fn write_csv<W: Write>(out: W, rows: &[Row]) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    for r in rows {
        let json = |refs: &[RowRef]| serde_json::to_string(refs).unwrap_or_else(|_| "[]".into());
        w.serialize(CsvRow {
            file: &r.file,
            case_number: r.case_number.as_deref(),
            decision_date: r.decision_date.as_deref(),
            injury_date: r.injury_date.as_deref(),
            date_assigned: r.date_assigned.as_deref(),
            ur_denial_date: r.ur_denial_date.as_deref(),
            application_received: r.application_received.as_deref(),
            priority: r.priority.as_deref(),
            age: r.age,
            sex: r.sex.as_deref(),
            licensure: r.licensure.join("; "),
            specialties: r.specialties.join("; "),
            item_number: r.item_number,
            item: &r.item,
            treatment: r.treatment.as_deref(),
            decision: r.decision.as_str(),
            ur_modified: r.ur_modified,
            original_request: r.original_request.as_deref(),
            authorized: r.authorized.as_deref(),
            claims_administrator_evidence: &r.claims_administrator_evidence,
            claims_administrator: json(&r.claims_administrator),
            reviewer_evidence: &r.reviewer_evidence,
            reviewer: json(&r.reviewer),
            page: r.page,
            line: r.line,
            problems: r.problems.join("; "),
        })?;
    }
    w.flush()?;
    Ok(())
}
