//! Frequencies and durations: visits a week and weeks ("3 times a week
//! for 4 weeks", "2x6", "1 to 2 times per week"), home-care hours a day
//! and days a week ("4 hrs/day 5 days/wk x 6 weeks"), and directions for
//! a medicine (dose per administration, times a day, as needed).

use crate::markers::length_at;
use crate::numbers::{amount_at, times_at, value_at};
use crate::read::Ctx;
use crate::{Amount, Directions, Length, Spanned, Unit};

pub fn read_frequency(cx: &mut Ctx) {
    scan(cx, home_care);
    scan(cx, per_week);
    scan(cx, n_by_m);
    scan(cx, per_day);
    scan(cx, as_needed);
    scan(cx, dose);
    scan(cx, duration);
    if cx.r.hours_per_day.is_some() && cx.r.days_per_week.is_none() {
        cx.r.days_per_week = cx.r.per_week.take();
    }
}

/// Runs a matcher at each free token; the matcher returns the index to
/// go on from when it took something.
fn scan(cx: &mut Ctx, f: fn(&mut Ctx, usize) -> Option<usize>) {
    let mut i = 0;
    while i < cx.len() {
        i = match cx.free(i).then(|| f(cx, i)).flatten() {
            Some(next) if next > i => next,
            _ => i + 1,
        };
    }
}

/// "a", "per", "/", "each", "every" before a period word.
fn per(cx: &Ctx, k: usize) -> usize {
    if (cx.sym(k, '/') && cx.free(k)) || cx.is(k, &["a", "per", "each", "every", "an"]) {
        k + 1
    } else {
        k
    }
}

fn spanned<T>(cx: &mut Ctx, value: T, a: usize, b: usize) -> Spanned<T> {
    Spanned {
        value,
        span: cx.take(a, b),
    }
}

fn home_care(cx: &mut Ctx, i: usize) -> Option<usize> {
    let (a, k) = amount_at(cx, i)?;
    let k = if cx.sym(k, '-') { k + 1 } else { k };
    if cx.is(k, &["hrs", "hours", "hr", "hour", "h"]) {
        let j = per(cx, k + 1);
        if cx.is(j, &["day", "d", "daily"]) || cx.is(k + 1, &["daily"]) {
            let end = if cx.is(k + 1, &["daily"]) { k + 2 } else { j + 1 };
            let v = spanned(cx, a, i, end);
            cx.r.hours_per_day.get_or_insert(v);
            return Some(end);
        }
        if cx.is(j, &["week", "wk", "weekly"]) || cx.is(k + 1, &["weekly"]) {
            let end = if cx.is(k + 1, &["weekly"]) { k + 2 } else { j + 1 };
            let v = spanned(cx, a, i, end);
            cx.r.hours_per_week.get_or_insert(v);
            return Some(end);
        }
        return None;
    }
    if cx.is(k, &["days", "day", "d"]) {
        let j = per(cx, k + 1);
        if j > k + 1 && cx.is(j, &["week", "wk", "weeks", "wks"]) {
            let v = spanned(cx, a, i, j + 1);
            cx.r.days_per_week.get_or_insert(v);
            return Some(j + 1);
        }
    }
    None
}

fn per_week(cx: &mut Ctx, i: usize) -> Option<usize> {
    let (a, k) = match times_at(cx, i) {
        Some(t) => t,
        None => {
            let (a, k) = amount_at(cx, i)?;
            if !cx.sym(k, '/') {
                return None;
            }
            (a, k)
        }
    };
    let j = per(cx, k);
    let end = if cx.is(j, &["week", "wk", "weeks", "wks"]) && (j > k || cx.low(k - 1) == "x") {
        j + 1
    } else if cx.is(k, &["weekly"]) {
        k + 1
    } else {
        return None;
    };
    if cx.r.per_week.is_some() {
        return None;
    }
    let v = spanned(cx, a, i, end);
    cx.r.per_week = Some(v);
    Some(duration_after(cx, end))
}

/// A duration right after a frequency: "for 4 weeks", "x 6 weeks",
/// "times six weeks", ", for two weeks".
fn duration_after(cx: &mut Ctx, end: usize) -> usize {
    let mut k = end;
    while cx.sym(k, ',')
        || cx.is(
            k,
            &["for", "x", "times", "over", "a", "the", "another", "additional", "of"],
        )
    {
        k += 1;
    }
    match length_at(cx, k) {
        Some((l, after)) if cx.r.duration.is_none() => {
            cx.take(end, k);
            let v = spanned(cx, l, k, after);
            cx.r.duration = Some(v);
            after
        }
        _ => end,
    }
}

/// "2x6", "2 x 6", "two times four (visits)", "1 times 8": visits a week
/// times weeks.
fn n_by_m(cx: &mut Ctx, i: usize) -> Option<usize> {
    let (n, k) = value_at(cx, i)?;
    if !cx.is(k, &["x", "times"]) {
        return None;
    }
    let (m, after) = value_at(cx, k + 1)?;
    if cx.r.per_week.is_some() || cx.r.duration.is_some() {
        return None;
    }
    if cx.tok(i).is_some_and(|t| t.is_num() && !t.is_int()) || n.fract() != 0.0 || m.fract() != 0.0 {
        return None;
    }
    let next = cx.low(after).to_string();
    let unit = crate::markers::length_unit(&next);
    if unit.is_some_and(|u| u != Unit::Week) {
        return None;
    }
    let v = spanned(cx, Amount::one(n), i, k + 1);
    cx.r.per_week = Some(v);
    let wk_end = if unit.is_some() || matches!(next.as_str(), "visits" | "sessions" | "visit") {
        after + 1
    } else {
        after
    };
    let d = spanned(
        cx,
        Length {
            amount: Amount::one(m),
            unit: Unit::Week,
        },
        k + 1,
        wk_end,
    );
    cx.r.duration = Some(d);
    Some(wk_end)
}

fn dirs<'b>(cx: &'b mut Ctx<'_>) -> &'b mut Directions {
    cx.r.directions.get_or_insert_with(Directions::default)
}

fn set_per_day(cx: &mut Ctx, a: Amount, i: usize, end: usize) -> Option<usize> {
    if cx.r.directions.as_ref().is_some_and(|d| d.per_day.is_some()) {
        return None;
    }
    let v = spanned(cx, a, i, end);
    dirs(cx).per_day = Some(v);
    Some(end)
}

fn per_day(cx: &mut Ctx, i: usize) -> Option<usize> {
    let fixed = match cx.low(i) {
        "qd" | "qday" | "daily" | "od" | "qam" | "qpm" | "qhs" | "hs" | "nightly" | "qn" => Some(1.0),
        "bid" => Some(2.0),
        "tid" => Some(3.0),
        "qid" => Some(4.0),
        _ => None,
    };
    if let Some(n) = fixed {
        return set_per_day(cx, Amount::one(n), i, i + 1);
    }
    if cx.is(i, &["at"]) && cx.is(i + 1, &["bedtime", "night"]) {
        return set_per_day(cx, Amount::one(1.0), i, i + 2);
    }
    if cx.is(i, &["q", "every"]) {
        let (h, k) = amount_at(cx, i + 1)?;
        let end = if cx.is(k, &["h", "hr", "hrs", "hour", "hours"]) {
            k + 1
        } else {
            return None;
        };
        if h.lo <= 0.0 {
            return None;
        }
        let a = Amount {
            lo: 24.0 / h.hi,
            hi: 24.0 / h.lo,
        };
        return set_per_day(cx, a, i, end);
    }
    let (a, k) = times_at(cx, i)?;
    let j = per(cx, k);
    if cx.is(j, &["day", "daily"]) || cx.is(k, &["daily"]) {
        let end = if cx.is(k, &["daily"]) { k + 1 } else { j + 1 };
        return set_per_day(cx, a, i, end);
    }
    None
}

fn as_needed(cx: &mut Ctx, i: usize) -> Option<usize> {
    let end = if cx.is(i, &["prn"]) {
        i + 1
    } else if cx.is(i, &["as", "when"]) && cx.is(i + 1, &["needed"]) {
        i + 2
    } else if cx.is(i, &["as"]) && cx.sym(i + 1, '-') && cx.is(i + 2, &["needed"]) {
        i + 3
    } else {
        return None;
    };
    let s = cx.take(i, end);
    dirs(cx).as_needed.get_or_insert(s);
    Some(end)
}

pub fn dose_unit(low: &str) -> Option<Unit> {
    match low {
        "tab" | "tabs" | "tablet" | "tablets" | "pill" | "pills" => Some(Unit::Tablet),
        "cap" | "caps" | "capsule" | "capsules" => Some(Unit::Capsule),
        "patch" | "patches" => Some(Unit::Patch),
        _ => None,
    }
}

/// "1-2 tabs" before a frequency or after "take": the dose.
fn dose(cx: &mut Ctx, i: usize) -> Option<usize> {
    let take = cx.is(i, &["take", "apply", "use", "sig"]);
    let s = if take { i + 1 } else { i };
    let (a, k) = amount_at(cx, s)?;
    let unit = dose_unit(cx.low(k)).filter(|_| cx.free(k));
    let end = if unit.is_some() { k + 1 } else { k };
    let mut after = end;
    if cx.is(after, &["po", "orally"]) {
        after += 1;
    } else if cx.is(after, &["by"]) && cx.is(after + 1, &["mouth"]) {
        after += 2;
    }
    let next_start = cx.tok(after).map(|t| t.span.start);
    let d = cx.r.directions.as_ref();
    let before_dir = d.is_some_and(|d| {
        [d.per_day.as_ref().map(|p| p.span.start), d.as_needed.map(|p| p.start)].contains(&next_start)
    });
    let a_day = cx.is(after, &["a", "per", "each"]) && cx.is(after + 1, &["day"]);
    let by_mouth = after > end;
    let with_unit = unit.is_some() && (before_dir || a_day || cx.qty_is_count);
    if !(take || by_mouth || with_unit) {
        return None;
    }
    if cx.r.directions.as_ref().is_some_and(|d| d.dose.is_some()) {
        return None;
    }
    cx.take(i, s);
    let v = spanned(cx, a, s, end);
    cx.take(end, after);
    dirs(cx).dose = Some(v);
    dirs(cx).dose_unit = unit;
    if a_day {
        set_per_day(cx, Amount::one(1.0), after, after + 2);
        return Some(after + 2);
    }
    Some(after)
}

/// A duration on its own: "for 6 weeks", "x 14 days", "for one month".
/// For a medicine, days and months are its supply.
fn duration(cx: &mut Ctx, i: usize) -> Option<usize> {
    let lead = cx.is(i, &["for", "x", "times", "over"]);
    let mut k = if lead { i + 1 } else { i };
    while cx.is(k, &["a", "the", "another"]) && lead {
        k += 1;
    }
    let (l, after) = length_at(cx, k)?;
    let drug = !cx.r.strength.is_empty() || cx.r.directions.is_some() || cx.qty_is_count;
    if drug && l.unit != Unit::Week && cx.r.days_supply.is_none() {
        let v = spanned(cx, l, i, after);
        cx.r.days_supply = Some(v);
        return Some(after);
    }
    if cx.r.duration.is_some() || (!lead && !drug && cx.r.per_week.is_none() && !home(cx)) {
        return None;
    }
    let v = spanned(cx, l, i, after);
    cx.r.duration = Some(v);
    Some(after)
}

fn home(cx: &Ctx) -> bool {
    cx.r.hours_per_day.is_some() || cx.r.days_per_week.is_some() || cx.r.hours_per_week.is_some()
}
