//! The one home of value semantics: how numbers, quantities and dates
//! compare and add, for the compiled evaluator (`eval`) and the linter's
//! constant folding (`lint::logic`).
//!
//! The reference evaluator (`eval::reference`) keeps its own copy on
//! purpose: it is the independent oracle the compiled evaluator is tested
//! against, so it must not share this code.
//!
//! Invariants: never panics and never wraps; a result that is not a finite
//! number, or a date outside the years 1 to 9999, is `None` (the evaluator
//! reads it as not documented); quantities of different dimensions neither
//! compare nor add.

use std::cmp::Ordering;

use super::{Dim, cmp_f64};
use crate::syntax::ast::CmpOp;

/// A value arithmetic and ordering apply to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Num(f64),
    /// An amount in the base unit of its dimension (days, mg, visits).
    Qty(f64, Dim),
    /// Days since 1970-01-01.
    Date(i32),
}

/// The first and last day a date may be: 0001-01-01 and 9999-12-31.
pub const FIRST_DAY: i32 = -719_162;
pub const LAST_DAY: i32 = 2_932_896;

/// Order two scalars of one kind (dates with dates, quantities of one
/// dimension, numbers), with the tolerance of [`cmp_f64`]; `None` for
/// kinds that do not compare.
#[inline(always)]
pub fn compare(a: Scalar, b: Scalar) -> Option<Ordering> {
    // A number that is not finite compares with nothing: the loader and
    // the checked arithmetic never let one through, and if one came, a
    // limit must not read it as within (the tolerance of an infinity is
    // infinite).
    let finite = |x: f64, y: f64| x.is_finite() && y.is_finite();
    match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) if finite(x, y) => Some(cmp_f64(x, y)),
        (Scalar::Qty(x, dx), Scalar::Qty(y, dy)) if dx == dy && finite(x, y) => Some(cmp_f64(x, y)),
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// Whether `op` holds for two values in order `ord`.
#[inline(always)]
pub fn holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
    }
}

/// `==` and `!=` on values that are only equal or not (symbols, truth
/// values, texts); `None` for an ordering.
#[inline(always)]
pub fn equality(op: CmpOp, equal: bool) -> Option<bool> {
    match op {
        CmpOp::Eq => Some(equal),
        CmpOp::Ne => Some(!equal),
        _ => None,
    }
}

/// A number, if it is finite.
#[inline(always)]
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `date + days`, the days rounded to whole days; `None` past the years
/// 1 to 9999 or for a day count that is not finite.
#[inline(always)]
pub fn shift(date: i32, days: f64) -> Option<i32> {
    let days = days.round();
    if !days.is_finite() || days.abs() > f64::from(LAST_DAY - FIRST_DAY) {
        return None;
    }
    // In range of i32 after the check above, so the cast is exact.
    let d = i64::from(date) + days as i64;
    if (i64::from(FIRST_DAY)..=i64::from(LAST_DAY)).contains(&d) {
        i32::try_from(d).ok()
    } else {
        None
    }
}

/// `a + b` (`add`) or `a - b`: numbers, quantities of one dimension, a
/// date moved by a duration, the days from one date to another. `None`
/// when the kinds do not combine or the result is out of range.
#[inline(always)]
pub fn arith(add: bool, a: Scalar, b: Scalar) -> Option<Scalar> {
    let sign = if add { 1.0 } else { -1.0 };
    match (a, b) {
        (Scalar::Num(x), Scalar::Num(y)) => finite(x + sign * y).map(Scalar::Num),
        (Scalar::Qty(x, dx), Scalar::Qty(y, dy)) if dx == dy => finite(x + sign * y).map(|v| Scalar::Qty(v, dx)),
        (Scalar::Date(d), Scalar::Qty(days, Dim::Time)) => shift(d, sign * days).map(Scalar::Date),
        (Scalar::Qty(days, Dim::Time), Scalar::Date(d)) if add => shift(d, days).map(Scalar::Date),
        (Scalar::Date(x), Scalar::Date(y)) if !add => Some(Scalar::Qty(f64::from(x) - f64::from(y), Dim::Time)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Date;

    #[test]
    fn the_date_bounds_are_the_first_and_last_day_of_years_1_and_9999() {
        assert_eq!(Date::parse("0001-01-01"), Some(Date(FIRST_DAY)));
        assert_eq!(Date::parse("9999-12-31"), Some(Date(LAST_DAY)));
    }

    #[test]
    fn date_arithmetic_never_wraps() {
        let d = Date::parse("2015-05-06").map(|d| d.0).unwrap_or_default();
        assert_eq!(
            arith(true, Scalar::Date(d), Scalar::Qty(7.0, Dim::Time)),
            Date::parse("2015-05-13").map(|x| Scalar::Date(x.0))
        );
        assert_eq!(
            arith(false, Scalar::Date(d + 10), Scalar::Date(d)),
            Some(Scalar::Qty(10.0, Dim::Time))
        );
        // Far past the calendar, huge, infinite or NaN: no result, no wrap.
        for days in [1e7, 1e12, -1e12, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 3e9] {
            assert_eq!(
                arith(true, Scalar::Date(d), Scalar::Qty(days, Dim::Time)),
                None,
                "{days}"
            );
            assert_eq!(
                arith(false, Scalar::Date(d), Scalar::Qty(days, Dim::Time)),
                None,
                "{days}"
            );
        }
        assert_eq!(shift(LAST_DAY, 1.0), None);
        assert_eq!(shift(FIRST_DAY, -1.0), None);
        assert_eq!(shift(i32::MAX, 1.0), None);
        assert_eq!(shift(LAST_DAY, 0.0), Some(LAST_DAY));
    }

    #[test]
    fn sums_that_leave_the_finite_numbers_have_no_result() {
        assert_eq!(arith(true, Scalar::Num(f64::MAX), Scalar::Num(f64::MAX)), None);
        assert_eq!(arith(true, Scalar::Num(f64::INFINITY), Scalar::Num(1.0)), None);
        assert_eq!(
            arith(
                true,
                Scalar::Qty(f64::MAX, Dim::Visit),
                Scalar::Qty(f64::MAX, Dim::Visit)
            ),
            None
        );
        assert_eq!(arith(true, Scalar::Num(2.0), Scalar::Num(3.0)), Some(Scalar::Num(5.0)));
        assert_eq!(
            arith(true, Scalar::Qty(2.0, Dim::Visit), Scalar::Qty(3.0, Dim::Mass)),
            None
        );
    }

    #[test]
    fn comparisons_need_one_kind() {
        assert_eq!(compare(Scalar::Num(1.0), Scalar::Num(2.0)), Some(Ordering::Less));
        assert_eq!(compare(Scalar::Qty(1.0, Dim::Visit), Scalar::Qty(1.0, Dim::Mass)), None);
        assert_eq!(compare(Scalar::Date(1), Scalar::Num(1.0)), None);
        assert!(holds(CmpOp::Le, Ordering::Equal));
        assert!(!holds(CmpOp::Lt, Ordering::Equal));
        assert_eq!(equality(CmpOp::Ne, false), Some(true));
        assert_eq!(equality(CmpOp::Lt, false), None);
    }
}
