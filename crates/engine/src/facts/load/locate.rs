//! Where a fact of a loaded case is written in its file, for `mtus
//! explain`: the file's tree is read again and the fact's key path looked
//! up in it, so a [`Case`] carries no spans (it stays small for the
//! audit).
//!
//! Invariants: reads only; never fails (a text that does not parse, or a
//! fact not written, gives no place); the places are in source order.

use super::tree::{Kind, Node};
use super::{Limits, json, yaml};
use crate::check::{FactRef, Program, TreatmentId};
use crate::diag::Span;
use crate::facts::Case;

/// Where the values facts `refs` have for request `i` of `case` were
/// written in `text` (the file `case` was loaded from; `json` as the
/// loader read it): for each fact, the spans of the keys it was read
/// from, in [`super::tree::FILE`] (a caller moves them into its own source
/// map); empty when the file does not document it. The text is parsed
/// once per call. A history fact is found under whatever name the file
/// gives the treatment (a brand name or a spelling the catalog resolves);
/// `received`, not written in an entry that exists, is placed at the
/// entry (an entry means received); a fact the loader derives
/// (`requests.treatments`, `diagnoses.tags`) is placed at every key it
/// was gathered from.
pub fn fact_places(p: &Program, case: &Case, text: &str, json: bool, i: usize, refs: &[FactRef]) -> Vec<Vec<Span>> {
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let limits = Limits {
        max_bytes: text.len().max(1),
        ..Limits::default()
    };
    let parsed = if json {
        json::parse(body, base, &limits)
    } else {
        yaml::parse(body, base, &limits)
    };
    match (parsed, case.requests.get(i)) {
        (Ok(root), Some(request)) => refs.iter().map(|&r| places(p, &root, request, r)).collect(),
        _ => vec![Vec::new(); refs.len()],
    }
}

fn places(p: &Program, root: &Node<'_>, request: &crate::facts::Request, r: FactRef) -> Vec<Span> {
    let fact = p.schema.fact(r.fact());
    let key: Vec<&str> = fact.key.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    match r {
        // `requests.treatments` is gathered from each request's
        // `treatment`, `diagnoses.tags` from each diagnosis's `tags`.
        FactRef::Case(_, slot) if fact.derived && Some(slot) == p.schema.builtin.requested_treatments => {
            derived(root, &["requests", "treatment"], &mut out)
        }
        FactRef::Case(..) if fact.derived => derived(root, &key, &mut out),
        FactRef::Case(..) => out.extend(lookup(root, &key)),
        FactRef::Request(..) => {
            let item = root.get("requests").and_then(|rs| match &rs.kind {
                Kind::Seq(items) => items
                    .iter()
                    .find(|it| it.get("id").and_then(Node::text) == Some(request.id.as_str())),
                _ => None,
            });
            if let Some(item) = item {
                out.extend(lookup(item, &key));
                // `request.med_per_day` not written is worked out from the
                // drug, its strength, the quantity and the days' supply
                // (load/request.rs `derive_med`): those lines give it, or
                // the request's `text:` that gives them (load/line.rs).
                let documented = request.facts.get(fact.slot as usize).is_some_and(|v| !v.is_absent());
                if out.is_empty() && key == ["med_per_day"] {
                    for from in ["treatment", "strength", "quantity", "days_supply"] {
                        out.extend(lookup(item, &[from]));
                    }
                    if documented {
                        out.extend(lookup(item, &["text"]));
                    }
                }
                // Any other value the case leaves out and its `text:`
                // gives is placed at the text (a value not documented is
                // in no line).
                const FROM_TEXT: &[&str] = &[
                    "treatment",
                    "quantity",
                    "strength",
                    "per_week",
                    "duration",
                    "days_supply",
                    "levels",
                    "body_region",
                ];
                if out.is_empty() && documented && key.len() == 1 && FROM_TEXT.contains(&key[0]) {
                    out.extend(lookup(item, &["text"]));
                }
            }
        }
        FactRef::Prior(..) => history(p, root, request.treatment, &key, r, &mut out),
        FactRef::History(t, ..) => history(p, root, t, &key, r, &mut out),
    }
    out
}

/// The key span of the value at `key` below `node`, if written (an
/// explicit null included: the file says it, as not documented).
fn lookup(node: &Node<'_>, key: &[&str]) -> Option<Span> {
    let (first, rest) = key.split_first()?;
    let (k, v) = node.entries()?.iter().find(|(k, _)| k.text() == Some(first))?;
    if rest.is_empty() { Some(k.span) } else { lookup(v, rest) }
}

/// A fact gathered from every item of a list: `requests.treatments` from
/// each request's `treatment`, `diagnoses.tags` from each diagnosis's
/// `tags`.
fn derived(root: &Node<'_>, key: &[&str], out: &mut Vec<Span>) {
    let Some((first, rest)) = key.split_first() else {
        return;
    };
    match root.get(first).map(|n| &n.kind) {
        Some(Kind::Seq(items)) => out.extend(items.iter().filter_map(|it| lookup(it, rest))),
        _ => out.extend(lookup(root, key)),
    }
}

/// A fact of the history entry of treatment `t`, under whatever name the
/// file gives it.
fn history(p: &Program, root: &Node<'_>, t: TreatmentId, key: &[&str], r: FactRef, out: &mut Vec<Span>) {
    let Some(entries) = root.get("history").and_then(Node::entries) else {
        return;
    };
    let names = |w: &str| p.catalog.lookup.get(w).copied().or_else(|| p.catalog.resolve(w));
    let Some((k, v)) = entries.iter().find(|(k, _)| k.text().and_then(&names) == Some(t)) else {
        return;
    };
    match lookup(v, key) {
        Some(s) => out.push(s),
        None => {
            let slot = match r {
                FactRef::Prior(_, s) | FactRef::History(_, _, s) => Some(s),
                _ => None,
            };
            if slot.is_some() && slot == p.schema.builtin.history_received {
                out.push(k.span);
            }
        }
    }
}
