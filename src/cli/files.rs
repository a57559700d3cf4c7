//! File and folder arguments of the commands, through the one shared walk
//! ([`mtus::inputs`]), as diagnostics the binary prints.

use std::path::{Path, PathBuf};

use mtus::diag::Diagnostic;
use mtus::inputs::{self, Found, InputError};

/// The files named, and the files with one of `exts` found (recursively,
/// sorted, each once) in the folders named; `-` comes back as itself
/// (standard input). A path that cannot be used comes back as an error in
/// its place, so nothing given is dropped.
pub fn expand(paths: &[PathBuf], exts: &[&str]) -> Vec<Result<PathBuf, InputError>> {
    inputs::expand(paths, exts)
        .into_iter()
        .map(|f| match f {
            Found::File(p) => Ok(p),
            Found::Stdin => Ok(PathBuf::from("-")),
            Found::Error(e) => Err(e),
        })
        .collect()
}

/// An input error as a diagnostic.
pub fn diagnostic(e: &InputError) -> Diagnostic {
    let d = Diagnostic::bare(e.code, e.message.clone());
    match &e.help {
        Some(h) => d.with_help(h.clone()),
        None => d,
    }
}

/// Read a text file, at most `cap` bytes; the error when it cannot be
/// read, is too large or is not UTF-8.
pub fn read_text(p: &Path, cap: u64) -> Result<String, InputError> {
    inputs::read_text_capped(p, cap)
}

/// Read a rule file ([`read_text`]): a file that starts with a byte order
/// mark is refused with a message that names it (it is invisible in most
/// editors, and the rule language has no place for it).
pub fn read_rule_text(p: &Path, cap: u64) -> Result<String, InputError> {
    let text = read_text(p, cap)?;
    if text.starts_with('\u{feff}') {
        return Err(InputError {
            path: p.to_path_buf(),
            code: "byte-order-mark",
            message: format!(
                "{}:1:1: the rule file starts with a byte order mark (U+FEFF), an invisible character rule files do not have",
                mtus::report::escape_terminal(&p.display().to_string())
            ),
            help: Some("save the file as UTF-8 without a BOM (in most editors, an encoding setting named \"UTF-8\", not \"UTF-8 with BOM\")".into()),
        });
    }
    Ok(text)
}
