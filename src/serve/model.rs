//! The read-only views the API serves: treatments, the fact schema, the
//! rules, and the form for one treatment on one date. Built from the
//! checked `Program` alone (no case, no decision).
//!
//! Invariants: output depends only on the rules loaded (same rules, same
//! bytes); every list is in the rules' declaration order, facts in a form
//! in the order the rules first read them.

use serde::Serialize;

use crate::RuleSet;
use crate::check::model::{Citation, Fact, FactRef, FactType, Program, Range, Scope, Target, TreatmentId};
use crate::value::{Date, Dim, UNIT_NAMES, Unit};

#[derive(Clone, Debug, Serialize)]
pub struct TreatmentJson {
    /// The canonical name a case file uses.
    pub name: String,
    pub title: String,
    /// Brand names and other spellings the catalog maps to it.
    pub aka: Vec<String>,
    pub classes: Vec<String>,
    /// Units `request.quantity` may be written in (empty: any).
    pub quantity_units: Vec<&'static str>,
    /// Units `request.strength` may be written in (empty: any).
    pub strength_units: Vec<&'static str>,
    /// How many rules (in force at any date) apply to it.
    pub rules: usize,
    /// Asked for a date (`/v1/treatments?date=`): whether a rule decides
    /// it on that date (`eval::select`); a treatment with none is
    /// "not decided", never a silent pass. Omitted without a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force: Option<bool>,
}

pub fn treatments(rs: &RuleSet) -> Vec<TreatmentJson> {
    treatments_on(rs, None)
}

/// The treatments, each marked with whether a rule decides it on `date`.
pub fn treatments_on(rs: &RuleSet, date: Option<crate::value::Date>) -> Vec<TreatmentJson> {
    (0..rs.program.catalog.treatments.len())
        .map(|i| {
            let id = TreatmentId(i as u32);
            let mut t = treatment_json(rs, id);
            t.in_force = date.map(|d| crate::eval::select(&rs.program, &rs.compiled, id, d).is_ok());
            t
        })
        .collect()
}

fn treatment_json(rs: &RuleSet, id: TreatmentId) -> TreatmentJson {
    let p = &rs.program;
    let t = p.catalog.treatment(id);
    TreatmentJson {
        name: t.name.clone(),
        title: t.title.clone(),
        aka: t.aka.clone(),
        classes: t.classes.iter().map(|&c| p.catalog.class(c).name.clone()).collect(),
        quantity_units: units_of(&t.quantity_dims),
        strength_units: units_of(&t.strength_dims),
        rules: rs.compiled.by_treatment.get(id.0 as usize).map_or(0, Vec::len),
        in_force: None,
    }
}

/// The singular unit names of some dimensions, in `UNIT_NAMES` order.
fn units_of(dims: &[Dim]) -> Vec<&'static str> {
    UNIT_NAMES
        .iter()
        .filter(|(n, u)| *n == u.name() && dims.contains(&u.dim()))
        .map(|(n, _)| *n)
        .collect()
}

fn all_dims() -> Vec<Dim> {
    let mut dims: Vec<Dim> = Vec::new();
    for (_, u) in UNIT_NAMES {
        if !dims.contains(&u.dim()) {
            dims.push(u.dim());
        }
    }
    dims
}

#[derive(Clone, Debug, Serialize)]
pub struct RangeJson {
    pub min: f64,
    pub max: f64,
    /// The unit the bounds are in (a quantity's base unit), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FactJson {
    /// As declared: `exam.muscle_spasm`, `history.*.visits`.
    pub fact: String,
    pub scope: &'static str,
    /// `bool`, `int`, `number`, `score`, `percent`, `date`, `duration`,
    /// `quantity`, `symbol`, `list<symbol>`, `text`, `treatment`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// Units it may be written in (quantities and durations; empty: any).
    pub units: Vec<&'static str>,
    /// Its closed set of values, if closed.
    pub values: Option<Vec<String>>,
    pub range: Option<RangeJson>,
    pub description: String,
    /// Filled from another part of the case, not written under its key.
    pub derived: bool,
}

fn base_unit(d: Dim) -> &'static str {
    match d {
        Dim::Visit => Unit::Visit.name(),
        Dim::Tablet => Unit::Tablet.name(),
        Dim::Item => Unit::Item.name(),
        Dim::Mass => Unit::Mg.name(),
        Dim::Med => Unit::MgMed.name(),
        Dim::Time => Unit::Day.name(),
        Dim::Concentration => Unit::Percent.name(),
        Dim::DoseRate => Unit::McgPerHour.name(),
    }
}

fn fact_json(p: &Program, f: &Fact) -> FactJson {
    let dims: Option<Vec<Dim>> = match f.ty {
        FactType::Duration => Some(vec![Dim::Time]),
        FactType::Quantity => Some(f.dim.map_or_else(all_dims, |d| vec![d])),
        _ => None,
    };
    let range_unit = match f.ty {
        FactType::Duration => Some(base_unit(Dim::Time)),
        FactType::Quantity => f.dim.map(base_unit),
        _ => None,
    };
    FactJson {
        fact: f.path.clone(),
        scope: match f.scope {
            Scope::Case => "case",
            Scope::History => "history",
            Scope::Request => "request",
        },
        ty: f.ty.name(),
        units: dims.as_deref().map(units_of).unwrap_or_default(),
        values: f.allowed.as_ref().map(|a| {
            a.iter()
                .filter_map(|&s| p.symbols.name(s).map(str::to_string))
                .collect()
        }),
        range: f.range.map(|Range { min, max }| RangeJson {
            min,
            max,
            unit: range_unit,
        }),
        description: f.description.clone(),
        derived: f.derived,
    }
}

/// Every fact of the schema, in declaration order.
pub fn schema(p: &Program) -> Vec<FactJson> {
    p.schema.facts.iter().map(|f| fact_json(p, f)).collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct CriterionJson {
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub citation: Option<String>,
    /// The facts it reads, as declared (`prior.x` as `history.*.x`).
    pub reads: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleJson {
    pub name: String,
    pub title: String,
    pub citation: Option<String>,
    pub tier: &'static str,
    /// `from YYYY-MM-DD`, `A until B`, `at any date`.
    pub in_force: String,
    pub from: Option<String>,
    pub until: Option<String>,
    /// Treatments and classes it applies to.
    pub applies: Vec<String>,
    pub supplements: Option<String>,
    pub criteria: Vec<CriterionJson>,
}

fn cite(p: &Program, c: Option<&Citation>) -> Option<String> {
    c.map(|c| p.cite(c))
}

pub fn rules(p: &Program) -> Vec<RuleJson> {
    p.rules
        .iter()
        .map(|r| RuleJson {
            name: r.name.clone(),
            title: r.title.clone(),
            citation: cite(p, r.cites.first()),
            tier: r.tier.name(),
            in_force: r.window.describe(),
            from: r.window.from.map(|d| d.to_string()),
            until: r.window.until.map(|d| d.to_string()),
            applies: r
                .applies
                .iter()
                .map(|t| match *t {
                    Target::Treatment(t) => p.catalog.treatment(t).name.clone(),
                    Target::Class(c) => p.catalog.class(c).name.clone(),
                })
                .collect(),
            supplements: r.supplements.map(|s| p.rule(s).name.clone()),
            criteria: r
                .criteria
                .iter()
                .map(|c| CriterionJson {
                    name: c.name.clone(),
                    kind: match c.kind {
                        crate::syntax::ast::CriterionKind::Require => "require",
                        crate::syntax::ast::CriterionKind::Exclude => "exclude",
                    },
                    description: c.description.clone(),
                    citation: cite(p, c.citation.as_ref()),
                    reads: c.reads.iter().map(|r| p.schema.fact(r.fact()).path.clone()).collect(),
                })
                .collect(),
        })
        .collect()
}

/// One input of the form: where its value goes in the case JSON and what
/// it may be.
#[derive(Clone, Debug, Serialize)]
pub struct FieldJson {
    /// The keys from the case's top to the value (`["exam",
    /// "muscle_spasm"]`, `["history", "massage_therapy", "visits"]`,
    /// `["requests", 0, "quantity"]` as `["request", "quantity"]`;
    /// diagnosis tags as `["diagnoses", "tags"]`).
    pub path: Vec<String>,
    /// The criteria (`rule.criterion`) that read it; empty for the
    /// request's own fields.
    pub read_by: Vec<String>,
    /// The question the page asks for it, in plain words
    /// (`questions::question`).
    pub question: String,
    #[serde(flatten)]
    pub fact: FactJson,
}

#[derive(Clone, Debug, Serialize)]
pub struct FormJson {
    pub treatment: TreatmentJson,
    pub date: Option<String>,
    /// The rules that apply to the treatment and are in force on the date
    /// (all that apply when no date is given).
    pub rules: Vec<String>,
    pub fields: Vec<FieldJson>,
}

/// The form for `treatment` (canonical or brand name) on `date`: the
/// request's own fields (date, quantity, strength when the rules read it),
/// then every fact a criterion of a rule in force reads, once each.
/// `None` for an unknown treatment.
pub fn form(rs: &RuleSet, treatment: &str, date: Option<Date>) -> Option<FormJson> {
    let p = &rs.program;
    let t = p.catalog.resolve(treatment)?;
    let tr = p.catalog.treatment(t);
    let rule_ids: Vec<_> = rs
        .compiled
        .by_treatment
        .get(t.0 as usize)
        .map(|v| {
            v.iter()
                .copied()
                .filter(|&r| date.is_none_or(|d| p.rule(r).window.contains(d)))
                .collect()
        })
        .unwrap_or_default();
    let mut fields: Vec<FieldJson> = Vec::new();
    let push = |path: Vec<String>, f: &Fact, by: Option<String>, fields: &mut Vec<FieldJson>| {
        if let Some(x) = fields.iter_mut().find(|x| x.path == path) {
            if let Some(by) = by.filter(|b| !x.read_by.contains(b)) {
                x.read_by.push(by);
            }
            return;
        }
        let mut fact = fact_json(p, f);
        if path == ["request", "quantity"] && !tr.quantity_dims.is_empty() {
            fact.units = units_of(&tr.quantity_dims);
        }
        if path == ["request", "strength"] && !tr.strength_dims.is_empty() {
            fact.units = units_of(&tr.strength_dims);
        }
        // An earlier-treatment fact is asked about its treatment, in words.
        let about = match path.as_slice() {
            [h, t, ..] if h == "history" => p
                .catalog
                .treatment_named(t)
                .map(|t| p.catalog.treatment(t).title.to_lowercase()),
            _ => None,
        };
        let question = super::questions::question(&f.path, f.ty.name(), &f.description, about.as_deref());
        fields.push(FieldJson {
            path,
            read_by: by.into_iter().collect(),
            question,
            fact,
        });
    };
    // The request's own fields first, whether or not a rule reads them;
    // for a drug with a morphine-equivalent dose the rules read, what it
    // is worked out from (strength, days' supply), and for any drug
    // measured by strength, its strength.
    let reads_med = rule_ids.iter().any(|&r| {
        p.rule(r).criteria.iter().any(|c| {
            c.reads
                .iter()
                .any(|x| matches!(*x, FactRef::Request(..)) && p.schema.fact(x.fact()).path == "request.med_per_day")
        })
    });
    let mut own = vec!["date", "quantity"];
    if reads_med || !tr.strength_dims.is_empty() {
        own.push("strength");
    }
    if reads_med {
        own.push("days_supply");
    }
    for key in own {
        if let Some(f) = p.schema.lookup(&format!("request.{key}")) {
            push(vec!["request".into(), key.into()], f, None, &mut fields);
        }
    }
    for &r in &rule_ids {
        let rule = p.rule(r);
        for c in &rule.criteria {
            let by = format!("{}.{}", rule.name, c.name);
            for read in &c.reads {
                let f = p.schema.fact(read.fact());
                let path = match *read {
                    FactRef::Case(..) if f.path == "diagnoses.tags" => vec!["diagnoses".into(), "tags".into()],
                    // Filled from the requests themselves.
                    FactRef::Case(..) if f.derived => continue,
                    FactRef::Case(..) => f.key.clone(),
                    FactRef::Request(..) => {
                        if matches!(f.key.first().map(String::as_str), Some("id" | "treatment")) {
                            continue;
                        }
                        let mut k = vec!["request".to_string()];
                        k.extend(f.key.iter().cloned());
                        k
                    }
                    FactRef::Prior(..) => history_path(&tr.name, f),
                    FactRef::History(h, ..) => history_path(&p.catalog.treatment(h).name, f),
                };
                push(path, f, Some(by.clone()), &mut fields);
            }
        }
    }
    Some(FormJson {
        treatment: treatment_json(rs, t),
        date: date.map(|d| d.to_string()),
        rules: rule_ids.iter().map(|&r| p.rule(r).name.clone()).collect(),
        fields,
    })
}

fn history_path(treatment: &str, f: &Fact) -> Vec<String> {
    let mut k = vec!["history".to_string(), treatment.to_string()];
    k.extend(f.key.iter().cloned());
    k
}
