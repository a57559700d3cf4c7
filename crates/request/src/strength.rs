//! Strength, with each component of a combination ("10/325 mg",
//! "7.5-325mg", "4%-27.5%-0.0325%", "Flurbiprofen 10%, Lidocaine 5%"),
//! and the dosage form (tablet, capsule, patch, cream, gel, ...).

use crate::read::Ctx;
use crate::{Component, Form, Spanned, StrengthUnit, Unit};

/// A strength unit at `k`: the unit and the index after it.
fn unit_at(cx: &Ctx, k: usize) -> Option<(StrengthUnit, usize)> {
    if !cx.free(k) {
        return None;
    }
    if cx.sym(k, '%') {
        return Some((StrengthUnit::Percent, k + 1));
    }
    let per = |u: &str| cx.sym(k + 1, '/') && cx.low(k + 2) == u && cx.free(k + 2);
    match cx.low(k) {
        "mg" | "mgs" | "milligram" | "milligrams" if per("ml") => Some((StrengthUnit::MgPerMl, k + 3)),
        "mg" | "mgs" | "milligram" | "milligrams" => Some((StrengthUnit::Mg, k + 1)),
        "mcg" | "ug" | "µg" if per("hr") || per("h") => Some((StrengthUnit::McgPerHr, k + 3)),
        "mcg" | "ug" | "µg" | "microgram" | "micrograms" => Some((StrengthUnit::Mcg, k + 1)),
        "iu" => Some((StrengthUnit::Units, k + 1)),
        _ => None,
    }
}

struct Group {
    start: usize,
    end: usize,
    comps: Vec<Component>,
}

fn group_at(cx: &Ctx, i: usize) -> Option<Group> {
    if i > 0 && (cx.sym(i - 1, '#') || cx.is(i - 1, &["qty", "quantity"])) {
        return None;
    }
    let mut comps = Vec::new();
    let mut k = i;
    let mut slash = false;
    let mut end = i;
    while let Some(n) = cx.tok(k).filter(|_| cx.free(k)).and_then(|t| t.num()) {
        let (unit, after) = match unit_at(cx, k + 1) {
            Some((u, a)) => (Some(u), a),
            None => (None, k + 1),
        };
        comps.push(Component {
            amount: n,
            unit,
            name: None,
            span: cx.span(k, after),
        });
        end = after;
        let sep = cx.sym(after, '/') || cx.sym(after, '-');
        if sep && cx.free(after) && cx.tok(after + 1).is_some_and(|t| t.is_num()) {
            slash |= cx.sym(after, '/');
            k = after + 1;
        } else {
            break;
        }
    }
    let any_unit = comps.iter().any(|c| c.unit.is_some());
    let plain_combo = slash && comps.len() >= 2 && !unit_word_after(cx, end);
    if comps.is_empty() || !(any_unit || plain_combo) {
        return None;
    }
    // A unit written once applies to the components before it.
    let mut last = None;
    for c in comps.iter_mut().rev() {
        if c.unit.is_some() {
            last = c.unit;
        } else {
            c.unit = last;
        }
    }
    Some(Group { start: i, end, comps })
}

/// A word after "2/3" that makes it no strength ("2/3 visits").
fn unit_word_after(cx: &Ctx, k: usize) -> bool {
    let w = cx.low(k);
    crate::markers::length_unit(w).is_some()
        || matches!(
            w,
            "x" | "times" | "visits" | "sessions" | "hrs" | "hours" | "tabs" | "tablets" | "ml"
        )
}

/// The words naming a component just before token `start`, if any.
fn name_before(cx: &Ctx, start: usize) -> Option<(usize, usize)> {
    const NOT_NAME: &[&str] = &[
        "of",
        "and",
        "with",
        "for",
        "container",
        "the",
        "a",
        "tube",
        "compound",
        "cream",
    ];
    let mut s = start;
    while s > 0 {
        let k = s - 1;
        let ok = cx.free(k) && cx.tok(k).is_some_and(|t| t.is_word()) && !NOT_NAME.contains(&cx.low(k));
        let join = cx.free(k) && cx.sym(k, '-') && s < start;
        if ok || join {
            s = k;
        } else {
            break;
        }
    }
    (s < start).then_some((s, start))
}

pub fn read_strength(cx: &mut Ctx) {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < cx.len() {
        match group_at(cx, i) {
            Some(g) => {
                i = g.end;
                groups.push(g);
            }
            None => i += 1,
        }
    }
    let named: Vec<Option<(usize, usize)>> = groups.iter().map(|g| name_before(cx, g.start)).collect();
    let compound = groups.len() >= 2 && named.iter().all(|n| n.is_some());
    for (g, name) in groups.into_iter().zip(named) {
        cx.take(g.start, g.end);
        let mut comps = g.comps;
        if let (true, Some((a, b))) = (compound, name) {
            let span = cx.take(a, b);
            let text = cx.text(span).to_string();
            for c in comps.iter_mut() {
                c.name = Some(text.clone());
            }
            cx.compound.push((text, span));
        }
        cx.r.strength.extend(comps);
    }
}

fn form_word(low: &str, next: &str) -> Option<(Form, usize)> {
    let f = match low {
        "tablet" | "tablets" | "tab" | "tabs" => Form::Tablet,
        "capsule" | "capsules" | "cap" | "caps" => Form::Capsule,
        "patch" | "patches" => Form::Patch,
        "cream" | "creams" => Form::Cream,
        "ointment" => Form::Ointment,
        "gel" => Form::Gel,
        "lotion" => Form::Lotion,
        "oral" if next == "suspension" => return Some((Form::OralSuspension, 2)),
        "oral" if next == "solution" => return Some((Form::Solution, 2)),
        "suspension" => Form::OralSuspension,
        "solution" => Form::Solution,
        "injection" | "injections" | "inj" | "injectable" => Form::Injection,
        "pad" | "pads" => Form::Pad,
        _ => return None,
    };
    Some((f, 1))
}

/// The unit a form is counted in, when it is a count.
pub fn form_unit(f: Form) -> Option<Unit> {
    match f {
        Form::Tablet => Some(Unit::Tablet),
        Form::Capsule => Some(Unit::Capsule),
        Form::Patch => Some(Unit::Patch),
        Form::Pad => Some(Unit::Pad),
        _ => None,
    }
}

/// The units a quantity of the form may be in.
pub fn fits(f: Form, u: Unit) -> bool {
    match f {
        Form::Tablet => u == Unit::Tablet,
        Form::Capsule => u == Unit::Capsule,
        Form::Patch => u == Unit::Patch,
        Form::Pad => u == Unit::Pad,
        Form::Cream | Form::Ointment | Form::Gel | Form::Lotion => matches!(u, Unit::G | Unit::Ml),
        Form::OralSuspension | Form::Solution => u == Unit::Ml,
        Form::Injection => matches!(u, Unit::Ml | Unit::Unit),
    }
}

pub fn read_form(cx: &mut Ctx) {
    let drug = !cx.r.strength.is_empty();
    for i in 0..cx.len() {
        if !cx.free(i) {
            continue;
        }
        let next = cx.low(i + 1).to_string();
        let Some((form, n)) = form_word(cx.low(i), &next) else {
            continue;
        };
        if matches!(form, Form::Injection | Form::Pad) && !drug {
            continue;
        }
        let span = cx.take(i, i + n);
        cx.r.form = Some(Spanned { value: form, span });
        return;
    }
    // The form said by the unit of the dose or the quantity ("1-2 tabs").
    let from_dose =
        cx.r.directions
            .as_ref()
            .and_then(|d| Some((d.dose_unit?, d.dose.as_ref()?.span)));
    if let Some((u, span)) = from_dose.or(cx.qty_unit_word) {
        let form = match u {
            Unit::Tablet => Form::Tablet,
            Unit::Capsule => Form::Capsule,
            Unit::Patch => Form::Patch,
            _ => return,
        };
        cx.r.form = Some(Spanned { value: form, span });
    }
}
