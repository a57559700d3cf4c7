//! `mtus audit`: re-run past determinations and compare.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Format;
use super::common::{Ctx, exit, flush, read_case};
use mtus::RuleSet;
use mtus::audit::{self, AuditRow, Totals};
use mtus::diag::Diagnostic;
use mtus::eval::{self, Machine};
use mtus::report::{self, diagnostics};

pub fn run(ctx: &mut Ctx, rules: &RuleSet, paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let mut machine = Machine::new();
    let mut rows: Vec<AuditRow> = Vec::new();
    let mut disagreements: Vec<report::RequestReport> = Vec::new();
    let mut disagreement_cases: Vec<(String, String)> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut totals = Totals::default();
    for input in audit::expand_inputs(paths) {
        totals.inputs += 1;
        let path = match input {
            Ok(p) => p,
            Err((p, why)) => {
                errors.push(diagnostics::unreadable(&p.display().to_string(), &why));
                totals.errors += 1;
                continue;
            }
        };
        match read_case(&mut ctx.sources, rules, &path) {
            Err(d) => {
                errors.push(d);
                totals.errors += 1;
            }
            Ok(case) => {
                totals.cases += 1;
                let decisions = eval::decide_case(rules, &mut machine, &case);
                let r = report::case_report(
                    rules,
                    &mut machine,
                    &path.display().to_string(),
                    &case,
                    &decisions,
                    false,
                );
                for q in &r.requests {
                    let row = AuditRow::from_report(&r, q);
                    totals.add_row(&row);
                    if row.agrees == Some(false) {
                        disagreements.push(q.clone());
                        disagreement_cases.push((r.case.clone(), r.file.clone()));
                    }
                    rows.push(row);
                }
            }
        }
    }
    let mut out = String::new();
    match format {
        Format::Text => {
            audit::render_text(&rows, &totals, &mut out);
            if !disagreements.is_empty() {
                out.push_str("\ndisagreements:\n");
                for (q, (case, file)) in disagreements.iter().zip(&disagreement_cases) {
                    out.push_str(&format!("\ncase {case} ({file})\n"));
                    report::render_request_text(q, &mut out);
                }
            }
            flush(&mut out)?;
            ctx.print_diagnostics(&errors);
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct AuditJson<'a> {
                version: u32,
                requests: &'a [AuditRow],
                totals: &'a Totals,
                agreement: Option<f64>,
                disagreements: &'a [report::RequestReport],
                errors: Vec<diagnostics::DiagnosticJson>,
            }
            let doc = AuditJson {
                version: report::JSON_VERSION,
                requests: &rows,
                totals: &totals,
                agreement: totals.agreement(),
                disagreements: &disagreements,
                errors: errors.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect(),
            };
            out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            flush(&mut out)?;
        }
    }
    Ok(exit(totals.errors == 0 && totals.undecided == 0))
}
