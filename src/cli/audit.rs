//! `mtus audit`: re-run past determinations and compare, on all cores.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

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
    /// Case files, JSON Lines files (*.jsonl: one case per line), folders
    /// (searched recursively for *.yaml, *.yml and *.jsonl), or `-` for
    /// JSON Lines on standard input.
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
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &AuditArgs) -> Result<ExitCode> {
    let inputs = audit::expand_inputs(&args.paths);
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
        ..AuditOptions::default()
    };
    let mut bar = Bar::new(!args.no_progress && std::io::stderr().is_terminal(), total);
    let mut out = std::io::stdout();
    let mut side = std::io::stderr();
    let result = pool.install(|| audit::audit(rules, inputs, &opts, &mut out, &mut side, &mut |p| bar.show(p)));
    bar.clear();
    let fin = match result {
        Ok(f) => f,
        // `mtus audit ... | head`: the reader has what it wanted.
        Err(e) if e.is_broken_pipe() => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e.into()),
    };
    if let Some(path) = &args.html {
        let title: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        let page = audit::html::page(&fin, &title.join(", "));
        std::fs::write(path, page).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(exit(fin.ok()))
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
