//! Stage 4: the disputed items, their decisions, UR modifications,
//! citations and rationales.
//!
//! 2014 on, each item is a heading ending in ": Upheld" or ": Overturned"
//! followed by "Claims Administrator guideline:", "MAXIMUS guideline:" and
//! "Decision rationale:". The "Claims Administrator guideline:" label is
//! the anchor; the heading is the paragraph before it (wrapped lines and
//! page breaks joined). 2013, each decision is a sentence "... has
//! determined the request for X is (not) medically necessary and
//! appropriate", and the rationale blocks ("1) Regarding the request for
//! X:") carry the citations, matched to the decisions in order.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{Joined, Words};
use crate::{Decision, Item, Layout, Letter, Line, Located, Problem, citation, layout::place_of};

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Claims,
    Reviewer,
    Rationale,
}

static LABELS: LazyLock<[(Label, Regex); 3]> = LazyLock::new(|| {
    [
        (
            Label::Claims,
            re(
                r"(?i)claims\s*administrator\s*guidelines?\s*:|section\s*of\s*the\s*medical\s*treatment\s*utilization\s*schedule\s*\(?\s*mtus\s*\)?\s*used\s*by\s*the\s*claims\s*administrator\s*:?",
            ),
        ),
        (
            Label::Reviewer,
            re(
                r"(?i)(?:maximus|expert\s*reviewer)\s*guidelines?\s*:|section\s*of\s*the\s*medical\s*treatment\s*utilization\s*schedule\s*\(?\s*mtus\s*\)?\s*used\s*by\s*the\s*expert\s*reviewer\s*:?",
            ),
        ),
        (
            Label::Rationale,
            re(r"(?i)decision\s*rationale\s*:|rationale\s*for\s*the\s*decision\s*:?"),
        ),
    ]
});
static INTRO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)final\s*determination\s*was\s*based\s*on|set\s*forth\s*below\s*:?\s*$"));
static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:\bis)?\s*[:;]?\s*\b(u\s?p\s?h\s?e\s?l\s?d|o\s?v\s?e\s?r\s?t\s?u\s?r\s?n\s?e\s?d)\s*[.:]?\s*$")
});
static DECISION_ONLY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*(?:is\s*)?:?\s*(?:upheld|overturned)\s*[.:]?\s*$"));
static DAMAGED_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"(?:\s+is)?\s*:\s*([^\s:]*[A-Za-z][^\s:]{0,11})\s*$"));
static MOD_PORTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?is)^(?P<orig>.+?)\s*was\s*the\s*original\s*request\s*\.?\s*(?:(?P<auth>.+?)\s*(?:was|were)\s*authorized(?:\s*by\s*the\s*claims\s*administrator)?|the\s*claims\s*administrator\s*authorized\s*(?P<auth2>.+?))\s*\.?\s*the\s*remaining\s*imr\s*eligible\s*portion\s*of\s*the\s*original\s*request\s*,?\s*(?:is\s*)?(?P<elig>.+?)\s*,?\s*(?:\bis)?\s*:?$",
    )
});
static MOD_WHOLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?is)^(?P<orig>.+?)\s*was\s*the\s*original\s*request\s*\.?\s*the\s*claims\s*administrator\s*authorized\s*(?P<auth>.+?)\s*,?\s*leaving\s*the\s*original\s*request\s*imr\s*eligible\s*\.?\s*the\s*original\s*request\s*,?\s*(?:is\s*)?(?P<elig>.+?)\s*,?\s*(?:\bis)?\s*:?$",
    )
});
static MOD_CONTINUES: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:original\s*request|claims\s*administrator|imr\s*eligible|authorized)\s*\.\s*$"));
static DETERMINED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)has\s*determined\s*(?:that\s*)?the\s*request\s*for\s*"));
static NECESSARY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?is)^(?P<item>.+?)\s*(?P<verb>is\s*not|was\s*not|is|was)\s*medically\s*necessary(?:\s*and\s*appropriate)?")
});
static REGARDING: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*\d+\s*[).]\s*regarding\s*the\s*request\s*for\b"));

/// Splits lines so that each label starts its own line (same place).
fn split_labels(lines: &[Line]) -> Vec<(Option<Label>, Line)> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let mut rest = line.text.as_str();
        let mut label = None;
        loop {
            let next = LABELS
                .iter()
                .filter_map(|(l, r)| r.find(rest).map(|m| (*l, m)))
                .filter(|(_, m)| m.start() > 0 || label.is_none())
                .min_by_key(|(_, m)| m.start());
            match next {
                Some((l, m)) if m.start() == 0 => {
                    label = Some(l);
                    rest = rest[m.end()..].trim_start();
                }
                Some((l, m)) => {
                    out.push((
                        label,
                        Line {
                            place: line.place,
                            text: rest[..m.start()].trim().to_string(),
                        },
                    ));
                    label = Some(l);
                    rest = rest[m.end()..].trim_start();
                }
                None => break,
            }
        }
        out.push((
            label,
            Line {
                place: line.place,
                text: rest.trim().to_string(),
            },
        ));
    }
    out
}

pub(crate) fn read(
    lines: &[Line],
    from: usize,
    issues: Option<usize>,
    layout: Layout,
    words: &Words,
    letter: &mut Letter,
) {
    match layout {
        Layout::Current => read_current(lines, from, issues, words, letter),
        Layout::Legacy2013 => read_2013(lines, words, letter),
    }
    if letter.items.is_empty() {
        letter.problems.push(Problem::new(
            "items",
            issues.and_then(|i| place_of(lines, i)),
            "no disputed item could be read (no item headings with a \"Claims Administrator guideline:\" after them)",
        ));
    }
}

fn read_current(lines: &[Line], from: usize, issues: Option<usize>, words: &Words, letter: &mut Letter) {
    if issues.is_none() {
        letter.problems.push(Problem::new(
            "issues",
            None,
            "no \"IMR ISSUES, DECISIONS AND RATIONALES\" section found",
        ));
    }
    let mut start = from + usize::from(issues.is_some());
    while lines
        .get(start)
        .is_some_and(|l| l.text.is_empty() || INTRO.is_match(&l.text))
        && start < from + 4
    {
        start += 1;
    }
    let sec = split_labels(lines.get(start..).unwrap_or(&[]));
    let anchors: Vec<usize> = sec
        .iter()
        .enumerate()
        .filter(|(_, (l, _))| *l == Some(Label::Claims))
        .map(|(i, _)| i)
        .collect();
    // Headings: (first line, one past last line) for each anchor.
    let mut heads = Vec::with_capacity(anchors.len());
    let mut lower = 0;
    for &a in &anchors {
        heads.push(heading_span(&sec, lower, a));
        lower = a + 1;
        // The next heading cannot begin before this item's last label.
        if let Some(k) = (a + 1..sec.len())
            .take_while(|i| sec.get(*i).is_some_and(|(l, _)| *l != Some(Label::Claims)))
            .filter(|i| sec.get(*i).is_some_and(|(l, _)| l.is_some()))
            .last()
        {
            lower = k + 1;
        }
    }
    for (k, (&a, &(h0, h1))) in anchors.iter().zip(heads.iter()).enumerate() {
        let end = heads.get(k + 1).map_or(sec.len(), |h| h.0);
        let item = build_item(k + 1, &sec[h0..h1], &sec[a..end], words, letter);
        letter.items.push(item);
    }
}

/// The most lines a heading is walked back over.
const MAX_HEADING_LINES: usize = 24;

/// The heading before the label at `anchor`: the paragraph ending at the
/// last filled line before it, walked back to a blank line, a stop that
/// ends a sentence (unless a UR modification continues), or `lower`.
fn heading_span(sec: &[(Option<Label>, Line)], lower: usize, anchor: usize) -> (usize, usize) {
    let mut end = anchor;
    while end > lower && sec.get(end - 1).is_some_and(|(_, l)| l.text.is_empty()) {
        end -= 1;
    }
    let mut start = end;
    // Narrow text breaks a long UR-modification heading into many lines.
    while start > lower && end - start < MAX_HEADING_LINES {
        let Some((label, prev)) = sec.get(start - 1) else { break };
        let t = prev.text.trim_end();
        if t.is_empty() || label.is_some() && start - 1 < lower {
            break;
        }
        if start < end {
            let first = sec.get(start).map_or("", |(_, l)| l.text.as_str());
            let lower_start = first.chars().next().is_some_and(char::is_lowercase);
            let word_alone = start + 1 == end && DECISION_ONLY.is_match(first);
            if word_alone {
                start -= 1;
                continue;
            }
            if t.ends_with(':') || (t.ends_with(['.', '!', '?', ')']) && !MOD_CONTINUES.is_match(t) && !lower_start) {
                break;
            }
        }
        start -= 1;
    }
    (start, end)
}

fn strip_label(part: &[(Option<Label>, Line)]) -> Vec<Line> {
    part.iter()
        .map(|(_, l)| l.clone())
        .filter(|l| !l.text.is_empty())
        .collect()
}

/// Builds one item from its heading lines and the lines from its first label on.
fn build_item(
    number: usize,
    head: &[(Option<Label>, Line)],
    body: &[(Option<Label>, Line)],
    words: &Words,
    letter: &mut Letter,
) -> Item {
    let head_lines = strip_label(head);
    let h = Joined::from_lines(&head_lines, words);
    let fallback = body.first().map(|(_, l)| l.place).unwrap_or_default();
    let head_place = if h.text.is_empty() { fallback } else { h.start() };
    let found = DECISION.captures(&h.text).and_then(|c| Some((c.get(0)?, c.get(1)?)));
    let (decision, text_end) = match found {
        Some((all, word)) => {
            let w: String = word
                .as_str()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_lowercase();
            let d = if w == "upheld" {
                Decision::Upheld
            } else {
                Decision::Overturned
            };
            (Located::new(d, h.place_at(word.start())), all.start())
        }
        None => {
            let at = head_lines.last().map_or(head_place, |l| l.place);
            // A damaged word after the final colon ("is: Uph#ld") is the
            // unreadable decision, not part of the item.
            let damaged = DAMAGED_WORD
                .captures(&h.text)
                .and_then(|c| Some((c.get(0)?, c.get(1)?)));
            let (cut, msg) = match damaged {
                Some((all, word)) => (
                    all.start(),
                    format!(
                        "the decision word \"{}\" is neither \"Upheld\" nor \"Overturned\"; the decision is unreadable",
                        word.as_str()
                    ),
                ),
                None => (
                    h.text.len(),
                    "the heading does not end in \"Upheld\" or \"Overturned\"; the decision is unreadable".to_string(),
                ),
            };
            letter
                .problems
                .push(Problem::new(format!("item {number} decision"), Some(at), msg));
            (Located::new(Decision::Unreadable, at), cut)
        }
    };
    let text = h.text[..text_end].trim().trim_end_matches([':', ';', ',']).trim();
    let text = text
        .strip_suffix(" is")
        .unwrap_or(text)
        .trim_end_matches([':', ','])
        .trim()
        .to_string();
    if text.is_empty() {
        letter.problems.push(Problem::new(
            format!("item {number} text"),
            Some(head_place),
            "the item heading is empty",
        ));
    }
    let mut item = Item::read(
        number,
        Located::new(text.clone(), head_place),
        Located::new(h.text.clone(), head_place),
        decision,
    );
    modification(&h, &text, &mut item, letter);
    fill_body(&mut item, body, words, letter);
    item
}

/// Reads "X was the original request. Y was authorized ... The remaining
/// IMR eligible portion of the original request, Z" into the item.
fn modification(h: &Joined, text: &str, item: &mut Item, letter: &mut Letter) {
    if !text.to_lowercase().contains("original request") {
        return;
    }
    let at = |m: Option<regex::Match>| m.map(|m| Located::new(m.as_str().trim().to_string(), h.place_at(m.start())));
    if let Some(c) = MOD_PORTION.captures(text) {
        item.ur_modified = true;
        item.original_request = at(c.name("orig"));
        item.authorized = at(c.name("auth").or(c.name("auth2")));
        if let Some(e) = at(c.name("elig")) {
            item.text = e;
        }
    } else if let Some(c) = MOD_WHOLE.captures(text) {
        // UR authorized something else and left the whole request to IMR:
        // the decided item is the original request itself.
        item.original_request = at(c.name("orig"));
        item.authorized = at(c.name("auth"));
        if let Some(e) = at(c.name("elig")) {
            item.text = e;
        }
    } else {
        letter.problems.push(Problem::new(
            format!("item {} modification", item.number),
            Some(item.heading.place),
            "the heading names an original request but its parts could not be told apart; the whole heading is the item text",
        ));
    }
}

/// Citations and rationale from the labelled lines of an item.
fn fill_body(item: &mut Item, body: &[(Option<Label>, Line)], words: &Words, letter: &mut Letter) {
    let mut parts: Vec<(Label, Vec<Line>)> = Vec::new();
    for (label, line) in body {
        match label {
            Some(l) => parts.push((*l, vec![line.clone()])),
            None => {
                if let Some((_, v)) = parts.last_mut() {
                    v.push(line.clone());
                }
            }
        }
    }
    for (label, mut part) in parts {
        part.retain(|l| !l.text.is_empty());
        match label {
            Label::Claims if item.claims_administrator.is_none() => {
                item.claims_administrator = Some(citation::parse(&Joined::from_lines(&part, words)))
            }
            Label::Reviewer if item.reviewer.is_none() => {
                item.reviewer = Some(citation::parse(&Joined::from_lines(&part, words)))
            }
            Label::Rationale if item.rationale.is_empty() => item.rationale = part,
            _ => {}
        }
    }
    let n = item.number;
    let place = Some(item.heading.place);
    if item.claims_administrator.is_none() {
        letter.problems.push(Problem::new(
            format!("item {n} claims_administrator"),
            place,
            "no claims administrator citation",
        ));
    }
    if item.reviewer.is_none() {
        letter.problems.push(Problem::new(
            format!("item {n} reviewer"),
            place,
            "no expert reviewer (MAXIMUS) citation",
        ));
    }
    if item.rationale.is_empty() {
        letter.problems.push(Problem::new(
            format!("item {n} rationale"),
            place,
            "no decision rationale",
        ));
    }
}

fn read_2013(lines: &[Line], words: &Words, letter: &mut Letter) {
    let first_block = lines
        .iter()
        .position(|l| REGARDING.is_match(&l.text))
        .unwrap_or(lines.len());
    let j = Joined::from_lines(&lines[..first_block], words);
    let starts: Vec<regex::Match> = DETERMINED.find_iter(&j.text).collect();
    for (k, m) in starts.iter().enumerate() {
        let stop = starts.get(k + 1).map_or(j.text.len(), |n| n.start()).min(m.end() + 600);
        let window = &j.text[m.end()..stop];
        let number = k + 1;
        let (text, decision) = match NECESSARY.captures(window) {
            Some(c) => {
                let (item, verb) = (c.name("item"), c.name("verb"));
                let d = if verb.is_some_and(|v| v.as_str().to_lowercase().contains("not")) {
                    Decision::Upheld
                } else {
                    Decision::Overturned
                };
                let item_text = item.map_or("", |i| i.as_str()).trim().to_string();
                let at = verb.map_or(m.start(), |v| m.end() + v.start());
                (item_text, Located::new(d, j.place_at(at)))
            }
            None => {
                let cut = window.find(". ").unwrap_or(window.len());
                letter.problems.push(Problem::new(
                    format!("item {number} decision"),
                    Some(j.place_at(m.start())),
                    "the determination does not say \"is (not) medically necessary\"; the decision is unreadable",
                ));
                (
                    window[..cut].trim().to_string(),
                    Located::new(Decision::Unreadable, j.place_at(m.start())),
                )
            }
        };
        let place = j.place_at(m.end());
        letter.items.push(Item::read(
            number,
            Located::new(text.clone(), place),
            Located::new(
                format!("{}{}", &j.text[m.start()..m.end()], window.trim_end()),
                j.place_at(m.start()),
            ),
            decision,
        ));
    }
    // Rationale blocks, in order.
    let mut items = std::mem::take(&mut letter.items);
    let blocks: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| REGARDING.is_match(&l.text))
        .map(|(i, _)| i)
        .collect();
    for (k, &b) in blocks.iter().enumerate() {
        let end = blocks.get(k + 1).copied().unwrap_or(lines.len());
        let sec = split_labels(&lines[b..end]);
        let body_from = sec.iter().position(|(l, _)| l.is_some()).unwrap_or(sec.len());
        match items.get_mut(k) {
            Some(item) => fill_body(item, &sec[body_from..], words, letter),
            None => letter.problems.push(Problem::new(
                "items",
                Some(lines[b].place),
                format!("rationale block {} has no matching determination sentence", k + 1),
            )),
        }
    }
    letter.items = items;
    if blocks.len() < letter.items.len() {
        for item in letter.items.iter().skip(blocks.len()) {
            letter.problems.push(Problem::new(
                format!("item {} rationale", item.number),
                Some(item.text.place),
                "no rationale block (\"N) Regarding the request for ...\")",
            ));
        }
    }
}

impl Item {
    /// An item as its heading gives it: the modification, citations and
    /// rationale are filled in after.
    fn read(number: usize, text: Located<String>, heading: Located<String>, decision: Located<Decision>) -> Item {
        Item {
            number,
            text,
            heading,
            decision,
            ur_modified: false,
            original_request: None,
            authorized: None,
            claims_administrator: None,
            reviewer: None,
            rationale: Vec::new(),
        }
    }
}
