//! The facts the formulary and the RFA checks (`crate::formulary`) read
//! from a case, resolved from the schema by name once, into typed slots.
//!
//! The formulary is not a rule: it reads facts by their schema path, so a
//! fact renamed in the rules would otherwise read "not documented" without
//! a word. The checker resolves the table below against every schema and
//! reports a fact declared with the wrong type, and, in rules that declare
//! the formulary's own facts ([`MARKERS`]), a fact that is not declared.
//! Rules without any of them (a small clinical rule set) leave the
//! undeclared slots empty, which read as not documented.
//!
//! Invariants: every path the formulary reads is named here and nowhere
//! else; the reading code only goes through a [`Slot`].

use std::marker::PhantomData;

use thiserror::Error;

use super::model::{FactType, Schema, Scope};
use crate::diag::{Diagnostic, Span};
use crate::value::Dim;

/// Facts only the formulary and the RFA checks read: rules that declare
/// one of them are rules for the formulary, and must declare every fact
/// it reads.
pub const MARKERS: &[&str] = &[
    "request.administered",
    "request.compounded",
    "request.off_label",
    "request.off_label_recommended",
    "request.expedited",
    "request.equipment_value",
];

/// What a slot holds, as the formulary reads it.
pub trait Kind {
    /// The schema type the formulary reads it as, in words (`date`).
    const EXPECTED: &'static str;
    /// Whether a fact of this type can be read as this kind.
    fn accepts(ty: FactType, dim: Option<Dim>) -> bool;
}

/// A yes or no (`bool`).
pub struct Yes;
/// A date.
pub struct Day;
/// A duration, read in days.
pub struct Days;
/// A symbol, read by its name.
pub struct Name;
/// A number (`number` or `int`).
pub struct Amount;
/// A quantity with a unit, read only as documented or not.
pub struct Measure;
/// A list of symbols.
pub struct Names;

macro_rules! kind {
    ($k:ty, $expected:literal, |$ty:ident, $dim:ident| $accepts:expr) => {
        impl Kind for $k {
            const EXPECTED: &'static str = $expected;
            fn accepts($ty: FactType, $dim: Option<Dim>) -> bool {
                $accepts
            }
        }
    };
}

kind!(Yes, "bool", |ty, _dim| ty == FactType::Bool);
kind!(Day, "date", |ty, _dim| ty == FactType::Date);
kind!(Days, "duration", |ty, dim| ty == FactType::Duration
    || (ty == FactType::Quantity && dim == Some(Dim::Time)));
kind!(Name, "symbol", |ty, _dim| ty == FactType::Symbol);
kind!(Amount, "number", |ty, _dim| matches!(
    ty,
    FactType::Number | FactType::Int
));
kind!(Measure, "quantity", |ty, _dim| matches!(
    ty,
    FactType::Quantity | FactType::Duration
));
kind!(Names, "list<symbol>", |ty, _dim| ty == FactType::SymbolList);

/// Where one fact the formulary reads is kept in a case: its scope and
/// slot, or nothing when the rules do not declare it.
pub struct Slot<K> {
    pub(crate) at: Option<(Scope, u16)>,
    kind: PhantomData<K>,
}

impl<K> Slot<K> {
    fn new(at: Option<(Scope, u16)>) -> Slot<K> {
        Slot { at, kind: PhantomData }
    }
}

/// A fact the formulary reads that the rules do not give it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FormularyFactError {
    /// Rules for the formulary that do not declare a fact it reads.
    #[error("the formulary reads `{path}`, which these rules do not declare")]
    Missing {
        path: &'static str,
        expected: &'static str,
        /// The declaration that makes these rules the formulary's.
        marker: Span,
    },
    /// A fact the formulary reads, declared with another type.
    #[error("the formulary reads `{path}` as a {expected}, but it is declared as a {found}")]
    Mistyped {
        path: &'static str,
        expected: &'static str,
        found: &'static str,
        span: Span,
    },
}

impl FormularyFactError {
    /// The error as a rule diagnostic, at the declaration that causes it.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            FormularyFactError::Missing { path, expected, marker } => {
                Diagnostic::error("formulary-fact", *marker, self.to_string()).with_help(format!(
                    "this fact makes these rules the formulary's; declare `fact {path}: {expected} \"...\"`, the name the formulary and RFA checks read"
                ))
            }
            FormularyFactError::Mistyped { path, expected, span, .. } => {
                Diagnostic::error("formulary-fact", *span, self.to_string())
                    .with_help(format!("declare `{path}` as `{expected}`: the formulary and RFA checks read it so"))
            }
        }
    }
}

/// Every fact the formulary and the RFA checks read, by what it is.
pub struct FormularyFacts {
    pub injury_date: Slot<Day>,
    pub injury_first_visit: Slot<Day>,
    pub claim_network: Slot<Yes>,
    pub surgery_date: Slot<Day>,
    pub course_surgery_date: Slot<Day>,
    pub rfa_signed: Slot<Yes>,
    pub rfa_documentation_date: Slot<Day>,
    pub request_dispensed_by: Slot<Name>,
    pub request_brand_requested: Slot<Yes>,
    pub request_days_supply: Slot<Days>,
    pub request_compounded: Slot<Yes>,
    pub request_administered: Slot<Yes>,
    pub request_off_label: Slot<Yes>,
    pub request_off_label_recommended: Slot<Yes>,
    pub request_expedited: Slot<Yes>,
    pub request_equipment_value: Slot<Amount>,
    pub request_strength: Slot<Measure>,
    pub request_quantity: Slot<Measure>,
    pub request_duration: Slot<Days>,
    pub history_started: Slot<Day>,
    pub history_received: Slot<Yes>,
    pub medications_current: Slot<Names>,
}

struct Resolver<'a> {
    schema: &'a Schema,
    /// The first marker the rules declare, if any.
    marker: Option<Span>,
    errors: Vec<FormularyFactError>,
}

impl Resolver<'_> {
    fn slot<K: Kind>(&mut self, path: &'static str) -> Slot<K> {
        let Some(f) = self.schema.lookup(path) else {
            if let Some(marker) = self.marker {
                self.errors.push(FormularyFactError::Missing {
                    path,
                    expected: K::EXPECTED,
                    marker,
                });
            }
            return Slot::new(None);
        };
        if !K::accepts(f.ty, f.dim) {
            self.errors.push(FormularyFactError::Mistyped {
                path,
                expected: K::EXPECTED,
                found: f.ty.name(),
                span: f.span,
            });
            return Slot::new(None);
        }
        Slot::new(Some((f.scope, f.slot)))
    }
}

impl FormularyFacts {
    /// The slots of `schema`, and what is wrong with them; a slot in error
    /// is left empty (read as not documented).
    pub fn resolve(schema: &Schema) -> (FormularyFacts, Vec<FormularyFactError>) {
        let marker = MARKERS.iter().find_map(|m| schema.lookup(m)).map(|f| f.span);
        let mut r = Resolver {
            schema,
            marker,
            errors: Vec::new(),
        };
        let facts = FormularyFacts {
            injury_date: r.slot("injury.date"),
            injury_first_visit: r.slot("injury.first_visit"),
            claim_network: r.slot("claim.network"),
            surgery_date: r.slot("surgery.date"),
            course_surgery_date: r.slot("course.surgery_date"),
            rfa_signed: r.slot("rfa.signed"),
            rfa_documentation_date: r.slot("rfa.documentation_date"),
            request_dispensed_by: r.slot("request.dispensed_by"),
            request_brand_requested: r.slot("request.brand_requested"),
            request_days_supply: r.slot("request.days_supply"),
            request_compounded: r.slot("request.compounded"),
            request_administered: r.slot("request.administered"),
            request_off_label: r.slot("request.off_label"),
            request_off_label_recommended: r.slot("request.off_label_recommended"),
            request_expedited: r.slot("request.expedited"),
            request_equipment_value: r.slot("request.equipment_value"),
            request_strength: r.slot("request.strength"),
            request_quantity: r.slot("request.quantity"),
            request_duration: r.slot("request.duration"),
            history_started: r.slot("history.*.started"),
            history_received: r.slot("history.*.received"),
            medications_current: r.slot("medications.current"),
        };
        (facts, r.errors)
    }
}
