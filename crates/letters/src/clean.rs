//! Stage 2: normalization of extraction damage.
//!
//! Characters: ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ) are spelled out, non-breaking and
//! other odd spaces become spaces, curly quotes and dashes become ASCII,
//! zero-width and control characters go, runs of spaces collapse, and a
//! space is put back after a sentence stop glued to the next word
//! ("2004.Decision"). Lines: page numbers ("Page 2 of 4", "- 3 -") and
//! lines repeated at the top or bottom of pages (running headers such as
//! a case-number line) are dropped. Every remaining line keeps its
//! original place: removal never renumbers.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::{Line, Place};

static PAGE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:-\s*)?(?:page\s*\d+\s*(?:of\s*\d+)?|\d+\s*of\s*\d+)(?:\s*-)?$").expect("static regex")
});
static BARE_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^-?\s*\d{1,3}\s*-?$").expect("static regex"));
static CASE_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"C[MN]\d{2}-\d{7}").expect("static regex"));
static GLUED_STOP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([a-z0-9)]{2})([.;:,])([A-Z][a-z])").expect("static regex"));

/// Normalizes the characters of one line.
pub fn normalize_chars(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\u{FB00}' => s.push_str("ff"),
            '\u{FB01}' => s.push_str("fi"),
            '\u{FB02}' => s.push_str("fl"),
            '\u{FB03}' => s.push_str("ffi"),
            '\u{FB04}' => s.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => s.push_str("st"),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' => s.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => s.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => s.push('-'),
            '\u{2026}' => s.push_str("..."),
            '\u{00AD}' => s.push('\u{00AD}'),
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c == '\t' || c.is_whitespace() => s.push(' '),
            c if c.is_control() || c == '\u{FFFD}' => {}
            c => s.push(c),
        }
    }
    // A soft hyphen at the end is a line-end hyphenation; elsewhere it is invisible.
    let trimmed = s.trim_end();
    let s = if let Some(stem) = trimmed.strip_suffix('\u{00AD}') {
        format!("{}-", stem.replace('\u{00AD}', ""))
    } else {
        s.replace('\u{00AD}', "")
    };
    let mut out = String::with_capacity(s.len());
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.contains(['.', ';', ':', ',']) && !out.contains("://") {
        GLUED_STOP.replace_all(&out, "$1$2 $3").into_owned()
    } else {
        out
    }
}

/// Plain text to pages of raw lines: form feeds split pages; without any,
/// a "Page N of M" footer line ends page N.
pub fn text_pages(text: &str) -> Vec<Vec<String>> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.contains('\u{000C}') {
        return text
            .split('\u{000C}')
            .map(|p| p.lines().map(str::to_string).collect())
            .collect();
    }
    let mut pages = vec![Vec::new()];
    for line in text.lines() {
        let footer = PAGE_FOOTER.is_match(&normalize_chars(line));
        if let Some(page) = pages.last_mut() {
            page.push(line.to_string());
        }
        if footer {
            pages.push(Vec::new());
        }
    }
    if pages.last().is_some_and(|p| p.iter().all(|l| l.trim().is_empty())) && pages.len() > 1 {
        pages.pop();
    }
    pages
}

/// Normalizes pages of raw lines into located lines, without page furniture.
pub fn clean(pages: &[Vec<String>]) -> Vec<Line> {
    let mut lines: Vec<Vec<Line>> = Vec::with_capacity(pages.len());
    for (p, page) in pages.iter().enumerate() {
        let page_no = u32::try_from(p + 1).unwrap_or(u32::MAX);
        lines.push(
            page.iter()
                .enumerate()
                .map(|(l, raw)| Line {
                    place: Place {
                        page: page_no,
                        line: u32::try_from(l + 1).unwrap_or(u32::MAX),
                    },
                    text: normalize_chars(raw),
                })
                .collect(),
        );
    }
    let furniture = repeated_edges(&lines);
    let mut seen_case_lines: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for page in lines {
        let edges = edge_indexes(&page);
        for (i, line) in page.into_iter().enumerate() {
            let t = line.text.as_str();
            let at_edge = edges.contains(&i);
            if PAGE_FOOTER.is_match(t) || (at_edge && BARE_NUMBER.is_match(t)) {
                continue;
            }
            // A line with the case number is kept the first time it is seen
            // (it may be the header's own line) and dropped when repeated;
            // at the edge of a page after the first it is a running header
            // or footer even the first time.
            if t.len() <= 90 && CASE_NUMBER.is_match(t) {
                let n = seen_case_lines.entry(t.to_string()).or_default();
                *n += 1;
                if *n > 1 || (at_edge && line.place.page > 1) {
                    continue;
                }
            } else if at_edge && furniture.contains_key(t) {
                continue;
            }
            out.push(line);
        }
    }
    out
}

/// Indexes of the first and last two non-blank lines of a page.
fn edge_indexes(page: &[Line]) -> Vec<usize> {
    let filled: Vec<usize> = page
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.text.is_empty())
        .map(|(i, _)| i)
        .collect();
    let mut v: Vec<usize> = filled.iter().take(2).copied().collect();
    v.extend(filled.iter().rev().take(2));
    v
}

/// Running headers and footers: the same text as the first (or last)
/// filled line of at least three pages and half of them.
fn repeated_edges(pages: &[Vec<Line>]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let mut filled = page.iter().filter(|l| !l.text.is_empty());
        let first = filled.next();
        let last = filled.next_back();
        for t in [first, last].into_iter().flatten() {
            *counts.entry(t.text.clone()).or_default() += 1;
        }
    }
    let need = pages.len().div_ceil(2).max(3);
    counts.retain(|t, n| *n >= need && t.len() >= 4);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters() {
        assert_eq!(
            normalize_chars("\u{FB01}nal \u{201C}quoted\u{201D}\u{00A0}\u{00A0}text\t"),
            "final \"quoted\" text"
        );
        assert_eq!(normalize_chars("MTUS 2004.Decision based"), "MTUS 2004. Decision based");
        assert_eq!(normalize_chars("ther\u{00AD}"), "ther-");
        assert_eq!(
            normalize_chars("Ph.D. and e.g. http://a.Bc"),
            "Ph.D. and e.g. http://a.Bc"
        );
    }

    #[test]
    fn footers_go_places_stay() {
        let pages = vec![
            vec![
                "Case CM16-0000001".to_string(),
                "one".into(),
                "two".into(),
                "Page 1 of 2".into(),
            ],
            vec!["Case CM16-0000001".to_string(), "three".into(), "2".into()],
        ];
        let lines = clean(&pages);
        let texts: Vec<_> = lines
            .iter()
            .map(|l| (l.place.page, l.place.line, l.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            vec![
                (1, 1, "Case CM16-0000001"),
                (1, 2, "one"),
                (1, 3, "two"),
                (2, 2, "three")
            ]
        );
    }

    #[test]
    fn case_number_running_header_goes_from_later_pages() {
        let pages = vec![
            vec![
                "Case Number: CM16-0000001".to_string(),
                "one".into(),
                "Page 1 of 2".into(),
            ],
            vec!["IMR Case Number CM16-0000001".to_string(), "two".into(), "three".into()],
        ];
        let texts: Vec<_> = clean(&pages).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["Case Number: CM16-0000001", "one", "two", "three"]);
    }

    #[test]
    fn footer_splits_pages_in_text() {
        let pages = text_pages("a\nPage 1 of 2\nb\n");
        assert_eq!(
            pages,
            vec![vec!["a".to_string(), "Page 1 of 2".into()], vec!["b".to_string()]]
        );
    }
}
