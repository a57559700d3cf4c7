//! Stage 1b: the pest tree of one item to its syntax tree, with spans
//! shifted to the file.

use super::*;

/// Builds AST nodes from pest pairs, shifting spans by the chunk offset.
pub(super) struct Builder {
    pub(super) file: FileId,
    pub(super) base: usize,
}

pub(super) type R<T> = Result<T, Diagnostic>;

/// Children of a pair, without the keyword tokens.
pub(super) fn children(p: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    p.into_inner().filter(|c| {
        !matches!(
            c.as_rule(),
            Rule::kw_when
                | Rule::kw_then
                | Rule::kw_else
                | Rule::kw_or
                | Rule::kw_and
                | Rule::kw_is
                | Rule::kw_in
                | Rule::kw_contains
                | Rule::kw_any
                | Rule::kw_all
                | Rule::kw_of
                | Rule::kw_documented
                | Rule::kw_source
                | Rule::kw_tier
                | Rule::kw_effective
                | Rule::kw_until
                | Rule::kw_fact
                | Rule::kw_class
                | Rule::kw_treatment
                | Rule::kw_aka
                | Rule::kw_const
                | Rule::kw_rule
                | Rule::kw_cites
                | Rule::kw_applies
                | Rule::kw_to
                | Rule::kw_supplements
                | Rule::kw_list
                | Rule::kw_range
                | Rule::kw_extend
                | Rule::kw_with
                | Rule::kw_confidence
        )
    })
}

impl Builder {
    pub(super) fn span_at(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start, self.base + end)
    }

    /// The span of a pair, without the whitespace pest may have consumed
    /// after its last token.
    pub(super) fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        let trimmed = p.as_str().trim_end().len();
        self.span_at(s.start(), s.start() + trimmed)
    }

    /// The grammar guarantees the shape; a mismatch is a bug in this file,
    /// reported as an error rather than a panic.
    pub(super) fn bug(&self, p: &Pair<'_, Rule>, what: &str) -> Diagnostic {
        Diagnostic::error(
            "internal",
            self.span(p),
            format!("internal parser error: expected {what}, found {:?}", p.as_rule()),
        )
    }

    pub(super) fn next<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        parent: &Pair<'i, Rule>,
        what: &str,
    ) -> R<Pair<'i, Rule>> {
        it.next().ok_or_else(|| self.bug(parent, what))
    }

    pub(super) fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    pub(super) fn string(&self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        let raw = p.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Str { value, span }
    }

    pub(super) fn date(&self, p: Pair<'_, Rule>) -> R<DateLit> {
        let span = self.span(&p);
        let date = Date::parse(p.as_str()).ok_or_else(|| {
            Diagnostic::error("bad-date", span, format!("`{}` is not a calendar date", p.as_str()))
                .with_help("write dates as YYYY-MM-DD, e.g. 2015-05-06")
        })?;
        Ok(DateLit { date, span })
    }

    pub(super) fn number(&self, p: Pair<'_, Rule>) -> R<f64> {
        let span = self.span(&p);
        p.as_str()
            .parse()
            .map_err(|_| Diagnostic::error("syntax", span, format!("`{}` is not a number", p.as_str())))
    }

    pub(super) fn item(&self, p: Pair<'_, Rule>) -> R<Item> {
        Ok(match p.as_rule() {
            Rule::source_item => Item::Source(self.source(p)?),
            Rule::fact_item => Item::Fact(self.fact(p)?),
            Rule::extend_item => {
                let span = self.span(&p);
                let mut it = children(p.clone());
                let path = self.ident(self.next(&mut it, &p, "a fact path")?);
                let with = self.set_list(self.next(&mut it, &p, "a list")?);
                Item::Extend(ExtendDecl { path, with, span })
            }
            Rule::class_item => {
                let span = self.span(&p);
                let mut it = children(p.clone());
                let name = self.ident(self.next(&mut it, &p, "a name")?);
                let title = self.string(self.next(&mut it, &p, "a title")?);
                let units = it.map(|u| self.units(u)).collect::<R<Vec<_>>>()?;
                Item::Class(ClassDecl {
                    name,
                    title,
                    units,
                    span,
                })
            }
            Rule::treatment_item => Item::Treatment(self.treatment(p)?),
            Rule::const_item => Item::Const(self.constant(p)?),
            Rule::rule_item => Item::Rule(self.rule(p)?),
            _ => return Err(self.bug(&p, "an item")),
        })
    }

    pub(super) fn effective(&self, p: Pair<'_, Rule>) -> R<Effective> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let from = self.date(self.next(&mut it, &p, "a date")?)?;
        let until = it.next().map(|d| self.date(d)).transpose()?;
        Ok(Effective { from, until, span })
    }

    pub(super) fn source(&self, p: Pair<'_, Rule>) -> R<SourceDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let id = self.ident(self.next(&mut it, &p, "a source id")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut tier = None;
        let mut effective = None;
        for c in it {
            match c.as_rule() {
                Rule::tier_clause => {
                    let mut ci = children(c.clone());
                    tier = Some(self.ident(self.next(&mut ci, &c, "a tier")?));
                }
                Rule::effective_clause => effective = Some(self.effective(c)?),
                _ => return Err(self.bug(&c, "a source clause")),
            }
        }
        Ok(SourceDecl {
            id,
            title,
            tier,
            effective,
            span,
        })
    }

    pub(super) fn set_list(&self, p: Pair<'_, Rule>) -> SetList {
        let span = self.span(&p);
        SetList {
            items: children(p).map(|i| self.ident(i)).collect(),
            span,
        }
    }

    pub(super) fn fact(&self, p: Pair<'_, Rule>) -> R<FactDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let path = self.ident(self.next(&mut it, &p, "a fact path")?);
        let ty_pair = self.next(&mut it, &p, "a type")?;
        let ty_span = self.span(&ty_pair);
        let inner = ty_pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.bug(&ty_pair, "a type"))?;
        let ty = match inner.as_rule() {
            Rule::list_type => {
                let mut li = children(inner.clone());
                TypeExpr {
                    name: self.ident(self.next(&mut li, &inner, "a type name")?),
                    list: true,
                    span: ty_span,
                }
            }
            _ => TypeExpr {
                name: self.ident(inner),
                list: false,
                span: ty_span,
            },
        };
        let mut of = None;
        let mut unit = None;
        let mut range = None;
        let mut description = None;
        for c in it {
            match c.as_rule() {
                Rule::fact_of => {
                    let mut ci = children(c.clone());
                    of = Some(self.set_list(self.next(&mut ci, &c, "a list")?));
                }
                Rule::fact_unit => {
                    let mut ci = children(c.clone());
                    unit = Some(self.ident(self.next(&mut ci, &c, "a unit")?));
                }
                Rule::fact_range => {
                    let span = self.span(&c);
                    let mut ci = children(c.clone());
                    let min = self.bound(self.next(&mut ci, &c, "a bound")?)?;
                    let max = self.bound(self.next(&mut ci, &c, "a bound")?)?;
                    range = Some(RangeDecl { min, max, span });
                }
                Rule::string => description = Some(self.string(c)),
                _ => return Err(self.bug(&c, "a fact clause")),
            }
        }
        let description = description.ok_or_else(|| self.bug(&p, "a description"))?;
        Ok(FactDecl {
            path,
            ty,
            of,
            unit,
            range,
            description,
            span,
        })
    }

    pub(super) fn bound(&self, p: Pair<'_, Rule>) -> R<Bound> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let value = self.number(self.next(&mut it, &p, "a number")?)?;
        let unit = it.next().map(|u| self.ident(u));
        Ok(Bound { value, unit, span })
    }

    pub(super) fn units(&self, p: Pair<'_, Rule>) -> R<UnitsDecl> {
        let span = self.span(&p);
        let mut of = None;
        let mut units = Vec::new();
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::kw_quantity => of = Some(UnitsOf::Quantity),
                Rule::kw_strength => of = Some(UnitsOf::Strength),
                Rule::kw_in => {}
                Rule::ident => units.push(self.ident(c)),
                _ => return Err(self.bug(&c, "a unit")),
            }
        }
        let of = of.ok_or_else(|| self.bug(&p, "`quantity` or `strength`"))?;
        Ok(UnitsDecl { of, units, span })
    }

    pub(super) fn treatment(&self, p: Pair<'_, Rule>) -> R<TreatmentDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a name")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut classes = Vec::new();
        let mut units = Vec::new();
        let mut aka = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::treatment_classes => classes.extend(children(c).map(|i| self.ident(i))),
                Rule::units_clause => units.push(self.units(c)?),
                Rule::treatment_aka => aka.extend(children(c).map(|s| self.string(s))),
                _ => return Err(self.bug(&c, "a treatment clause")),
            }
        }
        Ok(TreatmentDecl {
            name,
            title,
            classes,
            units,
            aka,
            span,
        })
    }

    pub(super) fn constant(&self, p: Pair<'_, Rule>) -> R<ConstDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a name")?);
        let v = self.next(&mut it, &p, "a value")?;
        let value = match v.as_rule() {
            Rule::set_list => {
                let l = self.set_list(v);
                Expr {
                    span: l.span,
                    kind: ExprKind::Set(l),
                }
            }
            _ => self.atom(v, 0)?,
        };
        let mut description = None;
        let mut confidence = None;
        for c in it {
            match c.as_rule() {
                Rule::string => description = Some(self.string(c)),
                Rule::confidence_clause => confidence = Some(self.confidence(c)?),
                _ => return Err(self.bug(&c, "a constant clause")),
            }
        }
        Ok(ConstDecl {
            name,
            value,
            description,
            confidence,
            span,
        })
    }

    pub(super) fn confidence(&self, p: Pair<'_, Rule>) -> R<ConfidenceDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let level_pair = self.next(&mut it, &p, "a confidence level")?;
        let level = match level_pair.as_str() {
            "high" => Level::High,
            "low" => Level::Low,
            _ => return Err(self.bug(&level_pair, "`high` or `low`")),
        };
        let ids = it.map(|i| self.ident(i)).collect();
        Ok(ConfidenceDecl { level, ids, span })
    }

    pub(super) fn cite(&self, p: Pair<'_, Rule>) -> R<Cite> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let source = self.ident(self.next(&mut it, &p, "a source id")?);
        let section = self.string(self.next(&mut it, &p, "a section")?);
        let pages = it.next().map(|pg| {
            let prefix = if pg.as_str().starts_with("pp.") { "pp." } else { "p." };
            let ranges: Vec<&str> = pg.clone().into_inner().map(|r| r.as_str()).collect();
            Pages {
                text: format!("{prefix} {}", ranges.join(", ")),
                span: self.span(&pg),
            }
        });
        Ok(Cite {
            source,
            section,
            pages,
            span,
        })
    }

    pub(super) fn rule(&self, p: Pair<'_, Rule>) -> R<RuleDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a rule name")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut rule = RuleDecl {
            name,
            title,
            cites: Vec::new(),
            applies: Vec::new(),
            effective: Vec::new(),
            supplements: Vec::new(),
            confidence: None,
            criteria: Vec::new(),
            span,
        };
        for c in it {
            match c.as_rule() {
                Rule::cites_clause => rule.cites.push(self.cite(c)?),
                Rule::applies_clause => rule.applies.extend(children(c).map(|i| self.ident(i))),
                Rule::effective_clause => rule.effective.push(self.effective(c)?),
                Rule::supplements_clause => {
                    let mut ci = children(c.clone());
                    rule.supplements
                        .push(self.ident(self.next(&mut ci, &c, "a rule name")?));
                }
                Rule::confidence_clause => {
                    let conf = self.confidence(c)?;
                    if rule.confidence.is_some() {
                        return Err(Diagnostic::error(
                            "duplicate-clause",
                            conf.span,
                            "a rule has one `confidence` line",
                        )
                        .with_help("list every criteria id on one line: confidence low OPI-4, OPI-9"));
                    }
                    rule.confidence = Some(conf);
                }
                Rule::criterion => rule.criteria.push(self.criterion(c)?),
                _ => return Err(self.bug(&c, "a rule clause")),
            }
        }
        Ok(rule)
    }

    pub(super) fn criterion(&self, p: Pair<'_, Rule>) -> R<CriterionDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let kind_pair = self.next(&mut it, &p, "require or exclude")?;
        let kind = match kind_pair.clone().into_inner().next().map(|k| k.as_rule()) {
            Some(Rule::exclude_kw) => CriterionKind::Exclude,
            Some(Rule::require_kw) => CriterionKind::Require,
            _ => return Err(self.bug(&kind_pair, "require or exclude")),
        };
        let name = self.ident(self.next(&mut it, &p, "a criterion name")?);
        let description = self.string(self.next(&mut it, &p, "a description")?);
        let mut cites = None;
        let mut confidence = None;
        let mut expr = None;
        for c in it {
            match c.as_rule() {
                Rule::cites_clause => cites = Some(self.cite(c)?),
                Rule::confidence_clause => confidence = Some(self.confidence(c)?),
                Rule::expr => expr = Some(self.expr(c, 0)?),
                _ => return Err(self.bug(&c, "a criterion clause")),
            }
        }
        Ok(CriterionDecl {
            kind,
            name,
            description,
            cites,
            confidence,
            expr,
            span,
        })
    }

    pub(super) fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            "nesting",
            span,
            format!("expression nests more than {MAX_NESTING} levels deep"),
        )
        .with_help("split the criterion into several criteria, or simplify repeated `not`")
    }

    pub(super) fn expr(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        if depth > MAX_NESTING {
            return Err(self.too_deep(self.span(&p)));
        }
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr => {
                let inner = children(p.clone())
                    .next()
                    .ok_or_else(|| self.bug(&p, "an expression"))?;
                self.expr(inner, depth)
            }
            Rule::when_expr => {
                let mut it = children(p.clone());
                let cond = self.expr(self.next(&mut it, &p, "a condition")?, depth)?;
                let then = self.expr(self.next(&mut it, &p, "a consequence")?, depth)?;
                let otherwise = it.next().map(|e| self.expr(e, depth)).transpose()?;
                Ok(Expr {
                    kind: ExprKind::When {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: otherwise.map(Box::new),
                    },
                    span,
                })
            }
            Rule::or_expr | Rule::and_expr => {
                let is_or = p.as_rule() == Rule::or_expr;
                let mut parts = children(p).map(|c| self.expr(c, depth)).collect::<R<Vec<_>>>()?;
                if parts.len() == 1 {
                    return parts.pop().ok_or_else(|| Diagnostic::error("internal", span, "empty"));
                }
                Ok(Expr {
                    kind: if is_or {
                        ExprKind::Or(parts)
                    } else {
                        ExprKind::And(parts)
                    },
                    span,
                })
            }
            Rule::not_expr => {
                let parts: Vec<Pair<'_, Rule>> = children(p.clone()).collect();
                let (test, nots) = parts.split_last().ok_or_else(|| self.bug(&p, "a test"))?;
                if depth + nots.len() > MAX_NESTING {
                    return Err(self.too_deep(span));
                }
                let mut e = self.expr(test.clone(), depth + nots.len())?;
                for n in nots.iter().rev() {
                    let s = self.span(n).to(e.span);
                    e = Expr {
                        kind: ExprKind::Not(Box::new(e)),
                        span: s,
                    };
                }
                Ok(e)
            }
            Rule::test => self.test(p, depth),
            Rule::sum => {
                let mut it = children(p.clone());
                let first = self.atom(self.next(&mut it, &p, "a term")?, depth)?;
                let mut rest = Vec::new();
                while let Some(op) = it.next() {
                    let op = if op.as_str() == "+" { AddOp::Add } else { AddOp::Sub };
                    let term = self.atom(self.next(&mut it, &p, "a term")?, depth)?;
                    rest.push((op, term));
                }
                if rest.is_empty() {
                    return Ok(first);
                }
                Ok(Expr {
                    kind: ExprKind::Sum(Box::new(first), rest),
                    span,
                })
            }
            _ => self.atom(p, depth),
        }
    }

    pub(super) fn set(&self, p: Pair<'_, Rule>) -> SetExpr {
        match p.as_rule() {
            Rule::set_list => SetExpr::List(self.set_list(p)),
            _ => SetExpr::Named(self.ident(p)),
        }
    }

    pub(super) fn test(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let lhs = self.expr(self.next(&mut it, &p, "a value")?, depth)?;
        let Some(tail) = it.next() else {
            return Ok(lhs);
        };
        let mut ti = children(tail.clone());
        let kind = match tail.as_rule() {
            Rule::cmp_tail => {
                let op = match self.next(&mut ti, &tail, "an operator")?.as_str() {
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    ">=" => CmpOp::Ge,
                    "==" => CmpOp::Eq,
                    _ => CmpOp::Ne,
                };
                let rhs = self.expr(self.next(&mut ti, &tail, "a value")?, depth)?;
                ExprKind::Cmp(op, Box::new(lhs), Box::new(rhs))
            }
            Rule::documented_tail => ExprKind::Documented {
                expr: Box::new(lhs),
                negated: ti.next().is_some(),
            },
            Rule::in_tail => ExprKind::In(Box::new(lhs), self.set(self.next(&mut ti, &tail, "a set")?)),
            Rule::contains_tail => {
                let what = self.next(&mut ti, &tail, "a value")?;
                match what.as_rule() {
                    Rule::any_of | Rule::all_of => {
                        let any = what.as_rule() == Rule::any_of;
                        let mut wi = children(what.clone());
                        let set = self.set(self.next(&mut wi, &what, "a set")?);
                        if any {
                            ExprKind::ContainsAny(Box::new(lhs), set)
                        } else {
                            ExprKind::ContainsAll(Box::new(lhs), set)
                        }
                    }
                    _ => ExprKind::Contains(Box::new(lhs), Box::new(self.expr(what, depth)?)),
                }
            }
            _ => return Err(self.bug(&tail, "a test")),
        };
        Ok(Expr { kind, span })
    }

    pub(super) fn atom(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::paren => {
                let inner = children(p.clone())
                    .next()
                    .ok_or_else(|| self.bug(&p, "an expression"))?;
                ExprKind::Paren(Box::new(self.expr(inner, depth + 1)?))
            }
            Rule::date => ExprKind::Date(self.date(p)?.date),
            Rule::quantity => {
                let mut it = children(p.clone());
                let n = self.number(self.next(&mut it, &p, "a number")?)?;
                let unit = self.ident(self.next(&mut it, &p, "a unit")?);
                ExprKind::Quantity(n, unit)
            }
            Rule::number => ExprKind::Number(self.number(p)?),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::string => ExprKind::Str(self.string(p).value),
            Rule::path => {
                let mut segs = Vec::new();
                let mut offset = p.as_span().start();
                for seg in p.as_str().split('.') {
                    segs.push(Ident {
                        name: seg.to_string(),
                        span: self.span_at(offset, offset + seg.len()),
                    });
                    offset += seg.len() + 1;
                }
                ExprKind::Path(segs)
            }
            Rule::ident => ExprKind::Name(self.ident(p)),
            Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::test | Rule::sum | Rule::when_expr => {
                return self.expr(p, depth);
            }
            _ => return Err(self.bug(&p, "a value")),
        };
        Ok(Expr { kind, span })
    }
}
