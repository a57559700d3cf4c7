//! `POST /v1/request`'s answer: a request line as an office types it from
//! the RFA ("Norco 10/325 mg #120 1 tab q6h"), read by
//! [`crate::request::read`], said back value by value in plain words, with
//! the request fields of a case file it gives.
//!
//! Invariants: it never decides anything and never invents a value: a
//! field is given only when the line states it (a range such as "1-2
//! tabs", a count with no unit the treatment could be counted in, or a
//! strength of several parts that is not an opioid's is said, not
//! taken); the one value worked out, a days' supply from the directions
//! (120 tablets at 1 tablet 4 times a day last 30 days), says so. The
//! fields load as a case's request (the page then posts them through
//! `/v1/check`, where any mistake is located).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::RuleSet;
use crate::request::{Coverage, Resolution, Severity, count_unit, coverage, read, render, unit_name};
use crate::value::{Date, fmt_num};
use mtus_request::{AcquisitionKind, Amount, CodeKind, StrengthUnit, Unit};

/// A byte range of the line, and its column (1-based, in characters).
#[derive(Clone, Debug, Serialize)]
pub struct SpanJson {
    pub start: usize,
    pub end: usize,
    pub column: usize,
}

fn span(line: &str, s: mtus_request::Span) -> SpanJson {
    let start = s.start.min(line.len());
    let column = line.char_indices().take_while(|(i, _)| *i < start).count() + 1;
    SpanJson {
        start,
        end: s.end.min(line.len()),
        column,
    }
}

/// One value read, in words.
#[derive(Clone, Debug, Serialize)]
pub struct Understood {
    /// What it is: "Treatment", "Quantity", "Strength", ...
    pub what: &'static str,
    /// The value in words: "120 tablets", "Hydrocodone / acetaminophen".
    pub value: String,
    /// The part of the line it was read from, as written.
    pub written: Option<String>,
    pub span: Option<SpanJson>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProblemJson {
    pub severity: &'static str,
    pub kind: &'static str,
    pub message: String,
    pub help: String,
    pub span: SpanJson,
    pub written: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TreatmentRead {
    /// The catalog's canonical name (the case file's `treatment`).
    pub name: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineJson {
    pub line: String,
    pub date: Option<String>,
    /// The treatment the line names, when the catalog knows it.
    pub treatment: Option<TreatmentRead>,
    /// With a date and a known treatment: `decided`, `no_rule` or
    /// `not_in_force`, and the rules that decide it.
    pub coverage: Option<Value>,
    /// Every value read, in the order of the form, in words.
    pub understood: Vec<Understood>,
    /// The request's fields as a case file writes them (`treatment`,
    /// `quantity`, `strength`, `days_supply`, `per_week`, `duration`,
    /// `body_region`): what the form is filled with once confirmed.
    pub fields: Map<String, Value>,
    /// What was read but not put in a field, and what was worked out,
    /// each a sentence.
    pub notes: Vec<String>,
    /// The reader's errors and warnings, located in the line.
    pub problems: Vec<ProblemJson>,
    /// The line as the values read write it back.
    pub canonical: String,
    /// The reader's values as `mtus request --format json` gives them.
    pub reading: Value,
}

fn plural(n: Amount, unit: &str) -> String {
    let one = !n.is_range() && n.lo == 1.0;
    let word = match unit {
        _ if one => unit.to_string(),
        "g" | "ml" | "mg" | "mcg" => unit.to_string(),
        "patch" => "patches".into(),
        u => format!("{u}s"),
    };
    format!("{} {word}", amount(n))
}

fn amount(a: Amount) -> String {
    if a.is_range() {
        format!("{} to {}", fmt_num(a.lo), fmt_num(a.hi))
    } else {
        fmt_num(a.lo)
    }
}

fn strength_unit(u: Option<StrengthUnit>) -> Option<&'static str> {
    match u? {
        StrengthUnit::Mg => Some("mg"),
        StrengthUnit::Mcg => Some("mcg"),
        StrengthUnit::G => Some("g"),
        StrengthUnit::Percent => Some("percent"),
        StrengthUnit::McgPerHr => Some("mcg_per_hour"),
        StrengthUnit::MgPerMl | StrengthUnit::Units => None,
    }
}

fn strength_words(c: &mtus_request::Component) -> String {
    let u = match c.unit {
        Some(StrengthUnit::Percent) => "%".to_string(),
        Some(u) => format!(" {}", u.name()),
        None => String::new(),
    };
    let name = c.name.as_deref().map(|n| format!("{n} ")).unwrap_or_default();
    format!("{name}{}{u}", fmt_num(c.amount))
}

/// Read `line` (with the rules in force on `date`, if given) and say it
/// back.
pub fn read_line(rules: &RuleSet, line: &str, date: Option<Date>) -> LineJson {
    let r = read(rules, line);
    let p = &rules.program;
    let mut understood: Vec<Understood> = Vec::new();
    let mut fields = Map::new();
    let mut notes: Vec<String> = Vec::new();
    let mut say = |what: &'static str, value: String, at: Option<mtus_request::Span>| {
        understood.push(Understood {
            what,
            value,
            written: at.map(|s| line.get(s.start..s.end).unwrap_or("").to_string()),
            span: at.map(|s| span(line, s)),
        });
    };

    let known = r.treatment.as_ref().and_then(|t| match &t.resolution {
        Resolution::Known { id } => Some(id.clone()),
        _ => None,
    });
    let treatment = known.as_deref().and_then(|id| {
        let t = p.catalog.treatment_named(id)?;
        Some(TreatmentRead {
            name: id.to_string(),
            title: p.catalog.treatment(t).title.clone(),
        })
    });
    match (&r.treatment, &treatment) {
        (Some(t), Some(tr)) => {
            say("Treatment", tr.title.clone(), Some(t.span));
            fields.insert("treatment".into(), json!(tr.name));
        }
        (Some(t), None) => say(
            "Treatment",
            format!("not recognised: \u{201c}{}\u{201d}", t.text),
            Some(t.span),
        ),
        (None, _) => say("Treatment", "none named".into(), None),
    }
    let coverage = match (date, &treatment) {
        (Some(d), Some(tr)) => p
            .catalog
            .treatment_named(&tr.name)
            .map(|t| match coverage(rules, t, d) {
                Coverage::Decided(names) => json!({"date": d.to_string(), "status": "decided", "deciding": names}),
                Coverage::NoRule => json!({"date": d.to_string(), "status": "no_rule", "deciding": []}),
                Coverage::NotInForce => json!({"date": d.to_string(), "status": "not_in_force", "deciding": []}),
            }),
        _ => None,
    };
    let opioid = known.as_deref().and_then(crate::formulary::med::factor).is_some();

    // Quantity: the total, with refills when the line gives them.
    let mut count: Option<(f64, &'static str)> = None;
    if let Some(q) = &r.quantity {
        let total = q.with_refills.unwrap_or(q.amount);
        let doses = r
            .strength
            .iter()
            .any(|c| matches!(c.unit, Some(StrengthUnit::Mg | StrengthUnit::Mcg)));
        let unit = match q.unit {
            Some(u) => unit_name(u),
            None => count_unit(rules, known.as_deref()).or(doses.then_some("tablet")),
        };
        let mut words = match unit.or(q.unit.map(Unit::name)) {
            Some(u) => plural(total, u),
            None => format!("{} (no unit)", amount(total)),
        };
        if q.derived {
            if let (Some(pw), Some(d)) = (&r.per_week, &r.duration) {
                words.push_str(&format!(
                    " ({} a week for {})",
                    amount(pw.value),
                    plural(d.value.amount, d.value.unit.name())
                ));
            }
        }
        if let (Some(_), Some(rf)) = (q.with_refills, &r.refills) {
            words.push_str(&format!(
                " in all: {} and {}",
                plural(q.amount, unit.unwrap_or("")).trim_end(),
                plural(rf.value, "refill")
            ));
        }
        say("Quantity", words, Some(q.span));
        match unit {
            Some(u) if !total.is_range() => {
                fields.insert("quantity".into(), json!(format!("{} {u}", fmt_num(total.lo))));
                count = Some((total.lo, u));
            }
            Some(_) => notes.push(format!(
                "the quantity is a range ({}): enter the amount requested",
                amount(total)
            )),
            None => notes.push("the quantity has no unit the treatment is counted in: enter it in the form".into()),
        }
    }

    // Strength: one part as is; an opioid combination by its opioid (the
    // first part: Norco 10/325 is 10 mg of hydrocodone).
    if !r.strength.is_empty() {
        let all: Vec<String> = r.strength.iter().map(strength_words).collect();
        let at = r.strength.iter().map(|c| c.span).reduce(mtus_request::Span::to);
        say("Strength", all.join(" / "), at);
        let first = &r.strength[0];
        let taken = match &r.strength[..] {
            [one] => Some(one),
            [_, _, ..] if opioid && first.name.is_none() => {
                if let Some(u) = strength_unit(first.unit) {
                    notes.push(format!(
                        "the strength has {} parts: the first, {} {u}, is the opioid's, used for the morphine-equivalent dose",
                        r.strength.len(),
                        fmt_num(first.amount)
                    ));
                }
                Some(first)
            }
            _ => {
                notes.push(format!(
                    "the strength has {} parts: enter the strength per dose in the form if the rules need it",
                    r.strength.len()
                ));
                None
            }
        };
        if let Some(c) = taken {
            match strength_unit(c.unit) {
                Some(u) => {
                    fields.insert("strength".into(), json!(format!("{} {u}", fmt_num(c.amount))));
                }
                None => notes.push(format!(
                    "the strength {} has no unit the form takes (mg, mcg, g, percent, mcg per hour): enter it in the form",
                    strength_words(c).trim()
                )),
            }
        }
    }
    if let Some(f) = &r.form {
        say("Form", f.value.name().to_string(), Some(f.span));
    }
    let mut per_day_doses: Option<f64> = None;
    if let Some(d) = &r.directions {
        let mut parts: Vec<String> = Vec::new();
        let mut at: Option<mtus_request::Span> = None;
        let mut join = |s: mtus_request::Span| at = Some(at.map_or(s, |a| a.to(s)));
        if let Some(dose) = &d.dose {
            parts.push(plural(dose.value, d.dose_unit.map_or("dose", Unit::name)));
            join(dose.span);
        }
        if let Some(pd) = &d.per_day {
            parts.push(match pd.value {
                a if !a.is_range() && a.lo == 1.0 => "once a day".to_string(),
                a => format!("{} times a day", amount(a)),
            });
            join(pd.span);
        }
        if let Some(s) = d.as_needed {
            parts.push("as needed".into());
            join(s);
        }
        if let (Some(dose), Some(pd)) = (&d.dose, &d.per_day) {
            if !dose.value.is_range() && !pd.value.is_range() && d.as_needed.is_none() {
                per_day_doses = Some(dose.value.lo * pd.value.lo);
            }
        }
        if !parts.is_empty() {
            say("Directions", parts.join(", "), at);
        }
    }
    if let Some(rf) = &r.refills {
        say("Refills", amount(rf.value), Some(rf.span));
    }
    match &r.days_supply {
        Some(ds) => {
            say(
                "Days' supply",
                plural(ds.value.amount, ds.value.unit.name()),
                Some(ds.span),
            );
            if let (false, Some(u)) = (ds.value.amount.is_range(), unit_name(ds.value.unit)) {
                fields.insert(
                    "days_supply".into(),
                    json!(format!("{} {u}", fmt_num(ds.value.amount.lo))),
                );
            }
        }
        None => {
            // 120 tablets at 1 tablet 4 times a day: 30 days.
            if let (Some((n, "tablet")), Some(daily)) = (count, per_day_doses) {
                let days = n / daily;
                if daily > 0.0 && days.fract() == 0.0 && days >= 1.0 {
                    say(
                        "Days' supply",
                        format!(
                            "{} days, worked out: {} tablets at {} a day",
                            fmt_num(days),
                            fmt_num(n),
                            fmt_num(daily)
                        ),
                        None,
                    );
                    fields.insert("days_supply".into(), json!(format!("{} day", fmt_num(days))));
                    notes.push(format!(
                        "the days' supply is worked out from the directions ({} tablets at {} a day is {} days): check it",
                        fmt_num(n),
                        fmt_num(daily),
                        fmt_num(days)
                    ));
                }
            }
        }
    }
    if let Some(pw) = &r.per_week {
        say("Times a week", amount(pw.value), Some(pw.span));
        if !pw.value.is_range() {
            fields.insert("per_week".into(), json!(pw.value.lo));
        }
    }
    if let Some(d) = &r.duration {
        say(
            "For how long",
            plural(d.value.amount, d.value.unit.name()),
            Some(d.span),
        );
        if let (false, Some(u)) = (d.value.amount.is_range(), unit_name(d.value.unit)) {
            fields.insert("duration".into(), json!(format!("{} {u}", fmt_num(d.value.amount.lo))));
        }
    }
    if let Some(h) = &r.hours_per_day {
        say("Hours a day", amount(h.value), Some(h.span));
    }
    if let Some(h) = &r.days_per_week {
        say("Days a week", amount(h.value), Some(h.span));
    }
    if let Some(h) = &r.hours_per_week {
        say("Hours a week", amount(h.value), Some(h.span));
    }
    if let Some(a) = &r.acquisition {
        let kind = match a.kind {
            AcquisitionKind::Purchase => "purchase",
            AcquisitionKind::Rental => "rental",
        };
        let words = match &a.length {
            Some(l) => format!("{kind} for {}", plural(l.value.amount, l.value.unit.name())),
            None => kind.to_string(),
        };
        say("Purchase or rental", words, Some(a.span));
    }
    let mut regions: Vec<String> = Vec::new();
    for g in &r.regions {
        let side = g.side.map(|s| format!("{} ", s.name())).unwrap_or_default();
        let mapped = match &g.name {
            Some(_) => String::new(),
            None => " (no body region of the form fits: choose one)".into(),
        };
        say("Body region", format!("{side}{}{mapped}", g.part), Some(g.span));
        if let Some(n) = &g.name {
            if !regions.contains(n) {
                regions.push(n.clone());
            }
        }
    }
    if !regions.is_empty() {
        fields.insert("body_region".into(), json!(regions));
    }
    if let Some(s) = &r.side {
        say("Side", s.value.name().to_string(), Some(s.span));
    }
    if !r.levels.is_empty() {
        let ls: Vec<String> = r.levels.iter().map(ToString::to_string).collect();
        let at = r.levels.iter().map(|l| l.span).reduce(mtus_request::Span::to);
        say("Spinal levels", ls.join(", "), at);
    }
    if let Some(s) = r.retrospective {
        say("Retrospective", "yes (for a service already given)".into(), Some(s));
    }
    if let Some(d) = &r.date_of_service {
        say("Date of service", d.value.to_string(), Some(d.span));
    }
    if let Some(s) = r.post_op {
        say("After surgery", "yes (post-operative)".into(), Some(s));
    }
    if let Some(s) = r.pre_op {
        say("Before surgery", "yes (pre-operative)".into(), Some(s));
    }
    for c in &r.codes {
        let kind = match c.kind {
            CodeKind::Hcpcs => "HCPCS",
            CodeKind::Cpt => "CPT",
        };
        say("Code", format!("{kind} {}", c.code), Some(c.span));
    }

    let problems = r
        .problems
        .iter()
        .map(|pr| {
            let s = span(line, pr.span());
            ProblemJson {
                severity: match pr.severity() {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                kind: pr.kind(),
                message: pr.to_string(),
                help: pr.help(),
                written: line.get(s.start..s.end).unwrap_or("").to_string(),
                span: s,
            }
        })
        .collect();
    let reading = serde_json::to_value(&r).unwrap_or(Value::Null);
    LineJson {
        line: line.to_string(),
        date: date.map(|d| d.to_string()),
        treatment,
        coverage,
        understood,
        fields,
        notes,
        problems,
        canonical: render(&r),
        reading,
    }
}
