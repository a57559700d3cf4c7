//! The `mtus` command line: a thin layer over the library.

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use cli::Format;
use cli::common::{Ctx, LoadRulesError, load_rules};
use mtus::diag::SourceMap;

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
        Command::Check { cases, format } => cli::check::run(&mut ctx, &rules, &cases, format),
        Command::Audit { paths, format } => cli::audit::run(&mut ctx, &rules, &paths, format),
    }
}
