//! Reading case files into a [`Case`], checked against the fact schema,
//! with every mistake of a file reported at once.
//!
//! Two stages. A front end turns the text into a [`tree::Node`] tree with
//! byte spans ([`yaml`] through `saphyr-parser`, [`json`] by hand), within
//! the [`Limits`]; a syntax error stops there. Then a walker driven by the
//! schema's key tables ([`keys`]) reads the tree into slots ([`case`],
//! [`history`], [`request`], [`determination`], values in [`value`]),
//! recording a diagnostic for each mistake and carrying on, and the
//! cross-checks that need the whole case run last. Diagnostics come out
//! in source order.
//!
//! This is the only module that names the YAML parser.

mod case;
mod determination;
mod history;
mod json;
mod keys;
pub mod limits;
mod line;
mod locate;
mod request;
pub mod tree;
mod value;
pub mod yaml;
#[doc(hidden)]
pub mod yaml_fast;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use super::Case;
use crate::check::Program;
use crate::diag::{Diagnostic, SourceFile, SourceMap, Span};
use crate::value::Sym;
use keys::Keys;
pub use limits::Limits;

/// Test support for the JSON front end's oracle test (the generated
/// cases against serde_json, in the tools crate's `generate` tests): the
/// tree the loader reads and the control-character walk. Not a user path.
#[doc(hidden)]
pub mod testing {
    pub use super::json::parse_flagged;
    pub use super::tree::{Kind, Node};

    /// Whether a decoded string in `node` holds a control character.
    pub fn has_escaped_control(text: &str, node: &Node<'_>) -> bool {
        let mut diags = Vec::new();
        super::escaped_controls(text, node, &mut diags);
        !diags.is_empty()
    }
}
pub use locate::fact_places;
use tree::span;

/// A case file that could not be loaded: every mistake found in it, with
/// spans into the file (kept here, so the mistakes can be shown).
#[derive(Debug)]
pub struct CaseErrors {
    pub source: SourceFile,
    /// In source order; spans are in [`tree::FILE`] until [`Self::add_to`]
    /// moves them into a source map.
    pub diagnostics: Vec<Diagnostic>,
}

impl CaseErrors {
    pub fn file(&self) -> &str {
        &self.source.name
    }

    /// Add the case file to `sm`; the diagnostics, pointing into it there.
    pub fn add_to(&self, sm: &mut SourceMap) -> Vec<Diagnostic> {
        let id = sm.add(self.source.name.clone(), self.source.text.clone());
        let move_span = |s: Span| Span { file: id, ..s };
        self.diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.span = d.span.map(move_span);
                for (s, _) in &mut d.notes {
                    *s = move_span(*s);
                }
                d
            })
            .collect()
    }

    /// 1-based line and column of a diagnostic (1:1 when it has no place).
    pub fn line_col(&self, d: &Diagnostic) -> (usize, usize) {
        d.span.map_or((1, 1), |s| self.source.line_col(s.start as usize))
    }
}

impl fmt::Display for CaseErrors {
    /// `file:line:col: message`, one line per mistake.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let (line, col) = self.line_col(d);
            write!(f, "{}:{line}:{col}: {}", self.source.name, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseErrors {}

/// Load a case from YAML text. `file` is the name used in messages.
/// (To load many cases, make a [`Loader`] once.)
pub fn load_yaml(p: &Program, file: &str, text: &str) -> Result<Case, CaseErrors> {
    Loader::new(p).load_yaml(file, text)
}

/// Load a case from JSON text (one line of a JSON Lines file, say).
/// (To load many cases, make a [`Loader`] once.)
pub fn load_json(p: &Program, file: &str, text: &str) -> Result<Case, CaseErrors> {
    Loader::new(p).load_json(file, text)
}

/// Loads cases against one program's schema. Making one works out the
/// schema's key tables once; an audit loads every case with one loader,
/// from any thread.
pub struct Loader<'p> {
    p: &'p Program,
    keys: Keys<'p>,
    limits: Limits,
}

impl<'p> Loader<'p> {
    pub fn new(p: &'p Program) -> Loader<'p> {
        Loader::with_limits(p, Limits::default())
    }

    pub fn with_limits(p: &'p Program, limits: Limits) -> Loader<'p> {
        Loader {
            p,
            keys: Keys::new(p),
            limits,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Load a case from YAML text. `file` is the name used in messages.
    pub fn load_yaml(&self, file: &str, text: &str) -> Result<Case, CaseErrors> {
        self.load(file, text, false)
    }

    /// Load a case from JSON text (one line of a JSON Lines file, say).
    pub fn load_json(&self, file: &str, text: &str) -> Result<Case, CaseErrors> {
        self.load(file, text, true)
    }

    fn load(&self, file: &str, text: &str, json: bool) -> Result<Case, CaseErrors> {
        let fail = |diagnostics: Vec<Diagnostic>| CaseErrors {
            source: SourceFile::new(file, text),
            diagnostics,
        };
        if text.len() > self.limits.max_bytes {
            let at = (self.limits.max_bytes..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            return Err(fail(vec![
                Diagnostic::error(
                    "too-large",
                    span(at, at),
                    format!("the case file is longer than {} bytes", self.limits.max_bytes),
                )
                .with_help("a case file is a few kilobytes; is this the right file?"),
            ]));
        }
        // A byte order mark is not content.
        let (body, base) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest, text.len() - rest.len()),
            None => (text, 0),
        };
        // NUL and the other C0 control characters (tab and line ends
        // aside) never belong in a YAML or JSON text: the file is binary,
        // whatever the parser would make of it.
        if let Some(i) = control_byte(body.as_bytes()) {
            let at = base + i;
            return Err(fail(vec![
                Diagnostic::error(
                    "not-text",
                    span(at, at + 1),
                    format!(
                        "the file holds a control character (byte 0x{:02x}), so it is not a text case file",
                        body.as_bytes()[i]
                    ),
                )
                .with_help("case files are YAML or JSON text; is this a binary file?"),
            ]));
        }
        // Only an escape (a backslash) can make a control character the
        // byte scan above did not see: each front end says whether a
        // decoded string may hold one.
        let (root, escaped) = if json {
            json::parse_flagged(body, base, &self.limits)
        } else {
            yaml::parse_flagged(body, base, &self.limits)
        }
        .map_err(|d| fail(vec![d]))?;
        let mut ctx = Ctx {
            p: self.p,
            text,
            keys: &self.keys,
            local: Vec::new(),
            local_map: HashMap::default(),
            diags: Vec::new(),
        };
        if escaped {
            escaped_controls(text, &root, &mut ctx.diags);
        }
        let case = ctx.case(&root);
        match case {
            Some(c) if ctx.diags.is_empty() => Ok(c),
            _ => {
                let mut diags = ctx.diags;
                if diags.is_empty() {
                    diags.push(Diagnostic::error("internal", root.span, "the case could not be read"));
                }
                diags.sort_by_key(|d| d.span.map(|s| s.start));
                Err(fail(diags))
            }
        }
    }
}

/// Text written with escapes (JSON's `"\u0000"`, YAML's `"\x07"`) can
/// hold control characters that the byte scan of the file cannot see; no
/// fact holds one (they would reach terminals and CSV cells). Tabs and
/// line breaks are text. Only decoded (owned) scalars can hold them.
fn escaped_controls(text: &str, node: &tree::Node<'_>, diags: &mut Vec<Diagnostic>) {
    use std::borrow::Cow;
    use tree::Kind;
    match &node.kind {
        Kind::Scalar(s) => {
            let raw = || text.get(node.span.start as usize..node.span.end as usize).unwrap_or("");
            let escaped = matches!(s.text, Cow::Owned(_)) && raw().contains('\\');
            if let (Cow::Owned(t), true) = (&s.text, escaped) {
                if let Some(c) = t.chars().find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
                    diags.push(
                        Diagnostic::error(
                            "control-character",
                            node.span,
                            format!(
                                "this text holds the control character U+{:04X}, written as an escape",
                                c as u32
                            ),
                        )
                        .with_help("case facts are plain text: remove the escape (tabs and line breaks are fine)"),
                    );
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|n| escaped_controls(text, n, diags)),
        Kind::Map(entries) => {
            for (k, v) in entries {
                escaped_controls(text, k, diags);
                escaped_controls(text, v, diags);
            }
        }
        Kind::Null => {}
    }
}

/// What the walker carries: the program, its key tables, the case's own
/// symbols, and the diagnostics so far.
struct Ctx<'p> {
    p: &'p Program,
    /// The whole case file.
    text: &'p str,
    keys: &'p Keys<'p>,
    local: Vec<String>,
    local_map: HashMap<String, Sym, keys::FastHash>,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, code: &'static str, at: Span, message: String, help: Option<String>) {
        let mut d = Diagnostic::error(code, at, message);
        d.help = help;
        self.diags.push(d);
    }

    /// The end of the line holding byte `at` of the case file.
    fn line_end(&self, at: u32) -> u32 {
        let rest = self.text.get(at as usize..).unwrap_or("");
        at + rest.find('\n').unwrap_or(rest.len()) as u32
    }

    /// A symbol of the rules, or one this case adds.
    fn sym(&mut self, s: &str) -> Sym {
        if let Some(&x) = self.keys.symbols.get(s) {
            return x;
        }
        if let Some(&x) = self.local_map.get(s) {
            return x;
        }
        let x = Sym((self.p.symbols.len() + self.local.len()) as u32);
        self.local.push(s.to_string());
        self.local_map.insert(s.to_string(), x);
        x
    }
}

/// `n` absent slots (a loop that only writes, where `vec![x; n]` clones
/// an unknown value into each).
fn absent(n: usize) -> Vec<crate::value::Value> {
    std::iter::repeat_with(|| crate::value::Value::Absent).take(n).collect()
}

/// The bytes of `w` that [`control_byte`] looks for, each flagged by its
/// high bit, exactly (no carry crosses bytes: a word with a line break,
/// as every YAML line has, is settled without a byte loop).
fn bad_bytes(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit set exactly where the byte is zero.
    let zero = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let eq = |b: u8| zero(w ^ (u64::from(b) * 0x0101_0101_0101_0101));
    // Below 0x20: the low seven bits plus 0x60 stay below 0x80, and the
    // high bit is clear.
    let below_space = !((w & LOW7).wrapping_add(0x6060_6060_6060_6060)) & !w & HIGH;
    (below_space & !(eq(b'\t') | eq(b'\n') | eq(b'\r'))) | eq(0x7f)
}

/// The first byte that is a C0 control character other than tab and line
/// ends, or DEL. Eight bytes at a time: a case file is scanned whole
/// before parsing, so this runs over every byte of every case.
fn control_byte(b: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bad = |c: u8| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
    // Cheap and never missing one: below 0x20 (tab and line ends too) or
    // DEL; then [`bad_bytes`] settles the word exactly.
    let maybe = |w: u64| {
        let del = w ^ (LOW * 0x7f);
        (w.wrapping_sub(LOW * 0x20) & !w & HIGH) | (del.wrapping_sub(LOW) & !del & HIGH)
    };
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut i = 0;
    // Sixteen bytes a turn: one test for two words.
    while let Some(chunk) = b.get(i..i + 16) {
        let (x, y) = (word(&chunk[..8]), word(&chunk[8..]));
        if maybe(x) | maybe(y) != 0 {
            for (at, w) in [(i, x), (i + 8, y)] {
                let m = bad_bytes(w);
                if m != 0 {
                    return Some(at + (m.trailing_zeros() / 8) as usize);
                }
            }
        }
        i += 16;
    }
    b.get(i..)?.iter().position(|&c| bad(c)).map(|p| p + i)
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    #[test]
    fn bad_bytes_flags_exactly_the_bad_bytes() {
        let bad = |c: u8| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
        // Every byte value at every place, among neighbours that carry or
        // borrow in a word-wide sum (line breaks, tabs, NUL, high bytes).
        for fill in [
            b'a', b'\n', b'\t', b'\r', 0x00, 0x01, 0x1f, 0x20, 0x7f, 0x80, 0xa0, 0xff,
        ] {
            for c in 0..=255u8 {
                for at in 0..8 {
                    let mut word = [fill; 8];
                    word[at] = c;
                    let m = bad_bytes(u64::from_le_bytes(word));
                    for (i, &b) in word.iter().enumerate() {
                        assert_eq!(m >> (i * 8 + 7) & 1 == 1, bad(b), "{word:?} byte {i}");
                    }
                    assert_eq!(m & !0x8080_8080_8080_8080, 0);
                }
            }
        }
    }

    #[test]
    fn control_byte_finds_the_first_bad_byte() {
        let bad = |c: u8| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
        for len in 0..40 {
            for fill in [b'a', b'\n', b'\t', 0x80, 0xff] {
                for special in [
                    None,
                    Some(0x00),
                    Some(0x01),
                    Some(0x0b),
                    Some(0x1f),
                    Some(b'\n'),
                    Some(0x7f),
                    Some(0x80),
                ] {
                    for at in 0..len.max(1) {
                        let mut b = vec![fill; len];
                        if let (Some(c), true) = (special, at < len) {
                            b[at] = c;
                        }
                        // A second bad byte later must not be the one found.
                        if at + 3 < len {
                            b[at + 3] = 0x02;
                        }
                        assert_eq!(control_byte(&b), b.iter().position(|&c| bad(c)), "{b:?}");
                    }
                }
            }
        }
    }
}
