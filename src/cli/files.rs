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
