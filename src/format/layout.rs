//! Layout: each item's syntax tree to lines, with the canonical
//! spacing, and long sets, constants and conditions broken to fit.

use super::*;

/// One output line before comments are placed.
#[derive(Debug)]
pub(super) struct Line {
    pub(super) indent: usize,
    pub(super) text: String,
    /// Source offset of its first token.
    pub(super) start: usize,
    /// A blank line goes before it (and before the comments above it).
    pub(super) blank_before: bool,
    pub(super) above: Vec<String>,
    pub(super) trailing: Vec<String>,
}

#[derive(Debug)]
pub(super) struct ItemLayout {
    pub(super) lines: Vec<Line>,
    /// `rule` and `source` items are set off by blank lines.
    pub(super) block: bool,
    /// Source had a blank line just before the item.
    pub(super) blank_before_src: bool,
    /// Indented comments after the item's last line.
    pub(super) after: Vec<String>,
}

/// A fragment of a condition: lines with absolute indents; the first
/// line's indent is where the caller put it.
pub(super) type Frag = Vec<(usize, String, usize)>;

pub(super) struct Layout<'a> {
    /// Offset of the chunk in the file.
    pub(super) base: usize,
    /// Start offsets of all comments in the file, sorted.
    pub(super) comment_starts: &'a [usize],
}

/// Flat text of a tree node: tokens as written, separated canonically.
pub(super) fn flat(p: &Pair<'_, Rule>) -> String {
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

pub(super) fn width(s: &str) -> usize {
    s.chars().count()
}

pub(super) fn blank_line_before(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    if line_start == 0 {
        return false;
    }
    let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    text[prev_start..line_start - 1].trim().is_empty()
}

impl Layout<'_> {
    pub(super) fn start(&self, p: &Pair<'_, Rule>) -> usize {
        self.base + p.as_span().start()
    }

    pub(super) fn end(&self, p: &Pair<'_, Rule>) -> usize {
        self.base + p.as_span().start() + p.as_str().trim_end().len()
    }

    /// A comment starts strictly inside the node.
    pub(super) fn has_comment(&self, p: &Pair<'_, Rule>) -> bool {
        let (s, e) = (self.start(p), self.end(p));
        let i = self.comment_starts.partition_point(|&c| c <= s);
        self.comment_starts.get(i).is_some_and(|&c| c < e)
    }

    pub(super) fn line(&self, indent: usize, text: String, p: &Pair<'_, Rule>) -> Line {
        Line {
            indent,
            text,
            start: self.start(p),
            blank_before: false,
            above: Vec::new(),
            trailing: Vec::new(),
        }
    }

    pub(super) fn item(&self, p: Pair<'_, Rule>, text: &str) -> Result<ItemLayout, FormatError> {
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
    pub(super) fn long_set(&self, p: &Pair<'_, Rule>, lines: &mut Vec<Line>) {
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
    pub(super) fn fill(
        &self,
        p: &Pair<'_, Rule>,
        head: String,
        names: &[Pair<'_, Rule>],
        tail: &str,
        lines: &mut Vec<Line>,
    ) {
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
    pub(super) fn long_const(&self, p: &Pair<'_, Rule>, lines: &mut Vec<Line>) {
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

    pub(super) fn criterion(&self, p: Pair<'_, Rule>, lines: &mut Vec<Line>) {
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
    pub(super) fn expr(&self, p: &Pair<'_, Rule>, col: usize, k: usize) -> Frag {
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
pub(super) fn const_list_width(p: &Pair<'_, Rule>) -> usize {
    let kids: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
    match kids.get(2) {
        Some(v) if v.as_rule() == Rule::set_list => width(&format!("const {} = {}", kids[1].as_str(), flat(v))),
        _ => 0,
    }
}

/// The node holds a `when`, or an `and` / `or` chain of three or more
/// operands: those always break over lines.
pub(super) fn must_break(p: &Pair<'_, Rule>) -> bool {
    let long_chain = matches!(p.as_rule(), Rule::or_expr | Rule::and_expr) && p.clone().into_inner().count() >= 5;
    p.as_rule() == Rule::when_expr || long_chain || p.clone().into_inner().any(|c| must_break(&c))
}
