//! HCPCS Level II codes (a letter A-V and four digits: E0730) and CPT
//! code numbers (five digits, or four digits and F or T), checked by
//! shape only. CPT descriptions are licensed: only numbers are read.

use crate::lex::Kind;
use crate::read::Ctx;
use crate::{Code, CodeKind, Problem};

/// The first letters HCPCS Level II uses.
const HCPCS_LETTERS: &str = "ABCDEGHJKLMPQRSTV";

fn is_level_shape(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 2 && b.len() <= 3 && b"CTLS".contains(&b[0]) && b[1..].iter().all(|c| c.is_ascii_digit())
}

pub fn read_codes(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if !cx.free(i) {
            continue;
        }
        let keyword = keyword_before(cx, i);
        let t = &cx.toks[i];
        let text = t.text.clone();
        let span = t.span;
        match t.kind {
            Kind::Alnum => {
                if let Some(kind) = classify_alnum(&text) {
                    push(cx, i, kind, text);
                } else if keyword.is_some() || (!is_level_shape(&text) && looks_like_code(&text)) {
                    cx.used[i] = true;
                    let expected = keyword.unwrap_or("HCPCS").to_string();
                    cx.problem(Problem::MalformedCode { text, expected, span });
                }
            }
            Kind::Num(_) if t.is_int() => {
                let after_hash = i > 0 && (cx.sym(i - 1, '#') || cx.is(i - 1, &["qty", "quantity"]));
                let glued_next = cx.tok(i + 1).is_some_and(|n| n.glued && !n.is_sym(','));
                if text.len() == 5 && !after_hash && !glued_next && keyword != Some("HCPCS") {
                    push(cx, i, CodeKind::Cpt, text);
                } else if keyword.is_some() {
                    cx.used[i] = true;
                    let expected = keyword.unwrap_or("CPT").to_string();
                    cx.problem(Problem::MalformedCode { text, expected, span });
                }
            }
            _ => {}
        }
    }
}

/// A code keyword ("CPT", "HCPCS", "code") just before token `i`,
/// possibly with a colon or "code" between.
fn keyword_before(cx: &mut Ctx, i: usize) -> Option<&'static str> {
    let mut k = i;
    while k > 0 && (cx.sym(k - 1, ':') || cx.sym(k - 1, '#') || cx.low(k - 1) == "code") {
        k -= 1;
    }
    if k == 0 {
        return None;
    }
    let kw = match cx.low(k - 1) {
        "cpt" => "CPT",
        "hcpcs" => "HCPCS",
        _ => return None,
    };
    for u in cx.used.iter_mut().take(i).skip(k - 1) {
        *u = true;
    }
    Some(kw)
}

/// A letter and 3, 4, 5 or 6 digits that is not a valid code: a code
/// written wrong ("E073", "E07300", "F1234").
fn looks_like_code(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = b.len() - 1;
    b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_digit()) && (3..=6).contains(&digits)
}

fn classify_alnum(t: &str) -> Option<CodeKind> {
    let b = t.as_bytes();
    if b.len() != 5 {
        return None;
    }
    if HCPCS_LETTERS.as_bytes().contains(&b[0]) && b[1..].iter().all(|c| c.is_ascii_digit()) {
        return Some(CodeKind::Hcpcs);
    }
    if b[..4].iter().all(|c| c.is_ascii_digit()) && (b[4] == b'F' || b[4] == b'T') {
        return Some(CodeKind::Cpt);
    }
    None
}

fn push(cx: &mut Ctx, i: usize, kind: CodeKind, code: String) {
    cx.used[i] = true;
    let span = cx.toks[i].span;
    cx.r.codes.push(Code { kind, code, span });
}
