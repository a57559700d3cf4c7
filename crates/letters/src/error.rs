//! Errors and the problems a partial read reports.

use serde::Serialize;

use crate::Place;

/// Why a letter could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The bytes are not a PDF file this reader can open.
    #[error("not a readable PDF: {0}")]
    Pdf(String),
    /// The PDF opened but holds no text layer (a scan, or empty pages).
    #[error("the PDF has no text layer (pages: {pages}); a scanned letter needs OCR first")]
    NoText {
        /// Number of pages in the document.
        pages: usize,
    },
    /// The text is not an IMR final determination letter.
    #[error("not an IMR final determination letter: {reason}")]
    NotALetter {
        /// What was looked for and not found.
        reason: String,
    },
    /// The text is a letter, but no disputed item could be read.
    #[error("no disputed item could be read{}: {message}", at(.place))]
    NoItems {
        /// Where the item section starts, when it was found.
        place: Option<Place>,
        /// What is missing.
        message: String,
    },
}

fn at(place: &Option<Place>) -> String {
    match place {
        Some(p) => format!(" (section at page {}, line {})", p.page, p.line),
        None => String::new(),
    }
}

/// Something a letter was expected to hold but that could not be read;
/// the rest of the letter is still returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field or part that could not be read (e.g. `decision_date`, `item 2 decision`).
    pub what: String,
    /// Where the reader looked, when known.
    pub place: Option<Place>,
    /// What went wrong, in words.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(what: impl Into<String>, place: Option<Place>, message: impl Into<String>) -> Self {
        Problem {
            what: what.into(),
            place,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.place {
            Some(p) => write!(f, "{} (page {}, line {}): {}", self.what, p.page, p.line, self.message),
            None => write!(f, "{}: {}", self.what, self.message),
        }
    }
}
