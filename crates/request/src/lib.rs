//! Reads one request line as an office or a letter writes it
//! ("Norco 10/325 mg #120", "PT 2x6 lumbar spine") into a [`Reading`]:
//! the treatment phrase, quantity, strength, form, directions, refills,
//! days' supply, visits a week and weeks, home-care hours, purchase or
//! rental, body regions with side and spinal levels, retrospective and
//! date of service, and HCPCS / CPT code numbers. Every value keeps its
//! byte span in the line; what is wrong or unclear is a located
//! [`Problem`]. Nothing unclear is guessed: an ambiguous number is
//! reported and left out.
//!
//! The reader works in stages over a token list (see `read`): codes,
//! markers (dates, retrospective, post-op, purchase/rental), spinal
//! levels, body regions, strength, frequency, quantity, form, then the
//! treatment phrase from the words left over, and last the checks.

mod codes;
mod error;
mod frequency;
mod icd10;
mod lex;
mod markers;
mod numbers;
mod quantity;
mod read;
mod region;
mod render;
mod strength;
mod summary;

pub use error::{Problem, Severity};
pub use read::read;
pub use render::render;

use serde::Serialize;

/// A byte range `start..end` in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A value with the span it was read from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A number or a range of numbers as written ("12", "12-18", "1 to 2").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Amount {
    pub lo: f64,
    pub hi: f64,
}

impl Amount {
    pub fn one(n: f64) -> Self {
        Amount { lo: n, hi: n }
    }
    pub fn is_range(&self) -> bool {
        self.lo != self.hi
    }
    pub fn times(self, o: Amount) -> Amount {
        Amount {
            lo: self.lo * o.lo,
            hi: self.hi * o.hi,
        }
    }
    /// Whether `o` lies within this amount (equal for single numbers).
    pub fn contains(&self, o: Amount) -> bool {
        o.lo >= self.lo && o.hi <= self.hi
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_range() {
            write!(f, "{}-{}", self.lo, self.hi)
        } else {
            write!(f, "{}", self.lo)
        }
    }
}

/// What the vocabulary says of a treatment phrase.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    Known { id: String },
    NearMiss { suggestions: Vec<String> },
    Unknown,
}

/// Resolves a treatment phrase to an id. The engine's treatment catalog
/// implements it; the reader itself knows no treatment names.
pub trait Vocabulary {
    fn resolve(&self, phrase: &str) -> Resolution;
}

/// A vocabulary that knows nothing (every phrase is `Unknown`).
pub struct NoVocabulary;

impl Vocabulary for NoVocabulary {
    fn resolve(&self, _phrase: &str) -> Resolution {
        Resolution::Unknown
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Treatment {
    /// The phrase as written (for a compound, the ingredient names
    /// joined by " / ").
    pub text: String,
    pub span: Span,
    pub resolution: Resolution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Visit,
    Tablet,
    Capsule,
    Patch,
    Pad,
    G,
    Ml,
    Unit,
    Hour,
    Day,
    Week,
    Month,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Visit => "visit",
            Unit::Tablet => "tablet",
            Unit::Capsule => "capsule",
            Unit::Patch => "patch",
            Unit::Pad => "pad",
            Unit::G => "g",
            Unit::Ml => "ml",
            Unit::Unit => "unit",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }
}

/// How much is asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantity {
    pub amount: Amount,
    pub unit: Option<Unit>,
    pub span: Span,
    /// True when the total is computed (visits a week times weeks), not
    /// written as a number of its own.
    pub derived: bool,
    /// The total with the refills (amount times one plus refills).
    pub with_refills: Option<Amount>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrengthUnit {
    Mg,
    Mcg,
    G,
    Percent,
    MgPerMl,
    McgPerHr,
    Units,
}

impl StrengthUnit {
    pub fn name(self) -> &'static str {
        match self {
            StrengthUnit::Mg => "mg",
            StrengthUnit::Mcg => "mcg",
            StrengthUnit::G => "g",
            StrengthUnit::Percent => "%",
            StrengthUnit::MgPerMl => "mg/ml",
            StrengthUnit::McgPerHr => "mcg/hr",
            StrengthUnit::Units => "units",
        }
    }
}

/// One component of a strength ("10/325 mg" has two).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub amount: f64,
    pub unit: Option<StrengthUnit>,
    /// The ingredient written before it, in a compound ("Flurbiprofen 10%").
    pub name: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Tablet,
    Capsule,
    Patch,
    Cream,
    Ointment,
    Gel,
    Lotion,
    OralSuspension,
    Solution,
    Injection,
    Pad,
}

impl Form {
    pub fn name(self) -> &'static str {
        match self {
            Form::Tablet => "tablet",
            Form::Capsule => "capsule",
            Form::Patch => "patch",
            Form::Cream => "cream",
            Form::Ointment => "ointment",
            Form::Gel => "gel",
            Form::Lotion => "lotion",
            Form::OralSuspension => "oral suspension",
            Form::Solution => "solution",
            Form::Injection => "injection",
            Form::Pad => "pad",
        }
    }
}

/// How the medicine is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Directions {
    /// Dose per administration ("1-2 tabs").
    pub dose: Option<Spanned<Amount>>,
    pub dose_unit: Option<Unit>,
    /// Administrations a day ("bid" = 2, "q6h" = 4, "qhs" = 1).
    pub per_day: Option<Spanned<Amount>>,
    pub as_needed: Option<Span>,
}

/// A length of time ("6 weeks", "one month", "30 days").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Length {
    pub amount: Amount,
    pub unit: Unit,
}

impl std::fmt::Display for Length {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AcquisitionKind {
    Purchase,
    Rental,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acquisition {
    pub kind: AcquisitionKind,
    pub span: Span,
    pub length: Option<Spanned<Length>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Bilateral,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Bilateral => "bilateral",
        }
    }
}

/// A body region as written, with the `request.body_region` name it maps
/// to when one fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    /// The part in canonical words ("knee", "lumbar spine", "wrist/hand").
    pub part: String,
    pub side: Option<Side>,
    /// A name from the allowed list of `request.body_region`, if one fits.
    pub name: Option<String>,
    pub span: Span,
}

/// A vertebra ("L5": region letter and number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vertebra {
    pub letter: char,
    pub number: u8,
}

impl std::fmt::Display for Vertebra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.letter, self.number)
    }
}

/// One spinal level: a vertebra ("L4") or a segment ("L4-5" = L4 to L5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    pub upper: Vertebra,
    pub lower: Option<Vertebra>,
    pub span: Span,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.lower {
            Some(l) => write!(f, "{}-{}", self.upper, l),
            None => write!(f, "{}", self.upper),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// HCPCS Level II: a letter and four digits (E0730).
    Hcpcs,
    /// CPT: five digits, or four digits and F or T (category II / III).
    /// Numbers only: descriptions are licensed and never shipped.
    Cpt,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Code {
    pub kind: CodeKind,
    pub code: String,
    pub span: Span,
}

/// A calendar date as written (two-digit years are 20YY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Everything read from one request line.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Reading {
    pub line: String,
    pub treatment: Option<Treatment>,
    pub quantity: Option<Quantity>,
    pub strength: Vec<Component>,
    pub form: Option<Spanned<Form>>,
    pub directions: Option<Directions>,
    pub refills: Option<Spanned<Amount>>,
    pub days_supply: Option<Spanned<Length>>,
    pub per_week: Option<Spanned<Amount>>,
    /// How long (weeks of therapy, of home care, of a trial).
    pub duration: Option<Spanned<Length>>,
    pub hours_per_day: Option<Spanned<Amount>>,
    pub hours_per_week: Option<Spanned<Amount>>,
    pub days_per_week: Option<Spanned<Amount>>,
    pub acquisition: Option<Acquisition>,
    pub regions: Vec<Region>,
    /// A side written with no body part after it ("Right L5 ...").
    pub side: Option<Spanned<Side>>,
    pub levels: Vec<Level>,
    pub retrospective: Option<Span>,
    pub date_of_service: Option<Spanned<Date>>,
    /// Dates not marked as the date of service.
    pub dates: Vec<Spanned<Date>>,
    pub post_op: Option<Span>,
    pub pre_op: Option<Span>,
    pub codes: Vec<Code>,
    /// ICD-10-CM diagnosis codes, upper case, as written (dot or not);
    /// checked against the code sets by `mtus_codes`, not here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnosis_codes: Vec<Spanned<String>>,
    pub problems: Vec<Problem>,
}

impl Reading {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.severity() == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.severity() == Severity::Warning)
    }
    /// A line per value, for reading by a person (and for snapshots).
    /// With `spans` false the spans are left out, so two readings of
    /// different lines with the same values give the same text.
    pub fn summary(&self, spans: bool) -> String {
        summary::summary(self, spans)
    }
}
