//! The untyped syntax tree of rule files. Every node has a [`Span`].
//!
//! Nothing here is resolved: names are strings, fact paths are segments,
//! units are identifiers. The check stage gives them meaning.

use crate::diag::Span;
use crate::value::Date;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DateLit {
    pub date: Date,
    pub span: Span,
}

/// One parsed rule file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleFile {
    pub items: Vec<Item>,
    /// The names of the rules whose text did not parse (their syntax error
    /// is reported): the rule exists, so a `supplements` naming it is not
    /// an unknown rule as well.
    pub broken_rules: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Source(SourceDecl),
    Fact(FactDecl),
    Extend(ExtendDecl),
    Class(ClassDecl),
    Treatment(TreatmentDecl),
    Const(ConstDecl),
    Rule(RuleDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Source(x) => x.span,
            Item::Fact(x) => x.span,
            Item::Extend(x) => x.span,
            Item::Class(x) => x.span,
            Item::Treatment(x) => x.span,
            Item::Const(x) => x.span,
            Item::Rule(x) => x.span,
        }
    }
}

/// `source MTUS-CPMTG "title" tier mtus effective 2009-07-18 until 2017-12-01`
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDecl {
    pub id: Ident,
    pub title: Str,
    pub tier: Option<Ident>,
    pub effective: Option<Effective>,
    pub span: Span,
}

/// `effective FROM [until UNTIL]`; `until` is exclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    pub from: DateLit,
    pub until: Option<DateLit>,
    pub span: Span,
}

/// `fact exam.muscle_spasm: bool "description"`
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    pub path: Ident,
    pub ty: TypeExpr,
    /// `of [a, b]`: the closed set of symbols the fact may hold.
    pub of: Option<SetList>,
    /// `in visit`: the unit dimension a quantity must have.
    pub unit: Option<Ident>,
    /// `range 0..21`: inclusive bounds on a numeric fact.
    pub range: Option<RangeDecl>,
    pub description: Str,
    pub span: Span,
}

/// `range LOW..HIGH`, each bound a number with an optional unit.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeDecl {
    pub min: Bound,
    pub max: Bound,
    pub span: Span,
}

/// One end of a range: `0`, `20 year`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub unit: Option<Ident>,
    pub span: Span,
}

/// `extend fact diagnoses.tags with [spinal_cord_injury]`
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendDecl {
    pub path: Ident,
    pub with: SetList,
    pub span: Span,
}

/// Which amount of a request a units clause constrains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitsOf {
    /// `quantity in visit`: `request.quantity`
    Quantity,
    /// `strength in percent`: `request.strength`
    Strength,
}

/// `quantity in visit, day`: the units a request's amount may be written in.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitsDecl {
    pub of: UnitsOf,
    pub units: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    /// `list<name>`
    pub list: bool,
    pub span: Span,
}

/// `class muscle_relaxant "Muscle relaxants"`
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    pub name: Ident,
    pub title: Str,
    /// Units its members' requests may use (members may override).
    pub units: Vec<UnitsDecl>,
    pub span: Span,
}

/// `treatment cyclobenzaprine "Cyclobenzaprine" class muscle_relaxant aka "Flexeril"`
#[derive(Clone, Debug, PartialEq)]
pub struct TreatmentDecl {
    pub name: Ident,
    pub title: Str,
    pub classes: Vec<Ident>,
    /// Units its requests may use; overrides its classes' per amount.
    pub units: Vec<UnitsDecl>,
    pub aka: Vec<Str>,
    pub span: Span,
}

/// `const massage_visit_cap = 6 visit "description"`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub value: Expr,
    pub description: Option<Str>,
    pub confidence: Option<ConfidenceDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    pub title: Str,
    pub cites: Vec<Cite>,
    pub applies: Vec<Ident>,
    pub effective: Vec<Effective>,
    pub supplements: Vec<Ident>,
    /// The default confidence of the rule's criteria.
    pub confidence: Option<ConfidenceDecl>,
    pub criteria: Vec<CriterionDecl>,
    pub span: Span,
}

/// `cites MTUS-CPMTG "Muscle relaxants (for pain)" pp. 63-66`
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    pub source: Ident,
    pub section: Str,
    pub pages: Option<Pages>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pages {
    /// `p. 60`, `pp. 63-66, 41-42`: as written, spaced canonically.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionKind {
    /// The condition must hold.
    Require,
    /// The treatment is not recommended when the condition holds.
    Exclude,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CriterionDecl {
    pub kind: CriterionKind,
    pub name: Ident,
    pub description: Str,
    pub cites: Option<Cite>,
    pub confidence: Option<ConfidenceDecl>,
    /// Absent only for an unconditional `exclude`.
    pub expr: Option<Expr>,
    pub span: Span,
}

/// How sure the criteria catalog is of what a line encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    High,
    Low,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Low => "low",
        }
    }
}

/// `confidence low OPI-9, OPI-10`: the level and the criteria catalog IDs
/// it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfidenceDecl {
    pub level: Level,
    pub ids: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AddOp {
    Add,
    Sub,
}

/// A set of symbols: `[a, b, c]`, or the name of a `const` set or a class.
#[derive(Clone, Debug, PartialEq)]
pub enum SetExpr {
    List(SetList),
    Named(Ident),
}

impl SetExpr {
    pub fn span(&self) -> Span {
        match self {
            SetExpr::List(l) => l.span,
            SetExpr::Named(n) => n.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetList {
    pub items: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Number(f64),
    /// `6 visit`: the unit is checked later.
    Quantity(f64, Ident),
    Date(Date),
    Str(String),
    /// `exam.muscle_spasm`, `prior.visits`
    Path(Vec<Ident>),
    /// A bare name: a constant, or a symbol such as `chronic`.
    Name(Ident),
    /// A set literal (only as a `const` value).
    Set(SetList),
    Paren(Box<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    When {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Option<Box<Expr>>,
    },
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `a + b - c`, kept flat.
    Sum(Box<Expr>, Vec<(AddOp, Expr)>),
    /// `x is documented` / `x is not documented`
    Documented {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `x in [a, b]`
    In(Box<Expr>, SetExpr),
    /// `list contains x`
    Contains(Box<Expr>, Box<Expr>),
    /// `list contains any of [a, b]`
    ContainsAny(Box<Expr>, SetExpr),
    /// `list contains all of [a, b]`
    ContainsAll(Box<Expr>, SetExpr),
}
