//! `mtus check`: decide case files, for a person or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Format;
use super::common::{Ctx, exit, flush, read_case};
use mtus::RuleSet;
use mtus::diag::Diagnostic;
use mtus::eval::{self, Machine};
use mtus::report::{self, CaseReport, diagnostics};

pub fn run(ctx: &mut Ctx, rules: &RuleSet, paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let mut machine = Machine::new();
    let mut reports: Vec<CaseReport> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut out = String::new();
    for path in paths {
        match read_case(&mut ctx.sources, rules, path) {
            Err(ds) => {
                if format == Format::Text {
                    flush(&mut out)?;
                    ctx.print_diagnostics(&ds);
                }
                errors.extend(ds);
            }
            Ok(case) => {
                let decisions = eval::decide_case(rules, &mut machine, &case);
                let r = report::case_report(
                    rules,
                    &mut machine,
                    &path.display().to_string(),
                    &case,
                    &decisions,
                    true,
                );
                if format == Format::Text {
                    if !reports.is_empty() || !out.is_empty() {
                        out.push('\n');
                    }
                    report::render_case_text(&r, &mut out);
                    flush(&mut out)?;
                }
                reports.push(r);
            }
        }
    }
    let undecided = reports
        .iter()
        .flat_map(|c| &c.requests)
        .filter(|r| r.error.is_some())
        .count();
    if format == Format::Json {
        let errs: Vec<_> = errors.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect();
        let doc = report::CheckJson {
            version: report::JSON_VERSION,
            cases: &reports,
            errors: &errs,
        };
        out = serde_json::to_string_pretty(&doc)?;
        out.push('\n');
        flush(&mut out)?;
    }
    Ok(exit(errors.is_empty() && undecided == 0))
}
