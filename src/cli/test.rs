//! `mtus test`: run case files as tests of the rules, optionally with
//! coverage.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::common::{Ctx, exit, flush, read_case_source};
use super::files;
use super::lint::ReportFormat;
use mtus::RuleSet;
use mtus::casetest::{CaseResult, CaseStatus, Coverage, Summary, check_case, failure_diagnostic};
use mtus::diag::Diagnostic;
use mtus::eval::Machine;
use mtus::report::diagnostics;

#[derive(clap::Args)]
pub struct TestArgs {
    /// Case files or folders of case files (*.yaml, *.yml, *.json,
    /// searched recursively). Default: cases/
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also print, per rule and criterion, how many requests saw it met,
    /// not met and not documented, and the criteria no case decides.
    #[arg(long)]
    pub coverage: bool,
    /// Output: text, JSON, SARIF 2.1.0 or GitHub Actions annotations (a
    /// failure is located at the case file's `outcome:`/`because:` value).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &TestArgs) -> Result<ExitCode> {
    let (paths, coverage, format) = (&args.paths[..], args.coverage, args.format);
    // The cases beside the rules in use when they were found or named.
    let default = [super::common::default_cases(rules.origin.path.as_deref())];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut machine = Machine::new();
    let mut summary = Summary::default();
    let mut cover = Coverage::new(rules);
    let mut results: Vec<CaseResult> = Vec::new();
    let mut all_diags: Vec<Diagnostic> = Vec::new();
    let mut out = String::new();
    let text = format == ReportFormat::Text;
    if coverage && matches!(format, ReportFormat::Sarif | ReportFormat::Github) {
        anyhow::bail!("--coverage is shown in text and JSON only");
    }
    if text {
        out.push_str(&format!("rules: {}\n", rules.origin.describe()));
    }
    for input in files::expand(paths, super::check::CASE_FILES) {
        let (path, loaded) = match input {
            Ok(p) => {
                let c = read_case_source(&mut ctx.sources, rules, &p, &ctx.limits);
                (p, c)
            }
            Err(e) => {
                let d = files::diagnostic(&e);
                (e.path, Err(vec![d]))
            }
        };
        let name = path.display().to_string();
        let shown = mtus::report::escape_terminal(&name);
        let (case, source) = match loaded {
            Ok(c) => c,
            Err(ds) => {
                let r = CaseResult::error(&name);
                summary.add(&r);
                results.push(r);
                if text {
                    out.push_str(&format!("test {shown} ... ERROR\n"));
                    flush(&mut out)?;
                    ctx.print_diagnostics(&ds);
                }
                all_diags.extend(ds);
                continue;
            }
        };
        let (result, decisions) = check_case(rules, &mut machine, &name, &case);
        cover.add(&decisions);
        summary.add(&result);
        let mut diags = Vec::new();
        if result.status == CaseStatus::Failed {
            let id = ctx.sources.add(name.as_str(), source.text);
            for c in &result.decisions {
                if let Some(f) = &c.failure {
                    diags.push(failure_diagnostic(&ctx.sources, id, &c.request, f));
                }
            }
        }
        if text {
            let verdict = match result.status {
                CaseStatus::Passed => "ok",
                CaseStatus::Failed => "FAILED",
                CaseStatus::Skipped => "skipped (no determination)",
                CaseStatus::Error => "ERROR",
            };
            out.push_str(&format!("test {shown} ... {verdict}\n"));
            flush(&mut out)?;
            ctx.print_diagnostics(&diags);
        }
        all_diags.extend(diags);
        results.push(result);
    }
    match format {
        ReportFormat::Sarif | ReportFormat::Github => {
            let cwd = std::env::current_dir().ok();
            out = if format == ReportFormat::Sarif {
                let log = mtus::lint::annotate::sarif(
                    &ctx.sources,
                    &all_diags,
                    &mtus::lint::annotate::test_rules(),
                    cwd.as_deref(),
                );
                serde_json::to_string_pretty(&log)? + "\n"
            } else {
                mtus::lint::annotate::github(&ctx.sources, &all_diags, cwd.as_deref())
            };
            flush(&mut out)?;
            say!("{}", summary.line());
        }
        ReportFormat::Text => {
            out.push_str(&format!("\n{}\n", summary.line()));
            if coverage {
                out.push('\n');
                cover.render_text(rules, &ctx.sources, &mut out);
            }
            flush(&mut out)?;
        }
        ReportFormat::Json => {
            #[derive(serde::Serialize)]
            struct Never {
                rule: String,
                criterion: String,
                file: String,
                line: usize,
                column: usize,
            }
            #[derive(serde::Serialize)]
            struct TestJson<'a> {
                version: u32,
                rules: super::check::RulesJson,
                cases: &'a [CaseResult],
                summary: Summary,
                diagnostics: Vec<diagnostics::DiagnosticJson>,
                #[serde(skip_serializing_if = "Option::is_none")]
                coverage: Option<&'a Coverage>,
                #[serde(skip_serializing_if = "Option::is_none")]
                never_deciding: Option<Vec<Never>>,
            }
            let never = coverage.then(|| {
                cover
                    .never_deciding()
                    .into_iter()
                    .filter_map(|(r, ci)| {
                        let rule = rules.program.rule(r);
                        let c = rule.criteria.get(ci)?;
                        let pos = ctx.sources.position(c.span);
                        Some(Never {
                            rule: rule.name.clone(),
                            criterion: c.name.clone(),
                            file: pos.file,
                            line: pos.line,
                            column: pos.column,
                        })
                    })
                    .collect()
            });
            let doc = TestJson {
                version: mtus::report::JSON_VERSION,
                rules: super::check::RulesJson::new(rules),
                cases: &results,
                summary,
                diagnostics: all_diags
                    .iter()
                    .map(|d| diagnostics::to_json(&ctx.sources, d))
                    .collect(),
                coverage: coverage.then_some(&cover),
                never_deciding: never,
            };
            out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            flush(&mut out)?;
        }
    }
    Ok(exit(summary.ok()))
}
