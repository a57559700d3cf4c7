//! `mtus fmt`: rewrite rule files in the canonical layout, or (`--check`)
//! list the ones that are not.

use std::io::Write;
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
        let input = input.and_then(|p| {
            if p.as_os_str() == "-" {
                return Err(mtus::inputs::InputError {
                    path: p,
                    code: "unreadable",
                    message: "`-` (standard input) must be the only path given to `fmt`".into(),
                    help: Some("format standard input on its own: `mtus fmt -`".into()),
                });
            }
            Ok(p)
        });
        let path = match input {
            Ok(p) => p,
            Err(e) => {
                errors.push(files::diagnostic(&e));
                statuses.push(FileStatus {
                    file: e.path.display().to_string(),
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
            let name = mtus::report::escape_terminal(&name);
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
                say!(
                    "error: {changed} of {} rule file(s) would be reformatted; run `mtus fmt` on them",
                    statuses.len()
                );
            }
            if statuses.is_empty() && errors.is_empty() {
                say!("warning: no rule files (*.mtus) found");
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
    let text = match files::read_text(path, ctx.limits.max_file_bytes) {
        Ok(t) => t,
        Err(e) => {
            errors.push(files::diagnostic(&e));
            return Ok(None);
        }
    };
    let id = ctx.sources.add(name, text.as_str());
    match format_source(id, &text) {
        Ok(formatted) if formatted == text => Ok(Some(false)),
        Ok(formatted) => {
            if !check {
                if let Err(d) = write_in_place(path, &formatted, "reformatted") {
                    // The file is left as it was; the others are still
                    // formatted.
                    errors.push(d);
                    return Ok(None);
                }
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

/// Replace a rule file's text the safe way: a symlink is written through
/// (its target changes, the link stays); a read-only file is refused; the
/// text goes to a new temporary file with a unique name in the target's
/// folder (created exclusively, so nothing planted there is followed),
/// which takes the file's permissions and then replaces it in one rename.
/// An interrupted or failed write never leaves half a rule file, nor the
/// temporary file (it is removed when dropped unless it was renamed).
/// `done` says what was not done to a read-only file ("reformatted").
pub(super) fn write_in_place(path: &Path, text: &str, done: &str) -> Result<(), Diagnostic> {
    let name = mtus::report::escape_terminal(&path.display().to_string()).into_owned();
    let fail = |what: &str, e: &std::io::Error| {
        Diagnostic::bare(
            "cannot-write",
            format!("cannot write {name}: {what}: {}", mtus::inputs::reason(e)),
        )
        .with_help("the file was left as it was")
    };
    let target = std::fs::canonicalize(path).map_err(|e| fail("cannot resolve the path", &e))?;
    let meta = std::fs::metadata(&target).map_err(|e| fail("cannot read its permissions", &e))?;
    if meta.permissions().readonly() {
        return Err(
            Diagnostic::bare("read-only", format!("{name} is read-only; it was not {done}"))
                .with_help("make it writable (`chmod u+w`) first"),
        );
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".mtus-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail("cannot create a temporary file beside it", &e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail("cannot write the temporary file", &e))?;
    std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(|e| fail("cannot keep its permissions", &e))?;
    tmp.persist(&target).map_err(|e| fail("cannot replace it", &e.error))?;
    Ok(())
}

/// `mtus fmt -`: standard input to standard output, for editors.
fn stdin(ctx: &mut Ctx, check: bool, format: Format) -> Result<ExitCode> {
    let cap = ctx.limits.max_file_bytes;
    let bytes = match mtus::inputs::read_stream_capped(std::io::stdin().lock(), cap) {
        Ok(b) => b,
        Err(mtus::inputs::CappedError::Io(e)) => return Err(e).context("cannot read standard input"),
        Err(mtus::inputs::CappedError::TooLarge) => anyhow::bail!(
            "standard input is longer than {} (give --max-file-bytes to raise the limit)",
            mtus::inputs::describe_bytes(cap)
        ),
    };
    let text = String::from_utf8(bytes).context("standard input is not UTF-8 text")?;
    let id = ctx.sources.add("<stdin>", text.as_str());
    let mut errors = Vec::new();
    let result = format_source(id, &text);
    let changed = matches!(&result, Ok(f) if *f != text);
    match result {
        Ok(formatted) => {
            if !check && format == Format::Text {
                let mut formatted = formatted;
                flush(&mut formatted)?;
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
