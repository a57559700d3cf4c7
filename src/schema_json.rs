//! Case files described for editors and people: a JSON Schema (draft
//! 2020-12) generated from the fact schema (`mtus schema`), a commented
//! case template for one treatment (`mtus new`), and a one-line summary of
//! each fact's type and allowed values.
//!
//! Invariants: everything here is derived from the `Program` alone (never
//! from a case); the schema accepts every case the loader accepts in the
//! shapes it describes (a test validates every shipped case against it);
//! output is deterministic (facts and keys in sorted order).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::check::describe::{allowed_names, dims_of, range_of, unit_names};
use crate::check::{Fact, FactType, KeyNode, Program, Scope, TreatmentId};
use crate::value::Date;

pub use crate::check::describe::{fact_summary, treatment_names};

/// The pattern of a date as case files write it.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// A pattern for a quantity written with one of `units`: `6 visit`, `7.5 mg`.
fn quantity_pattern(units: &[&str]) -> String {
    format!("^[0-9]+(\\.[0-9]+)? *({})$", units.join("|"))
}

fn num(x: f64) -> Json {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The JSON Schema of one fact's value.
fn fact_schema(p: &Program, f: &Fact) -> Json {
    let mut m = Map::new();
    match f.ty {
        FactType::Bool => {
            m.insert("type".into(), json!("boolean"));
        }
        FactType::Int | FactType::Number | FactType::Score | FactType::Percent => {
            let ty = if f.ty == FactType::Int { "integer" } else { "number" };
            m.insert("type".into(), json!(ty));
            let (lo, hi) = range_of(f).map_or((Some(0.0), None), |(a, b)| (Some(a), Some(b)));
            if let Some(lo) = lo {
                m.insert("minimum".into(), num(lo));
            }
            if let Some(hi) = hi {
                m.insert("maximum".into(), num(hi));
            }
        }
        FactType::Date => {
            m.insert("type".into(), json!("string"));
            m.insert("pattern".into(), json!(DATE_PATTERN));
            m.insert("format".into(), json!("date"));
        }
        FactType::Quantity | FactType::Duration => {
            let units: Vec<&str> = dims_of(p, f).into_iter().flat_map(unit_names).collect();
            m.insert("type".into(), json!("string"));
            m.insert("pattern".into(), json!(quantity_pattern(&units)));
        }
        FactType::Symbol => match allowed_names(p, f) {
            Some(names) => {
                m.insert("enum".into(), json!(names));
            }
            None => {
                m.insert("type".into(), json!("string"));
            }
        },
        FactType::SymbolList => {
            let item = match allowed_names(p, f) {
                Some(mut names) => {
                    if p.schema.builtin.medications_current == Some(f.slot) && f.scope == Scope::Case {
                        names.extend(treatment_names(p));
                        names.sort();
                        names.dedup();
                    }
                    json!({ "enum": names })
                }
                None => json!({ "type": "string" }),
            };
            m.insert("type".into(), json!("array"));
            m.insert("items".into(), item);
        }
        FactType::Text => {
            m.insert("type".into(), json!("string"));
        }
        FactType::Treatment => {
            m.insert("$ref".into(), json!("#/$defs/treatment"));
        }
    }
    // `null` (or nothing after the key) is "not documented", like leaving
    // the key out.
    if let Some(Json::Array(values)) = m.get_mut("enum") {
        values.push(Json::Null);
    } else if let Some(Json::String(ty)) = m.get("type") {
        let ty = ty.clone();
        m.insert("type".into(), json!([ty, "null"]));
    } else if let Some(r) = m.remove("$ref") {
        m.insert("anyOf".into(), json!([{ "$ref": r }, { "type": "null" }]));
    }
    m.insert(
        "description".into(),
        json!(format!("{} ({})", f.description, fact_summary(p, f))),
    );
    Json::Object(m)
}

/// A group of facts (a key tree) as an object schema.
fn group_schema(p: &Program, tree: &BTreeMap<String, KeyNode>, extra: &[(&str, Json)]) -> Json {
    let mut props = Map::new();
    for (k, v) in extra {
        props.insert((*k).to_string(), v.clone());
    }
    for (key, node) in tree {
        let s = match node {
            KeyNode::Leaf(id) => {
                let f = p.schema.fact(*id);
                if f.derived {
                    continue;
                }
                fact_schema(p, f)
            }
            KeyNode::Group(sub) => group_schema(p, sub, &[]),
        };
        props.insert(key.clone(), s);
    }
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// The JSON Schema (draft 2020-12) of a case file for the rules `p`.
pub fn case_schema(p: &Program) -> Json {
    let diagnosis_tags = p
        .schema
        .builtin
        .diagnosis_tags
        .and_then(|slot| p.schema.by_slot(Scope::Case, slot))
        .and_then(|f| allowed_names(p, f))
        .map_or_else(|| json!({ "type": "string" }), |n| json!({ "enum": n }));
    let case_props = [
        ("case", json!({ "type": "string", "description": "the case id" })),
        (
            "diagnoses",
            json!({
                "type": "array",
                "description": "the diagnoses, each with its text and the tags rules read",
                "items": {
                    "type": "object",
                    "properties": {
                        "text": { "type": "string", "description": "the diagnosis as the record words it" },
                        "tags": { "type": "array", "items": diagnosis_tags, "description": "what the diagnosis is, in the rules' vocabulary" },
                        "code": { "type": "string", "description": "a diagnosis code (ICD)" }
                    },
                    "additionalProperties": false
                }
            }),
        ),
        (
            "history",
            json!({
                "type": "object",
                "description": "prior treatments, keyed by treatment: an entry means it was given (unless it says `received: false`); a treatment with no entry was not given as far as the record shows",
                "propertyNames": { "$ref": "#/$defs/treatment" },
                "additionalProperties": { "$ref": "#/$defs/history_entry" }
            }),
        ),
        (
            "requests",
            json!({
                "type": "array",
                "description": "the treatment requests to decide",
                "items": { "$ref": "#/$defs/request" }
            }),
        ),
        ("determination", json!({ "$ref": "#/$defs/determination" })),
    ];
    let mut top = group_schema(p, p.schema.tree(Scope::Case), &case_props);
    let history = group_schema(p, p.schema.tree(Scope::History), &[]);
    let mut request = group_schema(p, p.schema.tree(Scope::Request), &[]);
    if let Json::Object(r) = &mut request {
        r.insert("required".into(), json!(["id", "treatment"]));
    }
    let determination = json!({
        "type": "object",
        "description": "the recorded decision of a past case (what `mtus test` and `mtus audit` compare with)",
        "properties": {
            "date": { "type": "string", "pattern": DATE_PATTERN },
            "reviewer": {
                "type": "object",
                "properties": {
                    "specialty": { "type": "string" },
                    "licensure": { "type": "array", "items": { "type": "string" } }
                },
                "additionalProperties": false
            },
            "decisions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "request": { "type": "string", "description": "the id of a request of this case" },
                        "outcome": { "enum": ["upheld", "overturned", "Upheld", "Overturned", "UPHELD", "OVERTURNED"] },
                        "because": { "type": "string", "description": "the criterion expected to decide an upheld request: `name` or `rule.name`" },
                        "cites": { "type": "array", "items": { "type": "string" } }
                    },
                    "required": ["request", "outcome"],
                    "additionalProperties": false
                }
            }
        },
        "additionalProperties": false
    });
    if let Json::Object(t) = &mut top {
        let mut out = Map::new();
        out.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        out.insert("title".into(), json!("mtus case file"));
        out.insert(
            "description".into(),
            json!("A worker's record, treatment requests and (for a past case) the recorded determination; see docs/case-file.md. An absent fact is not documented; false is documented as absent."),
        );
        for (k, v) in std::mem::take(t) {
            out.insert(k, v);
        }
        out.insert(
            "$defs".into(),
            json!({
                "treatment": {
                    "description": "a treatment: a canonical name or a brand name of the catalog (case and punctuation do not matter to mtus)",
                    "enum": treatment_names(p)
                },
                "history_entry": history,
                "request": request,
                "determination": determination
            }),
        );
        *t = out;
    }
    top
}

/// The facts the rules in force for `t` on `date` read, grouped by scope
/// (case, then prior course, then request), each once, in sorted order.
pub fn facts_read(p: &Program, t: TreatmentId, date: Date) -> Vec<&Fact> {
    let mut ids = Vec::new();
    for rule in &p.rules {
        if !p.applies(rule, t) || !rule.window.contains(date) {
            continue;
        }
        for c in &rule.criteria {
            for r in &c.reads {
                let id = r.fact();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    let mut facts: Vec<&Fact> = ids
        .into_iter()
        .map(|id| p.schema.fact(id))
        .filter(|f| !f.derived)
        .collect();
    facts.sort_by(|a, b| (a.scope, &a.path).cmp(&(b.scope, &b.path)));
    facts
}

/// A YAML value to show in a template for a fact: an example that loads.
fn example(p: &Program, f: &Fact) -> String {
    match f.ty {
        FactType::Bool => "true".into(),
        FactType::Date => "2026-01-01".into(),
        FactType::Text => "\"\"".into(),
        FactType::Treatment => "massage_therapy".into(),
        FactType::Symbol => allowed_names(p, f)
            .and_then(|n| n.first().cloned())
            .unwrap_or_else(|| "value".into()),
        FactType::SymbolList => format!(
            "[{}]",
            allowed_names(p, f).and_then(|n| n.first().cloned()).unwrap_or_default()
        ),
        FactType::Quantity | FactType::Duration => {
            let unit = dims_of(p, f)
                .first()
                .and_then(|d| unit_names(*d).first().copied())
                .unwrap_or("visit");
            format!("1 {unit}")
        }
        _ => range_of(f).map_or_else(|| "0".into(), |(lo, _)| crate::value::fmt_num(lo)),
    }
}

/// A commented YAML case template for treatment `t` requested on `date`:
/// the facts the rules in force read, each commented out with its
/// description and what it may hold, so the author fills in what the
/// record documents and leaves the rest out (not documented).
pub fn case_template(p: &Program, t: TreatmentId, date: Date) -> String {
    use std::fmt::Write;
    let tr = p.catalog.treatment(t);
    let facts = facts_read(p, t, date);
    let mut out = String::new();
    let _ = writeln!(out, "# yaml-language-server: $schema=../out/case.schema.json");
    let _ = writeln!(
        out,
        "# (for editors: `mtus schema > out/case.schema.json`; the path is from this file)"
    );
    let _ = writeln!(out, "# A case for {} ({}), requested {date}.", tr.name, tr.title);
    let _ = writeln!(
        out,
        "# Uncomment what the record documents; leave out what it does not say"
    );
    let _ = writeln!(out, "# (absent = not documented; false = documented as absent).");
    let _ = writeln!(out, "# See docs/case-file.md.");
    let _ = writeln!(out, "case: new-case");
    // Case-scope facts, grouped under their keys.
    let mut last_group: Vec<String> = Vec::new();
    for f in facts.iter().filter(|f| f.scope == Scope::Case) {
        let (leaf, groups) = match f.key.split_last() {
            Some(x) => x,
            None => continue,
        };
        let common = last_group.iter().zip(groups).take_while(|(a, b)| a == b).count();
        for (depth, g) in groups.iter().enumerate().skip(common) {
            let _ = writeln!(out, "{}{g}:", "  ".repeat(depth));
        }
        last_group = groups.to_vec();
        let ind = "  ".repeat(groups.len());
        let _ = writeln!(out, "{ind}# {} ({})", f.description, fact_summary(p, f));
        let _ = writeln!(out, "{ind}# {leaf}: {}", example(p, f));
    }
    let prior: Vec<&&Fact> = facts.iter().filter(|f| f.scope == Scope::History).collect();
    if !prior.is_empty() {
        let _ = writeln!(out, "history:");
        let _ = writeln!(
            out,
            "  # The prior course of {}: keep this entry only if it was given before.",
            tr.name
        );
        let _ = writeln!(out, "  # {}:", tr.name);
        for f in prior {
            let _ = writeln!(out, "  #   # {} ({})", f.description, fact_summary(p, f));
            let _ = writeln!(out, "  #   {}: {}", f.key.join("."), example(p, f));
        }
    }
    let _ = writeln!(out, "requests:");
    let _ = writeln!(out, "  - id: request-1");
    let _ = writeln!(out, "    treatment: {}", tr.name);
    let _ = writeln!(out, "    date: {date}");
    let b = &p.schema.builtin;
    for f in facts.iter().filter(|f| f.scope == Scope::Request) {
        if f.slot == b.request_treatment || f.slot == b.request_date || f.slot == b.request_id {
            continue;
        }
        // The units this treatment's quantity and strength take.
        let own = match f.path.as_str() {
            "request.quantity" => &tr.quantity_dims,
            "request.strength" => &tr.strength_dims,
            _ => &Vec::new(),
        };
        let (summary, ex) = match own.first() {
            Some(first) => {
                let units: Vec<String> = own.iter().map(|d| unit_names(*d).join("/")).collect();
                let unit = unit_names(*first).first().copied().unwrap_or("unit");
                (
                    format!("a number and a unit: {}", units.join(", ")),
                    format!("1 {unit}"),
                )
            }
            None => (fact_summary(p, f), example(p, f)),
        };
        let _ = writeln!(out, "    # {} ({summary})", f.description);
        let _ = writeln!(out, "    # {}: {ex}", f.key.join("."));
    }
    out
}

/// A YAML case file as the JSON an editor's schema validator sees: quoted
/// scalars are strings; plain `true`/`false` are booleans, plain numbers
/// numbers, `null`/`~`/nothing null, anything else a string. `None` when
/// the text is not YAML the loader reads.
pub fn yaml_as_json(text: &str) -> Option<Json> {
    use crate::facts::load::tree::{Kind, Node};
    fn conv(n: &Node<'_>) -> Json {
        match &n.kind {
            Kind::Null => Json::Null,
            Kind::Seq(items) => Json::Array(items.iter().map(conv).collect()),
            Kind::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.text().unwrap_or_default().to_string(), conv(v)))
                    .collect(),
            ),
            Kind::Scalar(s) if s.quoted => Json::String(s.text.to_string()),
            Kind::Scalar(s) => {
                let t: &str = &s.text;
                match t {
                    "true" => Json::Bool(true),
                    "false" => Json::Bool(false),
                    "null" | "~" | "" => Json::Null,
                    _ => {
                        if let Ok(i) = t.parse::<i64>() {
                            json!(i)
                        } else if let Some(x) = t.parse::<f64>().ok().filter(|x| x.is_finite() && t.contains('.')) {
                            json!(x)
                        } else {
                            Json::String(t.to_string())
                        }
                    }
                }
            }
        }
    }
    let limits = crate::facts::load::limits::Limits::default();
    crate::facts::load::yaml::parse(text, 0, &limits).ok().map(|n| conv(&n))
}

/// Every fact of the schema as Markdown tables, one per record (the case,
/// a prior course under `history.TREATMENT`, a request): key, what it may
/// hold, description. docs/case-file.md holds this for the shipped rules
/// (a test keeps it true).
pub fn facts_markdown(p: &Program) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (scope, title, prefix) in [
        (Scope::Case, "The case", ""),
        (
            Scope::History,
            "A prior course (`history.TREATMENT`)",
            "history.TREATMENT.",
        ),
        (Scope::Request, "A request (an item of `requests`)", ""),
    ] {
        let _ = writeln!(out, "### {title}\n");
        let _ = writeln!(out, "| key | holds | meaning |");
        let _ = writeln!(out, "| --- | --- | --- |");
        let mut facts: Vec<&Fact> = p.schema.facts.iter().filter(|f| f.scope == scope).collect();
        facts.sort_by(|a, b| a.key.cmp(&b.key));
        for f in facts {
            let key = match (scope, f.derived) {
                (_, true) => format!("`{}` (filled by mtus)", f.path),
                (Scope::Request, _) => format!("`{}`", f.key.join(".")),
                _ => format!("`{prefix}{}`", f.key.join(".")),
            };
            let cell = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(
                out,
                "| {key} | {} | {} |",
                cell(&fact_summary(p, f)),
                cell(&f.description)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "### Treatments
"
    );
    let _ = writeln!(out, "| treatment | what | also written |");
    let _ = writeln!(out, "| --- | --- | --- |");
    let mut ts: Vec<_> = p.catalog.treatments.iter().collect();
    ts.sort_by(|a, b| a.name.cmp(&b.name));
    for t in ts {
        let aka: Vec<String> = t.aka.iter().map(|a| format!("`{a}`")).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            t.name,
            t.title.replace('|', "\\|"),
            aka.join(", ")
        );
    }
    out
}
