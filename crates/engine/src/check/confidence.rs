//! Confidence: how sure the criteria catalog is of what a rule encodes.
//!
//! A `confidence high|low ID, ...` line may follow a constant, a rule
//! header (the default of its criteria) or a criterion. Here every
//! criterion gets its effective [`Grounds`]: it is LOW when its own line
//! or its rule's says low, or when a constant it reads says low; it
//! carries the catalog IDs it rests on and the LOW constants (name and
//! value) behind it. A decision that rests on a LOW criterion is
//! provisional (see `eval::Provisional`).
//!
//! Invariants: a LOW anywhere on a criterion's way (its line, its rule's,
//! a constant it reads) makes it LOW, whatever else says high; the
//! grounds depend only on the rule text (IDs and constants in the order
//! written, without repeats).

use crate::check::model::{Const, ConstId, ConstValue, Lit, Rule, Symbols, TExpr, TKind};
use crate::diag::Span;
use crate::syntax::ast::{ConfidenceDecl, Level};
use crate::value::fmt_num;

/// A `confidence` line, checked.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Confidence {
    pub level: Level,
    /// Criteria catalog IDs (`OPI-9`), as written.
    pub ids: Vec<String>,
    pub span: Span,
}

impl Confidence {
    pub fn from_decl(d: &ConfidenceDecl) -> Confidence {
        Confidence {
            level: d.level,
            ids: d.ids.iter().map(|i| i.name.clone()).collect(),
            span: d.span,
        }
    }
}

/// A LOW constant a criterion reads.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LowConst {
    pub name: String,
    /// As written in the rule file: `120 mg_med`.
    pub value: String,
    /// The catalog IDs of the constant's `confidence` line.
    pub ids: Vec<String>,
}

/// A criterion's effective confidence.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Grounds {
    /// The level its own line or, failing that, its rule's line states;
    /// `None` when neither has one.
    pub stated: Option<Level>,
    /// LOW because its own line or its rule's says low.
    pub low_stated: bool,
    /// The IDs of the lines that say low (its own and its rule's).
    pub low_ids: Vec<String>,
    /// Every catalog ID it rests on: its own, its rule's, its constants'.
    pub ids: Vec<String>,
    /// The LOW constants it reads.
    pub low_consts: Vec<LowConst>,
}

impl Grounds {
    /// Is a decision resting on this criterion provisional?
    pub fn is_low(&self) -> bool {
        self.low_stated || !self.low_consts.is_empty()
    }

    /// `OPI-4; OPI-9: opioid_med_ceiling = 120 mg_med`: why it is LOW.
    pub fn low_reason(&self) -> String {
        let mut parts = Vec::new();
        if self.low_stated {
            parts.push(self.low_ids.join(", "));
        }
        for c in &self.low_consts {
            parts.push(format!("{}: {} = {}", c.ids.join(", "), c.name, c.value));
        }
        parts.join("; ")
    }
}

fn push_unique(out: &mut Vec<String>, ids: &[String]) {
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
}

/// A constant's value as a rule file writes it.
pub fn const_value_text(c: &Const, symbols: &Symbols) -> String {
    let sym = |s| symbols.name(s).unwrap_or("?").to_string();
    match &c.value {
        ConstValue::Lit(Lit::Bool(b)) => b.to_string(),
        ConstValue::Lit(Lit::Num(n)) => fmt_num(*n),
        ConstValue::Lit(Lit::Date(d)) => d.to_string(),
        ConstValue::Lit(Lit::Qty(q)) => q.to_string(),
        ConstValue::Lit(Lit::Sym(s)) => sym(*s),
        ConstValue::Lit(Lit::Str(t)) => format!("{t:?}"),
        ConstValue::Set(items) => {
            let names: Vec<String> = items.iter().map(|&s| sym(s)).collect();
            format!("[{}]", names.join(", "))
        }
    }
}

/// The constants an expression reads, in order of first appearance:
/// literal uses (`TKind::Const`) and named sets (`x in const_set`).
pub fn consts_read(e: &TExpr, consts: &[Const]) -> Vec<ConstId> {
    let mut out: Vec<ConstId> = Vec::new();
    let mut add = |id: ConstId| {
        if !out.contains(&id) {
            out.push(id);
        }
    };
    e.walk(&mut |x| match &x.kind {
        TKind::Const(id, _) => add(*id),
        TKind::In(_, set) | TKind::ContainsAny(_, set) | TKind::ContainsAll(_, set) => {
            if let Some(i) = set.name.as_ref().and_then(|n| consts.iter().position(|c| &c.name == n)) {
                add(ConstId(i as u32));
            }
        }
        _ => {}
    });
    out
}

/// Work out the grounds of every criterion of a checked rule.
pub fn ground(mut rule: Rule, consts: &[Const], symbols: &Symbols) -> Rule {
    let rule_conf = rule.confidence.clone();
    for c in &mut rule.criteria {
        let mut g = Grounds {
            stated: c.confidence.as_ref().or(rule_conf.as_ref()).map(|x| x.level),
            ..Grounds::default()
        };
        for conf in [c.confidence.as_ref(), rule_conf.as_ref()].into_iter().flatten() {
            push_unique(&mut g.ids, &conf.ids);
            if conf.level == Level::Low {
                g.low_stated = true;
                push_unique(&mut g.low_ids, &conf.ids);
            }
        }
        if let Some(e) = &c.expr {
            for id in consts_read(e, consts) {
                let Some(k) = consts.get(id.0 as usize) else { continue };
                let Some(conf) = &k.confidence else { continue };
                push_unique(&mut g.ids, &conf.ids);
                if conf.level == Level::Low {
                    g.low_consts.push(LowConst {
                        name: k.name.clone(),
                        value: const_value_text(k, symbols),
                        ids: conf.ids.clone(),
                    });
                }
            }
        }
        c.grounds = g;
    }
    rule
}
