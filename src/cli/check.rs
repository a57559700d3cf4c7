//! `mtus check`: decide case files, for a person or as JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::Format;
use super::common::{Ctx, exit, flush, read_case_source};
use super::files;
use mtus::RuleSet;
use mtus::diag::Diagnostic;
use mtus::eval::{self, Machine};
use mtus::formulary::DrugLists;
use mtus::report::authorization::{self, PreSubmission};
use mtus::report::{self, CaseReport, diagnostics};

/// The case files `check` and `test` find in a folder.
pub const CASE_FILES: &[&str] = &["yaml", "yml", "json"];

/// How `check` reports and exits.
pub struct CheckOptions {
    pub format: Format,
    /// Exit 3 when any request is not medically necessary.
    pub deny_exit: bool,
    /// Outcome, decider and "to pass" only.
    pub brief: bool,
}

/// The width to wrap text to: the terminal's when standard output is one,
/// else `COLUMNS` if set, else `report::DEFAULT_WIDTH` (so piped output
/// and tests are the same everywhere).
pub fn output_width() -> usize {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout) {
            return usize::from(w).max(40);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(report::DEFAULT_WIDTH)
}

/// Select Graphic Rendition sequences for [`colour`].
mod sgr {
    pub const RED: &str = "\x1b[1;31m";
    pub const YELLOW: &str = "\x1b[1;33m";
    pub const GREEN: &str = "\x1b[32m";
    pub const BOLD_GREEN: &str = "\x1b[1;32m";
    pub const DIM: &str = "\x1b[2m";
    pub const RESET: &str = "\x1b[0m";
}

/// `check` text coloured for a terminal: criterion and finding statuses
/// (`[NOT MET]` and `[EXCLUDES]` red, `[not documented]` yellow, `[met]`
/// and `[does not exclude]` green, `[does not apply]` dim), the outcome (not medically necessary red, for
/// insufficient documentation yellow, medically necessary green; a
/// recorded outcome it DISAGREES with red), prior authorization and
/// errors. Applied to the wrapped text, so the layout is the plain
/// text's; only words the report itself writes at fixed places are
/// coloured (a status at a criterion's indent, the word after
/// `outcome:`), never text taken from the input.
pub fn colour(text: &str) -> String {
    use sgr::*;
    const TAGS: [(&str, &str); 6] = [
        ("[NOT MET]", RED),
        ("[EXCLUDES]", RED),
        ("[not documented]", YELLOW),
        ("[met]", GREEN),
        ("[does not exclude]", GREEN),
        ("[does not apply]", DIM),
    ];
    const MNN: &str = "NOT MEDICALLY NECESSARY";
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let paint = |out: &mut String, style: &str, word: &str| {
        out.push_str(style);
        out.push_str(word);
        out.push_str(RESET);
    };
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let (lead, body) = line.split_at(indent);
        out.push_str(lead);
        if indent == 4 {
            if let Some((tag, style)) = TAGS.iter().find(|(t, _)| body.starts_with(t)) {
                paint(&mut out, style, tag);
                out.push_str(&body[tag.len()..]);
                continue;
            }
        }
        if indent == 2 || indent == 4 {
            if let Some(rest) = body.strip_prefix("outcome: ") {
                // The verdict may wrap: read it on with the next line.
                let next = lines.get(i + 1).map_or("", |l| l.trim_start());
                let whole = format!("{} {next}", rest.trim_end());
                let style = if whole.starts_with(&format!("{MNN} (insufficient documentation)")) {
                    YELLOW
                } else if whole.starts_with(MNN) {
                    RED
                } else if whole.starts_with("MEDICALLY NECESSARY") {
                    BOLD_GREEN
                } else {
                    ""
                };
                let verdict_len = rest.find(" (predicts").unwrap_or(rest.trim_end().len());
                out.push_str("outcome: ");
                if style.is_empty() {
                    out.push_str(rest);
                } else {
                    let (verdict, tail) = rest.split_at(verdict_len);
                    paint(&mut out, style, verdict);
                    match tail.split_once("DISAGREES") {
                        Some((a, b)) => {
                            out.push_str(a);
                            paint(&mut out, RED, "DISAGREES");
                            out.push_str(b);
                        }
                        None => out.push_str(tail),
                    }
                }
                continue;
            }
            if let Some(rest) = body.strip_prefix("prior authorization: ") {
                out.push_str("prior authorization: ");
                let found = [("REQUIRED", YELLOW), ("UNDETERMINED", YELLOW), ("not required", GREEN)]
                    .into_iter()
                    .find(|(w, _)| rest.starts_with(w));
                match found {
                    Some((word, style)) => {
                        paint(&mut out, style, word);
                        out.push_str(&rest[word.len()..]);
                    }
                    None => out.push_str(rest),
                }
                continue;
            }
            if body.starts_with("error[") {
                paint(&mut out, RED, "error");
                out.push_str(&body["error".len()..]);
                continue;
            }
        }
        out.push_str(body);
    }
    out
}

/// The exit status `check --deny-exit` gives when every input was read
/// and some request is not medically necessary.
pub const EXIT_DENIED: u8 = 3;

pub use mtus::report::RulesJson;

pub fn run(
    ctx: &mut Ctx,
    rules: &RuleSet,
    paths: &[PathBuf],
    opts: &CheckOptions,
    lists: &DrugLists,
) -> Result<ExitCode> {
    let format = opts.format;
    let width = output_width();
    let mut machine = Machine::new();
    let mut reports: Vec<CaseReport> = Vec::new();
    let mut pre: Vec<Vec<PreSubmission>> = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut out = String::new();
    if format == Format::Text {
        out.push_str(&format!("rules: {}\n", rules.origin.describe()));
    }
    for input in files::expand(paths, CASE_FILES) {
        let loaded = match &input {
            Ok(path) => read_case_source(&mut ctx.sources, rules, path, &ctx.limits),
            Err(e) => Err(vec![files::diagnostic(e)]),
        };
        let path = match &input {
            Ok(p) => p.clone(),
            Err(e) => e.path.clone(),
        };
        match loaded {
            Err(ds) => {
                if format == Format::Text {
                    flush(&mut out)?;
                    ctx.print_diagnostics(&ds);
                }
                errors.extend(ds);
            }
            Ok((case, source)) => {
                let decisions = eval::decide_case(rules, &mut machine, &case);
                let mut r = report::case_report(
                    rules,
                    &mut machine,
                    &path.display().to_string(),
                    &case,
                    &decisions,
                    true,
                );
                report::locate_errors(&mut r, &case, &decisions, &source);
                let p = authorization::pre_submission(&rules.program, &case, lists, &r);
                if format == Format::Text {
                    let mut text = String::from("\n");
                    if opts.brief {
                        report::render_case_brief(&r, &p, &mut text);
                    } else {
                        authorization::render_case_text(&r, &p, &mut text);
                    }
                    let wrapped = report::wrap(&text, width);
                    out.push_str(&if ctx.color_out { colour(&wrapped) } else { wrapped });
                    flush(&mut out)?;
                }
                reports.push(r);
                pre.push(p);
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
        let doc = authorization::CheckJson {
            version: report::JSON_VERSION,
            cases: reports
                .iter()
                .zip(&pre)
                .map(|(r, p)| authorization::CaseJson::new(r, p))
                .collect(),
            errors: &errs,
            rules: Some(RulesJson::new(rules)),
        };
        out = serde_json::to_string_pretty(&doc)?;
        out.push('\n');
        flush(&mut out)?;
    }
    if format == Format::Text {
        flush(&mut out)?;
    }
    let ok = errors.is_empty() && undecided == 0;
    let denied = reports
        .iter()
        .flat_map(|c| &c.requests)
        .any(|r| r.outcome.is_some_and(|o| o != eval::Outcome::MedicallyNecessary));
    if ok && opts.deny_exit && denied {
        return Ok(ExitCode::from(EXIT_DENIED));
    }
    Ok(exit(ok))
}

/// The MTUS Drug List versions `check` uses: the `--drug-list` files if
/// any are given; else the `drug-list/*.csv` files beside `--rules DIR`,
/// if that folder exists; else the lists built into mtus. `None` (after
/// printing the diagnostics) when a file cannot be used.
pub fn load_drug_lists(ctx: &mut Ctx, rules_dir: Option<&Path>, files: &[PathBuf]) -> Result<Option<DrugLists>> {
    let mut paths: Vec<PathBuf> = files.to_vec();
    if paths.is_empty() {
        if let Some(dir) = rules_dir.map(|d| d.join("drug-list")).filter(|d| d.is_dir()) {
            paths = std::fs::read_dir(&dir)
                .with_context(|| format!("cannot read the drug list folder {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect();
            paths.sort();
        }
    }
    if paths.is_empty() {
        return Ok(match DrugLists::embedded() {
            Ok(l) => Some(l),
            Err(errors) => {
                let diags: Vec<Diagnostic> = errors.iter().map(|e| Diagnostic::bare(e.code, e.to_string())).collect();
                ctx.print_diagnostics(&diags);
                None
            }
        });
    }
    let mut texts = Vec::new();
    for p in &paths {
        // The same caps and checks as every other input: a FIFO or
        // /dev/zero named as a drug list is an error, never read unbounded.
        let text = match mtus::inputs::read_text_capped(p, ctx.limits.max_file_bytes) {
            Ok(t) => t,
            Err(e) => {
                ctx.print_diagnostics(&[files::diagnostic(&e)]);
                return Ok(None);
            }
        };
        texts.push((p.display().to_string(), text));
    }
    match DrugLists::from_texts(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
        Ok(l) => Ok(Some(l)),
        Err(errors) => {
            let mut diags = Vec::new();
            // Each file added to the source map once, not once per error
            // (a copy of the file and its line table for each of 40,000
            // bad rows made the errors cost the rows times the file).
            let mut ids: std::collections::HashMap<&str, mtus::diag::FileId> = std::collections::HashMap::new();
            for e in &errors {
                let id = *ids.entry(e.file.as_str()).or_insert_with(|| {
                    let text = texts.iter().find(|(n, _)| *n == e.file).map_or("", |(_, t)| t.as_str());
                    ctx.sources.add(e.file.clone(), text)
                });
                diags.push(e.diagnostic(id));
            }
            ctx.print_diagnostics(&diags);
            let n = diags.len();
            say!("error: the drug list has {n} error(s); nothing was checked");
            Ok(None)
        }
    }
}
