//! The final text: the laid-out items joined, with every comment put back
//! where it was.

use super::layout::blank_line_before;
use super::*;

/// Where a comment goes.
pub(super) enum Place {
    /// Above line `l` of item `i`.
    Above(usize, usize),
    /// At the end of line `l` of item `i`.
    Trailing(usize, usize),
    /// After the last line of item `i`, indented with it.
    After(usize),
    /// On its own at the top level, before item `i` (or at the end).
    TopLevel,
}

pub(super) fn assemble(text: &str, mut items: Vec<ItemLayout>, all: &[Comment]) -> String {
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

pub(super) fn render_item(it: &ItemLayout, out: &mut String) {
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
