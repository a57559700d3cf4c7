//! Rule files in one canonical layout (`mtus fmt`).
//!
//! The layout is built from the parse tree (every token as written: names,
//! strings, numbers and dates are copied, never re-spelled), then the
//! comments the grammar skips are put back by their place in the file:
//!
//! - items start in column 1; `rule` and `source` items are set off by one
//!   blank line, other items keep the author's grouping (at most one blank
//!   line between them);
//! - the clauses of an item (`tier`, `effective`, `cites`, `applies to`,
//!   `supplements`, `aka`, `confidence`) go one per line, indented 2, in the
//!   order written; a constant's `confidence` goes on the line under it,
//!   indented 2;
//! - a criterion starts on its own line, indented 2, after one blank line;
//!   its own `cites` line, `confidence` line and its condition follow,
//!   indented 4;
//! - `when` / `then` / `else` each start a line; an `and` / `or` chain of
//!   three or more operands, or one that does not fit in [`MAX_WIDTH`]
//!   columns (or has a comment inside), goes one operand per line with the
//!   operator first; a part that breaks again is indented 2 more;
//! - an own-line comment stays above the line it preceded, at that line's
//!   indent (after an item's last line, an indented comment stays with the
//!   item); a trailing comment stays at the end of its line.
//!
//! Invariants: the formatted text parses to the same syntax tree (spans
//! aside) and holds the same comments in the same order, checked on every
//! call, so a formatting bug is an error, never a changed rule; formatting
//! formatted text changes nothing; a file with a syntax error is not
//! formatted.

use pest::iterators::Pair;

use crate::diag::{Diagnostic, FileId};
use crate::syntax::comments::{Comment, comments};
use crate::syntax::parse::{Rule, chunks, item_tree, parse_file};

/// Conditions longer than this many columns are broken over lines.
pub const MAX_WIDTH: usize = 100;

/// Why a file could not be formatted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// The file does not parse; nothing was formatted.
    #[error("the file has {} syntax error(s)", .0.len())]
    Syntax(Vec<Diagnostic>),
    /// The formatter would have changed the meaning, lost a comment or not
    /// reached a fixed point: a bug in the formatter, reported instead of
    /// writing a changed rule.
    #[error("internal formatter error: {0}")]
    Internal(String),
}

/// Format one rule file. `file` is the id diagnostics point into (the text
/// should be in the caller's `SourceMap` under that id).
pub fn format_source(file: FileId, text: &str) -> Result<String, FormatError> {
    let (before, diags) = parse_file(file, text);
    if !diags.is_empty() {
        return Err(FormatError::Syntax(diags));
    }
    let before_tree = tree_key(&before);
    let before_comments = comment_texts(text);
    // One pass is a fixed point in all but rare comment placements (a
    // comment inside a condition that a pass moves to the end of a line);
    // a second pass settles those.
    let mut current = format_once(text)?;
    let mut settled = false;
    for _ in 0..3 {
        let next = format_once(&current)?;
        if next == current {
            settled = true;
            break;
        }
        current = next;
    }
    if !settled {
        return Err(FormatError::Internal("the layout does not settle".into()));
    }
    let (after, diags) = parse_file(file, &current);
    if !diags.is_empty() {
        return Err(FormatError::Internal(format!(
            "the formatted text does not parse: {}",
            diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; ")
        )));
    }
    if tree_key(&after) != before_tree {
        return Err(FormatError::Internal("the formatted text means something else".into()));
    }
    if comment_texts(&current) != before_comments {
        return Err(FormatError::Internal(
            "the formatted text lost or reordered a comment".into(),
        ));
    }
    Ok(current)
}

/// The syntax tree as text, without spans: equal for texts that say the
/// same thing.
pub fn tree_key(file: &crate::syntax::ast::RuleFile) -> String {
    strip_spans(&format!("{:?}", file.items))
}

/// Remove every `Span { .. }` from a `Debug` dump.
pub fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { file: ") {
        out.push_str(&rest[..i]);
        match rest[i..].find(" }") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn comment_texts(text: &str) -> Vec<String> {
    comments(text).iter().map(|c| c.text(text).to_string()).collect()
}

// ---------------------------------------------------------------------------
// layout

/// One output line before comments are placed.
#[derive(Debug)]
struct Line {
    indent: usize,
    text: String,
    /// Source offset of its first token.
    start: usize,
    /// A blank line goes before it (and before the comments above it).
    blank_before: bool,
    above: Vec<String>,
    trailing: Vec<String>,
}

#[derive(Debug)]
struct ItemLayout {
    lines: Vec<Line>,
    /// `rule` and `source` items are set off by blank lines.
    block: bool,
    /// Source had a blank line just before the item.
    blank_before_src: bool,
    /// Indented comments after the item's last line.
    after: Vec<String>,
}

/// A fragment of a condition: lines with absolute indents; the first
/// line's indent is where the caller put it.
type Frag = Vec<(usize, String, usize)>;

struct Layout<'a> {
    /// Offset of the chunk in the file.
    base: usize,
    /// Start offsets of all comments in the file, sorted.
    comment_starts: &'a [usize],
}

fn format_once(text: &str) -> Result<String, FormatError> {
    let all = comments(text);
    let starts: Vec<usize> = all.iter().map(|c| c.start).collect();
    let mut items = Vec::new();
    for chunk in chunks(text) {
        let tree = item_tree(chunk.text)
            .ok_or_else(|| FormatError::Internal(format!("an item at byte {} does not parse", chunk.start)))?;
        let lay = Layout {
            base: chunk.start,
            comment_starts: &starts,
        };
        items.push(lay.item(tree, text)?);
    }
    Ok(assemble(text, items, &all))
}

/// Flat text of a tree node: tokens as written, separated canonically.
fn flat(p: &Pair<'_, Rule>) -> String {
    let kids = || p.clone().into_inner();
    let join = |sep: &str| kids().map(|c| flat(&c)).collect::<Vec<_>>().join(sep);
    match p.as_rule() {
        Rule::string => p.as_str().to_string(),
        Rule::set_list => format!("[{}]", join(", ")),
        Rule::paren => format!("({})", join(" ")),
        Rule::list_type => format!("list<{}>", kids().map(|c| flat(&c)).last().unwrap_or_default()),
        Rule::pages => {
            let prefix = if p.as_str().starts_with("pp.") { "pp." } else { "p." };
            format!("{prefix} {}", join(", "))
        }
        Rule::applies_clause => {
            let names: Vec<String> = kids()
                .filter(|c| !matches!(c.as_rule(), Rule::kw_applies | Rule::kw_to))
                .map(|c| flat(&c))
                .collect();
            format!("applies to {}", names.join(", "))
        }
        Rule::treatment_classes => {
            let names: Vec<String> = kids()
                .filter(|c| c.as_rule() != Rule::kw_class)
                .map(|c| flat(&c))
                .collect();
            format!("class {}", names.join(", "))
        }
        Rule::units_clause => {
            let mut head = Vec::new();
            let mut names = Vec::new();
            for c in kids() {
                match c.as_rule() {
                    Rule::ident => names.push(flat(&c)),
                    _ => head.push(flat(&c)),
                }
            }
            format!("{} {}", head.join(" "), names.join(", "))
        }
        Rule::fact_range => {
            let bounds: Vec<String> = kids()
                .filter(|c| c.as_rule() == Rule::range_bound)
                .map(|c| flat(&c))
                .collect();
            format!("range {}", bounds.join(".."))
        }
        Rule::treatment_aka => {
            let names: Vec<String> = kids()
                .filter(|c| c.as_rule() != Rule::kw_aka)
                .map(|c| flat(&c))
                .collect();
            format!("aka {}", names.join(", "))
        }
        Rule::fact_item => {
            let mut out = String::new();
            for c in kids() {
                match c.as_rule() {
                    Rule::kw_fact => out.push_str("fact"),
                    Rule::path | Rule::ident => {
                        out.push(' ');
                        out.push_str(c.as_str());
                        out.push(':');
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&flat(&c));
                    }
                }
            }
            out
        }
        Rule::confidence_clause => {
            let mut words = kids().filter(|c| c.as_rule() != Rule::kw_confidence).map(|c| flat(&c));
            let level = words.next().unwrap_or_default();
            let ids: Vec<String> = words.collect();
            format!("confidence {level} {}", ids.join(", "))
        }
        Rule::const_item => {
            let mut out = String::new();
            // A `confidence` line goes under the constant (see `Layout::item`).
            for (i, c) in kids().filter(|c| c.as_rule() != Rule::confidence_clause).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&flat(&c));
                if i == 1 {
                    out.push_str(" =");
                }
            }
            out
        }
        Rule::fact_type | Rule::criterion_kind | Rule::expr => join(" "),
        _ => {
            if p.clone().into_inner().next().is_none() {
                p.as_str().trim().to_string()
            } else {
                join(" ")
            }
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn blank_line_before(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0 {
        return false;
    }
    let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    text[prev_start..line_start - 1].trim().is_empty()
}

impl Layout<'_> {
    fn start(&self, p: &Pair<'_, Rule>) -> usize {
        self.base + p.as_span().start()
    }

    fn end(&self, p: &Pair<'_, Rule>) -> usize {
        self.base + p.as_span().start() + p.as_str().trim_end().len()
    }

    /// A comment starts strictly inside the node.
    fn has_comment(&self, p: &Pair<'_, Rule>) -> bool {
        let (s, e) = (self.start(p), self.end(p));
        let i = self.comment_starts.partition_point(|&c| c <= s);
        self.comment_starts.get(i).is_some_and(|&c| c < e)
    }

    fn line(&self, indent: usize, text: String, p: &Pair<'_, Rule>) -> Line {
        Line {
            indent,
            text,
            start: self.start(p),
            blank_before: false,
            above: Vec::new(),
            trailing: Vec::new(),
        }
    }

    fn item(&self, p: Pair<'_, Rule>, text: &str) -> Result<ItemLayout, FormatError> {
        let rule = p.as_rule();
        let blank_before_src = blank_line_before(text, self.start(&p));
        let mut lines = Vec::new();
        match rule {
            Rule::source_item | Rule::rule_item | Rule::treatment_item => {
                // Header: the keyword, name and title (and a treatment's classes).
                let mut head = Vec::new();
                let mut rest = Vec::new();
                for (i, c) in p.clone().into_inner().enumerate() {
                    let in_head = i < 3
                        || (rule == Rule::treatment_item
                            && matches!(c.as_rule(), Rule::treatment_classes | Rule::units_clause));
                    if in_head && rest.is_empty() {
                        head.push(c);
                    } else {
                        rest.push(c);
                    }
                }
                let head_text = head.iter().map(flat).collect::<Vec<_>>().join(" ");
                lines.push(self.line(0, head_text, &p));
                for c in rest {
                    if c.as_rule() == Rule::criterion {
                        self.criterion(c, &mut lines);
                    } else {
                        lines.push(self.line(2, flat(&c), &c));
                    }
                }
            }
            Rule::const_item => {
                if const_list_width(&p) > MAX_WIDTH {
                    self.long_const(&p, &mut lines);
                } else {
                    lines.push(self.line(0, flat(&p), &p));
                }
                if let Some(c) = p.clone().into_inner().find(|c| c.as_rule() == Rule::confidence_clause) {
                    lines.push(self.line(2, flat(&c), &c));
                }
            }
            Rule::fact_item | Rule::extend_item if width(&flat(&p)) > MAX_WIDTH => self.long_set(&p, &mut lines),
            Rule::fact_item | Rule::extend_item | Rule::class_item => lines.push(self.line(0, flat(&p), &p)),
            _ => return Err(FormatError::Internal(format!("unexpected item {rule:?}"))),
        }
        Ok(ItemLayout {
            lines,
            block: matches!(rule, Rule::source_item | Rule::rule_item),
            blank_before_src,
            after: Vec::new(),
        })
    }

    /// A fact declaration or extension whose value list is too long for one
    /// line: the text before the list, the names filled line by line
    /// (continuation lines indented 2), then the rest after the list.
    fn long_set(&self, p: &Pair<'_, Rule>, lines: &mut Vec<Line>) {
        let flat_item = |kids: &[Pair<'_, Rule>]| -> String {
            // Flat text of the item's own children, as `flat` lays them out.
            let mut out = String::new();
            for c in kids {
                match c.as_rule() {
                    Rule::kw_fact if out.is_empty() => out.push_str("fact"),
                    Rule::path | Rule::ident if p.as_rule() == Rule::fact_item => {
                        out.push(' ');
                        out.push_str(c.as_str());
                        out.push(':');
                    }
                    _ => {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(&flat(c));
                    }
                }
            }
            out
        };
        let kids: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
        let Some(at) = kids
            .iter()
            .position(|c| matches!(c.as_rule(), Rule::fact_of | Rule::set_list))
        else {
            lines.push(self.line(0, flat(p), p));
            return;
        };
        let list = if kids[at].as_rule() == Rule::fact_of {
            kids[at].clone().into_inner().find(|c| c.as_rule() == Rule::set_list)
        } else {
            Some(kids[at].clone())
        };
        let Some(list) = list else {
            lines.push(self.line(0, flat(p), p));
            return;
        };
        let mut head = flat_item(&kids[..at]);
        head.push_str(if kids[at].as_rule() == Rule::fact_of {
            " of ["
        } else {
            " ["
        });
        let tail = flat_item(&kids[at + 1..]);
        let names: Vec<Pair<'_, Rule>> = list.into_inner().collect();
        self.fill(p, head, &names, &tail, lines);
    }

    /// Names filled after `head`, `]` after the last, then ` tail`.
    fn fill(&self, p: &Pair<'_, Rule>, head: String, names: &[Pair<'_, Rule>], tail: &str, lines: &mut Vec<Line>) {
        let mut cur = self.line(0, head, p);
        let mut on_line = 0;
        for (i, n) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            let word = if last {
                format!("{}]", n.as_str())
            } else {
                format!("{},", n.as_str())
            };
            let sep = usize::from(on_line > 0);
            if on_line > 0 && cur.indent + width(&cur.text) + sep + width(&word) > MAX_WIDTH {
                lines.push(cur);
                cur = self.line(2, String::new(), n);
                on_line = 0;
            }
            if on_line > 0 {
                cur.text.push(' ');
            }
            cur.text.push_str(&word);
            on_line += 1;
        }
        if names.is_empty() {
            cur.text.push(']');
        }
        if !tail.is_empty() {
            cur.text.push(' ');
            cur.text.push_str(tail);
        }
        lines.push(cur);
    }

    /// A constant set too long for one line: names filled line by line,
    /// continuation lines indented 2.
    fn long_const(&self, p: &Pair<'_, Rule>, lines: &mut Vec<Line>) {
        let kids: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
        let (Some(name), Some(value)) = (kids.get(1), kids.get(2)) else {
            lines.push(self.line(0, flat(p), p));
            return;
        };
        if value.as_rule() != Rule::set_list {
            lines.push(self.line(0, flat(p), p));
            return;
        }
        // The description stays after the list, however long.
        let desc = kids
            .get(3)
            .filter(|d| d.as_rule() == Rule::string)
            .map(|d| flat(d))
            .unwrap_or_default();
        let names: Vec<Pair<'_, Rule>> = value.clone().into_inner().collect();
        self.fill(p, format!("const {} = [", name.as_str()), &names, &desc, lines);
    }

    fn criterion(&self, p: Pair<'_, Rule>, lines: &mut Vec<Line>) {
        let mut head = Vec::new();
        let mut cites = None;
        let mut confidence = None;
        let mut cond = None;
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::cites_clause => cites = Some(c),
                Rule::confidence_clause => confidence = Some(c),
                Rule::expr => cond = Some(c),
                _ => head.push(flat(&c)),
            }
        }
        let mut first = self.line(2, head.join(" "), &p);
        first.blank_before = true;
        lines.push(first);
        if let Some(c) = cites {
            lines.push(self.line(4, flat(&c), &c));
        }
        if let Some(c) = confidence {
            lines.push(self.line(4, flat(&c), &c));
        }
        if let Some(e) = cond {
            let mut frag = self.expr(&e, 4, 4);
            // The first line's indent is the caller's: here, the condition's own line.
            if let Some(first) = frag.first_mut() {
                first.0 = 4;
            }
            for (indent, text, start) in frag {
                lines.push(Line {
                    indent,
                    text,
                    start,
                    blank_before: false,
                    above: Vec::new(),
                    trailing: Vec::new(),
                });
            }
        }
    }

    /// Lay out a condition whose first token goes at column `col` of the
    /// caller's line (the first line's indent is left to the caller);
    /// lines it breaks off are indented `k`, and parts of those lines that
    /// break again go 2 deeper.
    fn expr(&self, p: &Pair<'_, Rule>, col: usize, k: usize) -> Frag {
        let text = flat(p);
        let one = || vec![(k, text.clone(), self.start(p))];
        let kids: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
        // `when`, `then` and `else` always start a line; so do the
        // operands of a chain of three or more.
        let fits = col + width(&text) <= MAX_WIDTH && !self.has_comment(p) && !must_break(p);
        if fits {
            return one();
        }
        // A part laid out after a keyword, on the keyword's line.
        let after = |kw: &Pair<'_, Rule>, part: &Pair<'_, Rule>, at: usize| {
            let word = kw.as_str().trim();
            let mut out = self.expr(part, at + word.len() + 1, k + 2);
            if let Some(first) = out.first_mut() {
                first.1 = format!("{word} {}", first.1);
                first.2 = self.start(kw);
            }
            out
        };
        match p.as_rule() {
            Rule::expr | Rule::test | Rule::sum | Rule::or_expr | Rule::and_expr | Rule::not_expr
                if kids.len() == 1 =>
            {
                self.expr(&kids[0], col, k)
            }
            Rule::when_expr | Rule::or_expr | Rule::and_expr => {
                let (mut out, mut i) = if p.as_rule() == Rule::when_expr {
                    (Frag::new(), 0)
                } else {
                    (self.expr(&kids[0], col, k + 2), 1)
                };
                while i + 1 < kids.len() {
                    let own_line = !out.is_empty();
                    let mut part = after(&kids[i], &kids[i + 1], if own_line { k } else { col });
                    if let (true, Some(first)) = (own_line, part.first_mut()) {
                        first.0 = k;
                    }
                    out.extend(part);
                    i += 2;
                }
                out
            }
            Rule::not_expr => {
                let nots = kids.len() - 1;
                let prefix = "not ".repeat(nots);
                let mut out = self.expr(&kids[nots], col + prefix.len(), k);
                if let Some(first) = out.first_mut() {
                    first.1 = format!("{prefix}{}", first.1);
                    first.2 = self.start(p);
                }
                out
            }
            Rule::paren => {
                let Some(inner) = kids.first() else {
                    return one();
                };
                let mut out = self.expr(inner, col + 1, k);
                if let Some(first) = out.first_mut() {
                    first.1 = format!("({}", first.1);
                    first.2 = self.start(p);
                }
                if let Some(last) = out.last_mut() {
                    last.1.push(')');
                }
                out
            }
            _ => one(),
        }
    }
}

/// The width of a `const` up to the end of its value: a description
/// after it never breaks a list.
fn const_list_width(p: &Pair<'_, Rule>) -> usize {
    let kids: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
    match kids.get(2) {
        Some(v) if v.as_rule() == Rule::set_list => width(&format!("const {} = {}", kids[1].as_str(), flat(v))),
        _ => 0,
    }
}

/// The node holds a `when`, or an `and` / `or` chain of three or more
/// operands: those always break over lines.
fn must_break(p: &Pair<'_, Rule>) -> bool {
    let long_chain = matches!(p.as_rule(), Rule::or_expr | Rule::and_expr) && p.clone().into_inner().count() >= 5;
    p.as_rule() == Rule::when_expr || long_chain || p.clone().into_inner().any(|c| must_break(&c))
}

// ---------------------------------------------------------------------------
// comments and the final text

/// Where a comment goes.
enum Place {
    /// Above line `l` of item `i`.
    Above(usize, usize),
    /// At the end of line `l` of item `i`.
    Trailing(usize, usize),
    /// After the last line of item `i`, indented with it.
    After(usize),
    /// On its own at the top level, before item `i` (or at the end).
    TopLevel,
}

fn assemble(text: &str, mut items: Vec<ItemLayout>, all: &[Comment]) -> String {
    // Every line's first-token offset, in file order.
    let mut index: Vec<(usize, usize, usize)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        for (l, line) in it.lines.iter().enumerate() {
            index.push((line.start, i, l));
        }
    }
    // Top-level entries: (offset, blank before in source, item or comment text).
    let mut top: Vec<(usize, bool, Result<usize, String>)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| it.lines.first().map(|l| (l.start, it.blank_before_src, Ok(i))))
        .collect();
    // Items followed by a top-level comment: an indented comment after
    // that one can no longer go with the item (it would be printed before
    // the top-level comment that came first).
    let mut closed = vec![false; items.len()];
    for c in all {
        let body = c.text(text).to_string();
        let after = index.partition_point(|&(s, _, _)| s <= c.start);
        let prev_item = after.checked_sub(1).map(|k| index[k].1);
        let place = if !c.own_line {
            match after.checked_sub(1) {
                Some(k) => Place::Trailing(index[k].1, index[k].2),
                None => Place::TopLevel,
            }
        } else {
            match index.get(after) {
                Some(&(_, i, l)) if l > 0 => Place::Above(i, l),
                _ => match prev_item {
                    Some(i) if c.column() > 0 && !closed[i] => Place::After(i),
                    _ => Place::TopLevel,
                },
            }
        };
        match place {
            Place::Above(i, l) => items[i].lines[l].above.push(body),
            Place::Trailing(i, l) => items[i].lines[l].trailing.push(body),
            Place::After(i) => items[i].after.push(body),
            Place::TopLevel => {
                if let Some(i) = prev_item {
                    closed[i] = true;
                }
                top.push((c.start, blank_line_before(text, c.start), Err(body)));
            }
        }
    }
    top.sort_by_key(|e| e.0);

    let mut out = String::new();
    let next_item_is_block = |k: usize| {
        top[k..]
            .iter()
            .find_map(|e| e.2.as_ref().ok().map(|&i| items[i].block))
            .unwrap_or(false)
    };
    for k in 0..top.len() {
        if k > 0 {
            let forced = match &top[k - 1].2 {
                Ok(prev) => items[*prev].block || next_item_is_block(k),
                Err(_) => false,
            };
            if forced || top[k].1 {
                out.push('\n');
            }
        }
        match &top[k].2 {
            Err(comment) => {
                out.push_str(comment);
                out.push('\n');
            }
            Ok(i) => render_item(&items[*i], &mut out),
        }
    }
    out
}

fn render_item(it: &ItemLayout, out: &mut String) {
    for line in &it.lines {
        if line.blank_before {
            out.push('\n');
        }
        let pad = " ".repeat(line.indent);
        // Comments that trailed lines joined into this one go above it;
        // the last one written keeps its place at the end.
        let (moved, kept) = line.trailing.split_at(line.trailing.len().saturating_sub(1));
        for c in line.above.iter().chain(moved) {
            out.push_str(&pad);
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(&line.text);
        if let Some(c) = kept.first() {
            out.push_str("  ");
            out.push_str(c);
        }
        out.push('\n');
    }
    for c in &it.after {
        out.push_str("  ");
        out.push_str(c);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        match format_source(FileId(0), src) {
            Ok(s) => s,
            Err(e) => panic!("{e}: {e:?}"),
        }
    }

    #[test]
    fn canonical_rule_layout() {
        let src = "rule   r \"R\" cites S \"x\"  pp.  1-2 ,3 applies to a,b\n   require  x \"X\" a.b  or  c.d\n   exclude y \"Y\"\n";
        assert_eq!(
            fmt(src),
            "rule r \"R\"\n  cites S \"x\" pp. 1-2, 3\n  applies to a, b\n\n  require x \"X\"\n    a.b or c.d\n\n  exclude y \"Y\"\n"
        );
    }

    #[test]
    fn ranges_extensions_and_units_have_one_layout() {
        let src = "fact  a.b :number   range 0 .. 21 \"A\"\nfact a.c: duration range 1  day ..20 year \"C\"\nextend   fact a.d  with [x ,y]\nclass k \"K\"  quantity  in visit ,day strength in mg\ntreatment t \"T\" class k strength in percent\n  aka \"tee\"\n";
        assert_eq!(
            fmt(src),
            "fact a.b: number range 0..21 \"A\"\nfact a.c: duration range 1 day..20 year \"C\"\nextend fact a.d with [x, y]\nclass k \"K\" quantity in visit, day strength in mg\ntreatment t \"T\" class k strength in percent\n  aka \"tee\"\n"
        );
        // A long vocabulary is filled line by line, the description after it.
        let names: Vec<String> = (0..40).map(|i| format!("value_{i}")).collect();
        let long = format!("fact a.e: list<symbol> of [{}] \"E\"\n", names.join(", "));
        let out = fmt(&long);
        assert!(out.lines().count() > 3, "{out}");
        assert!(
            out.lines()
                .all(|l| l.chars().count() <= MAX_WIDTH || l.ends_with("\"E\"")),
            "{out}"
        );
        assert!(out.starts_with("fact a.e: list<symbol> of [value_0, value_1,"), "{out}");
        assert!(out.ends_with("value_39] \"E\"\n"), "{out}");
        assert_eq!(fmt(&out), out);
        let ext = format!("extend fact a.e with [{}]\n", names.join(", "));
        let out = fmt(&ext);
        assert!(out.starts_with("extend fact a.e with [value_0,"), "{out}");
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn long_chains_break_one_operand_per_line() {
        let long = (0..12)
            .map(|i| format!("group.fact_{i}"))
            .collect::<Vec<_>>()
            .join(" and ");
        let src = format!("rule r \"R\"\n  require x \"X\" when a.b then {long} or c.d\n");
        let out = fmt(&src);
        assert!(
            out.contains("    when a.b\n    then group.fact_0\n        and group.fact_1\n"),
            "{out}"
        );
        assert!(out.contains("      or c.d\n"), "{out}");
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn comments_stay_where_they_were() {
        let src = "# file\n\n# about r\nrule r \"R\" # trailing\n  # before cites\n  cites S \"x\"\n  # before x\n  require x \"X\"\n    a.b # why\n  # left over\nfact a.b: bool \"d\"\n# end\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "# file\n\n# about r\nrule r \"R\"  # trailing\n  # before cites\n  cites S \"x\"\n\n  # before x\n  require x \"X\"\n    a.b  # why\n  # left over\n\nfact a.b: bool \"d\"\n# end\n"
        );
        assert_eq!(fmt(&out), out);
    }

    /// Found by the fuzzer: an indented comment after a column-0 comment
    /// that follows an item went with the item, so it was printed first.
    #[test]
    fn an_indented_comment_after_a_top_level_one_keeps_its_place() {
        for src in [
            "fact a.b: date \"x\"\n# c1\n  # c2\n",
            "fact a.b: date \"x\"\n  # with the fact\n# c1\n  # c2\nfact c.d: bool \"y\"\n",
        ] {
            let out = fmt(src);
            assert_eq!(comment_texts(&out), comment_texts(src), "{out}");
            assert_eq!(fmt(&out), out, "not idempotent: {out}");
        }
    }

    #[test]
    fn a_comment_inside_a_condition_breaks_it() {
        let src = "rule r \"R\"\n  require x \"X\"\n    a.b # one\n    or c.d # two\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "rule r \"R\"\n\n  require x \"X\"\n    a.b  # one\n    or c.d  # two\n"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn single_line_items_keep_their_grouping() {
        let src = "fact a.b: bool \"d\"\nfact a.c: list < symbol > of [x,y,] \"d\"\n\n\n\nconst k=6 visit\n";
        assert_eq!(
            fmt(src),
            "fact a.b: bool \"d\"\nfact a.c: list<symbol> of [x, y] \"d\"\n\nconst k = 6 visit\n"
        );
    }

    #[test]
    fn a_syntax_error_is_reported_not_formatted() {
        let Err(FormatError::Syntax(d)) = format_source(FileId(0), "rule r \"R\"\n  require x \"X\" a.b ==\n") else {
            panic!()
        };
        assert_eq!(d.len(), 1);
    }

    /// Mangled rule files never panic the formatter; what it formats, it
    /// formats to a fixed point.
    #[test]
    fn mangled_files_are_formatted_or_refused_never_broken() {
        let edits: [&str; 6] = ["", "#", "\n", "(", "\"", "\n  # c\n"];
        for (name, text) in crate::embedded::FILES {
            let step = (text.len() / 12).max(1);
            for (k, at) in (0..text.len()).step_by(step).enumerate() {
                let at = (at..text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                let edit = edits[k % edits.len()];
                let mut t = text.to_string();
                if edit.is_empty() {
                    let end = (at + 1..=t.len()).find(|&i| t.is_char_boundary(i)).unwrap_or(t.len());
                    t.replace_range(at..end, "");
                } else {
                    t.insert_str(at, edit);
                }
                match format_source(FileId(0), &t) {
                    Ok(once) => assert_eq!(fmt(&once), once, "{name} edited at {at}"),
                    Err(FormatError::Syntax(_)) => {}
                    Err(e) => panic!("{name} edited at {at}: {e}\n{t}"),
                }
            }
        }
    }

    #[test]
    fn strip_spans_removes_every_span() {
        assert_eq!(
            strip_spans("A { span: Span { file: FileId(0), start: 1, end: 2 } }"),
            "A { span:  }"
        );
    }
}
