//! Stage 5: a side's guideline citation as structured values.
//!
//! 2014 on, a citation is a run of sentences "Decision based on MTUS
//! <guideline> <year>[, Section(s): <sections>][, and <guideline> <year>
//! ...]." and "Decision based on Non-MTUS Citation <source>.", or "... did
//! not cite any medical evidence for its decision." 2013 letters cite in
//! prose ("... based its decision on the MTUS Chronic Pain Medical
//! Treatment Guidelines, page 99"), read clause by clause.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::Place;
use crate::text::Joined;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// Whether a side cited evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// At least one source was read.
    Cited,
    /// "... did not cite any medical evidence for its decision."
    NoneCited,
    /// There is text, but no source could be read from it (see `raw`).
    Unread,
}

impl Evidence {
    /// `cited`, `none_cited` or `unread` (as in [`Row`](crate::Row)).
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Cited => "cited",
            Evidence::NoneCited => "none_cited",
            Evidence::Unread => "unread",
        }
    }
}

/// One source a side relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidelineRef {
    /// For MTUS, the guideline as named ("Chronic Pain Medical
    /// Treatment", "Low Back Complaints"); otherwise "ODG", "ACOEM
    /// Occupational Medicine Practice Guidelines, 3rd ed.", "UpToDate", a
    /// URL, or the citation as written.
    pub source: String,
    /// The guideline's year ("2016"), when written.
    pub year: Option<u16>,
    /// Sections or chapters, as written.
    pub sections: Vec<String>,
    /// Pages ("607", "98-99").
    pub pages: Vec<String>,
    /// Part of the MTUS.
    pub mtus: bool,
    /// Where this source's sentence begins.
    pub place: Place,
}

/// A side's citation: the text as written and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Where the citation begins.
    pub place: Place,
    /// The citation as written, wrapped lines joined.
    pub raw: String,
    /// Whether evidence was cited.
    pub evidence: Evidence,
    /// The sources, in the order cited.
    pub refs: Vec<GuidelineRef>,
}

static NO_EVIDENCE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)did\s*not\s*cite\s*any\s*(?:medical\s*)?(?:evidence|criteria)"));
static BASED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)decision\s*based\s*on\s*"));
static NON_MTUS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^non\s*-?\s*mtus\s*citations?\s*:?\s*"));
static MTUS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^(?:the\s*)?mtus\s*(?:guidelines?)?\s*[:,]?\s*"));
static GUIDE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|,?\s*\band\s+)(?P<name>[A-Z][A-Za-z,&'/ -]*?)\s*,?\s*\(?(?P<year>(?:19|20)\d{2})\)?"));
static SECTION_LEAD: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^[\s,;:.]*(?:sections?\s*\(?s?\)?\s*:?\s*)?"));
static PAGES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:pgs?|pages?|pp?)\s*\.?\s*\(?s?\)?\s*(\d+(?:\s*-\s*\d+)?(?:\s*(?:,|&|and)\s*\d+(?:\s*-\s*\d+)?)*)")
});
static YEAR: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[^/\d-])((?:19|20)\d{2})\b"));
static ODG: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:the\s*)?official\s*disability\s*guidelines?\s*(?:\(\s*odg\s*\))?|\bodg\b"));
static ACOEM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:the\s*)?(?:(?:3rd|third|2nd|second)\s*edition\s*)?(?:american\s*college\s*of\s*occupational\s*and\s*environmental\s*medicine\s*\(?\s*)?acoem\)?(?:\s*occupational\s*medicine)?(?:\s*practice)?(?:\s*guidelines?)?\s*,?\s*(?:\(?\s*(?:(?:3rd|third|2nd|second)\s*(?:ed\.?|edition)|\d{4})\s*\)?)?",
    )
});
static UPTODATE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bup\s*-?\s*to\s*-?\s*date(?:\.com)?\b"));
static URL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:https?://|www\.)\S+"));
static MTUS_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(chronic\s*pain\s*medical\s*treatment|acupuncture\s*(?:medical\s*)?treatment|post-?\s*surgical\s*treatment|opioid\s*treatment|low\s*back\s*complaints|neck\s*and\s*upper\s*back\s*complaints|shoulder\s*complaints|knee\s*complaints|elbow\s*(?:disorders|complaints)|forearm,?\s*wrist,?\s*and\s*hand\s*complaints|ankle\s*and\s*foot\s*complaints|general\s*approaches|stress\s*related\s*conditions)\b",
    )
});

/// Reads a citation from its joined text (label already removed).
pub(crate) fn parse(j: &Joined) -> Citation {
    let raw = j.text.trim().to_string();
    let place = j.start();
    if NO_EVIDENCE.is_match(&raw) {
        return Citation {
            place,
            raw,
            evidence: Evidence::NoneCited,
            refs: Vec::new(),
        };
    }
    let starts: Vec<regex::Match> = BASED.find_iter(&j.text).collect();
    let mut refs = Vec::new();
    if starts.is_empty() {
        prose(&j.text, 0, j, &mut refs);
    }
    for (k, m) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(j.text.len(), |n| n.start());
        let seg = &j.text[m.end()..end];
        // A citation may be quoted: the closing quote goes with the stop.
        let seg_end = seg
            .trim_end()
            .trim_end_matches(['.', '"'])
            .trim_end()
            .trim_end_matches('.')
            .len();
        let seg = &seg[..seg_end];
        if let Some(n) = NON_MTUS.find(seg) {
            non_mtus(&seg[n.end()..], j.place_at(m.start()), &mut refs);
        } else if let Some(n) = MTUS.find(seg) {
            mtus_chain(&seg[n.end()..], m.end() + n.end(), j, &mut refs);
        } else {
            prose(seg, m.end(), j, &mut refs);
        }
    }
    let evidence = if refs.is_empty() {
        Evidence::Unread
    } else {
        Evidence::Cited
    };
    Citation {
        place,
        raw,
        evidence,
        refs,
    }
}

fn year_of(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|y| (1950..=2100).contains(y))
}

/// "Low Back Complaints 2004, Section(s): Summary, and Chronic Pain
/// Medical Treatment 2016, Section(s): Facet blocks".
fn mtus_chain(text: &str, base: usize, j: &Joined, refs: &mut Vec<GuidelineRef>) {
    let heads: Vec<regex::Captures> = GUIDE
        .captures_iter(text)
        .filter(|c| {
            let Some(y) = c.name("year") else { return false };
            !text[y.end()..].starts_with(|ch: char| ch.is_ascii_digit())
        })
        .collect();
    if heads.is_empty() || heads.first().and_then(|c| c.get(0)).is_some_and(|m| m.start() > 0) {
        let name = text.split(',').next().unwrap_or(text).trim();
        let name = name.trim_end_matches(" Guidelines").trim_end_matches(" Guideline");
        let (sections, pages) = sections_and_pages(text.get(name.len()..).unwrap_or(""));
        refs.push(GuidelineRef {
            source: name.to_string(),
            year: None,
            sections,
            pages,
            mtus: true,
            place: j.place_at(base),
        });
        return;
    }
    for (k, c) in heads.iter().enumerate() {
        let (Some(all), Some(name), Some(year)) = (c.get(0), c.name("name"), c.name("year")) else {
            continue;
        };
        let end = heads
            .get(k + 1)
            .and_then(|n| n.get(0))
            .map_or(text.len(), |n| n.start());
        let (sections, pages) = sections_and_pages(&text[all.end()..end]);
        let source = name.as_str().trim().trim_end_matches(',');
        let source = source
            .trim_end_matches(" Guidelines")
            .trim_end_matches(" Guideline")
            .trim();
        refs.push(GuidelineRef {
            source: source.to_string(),
            year: year_of(year.as_str()),
            sections,
            pages,
            mtus: true,
            place: j.place_at(base + name.start()),
        });
    }
}

/// Splits what follows a source into sections and pages.
fn sections_and_pages(rest: &str) -> (Vec<String>, Vec<String>) {
    let mut pages = Vec::new();
    for c in PAGES.captures_iter(rest) {
        if let Some(list) = c.get(1) {
            for p in list.as_str().split([',', '&']).flat_map(|p| p.split(" and ")) {
                let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                if !p.is_empty() {
                    pages.push(p);
                }
            }
        }
    }
    let without_pages = PAGES.replace_all(rest, "");
    let lead = SECTION_LEAD.find(&without_pages).map_or(0, |m| m.end());
    let body = without_pages[lead..].trim().trim_end_matches(['.', ',', ';']).trim();
    let sections = split_sections(body).into_iter().filter(|s| !s.is_empty()).collect();
    (sections, pages)
}

/// Splits a section list on commas that start a new capitalized or
/// numbered section, outside parentheses ("TENS, chronic pain" stays one).
fn split_sections(s: &str) -> Vec<String> {
    static ONE_NAME: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)forearm,\s*wrist,?\s*(?:and|&)?\s*hand|pain,\s*suffering,?\s*and\s*the\s*restoration\s*of\s*function|head\s*\(trauma,\s*headaches,\s*etc\.,",
        )
    });
    // Commas inside a name that has commas of its own are hidden while splitting.
    let hidden = ONE_NAME.replace_all(s, |c: &regex::Captures| c[0].replace(',', "\u{1}"));
    split_plain(&hidden)
        .into_iter()
        .map(|p| p.replace('\u{1}', ","))
        .collect()
}

fn split_plain(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if (c == ',' || c == ';') && depth <= 0 {
            let mut k = i + 1;
            while chars.get(k).is_some_and(|c| c.is_whitespace()) {
                k += 1;
            }
            let next_word: String = chars[k.min(chars.len())..]
                .iter()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            let starts_new = chars.get(k).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            // ", which is (not) part of the MTUS" (2013) stands apart from the section before it.
            if c == ';' || (starts_new && next_word != "and") || next_word == "which" {
                out.push(cur.trim().to_string());
                cur.clear();
                i = k;
                continue;
            }
            if next_word == "and" {
                out.push(cur.trim().to_string());
                cur.clear();
                i = k + 3;
                continue;
            }
        }
        cur.push(c);
        i += 1;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A non-MTUS source: ODG, ACOEM 3rd ed., UpToDate, web pages, studies.
fn non_mtus(text: &str, place: Place, refs: &mut Vec<GuidelineRef>) {
    let text = text.trim().trim_matches('"').trim();
    if URL.is_match(text) {
        for u in URL.find_iter(text) {
            let source = u.as_str().trim_end_matches([',', '.', ';']).to_string();
            refs.push(GuidelineRef {
                source,
                year: None,
                sections: Vec::new(),
                pages: Vec::new(),
                mtus: false,
                place,
            });
        }
        return;
    }
    // "ACOEM guidelines and Official Disability Guidelines ...": two sources.
    if let (Some(o), Some(a)) = (ODG.find(text), ACOEM.find(text)) {
        let cut = o.start().max(a.start());
        let (first, second) = text.split_at(cut);
        let first = first.trim_end().trim_end_matches(" and").trim_end_matches([',', ';']);
        non_mtus(first, place, refs);
        non_mtus(second, place, refs);
        return;
    }
    let (source, rest) = if let Some(m) = ODG.find(text) {
        (
            "ODG".to_string(),
            format!("{} {}", &text[..m.start()], &text[m.end()..]),
        )
    } else if let Some(m) = ACOEM.find(text) {
        let lower = text.to_lowercase();
        let ed = if lower.contains("3rd") || lower.contains("third") {
            ", 3rd ed."
        } else if lower.contains("2nd") || lower.contains("second") {
            ", 2nd ed."
        } else {
            ""
        };
        (
            format!("ACOEM Occupational Medicine Practice Guidelines{ed}"),
            format!("{} {}", &text[..m.start()], &text[m.end()..]),
        )
    } else if let Some(m) = UPTODATE.find(text) {
        (
            "UpToDate".to_string(),
            format!("{} {}", &text[..m.start()], &text[m.end()..]),
        )
    } else {
        let year = YEAR
            .captures(text)
            .and_then(|c| c.get(1))
            .and_then(|y| year_of(y.as_str()));
        let (_, pages) = sections_and_pages(text);
        refs.push(GuidelineRef {
            source: text.to_string(),
            year,
            sections: Vec::new(),
            pages,
            mtus: false,
            place,
        });
        return;
    };
    let year = YEAR
        .captures(&rest)
        .and_then(|c| c.get(1))
        .and_then(|y| year_of(y.as_str()));
    let rest = YEAR.replace_all(&rest, |c: &regex::Captures| c[0].replace(&c[1], ""));
    let rest = rest.replace("Web Version", "").replace("web version", "");
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || ",.;:-\"".contains(c));
    let (sections, pages) = sections_and_pages(rest);
    let sections = sections
        .into_iter()
        .map(|s| {
            s.trim_matches(|c: char| c.is_whitespace() || ",.;:-\"".contains(c))
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    refs.push(GuidelineRef {
        source,
        year,
        sections,
        pages,
        mtus: false,
        place,
    });
}

/// 2013 prose, clause by clause: which MTUS guideline, ODG, ACOEM or
/// other source each clause names, with its pages.
fn prose(text: &str, base: usize, j: &Joined, refs: &mut Vec<GuidelineRef>) {
    static CLAUSE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i);|\.\s+|,?\s+and\s+(?:on\s+)?(?:the\s+)?"));
    let mut last = 0;
    let mut clauses = Vec::new();
    for m in CLAUSE.find_iter(text) {
        clauses.push((last, &text[last..m.start()]));
        last = m.end();
    }
    clauses.push((last, &text[last..]));
    for (off, clause) in clauses {
        let place = j.place_at(base + off);
        let lower = clause.to_lowercase();
        let not_mtus =
            lower.contains("not part of the mtus") || lower.contains("non-mtus") || lower.contains("non mtus");
        if let Some(m) = MTUS_NAMES.find(clause).filter(|_| !not_mtus) {
            let year = YEAR
                .captures(clause)
                .and_then(|c| c.get(1))
                .and_then(|y| year_of(y.as_str()));
            let (_, pages) = sections_and_pages(clause);
            let source = title_case(m.as_str());
            refs.push(GuidelineRef {
                source,
                year,
                sections: Vec::new(),
                pages,
                mtus: true,
                place,
            });
        } else if ODG.is_match(clause) || UPTODATE.is_match(clause) || URL.is_match(clause) {
            non_mtus(without_lead_in(clause), place, refs);
        } else if ACOEM.is_match(clause) {
            let n = refs.len();
            non_mtus(without_lead_in(clause), place, refs);
            if let Some(r) = refs.get_mut(n) {
                r.mtus = !not_mtus && (lower.contains("mtus") || lower.contains("2nd") || lower.contains("2004"));
            }
        }
    }
}

/// A 2013 clause without the words that lead up to its source ("The
/// Expert Reviewer relied on the Official Disability Guidelines ...").
fn without_lead_in(clause: &str) -> &str {
    static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)^\s*(?:the\s+)?(?:claims\s+administrator|expert\s+reviewer|reviewer|utilization\s+review(?:er)?|ur)\b.{0,60}?\b(?:relied\s+(?:up)?on|based\s+(?:its|their|his|her|the)\s+(?:decision|determination)\s+on|cited|referenced|used|quoted)\s+",
        )
    });
    LEAD_IN.find(clause).map_or(clause, |m| &clause[m.end()..])
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lw = w.to_lowercase();
            if lw == "and" {
                return lw;
            }
            let mut c = lw.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Line, text::Words};

    fn cite(s: &str) -> Citation {
        let lines = vec![Line {
            place: Place { page: 1, line: 1 },
            text: s.to_string(),
        }];
        parse(&Joined::from_lines(&lines, &Words::default()))
    }

    #[test]
    fn mtus_chain_with_sections_and_non_mtus() {
        let c = cite(
            "Decision based on MTUS Low Back Complaints 2004, Section(s): Summary, and Chronic Pain Medical Treatment 2016, Section(s): Facet blocks. Decision based on Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders, pg. 607.",
        );
        assert_eq!(c.evidence, Evidence::Cited);
        let got: Vec<_> = c
            .refs
            .iter()
            .map(|r| (r.source.as_str(), r.year, r.sections.clone(), r.pages.clone(), r.mtus))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Low Back Complaints",
                    Some(2004),
                    vec!["Summary".to_string()],
                    vec![],
                    true
                ),
                (
                    "Chronic Pain Medical Treatment",
                    Some(2016),
                    vec!["Facet blocks".to_string()],
                    vec![],
                    true
                ),
                (
                    "ACOEM Occupational Medicine Practice Guidelines, 3rd ed.",
                    None,
                    vec!["Low Back Disorders".to_string()],
                    vec!["607".to_string()],
                    false
                ),
            ]
        );
    }

    #[test]
    fn odg_and_none() {
        let c = cite(
            "The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee and Leg Chapter, Durable medical equipment.",
        );
        let r = &c.refs[0];
        assert_eq!((r.source.as_str(), r.mtus), ("ODG", false));
        assert_eq!(
            r.sections,
            vec![
                "Knee and Leg Chapter".to_string(),
                "Durable medical equipment".to_string()
            ]
        );
        assert_eq!(
            cite("The Expert Reviewer did not cite any medical evidence for its decision.").evidence,
            Evidence::NoneCited
        );
        assert_eq!(cite("illegible").evidence, Evidence::Unread);
    }

    #[test]
    fn commas_inside_a_section_stay() {
        let c = cite(
            "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): TENS, chronic pain (transcutaneous electrical nerve stimulation), Forearm, Wrist, and Hand Complaints 2004.",
        );
        assert_eq!(
            c.refs[0].sections,
            vec![
                "TENS, chronic pain (transcutaneous electrical nerve stimulation)".to_string(),
                "Forearm".to_string(),
                "Wrist".to_string()
            ]
        );
    }
}
