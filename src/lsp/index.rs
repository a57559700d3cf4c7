//! The names of a rule folder, from its parse trees: where each fact,
//! constant, rule, treatment, class and source is declared and every place
//! that names it. Built from syntax alone, so definition, references,
//! hover and completion keep working while the rules do not check.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{FileId, Span};
use crate::syntax::ast::{
    ClassDecl, ConstDecl, Expr, ExprKind, FactDecl, Item, RuleDecl, RuleFile, SetExpr, SetList, SourceDecl,
    TreatmentDecl,
};

/// A named thing of the rule language. A fact is named by its declared
/// path (`history.*.visits`, whatever a rule writes: `prior.visits`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    Fact(String),
    Const(String),
    Rule(String),
    Treatment(String),
    Class(String),
    Source(String),
    /// `rule.criterion`: declared only (a case's `because:` names it).
    Criterion(String),
    /// A value of a closed fact (`chronic` of `request.intent`), declared
    /// in its `of [...]` or an `extend`, used where a condition compares
    /// the fact with it.
    Value(String, String),
}

/// One place a symbol is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub symbol: Symbol,
    pub span: Span,
    /// The declaration itself (else a use).
    pub def: bool,
    /// The rule (`rule`) or criterion (`rule.criterion`) it is written in.
    pub context: Option<String>,
}

/// Every declaration and use of a folder's rule files.
#[derive(Debug, Default)]
pub struct Index {
    /// In file order (file, then start).
    pub occurrences: Vec<Occurrence>,
    pub facts: BTreeMap<String, (FileId, FactDecl)>,
    /// `extend fact PATH with [...]`: the values added, by path.
    pub extends: BTreeMap<String, Vec<(FileId, SetList)>>,
    pub consts: BTreeMap<String, (FileId, ConstDecl)>,
    pub rules: BTreeMap<String, (FileId, RuleDecl)>,
    pub treatments: BTreeMap<String, (FileId, TreatmentDecl)>,
    pub classes: BTreeMap<String, (FileId, ClassDecl)>,
    pub sources: BTreeMap<String, (FileId, SourceDecl)>,
    /// Byte ranges of every item and criterion, by file: what a lint
    /// directive can cover.
    pub elements: Vec<(FileId, usize, usize)>,
}

impl Index {
    pub fn build(files: &[(FileId, &RuleFile)]) -> Index {
        let mut ix = Index::default();
        // Declarations first: a use may name something declared later or
        // in another file.
        for (file, rf) in files {
            for item in &rf.items {
                let s = item.span();
                ix.elements.push((*file, s.start as usize, s.end as usize));
                match item {
                    Item::Source(x) => {
                        ix.def(Symbol::Source(x.id.name.clone()), x.id.span);
                        ix.sources.entry(x.id.name.clone()).or_insert((*file, x.clone()));
                    }
                    Item::Fact(x) => {
                        ix.def(Symbol::Fact(x.path.name.clone()), x.path.span);
                        for v in x.of.iter().flat_map(|l| &l.items) {
                            ix.def(Symbol::Value(x.path.name.clone(), v.name.clone()), v.span);
                        }
                        ix.facts.entry(x.path.name.clone()).or_insert((*file, x.clone()));
                    }
                    Item::Extend(x) => {
                        for v in &x.with.items {
                            ix.def(Symbol::Value(x.path.name.clone(), v.name.clone()), v.span);
                        }
                        ix.extends
                            .entry(x.path.name.clone())
                            .or_default()
                            .push((*file, x.with.clone()));
                    }
                    Item::Class(x) => {
                        ix.def(Symbol::Class(x.name.name.clone()), x.name.span);
                        ix.classes.entry(x.name.name.clone()).or_insert((*file, x.clone()));
                    }
                    Item::Treatment(x) => {
                        ix.def(Symbol::Treatment(x.name.name.clone()), x.name.span);
                        ix.treatments.entry(x.name.name.clone()).or_insert((*file, x.clone()));
                    }
                    Item::Const(x) => {
                        ix.def(Symbol::Const(x.name.name.clone()), x.name.span);
                        ix.consts.entry(x.name.name.clone()).or_insert((*file, x.clone()));
                    }
                    Item::Rule(x) => {
                        ix.def(Symbol::Rule(x.name.name.clone()), x.name.span);
                        ix.rules.entry(x.name.name.clone()).or_insert((*file, x.clone()));
                        for c in &x.criteria {
                            ix.elements.push((*file, c.span.start as usize, c.span.end as usize));
                            ix.def(
                                Symbol::Criterion(format!("{}.{}", x.name.name, c.name.name)),
                                c.name.span,
                            );
                        }
                    }
                }
            }
        }
        for (_, rf) in files {
            for item in &rf.items {
                ix.uses(item);
            }
        }
        ix.occurrences
            .sort_by_key(|o| (o.span.file, o.span.start, o.span.end, !o.def));
        ix.elements.sort_unstable();
        ix
    }

    fn def(&mut self, symbol: Symbol, span: Span) {
        self.occurrences.push(Occurrence {
            symbol,
            span,
            def: true,
            context: None,
        });
    }

    fn use_(&mut self, symbol: Symbol, span: Span, context: Option<&str>) {
        self.occurrences.push(Occurrence {
            symbol,
            span,
            def: false,
            context: context.map(str::to_string),
        });
    }

    fn uses(&mut self, item: &Item) {
        match item {
            Item::Source(_) | Item::Fact(_) | Item::Class(_) => {}
            Item::Extend(x) => self.use_(Symbol::Fact(x.path.name.clone()), x.path.span, None),
            Item::Treatment(x) => {
                for c in &x.classes {
                    self.use_(Symbol::Class(c.name.clone()), c.span, None);
                }
            }
            Item::Const(x) => self.expr(&x.value, None),
            Item::Rule(r) => self.rule(r),
        }
    }

    fn rule(&mut self, r: &RuleDecl) {
        let ctx = Some(r.name.name.as_str());
        for c in &r.cites {
            self.use_(Symbol::Source(c.source.name.clone()), c.source.span, ctx);
        }
        for a in &r.applies {
            if let Some(s) = self.catalog_name(&a.name) {
                self.use_(s, a.span, ctx);
            }
        }
        for s in &r.supplements {
            self.use_(Symbol::Rule(s.name.clone()), s.span, ctx);
        }
        for c in &r.criteria {
            let name = format!("{}.{}", r.name.name, c.name.name);
            if let Some(cite) = &c.cites {
                self.use_(Symbol::Source(cite.source.name.clone()), cite.source.span, Some(&name));
            }
            if let Some(e) = &c.expr {
                self.expr(e, Some(&name));
            }
        }
    }

    /// A bare name as a treatment or a class, if one is declared.
    fn catalog_name(&self, name: &str) -> Option<Symbol> {
        if self.treatments.contains_key(name) {
            Some(Symbol::Treatment(name.to_string()))
        } else if self.classes.contains_key(name) {
            Some(Symbol::Class(name.to_string()))
        } else {
            None
        }
    }

    fn set_list(&mut self, l: &SetList, ctx: Option<&str>) {
        for i in &l.items {
            if let Some(s) = self.catalog_name(&i.name) {
                self.use_(s, i.span, ctx);
            }
        }
    }

    /// A bare name in a condition: a constant, else a treatment or class.
    fn name_use(&mut self, n: &crate::syntax::ast::Ident, ctx: Option<&str>) {
        let sym = if self.consts.contains_key(&n.name) {
            Some(Symbol::Const(n.name.clone()))
        } else {
            self.catalog_name(&n.name)
        };
        if let Some(sym) = sym {
            self.use_(sym, n.span, ctx);
        }
    }

    fn set_expr(&mut self, s: &SetExpr, ctx: Option<&str>) {
        match s {
            SetExpr::List(l) => self.set_list(l, ctx),
            SetExpr::Named(n) => self.name_use(n, ctx),
        }
    }

    fn expr(&mut self, e: &Expr, ctx: Option<&str>) {
        match &e.kind {
            ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Quantity(..) | ExprKind::Date(_) | ExprKind::Str(_) => {
            }
            ExprKind::Path(segs) => {
                if let [h, t, _] = segs.as_slice() {
                    if h.name == "history" {
                        self.use_(Symbol::Treatment(t.name.clone()), t.span, ctx);
                    }
                }
                self.use_(Symbol::Fact(fact_path(segs)), e.span, ctx);
            }
            ExprKind::Name(n) => self.name_use(n, ctx),
            ExprKind::Set(l) => self.set_list(l, ctx),
            ExprKind::Paren(x) | ExprKind::Not(x) => self.expr(x, ctx),
            ExprKind::Documented { expr, .. } => self.expr(expr, ctx),
            ExprKind::And(xs) | ExprKind::Or(xs) => xs.iter().for_each(|x| self.expr(x, ctx)),
            ExprKind::When { cond, then, otherwise } => {
                self.expr(cond, ctx);
                self.expr(then, ctx);
                if let Some(o) = otherwise {
                    self.expr(o, ctx);
                }
            }
            ExprKind::Cmp(_, a, b) | ExprKind::Contains(a, b) => {
                self.expr(a, ctx);
                self.expr(b, ctx);
                // `fact == value`, `value == fact`, `list contains value`.
                for (x, y) in [(a, b), (b, a)] {
                    if let (ExprKind::Path(segs), ExprKind::Name(n)) = (&x.kind, &y.kind) {
                        self.value_use(&fact_path(segs), n, ctx);
                    }
                }
            }
            ExprKind::Sum(first, rest) => {
                self.expr(first, ctx);
                rest.iter().for_each(|(_, x)| self.expr(x, ctx));
            }
            ExprKind::In(x, s) | ExprKind::ContainsAny(x, s) | ExprKind::ContainsAll(x, s) => {
                self.expr(x, ctx);
                self.set_expr(s, ctx);
                if let (ExprKind::Path(segs), SetExpr::List(l)) = (&x.kind, s) {
                    let path = fact_path(segs);
                    for i in &l.items {
                        self.value_use(&path, i, ctx);
                    }
                }
            }
        }
    }

    /// A name compared with a closed fact: one of its values (a name that
    /// is a constant, treatment or class is that instead).
    fn value_use(&mut self, path: &str, n: &crate::syntax::ast::Ident, ctx: Option<&str>) {
        let closed = self.facts.get(path).is_some_and(|(_, d)| d.of.is_some());
        if closed && self.catalog_name(&n.name).is_none() && !self.consts.contains_key(&n.name) {
            self.use_(Symbol::Value(path.to_string(), n.name.clone()), n.span, ctx);
        }
    }

    /// The innermost occurrence at a byte offset of a file (a cursor just
    /// after a name counts as on it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.file == file && o.span.start as usize <= offset && offset <= o.span.end as usize)
            .min_by_key(|o| o.span.end - o.span.start)
    }

    /// Where a symbol is declared.
    pub fn definition(&self, s: &Symbol) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| o.def && &o.symbol == s)
    }

    /// Every occurrence of a symbol, declaration included, in file order.
    pub fn references<'a>(&'a self, s: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| &o.symbol == s)
    }

    /// The rule criteria (`rule.criterion`) that name a symbol, once each.
    pub fn read_by(&self, s: &Symbol) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .references(s)
            .filter_map(|o| o.context.as_deref())
            .filter(|c| c.contains('.'))
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// The rules whose `applies to` names a treatment or one of its classes.
    pub fn rules_applying_to(&self, treatment: &str) -> Vec<String> {
        let classes: Vec<&str> = self
            .treatments
            .get(treatment)
            .map(|(_, t)| t.classes.iter().map(|c| c.name.as_str()).collect())
            .unwrap_or_default();
        self.rules
            .iter()
            .filter(|(_, (_, r))| {
                r.applies
                    .iter()
                    .any(|a| a.name == treatment || classes.contains(&a.name.as_str()))
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The item or criterion (innermost) holding a byte offset of a file.
    pub fn element_at(&self, file: FileId, offset: usize) -> Option<(usize, usize)> {
        self.elements
            .iter()
            .filter(|(f, s, e)| *f == file && *s <= offset && offset <= *e)
            .min_by_key(|(_, s, e)| e - s)
            .map(|(_, s, e)| (*s, *e))
    }
}

/// The declared path of the fact a rule names: `prior.X` and
/// `history.TREATMENT.X` are `history.*.X`.
fn fact_path(segs: &[crate::syntax::ast::Ident]) -> String {
    let names: Vec<&str> = segs.iter().map(|s| s.name.as_str()).collect();
    match names.as_slice() {
        ["prior", field] | ["history", _, field] => format!("history.*.{field}"),
        _ => names.join("."),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Symbol;
    use crate::inputs::Limits;
    use crate::lsp::workspace::{RuleFolder, analyze};
    use crate::lsp::{completion, hover};

    fn shipped() -> RuleFolder {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"));
        analyze(Some(dir), &[], &Limits::default())
    }

    #[test]
    fn every_name_the_shipped_rules_use_is_found_declared() {
        let f = shipped();
        assert!(f.rules.is_some(), "{:?}", f.diagnostics);
        let ix = &f.index;
        assert!(ix.occurrences.len() > 1000, "{}", ix.occurrences.len());
        for o in &ix.occurrences {
            assert!(ix.definition(&o.symbol).is_some(), "{:?} has no declaration", o.symbol);
        }
        // A set constant, named in a condition.
        let set = Symbol::Const("neck_and_upper_back".into());
        assert!(ix.references(&set).any(|o| !o.def));
        // `prior.X` is the history fact `history.*.X`.
        let fi = Symbol::Fact("history.*.functional_improvement".into());
        assert!(
            ix.read_by(&fi)
                .iter()
                .any(|c| c == "massage_therapy.prior_course_benefit"),
            "{:?}",
            ix.read_by(&fi)
        );
        // A treatment in `applies to`, through its class too.
        assert!(
            ix.rules_applying_to("cyclobenzaprine")
                .contains(&"muscle_relaxants".to_string())
        );
    }

    #[test]
    fn hover_and_completion_on_the_shipped_rules() {
        let f = shipped();
        let h = hover::render(&f, &Symbol::Treatment("cyclobenzaprine".into())).unwrap_or_default();
        assert!(h.contains("Flexeril") && h.contains("muscle_relaxant"), "{h}");
        let h = hover::render(&f, &Symbol::Const("tizanidine_max_daily_dose".into())).unwrap_or_default();
        assert!(h.contains("`36 mg`") && h.contains("low (MR-TIZ-1)"), "{h}");
        let h = hover::render(&f, &Symbol::Criterion("muscle_relaxants.spasm_on_exam".into())).unwrap_or_default();
        assert!(
            h.contains("effective confidence: LOW (MR-1)") && h.contains("reads `exam.muscle_spasm`"),
            "{h}"
        );
        let h = hover::render(&f, &Symbol::Fact("request.intent".into())).unwrap_or_default();
        assert!(h.contains("allowed values") && h.contains("`chronic`"), "{h}");
        let massage = f
            .files
            .iter()
            .find(|x| x.uri.ends_with("/massage.mtus"))
            .map(|x| x.id)
            .unwrap_or_else(|| panic!("no massage.mtus"));
        let at = f.text(massage).find("prior.received").unwrap_or(0) + "prior.".len();
        let labels: Vec<String> = completion::complete(&f, f.text(massage), at)
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert!(labels.contains(&"visits".to_string()), "{labels:?}");
        assert!(labels.contains(&"functional_improvement".to_string()), "{labels:?}");
        assert!(!labels.contains(&"quantity".to_string()), "{labels:?}");
    }
}
