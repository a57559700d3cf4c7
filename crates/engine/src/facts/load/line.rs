//! A request's `text:`, read by the request-line reader ([`crate::line`]):
//! it names the treatment and gives the request's other fields when the
//! case does not write them, and a field the case writes beside it must
//! agree with it.
//!
//! Only two known readings can disagree: a line the reader cannot name,
//! or a value it cannot read into the case-file vocabulary (a range, a
//! unit no fact counts in), gives nothing and checks nothing.

use super::Ctx;
use super::tree::{Kind, Node, span};
use super::value::Name;
use crate::check::TreatmentId;
use crate::diag::{Diagnostic, Span};
use crate::line::{LineFields, fields, read_with};
use crate::value::{Qty, Value};

/// A request's line as read, and where its bytes are in the case file.
pub struct Line {
    pub fields: LineFields,
    /// The `text:` value's node span.
    at: Span,
    /// The case-file byte of the line's first byte, when the file holds
    /// the line as is (plain or quoted with no escape); else parts of the
    /// line are shown as the whole value.
    base: Option<u32>,
}

impl Line {
    /// The case-file span of bytes `s` of the line.
    pub fn part(&self, s: crate::line::Span) -> Span {
        match self.base {
            Some(b) => span(b as usize + s.start, b as usize + s.end),
            None => self.at,
        }
    }
}

/// A value read from a line, with the bytes of the line it was read from.
type Read = (Value, crate::line::Span);

/// A value of the case beside the text's, for a message.
fn shown(v: &Value) -> String {
    match v {
        Value::Num(x) => crate::value::fmt_num(*x),
        Value::Int(x) => x.to_string(),
        Value::Qty(q) => q.to_string(),
        _ => "a value".into(),
    }
}

impl<'p> Ctx<'p> {
    /// Read a request's `text:` value, if it is text.
    pub fn line(&mut self, node: &Node<'_>) -> Option<Line> {
        let Kind::Scalar(s) = &node.kind else { return None };
        let text: &str = &s.text;
        if text.trim().is_empty() {
            return None;
        }
        let reading = read_with(&self.keys.vocab, text);
        let raw = self
            .text
            .get(node.span.start as usize..node.span.end as usize)
            .unwrap_or("");
        let skip = usize::from(raw.starts_with(['"', '\'']));
        let base = raw
            .get(skip..)
            .is_some_and(|r| r.starts_with(text))
            .then_some(node.span.start + skip as u32);
        Some(Line {
            fields: fields(&self.p.catalog, &reading),
            at: node.span,
            base,
        })
    }

    /// The treatment of a request from its `treatment:` (`given`) and its
    /// text: the text's when none is given; an error when both name one
    /// and they differ. `key` is the `treatment:` value's node.
    pub fn line_treatment(
        &mut self,
        line: &Line,
        given: Option<TreatmentId>,
        key: Option<&Node<'_>>,
        request: &str,
    ) -> Option<TreatmentId> {
        let p = self.p;
        let written = key.is_some_and(|n| n.kind != Kind::Null);
        match (given, line.fields.treatment) {
            (None, Some((t, _))) if !written => Some(t),
            (Some(g), Some((t, at))) if g != t => {
                let (g_name, t_name) = (&p.catalog.treatment(g).name, &p.catalog.treatment(t).name);
                let mut d = Diagnostic::error(
                    "text-disagrees",
                    key.map_or(line.at, |n| n.span),
                    format!("request `{request}` is `{g_name}`, but its text names `{t_name}`"),
                )
                .with_help(format!(
                    "make them agree, or leave `treatment:` out: the text alone names `{t_name}`"
                ));
                d.notes.push((line.part(at), format!("the text names `{t_name}` here")));
                self.diags.push(d);
                given
            }
            (None, None) if !written => {
                match &line.fields.near_miss {
                    Some((near, at)) => {
                        let list: Vec<String> = near.iter().map(|s| format!("`{s}`")).collect();
                        self.error(
                            "unknown-treatment",
                            line.part(*at),
                            format!(
                                "request `{request}` names no treatment the catalog knows: `{}` is not one",
                                self.text_at(line.part(*at))
                            ),
                            Some(format!("did you mean {}?", list.join(" or "))),
                        );
                    }
                    None => self.error(
                        "missing-field",
                        line.at,
                        format!("request `{request}` does not name its `treatment`, and its text names none the catalog knows"),
                        Some("add `treatment:` with a canonical name such as `massage_therapy` or a brand name such as `Flexeril`".into()),
                    ),
                }
                None
            }
            _ => given,
        }
    }

    fn text_at(&self, s: Span) -> String {
        super::value::short(self.text.get(s.start as usize..s.end as usize).unwrap_or(""))
    }

    /// Fill the request's fields the case leaves out from its text, and
    /// check the ones it writes against the text. `node` is the request.
    pub fn line_fields(
        &mut self,
        line: &Line,
        treatment: Option<TreatmentId>,
        slots: &mut [Value],
        node: &Node<'_>,
        request: &str,
    ) {
        let keys = self.keys;
        let tr = treatment.map(|t| self.p.catalog.treatment(t));
        let f = &line.fields;
        let qty = |x: &Option<(Qty, crate::line::Span)>| x.map(|(q, s)| (Value::Qty(q), s));
        let values: [(&str, Option<u16>, Option<Read>); 6] = [
            ("quantity", keys.request_quantity, qty(&f.quantity)),
            ("strength", keys.request_strength, qty(&f.strength)),
            (
                "per_week",
                keys.request_per_week,
                f.per_week.map(|(x, s)| (Value::Num(x), s)),
            ),
            ("duration", keys.request_duration, qty(&f.duration)),
            ("days_supply", keys.request_days_supply, qty(&f.days_supply)),
            ("levels", keys.request_levels, f.levels.map(|(x, s)| (Value::Int(x), s))),
        ];
        for (key, slot, read) in values {
            let (Some(slot), Some((v, at))) = (slot, read) else {
                continue;
            };
            // A quantity or strength in a unit the treatment is not
            // measured in is not that fact ("Psychological testing, 2
            // hours" says how long, not how many).
            let dims = match key {
                "quantity" => tr.map(|t| &t.quantity_dims[..]),
                "strength" => tr.map(|t| &t.strength_dims[..]),
                _ => None,
            };
            if let (Some(dims), Value::Qty(q)) = (dims, &v) {
                if !dims.is_empty() && !dims.contains(&q.dim()) {
                    continue;
                }
            }
            let value_node = node.get(key);
            let given = &slots[slot as usize];
            if value_node.is_none_or(|n| n.kind == Kind::Null) && given.is_absent() {
                if self.fits(slot, &v, line, at) {
                    slots[slot as usize] = v;
                }
                continue;
            }
            if given.is_absent() || !comparable(given, &v) || agree(key, given, &v, slots, keys) {
                continue;
            }
            let place = value_node.map_or(line.at, |n| n.span);
            let mut d = Diagnostic::error(
                "text-disagrees",
                place,
                format!(
                    "request `{request}` gives `{key}: {}`, but its text says {}",
                    shown(given),
                    shown(&v)
                ),
            )
            .with_help(format!("make them agree, or leave `{key}:` out: the text gives it"));
            d.notes
                .push((line.part(at), format!("the text says {} here", shown(&v))));
            self.diags.push(d);
        }
        self.line_regions(line, slots, node);
    }

    /// Whether a value read from the text is within its fact's range; an
    /// error at the text when not.
    fn fits(&mut self, slot: u16, v: &Value, line: &Line, at: crate::line::Span) -> bool {
        let Some(f) = self.p.schema.by_slot(crate::check::Scope::Request, slot) else {
            return false;
        };
        let x = match v {
            Value::Qty(q) if f.dim.is_none_or(|d| d == q.dim()) => q.base(),
            Value::Num(x) => *x,
            Value::Int(x) => *x as f64,
            _ => return false,
        };
        if Self::range(f).0.contains(x) {
            return true;
        }
        self.error(
            "out-of-range",
            line.part(at),
            format!(
                "the text gives `{}` as {}, which is out of its range",
                Name::Fact(f),
                shown(v)
            ),
            Some(self.range_help(f)),
        );
        false
    }

    /// `body_region` from the text, when the case leaves it out. Regions
    /// the case writes beside the text are not checked against it: the
    /// vocabulary names one place several ways and at several sizes
    /// (`lumbar`, `low_back`, `lumbar_spine`; `knee`, `right_knee`), and
    /// measured on the shipped cases every difference was such a pair, not
    /// a contradiction.
    fn line_regions(&mut self, line: &Line, slots: &mut [Value], node: &Node<'_>) {
        let Some(slot) = self.keys.request_body_region else {
            return;
        };
        let absent = slots[slot as usize].is_absent() && node.get("body_region").is_none_or(|n| n.kind == Kind::Null);
        if !absent {
            return;
        }
        let syms: Vec<_> = line
            .fields
            .body_region
            .iter()
            .filter_map(|(n, _)| self.keys.symbols.get(n.as_str()).copied())
            .collect();
        if !syms.is_empty() {
            slots[slot as usize] = Value::List(syms.into_boxed_slice());
        }
    }
}

/// Whether two values say the same kind of thing (a quantity in hours and
/// one in visits do not: neither contradicts the other). Lengths of time
/// compare only in the same unit: "x 10 days" of a day program counts
/// the days attended, which a course of `2 week` holds, and a month is
/// not a whole number of days.
fn comparable(given: &Value, read: &Value) -> bool {
    use crate::value::Dim;
    match (given, read) {
        (Value::Qty(g), Value::Qty(r)) if g.dim() == Dim::Time => g.unit == r.unit,
        (Value::Qty(g), Value::Qty(r)) => g.dim() == r.dim(),
        (g, r) => std::mem::discriminant(g) == std::mem::discriminant(r),
    }
}

/// Whether a value the case writes agrees with the text's: the same
/// amount in the same dimension, compared in its base unit (`1 week` is
/// `7 day`); a quantity the case writes as the rest
/// utilization review left disputed (`ur_authorized` beside it) agrees
/// when the two add up to the text's.
fn agree(key: &str, given: &Value, read: &Value, slots: &[Value], keys: &super::keys::Keys<'_>) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    match (given, read) {
        (Value::Qty(g), Value::Qty(r)) if g.dim() == r.dim() => {
            if close(g.base(), r.base()) {
                return true;
            }
            if key == "quantity" {
                if let Some(Value::Qty(ur)) = keys.request_ur_authorized.map(|s| &slots[s as usize]) {
                    return ur.dim() == g.dim() && close(g.base() + ur.base(), r.base());
                }
            }
            false
        }
        (Value::Num(g), Value::Num(r)) => close(*g, *r),
        (Value::Int(g), Value::Int(r)) => g == r,
        _ => false,
    }
}
