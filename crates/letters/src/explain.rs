//! Stage 7: which line gave which value, as plain text.

use std::collections::HashMap;
use std::fmt::Write;

use crate::{Citation, Letter, Place};

/// Renders every value of the letter with the place it was read from and
/// the text of that line, then the problems.
pub fn explain(letter: &Letter) -> String {
    let by_place: HashMap<Place, &str> = letter.lines.iter().map(|l| (l.place, l.text.as_str())).collect();
    let mut out = String::new();
    let mut put = |place: Place, field: &str, value: &str| {
        let line = by_place.get(&place).copied().unwrap_or("");
        let line: String = if line.chars().count() > 70 {
            line.chars().take(67).collect::<String>() + "..."
        } else {
            line.to_string()
        };
        let _ = writeln!(
            out,
            "{:<9} {:<34} {}\n{:<9} {:<34} | {}",
            place.to_string(),
            field,
            value,
            "",
            "",
            line
        );
    };
    let fields = [
        ("case_number", &letter.case_number),
        ("date_assigned", &letter.date_assigned),
        ("injury_date", &letter.injury_date),
        ("decision_date", &letter.decision_date),
        ("ur_denial_date", &letter.ur_denial_date),
        ("priority", &letter.priority),
        ("application_received", &letter.application_received),
        ("specialty_text", &letter.specialty_text),
    ];
    for (name, v) in fields {
        if let Some(v) = v {
            put(v.place, name, &v.value);
        }
    }
    for l in &letter.licensure {
        put(l.place, "licensure", &format!("{} ({})", l.value.state, l.value.code));
    }
    for s in &letter.specialties {
        put(s.place, "specialty", &s.value);
    }
    if let Some(a) = &letter.age {
        put(a.place, "age", &a.value.to_string());
    }
    if let Some(s) = &letter.sex {
        put(s.place, "sex", s.value.as_str());
    }
    if let (Some(first), Some(last)) = (letter.summary.first(), letter.summary.last()) {
        put(
            first.place,
            "summary",
            &format!("{} lines, to {}", letter.summary.len(), last.place),
        );
    }
    for it in &letter.items {
        let n = it.number;
        put(it.text.place, &format!("item {n} text"), &it.text.value);
        put(
            it.decision.place,
            &format!("item {n} decision"),
            it.decision.value.as_str(),
        );
        if let Some(o) = &it.original_request {
            put(o.place, &format!("item {n} original_request"), &o.value);
        }
        if let Some(a) = &it.authorized {
            put(a.place, &format!("item {n} authorized"), &a.value);
        }
        for (side, c) in [
            ("claims_administrator", &it.claims_administrator),
            ("reviewer", &it.reviewer),
        ] {
            if let Some(c) = c {
                citation(&mut put, &format!("item {n} {side}"), c);
            }
        }
        if let (Some(first), Some(last)) = (it.rationale.first(), it.rationale.last()) {
            put(
                first.place,
                &format!("item {n} rationale"),
                &format!("{} lines, to {}", it.rationale.len(), last.place),
            );
        }
    }
    if !letter.problems.is_empty() {
        let _ = writeln!(out, "\nnot read:");
        for p in &letter.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    out
}

fn citation(put: &mut impl FnMut(Place, &str, &str), field: &str, c: &Citation) {
    put(c.place, field, c.evidence.as_str());
    for r in &c.refs {
        let mut v = r.source.clone();
        if let Some(y) = r.year {
            v.push_str(&format!(" {y}"));
        }
        if r.mtus {
            v.push_str(" [MTUS]");
        }
        if !r.sections.is_empty() {
            v.push_str(&format!("; sections: {}", r.sections.join(" | ")));
        }
        if !r.pages.is_empty() {
            v.push_str(&format!("; pages: {}", r.pages.join(", ")));
        }
        put(r.place, &format!("{field} source"), &v);
    }
}
