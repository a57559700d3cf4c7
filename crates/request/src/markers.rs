//! Markers of the request: dates (the date of service when marked "DOS"),
//! retrospective, post-op and pre-op, purchase or rental with its length,
//! days' supply ("one month supply") and a trial's length.

use crate::numbers::amount_at;
use crate::read::Ctx;
use crate::{Acquisition, AcquisitionKind, Date, Length, Problem, Spanned, Unit};

/// The unit of a length word ("weeks" = week, "mo" = month).
pub fn length_unit(low: &str) -> Option<Unit> {
    match low {
        "day" | "days" | "d" => Some(Unit::Day),
        "week" | "weeks" | "wk" | "wks" => Some(Unit::Week),
        "month" | "months" | "mo" | "mos" | "mth" | "mths" => Some(Unit::Month),
        _ => None,
    }
}

/// A length at `i`: "6 weeks", "30-day", "one month". Returns it with
/// the index after it.
pub fn length_at(cx: &Ctx, i: usize) -> Option<(Length, usize)> {
    let (amount, mut k) = amount_at(cx, i)?;
    if cx.sym(k, '-') && cx.free(k) {
        k += 1;
    }
    let unit = length_unit(cx.low(k)).filter(|_| cx.free(k))?;
    Some((Length { amount, unit }, k + 1))
}

pub fn read_markers(cx: &mut Ctx) {
    read_dates(cx);
    let mut i = 0;
    while i < cx.len() {
        if !cx.free(i) {
            i += 1;
            continue;
        }
        let low = cx.low(i).to_string();
        match low.as_str() {
            "retrospective" | "retro" | "retrospectively" | "retroactive" => {
                let s = cx.take(i, i + 1);
                cx.r.retrospective.get_or_insert(s);
            }
            "post" | "pre" | "postop" | "preop" | "postoperative" | "preoperative" | "postsurgical" | "presurgical"
            | "postoperatively" => operative(cx, i, &low),
            "purchase" | "purchased" | "buy" => acquisition(cx, i, AcquisitionKind::Purchase),
            "rental" | "rent" | "rented" | "rentals" => acquisition(cx, i, AcquisitionKind::Rental),
            "supply" => supply(cx, i),
            "trial" | "course" => trial(cx, i),
            _ => {}
        }
        i += 1;
    }
}

fn operative(cx: &mut Ctx, i: usize, low: &str) {
    let (pre, end) = match low {
        "post" | "pre" => {
            let k = if cx.sym(i + 1, '-') { i + 2 } else { i + 1 };
            if !cx.is(
                k,
                &["op", "operative", "operatively", "surgical", "surgery", "operation"],
            ) {
                return;
            }
            (low == "pre", k + 1)
        }
        _ => (low.starts_with("pre"), i + 1),
    };
    let s = cx.take(i, end);
    if pre {
        cx.r.pre_op.get_or_insert(s);
    } else {
        cx.r.post_op.get_or_insert(s);
    }
}

/// A length written just before token `i` ("2 month rental", "30-day
/// supply"): its start index and value.
fn length_before(cx: &Ctx, i: usize) -> Option<(usize, Length)> {
    (i.saturating_sub(5)..i).find_map(|s| match length_at(cx, s) {
        Some((l, end)) if end == i => Some((s, l)),
        _ => None,
    })
}

fn acquisition(cx: &mut Ctx, i: usize, kind: AcquisitionKind) {
    let span = cx.take(i, i + 1);
    let mut length = None;
    if kind == AcquisitionKind::Rental {
        if let Some((s, l)) = length_before(cx, i) {
            length = Some(Spanned {
                value: l,
                span: cx.take(s, i),
            });
        } else {
            let mut k = i + 1;
            while cx.is(k, &["for", "x", "of", "a", "the", "period"]) {
                k += 1;
            }
            if let Some((l, end)) = length_at(cx, k) {
                length = Some(Spanned {
                    value: l,
                    span: cx.take(k, end),
                });
                for u in cx.used.iter_mut().take(k).skip(i + 1) {
                    *u = true;
                }
            }
        }
    }
    if cx.r.acquisition.is_none() {
        cx.r.acquisition = Some(Acquisition { kind, span, length });
    }
}

fn supply(cx: &mut Ctx, i: usize) {
    if let Some((s, l)) = length_before(cx, i) {
        let span = cx.take(s, i + 1);
        cx.r.days_supply.get_or_insert(Spanned { value: l, span });
    }
}

fn trial(cx: &mut Ctx, i: usize) {
    if let Some((s, l)) = length_before(cx, i) {
        let span = cx.take(s, i);
        cx.r.duration.get_or_insert(Spanned { value: l, span });
    }
}

fn read_dates(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        let Some((date, end)) = date_at(cx, i) else {
            i += 1;
            continue;
        };
        let span = cx.take(i, end);
        let text = cx.text(span).to_string();
        let marked = dos_marker_before(cx, i);
        match date {
            None => cx.problem(Problem::InvalidDate { text, span }),
            Some(d) if marked && cx.r.date_of_service.is_none() => {
                cx.r.date_of_service = Some(Spanned { value: d, span });
            }
            Some(d) => cx.r.dates.push(Spanned { value: d, span }),
        }
        i = end;
    }
}

/// "DOS", "DOS:", "date of service", "(DOS" just before token `i`; takes it.
fn dos_marker_before(cx: &mut Ctx, i: usize) -> bool {
    let mut k = i;
    while k > 0 && (cx.sym(k - 1, ':') || cx.sym(k - 1, '(') || cx.sym(k - 1, '-')) && cx.free(k - 1) {
        k -= 1;
    }
    if k >= 1 && cx.is(k - 1, &["dos", "dos's"]) {
        cx.take(k - 1, i);
        return true;
    }
    if k >= 3 && cx.is(k - 3, &["date", "dates"]) && cx.is(k - 2, &["of"]) && cx.is(k - 1, &["service"]) {
        cx.take(k - 3, i);
        return true;
    }
    false
}

/// A date "MM/DD/YY(YY)" or "MM-DD-YYYY" at `i`: `Some(None)` for a
/// date-shaped text that is no calendar date.
fn date_at(cx: &Ctx, i: usize) -> Option<(Option<Date>, usize)> {
    let int = |k: usize, max_len: usize| -> Option<u32> {
        let t = cx
            .tok(k)
            .filter(|t| t.is_int() && t.text.len() <= max_len && cx.free(k))?;
        t.text.parse().ok()
    };
    let m = int(i, 2)?;
    let sep = cx.tok(i + 1).and_then(|t| match t.kind {
        crate::lex::Kind::Sym(c @ ('/' | '-')) if t.glued => Some(c),
        _ => None,
    })?;
    let d = int(i + 2, 2).filter(|_| cx.tok(i + 2).is_some_and(|t| t.glued))?;
    if !(cx.sym(i + 3, sep) && cx.tok(i + 3).is_some_and(|t| t.glued)) {
        return None;
    }
    let ytok = cx.tok(i + 4).filter(|t| t.glued && t.is_int())?;
    let y: u32 = ytok.text.parse().ok()?;
    let year = match ytok.text.len() {
        2 => 2000 + y,
        4 => y,
        _ => return None,
    };
    if sep == '-' && ytok.text.len() != 4 {
        return None;
    }
    let valid = (1..=12).contains(&m) && (1..=days_in(m, year)).contains(&d);
    let date = valid.then_some(Date {
        year: year as u16,
        month: m as u8,
        day: d as u8,
    });
    Some((date, i + 5))
}

fn days_in(m: u32, y: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
