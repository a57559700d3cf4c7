//! `mtus test`: run case files as tests of the rules, optionally with
//! coverage.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::common::{Ctx, exit, flush, read_case_source};
use super::files;
use mtus::RuleSet;
use mtus::casetest::{CaseResult, CaseStatus, Coverage, Summary, check_case, failure_diagnostic, junit, selects};
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
    /// Output: text, JSON, SARIF 2.1.0, GitHub Actions annotations (a
    /// failure is located at the case file's `outcome:`/`because:` value)
    /// or JUnit XML (a testcase per case file, for CI test reports).
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Run again whenever a rule file or a case file given (or inside a
    /// folder given) changes, until stopped (Ctrl-C). Quiet unless
    /// --verbose.
    #[arg(long)]
    pub watch: bool,
    /// Text: print only the cases that fail (with their diagnostics) and
    /// the total, not a line per case. The default under --watch.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Text: a line per case, also under --watch.
    #[arg(short, long)]
    pub verbose: bool,
    /// Run only the cases whose id or file path matches PATTERN: a
    /// substring (`--run massage`), or a glob over the whole id or path
    /// when it holds `*`, `?` or `[` (`--run 'cases/2018-*'`; `*` also
    /// matches `/`). Case matters. Repeat to run the cases any pattern
    /// matches. Exit 1 when no case matches.
    #[arg(long = "run", value_name = "PATTERN")]
    pub run: Vec<String>,
}

/// The output formats of `test`: those of `lint`, and JUnit XML.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::...`).
    Github,
    /// JUnit XML, for CI test reports.
    Junit,
}

/// The paths `test` reads: those given, else the `cases/` folder beside
/// the rules in use (`rules_dir`).
pub fn paths_or_default(paths: &[PathBuf], rules_dir: Option<&std::path::Path>) -> Vec<PathBuf> {
    if paths.is_empty() {
        let dir = rules_dir.map(|d| d.display().to_string());
        vec![super::common::default_cases(dir.as_deref())]
    } else {
        paths.to_vec()
    }
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &TestArgs) -> Result<ExitCode> {
    let (paths, coverage, format) = (&args.paths[..], args.coverage, args.format);
    // The cases beside the rules in use when they were found or named.
    let paths = &paths_or_default(paths, rules.origin.path.as_deref().map(std::path::Path::new))[..];
    let quiet = args.quiet || (args.watch && !args.verbose);
    let selected = |name: &str| args.run.is_empty() || args.run.iter().any(|p| selects(p, name));
    let mut machine = Machine::new();
    let mut summary = Summary::default();
    let mut cover = Coverage::new(rules);
    let mut results: Vec<CaseResult> = Vec::new();
    // Each result's diagnostics, in the order of `results`.
    let mut case_diags: Vec<Vec<Diagnostic>> = Vec::new();
    let mut out = String::new();
    let text = format == TestFormat::Text;
    if coverage && !matches!(format, TestFormat::Text | TestFormat::Json) {
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
        let by_path = selected(&name);
        let shown = mtus::report::escape_terminal(&name);
        let (case, source) = match loaded {
            Ok(c) => c,
            // A file that does not load has no id to match: `--run`
            // selects it by its path only.
            Err(_) if !by_path => {
                summary.not_selected += 1;
                continue;
            }
            Err(ds) => {
                let r = CaseResult::error(&name);
                summary.add(&r);
                results.push(r);
                if text {
                    out.push_str(&format!("test {shown} ... ERROR\n"));
                    flush(&mut out)?;
                    ctx.print_diagnostics(&ds);
                }
                case_diags.push(ds);
                continue;
            }
        };
        if !by_path && !selected(&case.id) {
            summary.not_selected += 1;
            continue;
        }
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
            if !quiet || matches!(result.status, CaseStatus::Failed | CaseStatus::Error) {
                out.push_str(&format!("test {shown} ... {verdict}\n"));
                flush(&mut out)?;
            }
            ctx.print_diagnostics(&diags);
        }
        case_diags.push(diags);
        results.push(result);
    }
    let all_diags: Vec<Diagnostic> = case_diags.iter().flatten().cloned().collect();
    match format {
        TestFormat::Sarif | TestFormat::Github => {
            let cwd = std::env::current_dir().ok();
            out = if format == TestFormat::Sarif {
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
        TestFormat::Junit => {
            let cases: Vec<junit::JunitCase<'_>> = results
                .iter()
                .zip(&case_diags)
                .map(|(result, ds)| junit::JunitCase {
                    result,
                    diagnostics: ds.iter().map(|d| diagnostics::render(&ctx.sources, d, false)).collect(),
                })
                .collect();
            out = junit::render(&cases, &summary, &rules.origin.describe());
            flush(&mut out)?;
            say!("{}", summary.line());
        }
        TestFormat::Text => {
            out.push_str(&format!("\n{}\n", summary.line()));
            if coverage {
                out.push('\n');
                cover.render_text(rules, &ctx.sources, &mut out);
            }
            flush(&mut out)?;
        }
        TestFormat::Json => {
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
    if !args.run.is_empty() && results.is_empty() {
        let patterns: Vec<String> = args
            .run
            .iter()
            .map(|p| format!("`{}`", mtus::report::escape_terminal(p)))
            .collect();
        say!("error: no case matches --run {}", patterns.join(", "));
        say!(
            "help: a pattern selects the cases whose id or file path contains it, or, when it holds `*`, `?` or `[`, that it matches whole (case matters)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(exit(summary.ok()))
}
