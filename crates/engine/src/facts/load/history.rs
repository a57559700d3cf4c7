//! The case's past: `history` (one entry per prior treatment) and
//! `diagnoses`.

use super::Ctx;
use super::case::Within;
use super::tree::{Kind, Node};
use super::value::Name;
use crate::check::{Scope, TreatmentId};
use crate::facts::Diagnosis;
use crate::value::Value;

impl Ctx<'_> {
    pub fn history(&mut self, node: &Node<'_>) -> Vec<(TreatmentId, Box<[Value]>)> {
        let p = self.p;
        let entries = match &node.kind {
            Kind::Null => return Vec::new(),
            Kind::Map(m) => m,
            _ => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!(
                        "`history` should be a mapping from treatments, found {}",
                        node.describe()
                    ),
                    Some("write e.g. history:\\n  massage_therapy: { received: true }".into()),
                );
                return Vec::new();
            }
        };
        let group = &self.keys.groups[self.keys.history];
        let received = p.schema.builtin.history_received;
        let mut out: Vec<(TreatmentId, Box<[Value]>)> = Vec::new();
        for (key, value) in entries {
            let Some(written) = key.text() else {
                self.error(
                    "wrong-type",
                    key.span,
                    format!(
                        "a key of `history` should be a treatment name, found {}",
                        key.describe()
                    ),
                    None,
                );
                continue;
            };
            let Some(t) = self.treatment(written, key.span) else {
                // Still read what the entry says, so its own mistakes are
                // reported in the same run.
                let mut slots = super::absent(p.schema.slots(Scope::History));
                self.group(value, group, &mut slots, Within::History(written), Some(written));
                continue;
            };
            let name = &p.catalog.treatment(t).name;
            if out.iter().any(|(x, _)| *x == t) {
                self.error(
                    "duplicate-key",
                    key.span,
                    format!("`history` has two entries for `{name}`"),
                    Some("merge them into one entry".into()),
                );
                continue;
            }
            let mut slots = super::absent(p.schema.slots(Scope::History));
            self.group(value, group, &mut slots, Within::History(name), Some(name));
            // Not received, yet something is said of it: one of the two
            // is wrong.
            if let Some(r) = received {
                if slots[r as usize] == Value::Bool(false) {
                    let others: Vec<&str> = value
                        .entries()
                        .unwrap_or_default()
                        .iter()
                        .filter(|(k, v)| k.text() != Some("received") && v.kind != Kind::Null)
                        .filter_map(|(k, _)| k.text())
                        .collect();
                    let at = value.get("received").map_or(key.span, |n| n.span);
                    if !others.is_empty() {
                        self.error(
                            "received-false-with-facts",
                            at,
                            format!(
                                "`history.{name}` says `received: false` but documents {}",
                                others.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
                            ),
                            Some("a treatment not given has no visits, duration or results: remove `received: false` or the other facts".into()),
                        );
                    }
                }
            }
            out.push((t, slots.into_boxed_slice()));
        }
        out
    }

    pub fn diagnoses(&mut self, node: &Node<'_>) -> Vec<Diagnosis> {
        let items = match &node.kind {
            Kind::Null => return Vec::new(),
            Kind::Seq(items) => items,
            Kind::Map(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    "`diagnoses` should be a list, found a mapping".into(),
                    Some("write each diagnosis as a list item: - text: ...\\n    tags: [...]".into()),
                );
                return Vec::new();
            }
            Kind::Scalar(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    "`diagnoses` should be a list, found text".into(),
                    None,
                );
                return Vec::new();
            }
        };
        let tags_fact = self.keys.diagnosis_tags;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let mut d = Diagnosis {
                text: None,
                code: None,
                tags: Vec::new(),
            };
            if let Kind::Scalar(s) = &item.kind {
                d.text = Some(s.text.to_string());
                out.push(d);
                continue;
            }
            let ok = self.fixed_keys(
                item,
                &["text", "tags", "code"],
                &"a diagnosis",
                |ctx, _, k, value| match k {
                    "text" => d.text = ctx.text(value, "a diagnosis text"),
                    "code" => d.code = ctx.text(value, "a diagnosis code"),
                    _ => {
                        if let Some(f) = tags_fact {
                            if let Value::List(tags) = ctx.value(f, Name::Text("diagnoses[].tags"), value) {
                                d.tags = tags.into_vec();
                            }
                        }
                    }
                },
            );
            if !ok {
                self.error(
                    "wrong-type",
                    item.span,
                    format!(
                        "a diagnosis should be a mapping (text, tags, code), found {}",
                        item.describe()
                    ),
                    None,
                );
            }
            out.push(d);
        }
        out
    }
}
