//! `mtus schema`: a JSON Schema of case files, for editors.

use std::process::ExitCode;

use anyhow::Result;

use super::common::flush;
use mtus::RuleSet;

#[derive(clap::Args)]
pub struct SchemaArgs {}

pub fn run(rules: &RuleSet, _args: &SchemaArgs) -> Result<ExitCode> {
    let schema = mtus::schema_json::case_schema(&rules.program);
    let mut out = serde_json::to_string_pretty(&schema)?;
    out.push('\n');
    flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}
