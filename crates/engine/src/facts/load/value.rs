//! One fact value: a scalar or list node read as the type its fact
//! declares (bool, int, number, score, percent, date, duration,
//! quantity, symbol, list of symbols, text, treatment), with every check
//! on the value itself: type, unit, range, finiteness, vocabulary.

use std::fmt;

use super::Ctx;
use super::limits::MAX_MAGNITUDE;
use super::tree::{Kind, Node};
use crate::check::{Fact, FactType, Range, Scope, TreatmentId, display_path};
use crate::diag::{Span, did_you_mean};
use crate::value::{Date, Dim, Qty, Sym, Unit, Value, fmt_num};

/// What a plain (unquoted) scalar spells, by the YAML 1.2 core schema
/// (which JSON's bare tokens are a part of).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plain {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An integer too large for 64 bits (a 400-digit number).
    BigInt,
    /// `.inf`, `-.inf`, `.nan`, or a float beyond `f64` (`1e400`).
    NonFinite,
    Text,
}

pub fn plain(s: &str) -> Plain {
    match s {
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return Plain::NonFinite,
        _ => {}
    }
    let b = s.as_bytes();
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|c| c.is_ascii_digit()) {
        return match s.parse::<i64>() {
            Ok(n) => Plain::Int(n),
            Err(_) => Plain::BigInt,
        };
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(d) = s.strip_prefix(prefix) {
            if !d.is_empty() && d.bytes().all(|c| (c as char).is_digit(radix)) {
                return i64::from_str_radix(d, radix).map_or(Plain::BigInt, Plain::Int);
            }
        }
    }
    if is_float(unsigned) && !b.is_empty() {
        return match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Plain::Float(x),
            _ => Plain::NonFinite,
        };
    }
    Plain::Text
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(s: &str) -> bool {
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some((a, b)) => {
            a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
                && (!a.is_empty() || !b.is_empty())
        }
        None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

/// A number as a message shows it: as written, or formatted (only when a
/// message is made).
#[derive(Clone, Copy)]
enum Shown<'a> {
    Num(f64),
    Text(&'a str),
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Num(x) => f.write_str(&fmt_num(*x)),
            Shown::Text(t) => f.write_str(t),
        }
    }
}

/// How a case file names a fact, for messages.
#[derive(Clone, Copy)]
pub enum Name<'a> {
    Text(&'a str),
    /// As the schema names it (`exam.muscle_spasm`).
    Fact(&'a Fact),
    /// A fact of the history entry of a treatment: `history.TREATMENT.KEY`.
    History(&'a str, &'a Fact),
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Text(s) => f.write_str(s),
            Name::Fact(fact) => f.write_str(&display_path(fact)),
            Name::History(t, fact) => write!(f, "history.{t}.{}", fact.key.join(".")),
        }
    }
}

pub fn expected(f: &Fact) -> String {
    match f.ty {
        FactType::Bool => "true or false".into(),
        FactType::Int => "a whole number".into(),
        FactType::Number => "a number".into(),
        FactType::Score => "a score from 0 to 10".into(),
        FactType::Percent => "a percent from 0 to 100".into(),
        FactType::Date => "a date (YYYY-MM-DD)".into(),
        FactType::Duration => "a duration such as `3 week`".into(),
        FactType::Quantity => match f.dim {
            Some(Dim::Visit) => "a number of visits such as `6 visit`".into(),
            Some(Dim::Tablet) => "a number of tablets such as `15 tablet`".into(),
            Some(Dim::Mass) => "a mass such as `7.5 mg`".into(),
            Some(Dim::Med) => "a morphine-equivalent dose such as `90 mg_med`".into(),
            Some(Dim::Item) => "a number of units such as `1 unit`".into(),
            _ => "a quantity with a unit, such as `6 visit` or `15 tablet`".into(),
        },
        FactType::Symbol => match &f.allowed {
            Some(_) => "one of its values".into(),
            None => "a snake_case word".into(),
        },
        FactType::SymbolList => "a list of snake_case words, such as [a, b]".into(),
        FactType::Text => "text".into(),
        FactType::Treatment => "a treatment name".into(),
    }
}

fn default_unit(d: Dim) -> Option<Unit> {
    match d {
        Dim::Visit => Some(Unit::Visit),
        Dim::Tablet => Some(Unit::Tablet),
        Dim::Item => Some(Unit::Item),
        Dim::Med => Some(Unit::MgMed),
        Dim::Mass | Dim::Time | Dim::Concentration | Dim::DoseRate => None,
    }
}

/// The units of some dimensions, for help texts: `mg, g, mcg`.
pub fn unit_names(dims: &[Dim]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (n, u) in crate::value::UNIT_NAMES {
        if dims.contains(&u.dim()) && u.name() == *n {
            names.push(n);
        }
    }
    names.join(", ")
}

impl Ctx<'_> {
    /// Read one fact value; `Value::Absent` for null or after an error
    /// (which is recorded).
    pub fn value(&mut self, f: &Fact, name: Name<'_>, node: &Node<'_>) -> Value {
        match &node.kind {
            Kind::Null => Value::Absent,
            Kind::Seq(items) if f.ty == FactType::SymbolList => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(s) = self.list_symbol(f, name, item) {
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                }
                Value::List(out.into_boxed_slice())
            }
            Kind::Scalar(s) if s.quoted => self.text_value(f, name, &s.text, node),
            Kind::Scalar(s) => match plain(&s.text) {
                Plain::Bool(b) if f.ty == FactType::Bool => Value::Bool(b),
                Plain::Int(n) => self.number(f, name, n as f64, true, node),
                Plain::Float(x) => {
                    let integral = x.fract() == 0.0;
                    if f.ty == FactType::Int && !integral {
                        self.wrong(f, name, node)
                    } else {
                        self.number(f, name, x, integral, node)
                    }
                }
                Plain::BigInt | Plain::NonFinite if f.ty == FactType::Text => Value::Text(s.text.as_ref().into()),
                Plain::BigInt | Plain::NonFinite if is_numeric(f.ty) => {
                    let what = if plain(&s.text) == Plain::BigInt {
                        "too large a number"
                    } else {
                        "not a finite number"
                    };
                    self.error(
                        "bad-number",
                        node.span,
                        format!("`{}` is {what} (in `{name}`)", short(&s.text)),
                        Some(self.range_help(f)),
                    );
                    Value::Absent
                }
                Plain::Text => self.text_value(f, name, &s.text, node),
                _ => self.wrong(f, name, node),
            },
            _ => self.wrong(f, name, node),
        }
    }

    fn wrong(&mut self, f: &Fact, name: Name<'_>, node: &Node<'_>) -> Value {
        let found = node.describe();
        let help = match (f.ty, found.as_str()) {
            (FactType::Bool, s) if s.starts_with("the text") => {
                "write true or false without quotes; leave the fact out when it is not documented".to_string()
            }
            (FactType::Quantity | FactType::Duration, s) if s.starts_with("the number") => {
                "give the number a unit, e.g. `6 visit`, `3 week`".to_string()
            }
            _ => format!("`{name}`: {}", f.description),
        };
        self.error(
            "wrong-type",
            node.span,
            format!("`{name}` should be {}, found {found}", expected(f)),
            Some(help),
        );
        Value::Absent
    }

    /// The range a number of this fact must be in, and whether it was
    /// declared (else the defaults: a score 0-10, a percent 0-100,
    /// otherwise 0 up to [`MAX_MAGNITUDE`]).
    pub(super) fn range(f: &Fact) -> (Range, bool) {
        match (f.range, f.ty) {
            (Some(r), _) => (r, true),
            (None, FactType::Score) => (Range { min: 0.0, max: 10.0 }, true),
            (None, FactType::Percent) => (Range { min: 0.0, max: 100.0 }, true),
            (None, _) => (
                Range {
                    min: 0.0,
                    max: MAX_MAGNITUDE,
                },
                false,
            ),
        }
    }

    pub(super) fn range_help(&self, f: &Fact) -> String {
        let (r, declared) = Self::range(f);
        if declared {
            let unit = base_unit(f);
            format!(
                "`{}` takes values from {}{unit} to {}{unit}; check the value in the record",
                display_path(f),
                fmt_num(r.min),
                fmt_num(r.max)
            )
        } else {
            "write the number as in the record: finite, not negative, not absurdly large".into()
        }
    }

    /// Check a number (a quantity's in its base unit) against the range.
    fn in_range(&mut self, f: &Fact, name: Name<'_>, x: f64, shown: Shown<'_>, node: &Node<'_>) -> bool {
        let (r, declared) = Self::range(f);
        if r.contains(x) {
            return true;
        }
        let message = if x < 0.0 && !declared {
            format!("`{name}` cannot be negative, found {shown}")
        } else if declared {
            format!(
                "`{name}` should be from {} to {}{}, found {shown}",
                fmt_num(r.min),
                fmt_num(r.max),
                base_unit(f)
            )
        } else {
            format!("`{name}` is absurdly large, found {shown}")
        };
        let mut help = self.range_help(f);
        if f.ty == FactType::Percent && x > 0.0 && x <= 1.0 {
            help = "write a percent as a number from 0 to 100, e.g. 60 for 60%".into();
        }
        self.error("out-of-range", node.span, message, Some(help));
        false
    }

    fn number(&mut self, f: &Fact, name: Name<'_>, x: f64, integral: bool, node: &Node<'_>) -> Value {
        let shown = Shown::Num(x);
        match f.ty {
            FactType::Int if integral => {
                if self.in_range(f, name, x, shown, node) {
                    Value::Int(x as i64)
                } else {
                    Value::Absent
                }
            }
            FactType::Number | FactType::Score | FactType::Percent => {
                if self.in_range(f, name, x, shown, node) {
                    Value::Num(x)
                } else {
                    Value::Absent
                }
            }
            FactType::Quantity => match f.dim.and_then(default_unit) {
                Some(u) => self.quantity_checked(f, name, Qty::new(x, u), shown, node),
                None => self.wrong(f, name, node),
            },
            FactType::Text => Value::Text(node.text().unwrap_or_default().into()),
            _ => self.wrong(f, name, node),
        }
    }

    fn quantity_checked(&mut self, f: &Fact, name: Name<'_>, q: Qty, shown: Shown<'_>, node: &Node<'_>) -> Value {
        if self.in_range(f, name, q.base(), shown, node) {
            Value::Qty(q)
        } else {
            Value::Absent
        }
    }

    /// A scalar read as text: quoted, or plain but not a bool or number.
    fn text_value(&mut self, f: &Fact, name: Name<'_>, s: &str, node: &Node<'_>) -> Value {
        match f.ty {
            FactType::Text => Value::Text(s.into()),
            FactType::Date => match Date::parse(s.trim()) {
                Some(d) => Value::Date(d),
                None => {
                    self.error(
                        "bad-date",
                        node.span,
                        format!("`{s}` is not a date (in `{name}`)"),
                        Some("write dates as YYYY-MM-DD, e.g. 2015-05-06".into()),
                    );
                    Value::Absent
                }
            },
            FactType::Duration | FactType::Quantity => self.quantity(f, name, s, node),
            FactType::Symbol => self.symbol(f, name, s, node).map_or(Value::Absent, Value::Sym),
            FactType::Treatment => match self.treatment(s, node.span) {
                Some(t) => Value::Sym(self.p.catalog.treatment(t).sym),
                None => Value::Absent,
            },
            FactType::Percent if s.trim().ends_with('%') => match plain(s.trim().trim_end_matches('%').trim()) {
                Plain::Int(n) => self.number(f, name, n as f64, true, node),
                Plain::Float(x) => self.number(f, name, x, x.fract() == 0.0, node),
                _ => self.wrong(f, name, node),
            },
            _ => self.wrong(f, name, node),
        }
    }

    /// `6 visit`, `7.5 mg`, `3 weeks`, `1e3 mg`.
    fn quantity(&mut self, f: &Fact, name: Name<'_>, s: &str, node: &Node<'_>) -> Value {
        let t = s.trim();
        let (num, unit) = split_number(t);
        let unit = unit.trim();
        let fail = |ctx: &mut Self, msg: String, help: String| {
            ctx.error(
                "bad-quantity",
                node.span,
                format!("{msg} (in `{}`)", display_path(f)),
                Some(help),
            );
            Value::Absent
        };
        let amount = match plain(num) {
            Plain::Int(n) => n as f64,
            Plain::Float(x) => x,
            Plain::BigInt | Plain::NonFinite if !num.is_empty() => {
                return fail(
                    self,
                    format!("`{}` is too large a number", short(num)),
                    self.range_help(f),
                );
            }
            _ => {
                return fail(
                    self,
                    format!("`{s}` is not a number with a unit"),
                    format!("write {}", expected(f)),
                );
            }
        };
        if unit.is_empty() {
            return match f.dim.and_then(default_unit) {
                Some(u) => self.quantity_checked(f, name, Qty::new(amount, u), Shown::Num(amount), node),
                None => fail(
                    self,
                    format!("`{s}` has no unit"),
                    "add a unit: `6 visit`, `15 tablet`, `3 week`".into(),
                ),
            };
        }
        let Some(u) = crate::value::Unit::parse(unit) else {
            let names = crate::value::UNIT_NAMES.iter().map(|(n, _)| *n);
            let help = match did_you_mean(unit, names) {
                Some(x) => format!("did you mean `{x}`?"),
                None => "units: visit, session, tablet, capsule, patch, unit, mcg, mg, g, mg_med, percent, mcg_per_hour, hour, day, week, month, year".into(),
            };
            return fail(self, format!("unknown unit `{unit}` in `{s}`"), help);
        };
        let q = Qty::new(amount, u);
        let want = if f.ty == FactType::Duration {
            Some(Dim::Time)
        } else {
            f.dim
        };
        if let Some(d) = want {
            if q.dim() != d {
                self.error(
                    "unit-mismatch",
                    node.span,
                    format!("`{name}` should be {}, found `{q}`", expected(f)),
                    Some(format!("`{}` is counted in {}", q.unit.name(), q.dim().name())),
                );
                return Value::Absent;
            }
        }
        self.quantity_checked(f, name, q, Shown::Text(t), node)
    }

    /// One item of a list of symbols: a word (a plain number is a word too).
    fn list_symbol(&mut self, f: &Fact, name: Name<'_>, node: &Node<'_>) -> Option<Sym> {
        match &node.kind {
            Kind::Scalar(s) if s.quoted => self.symbol(f, name, &s.text, node),
            Kind::Scalar(s) => match plain(&s.text) {
                Plain::Bool(b) => {
                    self.error(
                        "wrong-type",
                        node.span,
                        format!("a list of `{name}` holds words, found `{b}`"),
                        None,
                    );
                    None
                }
                _ => self.symbol(f, name, &s.text, node),
            },
            Kind::Null => None,
            Kind::Map(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("a list of `{name}` holds words, found a mapping"),
                    None,
                );
                None
            }
            Kind::Seq(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("a list of `{}` holds words, found a nested list", display_path(f)),
                    None,
                );
                None
            }
        }
    }

    pub fn symbol(&mut self, f: &Fact, name: Name<'_>, s: &str, node: &Node<'_>) -> Option<Sym> {
        // Current medications name treatments: a brand name or spelling the
        // catalog knows ("Norco", "Soma") means its canonical treatment.
        // Anything else (acetaminophen) is kept as written.
        if f.scope == Scope::Case && Some(f.slot) == self.p.schema.builtin.medications_current {
            if let Some(t) = self.keys.resolve(self.p, s) {
                return Some(self.p.catalog.treatment(t).sym);
            }
        }
        // (Bytes: any byte of a character beyond ASCII fails.)
        let ok = s
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
        if !ok {
            let suggestion = crate::check::normalize_name(s);
            self.error(
                "bad-symbol",
                node.span,
                format!("`{}` is not a snake_case word (in `{name}`)", short(s)),
                Some(format!("write it as `{suggestion}`")),
            );
            return None;
        }
        if let Some(allowed) = &f.allowed {
            let known = self.keys.symbols.get(s).copied();
            if let Some(sym) = known.filter(|x| self.keys.allows(f, *x)) {
                return Some(sym);
            }
            let names: Vec<&str> = allowed.iter().filter_map(|a| self.p.symbols.name(*a)).collect();
            // A long vocabulary (body parts, ingredients) is cut short: the
            // whole list is in `mtus schema` and docs/case-file.md.
            const SHOWN: usize = 24;
            let values = if names.len() > SHOWN {
                format!(
                    "{}, ... ({} more: `mtus schema` lists them all)",
                    names[..SHOWN].join(", "),
                    names.len() - SHOWN
                )
            } else {
                names.join(", ")
            };
            let help = match did_you_mean(s, names.iter().copied()) {
                Some(x) => format!("did you mean `{x}`? values: {values}"),
                None => format!("values: {values}"),
            };
            self.error(
                "unknown-value",
                node.span,
                format!("`{s}` is not a value of `{name}`"),
                Some(help),
            );
            return None;
        }
        Some(self.sym(s))
    }

    /// A treatment name, canonical or brand.
    pub fn treatment(&mut self, written: &str, at: Span) -> Option<TreatmentId> {
        if let Some(t) = self.keys.resolve(self.p, written) {
            return Some(t);
        }
        let help = match self.p.catalog.suggest(written) {
            Some(s) => format!("did you mean {s}?"),
            None => "use a canonical treatment name (docs/case-file.md, or `mtus schema`; e.g. `massage_therapy`, `cyclobenzaprine`) or a brand name in the catalog".to_string(),
        };
        self.error(
            "unknown-treatment",
            at,
            format!("unknown treatment `{}`", short(written)),
            Some(help),
        );
        None
    }
}

/// The base unit a quantity's range is in (` day`, ` mg`...), or nothing.
fn base_unit(f: &Fact) -> &'static str {
    match (f.ty, f.dim) {
        (FactType::Duration, _) | (FactType::Quantity, Some(Dim::Time)) => " day",
        (FactType::Quantity, Some(Dim::Mass)) => " mg",
        (FactType::Quantity, Some(Dim::Visit)) => " visit",
        (FactType::Quantity, Some(Dim::Tablet)) => " tablet",
        (FactType::Quantity, Some(Dim::Item)) => " unit",
        (FactType::Quantity, Some(Dim::Med)) => " mg_med",
        (FactType::Quantity, Some(Dim::Concentration)) => " percent",
        (FactType::Quantity, Some(Dim::DoseRate)) => " mcg_per_hour",
        _ => "",
    }
}

fn is_numeric(t: FactType) -> bool {
    matches!(
        t,
        FactType::Int
            | FactType::Number
            | FactType::Score
            | FactType::Percent
            | FactType::Quantity
            | FactType::Duration
    )
}

/// Split `1.5e3 mg` into the number and the rest: a sign, digits, a
/// fraction, an exponent only when digits follow the `e`.
fn split_number(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < b.len() && matches!(b[j], b'-' | b'+') {
            j += 1;
        }
        let d = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > d && (j == b.len() || !b[j].is_ascii_alphanumeric()) {
            i = j;
        }
    }
    s.split_at(i)
}

/// At most 40 characters of a written value, for messages.
pub fn short(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        s.chars().take(40).collect::<String>() + "..."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(plain("true"), Plain::Bool(true));
        assert_eq!(plain("yes"), Plain::Text);
        assert_eq!(plain("12"), Plain::Int(12));
        assert_eq!(plain("-3"), Plain::Int(-3));
        assert_eq!(plain("1.5e3"), Plain::Float(1500.0));
        assert_eq!(plain(".5"), Plain::Float(0.5));
        assert_eq!(plain(".inf"), Plain::NonFinite);
        assert_eq!(plain(".nan"), Plain::NonFinite);
        assert_eq!(plain("1e400"), Plain::NonFinite);
        assert_eq!(plain(&"9".repeat(400)), Plain::BigInt);
        assert_eq!(plain("2015-05-06"), Plain::Text);
        assert_eq!(plain("6 visit"), Plain::Text);
        assert_eq!(plain("0x1f"), Plain::Int(31));
    }

    #[test]
    fn numbers_split_from_units() {
        assert_eq!(split_number("1e308 mg"), ("1e308", " mg"));
        assert_eq!(split_number("6 each"), ("6", " each"));
        assert_eq!(split_number("6each"), ("6", "each"));
        assert_eq!(split_number("-3 visit"), ("-3", " visit"));
        assert_eq!(split_number("7.5mg"), ("7.5", "mg"));
    }
}
