//! Stage 3: the letter's sections, its header table and the reviewer.
//!
//! Sections are found by their headings, tolerant of lost spaces and case:
//! the header (everything before "HOW THE IMR FINAL DETERMINATION WAS
//! MADE" or the reviewer part), the reviewer's credentials (2014 on:
//! "The Expert Reviewer has the following credentials"; 2013: "Medical
//! Qualifications of the Expert Reviewer"), the clinical case summary and
//! "IMR ISSUES, DECISIONS AND RATIONALES".

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{Joined, Words};
use crate::{Layout, Letter, LetterError, Licensure, Line, Located, Place, Problem, Sex, items, states};

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

static HOW: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^how\s*the\s*imr\s*final\s*determination\s*was\s*made"));
static CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)expert\s*reviewer\s*has\s*the\s*following\s*credentials"));
static QUALIFICATIONS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^medical\s*qualifications\s*of\s*the\s*expert\s*reviewer"));
static SUMMARY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:clinical\s*case\s*summary|expert\s*reviewer\s*case\s*summary)\b"));
static ISSUES: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^imr\s*issues?\s*,?\s*decisions?\s*(?:and|&)\s*rationales?"));
static DOCUMENTS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^documents\s*reviewed\b"));
static DETERMINED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)has\s*determined\s*(?:that\s*)?the\s*request\s*for"));
static CASE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)case\s*(?:number|no\.?|#)\s*:?\s*(C\s*[MN]\s*\d{2}\s*-\s*\d{7})"));
static CASE_ANY: LazyLock<Regex> = LazyLock::new(|| re(r"\bC[MN]\d{2}-\d{7}\b"));
const DATE: &str = r"(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{4}|\d{2})\b";
static PRIORITY: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)priority\s*:?\s*(standard|expedited|urgent|regular)"));
static LICENSURE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)state\s*\(?s?\)?\s*of\s*licen[sc]ure\s*:?"));
static SPECIALTY: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)certification\s*\(?s?\)?\s*/?\s*specialt(?:y|ies)\s*:?"));
static BOARD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)board\s*certified\s*in\s*(.+?)(?:,?\s*(?:and\s*)?has\s*a\s*sub-?\s*specialty\s*in\s*(.+?))?,?\s*(?:and\s*)?is\s*licensed\s*to\s*practice\s*in\s*(.+?)\.(?:\s|$)",
    )
});
static AGE_SEX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(\d{1,3})\s*-?\s*(?:years?|yrs?|y/?o)\s*-?\s*(?:old)?\s*-?\s*,?\s*(male|female|man|woman|gentleman|lady|boy|girl)?\b",
    )
});

/// Header labels, in the order they are looked for, with the field they fill.
const DATE_LABELS: &[(&str, &str)] = &[
    ("date_assigned", r"(?i)date\s*assigned\s*:?\s*"),
    ("injury_date", r"(?i)date\s*of\s*injury\s*:?\s*"),
    ("decision_date", r"(?i)decision\s*date\s*:?\s*"),
    ("ur_denial_date", r"(?i)u\.?\s*r\.?\s*denial\s*date\s*:?\s*"),
    (
        "application_received",
        r"(?i)application\s*(?:received)?\s*:?\s*(?:received\s*:?\s*)?",
    ),
];
static DATE_LABEL_RES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    DATE_LABELS
        .iter()
        .map(|(_, l)| re(&format!("{l}(?:[A-Za-z: ]{{0,24}}?\\s)?{DATE}")))
        .collect()
});

/// Spelling variants of a specialty, made one. Keys are lowercase with
/// "&" read as "and" and spaces collapsed; the value is how the project
/// writes the specialty.
const SPECIALTY_TABLE: &[(&str, &str)] = &[
    ("family practice", "Family Medicine"),
    ("family medicine", "Family Medicine"),
    ("general practice", "Family Medicine"),
    (
        "physical medicine and rehabilitation",
        "Physical Medicine & Rehabilitation",
    ),
    ("physical medicine and rehab", "Physical Medicine & Rehabilitation"),
    ("physical medicine", "Physical Medicine & Rehabilitation"),
    ("pmandr", "Physical Medicine & Rehabilitation"),
    ("pm and r", "Physical Medicine & Rehabilitation"),
    ("physiatry", "Physical Medicine & Rehabilitation"),
    ("orthopedic surgery", "Orthopedic Surgery"),
    ("orthopaedic surgery", "Orthopedic Surgery"),
    ("orthopedics", "Orthopedic Surgery"),
    ("orthopaedics", "Orthopedic Surgery"),
    ("pain management", "Pain Management"),
    ("pain medicine", "Pain Management"),
    ("chiropractor", "Chiropractic"),
    ("chiropractic", "Chiropractic"),
    ("chiropractic medicine", "Chiropractic"),
    ("doctor of chiropractic", "Chiropractic"),
    ("preventive medicine", "Preventive Medicine"),
    ("preventative medicine", "Preventive Medicine"),
    ("occupational medicine", "Occupational Medicine"),
    (
        "public health and general preventive medicine",
        "Public Health & General Preventive Medicine",
    ),
    (
        "public health and general preventative medicine",
        "Public Health & General Preventive Medicine",
    ),
    ("hospice and palliative medicine", "Hospice & Palliative Medicine"),
    ("anesthesiology", "Anesthesiology"),
    ("anaesthesiology", "Anesthesiology"),
    ("anesthesia", "Anesthesiology"),
    ("internal medicine", "Internal Medicine"),
    ("emergency medicine", "Emergency Medicine"),
    ("neurology", "Neurology"),
    ("neurological surgery", "Neurological Surgery"),
    ("neurosurgery", "Neurological Surgery"),
    ("psychiatry", "Psychiatry"),
    ("psychology", "Psychology"),
    ("clinical psychology", "Psychology"),
    ("sports medicine", "Sports Medicine"),
    ("rheumatology", "Rheumatology"),
    ("medical toxicology", "Medical Toxicology"),
    ("podiatry", "Podiatric Surgery"),
    ("podiatric surgery", "Podiatric Surgery"),
    ("podiatrist", "Podiatric Surgery"),
    ("acupuncture", "Acupuncture"),
    ("acupuncturist", "Acupuncture"),
    ("plastic surgery", "Plastic Surgery"),
    ("hand surgery", "Hand Surgery"),
    ("general surgery", "General Surgery"),
    ("dentistry", "Dentistry"),
    ("dentist", "Dentistry"),
    ("ophthalmology", "Ophthalmology"),
    ("otolaryngology", "Otolaryngology"),
    ("urology", "Urology"),
    ("pediatric rehabilitation medicine", "Pediatric Rehabilitation Medicine"),
    ("neuromuscular medicine", "Neuromuscular Medicine"),
    ("spinal cord injury medicine", "Spinal Cord Injury Medicine"),
    ("brain injury medicine", "Brain Injury Medicine"),
];

/// One spelling for a specialty: Family Practice and Family Medicine are
/// both "Family Medicine" (see `SPECIALTY_TABLE` in the source for every
/// variant). A specialty not in the table is returned as written, trimmed.
pub fn canonical_specialty(s: &str) -> String {
    let key = s
        .replace('&', " and ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let key = key.trim_end_matches(['.', ',', ';']).trim();
    match SPECIALTY_TABLE.iter().find(|(k, _)| *k == key) {
        Some((_, v)) => (*v).to_string(),
        None => s.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Index of the first line at or after `from` matching `re`.
fn find(lines: &[Line], from: usize, re: &Regex) -> Option<usize> {
    lines
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, l)| re.is_match(&l.text))
        .map(|(i, _)| i)
}

/// Section boundaries, as line indexes.
struct Sections {
    how: Option<usize>,
    reviewer: Option<usize>,
    summary: Option<usize>,
    documents: Option<usize>,
    issues: Option<usize>,
}

pub(crate) fn read(lines: Vec<Line>, words: &Words) -> Result<Letter, LetterError> {
    let reviewer_modern = find(&lines, 0, &CREDENTIALS);
    let reviewer_2013 = find(&lines, 0, &QUALIFICATIONS);
    // Where the credentials heading itself is broken, its first label will do.
    let reviewer_modern = reviewer_modern
        .or_else(|| find(&lines, 0, &LICENSURE))
        .or_else(|| find(&lines, 0, &SPECIALTY));
    let s = Sections {
        how: find(&lines, 0, &HOW),
        reviewer: reviewer_modern.or(reviewer_2013),
        summary: find(&lines, 0, &SUMMARY),
        documents: find(&lines, 0, &DOCUMENTS),
        issues: find(&lines, 0, &ISSUES),
    };
    let determined = lines.iter().any(|l| DETERMINED.is_match(&l.text));
    let layout = if reviewer_2013.is_some() || (determined && reviewer_modern.is_none()) {
        Layout::Legacy2013
    } else {
        Layout::Current
    };
    let header_end = [s.how, s.reviewer, s.summary, s.issues]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(lines.len().min(30));
    let header = Joined::from_lines(&lines[..header_end], words);
    let signals = [
        s.how.is_some(),
        s.reviewer.is_some(),
        s.summary.is_some(),
        s.issues.is_some() || determined,
    ]
    .into_iter()
    .filter(|x| *x)
    .count();
    let case_number = read_case_number(&header);
    if signals == 0 || (signals == 1 && case_number.is_none()) {
        return Err(LetterError::NotALetter {
            reason: "found no IMR case number and none of the sections of a final determination letter \
                     (\"HOW THE IMR FINAL DETERMINATION WAS MADE\", the expert reviewer's credentials, \
                     the clinical case summary, \"IMR ISSUES, DECISIONS AND RATIONALES\")"
                .into(),
        });
    }
    let mut letter = Letter {
        layout,
        case_number,
        date_assigned: None,
        injury_date: None,
        decision_date: None,
        ur_denial_date: None,
        priority: None,
        application_received: None,
        licensure: Vec::new(),
        specialties: Vec::new(),
        specialty_text: None,
        age: None,
        sex: None,
        summary: Vec::new(),
        items: Vec::new(),
        problems: Vec::new(),
        lines: Vec::new(),
    };
    if letter.case_number.is_none() {
        letter.problems.push(Problem::new(
            "case_number",
            Some(header.start()),
            "no IMR case number (CMyy-nnnnnnn) in the header",
        ));
    }
    read_header(&header, &mut letter);
    read_reviewer(&lines, &s, words, &mut letter);
    read_summary(&lines, &s, words, &mut letter);
    let items_from = s.issues.or(s.summary).or(s.reviewer).unwrap_or(0);
    items::read(&lines, items_from, s.issues, layout, words, &mut letter);
    letter.lines = lines;
    Ok(letter)
}

fn read_case_number(header: &Joined) -> Option<Located<String>> {
    if let Some(c) = CASE.captures(&header.text).and_then(|c| c.get(1)) {
        let v: String = c.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        return Some(Located::new(v.to_uppercase(), header.place_at(c.start())));
    }
    CASE_ANY
        .find(&header.text)
        .map(|m| Located::new(m.as_str().to_string(), header.place_at(m.start())))
}

/// A month/day/year date as ISO, or why it is not a date.
fn iso_date(m: &str, d: &str, y: &str) -> Result<String, String> {
    let (Ok(mo), Ok(da), Ok(mut yr)) = (m.parse::<u32>(), d.parse::<u32>(), y.parse::<u32>()) else {
        return Err("not a date".into());
    };
    if y.len() == 2 {
        yr += 2000;
    }
    let leap = (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let ok = (1..=12).contains(&mo) && da >= 1 && days.get(mo as usize - 1).is_some_and(|n| da <= *n);
    if !ok || !(1950..=2100).contains(&yr) {
        return Err(format!("{m}/{d}/{y} is not a calendar date"));
    }
    Ok(format!("{yr:04}-{mo:02}-{da:02}"))
}

fn read_header(header: &Joined, letter: &mut Letter) {
    for ((field, _), re) in DATE_LABELS.iter().zip(DATE_LABEL_RES.iter()) {
        let found = re
            .captures(&header.text)
            .and_then(|c| Some((c.get(0)?, c.get(1)?, c.get(2)?, c.get(3)?)));
        let value = match found {
            Some((whole, m, d, y)) => match iso_date(m.as_str(), d.as_str(), y.as_str()) {
                Ok(iso) => Some(Located::new(iso, header.place_at(m.start()))),
                Err(msg) => {
                    letter
                        .problems
                        .push(Problem::new(*field, Some(header.place_at(whole.start())), msg));
                    None
                }
            },
            None => {
                letter.problems.push(Problem::new(
                    *field,
                    Some(header.start()),
                    "label or date not found in the header",
                ));
                None
            }
        };
        match *field {
            "date_assigned" => letter.date_assigned = value,
            "injury_date" => letter.injury_date = value,
            "decision_date" => letter.decision_date = value,
            "ur_denial_date" => letter.ur_denial_date = value,
            _ => letter.application_received = value,
        }
    }
    match PRIORITY.captures(&header.text).and_then(|c| c.get(1)) {
        Some(m) => {
            let mut v = m.as_str().to_lowercase();
            if let Some(first) = v.get(0..1) {
                v = first.to_uppercase() + v.get(1..).unwrap_or("");
            }
            letter.priority = Some(Located::new(v, header.place_at(m.start())));
        }
        None => letter.problems.push(Problem::new(
            "priority",
            Some(header.start()),
            "no priority in the header",
        )),
    }
}

/// The end of the reviewer section: the next section heading after it.
fn reviewer_end(lines: &[Line], s: &Sections, start: usize) -> usize {
    [s.how, s.summary, s.documents, s.issues]
        .into_iter()
        .flatten()
        .filter(|i| *i > start)
        .min()
        .unwrap_or(lines.len().min(start + 12))
}

fn read_reviewer(lines: &[Line], s: &Sections, words: &Words, letter: &mut Letter) {
    let Some(start) = s.reviewer else {
        letter
            .problems
            .push(Problem::new("reviewer", None, "no reviewer credentials section found"));
        return;
    };
    let end = reviewer_end(lines, s, start).max(start + 1).min(lines.len());
    let j = Joined::from_lines(&lines[start..end], words);
    let (lic, spec) = (LICENSURE.find(&j.text), SPECIALTY.find(&j.text));
    if lic.is_some() || spec.is_some() {
        let value_after = |m: regex::Match, other: Option<regex::Match>| {
            let stop = other
                .filter(|o| o.start() > m.end())
                .map_or(j.text.len(), |o| o.start());
            let raw = &j.text[m.end()..stop];
            let lead = raw.len() - raw.trim_start().len();
            (raw.trim().to_string(), m.end() + lead)
        };
        if let Some(m) = lic {
            let (v, at) = value_after(m, spec);
            push_states(&v, &j, at, letter);
        }
        if let Some(m) = spec {
            let (v, at) = value_after(m, lic);
            push_specialties(&v, &j, at, letter);
        }
    } else if let Some(c) = BOARD.captures(&j.text) {
        let mut specs = Vec::new();
        for g in [c.get(1), c.get(2)].into_iter().flatten() {
            specs.push(g);
        }
        if let Some(first) = specs.first() {
            let text = specs.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ");
            push_specialties(&text, &j, first.start(), letter);
        }
        if let Some(g) = c.get(3) {
            push_states(g.as_str(), &j, g.start(), letter);
        }
    }
    if letter.licensure.is_empty() {
        letter.problems.push(Problem::new(
            "licensure",
            Some(j.start()),
            "no state of licensure could be read",
        ));
    }
    if letter.specialties.is_empty() {
        letter.problems.push(Problem::new(
            "specialties",
            Some(j.start()),
            "no specialty could be read",
        ));
    }
}

/// Splits a list on commas, semicolons and " and " (for states) and
/// returns each piece with its byte offset in `text`.
fn pieces(text: &str, split_and: bool) -> Vec<(usize, &str)> {
    static AND: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\s+and\s+|[,;/]"));
    static COMMA: LazyLock<Regex> = LazyLock::new(|| re(r"[,;]"));
    let sep: &Regex = if split_and { &AND } else { &COMMA };
    let mut out = Vec::new();
    let mut last = 0;
    let mut push = |from: usize, to: usize| {
        let piece = &text[from..to];
        let lead = piece.len() - piece.trim_start().len();
        if !piece.trim().is_empty() {
            out.push((from + lead, piece.trim()));
        }
    };
    for m in sep.find_iter(text) {
        push(last, m.start());
        last = m.end();
    }
    push(last, text.len());
    out
}

fn push_states(value: &str, j: &Joined, at: usize, letter: &mut Letter) {
    for (off, piece) in pieces(value, true) {
        let piece = piece.trim_end_matches('.');
        let place = j.place_at(at + off);
        match states::lookup(piece) {
            Some((state, code)) => letter.licensure.push(Located::new(
                Licensure {
                    state: state.into(),
                    code: code.into(),
                },
                place,
            )),
            None => letter.problems.push(Problem::new(
                "licensure",
                Some(place),
                format!("\"{piece}\" is not a US state"),
            )),
        }
    }
}

fn push_specialties(value: &str, j: &Joined, at: usize, letter: &mut Letter) {
    let text = value.trim().trim_end_matches('.');
    letter.specialty_text = Some(Located::new(text.to_string(), j.place_at(at)));
    for (off, piece) in pieces(text, false) {
        let canon = canonical_specialty(piece);
        if !letter.specialties.iter().any(|s| s.value == canon) {
            letter.specialties.push(Located::new(canon, j.place_at(at + off)));
        }
    }
}

fn read_summary(lines: &[Line], s: &Sections, words: &Words, letter: &mut Letter) {
    let Some(start) = s.summary else {
        letter
            .problems
            .push(Problem::new("summary", None, "no clinical case summary section found"));
        return;
    };
    let end = [s.documents, s.issues, s.reviewer, s.how]
        .into_iter()
        .flatten()
        .filter(|i| *i > start)
        .min()
        .unwrap_or(lines.len());
    let mut body: Vec<Line> = lines[start + 1..end].to_vec();
    // The stock opening ("The expert reviewer developed the following
    // clinical case summary ... medical records:") is not the case.
    if let Some(k) = body
        .iter()
        .take(4)
        .position(|l| l.text.trim_end().ends_with("records:"))
    {
        body.drain(..=k);
    }
    body.retain(|l| !l.text.is_empty());
    let j = Joined::from_lines(&body, words);
    let window = j.text.char_indices().nth(700).map_or(j.text.len(), |(i, _)| i);
    let head = &j.text[..window];
    let found = AGE_SEX.captures_iter(head).find(|c| {
        c.get(1)
            .and_then(|a| a.as_str().parse::<u32>().ok())
            .is_some_and(|a| (14..=110).contains(&a))
            && (c.get(2).is_some() || head[..c.get(0).map_or(0, |m| m.start())].ends_with("a "))
    });
    match found {
        Some(c) => {
            if let Some(a) = c.get(1) {
                letter.age = a.as_str().parse().ok().map(|v| Located::new(v, j.place_at(a.start())));
            }
            match c.get(2) {
                Some(sx) => {
                    let v = match sx.as_str().to_lowercase().as_str() {
                        "male" | "man" | "gentleman" | "boy" => Sex::Male,
                        _ => Sex::Female,
                    };
                    letter.sex = Some(Located::new(v, j.place_at(sx.start())));
                }
                None => letter.problems.push(Problem::new(
                    "sex",
                    Some(j.start()),
                    "the summary does not state the claimant's sex",
                )),
            }
        }
        None => letter.problems.push(Problem::new(
            "age",
            Some(j.start()),
            "the summary does not open with the claimant's age (\"is a NN-year-old male/female\")",
        )),
    }
    letter.summary = body;
}

/// Used by the item reader: the place of a line index, or the last line's.
pub(crate) fn place_of(lines: &[Line], i: usize) -> Option<Place> {
    lines.get(i).or(lines.last()).map(|l| l.place)
}
