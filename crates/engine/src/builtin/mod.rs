//! The shipped rule set, checked ahead of time.
//!
//! Parsing and checking the 28 shipped rule files costs about 100 million
//! instructions, 90% of a one-case `mtus check`. `rules.postcard` is the
//! checked [`Program`] of `rules/*.mtus`, serialized with `postcard` and
//! committed next to this file; loading the shipped rules deserializes it
//! (and compiles it, which is cheap) instead of parsing.
//!
//! The blob is a cache, never a second source of truth:
//! - it records the SHA-256 of the files it was made from
//!   ([`crate::rules_hash`]) and their names in order, and the SHA-256 of
//!   the source files that define its types (`build.rs` lists them; a blob
//!   older than a change to them is not read). It is used only for files
//!   with that hash, in that order, when the `SourceMap` is empty (its
//!   spans number the files from 0). Anything else is parsed as before.
//! - the test `tests/builtin.rs` fails when the blob is not what the
//!   current `rules/` and the current checker produce, and says how to
//!   regenerate it ([`REGENERATE`]); another checks that the precompiled
//!   and the parsed set decide every shipped case to the same report.
//!
//! Invariants: [`generate`] is deterministic (hash maps are written
//! sorted); [`load`] never panics on any bytes (a blob it cannot read is
//! skipped, and the files are parsed).

use serde::{Deserialize, Serialize};

use crate::check::Program;
use crate::diag::SourceMap;
use crate::{RuleErrors, RuleSet};

/// The committed precompiled form of the shipped rules.
pub const BLOB: &[u8] = include_bytes!("rules.postcard");

/// Where the blob lives, from the workspace root.
pub const PATH: &str = "crates/engine/src/builtin/rules.postcard";

/// The command that rewrites [`PATH`] from the current `rules/`.
pub const REGENERATE: &str = "MTUS_REGENERATE=1 cargo test --test it builtin::";

/// Bumped when the layout of the blob's header changes; a change of the
/// `Program` types is caught by the regeneration test.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Precompiled {
    format: u32,
    /// `embedded::MODEL_HASH` when it was made: the SHA-256 of the source
    /// files defining the serialized types (`build.rs` lists them), so a
    /// blob older than a change to them is never read into the new types.
    model: String,
    /// [`crate::rules_hash`] of the files.
    hash: String,
    /// The files' names (last path component), in the order they were
    /// added to the `SourceMap`: `FileId(i)` in the program's spans is
    /// `files[i]`.
    files: Vec<String>,
    program: Program,
}

/// The last component of a file name, as [`crate::rules_hash`] takes it.
fn base(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Parse and check the shipped rule files and serialize the program: the
/// bytes [`PATH`] must hold.
pub fn generate() -> Result<Vec<u8>, RuleErrors> {
    let mut sources = SourceMap::new();
    let files = crate::embedded::FILES;
    let rs = RuleSet::parse(&mut sources, files.iter().copied())?;
    let pre = Precompiled {
        format: FORMAT,
        model: crate::embedded::MODEL_HASH.to_string(),
        hash: rs.origin.hash,
        files: files.iter().map(|(n, _)| base(n).to_string()).collect(),
        program: rs.program,
    };
    // Serializing plain data into a Vec cannot fail.
    Ok(postcard::to_allocvec(&pre).unwrap_or_default())
}

/// The precompiled program for `files` (whose [`crate::rules_hash`] is
/// `hash`), if the blob was made from exactly these files in this order
/// and `sources` is empty; the files are then added to `sources`, as
/// parsing would. `None` (and `sources` untouched) otherwise.
pub fn load(sources: &mut SourceMap, files: &[(&str, &str)], hash: &str) -> Option<Program> {
    load_from(BLOB, sources, files, hash)
}

/// [`load`] from given bytes.
pub fn load_from(blob: &[u8], sources: &mut SourceMap, files: &[(&str, &str)], hash: &str) -> Option<Program> {
    if sources.files().next().is_some() {
        return None;
    }
    // The header comes first: check it before reading the program.
    let (format, rest): (u32, &[u8]) = postcard::take_from_bytes(blob).ok()?;
    let (model, _): (&str, &[u8]) = postcard::take_from_bytes(rest).ok()?;
    if format != FORMAT || model != crate::embedded::MODEL_HASH {
        return None;
    }
    let pre: Precompiled = postcard::from_bytes(blob).ok()?;
    let same = pre.format == FORMAT
        && pre.hash == hash
        && pre.files.len() == files.len()
        && pre.files.iter().zip(files).all(|(a, (b, _))| a == base(b));
    if !same {
        return None;
    }
    for (name, text) in files {
        sources.add(*name, *text);
    }
    Some(pre.program)
}
