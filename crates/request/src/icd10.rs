//! ICD-10-CM diagnosis codes in a request line, by shape only (the code
//! sets and descriptions are `mtus_codes`): a code written with its dot
//! ("M54.16", "S13.4XXA") anywhere, or without it ("M5416") right after
//! a diagnosis keyword ("Dx:", "diagnosis", "ICD-10") or after another
//! code of that list ("Dx: M5416, G5601"). Runs before the HCPCS reader,
//! which would take a dotless "M5416" as a HCPCS shape.

use crate::Spanned;
use crate::lex::Kind;
use crate::read::Ctx;

const KEYWORDS: &[&str] = &[
    "dx",
    "diagnosis",
    "diagnoses",
    "diag",
    "icd",
    "icd10",
    "icd-10",
    "icd-10-cm",
    "icd10cm",
];

pub fn read_icd10(cx: &mut Ctx) {
    let n = cx.len();
    let mut i = 0;
    let mut listing = false;
    while i < n {
        if !cx.free(i) {
            listing = false;
            i += 1;
            continue;
        }
        if let Some(after) = keyword_at(cx, i) {
            cx.take(i, after);
            listing = true;
            i = after;
            continue;
        }
        let (end, text) = glued_run(cx, i);
        if dotted_shape(&text) || (listing && dotless_shape(&text)) {
            let span = cx.take(i, end);
            cx.r.diagnosis_codes.push(Spanned {
                value: text.to_ascii_uppercase(),
                span,
            });
            i = end;
            continue;
        }
        // A list of codes goes on past a separator.
        let separator = cx.sym(i, ',') || cx.sym(i, ';') || cx.sym(i, '/') || cx.low(i) == "and";
        if !(listing && separator) {
            listing = false;
        }
        i = end.max(i + 1);
    }
}

/// The token after a diagnosis keyword (and its ':' or '#') at `i`:
/// "Dx", "diagnosis", "ICD-10-CM" (lexed "ICD", "-", "10", "-", "CM").
fn keyword_at(cx: &Ctx, i: usize) -> Option<usize> {
    let (end, text) = keyword_run(cx, i);
    if !KEYWORDS.contains(&text.as_str()) {
        return None;
    }
    let mut k = end;
    while k < cx.len() && cx.free(k) && (cx.sym(k, ':') || cx.sym(k, '#')) {
        k += 1;
    }
    Some(k)
}

/// Tokens from `i` glued together, letters, digits and '-' (for "icd-10").
fn keyword_run(cx: &Ctx, i: usize) -> (usize, String) {
    let mut text = String::new();
    let mut k = i;
    while let Some(t) = cx.tok(k) {
        let fits = match t.kind {
            Kind::Sym('-') => k > i,
            Kind::Sym(_) => false,
            _ => true,
        };
        if (k > i && !t.glued) || !cx.free(k) || !fits {
            break;
        }
        text.push_str(&t.low);
        k += 1;
    }
    (k.max(i + 1), text)
}

/// Tokens from `i` glued together: letters, digits, and '.' (a dotted
/// code lexes as "M" "54.16", or "G35" "." "A").
fn glued_run(cx: &Ctx, i: usize) -> (usize, String) {
    let mut text = String::new();
    let mut k = i;
    while let Some(t) = cx.tok(k) {
        if (k > i && !t.glued) || !cx.free(k) {
            break;
        }
        if matches!(t.kind, Kind::Sym(c) if c != '.') {
            break;
        }
        text.push_str(&t.text);
        k += 1;
    }
    (k.max(i + 1), text)
}

/// A letter, a digit, a letter or digit, then letters and digits up to 7
/// in all: "M5416", "S134XXA", "F32A".
pub(crate) fn dotless_shape(t: &str) -> bool {
    let b = t.as_bytes();
    (3..=7).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_digit()
        && b[2..].iter().all(|c| c.is_ascii_alphanumeric())
}

/// A dotless shape of 4 to 7 characters with the dot after the third:
/// "M54.16", "S13.4XXA", "G35.A".
pub(crate) fn dotted_shape(t: &str) -> bool {
    match t.split_once('.') {
        Some((head, tail)) => {
            head.len() == 3 && (1..=4).contains(&tail.len()) && dotless_shape(&format!("{head}{tail}"))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(dotted_shape("M54.16"));
        assert!(dotted_shape("S13.4XXA"));
        assert!(dotted_shape("G35.A"));
        assert!(!dotted_shape("54.16"));
        assert!(!dotted_shape("M54"));
        assert!(!dotted_shape("M5.416"));
        assert!(!dotted_shape("M54.16.1"));
        assert!(dotless_shape("M5416"));
        assert!(dotless_shape("I10"));
        assert!(!dotless_shape("E07300A1"));
        assert!(!dotless_shape("MM16"));
    }
}
