//! A line per value of a reading, for a person to read (and snapshots).

use crate::{Amount, Reading, Resolution, Span};
use std::fmt::Write;

fn sp(out: &mut String, spans: bool, s: Span) {
    if spans {
        let _ = write!(out, " @{s}");
    }
}

fn amount_line(out: &mut String, spans: bool, name: &str, v: Option<(Amount, Span)>, suffix: &str) {
    if let Some((a, s)) = v {
        let _ = write!(out, "{name}: {a}{suffix}");
        sp(out, spans, s);
        out.push('\n');
    }
}

pub fn summary(r: &Reading, spans: bool) -> String {
    let mut o = String::new();
    if let Some(t) = &r.treatment {
        let _ = write!(o, "treatment: {:?}", t.text);
        sp(&mut o, spans, t.span);
        match &t.resolution {
            Resolution::Known { id } => {
                let _ = write!(o, " = {id}");
            }
            Resolution::NearMiss { suggestions } => {
                let _ = write!(o, " near {}", suggestions.join(", "));
            }
            Resolution::Unknown => o.push_str(" unknown"),
        }
        o.push('\n');
    }
    if !r.strength.is_empty() {
        let parts: Vec<String> = r
            .strength
            .iter()
            .map(|c| {
                let mut s = String::new();
                if let Some(n) = &c.name {
                    let _ = write!(s, "{n} ");
                }
                let _ = write!(s, "{}", c.amount);
                if let Some(u) = c.unit {
                    let _ = write!(s, " {}", u.name());
                }
                sp(&mut s, spans, c.span);
                s
            })
            .collect();
        let _ = writeln!(o, "strength: {}", parts.join(" + "));
    }
    if let Some(f) = &r.form {
        let _ = write!(o, "form: {}", f.value.name());
        sp(&mut o, spans, f.span);
        o.push('\n');
    }
    if let Some(d) = &r.directions {
        let unit = d.dose_unit.map(|u| format!(" {}", u.name())).unwrap_or_default();
        amount_line(&mut o, spans, "dose", d.dose.as_ref().map(|x| (x.value, x.span)), &unit);
        amount_line(
            &mut o,
            spans,
            "per_day",
            d.per_day.as_ref().map(|x| (x.value, x.span)),
            "",
        );
        if let Some(s) = d.as_needed {
            o.push_str("as_needed");
            sp(&mut o, spans, s);
            o.push('\n');
        }
    }
    if let Some(q) = &r.quantity {
        let unit = q.unit.map(|u| format!(" {}", u.name())).unwrap_or_default();
        let _ = write!(o, "quantity: {}{unit}", q.amount);
        if q.derived {
            o.push_str(" (derived)");
        }
        if let Some(w) = q.with_refills {
            let _ = write!(o, " ({w} with refills)");
        }
        sp(&mut o, spans, q.span);
        o.push('\n');
    }
    amount_line(
        &mut o,
        spans,
        "refills",
        r.refills.as_ref().map(|x| (x.value, x.span)),
        "",
    );
    let len = |x: &Option<crate::Spanned<crate::Length>>| x.as_ref().map(|x| (x.value.amount, x.span, x.value.unit));
    if let Some((a, s, u)) = len(&r.days_supply) {
        amount_line(&mut o, spans, "days_supply", Some((a, s)), &format!(" {}", u.name()));
    }
    amount_line(
        &mut o,
        spans,
        "per_week",
        r.per_week.as_ref().map(|x| (x.value, x.span)),
        "",
    );
    if let Some((a, s, u)) = len(&r.duration) {
        amount_line(&mut o, spans, "duration", Some((a, s)), &format!(" {}", u.name()));
    }
    amount_line(
        &mut o,
        spans,
        "hours_per_day",
        r.hours_per_day.as_ref().map(|x| (x.value, x.span)),
        "",
    );
    amount_line(
        &mut o,
        spans,
        "hours_per_week",
        r.hours_per_week.as_ref().map(|x| (x.value, x.span)),
        "",
    );
    amount_line(
        &mut o,
        spans,
        "days_per_week",
        r.days_per_week.as_ref().map(|x| (x.value, x.span)),
        "",
    );
    rest(&mut o, r, spans);
    o
}

fn rest(o: &mut String, r: &Reading, spans: bool) {
    if let Some(a) = &r.acquisition {
        let kind = match a.kind {
            crate::AcquisitionKind::Purchase => "purchase",
            crate::AcquisitionKind::Rental => "rental",
        };
        let _ = write!(o, "acquisition: {kind}");
        sp(o, spans, a.span);
        if let Some(l) = &a.length {
            let _ = write!(o, " for {}", l.value);
            sp(o, spans, l.span);
        }
        o.push('\n');
    }
    for g in &r.regions {
        let side = g.side.map(|s| format!("{} ", s.name())).unwrap_or_default();
        let name = g.name.as_deref().unwrap_or("(no body_region name)");
        let _ = write!(o, "region: {side}{} -> {name}", g.part);
        sp(o, spans, g.span);
        o.push('\n');
    }
    if let Some(s) = &r.side {
        let _ = write!(o, "side: {}", s.value.name());
        sp(o, spans, s.span);
        o.push('\n');
    }
    for l in &r.levels {
        let _ = write!(o, "level: {l}");
        sp(o, spans, l.span);
        o.push('\n');
    }
    let flags = [
        ("retrospective", r.retrospective),
        ("post_op", r.post_op),
        ("pre_op", r.pre_op),
    ];
    for (name, s) in flags {
        if let Some(s) = s {
            o.push_str(name);
            sp(o, spans, s);
            o.push('\n');
        }
    }
    if let Some(d) = &r.date_of_service {
        let _ = write!(o, "date_of_service: {}", d.value);
        sp(o, spans, d.span);
        o.push('\n');
    }
    for d in &r.dates {
        let _ = write!(o, "date: {}", d.value);
        sp(o, spans, d.span);
        o.push('\n');
    }
    for c in &r.codes {
        let kind = match c.kind {
            crate::CodeKind::Hcpcs => "hcpcs",
            crate::CodeKind::Cpt => "cpt",
        };
        let _ = write!(o, "code: {kind} {}", c.code);
        sp(o, spans, c.span);
        o.push('\n');
    }
    for c in &r.diagnosis_codes {
        let _ = write!(o, "diagnosis: icd-10-cm {}", c.value);
        sp(o, spans, c.span);
        o.push('\n');
    }
    if spans {
        for p in &r.problems {
            let sev = match p.severity() {
                crate::Severity::Error => "error",
                crate::Severity::Warning => "warning",
            };
            let _ = writeln!(o, "{sev}[{}] @{}: {}", p.kind(), p.span(), p);
        }
    }
}
