//! Reads California IMR final determination letters.
//!
//! A letter comes in as PDF bytes with a text layer ([`read_pdf`]) or as
//! text extracted elsewhere ([`read_text`]) and goes out as a [`Letter`]:
//! header dates, the reviewer's licensure and specialties, the claimant's
//! age and sex, the clinical case summary, and each disputed [`Item`] with
//! its [`Decision`], any utilization-review modification and both sides'
//! [`Citation`]s. Every value carries its [`Place`] (page and line, 1-based,
//! in the letter as extracted); [`explain`] shows which line gave which
//! value, and [`Letter::rows`] flattens a letter into one [`Row`] per item
//! for analysts ([`write_csv`], [`write_jsonl`]).
//!
//! Stages: [`pdf`] (bytes to pages of lines), [`clean`] (normalization),
//! `layout` (sections and header), `items`, `citation`, [`row`],
//! [`explain`](mod@explain), [`error`].
//!
//! What cannot be read is never guessed: a decision word that is missing
//! or damaged is [`Decision::Unreadable`], and each value that could not be
//! read is listed in [`Letter::problems`] with the place looked at.

#![forbid(unsafe_code)]

pub mod citation;
pub mod clean;
pub mod error;
pub mod explain;
mod items;
mod layout;
pub mod pdf;
pub mod row;
mod states;
mod text;

use serde::Serialize;

pub use citation::{Citation, Evidence, GuidelineRef};
pub use error::{LetterError, Problem};
pub use explain::explain;
pub use row::{Row, write_csv, write_jsonl};

/// Where a value was read: page and line, both 1-based, in the letter as
/// extracted (blank lines count; removed page furniture keeps its number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Place {
    /// Page, from 1.
    pub page: u32,
    /// Line on the page, from 1.
    pub line: u32,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "p{}:{}", self.page, self.line)
    }
}

/// A value and the place it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it begins in the letter.
    pub place: Place,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T, place: Place) -> Self {
        Located { value, place }
    }
}

/// One line of the letter after normalization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// Where the line is.
    pub place: Place,
    /// Its text, normalized (empty for a blank line).
    pub text: String,
}

/// Which letter layout was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// 2014 on: header table, "The Expert Reviewer has the following
    /// credentials", items ending in ": Upheld" / ": Overturned".
    Current,
    /// 2013: "Medical Qualifications of the Expert Reviewer", decisions as
    /// "... has determined the request for X is (not) medically necessary
    /// and appropriate".
    Legacy2013,
}

/// The decision on one disputed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The denial (or modification) stands: not medically necessary.
    Upheld,
    /// The denial is reversed: medically necessary.
    Overturned,
    /// The decision word is missing or damaged; never guessed.
    Unreadable,
}

impl Decision {
    /// `upheld`, `overturned` or `unreadable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Upheld => "upheld",
            Decision::Overturned => "overturned",
            Decision::Unreadable => "unreadable",
        }
    }
}

/// The claimant's sex as the summary states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// "male", "man", "gentleman".
    Male,
    /// "female", "woman", "lady".
    Female,
}

impl Sex {
    /// `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A state the reviewer is licensed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Licensure {
    /// Full state name ("California").
    pub state: String,
    /// Two-letter postal code ("CA").
    pub code: String,
}

/// One disputed item and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// 1-based order in the letter.
    pub number: usize,
    /// The request decided, as written, wrapped lines joined; for a
    /// modified request, the IMR-eligible portion.
    pub text: Located<String>,
    /// The whole heading as written (wrapped lines joined, decision word included).
    pub heading: Located<String>,
    /// The decision and the place of its word (the heading's end when unreadable).
    pub decision: Located<Decision>,
    /// Utilization review modified the request; `text` is the remaining
    /// IMR-eligible portion.
    pub ur_modified: bool,
    /// The original request, when the heading states it.
    pub original_request: Option<Located<String>>,
    /// What the claims administrator authorized, when the heading states it.
    pub authorized: Option<Located<String>>,
    /// The claims administrator's citation.
    pub claims_administrator: Option<Citation>,
    /// The expert reviewer's (MAXIMUS) citation.
    pub reviewer: Option<Citation>,
    /// The decision rationale, line by line.
    pub rationale: Vec<Line>,
}

/// A final determination letter as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    /// Which layout the letter has.
    pub layout: Layout,
    /// IMR case number ("CM16-0219557").
    pub case_number: Option<Located<String>>,
    /// Date assigned, ISO `YYYY-MM-DD`.
    pub date_assigned: Option<Located<String>>,
    /// Date of injury, ISO.
    pub injury_date: Option<Located<String>>,
    /// Decision date, ISO.
    pub decision_date: Option<Located<String>>,
    /// Utilization review denial date, ISO.
    pub ur_denial_date: Option<Located<String>>,
    /// Priority ("Standard", "Expedited").
    pub priority: Option<Located<String>>,
    /// Application received, ISO.
    pub application_received: Option<Located<String>>,
    /// States of licensure.
    pub licensure: Vec<Located<Licensure>>,
    /// Specialties, one spelling per specialty (see [`canonical_specialty`]).
    pub specialties: Vec<Located<String>>,
    /// The specialty field as written, wrapped lines joined.
    pub specialty_text: Option<Located<String>>,
    /// Claimant's age in years.
    pub age: Option<Located<u32>>,
    /// Claimant's sex.
    pub sex: Option<Located<Sex>>,
    /// The clinical case summary, line by line.
    pub summary: Vec<Line>,
    /// The disputed items in letter order.
    pub items: Vec<Item>,
    /// What could not be read.
    pub problems: Vec<Problem>,
    /// All lines of the letter after normalization.
    pub lines: Vec<Line>,
}

pub use layout::canonical_specialty;

/// Reads a letter from PDF bytes (text layer; the empty password opens an
/// encrypted file).
pub fn read_pdf(bytes: &[u8]) -> Result<Letter, LetterError> {
    let pages = pdf::pages_of_lines(bytes)?;
    read_lines(clean::clean(&pages), false)
}

/// Reads a letter from text extracted elsewhere. Form feeds separate
/// pages; without them a "Page N of M" footer ends page N.
pub fn read_text(text: &str) -> Result<Letter, LetterError> {
    let pages = clean::text_pages(text);
    read_lines(clean::clean(&pages), true)
}

fn read_lines(lines: Vec<Line>, from_text: bool) -> Result<Letter, LetterError> {
    let words = text::Words::new(&lines, from_text);
    layout::read(lines, &words)
}
