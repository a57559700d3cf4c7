//! A fast path for the block-YAML subset case files are written in, tried
//! before `saphyr-parser` (see [`super::yaml`]).
//!
//! Invariant: [`parse`] returns exactly the tree the saphyr path returns
//! for the same text (kinds, scalar text, `quoted` flags, every span,
//! mappings' and lists' included), or `None`, and the saphyr path runs. It
//! never reports an error: every diagnostic comes from the saphyr path.
//!
//! What it accepts: printable ASCII with `\n` or `\r\n` line ends (no tab);
//! comments and blank lines; an optional leading `---`; block mappings
//! with single-line plain or quoted keys; block lists (`- item`, compact
//! `- key: value`, indentless lists under a key); single-line plain
//! scalars that hold no `#`, no `:` and no bracket and none of whose
//! words starts like an indicator; single-line quoted scalars (`''` in
//! single quotes, only `\"` and `\\` escapes in double quotes); one-line
//! flow lists and mappings of those (no trailing comma in a mapping).
//! Anything else (anchors, tags, block scalars, `?` keys, multi-line
//! scalars or flow collections, a second document or a `...`, deeper
//! nesting than a case has, an indentation YAML reads subtly) is declined.
//!
//! Spans follow the saphyr parser's markers: a block collection runs from
//! its first key or `-` (an indentless list: from after its first `- `)
//! to the start of the next token after it (the end of the text at the
//! end); a quoted scalar and a flow collection's closing bracket take the
//! spaces after them (and a comment, outside brackets); an empty value is
//! an empty span at its `:` (or after its `-`, its spaces and comment).

use std::borrow::Cow;

use super::limits::Limits;
use super::tree::{Kind, Node, Scalar, is_null_word, span};

/// Nesting the fast path takes; deeper files go to the saphyr path (which
/// also reports the depth limit).
const MAX_FAST_DEPTH: usize = 32;

/// The tree of `text` (at byte `base` of the case file), or `None` when the
/// text is outside the subset this parser is sure of.
pub fn parse<'a>(text: &'a str, base: usize, limits: &Limits) -> Option<Node<'a>> {
    // Every byte is looked at by one of the loops below, which decline
    // on any byte that is not printable ASCII, `\n` or `\r`.
    let b = text.as_bytes();
    let mut p = P {
        s: text,
        b,
        pos: 0,
        line_start: 0,
        col: None,
        base,
        depth: 0,
        max_depth: MAX_FAST_DEPTH.min(limits.max_depth.saturating_sub(2)),
    };
    p.document()
}

struct P<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Where the line holding `pos` starts.
    line_start: usize,
    /// The column of the next token (at `pos`) once a node is done; `None`
    /// at the end of the text.
    col: Option<usize>,
    base: usize,
    depth: usize,
    max_depth: usize,
}

/// The bytes a run of a plain scalar stops at: all but printable ASCII,
/// and space, `:`, `#`, `,` and brackets.
const PLAIN_STOP: [bool; 256] = table(b" :#,[]{}");

/// The bytes a run of a quoted scalar stops at: all but printable ASCII,
/// and quotes and backslash.
const QUOTED_STOP: [bool; 256] = table(b"'\"\\");

const fn table(stops: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i < 0x20 || i >= 0x7f;
        i += 1;
    }
    let mut j = 0;
    while j < stops.len() {
        t[stops[j] as usize] = true;
        j += 1;
    }
    t
}

/// Whether `c` is a byte no text the fast path takes holds.
fn foreign(c: u8) -> bool {
    (c < 0x20 && c != b'\n' && c != b'\r') || c >= 0x7f
}

/// Space, line end or end of text.
fn blank_or_end(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | 0)
}

impl<'a> P<'a> {
    fn peek(&self, i: usize) -> u8 {
        self.b.get(self.pos + i).copied().unwrap_or(0)
    }

    fn at_eol(&self) -> bool {
        matches!(self.peek(0), b'\n' | b'\r' | 0)
    }

    fn skip_spaces(&mut self) -> usize {
        let from = self.pos;
        while self.peek(0) == b' ' {
            self.pos += 1;
        }
        self.pos - from
    }

    /// From a `#` to the end of its line (not past it).
    fn skip_comment(&mut self) -> Option<()> {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'\n' | b'\r' => break,
                _ if foreign(c) => return None,
                _ => self.pos += 1,
            }
        }
        Some(())
    }

    /// Past the bytes that `stop` does not stop at.
    fn run(&mut self, stop: &[bool; 256]) {
        let rest = self.b.get(self.pos..).unwrap_or(&[]);
        self.pos += rest.iter().position(|&c| stop[c as usize]).unwrap_or(rest.len());
    }

    fn node(&self, start: usize, end: usize, kind: Kind<'a>) -> Node<'a> {
        Node {
            span: span(self.base + start, self.base + end),
            kind,
        }
    }

    fn scalar(&self, start: usize, end: usize, text: Cow<'a, str>, quoted: bool) -> Node<'a> {
        let kind = if !quoted && is_null_word(&text) {
            Kind::Null
        } else {
            Kind::Scalar(Scalar { text, quoted })
        };
        self.node(start, end, kind)
    }

    /// Past the line break at `pos` (or at the end of the text).
    fn line_break(&mut self) -> Option<()> {
        match self.peek(0) {
            0 if self.pos >= self.b.len() => {}
            b'\n' => self.pos += 1,
            b'\r' if self.peek(1) == b'\n' => self.pos += 2,
            _ => return None,
        }
        self.line_start = self.pos;
        Some(())
    }

    /// The rest of the line holds only spaces and a comment: skip it and
    /// its line break.
    fn end_line(&mut self) -> Option<()> {
        let spaces = self.skip_spaces();
        if self.peek(0) == b'#' {
            if spaces == 0 && self.pos > self.line_start && self.b[self.pos - 1] != b' ' {
                return None;
            }
            self.skip_comment()?;
        }
        self.line_break()
    }

    /// From a line start, skip blank and comment lines to the next token;
    /// set `col`. A document marker declines.
    fn advance(&mut self) -> Option<()> {
        loop {
            self.skip_spaces();
            match self.peek(0) {
                0 if self.pos >= self.b.len() => {
                    self.col = None;
                    return Some(());
                }
                b'#' => {
                    self.skip_comment()?;
                    self.line_break()?;
                }
                b'\n' | b'\r' => self.line_break()?,
                _ => {
                    let col = self.pos - self.line_start;
                    if col == 0 && self.document_marker() {
                        return None;
                    }
                    self.col = Some(col);
                    return Some(());
                }
            }
        }
    }

    fn document_marker(&self) -> bool {
        let r = &self.b[self.pos..];
        (r.starts_with(b"---") || r.starts_with(b"...")) && blank_or_end(r.get(3).copied().unwrap_or(0))
    }

    fn document(&mut self) -> Option<Node<'a>> {
        // Blank and comment lines, then perhaps `---`.
        loop {
            self.skip_spaces();
            match self.peek(0) {
                b'#' => {
                    self.skip_comment()?;
                    self.line_break()?;
                }
                b'\n' | b'\r' => self.line_break()?,
                _ => break,
            }
        }
        if self.pos == self.line_start && self.b[self.pos..].starts_with(b"---") {
            self.pos += 3;
            if !matches!(self.peek(0), b' ' | b'\n' | b'\r') {
                return None;
            }
            self.end_line()?;
        }
        self.advance()?;
        let col = self.col?;
        let root = self.node_at(col, true)?;
        if self.col.is_some() || !matches!(root.kind, Kind::Map(_) | Kind::Seq(_)) {
            return None;
        }
        Some(root)
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= self.max_depth).then_some(())
    }

    /// The node whose first token is at `pos`, column `col`, in block
    /// context; `block` allows a list or mapping starting here (not after
    /// `key: ` on the same line). Leaves `pos` at the next token.
    fn node_at(&mut self, col: usize, block: bool) -> Option<Node<'a>> {
        let start = self.pos;
        match self.peek(0) {
            b'-' if blank_or_end(self.peek(1)) => {
                if !block {
                    return None;
                }
                self.block_seq(col, false)
            }
            b'[' | b'{' => {
                let n = self.flow(true)?;
                if self.peek(0) == b':' {
                    return None;
                }
                self.end_line()?;
                self.advance()?;
                Some(n)
            }
            q @ (b'"' | b'\'') => {
                let text = self.quoted(q)?;
                self.skip_spaces();
                if self.peek(0) == b':' {
                    if !block || !blank_or_end(self.peek(1)) || self.pos - start > 1000 {
                        return None;
                    }
                    let key = self.scalar(start, self.pos, text, true);
                    return self.block_map(col, key);
                }
                if self.peek(0) == b'#' {
                    if self.b[self.pos - 1] != b' ' {
                        return None;
                    }
                    self.skip_comment()?;
                }
                let n = self.scalar(start, self.pos, text, true);
                self.line_break()?;
                self.advance()?;
                Some(n)
            }
            _ => {
                let (end, key) = self.plain_block()?;
                let n = self.scalar(start, end, Cow::Borrowed(&self.s[start..end]), false);
                if key {
                    if !block || end - start > 1000 {
                        return None;
                    }
                    return self.block_map(col, n);
                }
                self.end_line()?;
                self.advance()?;
                Some(n)
            }
        }
    }

    /// A plain scalar in block context from `pos`: its end, and whether it
    /// is a key (`pos` is then at its `:`; else at the spaces after it).
    fn plain_block(&mut self) -> Option<(usize, bool)> {
        if !plain_start(self.peek(0), self.peek(1)) {
            return None;
        }
        let mut end = self.pos;
        loop {
            let from = self.pos;
            self.run(&PLAIN_STOP);
            if self.pos > from {
                end = self.pos;
            }
            match self.peek(0) {
                b' ' => {
                    let at = self.pos;
                    self.skip_spaces();
                    if self.peek(0) == b'#' || self.at_eol() {
                        self.pos = at;
                        return Some((end, false));
                    }
                    // A word after a space: as at the start (saphyr reads
                    // `- ` or `-}` there as an indicator).
                    if self.peek(0) != b':' && !plain_start(self.peek(0), self.peek(1)) {
                        return None;
                    }
                }
                b'\n' | b'\r' | 0 => return Some((end, false)),
                b':' => {
                    return if blank_or_end(self.peek(1)) {
                        Some((end, true))
                    } else {
                        None
                    };
                }
                b',' => {
                    self.pos += 1;
                    end = self.pos;
                }
                _ => return None,
            }
        }
    }

    /// A plain scalar in a flow collection from `pos`: its end (`pos` at
    /// the `,`, bracket or, with `key`, `:` after it).
    fn plain_flow(&mut self, key: bool) -> Option<usize> {
        if !plain_start(self.peek(0), self.peek(1)) {
            return None;
        }
        let mut end = self.pos;
        loop {
            let from = self.pos;
            self.run(&PLAIN_STOP);
            if self.pos > from {
                end = self.pos;
            }
            match self.peek(0) {
                b' ' => {
                    self.skip_spaces();
                    let c = self.peek(0);
                    if !matches!(c, b',' | b']' | b'}' | b':') && !plain_start(c, self.peek(1)) {
                        return None;
                    }
                }
                b',' | b']' | b'}' => return Some(end),
                b':' if key && self.peek(1) == b' ' => return Some(end),
                _ => return None,
            }
        }
    }

    /// A one-line quoted scalar at `pos`; `pos` ends past its closing quote.
    fn quoted(&mut self, q: u8) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let from = self.pos;
        let mut owned: Option<String> = None;
        let mut run = from;
        loop {
            self.run(&QUOTED_STOP);
            let c = self.peek(0);
            match c {
                _ if c == q && q == b'\'' && self.peek(1) == b'\'' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.s[run..=self.pos]);
                    self.pos += 2;
                    run = self.pos;
                }
                _ if c == q => {
                    let text = match owned {
                        None => Cow::Borrowed(&self.s[from..self.pos]),
                        Some(mut s) => {
                            s.push_str(&self.s[run..self.pos]);
                            Cow::Owned(s)
                        }
                    };
                    self.pos += 1;
                    return Some(text);
                }
                b'\\' if q == b'"' => {
                    let e = self.peek(1);
                    if e != b'"' && e != b'\\' {
                        return None;
                    }
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.s[run..self.pos]);
                    s.push(e as char);
                    self.pos += 2;
                    run = self.pos;
                }
                b'"' | b'\'' | b'\\' => self.pos += 1,
                _ => return None,
            }
        }
    }

    /// A block mapping at column `col` whose first key is parsed (`pos` at
    /// its `:`).
    fn block_map(&mut self, col: usize, first: Node<'a>) -> Option<Node<'a>> {
        self.enter()?;
        let start = first.span.start as usize - self.base;
        let mut entries = Vec::new();
        let mut key = first;
        loop {
            let colon = self.pos;
            self.pos += 1;
            self.skip_spaces();
            let value = if self.peek(0) == b'#' || self.at_eol() {
                self.end_line()?;
                self.advance()?;
                match self.col {
                    Some(m) if m > col => self.node_at(m, true)?,
                    Some(m) if m == col && self.peek(0) == b'-' && blank_or_end(self.peek(1)) => {
                        self.block_seq(col, true)?
                    }
                    _ => self.node(colon, colon, Kind::Null),
                }
            } else {
                let c = self.pos - self.line_start;
                self.node_at(c, false)?
            };
            entries.push((key, value));
            match self.col {
                Some(m) if m == col => {
                    let at = self.pos;
                    key = match self.peek(0) {
                        q @ (b'"' | b'\'') => {
                            let text = self.quoted(q)?;
                            self.skip_spaces();
                            self.scalar(at, self.pos, text, true)
                        }
                        _ => {
                            let (end, is_key) = self.plain_block()?;
                            if !is_key {
                                return None;
                            }
                            self.scalar(at, end, Cow::Borrowed(&self.s[at..end]), false)
                        }
                    };
                    if self.peek(0) != b':' || !blank_or_end(self.peek(1)) || self.pos - at > 1000 {
                        return None;
                    }
                }
                Some(m) if m > col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(self.node(start, self.pos, Kind::Map(entries)))
    }

    /// A block list at column `col`, `pos` at its first `-`.
    fn block_seq(&mut self, col: usize, indentless: bool) -> Option<Node<'a>> {
        self.enter()?;
        let mut start = self.pos;
        let mut items = Vec::new();
        loop {
            self.pos += 1;
            let spaces = self.skip_spaces();
            if self.peek(0) == b'#' {
                if spaces == 0 {
                    return None;
                }
                self.skip_comment()?;
            }
            if indentless && items.is_empty() {
                start = self.pos;
            }
            let item = if self.at_eol() {
                let n = self.node(self.pos, self.pos, Kind::Null);
                self.line_break()?;
                self.advance()?;
                if self.col.is_some_and(|m| m > col) {
                    return None;
                }
                n
            } else {
                let c = self.pos - self.line_start;
                self.node_at(c, true)?
            };
            items.push(item);
            match self.col {
                Some(m) if m == col && self.peek(0) == b'-' && blank_or_end(self.peek(1)) => {}
                Some(m) if m == col && indentless => break,
                Some(m) if m >= col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(self.node(start, self.pos, Kind::Seq(items)))
    }

    /// A one-line flow list or mapping at `pos`; `top` when not inside
    /// another (a comment after it is then part of its span).
    fn flow(&mut self, top: bool) -> Option<Node<'a>> {
        self.enter()?;
        let start = self.pos;
        let seq = self.peek(0) == b'[';
        let close = if seq { b']' } else { b'}' };
        self.pos += 1;
        self.skip_spaces();
        let mut items = Vec::new();
        let mut entries = Vec::new();
        while self.peek(0) != close {
            if seq {
                items.push(self.flow_item(false)?);
            } else {
                let key = self.flow_item(true)?;
                let long = (key.span.end - key.span.start) > 1000;
                if long
                    || !matches!(key.kind, Kind::Scalar(_) | Kind::Null)
                    || self.peek(0) != b':'
                    || self.peek(1) != b' '
                {
                    return None;
                }
                self.pos += 1;
                self.skip_spaces();
                entries.push((key, self.flow_item(false)?));
            }
            self.skip_spaces();
            match self.peek(0) {
                b',' => {
                    self.pos += 1;
                    self.skip_spaces();
                    // saphyr ends a flow mapping with a trailing comma
                    // elsewhere: leave it to saphyr.
                    if !seq && self.peek(0) == close {
                        return None;
                    }
                }
                c if c == close => {}
                _ => return None,
            }
        }
        self.pos += 1;
        let spaces = self.skip_spaces();
        if self.peek(0) == b'#' {
            if !top || spaces == 0 {
                return None;
            }
            self.skip_comment()?;
        }
        self.depth -= 1;
        let kind = if seq { Kind::Seq(items) } else { Kind::Map(entries) };
        Some(self.node(start, self.pos, kind))
    }

    /// An item of a flow collection (with `key`, a flow mapping's key).
    fn flow_item(&mut self, key: bool) -> Option<Node<'a>> {
        let start = self.pos;
        match self.peek(0) {
            b'[' | b'{' if !key => self.flow(false),
            q @ (b'"' | b'\'') => {
                let text = self.quoted(q)?;
                self.skip_spaces();
                if self.peek(0) == b'#' || (!key && self.peek(0) == b':') {
                    return None;
                }
                Some(self.scalar(start, self.pos, text, true))
            }
            _ => {
                let end = self.plain_flow(key)?;
                Some(self.scalar(start, end, Cow::Borrowed(&self.s[start..end]), false))
            }
        }
    }
}

/// Whether a plain scalar may start with `c` (followed by `next`) without
/// YAML reading it as an indicator.
fn plain_start(c: u8, next: u8) -> bool {
    match c {
        b'-' => next.is_ascii_alphanumeric() || next == b'.',
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
        | b'%' | b'@' | b'`' | b' ' | b'\n' | b'\r' | 0 => false,
        _ => true,
    }
}

/// For tests and the fuzz target: `Ok(true)` when the fast path accepts
/// `text` and its tree is the saphyr path's, `Ok(false)` when it declines,
/// `Err` (both trees) when it accepts and they differ or saphyr fails.
#[doc(hidden)]
pub fn check_against_saphyr(text: &str) -> Result<bool, String> {
    let limits = Limits::default();
    let Some(fast) = parse(text, 0, &limits) else {
        return Ok(false);
    };
    // The loader skips its escaped-control walk for what the fast path
    // read (`yaml::parse_flagged`): no scalar of it may hold one.
    if let Some(c) = control_in(&fast) {
        return Err(format!(
            "fast accepted {text:?} with a control character {c:?} in a scalar"
        ));
    }
    match super::yaml::parse_saphyr(text, 0, &limits) {
        Ok(slow) if slow == fast => Ok(true),
        Ok(slow) => {
            let (f, s) = first_difference(&fast, &slow);
            Err(format!("the trees differ for {text:?}:\nfast:   {f}\nsaphyr: {s}"))
        }
        Err(e) => Err(format!("fast accepted {text:?}, saphyr failed: {e:?}\nfast: {fast:?}")),
    }
}

/// A control character (tab and line breaks aside) in any scalar of `n`.
fn control_in(n: &Node<'_>) -> Option<char> {
    match &n.kind {
        Kind::Null => None,
        Kind::Scalar(s) => s
            .text
            .chars()
            .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
        Kind::Seq(items) => items.iter().find_map(control_in),
        Kind::Map(entries) => entries
            .iter()
            .find_map(|(k, v)| control_in(k).or_else(|| control_in(v))),
    }
}

/// The first nodes (depth first) where two trees differ, shown without
/// their children.
fn first_difference(a: &Node<'_>, b: &Node<'_>) -> (String, String) {
    let show = |n: &Node<'_>| {
        let kind = match &n.kind {
            Kind::Null => "null".to_string(),
            Kind::Scalar(s) => format!("{:?} quoted={}", s.text, s.quoted),
            Kind::Seq(v) => format!("list of {}", v.len()),
            Kind::Map(v) => format!("mapping of {}", v.len()),
        };
        format!("{kind} at {}..{}", n.span.start, n.span.end)
    };
    fn children<'n, 'a>(n: &'n Node<'a>) -> Vec<&'n Node<'a>> {
        match &n.kind {
            Kind::Seq(v) => v.iter().collect(),
            Kind::Map(v) => v.iter().flat_map(|(k, x)| [k, x]).collect(),
            _ => Vec::new(),
        }
    }
    let (ca, cb) = (children(a), children(b));
    if show(a) != show(b) || ca.len() != cb.len() {
        return (show(a), show(b));
    }
    for (x, y) in ca.into_iter().zip(cb) {
        if x != y {
            return first_difference(x, y);
        }
    }
    (show(a), show(b))
}
