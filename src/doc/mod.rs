//! `mtus doc`: the rule library as a readable, linked book, in HTML and
//! Markdown, for a clinician to review without reading the rule language.
//!
//! `model.rs` builds the book's content once from the checked `Program`
//! and the cases' recorded reasons (`because:`); `cond.rs` puts a
//! criterion's condition into words; `html.rs` and `markdown.rs` draw the
//! same content; `write.rs` writes the book's folder.
//!
//! Invariants: never decides a case (which rules are in force on a date
//! is `eval::select`, the engine's own choice); reads of a case only its
//! recorded decisions' `because:` and the treatment, date and id of the
//! request each is about, never its facts; every text taken from rule or
//! case files is escaped in both formats; output depends only on the rules,
//! the cases, their paths and the date (no clock, no hash order).

pub mod cond;
pub mod html;
pub mod markdown;
pub mod model;
pub mod write;

pub use model::{Book, CaseInput, Link, PageId, build};
pub use write::{WriteError, write_book};

/// The book's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

/// One page: which, its file name without extension, its title.
#[derive(Clone, Debug)]
pub struct Page {
    pub id: PageId,
    pub stem: String,
    pub title: String,
}

impl Book {
    /// Every page, in the order the index lists them.
    pub fn pages(&self) -> Vec<Page> {
        let mut pages = vec![
            Page {
                id: PageId::Index,
                stem: "index".into(),
                title: "MTUS rule book".into(),
            },
            Page {
                id: PageId::InForce,
                stem: "in-force".into(),
                title: format!("In force on {}", self.date),
            },
            Page {
                id: PageId::Treatments,
                stem: "treatments".into(),
                title: "Treatments".into(),
            },
            Page {
                id: PageId::Facts,
                stem: "facts".into(),
                title: "Facts (glossary)".into(),
            },
            Page {
                id: PageId::Constants,
                stem: "constants".into(),
                title: "Numbers and lists (constants)".into(),
            },
        ];
        for (i, s) in self.sources.iter().enumerate() {
            pages.push(Page {
                id: PageId::Source(i),
                stem: s.stem.clone(),
                title: format!("{} ({})", s.title, s.id),
            });
        }
        pages
    }

    /// A page's file name without extension.
    pub fn stem(&self, id: PageId) -> String {
        match id {
            PageId::Index => "index".into(),
            PageId::InForce => "in-force".into(),
            PageId::Treatments => "treatments".into(),
            PageId::Facts => "facts".into(),
            PageId::Constants => "constants".into(),
            PageId::Source(i) => self.sources.get(i).map_or_else(|| "index".into(), |s| s.stem.clone()),
        }
    }

    /// The relative link to a place in the book.
    pub fn href(&self, link: &Link, format: Format) -> String {
        let mut s = format!("{}.{}", self.stem(link.page), format.ext());
        if let Some(a) = &link.anchor {
            s.push('#');
            s.push_str(a);
        }
        s
    }
}

/// The files of the book in one format: (file name, content), in page
/// order.
pub fn render(book: &Book, format: Format) -> Vec<(String, String)> {
    book.pages()
        .iter()
        .map(|page| {
            let text = match format {
                Format::Html => html::page(book, page),
                Format::Markdown => markdown::page(book, page),
            };
            (format!("{}.{}", page.stem, format.ext()), text)
        })
        .collect()
}

/// Percent-encode a relative path for a link: letters, digits and
/// `-._~/` stay, every other byte is `%XX`.
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
