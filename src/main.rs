//! The `mtus` command line: a thin layer over the library.

/// `eprintln!` that does not panic when standard error is closed
/// (`mtus ... 2>&1 | head`): a message that cannot be shown is dropped.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod cli;

// Cases are loaded into many small values; mimalloc makes those
// allocations several times cheaper than the system allocator. Built with
// `no_thp` (Cargo.toml): transparent huge pages cost a one-case `check`
// about 0.4 ms of CPU (each 2 MiB page is zeroed on first touch, and may
// wait for compaction) and an audit about 20 MB of peak memory, for no
// measurable speed-up (BENCHMARKS.md); `MIMALLOC_ALLOW_THP=1` turns them
// back on.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use cli::Format;
use cli::common::{Ctx, LoadRulesError, load_rules, locate_rules};
use mtus::diag::SourceMap;

const EXIT_HELP: &str = "\
Exit status:
  0  every input was read and every request decided, whatever the outcomes
  1  an input could not be read or checked (a bad case or rule file, a
     request with no rule in force, a folder with no case file, a FIFO or
     device given as a file), or an output could not be written; also
     when standard output was closed early (`| head`) and inputs were bad
  2  the command line was wrong
  3  (check --deny-exit only) every input was read, and some request is
     not medically necessary

Limits: a case or rule file is read up to --max-file-bytes (16 MiB), a
JSON line up to --max-line-bytes (1 MiB); a longer one is an error for
that input, and the rest are read.";

#[derive(Parser)]
#[command(
    name = "mtus",
    version,
    about = "Re-evaluate California workers' compensation treatment requests against MTUS guideline criteria.",
    after_help = EXIT_HELP
)]
struct Cli {
    /// Use the rule files (*.mtus) in this folder. Without it, the nearest
    /// `rules/` folder holding `sources.mtus` (from the current folder up)
    /// is used, else the rules built into mtus.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,

    /// Use the rules built into mtus even inside a folder with rules.
    #[arg(long, global = true, conflicts_with = "rules")]
    builtin_rules: bool,

    /// Colour in diagnostics and `check` text: auto (only on a terminal,
    /// and not when NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// The largest case file (YAML or JSON) or rule file read, in bytes;
    /// a larger one is an error for that file.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = mtus::inputs::DEFAULT_MAX_FILE_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_file_bytes: u64,

    /// The longest JSON line (one case of a JSON Lines input) read, in
    /// bytes; a longer one is an error for that line.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = mtus::inputs::DEFAULT_MAX_LINE_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_line_bytes: u64,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Decide every request of case files: outcome, the rule and citation
    /// that decided it, every criterion with the facts it saw, and what
    /// would have to be documented or changed to pass.
    #[command(after_help = EXIT_HELP)]
    Check {
        /// Case files (YAML, or JSON for *.json), folders of them
        /// (searched recursively for *.yaml, *.yml and *.json), or `-` for
        /// one YAML case on standard input.
        #[arg(required = true, value_name = "CASE")]
        cases: Vec<PathBuf>,
        /// Output format. JSON is documented in docs/json.md.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// An MTUS Drug List version as CSV (docs/formulary.md); repeat for
        /// several versions. Replaces the built-in confirmed rows.
        #[arg(long = "drug-list", value_name = "FILE")]
        drug_list: Vec<PathBuf>,
        /// Exit 3 when any request is not medically necessary (for
        /// scripts); 1 still means bad input.
        #[arg(long)]
        deny_exit: bool,
        /// Print only each request's outcome, what decided it and what it
        /// needs to pass, and the pre-submission findings one line each.
        #[arg(long)]
        brief: bool,
        /// Run again whenever a rule file or a case file given (or inside
        /// a folder given) changes, until stopped (Ctrl-C).
        #[arg(long)]
        watch: bool,
    },
    /// Re-run past determinations on all cores: predicted against
    /// recorded outcome for every request, then agreement, Cohen's kappa,
    /// confusion tables by treatment class, what decided the
    /// disagreements, and each disagreement's trace.
    #[command(after_help = EXIT_HELP)]
    Audit(cli::audit::AuditArgs),
    /// Write realistic synthetic cases (seeded, reproducible) for the
    /// rules in use: for benchmarks and scale tests.
    Generate(cli::generate::GenerateArgs),
    /// Rewrite rule files in the one canonical layout, keeping comments.
    /// With --check, change nothing: list the files that would change and
    /// exit 1 if there are any. `-` formats standard input to standard
    /// output.
    Fmt(cli::fmt::FmtArgs),
    /// Explain one request of a case file: each criterion's expression
    /// with the value of every part, the facts it read and the case-file
    /// lines they came from, and its status as `check` gives it.
    Explain(cli::explain::ExplainArgs),
    /// Run case files as tests of the rules: each recorded outcome (and
    /// `because:` criterion) must be reproduced. A line per case, then
    /// `N passed, M failed`; exit 1 on any failure.
    Test(cli::test::TestArgs),
    /// Warn about rules that check but are probably not what their author
    /// meant (unused facts, criteria that never decide, overlapping rules,
    /// conflicting numbers, missing descriptions, rules no case exercises).
    /// Exit 0 with warnings only, 1 when the rules do not check (or, with
    /// --deny-warnings, on any warning).
    Lint(cli::lint::LintArgs),
    /// A web page and a JSON API on this computer for checking a request
    /// before it is submitted: the same decisions as `check`
    /// (docs/api.md). Prints the address, then serves until stopped.
    Serve(cli::serve::ServeArgs),
    /// Print a JSON Schema (draft 2020-12) of case files, generated from
    /// the fact schema of the rules in use, for editors to validate and
    /// complete case files (docs/case-file.md).
    Schema(cli::schema::SchemaArgs),
    /// Read IMR final determination letters (PDF or text): one row per
    /// disputed item (--format jsonl|csv), a case file per letter for a
    /// person to complete (-o DIR), or which line gave which value
    /// (--explain). Exit 1 when a file is not a letter or cannot be read.
    Ingest(cli::ingest::IngestArgs),
    /// Read request lines as offices and letters write them ("Norco
    /// 10/325 mg #120", "PT 2x6 lumbar spine"): the treatment, the rules
    /// that decide it, the quantity, strength, directions, regions and
    /// codes, each with its place in the line; exit 1 on an error.
    Request(cli::request::RequestArgs),
    /// An ICD-10-CM code: its official description, whether it is a
    /// billable code on a date (the CMS code set of that fiscal year), and
    /// the diagnosis tags it maps to; exit 1, with the nearest valid codes,
    /// when it is not valid then (docs/codes.md).
    Code(cli::code::CodeArgs),
    /// Write a commented case file template for a treatment: the facts the
    /// rules in force for it read, each with its type and allowed values.
    New(cli::new::NewArgs),
    /// Write the rule library as a readable, linked book (HTML and
    /// Markdown): each rule with its citation, dates in force, treatments,
    /// criteria in plain words, numbers with their confidence, the cases
    /// that prove each criterion, and the rules in force on a date.
    Doc(cli::doc::DocArgs),
    /// A language server for rule files and case files, over standard
    /// input and output, for editors (diagnostics as you type, hover, go
    /// to definition, references, completion, formatting, quick fixes;
    /// editors/README.md says how to set one up).
    Lsp(cli::lsp::LspArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            say!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Diagnostics go to standard error, `check` text to standard output:
    // each is coloured when it reaches a terminal (and NO_COLOR is unset).
    let colour_for = |terminal: bool| match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut ctx = Ctx {
        sources: SourceMap::new(),
        color: colour_for(std::io::stderr().is_terminal()),
        color_out: colour_for(std::io::stdout().is_terminal()),
        limits: mtus::inputs::Limits {
            max_file_bytes: cli.max_file_bytes,
            max_line_bytes: cli.max_line_bytes,
        },
    };
    // Commands that do not need the rules in use run before they load.
    if let Command::Fmt(args) = &cli.command {
        return cli::fmt::run(&mut ctx, args);
    }
    if let Command::Code(args) = &cli.command {
        return cli::code::run(&mut ctx, args);
    }
    // The server finds the rules of each file it is sent.
    if let Command::Lsp(args) = &cli.command {
        if cli.rules.is_some() || cli.builtin_rules {
            say!(
                "error: `mtus lsp` takes the rules of each file from its folder (a case file's from the `rules/` folder above it); --rules and --builtin-rules do not apply"
            );
            return Ok(ExitCode::from(2));
        }
        return cli::lsp::run(&ctx, args);
    }
    let location = locate_rules(cli.rules.as_deref(), cli.builtin_rules);
    if let Command::Lint(args) = &cli.command {
        return cli::lint::run(&mut ctx, &location, args);
    }
    // `--watch` loads the rules afresh on every run.
    match &cli.command {
        Command::Check {
            cases,
            format,
            drug_list,
            deny_exit,
            brief,
            watch: true,
        } => {
            let opts = cli::check::CheckOptions {
                format: *format,
                deny_exit: *deny_exit,
                brief: *brief,
            };
            let dir = location.dir.clone();
            return cli::watch::run(&mut ctx, &location, cases, cli::check::CASE_FILES, |ctx, rules| {
                match cli::check::load_drug_lists(ctx, dir.as_deref(), drug_list)? {
                    Some(lists) => cli::check::run(ctx, rules, cases, &opts, &lists),
                    None => Ok(ExitCode::from(1)),
                }
            });
        }
        Command::Test(args) if args.watch => {
            let paths = cli::test::paths_or_default(&args.paths, location.dir.as_deref());
            return cli::watch::run(&mut ctx, &location, &paths, cli::check::CASE_FILES, |ctx, rules| {
                cli::test::run(ctx, rules, args)
            });
        }
        _ => {}
    }
    let rules = match load_rules(&mut ctx.sources, &location, &ctx.limits) {
        Ok(r) => r,
        Err(LoadRulesError::Rules(e)) => {
            ctx.print_diagnostics(&e.diagnostics);
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            say!("error: the rule files have {n} error(s); nothing was evaluated");
            return Ok(ExitCode::from(1));
        }
        Err(LoadRulesError::Io(e)) => return Err(e),
    };
    match cli.command {
        Command::Check {
            cases,
            format,
            drug_list,
            deny_exit,
            brief,
            watch: _,
        } => match cli::check::load_drug_lists(&mut ctx, location.dir.as_deref(), &drug_list)? {
            Some(lists) => {
                let opts = cli::check::CheckOptions {
                    format,
                    deny_exit,
                    brief,
                };
                cli::check::run(&mut ctx, &rules, &cases, &opts, &lists)
            }
            None => Ok(ExitCode::from(1)),
        },
        Command::Audit(args) => cli::audit::run(&mut ctx, &rules, &args),
        Command::Generate(args) => cli::generate::run(&rules, &args),
        // Run above, before the rules load.
        Command::Fmt(args) => cli::fmt::run(&mut ctx, &args),
        Command::Test(args) => cli::test::run(&mut ctx, &rules, &args),
        Command::Explain(args) => cli::explain::run(&mut ctx, &rules, &args),
        Command::Lint(args) => cli::lint::run(&mut ctx, &location, &args),
        Command::Schema(args) => cli::schema::run(&rules, &args),
        Command::New(args) => cli::new::run(&rules, &args),
        Command::Ingest(args) => cli::ingest::run(&mut ctx, &rules, &args),
        Command::Request(args) => cli::request::run(&mut ctx, &rules, &args),
        Command::Code(args) => cli::code::run(&mut ctx, &args),
        Command::Doc(args) => cli::doc::run(&mut ctx, &rules, &args),
        Command::Lsp(args) => cli::lsp::run(&ctx, &args),
        Command::Serve(args) => cli::serve::run(&mut ctx, rules, location.dir.as_deref(), &args),
    }
}
