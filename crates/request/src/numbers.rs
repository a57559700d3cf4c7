//! Numbers as written: digits, number words ("twelve", "twenty-four"),
//! ranges ("1-2", "1 to 2", "12-18") and multipliers ("twice", "3x",
//! "three times").

use crate::Amount;
use crate::read::Ctx;

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// The value of a number word ("twelve" = 12, "sixty" = 60).
pub fn word_value(low: &str) -> Option<f64> {
    if let Some(i) = UNITS.iter().position(|w| *w == low) {
        return Some(i as f64);
    }
    if low == "a" || low == "an" {
        return None;
    }
    TENS.iter()
        .position(|w| !w.is_empty() && *w == low)
        .map(|i| (i * 10) as f64)
}

/// Whether the token is a number word.
pub fn is_number_word(low: &str) -> bool {
    word_value(low).is_some() || low == "hundred"
}

/// One number at `i`: digits or number words. Returns the value and the
/// index after it.
pub fn value_at(cx: &Ctx, i: usize) -> Option<(f64, usize)> {
    let t = cx.tok(i)?;
    if !cx.free(i) {
        return None;
    }
    if let Some(n) = t.num() {
        return Some((n, i + 1));
    }
    if !t.is_word() {
        return None;
    }
    let v = word_value(&t.low)?;
    let mut next = i + 1;
    let mut total = v;
    if v >= 20.0 && v % 10.0 == 0.0 {
        // "twenty-four", "twenty four"
        let k = if cx.sym(next, '-') { next + 1 } else { next };
        if let Some(u) = cx.tok(k).filter(|_| cx.free(k)).and_then(|t| word_value(&t.low)) {
            if (1.0..10.0).contains(&u) {
                total += u;
                next = k + 1;
            }
        }
    }
    if cx.low(next) == "hundred" && cx.free(next) {
        total *= 100.0;
        next += 1;
    }
    // "One (1)": the numeral in parentheses repeats the word.
    let repeat = cx.sym(next, '(') && cx.tok(next + 1).and_then(|t| t.num()) == Some(total) && cx.sym(next + 2, ')');
    if repeat && cx.free(next + 1) {
        next += 3;
    }
    Some((total, next))
}

/// A number or a range at `i` ("12", "12-18", "1 to 2", "one or two").
pub fn amount_at(cx: &Ctx, i: usize) -> Option<(Amount, usize)> {
    let (lo, next) = value_at(cx, i)?;
    let joined = cx.sym(next, '-') || cx.sym(next, '–') || cx.low(next) == "to" || cx.low(next) == "or";
    if joined && cx.free(next) {
        if let Some((hi, after)) = value_at(cx, next + 1) {
            if hi > lo {
                return Some((Amount { lo, hi }, after));
            }
        }
    }
    Some((Amount::one(lo), next))
}

/// A count of times at `i`: "twice", "3x", "3 x", "three times", "2 times".
/// Returns the amount and the index after the multiplier word.
pub fn times_at(cx: &Ctx, i: usize) -> Option<(Amount, usize)> {
    if !cx.free(i) {
        return None;
    }
    match cx.low(i) {
        "once" => return Some((Amount::one(1.0), i + 1)),
        "twice" => return Some((Amount::one(2.0), i + 1)),
        "thrice" => return Some((Amount::one(3.0), i + 1)),
        _ => {}
    }
    let (a, next) = amount_at(cx, i)?;
    if cx.free(next) && matches!(cx.low(next), "x" | "times" | "time" | "visits" | "visit" | "sessions") {
        return Some((a, next + 1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(word_value("twelve"), Some(12.0));
        assert_eq!(word_value("ninety"), Some(90.0));
        assert_eq!(word_value("tablet"), None);
    }

    #[test]
    fn compound_words_and_ranges() {
        let cx = Ctx::new("twenty-four 1 to 2 3-2");
        assert_eq!(value_at(&cx, 0), Some((24.0, 3)));
        assert_eq!(amount_at(&cx, 3), Some((Amount { lo: 1.0, hi: 2.0 }, 6)));
        // a falling pair is not a range
        assert_eq!(amount_at(&cx, 6), Some((Amount::one(3.0), 7)));
    }
}
