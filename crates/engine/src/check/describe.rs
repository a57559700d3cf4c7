//! What a fact may hold, in words: its units, allowed values and range,
//! for messages, advice, the case schema and the case template.
//!
//! Invariants: derived from the `Program` alone, never from a case;
//! deterministic (declared or table order).

use crate::check::{Fact, FactType, Program};
use crate::value::{Dim, UNIT_NAMES};

/// The unit names (singular and plural) of a dimension, in table order.
pub fn unit_names(dim: Dim) -> Vec<&'static str> {
    UNIT_NAMES
        .iter()
        .filter(|(_, u)| u.dim() == dim)
        .map(|(n, _)| *n)
        .collect()
}

/// The unit a quantity's range is declared in, by dimension.
pub fn base_unit(d: Dim) -> &'static str {
    match d {
        Dim::Visit => "visits",
        Dim::Tablet => "tablets",
        Dim::Item => "units",
        Dim::Mass => "mg",
        Dim::Med => "mg_med",
        Dim::Time => "days",
        Dim::Concentration => "percent",
        Dim::DoseRate => "mcg_per_hour",
    }
}

/// The dimensions a quantity fact may have: its own, else (for
/// `request.quantity` and `request.strength`) those of every treatment.
pub fn dims_of(p: &Program, f: &Fact) -> Vec<Dim> {
    if let Some(d) = f.dim {
        return vec![d];
    }
    if f.ty == FactType::Duration {
        return vec![Dim::Time];
    }
    let mut dims: Vec<Dim> = Vec::new();
    for t in &p.catalog.treatments {
        let own = match f.path.as_str() {
            "request.quantity" => &t.quantity_dims,
            "request.strength" => &t.strength_dims,
            _ => continue,
        };
        for d in own {
            if !dims.contains(d) {
                dims.push(*d);
            }
        }
    }
    if dims.is_empty() {
        dims = vec![
            Dim::Visit,
            Dim::Tablet,
            Dim::Item,
            Dim::Mass,
            Dim::Med,
            Dim::Time,
            Dim::Concentration,
            Dim::DoseRate,
        ];
    }
    dims.sort_by_key(|d| unit_names(*d).first().copied().unwrap_or(""));
    dims
}

/// The names of the values a closed symbol fact may hold, in declared order.
pub fn allowed_names(p: &Program, f: &Fact) -> Option<Vec<String>> {
    let allowed = f.allowed.as_ref()?;
    let mut names: Vec<String> = allowed
        .iter()
        .filter_map(|s| p.symbols.name(*s).map(str::to_string))
        .collect();
    names.dedup();
    Some(names)
}

/// Every name a treatment may be written as: canonical names and the
/// catalog's aliases, sorted.
pub fn treatment_names(p: &Program) -> Vec<String> {
    let mut names: Vec<String> = p
        .catalog
        .treatments
        .iter()
        .flat_map(|t| std::iter::once(t.name.clone()).chain(t.aka.iter().cloned()))
        .collect();
    // mtus reads `Flexeril`, `flexeril` and `FLEXERIL` alike: the
    // normalized spelling of every alias is accepted too.
    let normalized: Vec<String> = names.iter().map(|n| crate::check::normalize_name(n)).collect();
    names.extend(normalized);
    names.sort();
    names.dedup();
    names
}

/// The default range of a score or a percent when none is declared.
pub fn range_of(f: &Fact) -> Option<(f64, f64)> {
    match (f.range, f.ty) {
        (Some(r), _) => Some((r.min, r.max)),
        (None, FactType::Score) => Some((0.0, 10.0)),
        (None, FactType::Percent) => Some((0.0, 100.0)),
        _ => None,
    }
}

/// One line saying what a fact holds: its type, units, allowed values or
/// range, e.g. `quantity in visits (visit, session, treatment)`,
/// `symbol, one of: chronic, acute_flare`, `score 0 to 10`.
pub fn fact_summary(p: &Program, f: &Fact) -> String {
    match f.ty {
        FactType::Bool => "true or false".to_string(),
        FactType::Date => "date (YYYY-MM-DD)".to_string(),
        FactType::Text => "text".to_string(),
        FactType::Treatment => "a treatment name (canonical or brand)".to_string(),
        FactType::Symbol | FactType::SymbolList => {
            let ty = if f.ty == FactType::Symbol {
                "symbol"
            } else {
                "list of symbols"
            };
            match allowed_names(p, f) {
                Some(names) if names.len() > 20 => format!(
                    "{ty}, one of {} values (e.g. {}; all in `mtus schema`)",
                    names.len(),
                    names[..3].join(", ")
                ),
                Some(names) => format!("{ty}, one of: {}", names.join(", ")),
                None => format!("{ty} (open vocabulary)"),
            }
        }
        FactType::Int | FactType::Number | FactType::Score | FactType::Percent => {
            let ty = f.ty.name();
            match range_of(f) {
                Some((lo, hi)) => format!(
                    "{ty} from {} to {}",
                    crate::value::fmt_num(lo),
                    crate::value::fmt_num(hi)
                ),
                None => format!("{ty}, 0 or more"),
            }
        }
        FactType::Quantity | FactType::Duration => {
            let dims: Vec<String> = dims_of(p, f)
                .iter()
                .map(|d| {
                    let singular: Vec<&str> = unit_names(*d)
                        .into_iter()
                        .filter(|n| !n.ends_with('s') || *n == "units")
                        .collect();
                    singular.join("/")
                })
                .collect();
            let base = match dims_of(p, f).as_slice() {
                [d] => base_unit(*d),
                _ => "in the base unit",
            };
            let range = f
                .range
                .map(|r| {
                    format!(
                        ", from {} to {} {base}",
                        crate::value::fmt_num(r.min),
                        crate::value::fmt_num(r.max)
                    )
                })
                .unwrap_or_default();
            format!("a number and a unit ({}){range}", dims.join(", "))
        }
    }
}
