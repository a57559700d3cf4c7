//! What is wrong or unclear in a line, each with the span of the part it
//! names, a one-sentence lowercase message and a help text.

use crate::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    #[error("no treatment is named in the line")]
    NoTreatment { span: Span },
    #[error("treatment '{phrase}' is not a known treatment")]
    UnknownTreatment { phrase: String, span: Span },
    #[error("treatment '{phrase}' is not known; it looks like a misspelling")]
    MisspeltTreatment {
        phrase: String,
        suggestions: Vec<String>,
        span: Span,
    },
    #[error("the frequency '{text}' has no duration")]
    FrequencyWithoutDuration { text: String, span: Span },
    #[error("the stated total {stated} disagrees with the {computed} the frequency implies")]
    TotalsDisagree {
        stated: String,
        computed: String,
        span: Span,
    },
    #[error("the unit '{unit}' does not fit the form {form}")]
    UnitDoesNotFitForm { unit: String, form: String, span: Span },
    #[error("'{text}' is not a well-formed {expected} code")]
    MalformedCode { text: String, expected: String, span: Span },
    #[error("the side '{side}' contradicts '{other}' for the {part}")]
    SideContradiction {
        side: String,
        other: String,
        part: String,
        span: Span,
    },
    #[error("the number '{text}' is ambiguous and was not taken")]
    AmbiguousNumber { text: String, span: Span },
    #[error("'{text}' is not a valid spinal level")]
    InvalidLevel { text: String, span: Span },
    #[error("'{text}' is not a valid date")]
    InvalidDate { text: String, span: Span },
}

impl Problem {
    pub fn span(&self) -> Span {
        match self {
            Problem::NoTreatment { span }
            | Problem::UnknownTreatment { span, .. }
            | Problem::MisspeltTreatment { span, .. }
            | Problem::FrequencyWithoutDuration { span, .. }
            | Problem::TotalsDisagree { span, .. }
            | Problem::UnitDoesNotFitForm { span, .. }
            | Problem::MalformedCode { span, .. }
            | Problem::SideContradiction { span, .. }
            | Problem::AmbiguousNumber { span, .. }
            | Problem::InvalidLevel { span, .. }
            | Problem::InvalidDate { span, .. } => *span,
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Problem::UnknownTreatment { .. }
            | Problem::FrequencyWithoutDuration { .. }
            | Problem::AmbiguousNumber { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// A short name of the kind ("totals_disagree").
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::NoTreatment { .. } => "no_treatment",
            Problem::UnknownTreatment { .. } => "unknown_treatment",
            Problem::MisspeltTreatment { .. } => "misspelt_treatment",
            Problem::FrequencyWithoutDuration { .. } => "frequency_without_duration",
            Problem::TotalsDisagree { .. } => "totals_disagree",
            Problem::UnitDoesNotFitForm { .. } => "unit_does_not_fit_form",
            Problem::MalformedCode { .. } => "malformed_code",
            Problem::SideContradiction { .. } => "side_contradiction",
            Problem::AmbiguousNumber { .. } => "ambiguous_number",
            Problem::InvalidLevel { .. } => "invalid_level",
            Problem::InvalidDate { .. } => "invalid_date",
        }
    }

    pub fn help(&self) -> String {
        match self {
            Problem::NoTreatment { .. } => "write the treatment first, e.g. 'Norco 10/325 mg #120'".into(),
            Problem::UnknownTreatment { .. } => {
                "no entry of the treatment vocabulary has this name; check the spelling or add it".into()
            }
            Problem::MisspeltTreatment { suggestions, .. } => {
                format!("did you mean {}?", quoted_list(suggestions))
            }
            Problem::FrequencyWithoutDuration { .. } => {
                "say for how long, e.g. 'for 6 weeks', or the total, e.g. '(12 visits)'".into()
            }
            Problem::TotalsDisagree { .. } => "make the stated total match the frequency times the duration".into(),
            Problem::UnitDoesNotFitForm { form, .. } => {
                format!("use a unit that a {form} is counted or measured in")
            }
            Problem::MalformedCode { expected, .. } => match expected.as_str() {
                "CPT" => "a CPT code is five digits (or four digits and F or T)".into(),
                _ => "a HCPCS Level II code is one letter (A-V) and four digits, e.g. E0730".into(),
            },
            Problem::SideContradiction { .. } => "name one side per body part, or 'bilateral'".into(),
            Problem::AmbiguousNumber { .. } => {
                "say what the number counts, e.g. '#60', '6 visits', 'for 6 weeks' or '600 mg'".into()
            }
            Problem::InvalidLevel { .. } => "levels run C1-C7, T1-T12, L1-L5 and S1-S5, e.g. 'L4-5'".into(),
            Problem::InvalidDate { .. } => "write the date as MM/DD/YYYY".into(),
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    match q.len() {
        0 => "another name".into(),
        1 => q[0].clone(),
        _ => format!("{} or {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}
