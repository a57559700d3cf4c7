//! YAML text to a [`Node`] tree, through `saphyr-parser`'s event parser
//! (which reports where every event starts and ends).
//!
//! The parser's markers count characters; [`Offsets`] turns them into byte
//! offsets. Nesting deeper than [`Limits::max_depth`], any alias, any tag
//! other than `!!str`, and a second document are located errors; the
//! tree is built with an explicit stack, never recursion.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::limits::Limits;
use super::tree::{Kind, Node, Scalar, is_null_word, span};
use crate::diag::Diagnostic;

/// Parse one YAML document. `base` is the byte offset of `text` in the
/// case file (3 after a byte order mark). A file with no document is a
/// `Null` node.
///
/// The fast path ([`super::yaml_fast`]) reads the block-YAML subset case
/// files are written in, giving the same tree; on anything else it
/// declines and the event parser runs (every error comes from it).
pub fn parse<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<Node<'a>, Diagnostic> {
    parse_flagged(text, base, limits).map(|(n, _)| n)
}

/// [`parse`], and whether an escape may have spelt a control character
/// (only then can [`super::escaped_controls`] find anything in the tree):
/// never when the fast path read the text (its only escapes are `\"`,
/// `\\` and `''`), else when the text holds a backslash.
pub fn parse_flagged<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<(Node<'a>, bool), Diagnostic> {
    match super::yaml_fast::parse(text, base, limits) {
        Some(n) => Ok((n, false)),
        None => parse_saphyr(text, base, limits).map(|n| (n, text.contains('\\'))),
    }
}

/// [`parse`] through `saphyr-parser` only.
pub(crate) fn parse_saphyr<'a>(text: &'a str, base: usize, limits: &Limits) -> Result<Node<'a>, Diagnostic> {
    let offsets = Offsets::new(text, base);
    let mut stack: Vec<Frame<'a>> = Vec::new();
    let mut root: Option<Node<'a>> = None;
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, sp) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                let mut at = offsets.byte(e.marker().index());
                // Classified from the text at the error, never from the
                // parser's wording: a tab in the indentation of the line
                // (reported past it: point at it), or more open `[`/`{`
                // before it than the depth limit (the scanner's own bound
                // on nesting, which it reaches looking ahead).
                let tab = tab_in_indentation(text, at - base);
                if let Some(t) = tab {
                    at = base + t;
                }
                let width = char_width(text, at - base);
                if open_brackets(&text[..(at - base).min(text.len())]) > limits.max_depth {
                    return Err(too_deep(at, width, limits));
                }
                let width = text
                    .get(at - base..)
                    .and_then(|r| r.chars().next())
                    .map_or(0, char::len_utf8);
                let help = if tab.is_some() {
                    "indent with spaces: YAML does not allow tabs in indentation"
                } else {
                    "check the indentation, colons, quotes and brackets here and on the line above"
                };
                let mut d =
                    Diagnostic::error("yaml-syntax", span(at, at + width), lower_first(e.info())).with_help(help);
                // Inside `[...]` or `{...}`, the usual mistake is a bracket
                // never closed: show where it opened.
                let open = stack
                    .iter()
                    .rev()
                    .map(Frame::start)
                    .find(|&s| s >= base && matches!(text.as_bytes().get(s - base), Some(b'[' | b'{')));
                if let Some(s) = open {
                    let close = if text.as_bytes()[s - base] == b'[' { ']' } else { '}' };
                    d = d.with_note(
                        span(s, s + 1),
                        format!("this is still open here: is a `{close}` missing?"),
                    );
                }
                return Err(d);
            }
        };
        let (start, end) = (offsets.byte(sp.start.index()), offsets.byte(sp.end.index()));
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                if root.is_some() {
                    return Err(Diagnostic::error(
                        "yaml-documents",
                        span(start, end.max(start + 1).min(base + text.len())),
                        "the file holds more than one YAML document",
                    )
                    .with_help(
                        "one case per file: remove the `---` line and what follows, or move it to its own file",
                    ));
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(Diagnostic::error(
                    "yaml-aliases",
                    span(start, end),
                    "YAML aliases are not accepted in a case file",
                )
                .with_help("write the value out where it is needed instead of `*name`"));
            }
            Event::Scalar(text, style, _, tag) => {
                let mut quoted = style != ScalarStyle::Plain;
                if let Some(tag) = tag {
                    if tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str" {
                        quoted = true;
                    } else {
                        return Err(tag_error(&tag, (start, end)));
                    }
                }
                let kind = if !quoted && is_null_word(&text) {
                    Kind::Null
                } else {
                    Kind::Scalar(Scalar { text, quoted })
                };
                Node {
                    span: span(start, end),
                    kind,
                }
            }
            Event::SequenceStart(_, tag) => {
                open(
                    &mut stack,
                    true,
                    tag.as_deref(),
                    (start, end),
                    char_width(text, start - base),
                    limits,
                )?;
                continue;
            }
            Event::MappingStart(_, tag) => {
                open(
                    &mut stack,
                    false,
                    tag.as_deref(),
                    (start, end),
                    char_width(text, start - base),
                    limits,
                )?;
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(s, items)) => Node {
                    span: span(s, end),
                    kind: Kind::Seq(items),
                },
                _ => return Err(internal(start)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(s, entries, None)) => Node {
                    span: span(s, end),
                    kind: Kind::Map(entries),
                },
                _ => return Err(internal(start)),
            },
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(root.unwrap_or(Node {
        span: span(base, base),
        kind: Kind::Null,
    }))
}

/// A tag other than `!!str` on a scalar, list or mapping.
fn tag_error(tag: &saphyr_parser::Tag, (start, end): (usize, usize)) -> Diagnostic {
    Diagnostic::error(
        "yaml-tag",
        span(start, end),
        format!(
            "YAML tags such as `{}{}` are not accepted in a case file",
            tag.handle, tag.suffix
        ),
    )
    .with_help("remove the tag: the fact schema says what type each value is")
}

/// Start a list or mapping, within the depth limit.
fn open(
    stack: &mut Vec<Frame<'_>>,
    seq: bool,
    tag: Option<&saphyr_parser::Tag>,
    (start, end): (usize, usize),
    width: usize,
    limits: &Limits,
) -> Result<(), Diagnostic> {
    if let Some(tag) = tag {
        return Err(tag_error(tag, (start, end)));
    }
    if stack.len() >= limits.max_depth {
        return Err(too_deep(start, width, limits));
    }
    stack.push(if seq {
        Frame::Seq(start, Vec::new())
    } else {
        Frame::Map(start, Vec::new(), None)
    });
    Ok(())
}

enum Frame<'a> {
    Seq(usize, Vec<Node<'a>>),
    /// Start, entries so far, a key waiting for its value.
    Map(usize, Vec<(Node<'a>, Node<'a>)>, Option<Node<'a>>),
}

impl Frame<'_> {
    fn start(&self) -> usize {
        match self {
            Frame::Seq(s, _) | Frame::Map(s, _, _) => *s,
        }
    }
}

/// The length in bytes of the character at byte `i` of `text` (0 at the end).
fn char_width(text: &str, i: usize) -> usize {
    text.get(i..).and_then(|r| r.chars().next()).map_or(0, char::len_utf8)
}

/// Nesting past the limit, at the bracket or item (`width` bytes) that
/// goes one level too deep.
pub fn too_deep(at: usize, width: usize, limits: &Limits) -> Diagnostic {
    Diagnostic::error(
        "too-deep",
        span(at, at + width),
        format!(
            "mappings and lists nest more than {} levels deep here",
            limits.max_depth
        ),
    )
    .with_help("a case file nests a few levels at most; this is not a case file, or it is broken")
}

fn internal(at: usize) -> Diagnostic {
    Diagnostic::error("yaml-syntax", span(at, at), "unbalanced YAML structure")
}

/// "Did not find" for "did not find"; an acronym keeps its capitals.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if s.chars().nth(1).is_some_and(char::is_uppercase) => f.to_string() + c.as_str(),
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Character index to byte offset in the case file.
struct Offsets {
    base: usize,
    /// Byte offset of each character, and of the end; empty for ASCII
    /// text, where the two are the same.
    bytes: Vec<u32>,
    len: usize,
}

impl Offsets {
    fn new(text: &str, base: usize) -> Offsets {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        };
        Offsets {
            base,
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let b = if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).map_or(self.len, |&b| b as usize)
        };
        self.base + b
    }
}

/// The offset of a tab in the leading whitespace of the line holding
/// byte `pos` (or of the line before, when `pos` starts a line).
fn tab_in_indentation(text: &str, pos: usize) -> Option<usize> {
    let pos = pos.min(text.len());
    let line_start = |p: usize| text[..p].rfind('\n').map_or(0, |i| i + 1);
    let mut starts = vec![line_start(pos)];
    if starts[0] == pos && pos > 0 {
        starts.push(line_start(pos - 1));
    }
    starts.into_iter().find_map(|s| {
        let indent = text[s..].bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
        text[s..s + indent].find('\t').map(|t| s + t)
    })
}

/// How many `[` and `{` are open at the end of `text` (brackets in
/// quoted or plain text count too: an honest case never has dozens open).
fn open_brackets(text: &str) -> usize {
    text.bytes().fold(0usize, |depth, b| match b {
        b'[' | b'{' => depth + 1,
        b']' | b'}' => depth.saturating_sub(1),
        _ => depth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Node<'_>, Diagnostic> {
        parse(text, 0, &Limits::default())
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let text = "a: é€\nb: [x, \"yes\"]\n";
        let n = p(text).unwrap();
        let b = n.get("b").unwrap();
        let Kind::Seq(items) = &b.kind else { panic!() };
        assert_eq!(&text[items[0].span.start as usize..items[0].span.end as usize], "x");
        assert_eq!(
            &text[items[1].span.start as usize..items[1].span.end as usize],
            "\"yes\""
        );
        assert!(matches!(&items[1].kind, Kind::Scalar(s) if s.quoted && s.text == "yes"));
    }

    #[test]
    fn plain_null_words_are_null_and_quoted_ones_text() {
        let n = p("a: ~\nb:\nc: 'null'\n").unwrap();
        assert_eq!(n.get("a").unwrap().kind, Kind::Null);
        assert_eq!(n.get("b").unwrap().kind, Kind::Null);
        assert!(matches!(&n.get("c").unwrap().kind, Kind::Scalar(s) if s.quoted));
    }

    #[test]
    fn aliases_tags_and_second_documents_are_errors() {
        assert_eq!(p("a: &x 1\nb: *x\n").unwrap_err().code, "yaml-aliases");
        assert_eq!(p("a: !!int 1\n").unwrap_err().code, "yaml-tag");
        assert_eq!(p("a: 1\n---\nb: 2\n").unwrap_err().code, "yaml-documents");
        assert!(p("a: !!str 1\n").is_ok());
    }

    #[test]
    fn deep_nesting_is_one_located_error() {
        let text = "[".repeat(40_000) + &"]".repeat(40_000);
        let e = p(&text).unwrap_err();
        assert_eq!(e.code, "too-deep", "{e:?}");
        assert!(e.span.unwrap().start <= 256);
        let block = "- ".repeat(40_000) + "x\n";
        assert_eq!(p(&block).unwrap_err().code, "too-deep");
        let maps = "{a: ".repeat(40_000) + "1" + &"}".repeat(40_000);
        assert_eq!(p(&maps).unwrap_err().code, "too-deep");
    }
}
