//! A criterion's condition in plain words: facts named by their
//! descriptions, constants by their values (with units), symbols as the
//! case file writes them, `and`/`or` as lists, `when` as if/otherwise.
//!
//! The result is a small tree ([`Cond`] of [`Inline`] runs) that the HTML
//! and Markdown renderers both draw, so the two cannot disagree.

use super::model::{Link, PageId, class_anchor, const_anchor, fact_anchor, treatment_anchor};
use crate::check::{ConstValue, FactRef, Lit, Program, SymSet, TExpr, TKind};
use crate::syntax::ast::{AddOp, CmpOp};
use crate::value::{Sym, fmt_num};

/// A run of words, some of them links.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Plain words.
    Text(String),
    /// A fact, named by its description; `qualifier` says whose record
    /// (`history of the requested treatment`).
    Fact {
        description: String,
        qualifier: Option<String>,
        path: String,
        link: Link,
    },
    /// A constant, shown by its value, linked to the constants page.
    Const { value: String, name: String, link: Link },
    /// A value as a case file writes it: a symbol, a number with its unit,
    /// a date.
    Value(String),
    /// A treatment or class, by its title.
    Named { text: String, link: Link },
}

/// A condition laid out for reading.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// One test, in words.
    Line(Vec<Inline>),
    /// All of these hold.
    All(Vec<Cond>),
    /// At least one of these holds.
    Any(Vec<Cond>),
    /// This does not hold.
    Not(Box<Cond>),
    /// If `cond`, then `then`; otherwise `otherwise` (none: the criterion
    /// does not apply).
    When {
        cond: Box<Cond>,
        then: Box<Cond>,
        otherwise: Option<Box<Cond>>,
    },
}

/// The plain-words form of a condition.
pub fn cond(p: &Program, e: &TExpr) -> Cond {
    match &e.kind {
        TKind::And(xs) => Cond::All(flatten(p, xs, true)),
        TKind::Or(xs) => Cond::Any(flatten(p, xs, false)),
        TKind::Not(x) => Cond::Not(Box::new(cond(p, x))),
        TKind::When(c, t, o) => Cond::When {
            cond: Box::new(cond(p, c)),
            then: Box::new(cond(p, t)),
            otherwise: o.as_ref().map(|o| Box::new(cond(p, o))),
        },
        _ => Cond::Line(inline(p, e)),
    }
}

/// `a and (b and c)` is one list of three.
fn flatten(p: &Program, xs: &[TExpr], and: bool) -> Vec<Cond> {
    let mut out = Vec::new();
    for x in xs {
        match (&x.kind, and) {
            (TKind::And(ys), true) | (TKind::Or(ys), false) => out.extend(flatten(p, ys, and)),
            _ => out.push(cond(p, x)),
        }
    }
    out
}

fn text(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

/// A value-level expression (or a condition inside one) as words.
pub fn inline(p: &Program, e: &TExpr) -> Vec<Inline> {
    let mut out = Vec::new();
    push_inline(p, e, &mut out);
    out
}

fn push_inline(p: &Program, e: &TExpr, out: &mut Vec<Inline>) {
    match &e.kind {
        TKind::Fact(r) => out.push(fact(p, *r)),
        TKind::Lit(l) => out.push(lit(p, l)),
        TKind::Const(id, l) => {
            let c = &p.consts[id.0 as usize];
            let value = match &c.value {
                ConstValue::Lit(_) => lit_text(p, l),
                ConstValue::Set(items) => syms_text(p, items),
            };
            out.push(Inline::Const {
                value,
                name: c.name.clone(),
                link: Link::to(PageId::Constants, const_anchor(&c.name)),
            });
        }
        TKind::Cmp(op, a, b) => {
            push_inline(p, a, out);
            out.push(text(cmp_words(*op)));
            push_inline(p, b, out);
        }
        TKind::Sum(first, rest) => {
            push_inline(p, first, out);
            for (op, x) in rest {
                out.push(text(match op {
                    AddOp::Add => " plus ",
                    AddOp::Sub => " minus ",
                }));
                push_inline(p, x, out);
            }
        }
        TKind::Documented(x, negated) => {
            push_inline(p, x, out);
            out.push(text(if *negated {
                " is not documented"
            } else {
                " is documented"
            }));
        }
        TKind::In(x, set) => {
            push_inline(p, x, out);
            out.push(text(" is one of "));
            push_set(p, set, out);
        }
        TKind::Contains(a, b) => {
            push_inline(p, a, out);
            out.push(text(" includes "));
            push_inline(p, b, out);
        }
        TKind::ContainsAny(x, set) => {
            push_inline(p, x, out);
            out.push(text(" includes any of "));
            push_set(p, set, out);
        }
        TKind::ContainsAll(x, set) => {
            push_inline(p, x, out);
            out.push(text(" includes all of "));
            push_set(p, set, out);
        }
        // A condition used as a value (rare): its words in brackets.
        TKind::Not(x) => {
            out.push(text("not ("));
            push_inline(p, x, out);
            out.push(text(")"));
        }
        TKind::And(xs) | TKind::Or(xs) => {
            let joiner = if matches!(e.kind, TKind::And(_)) {
                " and "
            } else {
                " or "
            };
            out.push(text("("));
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(text(joiner));
                }
                push_inline(p, x, out);
            }
            out.push(text(")"));
        }
        TKind::When(c, t, o) => {
            out.push(text("(if "));
            push_inline(p, c, out);
            out.push(text(", then "));
            push_inline(p, t, out);
            if let Some(o) = o {
                out.push(text("; otherwise "));
                push_inline(p, o, out);
            }
            out.push(text(")"));
        }
    }
}

fn cmp_words(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => " is less than ",
        CmpOp::Le => " is at most ",
        CmpOp::Gt => " is more than ",
        CmpOp::Ge => " is at least ",
        CmpOp::Eq => " is ",
        CmpOp::Ne => " is not ",
    }
}

/// A fact by its description, with whose record it is.
pub fn fact(p: &Program, r: FactRef) -> Inline {
    let f = p.schema.fact(r.fact());
    let qualifier = match r {
        FactRef::Prior(..) => Some("history of the requested treatment".to_string()),
        FactRef::History(t, ..) => Some(format!("history of {}", p.catalog.treatment(t).title)),
        FactRef::Case(..) | FactRef::Request(..) => None,
    };
    Inline::Fact {
        description: f.description.clone(),
        qualifier,
        path: crate::check::display_path(f),
        link: Link::to(PageId::Facts, fact_anchor(&f.path)),
    }
}

fn lit(p: &Program, l: &Lit) -> Inline {
    if let Some(&t) = match l {
        Lit::Sym(s) => p.catalog.by_sym.get(s),
        _ => None,
    } {
        let tr = p.catalog.treatment(t);
        return Inline::Named {
            text: tr.title.clone(),
            link: Link::to(PageId::Treatments, treatment_anchor(&tr.name)),
        };
    }
    Inline::Value(lit_text(p, l))
}

/// A literal as a case file would write it: `6 visit`, `2015-05-06`,
/// `neuropathic`, `true`.
pub fn lit_text(p: &Program, l: &Lit) -> String {
    match l {
        Lit::Bool(b) => b.to_string(),
        Lit::Num(x) => fmt_num(*x),
        Lit::Date(d) => d.to_string(),
        Lit::Qty(q) => q.to_string(),
        Lit::Sym(s) => sym_name(p, *s),
        Lit::Str(s) => format!("\"{s}\""),
    }
}

fn sym_name(p: &Program, s: Sym) -> String {
    p.symbols.name(s).unwrap_or("?").to_string()
}

/// `a, b, c`.
pub fn syms_text(p: &Program, items: &[Sym]) -> String {
    items.iter().map(|&s| sym_name(p, s)).collect::<Vec<_>>().join(", ")
}

/// A set: a class by its title, a constant set by its values (linked to
/// the constant), a written list by its values.
fn push_set(p: &Program, set: &SymSet, out: &mut Vec<Inline>) {
    if let Some(name) = &set.name {
        if let Some(c) = p.catalog.class_named(name) {
            let class = p.catalog.class(c);
            out.push(text("the class "));
            out.push(Inline::Named {
                text: class.title.clone(),
                link: Link::to(PageId::Treatments, class_anchor(&class.name)),
            });
            return;
        }
        if p.consts.iter().any(|c| &c.name == name) {
            out.push(Inline::Const {
                value: format!("[{}]", syms_text(p, &set.items)),
                name: name.clone(),
                link: Link::to(PageId::Constants, const_anchor(name)),
            });
            return;
        }
    }
    out.push(Inline::Value(format!("[{}]", syms_text(p, &set.items))));
}
