//! `mtus` re-evaluates California workers' compensation treatment requests
//! against the MTUS guideline criteria, and explains every conclusion.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! rules/*.mtus --syntax--> AST --check--> Program (typed, resolved)
//!              --compile--> flat predicates (facts resolved to slots)
//! case.yaml    --facts--> Case (values in slots)
//! eval(rules, case) --> Decision per request (outcome + criterion statuses)
//! report: text / JSON; audit: agreement with recorded determinations
//! ```
//!
//! ```no_run
//! let mut sources = mtus::diag::SourceMap::new();
//! let rules = mtus::RuleSet::embedded(&mut sources).expect("shipped rules check");
//! let text = std::fs::read_to_string("cases/seed-000.yaml").unwrap();
//! let case = mtus::facts::load_yaml(&rules.program, "seed-000.yaml", &text).unwrap();
//! let mut machine = mtus::eval::Machine::new();
//! for decision in mtus::eval::decide_case(&rules, &mut machine, &case) {
//!     println!("{:?}", decision.map(|d| d.outcome));
//! }
//! ```

pub mod audit;
pub mod casetest;
pub mod check;
pub mod compile;
pub mod diag;
pub mod eval;
pub mod facts;
pub mod format;
pub mod formulary;
pub mod generate;
pub mod inputs;
pub mod lint;
pub mod report;
pub mod serve;
pub mod syntax;
pub mod value;

use diag::{Diagnostic, SourceMap};

/// The rule files shipped in `rules/`, embedded at build time.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Checked rules and their compiled predicates: what evaluation needs.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub program: check::Program,
    pub compiled: compile::Compiled,
}

/// Rule files that did not check. The diagnostics refer to files in the
/// `SourceMap` the rules were loaded into.
#[derive(Clone, Debug, thiserror::Error)]
#[error("the rule files have {} error(s)", .diagnostics.iter().filter(|d| d.is_error()).count())]
pub struct RuleErrors {
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleSet {
    /// Parse, check and compile rule files given as (name, text). The texts
    /// are added to `sources`, so diagnostics can be rendered with excerpts.
    pub fn from_texts<'a>(
        sources: &mut SourceMap,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleSet, RuleErrors> {
        let mut parsed = Vec::new();
        let mut diagnostics = Vec::new();
        for (name, text) in files {
            let id = sources.add(name, text);
            let (file, diags) = syntax::parse_file(id, text);
            diagnostics.extend(diags);
            parsed.push(file);
        }
        let (program, diags) = check::check(sources, &parsed);
        diagnostics.extend(diags);
        match program {
            Some(program) if !diagnostics.iter().any(Diagnostic::is_error) => {
                let compiled = compile::compile(&program);
                Ok(RuleSet { program, compiled })
            }
            _ => Err(RuleErrors { diagnostics }),
        }
    }

    /// The rules shipped with this build.
    pub fn embedded(sources: &mut SourceMap) -> Result<RuleSet, RuleErrors> {
        RuleSet::from_texts(sources, embedded::FILES.iter().copied())
    }
}
