//! The document tree both front ends (YAML, JSON) produce: mappings with
//! keys in source order, lists, scalars with their text and style, and
//! null, each with the byte span it covers in the case file.
//!
//! Spans are in [`FILE`], a stand-in for "this case file": a
//! [`super::CaseErrors`] moves them into a real `SourceMap` when shown.

use std::borrow::Cow;

use crate::diag::{FileId, Span};

/// The file id of every span the loader makes (see the module doc).
pub const FILE: FileId = FileId(0);

/// A span of the case file from byte `start` to byte `end`.
pub fn span(start: usize, end: usize) -> Span {
    Span::new(FILE, start, end.max(start))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    pub span: Span,
    pub kind: Kind<'a>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'a> {
    /// `null`, `~` or nothing (YAML); `null` (JSON).
    Null,
    Scalar(Scalar<'a>),
    Seq(Vec<Node<'a>>),
    /// Keys in source order, repeats kept (the walker reports them).
    Map(Vec<(Node<'a>, Node<'a>)>),
}

/// A scalar as written. `quoted` is true for anything but a plain YAML
/// scalar or a bare JSON token: `"yes"`, `'5'` and block scalars are text
/// whatever they spell, while plain `true` or `5` are typed by the fact
/// that reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar<'a> {
    pub text: Cow<'a, str>,
    pub quoted: bool,
}

impl Node<'_> {
    /// The entries of a mapping, if it is one.
    pub fn entries(&self) -> Option<&[(Node<'_>, Node<'_>)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a scalar, quoted or not.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The value of key `k` of a mapping (the first, if repeated).
    pub fn get(&self, k: &str) -> Option<&Node<'_>> {
        self.entries()?
            .iter()
            .find(|(key, _)| key.text() == Some(k))
            .map(|(_, v)| v)
    }

    /// What this node is, for "found ..." in messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Null => "nothing (null)".into(),
            Kind::Seq(_) => "a list".into(),
            Kind::Map(_) => "a mapping".into(),
            Kind::Scalar(s) => {
                let shown: String = s.text.chars().take(40).collect();
                let cut = if shown.len() < s.text.len() { "..." } else { "" };
                if s.quoted {
                    format!("the text \"{shown}{cut}\"")
                } else {
                    match super::value::plain(&s.text) {
                        super::value::Plain::Bool(b) => format!("`{b}`"),
                        super::value::Plain::Text => format!("the text \"{shown}{cut}\""),
                        _ => format!("the number {shown}{cut}"),
                    }
                }
            }
        }
    }
}

/// A plain YAML scalar that means null.
pub fn is_null_word(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}
