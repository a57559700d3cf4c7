//! Proposals measured against a person's encoding: a case file read
//! into fact paths and values, and per path the proposals that agree,
//! that differ, that the person did not encode, and the person's facts
//! no proposal gave.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Proposal;

/// Top-level keys that are not clinical facts of the summary (the
/// letter's header and items give them, or they are the decision).
const NOT_SUMMARY: &[&str] = &["case", "requests", "determination", "diagnoses", "claimant", "injury"];

/// The clinical facts of a case file as `path -> value`: nested mappings
/// joined with `.`; a `history.T` entry without `received` counts as
/// `history.T.received: true` (an entry means given).
pub fn hand_facts(case: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(m) = case.as_object() else { return out };
    for (k, v) in m {
        if NOT_SUMMARY.contains(&k.as_str()) {
            continue;
        }
        flatten(k, v, &mut out);
    }
    if let Some(Value::Object(h)) = m.get("history") {
        for (t, e) in h {
            if let Value::Object(e) = e {
                if !e.contains_key("received") {
                    out.insert(format!("history.{t}.received"), Value::Bool(true));
                }
            }
        }
    }
    out
}

fn flatten(path: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flatten(&format!("{path}.{k}"), x, out);
            }
        }
        Value::Null => {}
        other => {
            out.insert(path.to_string(), other.clone());
        }
    }
}

/// A value as the comparison sees it: numbers as numbers, quantities with
/// one spelling of their unit (`12 sessions` is `12 visit`), lists as sorted
/// sets, text lowercased.
pub fn normal(v: &Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Value::String(s) => {
            let s = s.trim().to_lowercase();
            let mut parts = s.split_whitespace();
            if let (Some(n), Some(u), None) = (parts.next(), parts.next(), parts.next()) {
                if let Ok(n) = n.parse::<f64>() {
                    let u = u.trim_end_matches('s');
                    let u = match u {
                        "session" | "treatment" => "visit",
                        "capsule" | "patche" | "patch" => "tablet",
                        other => other,
                    };
                    return Value::String(format!("{n} {u}"));
                }
            }
            Value::String(s)
        }
        Value::Array(a) => {
            let mut v: Vec<String> = a.iter().map(|x| normal(x).to_string()).collect();
            v.sort();
            v.dedup();
            Value::Array(v.into_iter().map(Value::String).collect())
        }
        other => other.clone(),
    }
}

/// The counts of one fact path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Proposed with the person's value.
    pub agree: usize,
    /// Proposed with another value than the person's.
    pub differ: usize,
    /// Proposed where the person wrote nothing.
    pub unencoded: usize,
    /// Written by the person, not proposed.
    pub missed: usize,
}

impl Counts {
    /// Proposals made.
    pub fn proposed(&self) -> usize {
        self.agree + self.differ + self.unencoded
    }
    /// Facts the person wrote.
    pub fn encoded(&self) -> usize {
        self.agree + self.differ + self.missed
    }
    /// Agreeing proposals over all proposals (a proposal the person did not
    /// encode counts as wrong); None with no proposal.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.agree, self.proposed())
    }
    /// Agreeing proposals over the person's facts; None with none.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.agree, self.encoded())
    }
    pub fn add(&mut self, o: Counts) {
        self.agree += o.agree;
        self.differ += o.differ;
        self.unencoded += o.unencoded;
        self.missed += o.missed;
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// One letter's proposals against its case file, per path. `covered`
/// says which of the person's paths the patterns can propose (the
/// others are not counted as missed, and are counted apart by the caller).
pub fn compare_one<'a>(
    facts: impl IntoIterator<Item = &'a Proposal>,
    hand: &BTreeMap<String, Value>,
    covered: impl Fn(&str) -> bool,
) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    let mut proposed: Vec<&str> = Vec::new();
    for p in facts {
        let Some(v) = &p.value else { continue };
        proposed.push(&p.path);
        let c = out.entry(p.path.clone()).or_default();
        match hand.get(&p.path) {
            Some(h) if normal(h) == normal(v) => c.agree += 1,
            Some(_) => c.differ += 1,
            None => c.unencoded += 1,
        }
    }
    for path in hand.keys() {
        if covered(path) && !proposed.contains(&path.as_str()) {
            out.entry(path.clone()).or_default().missed += 1;
        }
    }
    out
}
