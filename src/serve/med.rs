//! `POST /v1/med`: the morphine-equivalent dose (MED) of an opioid request
//! with its working in words, from the drug, its strength, the quantity
//! and the days' supply the form holds.
//!
//! The figure is the engine's (`formulary::med::request_med`, the same
//! the loader fills `request.med_per_day` with when a case does not write
//! it), so the page shows what the rules will read; only the words of the
//! working are made here ("120 tablets over 30 days is 4 a day; 10 mg
//! hydrocodone x 4 a day x factor 1 = 40 mg MED a day").
//!
//! Invariant: never a guess. A drug with no factor (methadone,
//! buprenorphine, a non-opioid) or a request that does not state enough
//! gets no figure and says what is missing.

use serde::{Deserialize, Serialize};

use crate::RuleSet;
use crate::formulary::med::{self, Per};
use crate::value::{Dim, Qty, fmt_num};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedQuery {
    /// A treatment name (canonical or brand).
    pub treatment: String,
    pub strength: Option<String>,
    pub quantity: Option<String>,
    pub days_supply: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MedJson {
    /// The canonical treatment name.
    pub treatment: String,
    /// mg morphine equivalent a day; null when it cannot be worked out.
    pub per_day: Option<f64>,
    pub factor: Option<f64>,
    /// The working in words, or why there is no figure.
    pub working: String,
    /// The engine's own working (`request_med`'s text).
    pub arithmetic: Option<String>,
    /// What the form still needs for a figure: `strength`, `quantity`,
    /// `days_supply`.
    pub missing: Vec<&'static str>,
    /// Where the factors come from.
    pub source: &'static str,
}

/// Why a query could not be answered (a 4xx).
#[derive(Debug, thiserror::Error)]
pub enum MedError {
    #[error("no treatment is named `{0}`")]
    UnknownTreatment(String),
    #[error("the {field} `{text}` is not an amount with a unit")]
    BadQuantity { field: &'static str, text: String },
}

fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn parse(field: &'static str, v: Option<&String>) -> Result<Option<Qty>, MedError> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Qty::parse(s).map(Some).map_err(|_| MedError::BadQuantity {
            field,
            text: s.to_string(),
        }),
    }
}

/// The opioid of a treatment's title, in words ("Hydrocodone with
/// acetaminophen" is hydrocodone).
fn opioid_word(title: &str) -> String {
    let end = [" with ", " (", " /", ","]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .unwrap_or(title.len());
    title[..end].trim().to_lowercase()
}

pub fn med(rules: &RuleSet, q: &MedQuery) -> Result<MedJson, MedError> {
    let c = &rules.program.catalog;
    let t = c
        .resolve(&q.treatment)
        .ok_or_else(|| MedError::UnknownTreatment(q.treatment.clone()))?;
    let tr = c.treatment(t);
    let strength = parse("strength", q.strength.as_ref())?;
    let quantity = parse("quantity", q.quantity.as_ref())?;
    let days = parse("days' supply", q.days_supply.as_ref())?;
    let drug = opioid_word(&tr.title);
    let mut out = MedJson {
        treatment: tr.name.clone(),
        per_day: None,
        factor: None,
        working: String::new(),
        arithmetic: None,
        missing: Vec::new(),
        source: med::SOURCE,
    };
    let Some(f) = med::factor(&tr.name) else {
        out.working = format!(
            "no morphine-equivalent conversion factor is used for {drug}: enter the dose from the record if the rules ask for it"
        );
        return Ok(out);
    };
    out.factor = Some(f.factor);
    match f.per {
        Per::PatchMcgPerHour => {
            if strength.is_none_or(|s| s.dim() != Dim::DoseRate) {
                out.missing.push("strength");
            }
        }
        Per::OralMg => {
            let q_ok = quantity.is_some_and(|q| matches!(q.dim(), Dim::Tablet | Dim::Mass));
            if !q_ok {
                out.missing.push("quantity");
            }
            if quantity.is_some_and(|q| q.dim() == Dim::Tablet) && strength.is_none_or(|s| s.dim() != Dim::Mass) {
                out.missing.push("strength");
            }
            if !days.is_some_and(|d| d.dim() == Dim::Time && d.base() > 0.0) {
                out.missing.push("days_supply");
            }
        }
    }
    let Some(w) = med::request_med(&tr.name, strength, quantity, days) else {
        out.working = if out.missing.is_empty() {
            "the amounts entered give no dose in range: check the strength, quantity and days' supply".into()
        } else {
            let need: Vec<&str> = out
                .missing
                .iter()
                .map(|m| match *m {
                    "strength" if f.per == Per::PatchMcgPerHour => "the patch's strength in mcg per hour",
                    "strength" => "the strength in mg",
                    "quantity" => "the quantity in tablets or mg",
                    _ => "the days' supply",
                })
                .collect();
            let need = match need.split_last() {
                Some((last, [])) => (*last).to_string(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            format!("to work out the morphine-equivalent dose, enter {need}")
        };
        return Ok(out);
    };
    out.per_day = Some(w.per_day);
    out.arithmetic = Some(w.text.clone());
    let factor = fmt_num(f.factor);
    let total = fmt_num(w.per_day);
    out.working = match (f.per, quantity, strength, days) {
        (Per::PatchMcgPerHour, _, Some(s), _) => format!(
            "{} mcg per hour {drug} x factor {factor} = {total} mg MED a day (morphine equivalent)",
            fmt_num(s.base())
        ),
        (Per::OralMg, Some(q), Some(s), Some(d)) if q.dim() == Dim::Tablet => {
            let a_day = r2(q.base() / d.base());
            format!(
                "{} {} over {} days is {} a day; {} mg {drug} x {} a day x factor {factor} = {total} mg MED a day (morphine equivalent)",
                fmt_num(q.amount),
                if q.amount == 1.0 {
                    q.unit.name().to_string()
                } else {
                    format!("{}s", q.unit.name())
                },
                fmt_num(d.base()),
                fmt_num(a_day),
                fmt_num(s.base()),
                fmt_num(a_day)
            )
        }
        (Per::OralMg, Some(q), _, Some(d)) => {
            let a_day = r2(q.base() / d.base());
            format!(
                "{} mg {drug} over {} days is {} mg a day; x factor {factor} = {total} mg MED a day (morphine equivalent)",
                fmt_num(q.base()),
                fmt_num(d.base()),
                fmt_num(a_day)
            )
        }
        _ => w.text,
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opioid_of_a_title() {
        assert_eq!(opioid_word("Hydrocodone with acetaminophen"), "hydrocodone");
        assert_eq!(opioid_word("Hydrocodone (alone, extended release)"), "hydrocodone");
        assert_eq!(opioid_word("Oxycodone"), "oxycodone");
    }
}
