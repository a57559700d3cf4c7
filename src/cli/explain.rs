//! `mtus explain`: one request of a case file, one criterion (or every
//! criterion of the rules that decide it), with the value of every
//! sub-expression and where in the case file each fact read was written.
//! The work is `mtus::report::explain`; this reads the file and prints.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Format;
use super::check::output_width;
use super::common::{Ctx, flush, read_case_source};
use mtus::RuleSet;
use mtus::diag::Diagnostic;
use mtus::report::explain::{ExplainError, Query, explain, render_text};

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The case file (YAML, or JSON for *.json; `-` for YAML on standard
    /// input).
    #[arg(value_name = "CASE")]
    pub case: PathBuf,
    /// The request's id (its `id:` in the case file).
    #[arg(value_name = "REQUEST")]
    pub request: String,
    /// The criterion, as the trace names it (`rule.criterion`) or by its
    /// name alone; or a rule's name, for all its criteria. Without it:
    /// every criterion of the rules that decide the request, in order.
    #[arg(value_name = "CRITERION")]
    pub criterion: Option<String>,
    /// Output format. JSON is documented in docs/explain.md.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &ExplainArgs) -> Result<ExitCode> {
    let (case, source) = match read_case_source(&mut ctx.sources, rules, &args.case, &ctx.limits) {
        Ok(x) => x,
        Err(ds) => {
            ctx.print_diagnostics(&ds);
            say!("error: the case file could not be read; nothing was explained");
            return Ok(ExitCode::from(1));
        }
    };
    let file = args.case.display().to_string();
    let json = args
        .case
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    let query = Query {
        file: &file,
        text: &source.text,
        json,
        request: &args.request,
        criterion: args.criterion.as_deref(),
    };
    let x = match explain(rules, &ctx.sources, &case, &query) {
        Ok(x) => x,
        Err(ExplainError::Undecided { index, error, .. }) => {
            // Shown as `check` shows it: placed in the case file.
            let id = ctx.sources.add(source.name.clone(), source.text.clone());
            if let Some(req) = case.requests.get(index) {
                ctx.print_diagnostics(&[error.diagnostic(req, id)]);
            }
            let shown = mtus::report::escape_terminal(&args.request);
            say!("error: request `{shown}` could not be decided; nothing was explained");
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            let d = Diagnostic::bare(e.code(), e.to_string()).with_help(e.help());
            ctx.print_diagnostics(&[d]);
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = match args.format {
        Format::Text => {
            let mut s = format!("rules: {}\n\n", rules.origin.describe());
            render_text(&x, &mut s);
            mtus::report::wrap(&s, output_width())
        }
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&x)?;
            s.push('\n');
            s
        }
    };
    flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}
