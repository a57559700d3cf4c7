//! Extreme numbers for the cases of [`super::Options::extremes`]: the
//! values at and past the edges of what a fact may hold and of what the
//! rules compare it with, where a loader or an evaluator is most likely to
//! be wrong. Many of them are invalid on purpose (FACTS.md v2: numbers are
//! finite, non-negative and within the fact's declared range): the loader
//! must reject those, and must load the valid ones to decisions that
//! respect the rules' limits (`tests/extremes.rs`).

use super::model::Hint;
use super::node::Node;
use super::rng::Rng;
use super::unit_and_limit;
use crate::check::{Fact, FactType};
use crate::value::{Dim, fmt_num};

/// The kinds of extreme value written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extreme {
    /// 0.
    Zero,
    /// The largest value the fact may hold: [`Fact::range`]'s maximum, or
    /// a generous bound for its type when the schema declares none.
    Max,
    /// Just past that maximum.
    PastMax,
    /// Exactly a threshold the rules compare the fact with.
    Limit,
    /// Just above or just below such a threshold (by one, or by a
    /// hundredth).
    PastLimit,
    /// Far beyond any sensible value: 1e300, `i64::MAX`, 1e18.
    Huge,
    /// Below zero.
    Negative,
    /// Not a finite number, or one that overflows to infinity when read:
    /// `.inf`, `.nan`, a 400-digit amount, an integer past `u64`.
    NonFinite,
}

impl Extreme {
    pub const ALL: [Extreme; 8] = [
        Extreme::Zero,
        Extreme::Max,
        Extreme::PastMax,
        Extreme::Limit,
        Extreme::PastLimit,
        Extreme::Huge,
        Extreme::Negative,
        Extreme::NonFinite,
    ];
}

/// The largest value a fact may hold, in the base unit of its dimension
/// for a quantity: its declared range, else a bound no real record
/// exceeds.
pub fn max_of(f: &Fact) -> f64 {
    if let Some(r) = f.range {
        return r.max;
    }
    let dim = if f.ty == FactType::Duration {
        Some(Dim::Time)
    } else {
        f.dim
    };
    match f.ty {
        FactType::Score => 10.0,
        FactType::Percent => 100.0,
        FactType::Int if f.path.ends_with("age") => 120.0,
        FactType::Int => 1000.0,
        FactType::Number => 1e6,
        _ => match dim {
            Some(Dim::Time) => 36_525.0,
            Some(Dim::Mass) => 1e6,
            Some(Dim::Concentration) => 100.0,
            Some(Dim::Tablet | Dim::Med | Dim::DoseRate) => 10_000.0,
            _ => 1000.0,
        },
    }
}

/// An extreme value for a numeric fact (`None` for other types).
pub fn extreme_value(f: &Fact, hint: &Hint, rng: &mut Rng) -> Option<Node> {
    let kind = *rng.pick(&Extreme::ALL);
    match f.ty {
        FactType::Int | FactType::Score | FactType::Percent | FactType::Number => {
            let limit = if hint.numbers.is_empty() {
                None
            } else {
                Some(*rng.pick(&hint.numbers))
            };
            let max = max_of(f);
            let past = |rng: &mut Rng, x: f64| {
                let step = if f.ty == FactType::Number && rng.chance(0.5) {
                    0.01
                } else {
                    1.0
                };
                if rng.chance(0.5) { x + step } else { x - step }
            };
            let x = match kind {
                Extreme::Zero => 0.0,
                Extreme::Max => max,
                Extreme::PastMax => max + 1.0,
                Extreme::Limit => limit.unwrap_or(max),
                Extreme::PastLimit => past(rng, limit.unwrap_or(max)),
                Extreme::Huge => match rng.below(3) {
                    0 => return Some(Node::Int(i64::MAX)),
                    1 => 1e18,
                    _ => 1e300,
                },
                Extreme::Negative => -limit.unwrap_or(1.0).abs().max(1.0),
                Extreme::NonFinite => match rng.below(4) {
                    0 => f64::INFINITY,
                    1 => f64::NEG_INFINITY,
                    2 => f64::NAN,
                    _ => return Some(Node::Raw("18446744073709551616".into())),
                },
            };
            Some(
                if f.ty == FactType::Number || x.fract() != 0.0 || !x.is_finite() || x.abs() >= 9e15 {
                    Node::Num(x)
                } else {
                    Node::Int(x as i64)
                },
            )
        }
        FactType::Quantity | FactType::Duration => {
            let (unit, limit) = unit_and_limit(f, hint, rng, &[]);
            let max = max_of(f) / unit.factor();
            let amount = match kind {
                Extreme::Zero => "0".to_string(),
                Extreme::Max => fmt_num(max),
                Extreme::PastMax => fmt_num(max + 1.0),
                Extreme::Limit => fmt_num(limit),
                Extreme::PastLimit => {
                    let step = if rng.chance(0.5) { 0.01 } else { 1.0 };
                    fmt_num(if rng.chance(0.5) {
                        limit + step
                    } else {
                        (limit - step).abs()
                    })
                }
                Extreme::Huge => match rng.below(3) {
                    0 => i64::MAX.to_string(),
                    1 => fmt_num(1e18),
                    _ => fmt_num(1e300),
                },
                Extreme::Negative => format!("-{}", fmt_num(limit.abs().max(1.0))),
                Extreme::NonFinite => match rng.below(3) {
                    0 => format!("1{}", "0".repeat(400)),
                    1 => "inf".to_string(),
                    _ => "NaN".to_string(),
                },
            };
            Some(Node::Str(format!("{amount} {}", unit.name())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_drawn_and_quantities_keep_their_unit() {
        let f = Fact {
            path: "request.quantity".into(),
            scope: crate::check::Scope::Request,
            key: vec!["quantity".into()],
            slot: 0,
            ty: FactType::Quantity,
            dim: Some(Dim::Visit),
            allowed: None,
            range: None,
            description: String::new(),
            derived: false,
            span: crate::diag::Span::new(crate::diag::FileId(0), 0, 0),
        };
        let mut rng = Rng::for_item(1, 1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..400 {
            match extreme_value(&f, &Hint::default(), &mut rng) {
                Some(Node::Str(s)) => {
                    assert!(s.ends_with(" visit"), "{s}");
                    seen.insert(s);
                }
                other => panic!("{other:?}"),
            }
        }
        for want in [
            "0 visit",
            "1000 visit",
            "1001 visit",
            "8 visit",
            "-8 visit",
            "inf visit",
            "NaN visit",
        ] {
            assert!(seen.contains(want), "never drew {want}: {seen:?}");
        }
    }
}
