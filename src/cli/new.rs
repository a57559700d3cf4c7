//! `mtus new TREATMENT`: a commented case template with the facts the
//! rules in force for the treatment read.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::common::flush;
use mtus::RuleSet;

#[derive(clap::Args)]
pub struct NewArgs {
    /// The treatment requested: a canonical name or a brand name.
    #[arg(value_name = "TREATMENT")]
    pub treatment: String,
    /// The date of the request (YYYY-MM-DD): which rules are in force.
    /// Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Write the template to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write over `--out FILE` if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub fn run(rules: &RuleSet, args: &NewArgs) -> Result<ExitCode> {
    let p = &rules.program;
    let Some(t) = p.catalog.resolve(&args.treatment) else {
        let hint = p
            .catalog
            .suggest(&args.treatment)
            .map(|s| format!("; did you mean {s}?"))
            .unwrap_or_default();
        bail!(
            "`{}` is not a treatment of the catalog{hint} (the names are in the `treatment` enum of `mtus schema`)",
            mtus::report::escape_terminal(&args.treatment)
        );
    };
    let date = super::common::date_or_today(args.date.as_deref())?;
    let mut text = mtus::schema_json::case_template(p, t, date);
    match &args.out {
        None => flush(&mut text)?,
        Some(path) => {
            let mut f = super::common::create_output(path, args.force)?;
            f.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
