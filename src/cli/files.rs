//! Expanding file and folder arguments for the rule-author commands.

use std::path::{Path, PathBuf};

/// The files named, and the files with one of `exts` found (recursively,
/// sorted) in the folders named. A path that cannot be read comes back as
/// an error with the reason, in its place, so nothing given is dropped.
pub fn expand(paths: &[PathBuf], exts: &[&str]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                walk(p, exts, &mut found, &mut out);
                found.sort();
                out.extend(found.into_iter().map(Ok));
            }
            Ok(_) => out.push(Ok(p.clone())),
            Err(e) => out.push(Err((p.clone(), reason(&e)))),
        }
    }
    out
}

fn walk(dir: &Path, exts: &[&str], found: &mut Vec<PathBuf>, errors: &mut Vec<Result<PathBuf, (PathBuf, String)>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Err((dir.to_path_buf(), reason(&e))));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, exts, found, errors);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| exts.contains(&x))
        {
            found.push(p);
        }
    }
}

pub fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read a text file; the reason when it cannot be read or is not UTF-8.
pub fn read_text(p: &Path) -> Result<String, String> {
    let bytes = std::fs::read(p).map_err(|e| reason(&e))?;
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())
}
