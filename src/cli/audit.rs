//! `mtus audit`: re-run past determinations and compare, on all cores.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::common::{Ctx, exit};
use mtus::RuleSet;
use mtus::audit::run::Progress;
use mtus::audit::{self, AuditOptions, Format, Input};

/// Output formats of `mtus audit`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Per-request lines, the statistics, and each disagreement's trace.
    Text,
    /// One JSON document (docs/json.md).
    Json,
    /// One JSON object per line: every request (disagreements with their
    /// trace) and every error, then a summary line.
    Jsonl,
    /// One row per request or error.
    Csv,
    /// A Markdown report: statistics, errors and disagreements.
    Markdown,
}

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Case files (YAML, or JSON for *.json: one case per file), JSON
    /// Lines files (*.jsonl: one case per line), folders (searched
    /// recursively for *.yaml, *.yml, *.json and *.jsonl), or `-` for JSON
    /// Lines on standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format; JSON is documented in docs/json.md.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Also write the summary, a chart of agreement by treatment class and
    /// the disagreements with their traces as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Threads to decide cases on (default: one per core). The output is
    /// the same whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Disagreements shown with their full traces in text, JSON, Markdown
    /// and HTML (JSON Lines gives every one); the rest are counted.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_disagreements: usize,
    /// No progress bar (it shows only on a terminal, for a run longer
    /// than a second).
    #[arg(long)]
    pub no_progress: bool,
    /// An MTUS Drug List version as CSV (docs/formulary.md); repeat for
    /// several versions. With it, each request's row in CSV, JSON and JSON
    /// Lines also carries `prior_authorization` and `formulary_status`:
    /// the formulary's answer, joined to the outcome (an Exempt drug found
    /// not medically necessary needs prior authorization).
    #[arg(long = "drug-list", value_name = "FILE")]
    pub drug_list: Vec<PathBuf>,
    /// Totals only, without a row per request: the statistics and the
    /// totals by category, year, specialty and guideline cited (text,
    /// JSON, JSON Lines, Markdown; inputs that could not be read are still
    /// reported). Not with CSV, which is rows only.
    #[arg(long)]
    pub summary_only: bool,
    /// Only requests whose request date (the request's own `date`, not the
    /// decision's) is on or after DATE (YYYY-MM-DD). Every filter applies
    /// before any total; the report states the filters and counts what
    /// they left out.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<mtus::value::Date>,
    /// Only requests whose request date is on or before DATE (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<mtus::value::Date>,
    /// Only requests for this treatment: a canonical name or a brand name
    /// or spelling the catalog knows (Flexeril is cyclobenzaprine); repeat
    /// for several.
    #[arg(long, value_name = "NAME")]
    pub treatment: Vec<String>,
    /// Only requests whose treatment is in this class of the catalog
    /// (opioid, diagnostic, physical_medicine...: the categories the totals
    /// group by, and any other class of the treatment); repeat for several.
    #[arg(long = "class", value_name = "CLASS")]
    pub class: Vec<String>,
    /// Only requests where the engine's prediction and the recorded
    /// decision disagree.
    #[arg(long)]
    pub only_disagreements: bool,
}

/// A `--since` or `--until` date.
fn parse_date(s: &str) -> std::result::Result<mtus::value::Date, String> {
    mtus::value::Date::parse(s).ok_or_else(|| format!("`{s}` is not a date; write it as YYYY-MM-DD, like 2016-12-31"))
}

/// The filters given, resolved through the catalog: an unknown treatment
/// or class is an error naming the closest or listing the classes.
fn filter_of(rules: &RuleSet, args: &AuditArgs) -> std::result::Result<audit::filter::Filter, String> {
    let c = &rules.program.catalog;
    if let (Some(a), Some(b)) = (args.since, args.until) {
        if a > b {
            return Err(format!("--since {a} is after --until {b}; no request date can be both"));
        }
    }
    let mut treatments = Vec::new();
    for name in &args.treatment {
        let shown = mtus::report::escape_terminal(name);
        match c.resolve(name) {
            Some(t) if !treatments.contains(&t) => treatments.push(t),
            Some(_) => {}
            None => {
                return Err(match c.suggest(name) {
                    Some(s) => format!("--treatment `{shown}` is not a treatment of the catalog; did you mean {s}?"),
                    None => format!(
                        "--treatment `{shown}` is not a treatment of the catalog; `mtus doc` lists the treatments and their brand names"
                    ),
                });
            }
        }
    }
    let mut classes = Vec::new();
    for name in &args.class {
        match c.class_named(name) {
            Some(k) if !classes.contains(&k) => classes.push(k),
            Some(_) => {}
            None => {
                let mut names: Vec<&str> = c.classes.iter().map(|k| k.name.as_str()).collect();
                names.sort_unstable();
                let close = mtus::diag::did_you_mean(name, names.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "--class `{}` is not a class of the catalog{close}; the classes are {}",
                    mtus::report::escape_terminal(name),
                    names.join(", ")
                ));
            }
        }
    }
    Ok(audit::filter::Filter {
        since: args.since,
        until: args.until,
        treatments,
        classes,
        only_disagreements: args.only_disagreements,
    })
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &AuditArgs) -> Result<ExitCode> {
    if args.summary_only && args.format == AuditFormat::Csv {
        say!(
            "error: --summary-only has no CSV form: CSV is a row per request; use --format json or markdown for the totals"
        );
        return Ok(ExitCode::from(2));
    }
    let filter = match filter_of(rules, args) {
        Ok(f) => f,
        Err(e) => {
            say!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let inputs = audit::expand_inputs(&args.paths);
    // The HTML page is checked before the audit runs: not one of the
    // inputs, and somewhere a file can be written.
    let html = match &args.html {
        Some(path) => match HtmlOut::prepare(path, &inputs, &args.paths) {
            Ok(h) => Some(h),
            Err(e) => {
                say!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let lists = if args.drug_list.is_empty() {
        None
    } else {
        match super::check::load_drug_lists(ctx, None, &args.drug_list)? {
            Some(l) => Some(std::sync::Arc::new(l)),
            None => return Ok(ExitCode::from(1)),
        }
    };
    let total: Option<u64> = if inputs.contains(&Input::Stdin) {
        None
    } else {
        Some(inputs.iter().filter_map(Input::size).sum())
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("cannot start the worker threads")?;
    let opts = AuditOptions {
        format: match args.format {
            AuditFormat::Text => Format::Text,
            AuditFormat::Json => Format::Json,
            AuditFormat::Jsonl => Format::Jsonl,
            AuditFormat::Csv => Format::Csv,
            AuditFormat::Markdown => Format::Markdown,
        },
        max_disagreements: args.max_disagreements,
        color: ctx.color,
        limits: ctx.limits,
        // Only the HTML page shows the traces CSV and JSON Lines do not.
        keep_traces: html.is_some(),
        lists,
        filter: std::sync::Arc::new(filter),
        summary_only: args.summary_only,
        ..AuditOptions::default()
    };
    // The rule set in force: the first line of a text or Markdown report;
    // JSON and the JSON Lines summary have a `rules` field, the HTML page a
    // line under its title, CSV a `rules_sha256` column.
    let origin = rules.origin.describe();
    match args.format {
        AuditFormat::Text => {
            let mut line = format!("rules: {origin}\n\n");
            super::common::flush(&mut line)?;
        }
        AuditFormat::Markdown => {
            let mut line = format!("Rules: {origin}\n\n");
            super::common::flush(&mut line)?;
        }
        AuditFormat::Json | AuditFormat::Jsonl | AuditFormat::Csv => {}
    }
    let mut bar = Bar::new(!args.no_progress && std::io::stderr().is_terminal(), total);
    let mut out = std::io::stdout();
    let mut side = std::io::stderr();
    let result = pool.install(|| audit::audit(rules, inputs, &opts, &mut out, &mut side, &mut |p| bar.show(p)));
    bar.clear();
    // A closed standard output (`mtus audit ... | head`) is not an error:
    // the audit stops writing, goes on counting, and the exit status says
    // whether every input was good.
    let fin = result?;
    if let Some(html) = html {
        let title: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let title = format!("{} (rules: {origin})", title.join(", "));
        let page = audit::html::page(&fin, &title);
        html.write(&page)?;
    }
    Ok(exit(fin.ok()))
}

/// Where the HTML page goes: a temporary file beside it, made before the
/// audit runs (so a path that cannot be written fails at once), renamed
/// over it at the end. Dropped unwritten, it leaves nothing behind.
struct HtmlOut {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl HtmlOut {
    /// Check where the page goes, before the audit runs: refused when it
    /// is one of the inputs, inside a folder given as an input (an audit of
    /// the folder would read it back), a symlink (it would be written
    /// wherever the link points), anything but a regular file (a device, a
    /// FIFO), or the file standard output or standard error is
    /// redirected to (the report would be replaced by the page).
    fn prepare(path: &Path, inputs: &[Input], given: &[PathBuf]) -> Result<HtmlOut> {
        let shown = mtus::report::escape_terminal(&path.display().to_string()).into_owned();
        for input in inputs {
            let p = match input {
                Input::Yaml(p) | Input::Json(p) | Input::JsonLines(p) => p,
                Input::Stdin | Input::Missing(_) => continue,
            };
            if path == p || mtus::inputs::same_file(path, p) {
                bail!("--html {shown} is one of the audit's inputs; give another file for the page");
            }
        }
        let existing = std::fs::symlink_metadata(path).ok();
        if existing.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
            bail!("--html {shown} is a symlink; give the path of a regular file, not of a link to one");
        }
        if let Some(m) = &existing {
            if m.is_dir() {
                bail!("--html {shown} is a folder; give a file for the page");
            }
            if !m.is_file() {
                bail!("--html {shown} is not a regular file; give a file for the page");
            }
            if m.permissions().readonly() {
                bail!("--html {shown} is read-only");
            }
            if let Some(stream) = standard_stream_of(m) {
                bail!("--html {shown} is where standard {stream} goes; give another file for the page");
            }
        }
        // The folder it goes in, resolved (the page itself is not a link).
        let parent = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = std::fs::canonicalize(&parent)
            .map_err(|e| anyhow::anyhow!("cannot write --html {shown}: {}", mtus::inputs::reason(&e)))?;
        for folder in given.iter().filter(|g| g.is_dir()) {
            if let Ok(f) = std::fs::canonicalize(folder) {
                if dir.starts_with(&f) {
                    let folder = mtus::report::escape_terminal(&folder.display().to_string()).into_owned();
                    bail!(
                        "--html {shown} is inside the input folder {folder}; an audit of the folder would read the page back; give a path outside it"
                    );
                }
            }
        }
        let target = match path.file_name() {
            Some(n) => dir.join(n),
            None => bail!("--html {shown} names no file; give a file for the page"),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".mtus-audit-")
            .suffix(".html.tmp")
            .tempfile_in(&dir)
            .map_err(|e| anyhow::anyhow!("cannot write --html {shown}: {}", mtus::inputs::reason(&e)))?;
        Ok(HtmlOut { path: target, tmp })
    }

    fn write(mut self, page: &str) -> Result<()> {
        let shown = self.path.display().to_string();
        self.tmp
            .write_all(page.as_bytes())
            .and_then(|()| self.tmp.flush())
            .with_context(|| format!("cannot write {shown}"))?;
        // A new file gets the usual permissions, not the temporary file's
        // private ones; an existing one keeps its own.
        let perms = match std::fs::metadata(&self.path) {
            Ok(m) => Some(m.permissions()),
            Err(_) => default_permissions(),
        };
        if let Some(p) = perms {
            let _ = std::fs::set_permissions(self.tmp.path(), p);
        }
        self.tmp
            .persist(&self.path)
            .map_err(|e| anyhow::anyhow!("cannot write {shown}: {}", mtus::inputs::reason(&e.error)))?;
        Ok(())
    }
}

/// `"output"` or `"error"` when the file of `m` is the one standard
/// output or standard error is written to.
#[cfg(unix)]
fn standard_stream_of(m: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|s| (s.dev(), s.ino()) == (m.dev(), m.ino()))
    };
    if same(std::io::stdout().as_fd()) {
        Some("output")
    } else if same(std::io::stderr().as_fd()) {
        Some("error")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn standard_stream_of(_: &std::fs::Metadata) -> Option<&'static str> {
    None
}

/// What a new file gets (the temporary file is private to its owner).
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// A one-line progress bar on standard error, drawn only on a terminal
/// and only once a run has lasted a second.
struct Bar {
    on: bool,
    total: Option<u64>,
    start: Instant,
    last: Option<Instant>,
}

impl Bar {
    fn new(on: bool, total: Option<u64>) -> Bar {
        Bar {
            on,
            total,
            start: Instant::now(),
            last: None,
        }
    }

    fn show(&mut self, p: Progress) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        let elapsed = now - self.start;
        if elapsed < Duration::from_secs(1) || self.last.is_some_and(|l| now - l < Duration::from_millis(150)) {
            return;
        }
        self.last = Some(now);
        let rate = p.inputs as f64 / elapsed.as_secs_f64().max(1e-9);
        let bar = match self.total {
            Some(t) if t > 0 => {
                let f = (p.bytes as f64 / t as f64).clamp(0.0, 1.0);
                let filled = (f * 24.0).round() as usize;
                format!(
                    "{:>3.0}% [{}{}] ",
                    f * 100.0,
                    "#".repeat(filled),
                    "-".repeat(24 - filled)
                )
            }
            _ => String::new(),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kaudit: {bar}{} cases, {} errors, {:.0} cases/s",
            p.inputs, p.errors, rate
        );
        let _ = err.flush();
    }

    fn clear(&mut self) {
        if self.last.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
