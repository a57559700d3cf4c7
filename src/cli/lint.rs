//! `mtus lint`: warnings about rules that check but are probably not what
//! their author meant.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::check::RulesJson;
use super::common::{Ctx, RulesLocation, flush};
use super::files;
use mtus::RuleSet;
use mtus::diag::{Diagnostic, FileId, Severity};
use mtus::facts;
use mtus::lint::{self, LINTS, Options, annotate};
use mtus::report::diagnostics;

#[derive(clap::Args)]
pub struct LintArgs {
    /// Rule files or folders of rule files (*.mtus), linted together as one
    /// set of rules. Default: the rules in use (--rules DIR, else the rules
    /// built into mtus).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Case files or folders for the `missing-case` lint. Default: cases/
    /// if there is one here.
    #[arg(long, value_name = "PATH")]
    pub cases: Vec<PathBuf>,
    /// Do not run the `missing-case` lint.
    #[arg(long, conflicts_with = "cases")]
    pub no_cases: bool,
    /// Do not run this lint (may be repeated).
    #[arg(long, short = 'A', value_name = "LINT",
          value_parser = clap::builder::PossibleValuesParser::new(LINTS.iter().map(|(n, _)| *n)))]
    pub allow: Vec<String>,
    /// Also list the LOW constants and criteria of each rule file (what a
    /// provisional decision can rest on).
    #[arg(long)]
    pub low: bool,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Apply the fixes of the lints that have a mechanical one
    /// (`unused-const`, `unused-allow`) to the rule files, then lint again
    /// and report what is left. A file whose fixed text would not check is
    /// left as it was.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: write nothing, print the changes as a unified diff
    /// (exit 1 if there are any).
    #[arg(long, visible_alias = "diff", requires = "fix")]
    pub dry_run: bool,
    /// Explain a lint code: what it finds, why it matters, an example and
    /// its fix. Without a code, list the codes.
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
    /// Output: text, JSON (docs/json.md), SARIF 2.1.0 (code scanning) or
    /// GitHub Actions annotations (workflow commands).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// The output formats of `lint` and `test`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=...::...`).
    Github,
}

/// `--explain [CODE]`.
fn explain(code: &str) -> Result<ExitCode> {
    if code.is_empty() {
        let mut out = lint::explain::list();
        flush(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(e) = lint::explain::find(code) {
        let mut out = e.render();
        flush(&mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let shown = mtus::report::escape_terminal(code);
    say!("error: `{shown}` is not a lint code");
    if let Some(s) = mtus::diag::did_you_mean(code, LINTS.iter().map(|(n, _)| *n)) {
        say!("help: did you mean `{s}`?");
    }
    say!(
        "the lint codes are: {}",
        LINTS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    );
    Ok(ExitCode::from(2))
}

/// A diagnostic's fix, in JSON.
#[derive(serde::Serialize)]
struct FixJson {
    message: String,
    edits: Vec<EditJson>,
}

#[derive(serde::Serialize)]
struct EditJson {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    replacement: String,
}

#[derive(serde::Serialize)]
struct DiagJson {
    #[serde(flatten)]
    diag: diagnostics::DiagnosticJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixJson>,
}

fn diag_json(sm: &mtus::diag::SourceMap, d: &Diagnostic) -> DiagJson {
    DiagJson {
        diag: diagnostics::to_json(sm, d),
        fix: d.fix.as_ref().map(|f| FixJson {
            message: f.message.clone(),
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let p = sm.position(e.span);
                    EditJson {
                        file: p.file,
                        line: p.line,
                        column: p.column,
                        end_line: p.end_line,
                        end_column: p.end_column,
                        replacement: e.replacement.clone(),
                    }
                })
                .collect(),
        }),
    }
}

/// A fix applied, for the JSON output.
#[derive(serde::Serialize)]
struct FixedJson {
    file: String,
    line: usize,
    column: usize,
    code: &'static str,
    fix: String,
}

/// `--fix`: fix `texts` (their files in `paths`), write them (or, with
/// `dry_run`, print the diff), and say what was done. Returns the fixes
/// applied; `texts` then hold what is on disk.
fn fix(
    texts: &mut [(String, String)],
    paths: &[PathBuf],
    cases: Option<&[(String, String)]>,
    args: &LintArgs,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Vec<FixedJson>>> {
    let Ok(files) = lint::fix::fix_files(texts, &args.allow, cases) else {
        // The rules do not check: the checker's errors are reported below.
        say!("note: the rules do not check, so nothing was fixed");
        return Ok(None);
    };
    let mut fixed = Vec::new();
    let mut diff = String::new();
    for (i, f) in files.iter().enumerate() {
        let shown = mtus::report::escape_terminal(&f.name).into_owned();
        if let Some(why) = &f.rejected {
            let mut d = Diagnostic::bare("fix-not-applied", format!("{} was left as it was: {why}", f.name))
                .with_help("fix it by hand (`mtus lint` shows the findings)");
            d.severity = Severity::Warning;
            diags.push(d);
        }
        if !f.changed() {
            continue;
        }
        if args.dry_run {
            diff.push_str(&lint::fix::unified_diff(f));
        } else {
            let Some(path) = paths.get(i) else { continue };
            if let Err(d) = super::fmt::write_in_place(path, &f.before, &f.after, "fixed") {
                diags.push(d);
                continue;
            }
            if let Some(t) = texts.get_mut(i) {
                t.1 = f.after.clone();
            }
        }
        for a in &f.applied {
            let verb = if args.dry_run { "would fix" } else { "fixed" };
            say!(
                "{verb} {shown}:{}:{}: [{}] {}: {}",
                a.line,
                a.column,
                a.code,
                a.finding,
                a.fix
            );
            fixed.push(FixedJson {
                file: f.name.clone(),
                line: a.line,
                column: a.column,
                code: a.code,
                fix: a.fix.clone(),
            });
        }
    }
    if args.dry_run {
        flush(&mut diff)?;
    }
    Ok(Some(fixed))
}

pub fn run(ctx: &mut Ctx, loc: &RulesLocation, args: &LintArgs) -> Result<ExitCode> {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let rules_dir = loc.dir.as_deref();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // The rule files, as (name, text), and where they are.
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let from_disk = if !args.paths.is_empty() {
        Some(args.paths.clone())
    } else {
        rules_dir.map(|d| vec![d.to_path_buf()])
    };
    match from_disk {
        Some(given) => {
            for input in files::expand(&given, &["mtus"]) {
                let read = input.and_then(|p| {
                    if p.as_os_str() == "-" {
                        return Err(mtus::inputs::InputError {
                            path: p,
                            code: "unreadable",
                            message: "`lint` reads rule files, not standard input (`-`)".into(),
                            help: Some("give the rule files or their folder".into()),
                        });
                    }
                    files::read_rule_text(&p, ctx.limits.max_file_bytes).map(|t| (p.display().to_string(), t, p))
                });
                match read {
                    Ok((n, t, p)) => {
                        texts.push((n, t));
                        paths.push(p);
                    }
                    Err(e) => diags.push(files::diagnostic(&e)),
                }
            }
        }
        None => texts.extend(
            mtus::embedded::FILES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        ),
    }
    if texts.is_empty() && diags.is_empty() {
        diags.push(Diagnostic::bare("no-rules", "no rule files (*.mtus) to lint"));
    }
    let case_paths = if args.no_cases {
        None
    } else if !args.cases.is_empty() {
        Some(args.cases.clone())
    } else {
        // The cases beside the rules in use, else cases/ here.
        let beside = super::common::default_cases(rules_dir.and_then(|d| d.to_str()));
        beside.is_dir().then(|| vec![beside])
    };
    let mut fixed = None;
    if args.fix && diags.is_empty() {
        if paths.len() == texts.len() && !texts.is_empty() {
            let cases = case_paths.as_deref().map(|p| case_texts(ctx, p));
            fixed = fix(&mut texts, &paths, cases.as_deref(), args, &mut diags)?;
        } else {
            diags.push(
                Diagnostic::bare(
                    "nothing-to-fix",
                    "`--fix` changes rule files; the rules built into mtus cannot be changed",
                )
                .with_help("give the rule files or their folder (a PATH, or --rules DIR)"),
            );
        }
        // With --diff, the diff is the output; rules that do not check
        // (nothing to diff) are reported as without it.
        if args.dry_run && fixed.is_some() {
            let n = fixed.as_ref().map_or(0, Vec::len);
            let bad = diags.len();
            ctx.print_diagnostics(&diags);
            if n == 0 {
                say!("nothing to fix");
            } else {
                say!("{n} finding(s) would be fixed; run without --dry-run to write the changes");
            }
            return Ok(if n == 0 && bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
    }
    let first = ctx.sources.files().count();
    let ids: Vec<FileId> = (first..first + texts.len()).map(|i| FileId(i as u32)).collect();
    // Rules that could not all be read are not checked: the errors would
    // be about what is missing.
    let rules = if diags.is_empty() {
        match RuleSet::from_texts(&mut ctx.sources, texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            Ok(rs) => Some(rs),
            Err(e) => {
                diags.extend(e.diagnostics);
                None
            }
        }
    } else {
        None
    };
    if let Some(rs) = &rules {
        let cases = case_paths.map(|paths| load_cases(ctx, rs, &paths, &mut diags));
        if cases.is_none() && !args.no_cases && !args.allow.iter().any(|a| a == "missing-case") {
            say!("note: no cases/ folder here, so `missing-case` did not run (give --cases PATH)");
        }
        let opts = Options {
            cases: cases.as_deref(),
            allow: &args.allow,
        };
        diags.extend(lint::lint(&ctx.sources, &ids, rs, &opts));
    }
    // The rule set linted, named like every other output names it.
    let origin = mtus::RuleOrigin {
        kind: if args.paths.is_empty() {
            loc.kind
        } else {
            mtus::RuleOriginKind::Files
        },
        path: if args.paths.is_empty() {
            rules_dir.map(|d| d.display().to_string())
        } else {
            None
        },
        hash: mtus::rules_hash(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
    };
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    let low = match (&rules, args.low) {
        (Some(rs), true) => Some(lint::confidence::low_items(&ctx.sources, &rs.program)),
        _ => None,
    };
    let cwd = std::env::current_dir().ok();
    match args.format {
        ReportFormat::Text => {
            if let Some(items) = &low {
                let mut out = String::new();
                lint::confidence::render_low(items, &mut out);
                flush(&mut out)?;
            }
            ctx.print_diagnostics(&diags);
            say!("rules: {}", origin.describe());
            if errors > 0 && rules.is_none() {
                say!("error: {errors} error(s); the rules were not linted");
            } else if errors > 0 {
                say!("error: {errors} error(s), {warnings} warning(s)");
            } else if warnings > 0 {
                say!("{warnings} warning(s)");
            } else {
                say!("no warnings");
            }
            if let Some(f) = &fixed {
                let files: std::collections::BTreeSet<&str> = f.iter().map(|x| x.file.as_str()).collect();
                say!("fixed {} finding(s) in {} file(s)", f.len(), files.len());
            }
        }
        ReportFormat::Sarif => {
            let log = annotate::sarif(&ctx.sources, &diags, &annotate::lint_rules(), cwd.as_deref());
            let mut out = serde_json::to_string_pretty(&log)?;
            out.push('\n');
            flush(&mut out)?;
        }
        ReportFormat::Github => {
            let mut out = annotate::github(&ctx.sources, &diags, cwd.as_deref());
            flush(&mut out)?;
        }
        ReportFormat::Json => {
            #[derive(serde::Serialize)]
            struct LintJson {
                version: u32,
                rules: RulesJson,
                errors: usize,
                warnings: usize,
                diagnostics: Vec<DiagJson>,
                #[serde(skip_serializing_if = "Option::is_none")]
                low: Option<Vec<lint::confidence::LowItem>>,
                #[serde(skip_serializing_if = "Option::is_none")]
                fixed: Option<Vec<FixedJson>>,
            }
            let doc = LintJson {
                version: mtus::report::JSON_VERSION,
                rules: RulesJson {
                    kind: match origin.kind {
                        mtus::RuleOriginKind::BuiltIn => "built-in",
                        mtus::RuleOriginKind::Folder => "folder",
                        mtus::RuleOriginKind::Found => "found",
                        mtus::RuleOriginKind::Files => "files",
                    },
                    path: origin.path.clone(),
                    sha256: origin.hash.clone(),
                    description: origin.describe(),
                },
                errors,
                warnings,
                diagnostics: diags.iter().map(|d| diag_json(&ctx.sources, d)).collect(),
                low,
                fixed,
            };
            let mut out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            flush(&mut out)?;
        }
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The case files for `missing-case`, as (name, text), for `--fix` (which
/// loads them against the rules as they are fixed). A file that cannot be
/// read is left out here; the lint after the fixes reports it.
fn case_texts(ctx: &Ctx, paths: &[PathBuf]) -> Vec<(String, String)> {
    files::expand(paths, super::check::CASE_FILES)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|p| p.as_os_str() != "-")
        .filter_map(|p| {
            let text = files::read_text(&p, ctx.limits.max_file_bytes).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

/// Load the cases for `missing-case`; one that does not load is a warning
/// (it is left out of the count), with its own message and place.
fn load_cases(ctx: &mut Ctx, rs: &RuleSet, paths: &[PathBuf], diags: &mut Vec<Diagnostic>) -> Vec<facts::Case> {
    let mut out = Vec::new();
    for input in files::expand(paths, super::check::CASE_FILES) {
        let path = match input {
            // A path given that cannot be read (missing, not a regular
            // file, a folder with no case) is an error: the lint would
            // run on fewer cases than asked.
            Ok(p) if p.as_os_str() == "-" => {
                diags.push(
                    Diagnostic::bare("unreadable", "`--cases` takes case files or folders, not `-`")
                        .with_help("give the case files or their folder"),
                );
                continue;
            }
            Ok(p) => p,
            Err(e) => {
                diags.push(files::diagnostic(&e));
                continue;
            }
        };
        match super::common::read_case(&mut ctx.sources, rs, &path, &ctx.limits) {
            Ok(c) => out.push(c),
            Err(ds) => {
                for mut d in ds {
                    d.severity = Severity::Warning;
                    d.code = "case-not-loaded";
                    d.message = format!(
                        "this case does not load, so `missing-case` leaves it out: {}",
                        d.message
                    );
                    diags.push(d);
                }
            }
        }
    }
    out
}
