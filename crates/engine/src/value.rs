//! Values that facts hold: three-valued truth, dates, quantities with units,
//! symbols. Shared by checking (literals), case loading and evaluation.

pub mod ops;

use std::cmp::Ordering;
use std::fmt;

/// Kleene three-valued truth: a criterion is met, not met, or cannot be
/// decided because a fact it needs is not documented.
///
/// The order `False < Unknown < True` makes `and` the minimum and `or` the
/// maximum, which is exactly Kleene's strong logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }

    /// `when c then t else e`: the branch the condition picks; when the
    /// condition is unknown, the answer is known only if both branches agree.
    pub fn select(cond: Tri, then: Tri, otherwise: Tri) -> Tri {
        match cond {
            Tri::True => then,
            Tri::False => otherwise,
            Tri::Unknown if then == otherwise => then,
            Tri::Unknown => Tri::Unknown,
        }
    }

    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

/// A calendar date, as days since 1970-01-01 (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// Parse `YYYY-MM-DD`, rejecting impossible dates such as `2015-02-30`.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i32> {
            let part = s.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    pub fn ymd(self) -> (i32, i32, i32) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i32) -> (i32, i32, i32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// What a quantity counts. Quantities of different dimensions never compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Dim {
    /// visits, sessions, treatments
    Visit,
    /// tablets, capsules, patches
    Tablet,
    /// one device, test, injection or item
    Item,
    /// mg, g
    Mass,
    /// morphine-equivalent mg per day
    Med,
    /// hours, days, weeks, months, years
    Time,
    /// a strength written as a percentage (`0.025 percent` capsaicin)
    Concentration,
    /// a patch's delivery rate (`25 mcg_per_hour` fentanyl)
    DoseRate,
}

impl Dim {
    pub fn name(self) -> &'static str {
        match self {
            Dim::Visit => "visits",
            Dim::Tablet => "tablets",
            Dim::Item => "units",
            Dim::Mass => "mass (mg, g)",
            Dim::Med => "morphine-equivalent mg (mg_med)",
            Dim::Time => "time",
            Dim::Concentration => "a concentration (percent)",
            Dim::DoseRate => "a delivery rate (mcg_per_hour)",
        }
    }
}

/// A unit as written. `visit` = `session` = `treatment`; `tablet` =
/// `capsule` = `patch`; `g` = 1000 `mg` = 1,000,000 `mcg`; a month is
/// 365.25/12 days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    Visit,
    Session,
    Treatment,
    Tablet,
    Capsule,
    Patch,
    Item,
    Mcg,
    Mg,
    G,
    MgMed,
    Percent,
    McgPerHour,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// Every unit name accepted, singular first; plurals map to the same unit.
pub const UNIT_NAMES: &[(&str, Unit)] = &[
    ("visit", Unit::Visit),
    ("visits", Unit::Visit),
    ("session", Unit::Session),
    ("sessions", Unit::Session),
    ("treatment", Unit::Treatment),
    ("treatments", Unit::Treatment),
    ("tablet", Unit::Tablet),
    ("tablets", Unit::Tablet),
    ("capsule", Unit::Capsule),
    ("capsules", Unit::Capsule),
    ("patch", Unit::Patch),
    ("patches", Unit::Patch),
    ("unit", Unit::Item),
    ("units", Unit::Item),
    ("mcg", Unit::Mcg),
    ("mg", Unit::Mg),
    ("g", Unit::G),
    ("mg_med", Unit::MgMed),
    ("percent", Unit::Percent),
    ("mcg_per_hour", Unit::McgPerHour),
    ("hour", Unit::Hour),
    ("hours", Unit::Hour),
    ("day", Unit::Day),
    ("days", Unit::Day),
    ("week", Unit::Week),
    ("weeks", Unit::Week),
    ("month", Unit::Month),
    ("months", Unit::Month),
    ("year", Unit::Year),
    ("years", Unit::Year),
];

impl Unit {
    pub fn parse(s: &str) -> Option<Unit> {
        UNIT_NAMES.iter().find(|(n, _)| *n == s).map(|&(_, u)| u)
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Visit => "visit",
            Unit::Session => "session",
            Unit::Treatment => "treatment",
            Unit::Tablet => "tablet",
            Unit::Capsule => "capsule",
            Unit::Patch => "patch",
            Unit::Item => "unit",
            Unit::Mcg => "mcg",
            Unit::Mg => "mg",
            Unit::G => "g",
            Unit::MgMed => "mg_med",
            Unit::Percent => "percent",
            Unit::McgPerHour => "mcg_per_hour",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }

    pub fn dim(self) -> Dim {
        match self {
            Unit::Visit | Unit::Session | Unit::Treatment => Dim::Visit,
            Unit::Tablet | Unit::Capsule | Unit::Patch => Dim::Tablet,
            Unit::Item => Dim::Item,
            Unit::Mcg | Unit::Mg | Unit::G => Dim::Mass,
            Unit::MgMed => Dim::Med,
            Unit::Percent => Dim::Concentration,
            Unit::McgPerHour => Dim::DoseRate,
            Unit::Hour | Unit::Day | Unit::Week | Unit::Month | Unit::Year => Dim::Time,
        }
    }

    /// Factor to the base unit of the dimension (mg for mass, day for time).
    pub fn factor(self) -> f64 {
        match self {
            Unit::Mcg => 0.001,
            Unit::G => 1000.0,
            Unit::Hour => 1.0 / 24.0,
            Unit::Week => 7.0,
            Unit::Month => 365.25 / 12.0,
            Unit::Year => 365.25,
            _ => 1.0,
        }
    }
}

/// A number with a unit, as written (`6 visit`, `7.5 mg`, `3 week`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Qty {
    pub amount: f64,
    pub unit: Unit,
}

impl Qty {
    pub fn new(amount: f64, unit: Unit) -> Qty {
        Qty { amount, unit }
    }

    /// Amount in the base unit of its dimension.
    pub fn base(self) -> f64 {
        self.amount * self.unit.factor()
    }

    pub fn dim(self) -> Dim {
        self.unit.dim()
    }

    /// Parse `6 visit`, `7.5 mg`, `3 weeks`. Returns what went wrong as a
    /// short phrase on failure.
    pub fn parse(s: &str) -> Result<Qty, QtyError> {
        let s = s.trim();
        let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
        let (num, rest) = s.split_at(split);
        let unit = rest.trim();
        if num.is_empty() {
            return Err(QtyError::NoNumber);
        }
        let amount: f64 = num.parse().map_err(|_| QtyError::NoNumber)?;
        if unit.is_empty() {
            return Err(QtyError::NoUnit(amount));
        }
        let unit = Unit::parse(unit).ok_or_else(|| QtyError::UnknownUnit(unit.to_string()))?;
        Ok(Qty { amount, unit })
    }

    /// Compare two quantities of the same dimension in base units.
    pub fn compare(self, other: Qty) -> Option<Ordering> {
        if self.dim() != other.dim() {
            return None;
        }
        Some(cmp_f64(self.base(), other.base()))
    }
}

/// Why a quantity did not parse.
#[derive(Clone, Debug, PartialEq)]
pub enum QtyError {
    NoNumber,
    NoUnit(f64),
    UnknownUnit(String),
}

/// Compare with a relative tolerance, so `0.0075 g` equals `7.5 mg`.
/// Infinities have no tolerance (they order as IEEE says); callers that
/// decide criteria refuse non-finite values before comparing
/// (`value::ops::compare`).
pub fn cmp_f64(a: f64, b: f64) -> Ordering {
    if !(a.is_finite() && b.is_finite()) {
        return a.total_cmp(&b);
    }
    let scale = a.abs().max(b.abs()).max(1.0);
    if (a - b).abs() <= scale * 1e-9 {
        Ordering::Equal
    } else if a < b {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Format a number the way a person writes it: `6`, `7.5`.
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", fmt_num(self.amount), self.unit.name())
    }
}

/// An interned symbol. Ids below the rule set's symbol count are shared by
/// rules and cases; a case's own unfamiliar symbols get ids above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Sym(pub u32);

/// A fact value in a loaded case. `Absent` is "not documented".
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    #[default]
    Absent,
    Bool(bool),
    Int(i64),
    Num(f64),
    Date(Date),
    Qty(Qty),
    Sym(Sym),
    List(Box<[Sym]>),
    Text(Box<str>),
}

impl Value {
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_truth_tables() {
        use Tri::*;
        let all = [False, Unknown, True];
        // and: false dominates, then unknown.
        for a in all {
            for b in all {
                let and = a.and(b);
                let or = a.or(b);
                let expect_and = if a == False || b == False {
                    False
                } else if a == Unknown || b == Unknown {
                    Unknown
                } else {
                    True
                };
                let expect_or = if a == True || b == True {
                    True
                } else if a == Unknown || b == Unknown {
                    Unknown
                } else {
                    False
                };
                assert_eq!(and, expect_and, "{a:?} and {b:?}");
                assert_eq!(or, expect_or, "{a:?} or {b:?}");
                // De Morgan holds in Kleene logic.
                assert_eq!(a.and(b).not(), a.not().or(b.not()));
            }
        }
        assert_eq!(True.not(), False);
        assert_eq!(False.not(), True);
        assert_eq!(Unknown.not(), Unknown);
        // `unknown or true` is true: a missing fact does not matter when
        // another alternative is met.
        assert_eq!(Unknown.or(True), True);
        assert_eq!(Unknown.and(False), False);
    }

    #[test]
    fn select_with_unknown_condition() {
        use Tri::*;
        assert_eq!(Tri::select(True, False, True), False);
        assert_eq!(Tri::select(False, False, True), True);
        assert_eq!(Tri::select(Unknown, True, True), True);
        assert_eq!(Tri::select(Unknown, False, True), Unknown);
    }

    #[test]
    fn dates_round_trip_and_reject_impossible() {
        for s in ["1970-01-01", "2015-05-06", "2000-02-29", "1999-12-31", "2026-11-26"] {
            assert_eq!(Date::parse(s).map(|d| d.to_string()), Some(s.to_string()));
        }
        assert_eq!(Date::parse("1970-01-02"), Some(Date(1)));
        for s in ["2015-02-30", "2015-13-01", "2015-5-6", "1900-02-29", "2015-05-06x"] {
            assert_eq!(Date::parse(s), None, "{s}");
        }
        assert_eq!(
            Date::parse("2016-03-01").map(|d| d.0),
            Date::parse("2016-02-29").map(|d| d.0 + 1)
        );
    }

    #[test]
    fn quantities_convert_within_a_dimension() {
        let q = |s| Qty::parse(s).expect(s);
        assert_eq!(q("3 week").compare(q("21 days")), Some(Ordering::Equal));
        assert_eq!(q("0.0075 g").compare(q("7.5 mg")), Some(Ordering::Equal));
        assert_eq!(q("6 session").compare(q("6 visit")), Some(Ordering::Equal));
        assert_eq!(q("2 patch").compare(q("1 tablet")), Some(Ordering::Greater));
        assert_eq!(q("6 visit").compare(q("3 week")), None);
        assert_eq!(Qty::parse("6"), Err(QtyError::NoUnit(6.0)));
        assert_eq!(Qty::parse("6 vists"), Err(QtyError::UnknownUnit("vists".into())));
        assert_eq!(Qty::parse("visits"), Err(QtyError::NoNumber));
        assert_eq!(q("7.5 mg").to_string(), "7.5 mg");
    }
}
