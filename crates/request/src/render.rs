//! Renders a reading as a canonical line, which reads back to the same
//! values: "Norco 10 mg/325 mg tablet take 1 tablet 2 times a day #120
//! tablet with 2 refills for the left knee".

use crate::{AcquisitionKind, Reading, Side, StrengthUnit, Unit};

fn plural(unit: Unit) -> &'static str {
    match unit {
        Unit::Day => "days",
        Unit::Week => "weeks",
        Unit::Month => "months",
        Unit::Visit => "visits",
        Unit::Unit => "units",
        _ => unit.name(),
    }
}

fn component(amount: f64, unit: Option<StrengthUnit>) -> String {
    match unit {
        Some(StrengthUnit::Percent) => format!("{amount}%"),
        Some(u) => format!("{amount} {}", u.name()),
        None => format!("{amount}"),
    }
}

pub fn render(r: &Reading) -> String {
    let mut w: Vec<String> = Vec::new();
    if r.retrospective.is_some() {
        w.push("Retrospective".into());
    }
    if r.pre_op.is_some() {
        w.push("pre-op".into());
    }
    if r.post_op.is_some() {
        w.push("post-op".into());
    }
    if let Some(a) = &r.acquisition {
        match (a.kind, &a.length) {
            (AcquisitionKind::Purchase, _) => w.push("purchase of".into()),
            (AcquisitionKind::Rental, Some(l)) => {
                w.push(format!("{} {} rental of", l.value.amount, l.value.unit.name()))
            }
            (AcquisitionKind::Rental, None) => w.push("rental of".into()),
        }
    }
    // "2 refills of Ibuprofen 600 mg #90": the refills alone are asked.
    let only = refills_only(r);
    if let (Some(rf), true) = (&r.refills, only) {
        w.push(format!("{} refills of", rf.value));
    }
    let compound = r.strength.iter().any(|c| c.name.is_some());
    if let (Some(t), false) = (&r.treatment, compound) {
        w.push(t.text.clone());
    }
    strength(r, &mut w, compound);
    if let Some(f) = &r.form {
        w.push(f.value.name().into());
    }
    directions(r, &mut w);
    quantity(r, &mut w);
    frequency(r, &mut w);
    places(r, &mut w);
    w.join(" ")
}

fn strength(r: &Reading, w: &mut Vec<String>, compound: bool) {
    if compound {
        let mut parts: Vec<String> = Vec::new();
        let mut last: Option<&str> = None;
        for c in &r.strength {
            let name = c.name.as_deref().unwrap_or("");
            if last == Some(name) {
                if let Some(p) = parts.last_mut() {
                    p.push('/');
                    p.push_str(&component(c.amount, c.unit));
                }
            } else {
                parts.push(format!("{name} {}", component(c.amount, c.unit)));
            }
            last = Some(name);
        }
        w.push(parts.join(", "));
    } else if !r.strength.is_empty() {
        let parts: Vec<String> = r.strength.iter().map(|c| component(c.amount, c.unit)).collect();
        w.push(parts.join("/"));
    }
}

fn directions(r: &Reading, w: &mut Vec<String>) {
    let Some(d) = &r.directions else { return };
    if let Some(dose) = &d.dose {
        let unit = d.dose_unit.map(|u| format!(" {}", u.name())).unwrap_or_default();
        w.push(format!("take {}{unit}", dose.value));
    }
    if let Some(p) = &d.per_day {
        w.push(format!("{} times a day", p.value));
    }
    if d.as_needed.is_some() {
        w.push("as needed".into());
    }
}

/// Whether the line asks for its refills alone: the total with the
/// refills is the quantity times the refills, with no first fill.
fn refills_only(r: &Reading) -> bool {
    match (&r.quantity, &r.refills) {
        (Some(q), Some(rf)) => q.with_refills.is_some_and(|w| {
            rf.value.lo > 0.0 && w.lo == q.amount.lo * rf.value.lo && w.hi == q.amount.hi * rf.value.hi
        }),
        _ => false,
    }
}

fn quantity(r: &Reading, w: &mut Vec<String>) {
    if let Some(q) = r.quantity.as_ref().filter(|q| !q.derived) {
        w.push(match q.unit {
            None => format!("#{}", q.amount),
            Some(u @ (Unit::Tablet | Unit::Capsule | Unit::Patch | Unit::Pad)) => format!("#{} {}", q.amount, u.name()),
            Some(u) => format!("{} {}", q.amount, plural(u)),
        });
    }
    if let Some(rf) = r.refills.as_ref().filter(|_| !refills_only(r)) {
        let plural = if rf.value.is_range() || rf.value.lo != 1.0 {
            "s"
        } else {
            ""
        };
        w.push(format!("with {} refill{plural}", rf.value));
    }
    if let Some(d) = &r.days_supply {
        w.push(format!("{} {} supply", d.value.amount, d.value.unit.name()));
    }
}

fn frequency(r: &Reading, w: &mut Vec<String>) {
    if let Some(h) = &r.hours_per_day {
        w.push(format!("{} hours a day", h.value));
    }
    if let Some(h) = &r.hours_per_week {
        w.push(format!("{} hours a week", h.value));
    }
    if let Some(d) = &r.days_per_week {
        w.push(format!("{} days a week", d.value));
    }
    if let Some(p) = &r.per_week {
        w.push(format!("{} times a week", p.value));
    }
    if let Some(d) = &r.duration {
        w.push(format!("for {} {}", d.value.amount, plural(d.value.unit)));
    }
}

fn places(r: &Reading, w: &mut Vec<String>) {
    // A region inside the treatment phrase ("Hinged knee brace") is
    // written by the phrase.
    let inside = |g: &&crate::Region| {
        r.treatment.as_ref().is_some_and(|t| {
            r.strength.iter().all(|c| c.name.is_none()) && t.span.start <= g.span.start && g.span.end <= t.span.end
        })
    };
    let regions: Vec<String> = r
        .regions
        .iter()
        .filter(|g| !inside(g))
        .map(|g| match g.side {
            Some(s) => format!("the {} {}", s.name(), g.part),
            None => format!("the {}", g.part),
        })
        .collect();
    if !regions.is_empty() {
        w.push(format!("for {}", regions.join(", ")));
    }
    if let Some(s) = &r.side {
        w.push(match s.value {
            Side::Left => "left".into(),
            Side::Right => "right".into(),
            Side::Bilateral => "bilateral".into(),
        });
    }
    if !r.levels.is_empty() {
        let l: Vec<String> = r.levels.iter().map(|l| l.to_string()).collect();
        w.push(l.join(", "));
    }
    for c in &r.codes {
        let kw = match c.kind {
            crate::CodeKind::Hcpcs => "HCPCS",
            crate::CodeKind::Cpt => "CPT",
        };
        w.push(format!("{kw} {}", c.code));
    }
    for c in &r.diagnosis_codes {
        w.push(format!("Dx {}", c.value));
    }
    let us = |d: &crate::Date| format!("{:02}/{:02}/{:04}", d.month, d.day, d.year);
    if let Some(d) = &r.date_of_service {
        w.push(format!("DOS: {}", us(&d.value)));
    }
    for d in &r.dates {
        w.push(format!("dated {}", us(&d.value)));
    }
}
