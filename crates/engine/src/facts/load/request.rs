//! `requests`: each request's facts, its id, treatment and date, and the
//! units its quantity and strength may have for its treatment.

use super::Ctx;
use super::case::Within;
use super::tree::{Kind, Node};
use super::value::unit_names;
use crate::check::{Scope, TreatmentId};
use crate::diag::Span;
use crate::facts::RequestAt;
use crate::value::{Date, Dim, Value};

pub struct PartialRequest {
    pub id: String,
    pub treatment: TreatmentId,
    pub date: Date,
    /// The id it depends on, and where that is written.
    pub depends_on: Option<(String, Span)>,
    pub facts: Box<[Value]>,
    pub at: RequestAt,
}

impl Ctx<'_> {
    /// The requests that could be read, and every id written (with where).
    pub fn requests(&mut self, node: &Node<'_>) -> (Vec<PartialRequest>, Vec<(String, Span)>) {
        let items = match &node.kind {
            Kind::Null => return (Vec::new(), Vec::new()),
            Kind::Seq(items) => items,
            _ => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("`requests` should be a list, found {}", node.describe()),
                    Some("start each request with `- id: ...`".into()),
                );
                return (Vec::new(), Vec::new());
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ids: Vec<(String, Span)> = Vec::with_capacity(items.len());
        for item in items {
            if let Some(r) = self.request(item, &mut ids) {
                out.push(r);
            }
        }
        (out, ids)
    }

    fn request(&mut self, node: &Node<'_>, ids: &mut Vec<(String, Span)>) -> Option<PartialRequest> {
        let p = self.p;
        let keys = self.keys;
        let b = p.schema.builtin;
        if !matches!(node.kind, Kind::Map(_)) {
            self.error(
                "wrong-type",
                node.span,
                format!(
                    "a request should be a mapping (id, treatment, date, ...), found {}",
                    node.describe()
                ),
                Some("start each request with `- id: ...`".into()),
            );
            return None;
        }
        let mut slots = super::absent(p.schema.slots(Scope::Request));
        self.group(
            node,
            &keys.groups[keys.request],
            &mut slots,
            Within::Text("a request"),
            None,
        );
        let text = |v: &Value| match v {
            Value::Text(t) => Some(t.to_string()),
            _ => None,
        };
        let first_key = node
            .entries()
            .and_then(|e| e.first())
            .map_or(node.span, |(k, _)| k.span);
        // The values of `id`, `treatment`, `date` and `depends_on` (the
        // first of each, as `Node::get` finds them), in one pass.
        let mut named: [Option<&Node<'_>>; 5] = [None; 5];
        for (k, v) in node.entries().unwrap_or_default() {
            let i = match k.text() {
                Some("id") => 0,
                Some("treatment") => 1,
                Some("date") => 2,
                Some("depends_on") => 3,
                Some("text") => 4,
                _ => continue,
            };
            named[i] = named[i].or(Some(v));
        }
        let [id_node, treatment_node, date_node, depends_node, text_node] = named;
        let id_at = id_node.map_or(first_key, |n| n.span);
        let id = text(&slots[b.request_id as usize]);
        match &id {
            None if id_node.is_none_or(|n| n.kind == Kind::Null) => self.error(
                "missing-field",
                first_key,
                "a request has no `id`".into(),
                Some("give each request an id, unique in the case: `- id: massage`".into()),
            ),
            None => {}
            Some(id) if id.trim().is_empty() => self.error(
                "empty-id",
                id_at,
                "a request has an empty `id`".into(),
                Some("give each request an id, unique in the case: `- id: massage`".into()),
            ),
            Some(id) if ids.iter().any(|(x, _)| x == id) => self.error(
                "duplicate-request",
                id_at,
                format!("two requests have the id `{id}`"),
                Some("request ids must be unique within a case".into()),
            ),
            Some(id) => ids.push((id.clone(), id_at)),
        }
        let shown = id.as_deref().unwrap_or("?");
        let mut treatment = match &slots[b.request_treatment as usize] {
            Value::Sym(s) => p.catalog.by_sym.get(s).copied(),
            _ => None,
        };
        // The request as written: its treatment and other fields, when
        // the case leaves them out; what the case writes must agree.
        let line = match keys.request_text.and_then(|s| slots.get(s as usize)) {
            Some(Value::Text(_)) => text_node.and_then(|n| self.line(n)),
            _ => None,
        };
        if let Some(line) = &line {
            treatment = self.line_treatment(line, treatment, treatment_node, shown);
            if let (Some(t), Value::Absent) = (treatment, &slots[b.request_treatment as usize]) {
                slots[b.request_treatment as usize] = Value::Sym(p.catalog.treatment(t).sym);
            }
            self.line_fields(line, treatment, &mut slots, node, shown);
        } else if treatment.is_none() && treatment_node.is_none_or(|n| n.kind == Kind::Null) {
            self.error(
                "missing-field",
                first_key,
                format!("request `{shown}` does not name its `treatment`"),
                Some("add `treatment:` with a canonical name such as `massage_therapy` or a brand name such as `Flexeril`".into()),
            );
        }
        let date = match slots[b.request_date as usize] {
            Value::Date(d) => Some(d),
            _ => None,
        };
        if date.is_none() && date_node.is_none_or(|n| n.kind == Kind::Null) {
            self.error(
                "missing-field",
                first_key,
                format!("request `{shown}` has no `date`"),
                Some("the request date selects the guideline in force: add `date: YYYY-MM-DD`".into()),
            );
        }
        if let Some(t) = treatment {
            let tr = p.catalog.treatment(t);
            let checks = [
                (b.request_quantity, "quantity", &tr.quantity_dims),
                (keys.request_strength, "strength", &tr.strength_dims),
            ];
            for (slot, key, dims) in checks {
                self.unit_fits(slot, key, dims, &slots, node, &tr.name);
            }
            derive_med(&mut slots, keys, b.request_quantity, &tr.name);
        }
        let depends_on = b.request_depends_on.and_then(|s| {
            let d = text(&slots[s as usize])?;
            let at = depends_node.map_or(first_key, |n| n.span);
            Some((d, at))
        });
        let at = RequestAt {
            entry: first_key,
            treatment: treatment_node.map(|n| n.span),
            date: date_node.map(|n| n.span),
            depends_on: depends_on.as_ref().map(|(_, s)| *s),
        };
        Some(PartialRequest {
            id: id?,
            treatment: treatment?,
            date: date?,
            depends_on,
            facts: slots.into_boxed_slice(),
            at,
        })
    }

    /// A request's quantity or strength must have a unit its treatment
    /// can be measured in (no massage in mg). No dims listed: any fits.
    fn unit_fits(
        &mut self,
        slot: Option<u16>,
        key: &str,
        dims: &[Dim],
        slots: &[Value],
        node: &Node<'_>,
        treatment: &str,
    ) {
        let Some(slot) = slot else { return };
        let Value::Qty(q) = slots[slot as usize] else { return };
        if dims.is_empty() || dims.contains(&q.dim()) {
            return;
        }
        let at = node.get(key).map_or(node.span, |n| n.span);
        let fit: Vec<&str> = dims.iter().map(|d| d.name()).collect();
        self.error(
            "unit-mismatch",
            at,
            format!(
                "`{treatment}` is not measured in {}: `request.{key}` is `{q}`",
                q.dim().name()
            ),
            Some(format!(
                "units that fit `{treatment}`: {} ({})",
                unit_names(dims),
                fit.join("; ")
            )),
        );
    }
}

/// `request.med_per_day`, when the case does not write it: worked out from
/// the drug, its strength, the quantity and the days' supply
/// ([`crate::formulary::med`]); left not documented when they do not give it.
fn derive_med(slots: &mut [Value], keys: &super::keys::Keys<'_>, quantity: Option<u16>, treatment: &str) {
    let Some(med) = keys.request_med_per_day else { return };
    if !slots[med as usize].is_absent() {
        return;
    }
    let qty = |slot: Option<u16>| match slot.map(|s| &slots[s as usize]) {
        Some(Value::Qty(q)) => Some(*q),
        _ => None,
    };
    let working = crate::formulary::med::request_med(
        treatment,
        qty(keys.request_strength),
        qty(quantity),
        qty(keys.request_days_supply),
    );
    if let Some(w) = working {
        slots[med as usize] = Value::Qty(crate::value::Qty::new(w.per_day, crate::value::Unit::MgMed));
    }
}
