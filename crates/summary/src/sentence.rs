//! The summary's lines joined and split into sentences, each knowing the
//! place (page, line) of every piece of its text.

use mtus_letters::{Line, Place};

/// One sentence of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// 0-based order in the summary.
    pub index: usize,
    /// The sentence, lines joined with a space (a line-end hyphen inside a
    /// word joined without one).
    pub text: String,
    /// (byte offset in `text`, place of the line that starts there), ascending.
    marks: Vec<(usize, Place)>,
}

impl Sentence {
    /// Where the sentence begins.
    pub fn start(&self) -> Place {
        self.place_at(0)
    }

    /// Where it ends (the line of its last character).
    pub fn end(&self) -> Place {
        self.place_at(self.text.len().saturating_sub(1))
    }

    /// The place of the line holding byte `offset` of the text.
    pub fn place_at(&self, offset: usize) -> Place {
        let i = self.marks.partition_point(|(o, _)| *o <= offset);
        match i.checked_sub(1).and_then(|k| self.marks.get(k)) {
            Some((_, p)) => *p,
            None => self.marks.first().map(|m| m.1).unwrap_or_default(),
        }
    }

    /// A sentence from one piece of text at one place (tests, examples).
    pub fn at(text: &str, place: Place) -> Sentence {
        Sentence {
            index: 0,
            text: text.to_string(),
            marks: vec![(0, place)],
        }
    }
}

/// Words after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "vs", "v", "e.g", "i.e", "etc", "no", "approx", "st", "jr", "sr", "fig", "b.i.d", "t.i.d",
    "q.i.d", "p.o", "q", "prn", "inc", "co", "pt", "mg", "ml", "hrs", "hr", "min", "wk", "wks", "yr", "yrs", "m.d",
    "d.c", "p.a", "n.p", "lt", "rt", "bil", "ext", "flex", "a.m", "p.m",
];

/// Joins the lines (blank ones skipped) and splits the text into sentences.
pub fn sentences(lines: &[Line]) -> Vec<Sentence> {
    let mut text = String::new();
    let mut marks: Vec<(usize, Place)> = Vec::new();
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if !text.is_empty() {
            let hyphen_in_word = text.ends_with('-')
                && text[..text.len() - 1].ends_with(|c: char| c.is_alphabetic())
                && t.starts_with(|c: char| c.is_lowercase());
            if hyphen_in_word {
                text.pop();
            } else {
                text.push(' ');
            }
        }
        marks.push((text.len(), line.place));
        text.push_str(t);
    }
    let mut out = Vec::new();
    let mut start = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'.' | b'?' | b'!') && ends_sentence(&text, i) {
            push(&mut out, &text, &marks, start, i + 1);
            start = i + 1;
        }
        i += 1;
    }
    push(&mut out, &text, &marks, start, text.len());
    out
}

/// Whether the `.`, `?` or `!` at byte `i` ends a sentence: followed by
/// a space and a capital, digit or quote (or the end), and, for a period,
/// not after an abbreviation, an initial or inside a number.
fn ends_sentence(text: &str, i: usize) -> bool {
    let after = &text[i + 1..];
    if !after.is_empty() {
        let Some(rest) = after.strip_prefix(' ') else {
            return false;
        };
        let next = rest.trim_start().chars().next();
        if !next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '"' || c == '(') {
            return false;
        }
    }
    if text.as_bytes()[i] != b'.' {
        return true;
    }
    let before = &text[..i];
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    // A single capital letter is an initial ("J. Smith"), unless it is a
    // spinal level ending a sentence ("at L5.") which has digits.
    if word.len() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return false;
    }
    true
}

fn push(out: &mut Vec<Sentence>, text: &str, marks: &[(usize, Place)], start: usize, end: usize) {
    let raw = &text[start..end];
    let lead = raw.len() - raw.trim_start().len();
    let s = start + lead;
    let t = text[s..end].trim_end();
    if t.is_empty() {
        return;
    }
    let first = marks.partition_point(|(o, _)| *o <= s).saturating_sub(1);
    let mut m: Vec<(usize, Place)> = Vec::new();
    for (o, p) in &marks[first..] {
        if *o >= s + t.len() {
            break;
        }
        m.push((o.saturating_sub(s), *p));
    }
    if let Some(f) = m.first_mut() {
        f.0 = 0;
    }
    out.push(Sentence {
        index: out.len(),
        text: t.to_string(),
        marks: m,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: u32, line: u32, text: &str) -> Line {
        Line {
            place: Place { page, line },
            text: text.to_string(),
        }
    }

    #[test]
    fn sentences_keep_their_lines() {
        let lines = [
            line(1, 20, "The worker is a 50-year-old clerk. Dr. Able saw her on"),
            line(1, 21, ""),
            line(2, 3, "March 3, 2016 and noted 7.5 mg of a drug. Was there spasm? Yes"),
            line(2, 4, "at L5. J. Baker agreed."),
        ];
        let s = sentences(&lines);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The worker is a 50-year-old clerk.",
                "Dr. Able saw her on March 3, 2016 and noted 7.5 mg of a drug.",
                "Was there spasm?",
                "Yes at L5.",
                "J. Baker agreed.",
            ]
        );
        assert_eq!(s[1].start(), Place { page: 1, line: 20 });
        assert_eq!(s[1].end(), Place { page: 2, line: 3 });
        let march = s[1].text.find("March").expect("in the text");
        assert_eq!(s[1].place_at(march), Place { page: 2, line: 3 });
        assert_eq!(s[3].start(), Place { page: 2, line: 3 });
        assert_eq!(s[3].end(), Place { page: 2, line: 4 });
        assert_eq!(s[4].start(), Place { page: 2, line: 4 });
        assert_eq!(s.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_word_broken_at_a_line_end_is_joined() {
        let s = sentences(&[line(1, 1, "physical ther-"), line(1, 2, "apy twice")]);
        assert_eq!(s[0].text, "physical therapy twice");
        assert_eq!(s[0].place_at(s[0].text.find("twice").expect("there")).line, 2);
    }
}
