//! `mtus fmt`: rewrite rule files in the canonical layout, or (`--check`)
//! list the ones that are not.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::Format;
use super::common::{Ctx, exit, flush};
use super::files;
use mtus::diag::Diagnostic;
use mtus::format::{FormatError, format_source};
use mtus::report::diagnostics;

#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Unchanged,
    Formatted,
    WouldReformat,
    Error,
}

#[derive(serde::Serialize)]
struct FileStatus {
    file: String,
    status: Status,
}

#[derive(clap::Args)]
pub struct FmtArgs {
    /// Rule files or folders of rule files (*.mtus, searched recursively);
    /// `-` for standard input. Default: rules/
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// List the files that are not formatted, and exit 1 if there are
    /// any; change nothing.
    #[arg(long)]
    pub check: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, args: &FmtArgs) -> Result<ExitCode> {
    let (paths, check, format) = (&args.paths[..], args.check, args.format);
    if paths.len() == 1 && paths[0] == Path::new("-") {
        return stdin(ctx, check, format);
    }
    let default = [PathBuf::from("rules")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut statuses = Vec::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut out = String::new();
    for input in files::expand(paths, &["mtus"]) {
        let path = match input {
            Ok(p) => p,
            Err((p, why)) => {
                let name = p.display().to_string();
                errors.push(diagnostics::unreadable(&name, &why));
                statuses.push(FileStatus {
                    file: name,
                    status: Status::Error,
                });
                continue;
            }
        };
        let name = path.display().to_string();
        let status = match format_file(ctx, &path, &name, check, &mut errors)? {
            Some(true) if check => Status::WouldReformat,
            Some(true) => Status::Formatted,
            Some(false) => Status::Unchanged,
            None => Status::Error,
        };
        if format == Format::Text {
            match status {
                Status::WouldReformat => out.push_str(&format!("{name}\n")),
                Status::Formatted => out.push_str(&format!("formatted {name}\n")),
                _ => {}
            }
        }
        statuses.push(FileStatus { file: name, status });
    }
    let changed = statuses
        .iter()
        .filter(|s| matches!(s.status, Status::WouldReformat))
        .count();
    match format {
        Format::Text => {
            flush(&mut out)?;
            ctx.print_diagnostics(&errors);
            if changed > 0 {
                eprintln!(
                    "error: {changed} of {} rule file(s) would be reformatted; run `mtus fmt` on them",
                    statuses.len()
                );
            }
            if statuses.is_empty() && errors.is_empty() {
                eprintln!("warning: no rule files (*.mtus) found");
            }
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct FmtJson<'a> {
                version: u32,
                files: &'a [FileStatus],
                errors: Vec<diagnostics::DiagnosticJson>,
            }
            let doc = FmtJson {
                version: mtus::report::JSON_VERSION,
                files: &statuses,
                errors: errors.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect(),
            };
            out = serde_json::to_string_pretty(&doc)?;
            out.push('\n');
            flush(&mut out)?;
        }
    }
    Ok(exit(errors.is_empty() && changed == 0))
}

/// Format one file. `Some(changed)`, or `None` after pushing its errors.
fn format_file(
    ctx: &mut Ctx,
    path: &Path,
    name: &str,
    check: bool,
    errors: &mut Vec<Diagnostic>,
) -> Result<Option<bool>> {
    let text = match files::read_text(path) {
        Ok(t) => t,
        Err(why) => {
            errors.push(diagnostics::unreadable(name, &why));
            return Ok(None);
        }
    };
    let id = ctx.sources.add(name, text.as_str());
    match format_source(id, &text) {
        Ok(formatted) if formatted == text => Ok(Some(false)),
        Ok(formatted) => {
            if !check {
                write_atomically(path, &formatted).with_context(|| format!("cannot write {name}"))?;
            }
            Ok(Some(true))
        }
        Err(e) => {
            push_format_error(e, name, errors);
            Ok(None)
        }
    }
}

fn push_format_error(e: FormatError, name: &str, errors: &mut Vec<Diagnostic>) {
    match e {
        FormatError::Syntax(diags) => errors.extend(diags),
        FormatError::Internal(why) => errors.push(
            Diagnostic::bare("format-internal", format!("{name} was left as it is: {why}"))
                .with_help("this is a bug in `mtus fmt`; please report it with the file"),
        ),
    }
}

/// Write through a temporary file in the same folder, so an interrupted
/// run never leaves half a rule file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.mtus-fmt.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `mtus fmt -`: standard input to standard output, for editors.
fn stdin(ctx: &mut Ctx, check: bool, format: Format) -> Result<ExitCode> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read standard input as UTF-8 text")?;
    let id = ctx.sources.add("<stdin>", text.as_str());
    let mut errors = Vec::new();
    let result = format_source(id, &text);
    let changed = matches!(&result, Ok(f) if *f != text);
    match result {
        Ok(formatted) => {
            if !check && format == Format::Text {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(formatted.as_bytes())?;
                stdout.flush()?;
            }
        }
        Err(e) => push_format_error(e, "<stdin>", &mut errors),
    }
    if format == Format::Json {
        let doc = serde_json::json!({
            "version": mtus::report::JSON_VERSION,
            "files": [{ "file": "<stdin>", "status": if !errors.is_empty() { "error" } else if changed && check { "would_reformat" } else if changed { "formatted" } else { "unchanged" } }],
            "errors": errors.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect::<Vec<_>>(),
        });
        let mut out = serde_json::to_string_pretty(&doc)?;
        out.push('\n');
        flush(&mut out)?;
    } else {
        ctx.print_diagnostics(&errors);
    }
    Ok(exit(errors.is_empty() && !(check && changed)))
}
