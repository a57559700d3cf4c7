//! `mtus lint`: warnings about rules that check but are probably not what
//! their author meant.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Format;
use super::check::RulesJson;
use super::common::{Ctx, RulesLocation, flush};
use super::files;
use mtus::RuleSet;
use mtus::diag::{Diagnostic, FileId, Severity};
use mtus::facts;
use mtus::lint::{self, LINTS, Options};
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, loc: &RulesLocation, args: &LintArgs) -> Result<ExitCode> {
    let rules_dir = loc.dir.as_deref();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // The rule files, as (name, text).
    let mut texts: Vec<(String, String)> = Vec::new();
    let from_disk = if !args.paths.is_empty() {
        Some(args.paths.clone())
    } else {
        rules_dir.map(|d| vec![d.to_path_buf()])
    };
    match from_disk {
        Some(paths) => {
            for input in files::expand(&paths, &["mtus"]) {
                let read = input.and_then(|p| {
                    if p.as_os_str() == "-" {
                        return Err(mtus::inputs::InputError {
                            path: p,
                            code: "unreadable",
                            message: "`lint` reads rule files, not standard input (`-`)".into(),
                            help: Some("give the rule files or their folder".into()),
                        });
                    }
                    files::read_text(&p, ctx.limits.max_file_bytes).map(|t| (p.display().to_string(), t))
                });
                match read {
                    Ok(nt) => texts.push(nt),
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
        let case_paths = if args.no_cases {
            None
        } else if !args.cases.is_empty() {
            Some(args.cases.clone())
        } else {
            // The cases beside the rules in use, else cases/ here.
            let beside = super::common::default_cases(rules_dir.and_then(|d| d.to_str()));
            beside.is_dir().then(|| vec![beside])
        };
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
    match args.format {
        Format::Text => {
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
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct LintJson {
                version: u32,
                rules: RulesJson,
                errors: usize,
                warnings: usize,
                diagnostics: Vec<diagnostics::DiagnosticJson>,
                #[serde(skip_serializing_if = "Option::is_none")]
                low: Option<Vec<lint::confidence::LowItem>>,
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
                diagnostics: diags.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect(),
                low,
            };
            let mut out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            flush(&mut out)?;
        }
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
