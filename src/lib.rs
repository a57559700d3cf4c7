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

// The engine (rules, cases, evaluation) is its own crate with no IO;
// its modules are re-exported here so `mtus::eval`, `mtus::RuleSet` and
// the rest keep their paths.
pub use mtus_engine::*;

pub mod audit;
pub mod casetest;
// `unreachable_pub` is warned in the modules whose `pub` items were
// reviewed (issue 18).
#[warn(unreachable_pub)]
pub mod doc;
#[warn(unreachable_pub)]
pub mod format;
pub mod generate;
pub mod ingest;
pub mod inputs;
pub mod lint;
#[warn(unreachable_pub)]
pub mod lsp;
pub mod report;
pub mod request;
pub mod schema_json;
pub mod serve;
