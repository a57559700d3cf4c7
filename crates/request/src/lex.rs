//! Splits a line into tokens with byte spans: numbers, words, code-shaped
//! alphanumerics (E0730, L5, 0232T) and single symbols. A run such as
//! "10mg" or "2x6" is split at the letter/digit boundaries, the pieces
//! marked as glued to what comes before.

use crate::Span;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Num(f64),
    Word,
    /// Letters and digits kept together: a spinal level or a code shape.
    Alnum,
    Sym(char),
}

#[derive(Debug, Clone)]
pub struct Tok {
    pub kind: Kind,
    pub text: String,
    /// Lowercase text.
    pub low: String,
    pub span: Span,
    /// No whitespace between this token and the one before.
    pub glued: bool,
}

impl Tok {
    pub fn is_num(&self) -> bool {
        matches!(self.kind, Kind::Num(_))
    }
    pub fn num(&self) -> Option<f64> {
        match self.kind {
            Kind::Num(n) => Some(n),
            _ => None,
        }
    }
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
    pub fn is_sym(&self, c: char) -> bool {
        self.kind == Kind::Sym(c)
    }
    /// A whole number written without a decimal point.
    pub fn is_int(&self) -> bool {
        self.is_num() && self.text.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Letters, digits, and `_` (a canonical name such as
/// `hydrocodone_acetaminophen` is one word, not two).
fn is_run_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

pub fn lex(line: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut space = true;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if is_run_char(c) || (c == '.' && next_is_digit(&chars, i)) {
            let mut j = i;
            while j < chars.len() {
                let cj = chars[j].1;
                let dot_in_num = cj == '.' && next_is_digit(&chars, j) && (j == i || chars[j - 1].1.is_ascii_digit());
                if is_run_char(cj) || dot_in_num || (j == i && cj == '.') {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = chars.get(j).map(|p| p.0).unwrap_or(line.len());
            split_run(&line[start..end], start, !space, &mut toks);
            i = j;
        } else {
            let end = chars.get(i + 1).map(|p| p.0).unwrap_or(line.len());
            toks.push(tok(Kind::Sym(c), &line[start..end], start, !space));
            i += 1;
        }
        space = false;
    }
    toks
}

fn next_is_digit(chars: &[(usize, char)], i: usize) -> bool {
    chars.get(i + 1).is_some_and(|p| p.1.is_ascii_digit())
}

fn tok(kind: Kind, text: &str, start: usize, glued: bool) -> Tok {
    Tok {
        kind,
        text: text.to_string(),
        low: text.to_lowercase(),
        span: Span::new(start, start + text.len()),
        glued,
    }
}

/// Whether a run is kept whole as code-shaped: a letter and 1-6 digits
/// (L5, E0730, E073) or four digits and a letter (0232T).
fn code_shaped(run: &str) -> bool {
    let b = run.as_bytes();
    if b.len() < 2 || !b.iter().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let letter_digits = b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_digit()) && b.len() <= 7;
    let digits_letter = b.len() == 5 && b[..4].iter().all(|c| c.is_ascii_digit()) && b[4].is_ascii_uppercase();
    letter_digits || digits_letter
}

fn split_run(run: &str, start: usize, glued: bool, out: &mut Vec<Tok>) {
    if code_shaped(run) {
        out.push(tok(Kind::Alnum, run, start, glued));
        return;
    }
    let mut piece_start = 0;
    let mut first = true;
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    for k in 0..=chars.len() {
        let boundary = match (k.checked_sub(1).and_then(|p| chars.get(p)), chars.get(k)) {
            (Some(&(_, a)), Some(&(_, b))) => is_numeric(a) != is_numeric(b),
            (_, None) => true,
            _ => false,
        };
        if boundary && k > 0 {
            let end = chars.get(k).map(|p| p.0).unwrap_or(run.len());
            let piece = &run[piece_start..end];
            let kind = match piece.parse::<f64>() {
                Ok(n) if piece.chars().all(is_numeric) => Kind::Num(n),
                _ => Kind::Word,
            };
            out.push(tok(kind, piece, start + piece_start, glued || !first));
            first = false;
            piece_start = end;
        }
    }
}

fn is_numeric(c: char) -> bool {
    c.is_ascii_digit() || c == '.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<String> {
        lex(line)
            .iter()
            .map(|t| match t.kind {
                Kind::Num(n) => format!("N{n}"),
                Kind::Word => format!("W{}", t.text),
                Kind::Alnum => format!("A{}", t.text),
                Kind::Sym(c) => format!("S{c}"),
            })
            .collect()
    }

    #[test]
    fn splits_runs() {
        assert_eq!(kinds("10/325mg #120"), ["N10", "S/", "N325", "Wmg", "S#", "N120"]);
        assert_eq!(kinds("PT 2x6 L4-5"), ["WPT", "N2", "Wx", "N6", "AL4", "S-", "N5"]);
        assert_eq!(kinds("E0730 q6h 7.5mg"), ["AE0730", "Wq", "N6", "Wh", "N7.5", "Wmg"]);
        assert_eq!(kinds("0.0325% .5"), ["N0.0325", "S%", "N0.5"]);
    }

    #[test]
    fn spans_are_bytes() {
        let t = lex("café 5mg");
        assert_eq!(t[1].span, Span::new(6, 7));
        assert!(t[2].glued && !t[1].glued);
    }
}
