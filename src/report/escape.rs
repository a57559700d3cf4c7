//! Text taken from input, made safe for a terminal.
//!
//! A case id, a request's text, a file name can hold control characters:
//! an escape sequence that retitles the window, moves the cursor or hides
//! what follows, a carriage return that overwrites the start of a line.
//! The text renderers pass everything they take from input through
//! [`escape_terminal`]; JSON needs nothing (serde escapes control
//! characters).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls,
/// DEL, and the Unicode marks that reorder the text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every control character (newlines and tabs too) written as
/// an escape (`\x1b`, `\n`, `\u{202e}`): for one value on one line.
pub fn escape_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Rendered text of several lines (a diagnostic with an excerpt): control
/// characters escaped, except newlines and tabs, and, when `color`, the
/// colour sequences (`ESC [ digits ; ... m`) the renderer wrote.
pub fn escape_terminal_text(s: &str, color: bool) -> Cow<'_, str> {
    let unsafe_at = |c: char| c != '\n' && c != '\t' && is_unsafe(c);
    if !s.chars().any(unsafe_at) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if color && c == '\u{1b}' {
            if let Some(n) = sgr_len(rest) {
                out.push_str(&rest[..n]);
                rest = &rest[n..];
                continue;
            }
        }
        if unsafe_at(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of a colour sequence at the start of `s`, if there is one.
fn sgr_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.get(1) != Some(&b'[') {
        return None;
    }
    let mut i = 2;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b';') {
        i += 1;
    }
    (b.get(i) == Some(&b'm')).then_some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape_terminal("plain id"), "plain id");
        assert_eq!(escape_terminal("a\u{1b}]0;owned\u{7}b"), "a\\x1b]0;owned\\x07b");
        assert_eq!(escape_terminal("x\ny\rz"), "x\\ny\\rz");
        assert_eq!(escape_terminal("\u{202e}gpj.exe"), "\\u{202e}gpj.exe");
        assert_eq!(escape_terminal("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn text_keeps_lines_and_colour() {
        assert_eq!(escape_terminal_text("a\n\tb", false), "a\n\tb");
        assert_eq!(
            escape_terminal_text("\u{1b}[1;31merror\u{1b}[0m", true),
            "\u{1b}[1;31merror\u{1b}[0m"
        );
        assert_eq!(escape_terminal_text("\u{1b}[1;31m", false), "\\x1b[1;31m");
        assert_eq!(escape_terminal_text("\u{1b}]8;;x\u{7}", true), "\\x1b]8;;x\\x07");
    }
}
