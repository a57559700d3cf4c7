//! The `mtus` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use mtus::audit::{self, AuditRow, Totals};
use mtus::diag::{Diagnostic, SourceMap};
use mtus::eval::{self, Machine};
use mtus::report::{self, CaseReport, diagnostics};
use mtus::{RuleErrors, RuleSet, facts};

const EXIT_HELP: &str = "\
Exit status:
  0  every input was read and every request decided, whatever the outcomes
  1  an input could not be read or checked (a bad case or rule file, a
     request with no rule in force)
  2  the command line was wrong";

#[derive(Parser)]
#[command(
    name = "mtus",
    version,
    about = "Re-evaluate California workers' compensation treatment requests against MTUS guideline criteria.",
    after_help = EXIT_HELP
)]
struct Cli {
    /// Use the rule files (*.mtus) in this folder instead of the rules
    /// built into mtus.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,

    /// Colour in diagnostics: auto (only on a terminal), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Decide every request of case files: outcome, the rule and citation
    /// that decided it, every criterion with the facts it saw, and what
    /// would have to be documented or changed to pass.
    #[command(after_help = EXIT_HELP)]
    Check {
        /// Case files (YAML).
        #[arg(required = true, value_name = "CASE")]
        cases: Vec<PathBuf>,
        /// Output format. JSON is documented in docs/json.md.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Re-run past determinations: predicted against recorded outcome for
    /// every request, then agreement totals and each disagreement's trace.
    #[command(after_help = EXIT_HELP)]
    Audit {
        /// Case files or folders of case files (*.yaml, *.yml, searched
        /// recursively).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

struct Ctx {
    sources: SourceMap,
    color: bool,
}

impl Ctx {
    fn print_diagnostics(&self, diags: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for d in diags {
            let _ = err.write_all(diagnostics::render(&self.sources, d, self.color).as_bytes());
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut ctx = Ctx {
        sources: SourceMap::new(),
        color,
    };
    let rules = match load_rules(&mut ctx.sources, cli.rules.as_deref()) {
        Ok(r) => r,
        Err(LoadRulesError::Rules(e)) => {
            ctx.print_diagnostics(&e.diagnostics);
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("error: the rule files have {n} error(s); nothing was evaluated");
            return Ok(ExitCode::from(1));
        }
        Err(LoadRulesError::Io(e)) => return Err(e),
    };
    match cli.command {
        Command::Check { cases, format } => check(&mut ctx, &rules, &cases, format),
        Command::Audit { paths, format } => audit_cmd(&mut ctx, &rules, &paths, format),
    }
}

enum LoadRulesError {
    Rules(RuleErrors),
    Io(anyhow::Error),
}

fn load_rules(sources: &mut SourceMap, dir: Option<&Path>) -> Result<RuleSet, LoadRulesError> {
    let Some(dir) = dir else {
        return RuleSet::embedded(sources).map_err(LoadRulesError::Rules);
    };
    let read = || -> Result<Vec<(String, String)>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the rules folder {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "mtus"))
            .collect();
        names.sort();
        if names.is_empty() {
            anyhow::bail!("the rules folder {} has no *.mtus files", dir.display());
        }
        names
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
                let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", p.display()))?;
                Ok((p.display().to_string(), text))
            })
            .collect()
    };
    let files = read().map_err(LoadRulesError::Io)?;
    RuleSet::from_texts(sources, files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(LoadRulesError::Rules)
}

/// Read and load one case file; on failure, a diagnostic with its place.
fn read_case(sources: &mut SourceMap, rules: &RuleSet, path: &Path) -> Result<facts::Case, Diagnostic> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| diagnostics::unreadable(&name, &io_reason(&e)))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let err = facts::CaseError {
                file: name,
                line,
                column,
                code: "not-text",
                message: "the file is not UTF-8 text".into(),
                help: Some("case files are YAML text; is this a binary file?".into()),
            };
            return Err(diagnostics::from_case_error(sources, &err, &lossy));
        }
    };
    facts::load_yaml(&rules.program, &name, &text).map_err(|e| diagnostics::from_case_error(sources, &e, &text))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn check(ctx: &mut Ctx, rules: &RuleSet, paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let mut machine = Machine::new();
    let mut reports: Vec<CaseReport> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut out = String::new();
    for path in paths {
        match read_case(&mut ctx.sources, rules, path) {
            Err(d) => {
                if format == Format::Text {
                    flush(&mut out)?;
                    ctx.print_diagnostics(std::slice::from_ref(&d));
                }
                errors.push(d);
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

fn audit_cmd(ctx: &mut Ctx, rules: &RuleSet, paths: &[PathBuf], format: Format) -> Result<ExitCode> {
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

fn flush(out: &mut String) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        // A closed pipe (`mtus audit ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the output"),
    }
    out.clear();
    Ok(())
}

fn exit(ok: bool) -> ExitCode {
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
