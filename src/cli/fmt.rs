//! `mtus fmt`: rewrite rule files in the canonical layout, or (`--check`)
//! list the ones that are not, or (`--diff`) show what it would change.
//!
//! A file is only replaced whole (a new file renamed over it), and only
//! when that loses nothing: not when it changed since it was read (an
//! edit saved while `fmt` ran), not when it has other hard links (they
//! would keep the old text: `fmt` refuses and says how to format it), and
//! with its owner, group and mode bits (setgid included) carried over, or
//! not at all.

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
    /// With `--diff`: the change as a unified diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
}

/// A unified diff of a file's reformatting (`--- a/NAME`, `+++ b/NAME`,
/// three lines of context); empty when nothing changes.
fn unified_diff(name: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let name = name.replace('\\', "/");
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[derive(clap::Args)]
pub struct FmtArgs {
    /// Rule files or folders of rule files (*.mtus, searched recursively);
    /// `-` for standard input. Default: rules/
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// List the files that are not formatted, and exit 1 if there are
    /// any; change nothing.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,
    /// Print what would change as a unified diff, and exit 1 if anything
    /// would; change nothing.
    #[arg(long)]
    pub diff: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, args: &FmtArgs) -> Result<ExitCode> {
    let (paths, format) = (&args.paths[..], args.format);
    // `--diff` writes nothing, as `--check`.
    let check = args.check || args.diff;
    if paths.len() == 1 && paths[0] == Path::new("-") {
        return stdin(ctx, check, args.diff, format);
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
                    diff: None,
                });
                continue;
            }
        };
        let name = path.display().to_string();
        let mut diff = None;
        let status = match format_file(ctx, &path, &name, check, &mut errors)? {
            Some((before, after)) if before != after && args.diff => {
                diff = Some(unified_diff(&name, &before, &after));
                Status::WouldReformat
            }
            Some((before, after)) if before != after && check => Status::WouldReformat,
            Some((before, after)) if before != after => Status::Formatted,
            Some(_) => Status::Unchanged,
            None => Status::Error,
        };
        if format == Format::Text {
            let shown = mtus::report::escape_terminal(&name);
            match (&status, &diff) {
                // The diff quotes the file: no control character of it
                // reaches the terminal (lines and tabs are kept).
                (Status::WouldReformat, Some(d)) => out.push_str(&mtus::report::escape_terminal_text(d, false)),
                (Status::WouldReformat, None) => out.push_str(&format!("{shown}\n")),
                (Status::Formatted, _) => out.push_str(&format!("formatted {shown}\n")),
                _ => {}
            }
        }
        statuses.push(FileStatus {
            file: name,
            status,
            diff,
        });
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

/// Format one file (and write it back unless `check`): `Some((text
/// read, text formatted))`, or `None` after pushing its errors.
fn format_file(
    ctx: &mut Ctx,
    path: &Path,
    name: &str,
    check: bool,
    errors: &mut Vec<Diagnostic>,
) -> Result<Option<(String, String)>> {
    let text = match files::read_rule_text(path, ctx.limits.max_file_bytes) {
        Ok(t) => t,
        Err(e) => {
            errors.push(files::diagnostic(&e));
            return Ok(None);
        }
    };
    let id = ctx.sources.add(name, text.as_str());
    match format_source(id, &text) {
        Ok(formatted) if formatted == text => Ok(Some((text, formatted))),
        Ok(formatted) => {
            if !check {
                if let Err(d) = write_in_place(path, &text, &formatted, "reformatted") {
                    // The file is left as it was; the others are still
                    // formatted.
                    errors.push(d);
                    return Ok(None);
                }
            }
            Ok(Some((text, formatted)))
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
/// (its target changes, the link stays); a read-only file is refused; a
/// file with other hard links is refused (a new file renamed over it
/// would leave them with the old text); the text goes to a new temporary
/// file with a unique name in the target's folder (created exclusively,
/// so nothing planted there is followed), which takes the file's owner
/// and group (when they differ from the new file's, as for a file of
/// another user formatted by root; if they cannot be given, the file is
/// refused) and then its mode bits (setgid too); then the file is read
/// again and compared with `before`, the text it was read with, and
/// refused if it changed meanwhile (an edit saved while this ran would be
/// lost); else the temporary file replaces it in one rename. An
/// interrupted or failed write never leaves half a rule file, nor the
/// temporary file (it is removed when dropped unless it was renamed).
/// `done` says what was not done ("reformatted").
pub(super) fn write_in_place(path: &Path, before: &str, text: &str, done: &str) -> Result<(), Diagnostic> {
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
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(Diagnostic::bare(
                "hard-link",
                format!(
                    "{name} has {} hard links; it was not {done}, as replacing it would leave the other links with the old text",
                    meta.nlink()
                ),
            )
            .with_help("write the change through every link at once: `mtus fmt - < FILE > NEW && cat NEW > FILE`"));
        }
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
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let new = tmp
            .as_file()
            .metadata()
            .map_err(|e| fail("cannot read the temporary file", &e))?;
        // Owner and group first: changing them clears setuid and setgid,
        // which the mode set next restores.
        if (new.uid(), new.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()))
                .map_err(|e| fail("cannot give the new text the file's owner and group", &e))?;
        }
    }
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(|e| fail("cannot keep its permissions", &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let kept = tmp
            .as_file()
            .metadata()
            .map_err(|e| fail("cannot read the temporary file", &e))?
            .permissions()
            .mode();
        if kept != meta.permissions().mode() {
            return Err(Diagnostic::bare(
                "cannot-write",
                format!(
                    "cannot write {name}: its mode {:o} cannot be kept (the new file would have {kept:o}); it was not {done}",
                    meta.permissions().mode() & 0o7777,
                    kept = kept & 0o7777
                ),
            )
            .with_help("the file was left as it was"));
        }
    }
    hold_for_test();
    // The file as it is now: refused if it is no longer what was read.
    let now = mtus::inputs::read_capped(&target, before.len() as u64 + 1).ok();
    if now.as_deref() != Some(before.as_bytes()) {
        return Err(Diagnostic::bare(
            "changed-while-running",
            format!(
                "{name} changed while it was being formatted; it was not {done}, so the change made meanwhile is kept"
            ),
        )
        .with_help("run the command again on the file as it is now"));
    }
    tmp.persist(&target).map_err(|e| fail("cannot replace it", &e.error))?;
    Ok(())
}

/// For the tests only: when `MTUS_TEST_HOLD_BEFORE_REPLACE` names a
/// path, wait (up to a minute) for it to exist before the file is
/// compared and replaced, so a test can change the file in between.
fn hold_for_test() {
    let Some(flag) = std::env::var_os("MTUS_TEST_HOLD_BEFORE_REPLACE") else {
        return;
    };
    let start = std::time::Instant::now();
    while !Path::new(&flag).exists() && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `mtus fmt -`: standard input to standard output, for editors.
fn stdin(ctx: &mut Ctx, check: bool, diff: bool, format: Format) -> Result<ExitCode> {
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
    if text.starts_with('\u{feff}') {
        anyhow::bail!(
            "standard input starts with a byte order mark (U+FEFF), an invisible character rule files do not have; save the file as UTF-8 without a BOM"
        );
    }
    let id = ctx.sources.add("<stdin>", text.as_str());
    let mut errors = Vec::new();
    let result = format_source(id, &text);
    let changed = matches!(&result, Ok(f) if *f != text);
    let mut diff_text = None;
    match result {
        Ok(formatted) => {
            if diff {
                diff_text = Some(unified_diff("<stdin>", &text, &formatted));
            }
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
            "files": [{ "file": "<stdin>", "status": if !errors.is_empty() { "error" } else if changed && check { "would_reformat" } else if changed { "formatted" } else { "unchanged" }, "diff": diff_text.filter(|d| !d.is_empty()) }],
            "errors": errors.iter().map(|d| diagnostics::to_json(&ctx.sources, d)).collect::<Vec<_>>(),
        });
        let mut out = serde_json::to_string_pretty(&doc)?;
        out.push('\n');
        flush(&mut out)?;
    } else {
        if let Some(d) = diff_text {
            let mut d = mtus::report::escape_terminal_text(&d, false).into_owned();
            flush(&mut d)?;
        }
        ctx.print_diagnostics(&errors);
    }
    Ok(exit(errors.is_empty() && !(check && changed)))
}
