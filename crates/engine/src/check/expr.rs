//! Expressions: names resolved to facts, constants and symbols; every
//! node typed; units and symbol vocabularies checked.
//!
//! Invariants: a typed expression never mixes dimensions; a symbol literal
//! compared with a closed fact is one of its values; recursion is bounded
//! by the parser's nesting limit.

use super::schema::display_path;
use super::*;
use crate::diag::{Diagnostic, did_you_mean};
use crate::syntax::ast::{AddOp, CmpOp, Expr, ExprKind, Ident, SetExpr};
use crate::value::{Dim, Qty, Sym, Unit};

/// A number a rule may hold: finite and at most [`MAX_MAGNITUDE`].
pub(super) fn fits(x: f64) -> bool {
    x.is_finite() && x.abs() <= MAX_MAGNITUDE
}

pub(super) fn fact_ty(f: &Fact) -> Ty {
    match f.ty {
        FactType::Bool => Ty::Bool,
        FactType::Int | FactType::Number | FactType::Score | FactType::Percent => Ty::Number,
        FactType::Date => Ty::Date,
        FactType::Duration => Ty::Qty(QtyTy::Dim(Dim::Time)),
        FactType::Quantity => Ty::Qty(f.dim.map_or(QtyTy::AnyCount, QtyTy::Dim)),
        FactType::Symbol => Ty::Sym(f.allowed.clone().map_or(SymDomain::Open, SymDomain::Closed)),
        FactType::SymbolList => Ty::SymList(f.allowed.clone().map_or(SymDomain::Open, SymDomain::Closed)),
        FactType::Text => Ty::Text,
        FactType::Treatment => Ty::Sym(SymDomain::Treatment),
    }
}

fn qty_compatible(a: QtyTy, b: QtyTy) -> bool {
    match (a, b) {
        (QtyTy::AnyCount, QtyTy::AnyCount) => true,
        (QtyTy::AnyCount, QtyTy::Dim(d)) | (QtyTy::Dim(d), QtyTy::AnyCount) => d != Dim::Time,
        (QtyTy::Dim(x), QtyTy::Dim(y)) => x == y,
    }
}

fn describe_qty(q: QtyTy) -> String {
    match q {
        QtyTy::AnyCount => "a count of visits, tablets, units or mg".to_string(),
        QtyTy::Dim(Dim::Time) => "a duration".to_string(),
        QtyTy::Dim(d) => format!("a quantity in {}", d.name()),
    }
}

fn describe_ty(t: &Ty) -> String {
    match t {
        Ty::Qty(q) => describe_qty(*q),
        other => other.describe().to_string(),
    }
}

impl Checker<'_> {
    /// Explain a bare name that is neither a constant nor usable as a symbol here.
    pub(super) fn not_a_value(&mut self, env: &Env<'_>, t: &TExpr, expected: &str) {
        let name = self.snippet(t.span);
        let mut d = Diagnostic::error(
            "unknown-name",
            t.span,
            format!("`{name}` is not a fact or a constant, so it cannot be {expected}"),
        );
        let suffix = format!(".{name}");
        let by_suffix = env
            .schema
            .facts
            .iter()
            .find(|f| f.path.ends_with(&suffix))
            .map(display_path);
        let consts = env.consts.iter().map(|c| c.name.as_str());
        d = match by_suffix.or_else(|| did_you_mean(&name, consts).map(str::to_string)) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help("facts are written with their group, such as `exam.muscle_spasm`"),
        };
        self.err(d);
    }

    pub(super) fn want_bool(&mut self, env: &Env<'_>, t: TExpr) -> Option<TExpr> {
        if t.ty == Ty::Bool {
            return Some(t);
        }
        if let Ty::Sym(SymDomain::Literal(_)) = t.ty {
            self.not_a_value(env, &t, "a condition");
            return None;
        }
        let text = self.snippet(t.span);
        let help = match &t.ty {
            Ty::Qty(_) | Ty::Number | Ty::Date => "compare it with something, e.g. `request.quantity <= 6 visit`",
            Ty::Sym(_) => "compare it with a value, e.g. `request.intent == acute_flare`",
            Ty::SymList(_) => "test it with `contains`, e.g. `course.first_line_tried contains nsaid`",
            _ => "use `is documented` to test that it is on the record",
        };
        self.err(
            Diagnostic::error(
                "type-mismatch",
                t.span,
                format!("expected a condition, but `{text}` is {}", describe_ty(&t.ty)),
            )
            .with_help(help),
        );
        None
    }

    pub(super) fn lit(kind: Lit, ty: Ty, span: Span) -> Option<TExpr> {
        Some(TExpr {
            kind: TKind::Lit(kind),
            ty,
            span,
        })
    }

    pub(super) fn expr(&mut self, env: &Env<'_>, e: &Expr) -> Option<TExpr> {
        let span = e.span;
        match &e.kind {
            ExprKind::Bool(b) => Self::lit(Lit::Bool(*b), Ty::Bool, span),
            ExprKind::Number(n) if !fits(*n) => {
                let text = self.snippet(span);
                self.err(super::schema::huge(span, &text));
                None
            }
            ExprKind::Number(n) => Self::lit(Lit::Num(*n), Ty::Number, span),
            ExprKind::Date(d) => Self::lit(Lit::Date(*d), Ty::Date, span),
            ExprKind::Str(s) => Self::lit(Lit::Str(s.clone()), Ty::Text, span),
            ExprKind::Quantity(n, u) => match Unit::parse(&u.name) {
                Some(unit) if !fits(Qty::new(*n, unit).base()) => {
                    let text = self.snippet(span);
                    self.err(super::schema::huge(span, &text));
                    None
                }
                Some(unit) => Self::lit(Lit::Qty(Qty::new(*n, unit)), Ty::Qty(QtyTy::Dim(unit.dim())), span),
                None => {
                    self.unknown_unit(u);
                    None
                }
            },
            ExprKind::Path(segs) => self.path(env, segs, span),
            ExprKind::Name(id) => self.name_expr(env, id, span),
            ExprKind::Set(l) => {
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        l.span,
                        "a list of values stands after `in` or `contains any of`",
                    )
                    .with_help("e.g. request.intent in [acute_flare, trial]"),
                );
                None
            }
            ExprKind::Paren(inner) => self.expr(env, inner),
            ExprKind::Not(x) => {
                let x = self.expr(env, x)?;
                let x = self.want_bool(env, x)?;
                Some(TExpr {
                    kind: TKind::Not(Box::new(x)),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                let mut ok = true;
                for x in xs {
                    match self.expr(env, x).and_then(|t| self.want_bool(env, t)) {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let kind = if matches!(e.kind, ExprKind::And(_)) {
                    TKind::And(out)
                } else {
                    TKind::Or(out)
                };
                Some(TExpr {
                    kind,
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::When { cond, then, otherwise } => {
                let c = self.expr(env, cond).and_then(|t| self.want_bool(env, t));
                let t = self.expr(env, then).and_then(|t| self.want_bool(env, t));
                let o = match otherwise {
                    Some(o) => Some(self.expr(env, o).and_then(|t| self.want_bool(env, t))?),
                    None => None,
                };
                Some(TExpr {
                    kind: TKind::When(Box::new(c?), Box::new(t?), o.map(Box::new)),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::Cmp(op, a, b) => {
                let a = self.expr(env, a);
                let b = self.expr(env, b);
                self.cmp(env, *op, a?, b?, span)
            }
            ExprKind::Sum(first, rest) => {
                let mut acc = self.expr(env, first)?;
                let mut terms = Vec::new();
                let mut ty = acc.ty.clone();
                for (op, x) in rest {
                    let t = self.expr(env, x)?;
                    ty = self.sum_ty(&acc, &ty, *op, &t)?;
                    terms.push((*op, t));
                }
                acc = TExpr {
                    kind: TKind::Sum(Box::new(acc), terms),
                    ty,
                    span,
                };
                Some(acc)
            }
            ExprKind::Documented { expr, negated } => {
                let x = self.expr(env, expr)?;
                if !matches!(x.kind, TKind::Fact(_)) {
                    self.err(
                        Diagnostic::error("type-mismatch", x.span, "only a fact can be documented or not")
                            .with_help("write e.g. `prior.visits is documented`"),
                    );
                    return None;
                }
                Some(TExpr {
                    kind: TKind::Documented(Box::new(x), *negated),
                    ty: Ty::Bool,
                    span,
                })
            }
            ExprKind::In(x, set) => self.in_expr(env, x, set, span),
            ExprKind::Contains(list, elem) => self.contains_expr(env, list, elem, span),
            ExprKind::ContainsAny(list, set) | ExprKind::ContainsAll(list, set) => {
                let list = self.expr(env, list)?;
                let domain = self.want_list(&list)?;
                let set = self.set(env, set, &domain)?;
                let kind = if matches!(e.kind, ExprKind::ContainsAny(..)) {
                    TKind::ContainsAny(Box::new(list), set)
                } else {
                    TKind::ContainsAll(Box::new(list), set)
                };
                Some(TExpr {
                    kind,
                    ty: Ty::Bool,
                    span,
                })
            }
        }
    }

    /// A bare name: a constant, else a symbol literal.
    fn name_expr(&mut self, env: &Env<'_>, id: &Ident, span: Span) -> Option<TExpr> {
        if let Some(i) = env.consts.iter().position(|c| c.name == id.name) {
            let c = &env.consts[i];
            return match &c.value {
                ConstValue::Lit(l) => {
                    let ty = match l {
                        Lit::Bool(_) => Ty::Bool,
                        Lit::Num(_) => Ty::Number,
                        Lit::Date(_) => Ty::Date,
                        Lit::Qty(q) => Ty::Qty(QtyTy::Dim(q.dim())),
                        Lit::Sym(s) => Ty::Sym(SymDomain::Literal(*s)),
                        Lit::Str(_) => Ty::Text,
                    };
                    Some(TExpr {
                        kind: TKind::Const(ConstId(i as u32), l.clone()),
                        ty,
                        span,
                    })
                }
                ConstValue::Set(_) => {
                    self.err(
                        Diagnostic::error("type-mismatch", span, format!("`{}` is a set of values", id.name))
                            .with_help(format!("use it after `in` or `contains any of`: x in {}", id.name)),
                    );
                    None
                }
            };
        }
        let sym = self.symbols.intern(&id.name);
        Some(TExpr {
            kind: TKind::Lit(Lit::Sym(sym)),
            ty: Ty::Sym(SymDomain::Literal(sym)),
            span,
        })
    }

    /// `x in [...]`: a symbol in a set of its values.
    fn in_expr(&mut self, env: &Env<'_>, x: &Expr, set: &ast::SetExpr, span: Span) -> Option<TExpr> {
        let x = self.expr(env, x)?;
        let domain = match &x.ty {
            Ty::Sym(d) => d.clone(),
            other => {
                let text = self.snippet(x.span);
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        x.span,
                        format!("`in` tests a symbol, but `{text}` is {}", describe_ty(other)),
                    )
                    .with_help(if matches!(other, Ty::SymList(_)) {
                        "for a list, write `contains any of [...]`"
                    } else {
                        "compare numbers and quantities with <, <=, ==, ..."
                    }),
                );
                return None;
            }
        };
        let set = self.set(env, set, &domain)?;
        Some(TExpr {
            kind: TKind::In(Box::new(x), set),
            ty: Ty::Bool,
            span,
        })
    }

    /// `list contains x`: a symbol in a list of symbols.
    fn contains_expr(&mut self, env: &Env<'_>, list: &Expr, elem: &Expr, span: Span) -> Option<TExpr> {
        let list = self.expr(env, list)?;
        let elem = self.expr(env, elem)?;
        let domain = self.want_list(&list)?;
        match &elem.ty {
            Ty::Sym(_) => {
                self.check_sym(env, &elem, &domain, Some(&list))?;
            }
            other => {
                let text = self.snippet(elem.span);
                self.err(Diagnostic::error(
                    "type-mismatch",
                    elem.span,
                    format!(
                        "a list of symbols contains symbols, but `{text}` is {}",
                        describe_ty(other)
                    ),
                ));
                return None;
            }
        }
        Some(TExpr {
            kind: TKind::Contains(Box::new(list), Box::new(elem)),
            ty: Ty::Bool,
            span,
        })
    }

    pub(super) fn want_list(&mut self, list: &TExpr) -> Option<SymDomain> {
        match &list.ty {
            Ty::SymList(d) => Some(d.clone()),
            other => {
                let text = self.snippet(list.span);
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        list.span,
                        format!("`contains` needs a list, but `{text}` is {}", describe_ty(other)),
                    )
                    .with_help("for a single symbol, write `x == value` or `x in [a, b]`"),
                );
                None
            }
        }
    }

    /// Check that a symbol literal is a value the other side (`fact`, when
    /// known) can hold; in a set, a class name also counts for treatments.
    pub(super) fn check_sym(
        &mut self,
        env: &Env<'_>,
        lit: &TExpr,
        domain: &SymDomain,
        other: Option<&TExpr>,
    ) -> Option<()> {
        let sym = match &lit.kind {
            TKind::Lit(Lit::Sym(s)) | TKind::Const(_, Lit::Sym(s)) => *s,
            _ => return Some(()),
        };
        let name = self.symbols.name(sym).unwrap_or("?").to_string();
        match domain {
            SymDomain::Open | SymDomain::Literal(_) => Some(()),
            SymDomain::Closed(allowed) if allowed.contains(&sym) => Some(()),
            SymDomain::Closed(allowed) => {
                let names: Vec<String> = allowed
                    .iter()
                    .filter_map(|s| self.symbols.name(*s))
                    .map(str::to_string)
                    .collect();
                let message = match other {
                    Some(o) => format!("`{name}` is not a value `{}` can have", self.snippet(o.span)),
                    None => format!("`{name}` is not one of the values this fact can have"),
                };
                let mut d = Diagnostic::error("unknown-symbol", lit.span, message);
                d = d.with_help(match did_you_mean(&name, names.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("its values are: {}", names.join(", ")),
                });
                self.err(d);
                None
            }
            SymDomain::Treatment => {
                if env.catalog.treatment_named(&name).is_some() {
                    return Some(());
                }
                let id = Ident { name, span: lit.span };
                self.unknown_treatment(env.catalog, &id, other.is_none());
                None
            }
        }
    }

    pub(super) fn set(&mut self, env: &Env<'_>, s: &SetExpr, domain: &SymDomain) -> Option<SymSet> {
        let (items, name): (Vec<(Sym, Span)>, Option<String>) = match s {
            SetExpr::List(l) => {
                let mut items = Vec::new();
                for i in &l.items {
                    // In a treatment set, a class stands for its members.
                    if *domain == SymDomain::Treatment {
                        if let Some(c) = env.catalog.class_named(&i.name) {
                            for &m in &env.catalog.class(c).members {
                                items.push((env.catalog.treatment(m).sym, i.span));
                            }
                            continue;
                        }
                    }
                    items.push((self.symbols.intern(&i.name), i.span));
                }
                (items, None)
            }
            SetExpr::Named(n) => {
                if let Some(c) = env.consts.iter().find(|c| c.name == n.name) {
                    match &c.value {
                        ConstValue::Set(v) => (v.iter().map(|&s| (s, n.span)).collect(), Some(n.name.clone())),
                        ConstValue::Lit(_) => {
                            self.err(
                                Diagnostic::error(
                                    "type-mismatch",
                                    n.span,
                                    format!("`{}` is a single value, not a set", n.name),
                                )
                                .with_help("compare with `==`, or declare the constant as a list [a, b]"),
                            );
                            return None;
                        }
                    }
                } else if let Some(c) = env.catalog.class_named(&n.name) {
                    let members = env
                        .catalog
                        .class(c)
                        .members
                        .iter()
                        .map(|&m| (env.catalog.treatment(m).sym, n.span))
                        .collect();
                    (members, Some(n.name.clone()))
                } else {
                    let mut names: Vec<&str> = env.consts.iter().map(|c| c.name.as_str()).collect();
                    names.extend(env.catalog.classes.iter().map(|c| c.name.as_str()));
                    let mut d = Diagnostic::error("unknown-name", n.span, format!("unknown set `{}`", n.name));
                    d = d.with_help(match did_you_mean(&n.name, names) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => format!(
                            "write the values in brackets, [{}], or declare `const {} = [...]`",
                            n.name, n.name
                        ),
                    });
                    self.err(d);
                    return None;
                }
            }
        };
        let mut ok = true;
        for &(sym, span) in &items {
            let lit = TExpr {
                kind: TKind::Lit(Lit::Sym(sym)),
                ty: Ty::Sym(SymDomain::Literal(sym)),
                span,
            };
            if self.check_sym(env, &lit, domain, None).is_none() {
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let mut syms: Vec<Sym> = items.into_iter().map(|(s, _)| s).collect();
        syms.sort_unstable();
        syms.dedup();
        Some(SymSet { items: syms, name })
    }

    pub(super) fn cmp(&mut self, env: &Env<'_>, op: CmpOp, a: TExpr, b: TExpr, span: Span) -> Option<TExpr> {
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let ok = match (&a.ty, &b.ty) {
            (Ty::Number, Ty::Number) | (Ty::Date, Ty::Date) => true,
            (Ty::Qty(x), Ty::Qty(y)) => {
                if !qty_compatible(*x, *y) {
                    let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
                    self.err(
                        Diagnostic::error(
                            "unit-mismatch",
                            span,
                            format!(
                                "cannot compare `{ta}` ({}) with `{tb}` ({})",
                                describe_qty(*x),
                                describe_qty(*y)
                            ),
                        )
                        .with_help("both sides need the same kind of unit: visits with visits, days with weeks"),
                    );
                    return None;
                }
                true
            }
            (Ty::Qty(q), Ty::Number) | (Ty::Number, Ty::Qty(q)) => {
                let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
                let example = match q {
                    QtyTy::Dim(Dim::Time) => "3 week",
                    QtyTy::Dim(Dim::Tablet) => "15 tablet",
                    QtyTy::Dim(Dim::Mass) => "7.5 mg",
                    QtyTy::Dim(Dim::Med) => "120 mg_med",
                    QtyTy::Dim(Dim::Item) => "1 unit",
                    _ => "6 visit",
                };
                self.err(
                    Diagnostic::error(
                        "unit-mismatch",
                        span,
                        format!("cannot compare `{ta}` with `{tb}`: one has a unit and the other does not"),
                    )
                    .with_help(format!("give the number a unit, e.g. `{example}`")),
                );
                return None;
            }
            (Ty::Sym(da), Ty::Sym(db)) if equality => {
                self.check_sym(env, &a, db, Some(&b))?;
                self.check_sym(env, &b, da, Some(&a))?;
                true
            }
            (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) if equality => true,
            (Ty::Sym(_), Ty::Sym(_)) | (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) => {
                self.err(
                    Diagnostic::error(
                        "type-mismatch",
                        span,
                        format!("`{}` does not order {}s", op.symbol(), describe_ty(&a.ty)),
                    )
                    .with_help("use `==` or `!=`"),
                );
                return None;
            }
            _ => false,
        };
        if !ok {
            if let Ty::Sym(SymDomain::Literal(_)) = b.ty {
                if !matches!(a.ty, Ty::Sym(_)) {
                    self.not_a_value(env, &b, "compared");
                    return None;
                }
            }
            if let Ty::Sym(SymDomain::Literal(_)) = a.ty {
                self.not_a_value(env, &a, "compared");
                return None;
            }
            let (ta, tb) = (self.snippet(a.span), self.snippet(b.span));
            self.err(Diagnostic::error(
                "type-mismatch",
                span,
                format!(
                    "cannot compare `{ta}` ({}) with `{tb}` ({})",
                    describe_ty(&a.ty),
                    describe_ty(&b.ty)
                ),
            ));
            return None;
        }
        self.within_range(env, &a, &b)?;
        self.within_range(env, &b, &a)?;
        Some(TExpr {
            kind: TKind::Cmp(op, Box::new(a), Box::new(b)),
            ty: Ty::Bool,
            span,
        })
    }

    /// A number compared with a fact that has a range lies inside it: a
    /// bound outside (`pain.current > 12`) decides the comparison before
    /// any case is read, which is never what the author meant.
    fn within_range(&mut self, env: &Env<'_>, fact: &TExpr, lit: &TExpr) -> Option<()> {
        let TKind::Fact(r) = fact.kind else {
            return Some(());
        };
        let f = env.schema.fact(r.fact());
        let Some(range) = f.range else {
            return Some(());
        };
        let value = match &lit.kind {
            TKind::Lit(Lit::Num(n)) | TKind::Const(_, Lit::Num(n)) => *n,
            TKind::Lit(Lit::Qty(q)) | TKind::Const(_, Lit::Qty(q)) => q.base(),
            _ => return Some(()),
        };
        if range.contains(value) {
            return Some(());
        }
        let (lo, hi) = (crate::value::fmt_num(range.min), crate::value::fmt_num(range.max));
        let unit = match f.ty {
            FactType::Duration => " days",
            _ => "",
        };
        self.err(
            Diagnostic::error(
                "out-of-range",
                lit.span,
                format!(
                    "`{}` is outside the values `{}` can have ({lo} to {hi}{unit})",
                    self.snippet(lit.span),
                    display_path(f)
                ),
            )
            .with_help("the comparison is decided before any case is read: check the number, or the fact's range"),
        );
        None
    }

    pub(super) fn sum_ty(&mut self, left: &TExpr, lt: &Ty, op: AddOp, right: &TExpr) -> Option<Ty> {
        let time = QtyTy::Dim(Dim::Time);
        let out = match (lt, op, &right.ty) {
            (Ty::Number, _, Ty::Number) => Some(Ty::Number),
            (Ty::Qty(x), _, Ty::Qty(y)) if qty_compatible(*x, *y) => Some(Ty::Qty(match (x, y) {
                (QtyTy::Dim(d), _) | (_, QtyTy::Dim(d)) => QtyTy::Dim(*d),
                _ => QtyTy::AnyCount,
            })),
            (Ty::Date, _, Ty::Qty(q)) if *q == time => Some(Ty::Date),
            (Ty::Qty(q), AddOp::Add, Ty::Date) if *q == time => Some(Ty::Date),
            (Ty::Date, AddOp::Sub, Ty::Date) => Some(Ty::Qty(time)),
            _ => None,
        };
        if out.is_none() {
            let (ta, tb) = (self.snippet(left.span), self.snippet(right.span));
            let verb = if op == AddOp::Add { "add" } else { "subtract" };
            let prep = if op == AddOp::Add { "to" } else { "from" };
            let (x, y) = (tb, ta);
            let (tx, ty) = (describe_ty(&right.ty), describe_ty(lt));
            self.err(
                Diagnostic::error(
                    if matches!(
                        (lt, &right.ty),
                        (Ty::Qty(_), Ty::Qty(_)) | (Ty::Qty(_), Ty::Number) | (Ty::Number, Ty::Qty(_))
                    ) {
                        "unit-mismatch"
                    } else {
                        "type-mismatch"
                    },
                    left.span.to(right.span),
                    format!("cannot {verb} `{x}` ({tx}) {prep} `{y}` ({ty})"),
                )
                .with_help("numbers add to numbers, quantities to quantities of the same unit, durations to dates"),
            );
        }
        out
    }

    pub(super) fn path(&mut self, env: &Env<'_>, segs: &[Ident], span: Span) -> Option<TExpr> {
        let full: String = segs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
        let history_field = |name: &str| env.schema.lookup(&format!("history.*.{name}"));
        let found: Option<(FactRef, &Fact)> = match segs {
            [p, field] if p.name == "prior" => {
                history_field(&field.name).map(|f| (FactRef::Prior(fact_id(env, f), f.slot), f))
            }
            [h, t, field] if h.name == "history" => {
                let Some(tid) = env.catalog.treatment_named(&t.name) else {
                    self.unknown_treatment(env.catalog, t, false);
                    return None;
                };
                history_field(&field.name).map(|f| (FactRef::History(tid, fact_id(env, f), f.slot), f))
            }
            [r, ..] if r.name == "request" => env
                .schema
                .lookup(&full)
                .map(|f| (FactRef::Request(fact_id(env, f), f.slot), f)),
            _ => env
                .schema
                .lookup(&full)
                .filter(|f| f.scope == Scope::Case)
                .map(|f| (FactRef::Case(fact_id(env, f), f.slot), f)),
        };
        match found {
            Some((r, f)) => Some(TExpr {
                kind: TKind::Fact(r),
                ty: fact_ty(f),
                span,
            }),
            None => {
                let display: Vec<String> = env.schema.facts.iter().map(display_path).collect();
                let mut d = Diagnostic::error("unknown-fact", span, format!("unknown fact `{full}`"));
                let lookup = if segs.first().is_some_and(|s| s.name == "history") && segs.len() == 3 {
                    format!("prior.{}", segs[2].name)
                } else {
                    full.clone()
                };
                d = d.with_help(match did_you_mean(&lookup, display.iter().map(String::as_str)) {
                    Some(s) if segs.first().is_some_and(|s| s.name == "history") => {
                        format!(
                            "did you mean `history.{}.{}`?",
                            segs[1].name,
                            s.trim_start_matches("prior.")
                        )
                    }
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "declare it in the fact schema: fact GROUP.NAME: TYPE \"description\"".to_string(),
                });
                self.err(d);
                None
            }
        }
    }
}

fn fact_id(env: &Env<'_>, f: &Fact) -> FactId {
    env.schema.by_path.get(&f.path).copied().unwrap_or(FactId(0))
}

pub(super) fn collect_reads(e: &TExpr, out: &mut Vec<FactRef>) {
    e.walk(&mut |x| {
        if let TKind::Fact(r) = x.kind {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    });
}
