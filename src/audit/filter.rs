//! Which requests an audit counts and shows: `--since`, `--until`,
//! `--treatment`, `--class`, `--only-disagreements`.
//!
//! A filter is applied to each request once it is decided, before any
//! total: a request it leaves out is counted only as filtered out
//! (`totals.filtered_out`), so an audit still accounts for every case it
//! was given. Inputs that could not be read are never filtered out.

use serde::Serialize;

use super::run::RequestDone;
use crate::RuleSet;
use crate::check::{ClassId, TreatmentId};
use crate::value::Date;

/// The filters of an audit; the default keeps every request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The request date is on or after this day.
    pub since: Option<Date>,
    /// The request date is on or before this day.
    pub until: Option<Date>,
    /// The request's treatment is one of these (none: any).
    pub treatments: Vec<TreatmentId>,
    /// The request's treatment is in one of these classes (none: any).
    pub classes: Vec<ClassId>,
    /// Only requests where the engine's prediction and the recorded
    /// decision disagree.
    pub only_disagreements: bool,
}

impl Filter {
    /// Whether the filter leaves out nothing.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether request `r` is counted and shown.
    pub fn keeps(&self, rs: &RuleSet, r: &RequestDone) -> bool {
        if self.since.is_some_and(|d| r.date < d) || self.until.is_some_and(|d| r.date > d) {
            return false;
        }
        if !self.treatments.is_empty() && !self.treatments.contains(&r.treatment) {
            return false;
        }
        if !self.classes.is_empty() {
            let classes = &rs.program.catalog.treatment(r.treatment).classes;
            if !self.classes.iter().any(|c| classes.contains(c)) {
                return false;
            }
        }
        !self.only_disagreements || r.agrees() == Some(false)
    }

    /// The filters as names and dates, for the report.
    pub fn json(&self, rs: &RuleSet) -> FiltersJson {
        let c = &rs.program.catalog;
        FiltersJson {
            since: self.since.map(|d| d.to_string()),
            until: self.until.map(|d| d.to_string()),
            treatments: self.treatments.iter().map(|&t| c.treatment(t).name.clone()).collect(),
            classes: self.classes.iter().map(|&k| c.class(k).name.clone()).collect(),
            only_disagreements: self.only_disagreements,
        }
    }
}

/// The filters applied, as the JSON summary gives them (`null` and `[]`
/// where none was given).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct FiltersJson {
    pub since: Option<String>,
    pub until: Option<String>,
    pub treatments: Vec<String>,
    pub classes: Vec<String>,
    pub only_disagreements: bool,
}

impl FiltersJson {
    pub fn is_empty(&self) -> bool {
        *self == FiltersJson::default()
    }

    /// In words, one clause per filter: "request date from 2016-01-01",
    /// "class opioid", "disagreements only".
    pub fn clauses(&self) -> Vec<String> {
        let mut out = Vec::new();
        match (&self.since, &self.until) {
            (Some(a), Some(b)) => out.push(format!("request date {a} to {b}")),
            (Some(a), None) => out.push(format!("request date from {a}")),
            (None, Some(b)) => out.push(format!("request date until {b}")),
            (None, None) => {}
        }
        if !self.treatments.is_empty() {
            out.push(format!("treatment {}", self.treatments.join(" or ")));
        }
        if !self.classes.is_empty() {
            out.push(format!("class {}", self.classes.join(" or ")));
        }
        if self.only_disagreements {
            out.push("disagreements only".to_string());
        }
        out
    }
}
