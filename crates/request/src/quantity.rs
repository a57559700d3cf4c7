//! Quantities: counts ("#60", "qty 60"), refills ("with 2 refills", "x1
//! refill"), written totals ("12 sessions", "(8 visits)", "Twelve
//! physical therapy sessions", "x 6 sessions", "100 g"), leading counts
//! ("1 knee scooter"), and last the totals a frequency implies, with the
//! checks of totals, units and durations.

use crate::frequency::dose_unit;
use crate::numbers::amount_at;
use crate::read::Ctx;
use crate::strength::{fits, form_unit};
use crate::{Amount, Problem, Quantity, Span, Spanned, Unit};

fn set_quantity(cx: &mut Ctx, amount: Amount, unit: Option<Unit>, span: Span) -> bool {
    if cx.r.quantity.is_some() {
        return false;
    }
    cx.r.quantity = Some(Quantity {
        amount,
        unit,
        span,
        derived: false,
        with_refills: None,
    });
    true
}

/// A unit word after a count ("tabs", "g", "ml", "tubes").
fn count_unit(low: &str) -> Option<Unit> {
    dose_unit(low).or(match low {
        "g" | "gm" | "gms" | "gram" | "grams" => Some(Unit::G),
        "ml" | "mls" | "cc" | "milliliters" => Some(Unit::Ml),
        "unit" | "units" | "tube" | "tubes" | "bottle" | "bottles" | "box" | "boxes" | "container" | "containers"
        | "kit" | "kits" | "pair" | "pairs" | "each" | "jar" | "jars" => Some(Unit::Unit),
        "pad" | "pads" => Some(Unit::Pad),
        "hours" | "hrs" | "hour" | "hr" => Some(Unit::Hour),
        _ => None,
    })
}

fn visit_word(low: &str) -> bool {
    matches!(
        low,
        "sessions" | "session" | "visits" | "visit" | "treatments" | "treatment"
    )
}

pub fn read_counts(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if !cx.free(i) {
            continue;
        }
        if cx.sym(i, '#') || cx.is(i, &["qty", "quantity", "disp", "dispense"]) {
            count(cx, i);
        }
    }
    for i in 0..cx.len() {
        if cx.free(i) {
            refills(cx, i);
        }
    }
}

fn count(cx: &mut Ctx, i: usize) {
    // "Tylenol #3" names a product; the number is no count.
    if i > 0 && cx.low(i - 1) == "tylenol" {
        return;
    }
    let mut k = i + 1;
    if cx.sym(k, ':') || cx.sym(k, '#') {
        k += 1;
    }
    let Some((a, end)) = amount_at(cx, k) else { return };
    if cx.r.quantity.is_some() {
        return;
    }
    let unit = count_unit(cx.low(end)).filter(|_| cx.free(end));
    let stop = if unit.is_some() { end + 1 } else { end };
    let span = cx.take(i, stop);
    if let Some(u) = unit {
        cx.qty_unit_word = Some((u, cx.toks[end].span));
    }
    set_quantity(cx, a, None, span);
    cx.qty_is_count = true;
}

fn is_refill(low: &str) -> bool {
    matches!(low, "refill" | "refills" | "rf" | "rfs" | "refil" | "refils" | "rfl")
}

fn refills(cx: &mut Ctx, i: usize) {
    if cx.r.refills.is_some() {
        return;
    }
    // "no refills"
    if cx.is(i, &["no", "zero"]) && is_refill(cx.low(i + 1)) {
        let span = cx.take(i, i + 2);
        cx.r.refills = Some(Spanned {
            value: Amount::one(0.0),
            span,
        });
        return;
    }
    // "refills: 2", "refill x1"
    if is_refill(cx.low(i)) {
        let mut k = i + 1;
        while cx.sym(k, ':') || cx.is(k, &["x"]) {
            k += 1;
        }
        if let Some((a, end)) = amount_at(cx, k) {
            let span = cx.take(k, end);
            cx.take(i, k);
            cx.r.refills = Some(Spanned { value: a, span });
        }
        return;
    }
    // "with 2 refills", "x1 refill", "+ 2 refills"
    let lead = cx.is(i, &["with", "x", "plus", "and", "w"]) || cx.sym(i, '+');
    let s = if lead { i + 1 } else { i };
    if let Some((a, end)) = amount_at(cx, s) {
        if is_refill(cx.low(end)) && cx.free(end) {
            // "Two refills of Ibuprofen 600mg #90": the refills are what
            // is asked, not more of a first fill.
            cx.refills_only = !lead && cx.low(end + 1) == "of";
            let span = cx.take(s, end);
            cx.take(i, s);
            cx.take(end, end + 1);
            cx.r.refills = Some(Spanned { value: a, span });
        }
    }
}

pub fn read_totals(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if cx.free(i) {
            total_at(cx, i);
        }
    }
}

fn total_at(cx: &mut Ctx, i: usize) {
    // "(8 visits)", "(8)"
    if cx.sym(i, '(') {
        if let Some((a, end)) = amount_at(cx, i + 1) {
            let e = if visit_word(cx.low(end)) { end + 1 } else { end };
            let freq = cx.r.per_week.is_some() || cx.r.duration.is_some();
            if cx.sym(e, ')') && (freq || e > end) && cx.r.quantity.is_none() {
                let span = cx.span(i + 1, e);
                cx.take(i, e + 1);
                set_quantity(cx, a, (e > end).then_some(Unit::Visit), span);
            }
        }
        return;
    }
    // "x 6 sessions", "times 6"
    let after_num = i > 0 && cx.free(i - 1) && cx.tok(i - 1).is_some_and(|t| t.is_num());
    if cx.is(i, &["x", "times"]) && !after_num {
        if let Some((a, end)) = amount_at(cx, i + 1) {
            let e = if visit_word(cx.low(end)) { end + 1 } else { end };
            if cx.r.quantity.is_none() {
                let span = cx.span(i + 1, e);
                cx.take(i, e);
                set_quantity(cx, a, (e > end).then_some(Unit::Visit), span);
            }
        }
        return;
    }
    let Some((a, end)) = amount_at(cx, i) else { return };
    if cx.r.quantity.is_some() {
        return;
    }
    // "12 sessions", "12-18 visits"
    if visit_word(cx.low(end)) && cx.free(end) {
        let span = cx.take(i, end + 1);
        set_quantity(cx, a, Some(Unit::Visit), span);
        return;
    }
    // "60 tablets", "100 g", "2 tubes"
    if let Some(u) = count_unit(cx.low(end)).filter(|_| cx.free(end)) {
        let span = cx.take(i, end + 1);
        cx.qty_unit_word = Some((u, cx.toks[end].span));
        set_quantity(cx, a, Some(u), span);
        return;
    }
    let first = (0..i).all(|k| !cx.free(k) || cx.tok(k).is_some_and(|t| t.is_sym('(')));
    if first {
        leading(cx, i, a, end);
    }
}

/// A count at the start: "Twelve physical therapy sessions", "1 knee
/// scooter".
fn leading(cx: &mut Ctx, i: usize, a: Amount, end: usize) {
    let word = |k: usize| cx.free(k) && cx.tok(k).is_some_and(|t| t.is_word());
    let region_word = cx.region_tok.get(end).copied().unwrap_or(false);
    if !word(end) && !region_word {
        return;
    }
    let mut k = end;
    while k < end + 6 && word(k) {
        if visit_word(cx.low(k)) {
            let span = cx.span(i, k + 1);
            cx.take(i, end);
            cx.take(k, k + 1);
            set_quantity(cx, a, Some(Unit::Visit), span);
            return;
        }
        k += 1;
    }
    if a.lo.fract() == 0.0 && !a.is_range() {
        let span = cx.take(i, end);
        set_quantity(cx, a, Some(Unit::Unit), span);
    }
}

/// Units from the form, derived totals, and the checks.
pub fn finish(cx: &mut Ctx) {
    let form = cx.r.form.as_ref().map(|f| f.value);
    let dose_u = cx.r.directions.as_ref().and_then(|d| d.dose_unit);
    if let Some((u, span)) = cx.qty_unit_word {
        if let Some(q) = cx.r.quantity.as_mut() {
            q.unit = Some(u);
        }
        check_fit(cx, u, span);
    } else if cx.qty_is_count {
        let u = form.and_then(form_unit).or(dose_u);
        if let Some(q) = cx.r.quantity.as_mut() {
            q.unit = u;
        }
    }
    if let (Some(u), Some(span)) = (
        dose_u,
        cx.r.directions.as_ref().and_then(|d| d.dose.as_ref().map(|d| d.span)),
    ) {
        check_fit(cx, u, span);
    }
    totals(cx);
    if let (Some(q), Some(rf)) = (cx.r.quantity.as_mut(), cx.r.refills.as_ref()) {
        if !q.derived {
            let fills = if cx.refills_only { 0.0 } else { 1.0 };
            q.with_refills = Some(Amount {
                lo: q.amount.lo * (fills + rf.value.lo),
                hi: q.amount.hi * (fills + rf.value.hi),
            });
        }
    }
    no_duration(cx);
}

fn check_fit(cx: &mut Ctx, u: Unit, span: Span) {
    if let Some(f) = cx.r.form.as_ref().map(|f| f.value) {
        if !fits(f, u) && u != Unit::Unit {
            let p = Problem::UnitDoesNotFitForm {
                unit: cx.text(span).to_string(),
                form: f.name().to_string(),
                span,
            };
            cx.problem(p);
        }
    }
}

/// The total a frequency implies: visits a week times weeks, or hours a
/// day times days a week times weeks.
fn implied(cx: &Ctx) -> Option<(Amount, Unit, Span)> {
    let d = cx.r.duration.as_ref().filter(|d| d.value.unit == Unit::Week)?;
    let weeks = d.value.amount;
    if let (Some(h), Some(dw)) = (&cx.r.hours_per_day, &cx.r.days_per_week) {
        return Some((h.value.times(dw.value).times(weeks), Unit::Hour, h.span.to(d.span)));
    }
    if let Some(h) = &cx.r.hours_per_week {
        return Some((h.value.times(weeks), Unit::Hour, h.span.to(d.span)));
    }
    let pw = cx.r.per_week.as_ref()?;
    Some((pw.value.times(weeks), Unit::Visit, pw.span.to(d.span)))
}

fn totals(cx: &mut Ctx) {
    let Some((computed, unit, span)) = implied(cx) else {
        return;
    };
    match &cx.r.quantity {
        None => {
            cx.r.quantity = Some(Quantity {
                amount: computed,
                unit: Some(unit),
                span,
                derived: true,
                with_refills: None,
            });
        }
        Some(q)
            if (q.unit == Some(unit) || q.unit.is_none())
                && !q.derived
                && !cx.qty_is_count
                && !computed.contains(q.amount) =>
        {
            let p = Problem::TotalsDisagree {
                stated: q.amount.to_string(),
                computed: computed.to_string(),
                span: q.span,
            };
            cx.problem(p);
        }
        _ => {}
    }
}

fn no_duration(cx: &mut Ctx) {
    let told = cx.r.quantity.is_some() || cx.r.duration.is_some() || cx.r.days_supply.is_some();
    if told {
        return;
    }
    let freq =
        cx.r.per_week
            .as_ref()
            .or(cx.r.hours_per_day.as_ref())
            .or(cx.r.days_per_week.as_ref())
            .map(|s| s.span);
    let per_day =
        cx.r.directions
            .as_ref()
            .and_then(|d| d.per_day.as_ref().map(|p| p.span));
    if let Some(span) = freq.or(per_day) {
        let text = cx.text(span).to_string();
        cx.problem(Problem::FrequencyWithoutDuration { text, span });
    }
}
