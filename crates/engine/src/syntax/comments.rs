//! Comments: the one part of rule text the grammar skips.
//!
//! The formatter keeps them and the linter reads directives from them, so
//! they are found here by a scan of the raw text that knows only what the
//! grammar knows about them: `#` outside a string starts a comment that
//! runs to the end of the line; a string is `"..."` with `\` escapes.
//!
//! Invariants: never fails and never panics, on any text; comments come
//! out in file order; `start..end` is the comment from `#` to the last
//! character before the line break (a `\r` and trailing blanks excluded).

/// One `#` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// Byte offset just after the comment's last non-blank character.
    pub end: usize,
    /// Only blanks stand before it on its line.
    pub own_line: bool,
    /// Byte offset of the start of its line.
    pub line_start: usize,
}

impl Comment {
    /// The comment's text, `#` included.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }

    /// Its column in bytes from the start of the line (0 for column 1).
    pub fn column(&self) -> usize {
        self.start - self.line_start
    }
}

/// Every comment of a rule file, in order.
pub fn comments(text: &str) -> Vec<Comment> {
    // The characters that matter are ASCII, so a byte scan is exact: no
    // byte of a multi-byte UTF-8 character equals one of them.
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = 0;
    let mut blank_so_far = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line_start = i + 1;
            blank_so_far = true;
            // A string may run over a line break; its state carries on.
            escaped = false;
        } else if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            blank_so_far = false;
        } else if b == b'"' {
            in_string = true;
            blank_so_far = false;
        } else if b == b'#' {
            let len = text[i..].find('\n').unwrap_or(text.len() - i);
            let end = i + text[i..i + len].trim_end().len();
            out.push(Comment {
                start: i,
                end,
                own_line: blank_so_far,
                line_start,
            });
            // Continue at the line break, which resets the line state.
            i += len;
            continue;
        } else if !b.is_ascii_whitespace() {
            blank_so_far = false;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_line_and_trailing_comments() {
        let src = "# head\nrule r \"a # not a comment\" # tail\r\n  # inner  \n";
        let c = comments(src);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].text(src), "# head");
        assert!(c[0].own_line);
        assert_eq!(c[1].text(src), "# tail");
        assert!(!c[1].own_line);
        assert_eq!(c[2].text(src), "# inner");
        assert!(c[2].own_line);
        assert_eq!(c[2].column(), 2);
    }

    #[test]
    fn escaped_quotes_stay_in_the_string() {
        let src = "const x = 1 \"say \\\"#1\\\"\" # real\n";
        let c = comments(src);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text(src), "# real");
    }

    #[test]
    fn any_text_is_scanned_without_panic() {
        for src in ["\"", "#", "\"\\", "é#é\n\"é", "\n\n#\n"] {
            let _ = comments(src);
        }
    }
}
