//! The integration tests, in one binary (one module per area): one link
//! instead of one per file. Each module drives the library or the real
//! `mtus` binary the way a user would; `common` holds the shared helpers.
//! Run one area with `cargo test --test it audit::`.

mod audit;
mod audit_letters;
mod audit_scale;
mod bad_cases;
mod bad_input;
mod bad_rules;
mod builtin;
mod case_schema;
mod case_traces;
mod cases_agree;
mod casetest;
mod catalogue;
mod check_colour;
mod common;
mod confidence;
mod current_regime;
mod doc;
mod docs_examples;
mod editor_grammar;
mod eval_errors;
mod explain;
mod explain_cli;
mod extremes;
mod facts_contract;
mod fmt;
mod formulary;
mod formulary_cli;
mod heldout;
mod help_texts;
mod hostile;
mod ingest;
mod linear;
mod lint_annotations;
mod lint_cli;
mod lint_explain;
mod lint_fix;
mod lint_fixtures;
mod lsp;
mod new_case;
mod real_cases;
mod reference;
mod request_line;
mod rule_location;
mod seed;
mod serve_api;
mod serve_hardening;
mod shipped_rules_hygiene;
mod to_pass;
mod treatment_coverage;
mod vocabulary;
mod vscode;
mod watch;
mod yaml_fast;
