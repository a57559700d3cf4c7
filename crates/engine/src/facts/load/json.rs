//! JSON text (a `.json` file or one line of a JSON Lines file) to a
//! [`Node`] tree with byte spans.
//!
//! Hand-written, one pass, an explicit stack instead of recursion (so
//! linear time and no stack overflow on any input). Strings without
//! escapes are borrowed; numbers keep their text, checked against the
//! JSON grammar; `true`, `false` and numbers are plain scalars, strings
//! quoted ones, as in YAML.

use std::borrow::Cow;

use super::limits::Limits;
use super::tree::{Kind, Node, Scalar, span};
use crate::diag::Diagnostic;

/// Parse one JSON value; `base` is its byte offset in the case file.
pub fn parse<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<Node<'a>, Diagnostic> {
    parse_flagged(text, base, limits).map(|(node, _)| node)
}

/// [`parse`], and whether some string decoded from escapes holds a
/// control character other than tab and line breaks (only then can
/// [`super::escaped_controls`] find anything in the tree).
///
/// The items of the open containers wait on two shared stacks; a
/// container's own vector is made, at its exact size, when it closes.
pub fn parse_flagged<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<(Node<'a>, bool), Diagnostic> {
    flagged(text, base, limits).map_err(|e| *e)
}

/// A syntax error, boxed: the scanning functions return it through
/// every call, and a small `Err` keeps their results in registers.
type Error = Box<Diagnostic>;

fn flagged<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<(Node<'a>, bool), Error> {
    let mut p = P {
        text,
        b: text.as_bytes(),
        i: 0,
        base,
        control: false,
    };
    // Sized for a case of a few kilobytes (a few dozen keys), so a typical
    // case never grows them; a large one grows them as usual.
    let mut stack: Vec<Frame<'a>> = Vec::with_capacity(8);
    let mut items: Vec<Node<'a>> = Vec::with_capacity(16);
    let mut entries: Vec<(Node<'a>, Node<'a>)> = Vec::with_capacity(48);
    p.ws();
    if p.i >= p.b.len() {
        return Ok((
            Node {
                span: span(base, base),
                kind: Kind::Null,
            },
            false,
        ));
    }
    loop {
        // A value.
        p.ws();
        let start = p.i;
        let node = match p.peek() {
            Some(b'{') | Some(b'[') => {
                if stack.len() >= limits.max_depth {
                    return Err(Box::new(super::yaml::too_deep(base + start, 1, limits)));
                }
                let seq = p.b[p.i] == b'[';
                p.i += 1;
                p.ws();
                let close = if seq { b']' } else { b'}' };
                if p.peek() == Some(close) {
                    p.i += 1;
                    Node {
                        span: p.span(start, p.i),
                        kind: if seq {
                            Kind::Seq(Vec::new())
                        } else {
                            Kind::Map(Vec::new())
                        },
                    }
                } else if seq {
                    stack.push(Frame::Seq(start, items.len()));
                    continue;
                } else {
                    let key = p.key()?;
                    stack.push(Frame::Map(start, entries.len(), Some(key)));
                    continue;
                }
            }
            Some(b'"') => {
                let text = p.string()?;
                Node {
                    span: p.span(start, p.i),
                    kind: Kind::Scalar(Scalar { text, quoted: true }),
                }
            }
            Some(b't') => p.word("true", start)?,
            Some(b'f') => p.word("false", start)?,
            Some(b'n') => {
                p.word("null", start)?;
                Node {
                    span: p.span(start, p.i),
                    kind: Kind::Null,
                }
            }
            Some(b'-' | b'0'..=b'9') => p.number()?,
            Some(_) => return Err(p.unexpected("a value")),
            None => return Err(p.error("the JSON ends where a value should be")),
        };
        // Put it in its container, closing containers as they end.
        let mut node = node;
        loop {
            match stack.last_mut() {
                None => {
                    p.ws();
                    if p.i < p.b.len() {
                        return Err(p.unexpected("the end of the JSON value"));
                    }
                    return Ok((node, p.control));
                }
                Some(Frame::Seq(s, from)) => {
                    items.push(node);
                    p.ws();
                    match p.peek() {
                        Some(b',') => {
                            p.i += 1;
                            break;
                        }
                        Some(b']') => {
                            p.i += 1;
                            let (s, from) = (*s, *from);
                            stack.pop();
                            node = Node {
                                span: p.span(s, p.i),
                                kind: Kind::Seq(items.split_off(from)),
                            };
                        }
                        _ => return Err(p.unexpected("`,` or `]`")),
                    }
                }
                Some(Frame::Map(s, from, key)) => {
                    if let Some(k) = key.take() {
                        entries.push((k, node));
                    }
                    p.ws();
                    match p.peek() {
                        Some(b',') => {
                            p.i += 1;
                            let k = p.key()?;
                            if let Some(Frame::Map(_, _, key)) = stack.last_mut() {
                                *key = Some(k);
                            }
                            break;
                        }
                        Some(b'}') => {
                            p.i += 1;
                            let (s, from) = (*s, *from);
                            stack.pop();
                            node = Node {
                                span: p.span(s, p.i),
                                kind: Kind::Map(entries.split_off(from)),
                            };
                        }
                        _ => return Err(p.unexpected("`,` or `}`")),
                    }
                }
            }
        }
    }
}

/// An open container: where it starts, where its items start on the
/// shared stack, and (a mapping) the key waiting for its value.
enum Frame<'a> {
    Seq(usize, usize),
    Map(usize, usize, Option<Node<'a>>),
}

struct P<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    base: usize,
    /// A string decoded from escapes holds a control character.
    control: bool,
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn span(&self, start: usize, end: usize) -> crate::diag::Span {
        span(self.base + start, self.base + end)
    }

    #[cold]
    fn error(&self, message: impl Into<String>) -> Error {
        let end = (self.i + 1).min(self.b.len()).max(self.i);
        let end = (end..=self.b.len())
            .find(|&e| self.text.is_char_boundary(e))
            .unwrap_or(self.b.len());
        Box::new(Diagnostic::error("json-syntax", self.span(self.i, end), message))
    }

    #[cold]
    fn unexpected(&self, wanted: &str) -> Error {
        match self.text.get(self.i..).and_then(|r| r.chars().next()) {
            Some(c) => self.error(format!("expected {wanted}, found `{}`", c.escape_default())),
            None => self.error(format!("the JSON ends where {wanted} should be")),
        }
    }

    /// A key and its `:`.
    #[inline]
    fn key(&mut self) -> Result<Node<'a>, Error> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a key in double quotes"));
        }
        let start = self.i;
        let text = self.string()?;
        let key = Node {
            span: self.span(start, self.i),
            kind: Kind::Scalar(Scalar { text, quoted: true }),
        };
        self.ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:`"));
        }
        self.i += 1;
        Ok(key)
    }

    #[inline]
    fn word(&mut self, w: &str, start: usize) -> Result<Node<'a>, Error> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(Node {
                span: self.span(start, self.i),
                kind: Kind::Scalar(Scalar {
                    text: Cow::Borrowed(&self.text[start..self.i]),
                    quoted: false,
                }),
            })
        } else {
            Err(self.unexpected("a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - from
    }

    #[inline]
    fn number(&mut self) -> Result<Node<'a>, Error> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            self.i = int_start;
            return Err(self.error("a JSON number has digits, and no leading zero"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.error("a JSON number has digits after its `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("a JSON number has digits in its exponent"));
            }
        }
        Ok(Node {
            span: self.span(start, self.i),
            kind: Kind::Scalar(Scalar {
                text: Cow::Borrowed(&self.text[start..self.i]),
                quoted: false,
            }),
        })
    }

    /// A string at `"`; borrowed when it has no escapes.
    #[inline]
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.i += 1;
        let start = self.i;
        self.i = plain_run(self.b, start);
        if self.peek() == Some(b'"') {
            let text = &self.text[start..self.i];
            self.i += 1;
            return Ok(Cow::Borrowed(text));
        }
        self.string_escaped(start)
    }

    /// The rest of a string whose plain run from `start` stopped before
    /// its closing quote: at an escape, a control character or the end.
    #[inline(never)]
    fn string_escaped(&mut self, start: usize) -> Result<Cow<'a, str>, Error> {
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            match self.peek() {
                None => return Err(self.error("a JSON string is not closed")),
                Some(b'"') => {
                    let tail = &self.text[run..self.i];
                    self.i += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            self.control |= raw_control(tail);
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                Some(b'\\') => {
                    let s = owned.get_or_insert_with(String::new);
                    let raw = &self.text[run..self.i];
                    self.control |= raw_control(raw);
                    s.push_str(raw);
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return Err(self.error("a JSON surrogate escape is not paired"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("a JSON surrogate escape is not paired"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(c) => {
                                    self.control |= is_escaped_control(c);
                                    s.push(c);
                                }
                                None => return Err(self.error("a JSON `\\u` escape is not a character")),
                            }
                            run = self.i;
                            continue;
                        }
                        _ => return Err(self.error("unknown escape in a JSON string")),
                    };
                    self.control |= is_escaped_control(c);
                    s.push(c);
                    self.i += 1;
                    run = self.i;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error("a control character inside a JSON string (write it as an escape)"));
                }
                Some(_) => self.i = plain_run(self.b, self.i + 1),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self
            .text
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|h| u32::from_str_radix(h, 16).ok()) {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.error("a JSON `\\u` escape needs four hex digits")),
        }
    }
}

/// A control character that a decoded string may not hold (tabs and
/// line breaks are text).
fn is_escaped_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether a run of a string as written (no `"`, `\\` nor C0 control
/// byte: the scan stopped at those) holds a control character: DEL, or
/// a C1 control (U+0080 to U+009F, `0xC2 0x80..0x9F` in UTF-8).
fn raw_control(run: &str) -> bool {
    run.bytes().any(|b| b == 0x7f || b == 0xc2) && run.chars().any(is_escaped_control)
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The bytes of `w` that a JSON string treats specially (`"`, `\\` or a
/// control character) have their high bit set; the lowest set bit is
/// exactly the first such byte (a borrow only ever flags bytes above a
/// true one).
fn special(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(LOW) & !x & HIGH;
    zero(w ^ (LOW * u64::from(b'"'))) | zero(w ^ (LOW * u64::from(b'\\'))) | (w.wrapping_sub(LOW * 0x20) & !w & HIGH)
}

/// The first position from `i` on that holds a byte a JSON string treats
/// specially (`"`, `\\` or a control character), or the end: eight
/// bytes at a time, the last few padded to a word.
#[inline]
fn plain_run(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let m = special(u64::from_le_bytes(word));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = b.get(i..).unwrap_or_default();
    if rest.is_empty() {
        return b.len();
    }
    // Padding with `"` stops the scan at the end at the latest.
    let mut word = [b'"'; 8];
    word[..rest.len()].copy_from_slice(rest);
    let m = special(u64::from_le_bytes(word));
    (i + (m.trailing_zeros() / 8) as usize).min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Node<'_>, Diagnostic> {
        parse(text, 0, &Limits::default())
    }

    #[test]
    fn values_spans_and_escapes() {
        let text = r#"{"a": [1, -2.5e3, true, null], "é": "x\"y\u00e9\ud83d\ude00", "b": {}}"#;
        let n = p(text).unwrap();
        let Kind::Seq(items) = &n.get("a").unwrap().kind else {
            panic!()
        };
        assert_eq!(items[1].text(), Some("-2.5e3"));
        assert_eq!(
            &text[items[1].span.start as usize..items[1].span.end as usize],
            "-2.5e3"
        );
        assert_eq!(items[3].kind, Kind::Null);
        assert_eq!(n.get("é").unwrap().text(), Some("x\"yé😀"));
        assert!(matches!(n.get("a").unwrap().kind, Kind::Seq(_)));
    }

    #[test]
    fn syntax_errors_are_located() {
        for (text, at) in [
            ("{\"a\": }", 6),
            ("[1, 2", 5),
            ("{\"a\": 1} x", 9),
            ("[01]", 1),
            ("\"abc", 4),
            ("{a: 1}", 1),
        ] {
            let e = p(text).unwrap_err();
            assert_eq!(e.code, "json-syntax", "{text}");
            assert_eq!(e.span.unwrap().start, at, "{text}: {}", e.message);
        }
    }

    #[test]
    fn word_scans_find_what_byte_scans_find() {
        // Every special byte at every position of strings around the
        // eight-byte word size, among plain ASCII and multi-byte text.
        for len in 0..20 {
            for fill in [b'a', 0x7e, 0xc3, 0x80, 0xff] {
                for special in [
                    None,
                    Some(b'"'),
                    Some(b'\\'),
                    Some(0x00),
                    Some(0x1f),
                    Some(b'\n'),
                    Some(0x7f),
                ] {
                    for at in 0..len.max(1) {
                        let mut b = vec![fill; len];
                        if let (Some(c), true) = (special, at < len) {
                            b[at] = c;
                        }
                        for from in 0..=len {
                            let naive = (from..len)
                                .find(|&i| b[i] == b'"' || b[i] == b'\\' || b[i] < 0x20)
                                .unwrap_or(len);
                            assert_eq!(plain_run(&b, from), naive, "{b:?} from {from}");
                        }
                        let bad = |c: u8| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f;
                        assert_eq!(super::super::control_byte(&b), b.iter().position(|&c| bad(c)), "{b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_control_flag_is_set_exactly_when_the_tree_walk_finds_one() {
        // Escapes of every kind, raw C0 (tab, line breaks) and C1
        // characters, in keys and values, with and without other escapes.
        let pieces = [
            "a",
            "\\u0007",
            "\\u0085",
            "\\t",
            "\\n",
            "\\r",
            "\\b",
            "\\f",
            "\\\"",
            "\\\\",
            "\\/",
            "\\u00e9",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "\u{7f}",
            "\\u007f",
            "\\ud83d\\ude00",
            "é",
        ];
        let mut n = 0;
        for a in pieces {
            for b in pieces {
                for text in [
                    format!("{{\"k\": \"{a}{b}\"}}"),
                    format!("{{\"{a}{b}\": [1, \"x\"]}}"),
                    format!("[\"{a}\", {{\"k\": \"{b}\"}}]"),
                ] {
                    let (node, flag) = parse_flagged(&text, 0, &Limits::default()).unwrap();
                    let mut diags = Vec::new();
                    super::super::escaped_controls(&text, &node, &mut diags);
                    assert_eq!(flag, !diags.is_empty(), "{text}");
                    n += usize::from(flag);
                }
            }
        }
        assert!(n > 100, "the flag is set in {n} texts");
    }

    #[test]
    fn deep_nesting_is_one_located_error() {
        let text = "[".repeat(40_000) + &"]".repeat(40_000);
        assert_eq!(p(&text).unwrap_err().code, "too-deep");
        let text = "{\"a\":".repeat(40_000) + "1" + &"}".repeat(40_000);
        assert_eq!(p(&text).unwrap_err().code, "too-deep");
    }
}
