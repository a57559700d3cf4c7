//! The top of a case, groups of facts, small text values, and the
//! cross-checks that need the whole case (ids, references, cycles), run
//! after everything was read.

use std::collections::HashMap;
use std::fmt;

use super::Ctx;
use super::determination::PartialDetermination;
use super::keys::{FastHash, Group, Next, same_key};
use super::request::PartialRequest;
use super::tree::{Kind, Node};
use super::value::{Name, Plain, plain};
use crate::check::{Scope, TreatmentId};
use crate::diag::{Span, did_you_mean};
use crate::facts::{Case, Diagnosis, Request};
use crate::value::{Sym, Value};

/// What a mapping is, for messages ("`exam`", "a request",
/// "`history.massage_therapy`"): written out only when a message needs it.
#[derive(Clone, Copy)]
pub enum Within<'a> {
    Text(&'a str),
    /// A group of facts at the top of the case.
    Group(&'a str),
    /// A group inside another.
    Nested(&'a Within<'a>, &'a str),
    /// The history entry of a treatment.
    History(&'a str),
}

impl fmt::Display for Within<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Within::Text(s) => f.write_str(s),
            Within::Group(g) => write!(f, "`{g}`"),
            Within::Nested(parent, key) => write!(f, "`{}.{key}`", parent.to_string().trim_matches('`')),
            Within::History(t) => write!(f, "`history.{t}`"),
        }
    }
}

#[derive(Default)]
struct Partial {
    id: Option<String>,
    facts: Vec<Value>,
    history: Vec<(TreatmentId, Box<[Value]>)>,
    diagnoses: Vec<Diagnosis>,
    requests: Vec<PartialRequest>,
    /// Every request id written, with its place, even of requests that
    /// could not be read (so references to them are not errors too).
    ids: Vec<(String, Span)>,
    requests_key: Option<Span>,
    /// Whether `requests` holds anything, readable or not.
    written: bool,
    determination: Option<PartialDetermination>,
}

impl<'p> Ctx<'p> {
    /// Walk the keys of a mapping: unknown, repeated and non-text keys are
    /// reported, each accepted one goes to `f` with its position in
    /// `names`. False if the node is neither a mapping nor null (the
    /// caller says what it should have been).
    pub fn each_key<'n, 'a: 'n>(
        &mut self,
        node: &'n Node<'a>,
        names: &[&'p str],
        find: impl Fn(&str) -> Option<usize>,
        within: &dyn fmt::Display,
        mut f: impl FnMut(&mut Self, usize, &'n str, &'n Node<'a>),
    ) -> bool {
        let entries = match &node.kind {
            Kind::Map(m) => m,
            Kind::Null => return true,
            _ => return false,
        };
        let mut seen: u128 = 0;
        let mut more: Vec<usize> = Vec::new();
        for (key, value) in entries {
            let Some(k) = key_text(key) else {
                self.error(
                    "wrong-type",
                    key.span,
                    format!("a key in {within} should be a name, found {}", key.describe()),
                    None,
                );
                continue;
            };
            let Some(i) = find(k) else {
                let help = match did_you_mean(k, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known fields here: {}", names.join(", ")),
                };
                self.error(
                    "unknown-field",
                    key.span,
                    format!("unknown field `{}` in {within}", super::value::short(k)),
                    Some(help),
                );
                continue;
            };
            let repeated = if i < 128 {
                let was = seen & (1 << i) != 0;
                seen |= 1 << i;
                was
            } else {
                let was = more.contains(&i);
                more.push(i);
                was
            };
            if repeated {
                self.error(
                    "duplicate-key",
                    key.span,
                    format!("`{k}` appears twice in {within}"),
                    Some("keep one of them: a later copy would silently replace the first".into()),
                );
                continue;
            }
            f(self, i, k, value);
        }
        true
    }

    /// [`Self::each_key`] over a short fixed list of names.
    pub fn fixed_keys<'n, 'a: 'n>(
        &mut self,
        node: &'n Node<'a>,
        names: &[&'p str],
        within: &dyn fmt::Display,
        f: impl FnMut(&mut Self, usize, &'n str, &'n Node<'a>),
    ) -> bool {
        self.each_key(node, names, |k| names.iter().position(|n| same_key(n, k)), within, f)
    }

    /// A mapping whose keys follow a group of the schema's key tree.
    pub fn group(
        &mut self,
        node: &Node<'_>,
        g: &'p Group<'p>,
        slots: &mut [Value],
        within: Within<'_>,
        prefix: Option<&str>,
    ) {
        let p = self.p;
        let keys = self.keys;
        let ok = self.each_key(
            node,
            &g.names,
            |k| g.find(k),
            &within,
            |ctx, i, k, value| match g.next[i] {
                Next::Leaf(id) => {
                    let fact = p.schema.fact(id);
                    let name = match prefix {
                        Some(t) => Name::History(t, fact),
                        None => Name::Fact(fact),
                    };
                    let v = ctx.value(fact, name, value);
                    if let Some(slot) = slots.get_mut(fact.slot as usize) {
                        *slot = v;
                    }
                }
                Next::Group(inner) => {
                    ctx.group(value, &keys.groups[inner], slots, Within::Nested(&within, k), prefix);
                }
                Next::Special => {}
            },
        );
        if !ok {
            self.error(
                "wrong-type",
                node.span,
                format!("{within} should be a mapping of facts, found {}", node.describe()),
                Some(format!("fields here: {}", g.names.join(", "))),
            );
        }
    }

    /// A text value (a plain number is text as written); `None` for null
    /// or after an error.
    pub fn text(&mut self, node: &Node<'_>, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Null => None,
            Kind::Scalar(s) if s.quoted || !matches!(plain(&s.text), Plain::Bool(_)) => Some(s.text.to_string()),
            _ => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("{what} should be text, found {}", node.describe()),
                    None,
                );
                None
            }
        }
    }

    /// A list of text values.
    pub fn text_list(&mut self, node: &Node<'_>, what: &str) -> Vec<String> {
        match &node.kind {
            Kind::Null => Vec::new(),
            Kind::Seq(items) => items.iter().filter_map(|i| self.text(i, what)).collect(),
            Kind::Scalar(s) => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("{what} should be a list, found {}", node.describe()),
                    Some(format!("write it as a list: [\"{}\"]", super::value::short(&s.text))),
                );
                Vec::new()
            }
            Kind::Map(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("{what} should be a list, found a mapping"),
                    None,
                );
                Vec::new()
            }
        }
    }

    /// The whole case; `None` when it cannot be made (the reasons are in
    /// the diagnostics).
    pub fn case(&mut self, root: &Node<'_>) -> Option<Case> {
        // The first line of the file (for a message only: finding its end
        // reads the whole line).
        let first_line = |ctx: &Self| Span {
            end: root.span.start.max(root.span.end.min(ctx.line_end(root.span.start))),
            ..root.span
        };
        match &root.kind {
            Kind::Map(_) => {}
            Kind::Null => {
                self.error(
                    "empty-file",
                    root.span,
                    "the case file is empty".into(),
                    Some("a case needs at least `case:` (an id) and `requests:`".into()),
                );
                return None;
            }
            Kind::Seq(_) => {
                self.error(
                    "not-a-case",
                    first_line(self),
                    "a case file is a mapping of fields, found a list".into(),
                    Some("one case per file; start with `case: ID`".into()),
                );
                return None;
            }
            Kind::Scalar(_) => {
                self.error(
                    "not-a-case",
                    first_line(self),
                    format!("a case file is a mapping of fields, found {}", root.describe()),
                    Some("start with `case: ID` on its own line".into()),
                );
                return None;
            }
        }
        let p = self.p;
        let keys = self.keys;
        let mut part = Partial {
            facts: super::absent(p.schema.slots(Scope::Case)),
            ..Partial::default()
        };
        let case_group = &keys.case;
        self.each_key(
            root,
            &case_group.names,
            |k| case_group.find(k),
            &"the case",
            |ctx, i, k, value| match case_group.next[i] {
                Next::Special => match k {
                    "case" => {
                        part.id = ctx.text(value, "`case` (the case id)");
                        if part.id.as_deref().is_some_and(|id| id.trim().is_empty()) {
                            ctx.error(
                                "empty-id",
                                value.span,
                                "the case id is empty".into(),
                                Some("give the case an id that names it, e.g. `case: massage-2016-03`".into()),
                            );
                        }
                    }
                    "diagnoses" => part.diagnoses = ctx.diagnoses(value),
                    "history" => part.history = ctx.history(value),
                    "requests" => {
                        part.requests_key = Some(value.span);
                        part.written = matches!(&value.kind, Kind::Seq(items) if !items.is_empty())
                            || !matches!(value.kind, Kind::Seq(_) | Kind::Null);
                        (part.requests, part.ids) = ctx.requests(value);
                    }
                    _ => part.determination = Some(ctx.determination(value)),
                },
                Next::Group(g) => ctx.group(value, &keys.groups[g], &mut part.facts, Within::Group(k), None),
                Next::Leaf(id) => {
                    let fact = p.schema.fact(id);
                    part.facts[fact.slot as usize] = ctx.value(fact, Name::Fact(fact), value);
                }
            },
        );
        let first_key = root
            .entries()
            .and_then(|e| e.first())
            .map_or(root.span, |(k, _)| k.span);
        self.finish(part, first_key)
    }

    /// Cross-checks that need the whole case: ids, references, cycles.
    fn finish(&mut self, part: Partial, first_key: Span) -> Option<Case> {
        let p = self.p;
        if part.id.is_none() {
            self.error(
                "missing-field",
                first_key,
                "the case has no `case` id".into(),
                Some("add `case: SOME-ID` at the top".into()),
            );
        }
        // No requests at all (one that could not be read was reported).
        if !part.written {
            let id = part.id.as_deref().map_or(String::new(), |i| format!(" `{i}`"));
            self.error(
                "missing-field",
                part.requests_key.unwrap_or(first_key),
                format!("case{id} has no requests"),
                Some("add `requests:` with at least one request (id, treatment, date)".into()),
            );
        }
        let index: HashMap<&str, usize, FastHash> = part
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let all_ids: Vec<&str> = part.ids.iter().map(|(s, _)| s.as_str()).collect();
        let mut requests = Vec::with_capacity(part.requests.len());
        for r in &part.requests {
            let depends_on = match &r.depends_on {
                None => None,
                Some((d, at)) => match index.get(d.as_str()) {
                    Some(&i) => Some(i),
                    None => {
                        if !all_ids.contains(&d.as_str()) {
                            self.error(
                                "unknown-request",
                                *at,
                                format!(
                                    "request `{}` depends on `{d}`, which is not a request in this case",
                                    r.id
                                ),
                                did_you_mean(d, all_ids.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                            );
                        }
                        None
                    }
                },
            };
            requests.push(Request {
                id: r.id.clone(),
                treatment: r.treatment,
                date: r.date,
                depends_on,
                facts: Box::default(),
                at: r.at,
            });
        }
        // A request may not depend on itself, directly or through others;
        // each cycle is reported once, at its first request.
        for start in 0..requests.len() {
            let mut at = start;
            for _ in 0..=requests.len() {
                match requests[at].depends_on {
                    Some(next) if next == start => {
                        if let Some((_, span)) = &part.requests[at].depends_on {
                            self.error(
                                "dependency-cycle",
                                *span,
                                format!(
                                    "request `{}` depends on itself through `depends_on`",
                                    requests[start].id
                                ),
                                Some("a request falls with the one it depends on; the chain must end".into()),
                            );
                        }
                        break;
                    }
                    Some(next) if next < start => break,
                    Some(next) => at = next,
                    None => break,
                }
            }
        }
        // A request is made for an injury: one dated before it is a
        // mistake of the record or of its encoding.
        let injury = self.keys.injury_date.and_then(|s| match part.facts.get(s as usize) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        });
        for r in requests.iter().filter(|_| injury.is_some()) {
            let (Some(injured), Some(at)) = (injury, r.at.date) else {
                continue;
            };
            if r.date < injured {
                self.error(
                    "before-injury",
                    at,
                    format!(
                        "request `{}` is dated {}, before the injury date {injured}",
                        r.id, r.date
                    ),
                    Some("a request follows its injury: check both dates against the record (`injury.date` and the request's `date`)".into()),
                );
            }
        }
        let determination = part
            .determination
            .map(|d| self.decisions(d, &index, &all_ids, &requests));
        for (r, from) in requests.iter_mut().zip(part.requests) {
            r.facts = from.facts;
        }
        let mut facts = part.facts;
        if let Some(slot) = p.schema.builtin.diagnosis_tags {
            let mut tags: Vec<Sym> = Vec::new();
            for d in &part.diagnoses {
                for t in &d.tags {
                    if !tags.contains(t) {
                        tags.push(*t);
                    }
                }
            }
            if !part.diagnoses.is_empty() {
                facts[slot as usize] = Value::List(tags.into_boxed_slice());
            }
        }
        if let Some(slot) = p.schema.builtin.requested_treatments {
            let mut asked: Vec<Sym> = Vec::new();
            for r in &requests {
                let sym = p.catalog.treatment(r.treatment).sym;
                if !asked.contains(&sym) {
                    asked.push(sym);
                }
            }
            facts[slot as usize] = Value::List(asked.into_boxed_slice());
        }
        let mut history = part.history;
        history.sort_by_key(|(t, _)| *t);
        // An entry under `history` records a treatment that was given,
        // unless it says `received: false`.
        if let Some(s) = p.schema.builtin.history_received {
            for (_, entry) in &mut history {
                if let Some(v @ Value::Absent) = entry.get_mut(s as usize) {
                    *v = Value::Bool(true);
                }
            }
        }
        if !self.diags.is_empty() {
            return None;
        }
        Some(Case {
            id: part.id?,
            facts: facts.into_boxed_slice(),
            history,
            diagnoses: part.diagnoses,
            requests,
            determination,
            local_symbols: std::mem::take(&mut self.local),
            no_history: p.schema.no_history.clone(),
        })
    }
}

/// The text of a key: a scalar (a plain number or word as written).
fn key_text<'n>(key: &'n Node<'_>) -> Option<&'n str> {
    match &key.kind {
        Kind::Scalar(s) => Some(&s.text),
        _ => None,
    }
}
