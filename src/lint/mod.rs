//! Warnings about rules that check but are probably not what their author
//! meant (`mtus lint`).
//!
//! Each lint has a kebab-case name (the diagnostic code) and can be
//! silenced for one item or criterion with a directive comment (see
//! [`directives`]) or for a run with [`Options::allow`]:
//!
//! | lint | finding |
//! | --- | --- |
//! | `unused-fact` | a fact is declared but no rule reads it |
//! | `unused-const` | a constant is declared but no rule uses it |
//! | `always-met` | a criterion is met whatever the case says: it never decides |
//! | `never-met` | a criterion is not met whatever the case says |
//! | `shadowed-criterion` | an earlier criterion of the same rule always decides first |
//! | `overlapping-rules` | two rules decide the same treatment at the same time and tier, neither supplementing the other, and neither covering a strict subset of the other's treatments (a specific rule refining a general one) |
//! | `conflicting-numbers` | two rules of one source bound the same value by different numbers for the same treatment |
//! | `missing-description` | a constant number without a description, or a criterion whose description only repeats its name |
//! | `missing-case` | no case exercises the rule |
//! | `missing-confidence` | a criterion of a current-regime rule (in force from 2017-12-01) says nothing of how sure its source is |
//! | `bad-directive` | a lint directive without a reason, or with an unknown name |
//! | `unused-allow` | a directive that silences nothing |
//!
//! `unused-const` and `unused-allow` findings carry a [`crate::diag::Fix`]
//! ([`fix`] builds and applies them: `mtus lint --fix`); [`explain`] has
//! every lint's long explanation (`--explain`); [`annotate`] renders
//! findings as SARIF and GitHub annotations.
//!
//! Invariants: runs only on rules that check; every finding is a warning
//! with a place in a rule file; findings come out in file order, the same
//! for the same input.

pub mod annotate;
pub mod confidence;
pub mod directives;
pub mod explain;
pub mod fix;
pub mod logic;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::RuleSet;
use crate::check::{ConstId, FactId, Program, RuleId, TExpr, TKind, Target, TreatmentId, normalize_name};
use crate::diag::{Diagnostic, FileId, Fix, Severity, SourceMap, Span};
use crate::eval::{Machine, decide_case};
use crate::facts::Case;
use crate::syntax::ast::{CmpOp, Item, RuleFile};
use crate::syntax::parse_file;

/// Every lint, with what it finds.
pub const LINTS: &[(&str, &str)] = &[
    ("unused-fact", "a fact is declared but no rule reads it"),
    ("unused-const", "a constant is declared but no rule uses it"),
    (
        "always-met",
        "a criterion is met whatever the case documents, so it never decides",
    ),
    ("never-met", "a criterion is not met whatever the case documents"),
    (
        "shadowed-criterion",
        "an earlier criterion of the same rule always decides before this one can",
    ),
    (
        "overlapping-rules",
        "two rules decide the same treatment in the same period at the same tier, and neither supplements the other",
    ),
    (
        "conflicting-numbers",
        "two rules citing the same source bound the same value by different numbers for the same treatment",
    ),
    (
        "missing-description",
        "a constant number has no description, or a criterion's description only repeats its name",
    ),
    ("missing-case", "no case exercises the rule"),
    (
        "missing-confidence",
        "a criterion of a rule in force from 2017-12-01 has no confidence line, its own or its rule's",
    ),
    (
        "bad-directive",
        "a lint directive has no reason, names an unknown lint, or applies to nothing",
    ),
    ("unused-allow", "a lint directive silences nothing"),
];

/// The lints a directive may name.
pub const SILENCEABLE: &[&str] = &[
    "unused-fact",
    "unused-const",
    "always-met",
    "never-met",
    "shadowed-criterion",
    "overlapping-rules",
    "conflicting-numbers",
    "missing-description",
    "missing-case",
    "missing-confidence",
];

/// Facts the engine itself reads: never unused.
const ENGINE_FACTS: &[&str] = &[
    "request.id",
    "request.text",
    "request.treatment",
    "request.date",
    "request.depends_on",
];

/// What to lint with.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// The cases for `missing-case`; `None` skips that lint.
    pub cases: Option<&'a [Case]>,
    /// Lints not to run.
    pub allow: &'a [String],
}

/// Lint the rule files `files` (ids in `sm`) that `rs` was built from.
/// Returns warnings, sorted by place.
pub fn lint(sm: &SourceMap, files: &[FileId], rs: &RuleSet, opts: &Options<'_>) -> Vec<Diagnostic> {
    let parsed: Vec<(FileId, RuleFile)> = files
        .iter()
        .map(|&id| (id, parse_file(id, &sm.get(id).text).0))
        .collect();
    let ast = Ast::new(&parsed);
    let mut found = Vec::new();
    let p = &rs.program;
    unused(p, &ast, sm, &mut found);
    conditions(p, &ast, sm, &mut found);
    overlapping(p, &ast, &mut found);
    conflicting(p, sm, &mut found);
    descriptions(&ast, &mut found);
    confidence::missing(p, &mut found);
    if let Some(cases) = opts.cases {
        missing_case(rs, cases, &ast, &mut found);
    }
    let ran = |code: &str| !opts.allow.iter().any(|a| a == code) && (code != "missing-case" || opts.cases.is_some());
    found.retain(|d| ran(d.code));

    // Directives.
    let mut out = Vec::new();
    let mut all_directives = Vec::new();
    for (id, file) in &parsed {
        let mut elements = Vec::new();
        for item in &file.items {
            let s = item.span();
            elements.push((s.start as usize, s.end as usize));
            if let Item::Rule(r) = item {
                elements.extend(r.criteria.iter().map(|c| (c.span.start as usize, c.span.end as usize)));
            }
        }
        let (ds, bad) = directives::directives(*id, &sm.get(*id).text, &elements);
        all_directives.extend(ds);
        out.extend(bad);
    }
    for d in found {
        let silenced = match d.span {
            Some(span) => {
                // Every covering directive that names it counts as used.
                let mut any = false;
                for dir in &mut all_directives {
                    any |= dir.silences(d.code, span);
                }
                any
            }
            None => false,
        };
        if !silenced {
            out.push(d);
        }
    }
    for dir in &all_directives {
        let unused = |(l, used): (&&str, &bool)| !used && ran(l);
        if !dir.lints.iter().zip(&dir.used).any(unused) {
            continue;
        }
        let keep: Vec<&str> = dir
            .lints
            .iter()
            .zip(&dir.used)
            .filter(|x| !unused(*x))
            .map(|(l, _)| *l)
            .collect();
        let fix = fix::trim_directive(&sm.get(dir.span.file).text, dir.span, &keep);
        for (l, used) in dir.lints.iter().zip(&dir.used) {
            if unused((l, used)) {
                out.push(
                    Diagnostic::warning(
                        "unused-allow",
                        dir.span,
                        format!("this directive silences no `{l}` finding"),
                    )
                    .with_help("remove it (or the name), so that a new finding here is not hidden")
                    .with_fix(fix.clone()),
                );
            }
        }
    }
    if opts.allow.iter().any(|a| a == "unused-allow") {
        out.retain(|d| d.code != "unused-allow");
    }
    out.sort_by_key(|d| (d.span.map(|s| (s.file, s.start, s.end)), d.code));
    out
}

/// True when every diagnostic is a warning.
pub fn only_warnings(diags: &[Diagnostic]) -> bool {
    diags.iter().all(|d| d.severity == Severity::Warning)
}

/// The parsed declarations, by name, for spans.
struct Ast<'a> {
    facts: Vec<&'a crate::syntax::ast::FactDecl>,
    consts: Vec<&'a crate::syntax::ast::ConstDecl>,
    rules: HashMap<&'a str, &'a crate::syntax::ast::RuleDecl>,
}

impl<'a> Ast<'a> {
    fn new(files: &'a [(FileId, RuleFile)]) -> Ast<'a> {
        let mut a = Ast {
            facts: Vec::new(),
            consts: Vec::new(),
            rules: HashMap::new(),
        };
        for (_, f) in files {
            for item in &f.items {
                match item {
                    Item::Fact(x) => a.facts.push(x),
                    Item::Const(x) => a.consts.push(x),
                    Item::Rule(x) => {
                        a.rules.entry(x.name.name.as_str()).or_insert(x);
                    }
                    _ => {}
                }
            }
        }
        a
    }

    /// The span of a rule's name, else of the whole rule.
    fn rule_name(&self, p: &Program, r: RuleId) -> Span {
        let rule = p.rule(r);
        self.rules.get(rule.name.as_str()).map_or(rule.span, |d| d.name.span)
    }

    /// The span of a criterion's name, else of the whole criterion.
    fn criterion_name(&self, p: &Program, r: RuleId, i: usize) -> Option<Span> {
        let rule = p.rule(r);
        let c = rule.criteria.get(i)?;
        Some(
            self.rules
                .get(rule.name.as_str())
                .and_then(|d| d.criteria.iter().find(|x| x.name.name == c.name))
                .map_or(c.span, |x| x.name.span),
        )
    }
}

fn all_exprs(p: &Program) -> impl Iterator<Item = &TExpr> {
    p.rules
        .iter()
        .flat_map(|r| r.criteria.iter().filter_map(|c| c.expr.as_ref()))
}

fn unused(p: &Program, ast: &Ast<'_>, sm: &SourceMap, out: &mut Vec<Diagnostic>) {
    let read: HashSet<FactId> = p
        .rules
        .iter()
        .flat_map(|r| r.criteria.iter().flat_map(|c| c.reads.iter().map(|f| f.fact())))
        .collect();
    for d in &ast.facts {
        let Some(&id) = p.schema.by_path.get(&d.path.name) else {
            continue;
        };
        if read.contains(&id) || ENGINE_FACTS.contains(&d.path.name.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                "unused-fact",
                d.path.span,
                format!("fact `{}` is declared, but no rule reads it", d.path.name),
            )
            .with_help("case files may record it, but it decides nothing; if it belongs to the shared vocabulary (docs/case-file.md), keep it and say so: `# lint: allow unused-fact -- REASON` above it"),
        );
    }
    let mut used: HashSet<ConstId> = HashSet::new();
    let mut used_sets: HashSet<&str> = HashSet::new();
    for e in all_exprs(p) {
        e.walk(&mut |x| match &x.kind {
            TKind::Const(id, _) => {
                used.insert(*id);
            }
            TKind::In(_, s) | TKind::ContainsAny(_, s) | TKind::ContainsAll(_, s) => {
                if let Some(n) = &s.name {
                    used_sets.insert(n.as_str());
                }
            }
            _ => {}
        });
    }
    for d in &ast.consts {
        let Some(i) = p.consts.iter().position(|c| c.name == d.name.name) else {
            continue;
        };
        if used.contains(&ConstId(i as u32)) || used_sets.contains(d.name.name.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                "unused-const",
                d.name.span,
                format!("constant `{}` is declared, but no rule uses it", d.name.name),
            )
            .with_help("use it in a criterion, or delete it")
            .with_fix(Fix {
                message: format!("delete the declaration of `{}`", d.name.name),
                edits: fix::delete_item(&sm.get(d.span.file).text, d.span),
            }),
        );
    }
}

fn conditions(p: &Program, ast: &Ast<'_>, sm: &SourceMap, out: &mut Vec<Diagnostic>) {
    for (ri, rule) in p.rules.iter().enumerate() {
        let r = RuleId(ri as u32);
        let mut constant = vec![false; rule.criteria.len()];
        for (ci, c) in rule.criteria.iter().enumerate() {
            let (Some(e), Some(possible)) = (&c.expr, logic::statuses(c)) else {
                continue;
            };
            let span = ast.criterion_name(p, r, ci).unwrap_or(c.span);
            let cond = snippet(sm, e.span);
            if possible.always_met() {
                constant[ci] = true;
                out.push(
                    Diagnostic::warning(
                        "always-met",
                        span,
                        format!("criterion `{}` is met whatever the case documents, so it never decides", c.name),
                    )
                    .with_note(e.span, format!("`{cond}` can never fail"))
                    .with_help("check the condition: a constant, or a test that contradicts itself (`x or not x`), where a fact was meant"),
                );
            } else if possible.never_met() {
                constant[ci] = true;
                out.push(
                    Diagnostic::warning(
                        "never-met",
                        span,
                        format!("criterion `{}` is not met whatever the case documents", c.name),
                    )
                    .with_note(e.span, format!("`{cond}` never lets the request pass"))
                    .with_help("if the guideline never recommends the treatment, say so with an `exclude NAME \"description\"` without a condition; else check the condition"),
                );
            }
        }
        for (ci, c) in rule.criteria.iter().enumerate() {
            if constant[ci] {
                continue;
            }
            for (xi, x) in rule.criteria.iter().enumerate().take(ci) {
                // A criterion already reported as constant says it all.
                if constant[xi] || logic::can_decide_after(x, c) != Some(false) {
                    continue;
                }
                let span = ast.criterion_name(p, r, ci).unwrap_or(c.span);
                let first = ast.criterion_name(p, r, xi).unwrap_or(x.span);
                let why = if x.expr.is_none() {
                    "an exclusion without a condition: it is never met, so it always decides".to_string()
                } else {
                    format!("whenever `{}` could decide, `{}` already has", c.name, x.name)
                };
                out.push(
                    Diagnostic::warning(
                        "shadowed-criterion",
                        span,
                        format!("criterion `{}` never decides: `{}` comes first in the rule", c.name, x.name),
                    )
                    .with_note(first, why)
                    .with_help("the first criterion not met (else not documented) decides; remove the one that adds nothing, or change its condition"),
                );
                break;
            }
        }
    }
}

/// The treatments a rule applies to, directly or through a class.
fn treatments(p: &Program, r: RuleId) -> BTreeSet<TreatmentId> {
    let mut out = BTreeSet::new();
    for t in &p.rule(r).applies {
        match *t {
            Target::Treatment(x) => {
                out.insert(x);
            }
            Target::Class(c) => out.extend(p.catalog.class(c).members.iter().copied()),
        }
    }
    out
}

/// Rules that decide the same treatments at the same tier and time. One
/// warning per rule at most, naming the first earlier rule it overlaps
/// and counting the others, so the output (and memory) grows with the
/// number of rules, not with the number of pairs.
fn overlapping(p: &Program, ast: &Ast<'_>, out: &mut Vec<Diagnostic>) {
    let ids: Vec<RuleId> = (0..p.rules.len()).map(|i| RuleId(i as u32)).collect();
    let covers: Vec<BTreeSet<TreatmentId>> = ids.iter().map(|&r| treatments(p, r)).collect();
    // Each distinct set of treatments gets a number, and how two sets
    // relate is worked out once per pair of sets, not once per pair of
    // rules: the pairwise pass below compares integers.
    let mut set_ids: HashMap<&BTreeSet<TreatmentId>, usize> = HashMap::new();
    let cover_id: Vec<usize> = covers
        .iter()
        .map(|c| {
            let n = set_ids.len();
            *set_ids.entry(c).or_insert(n)
        })
        .collect();
    let mut unresolved: HashMap<(usize, usize), bool> = HashMap::new();
    for (j, &b) in ids.iter().enumerate() {
        let rb = p.rule(b);
        if rb.supplements.is_some() {
            continue;
        }
        let mut first: Option<usize> = None;
        let mut others = 0usize;
        for (i, &a) in ids.iter().enumerate().take(j) {
            let ra = p.rule(a);
            if ra.supplements.is_some() || ra.tier != rb.tier || !ra.window.overlaps(&rb.window) {
                continue;
            }
            // A rule for a group of treatments (a class, or a list) and a rule
            // for fewer of them are general and specific: a request must pass
            // both, by design (docs/rule-language.md). Only rules covering
            // the same treatments, or crossing groups, are unresolved.
            let (ci, cj) = (cover_id[i], cover_id[j]);
            let clash = ci == cj && !covers[i].is_empty()
                || ci != cj
                    && *unresolved.entry((ci, cj)).or_insert_with(|| {
                        let refines = covers[i].is_subset(&covers[j]) != covers[j].is_subset(&covers[i]);
                        !refines && !covers[i].is_disjoint(&covers[j])
                    });
            if !clash {
                continue;
            }
            if first.is_none() {
                first = Some(i);
            } else {
                others += 1;
            }
        }
        let Some(i) = first else {
            continue;
        };
        let (a, ra) = (ids[i], p.rule(ids[i]));
        let shared: Vec<&str> = covers[i]
            .intersection(&covers[j])
            .map(|&t| p.catalog.treatment(t).name.as_str())
            .collect();
        let Some(first) = shared.first() else {
            continue;
        };
        let what = match shared.len() {
            1 => format!("`{first}`"),
            n => format!("`{first}` and {} other treatment(s)", n - 1),
        };
        let period = ra.window.intersect(rb.window).describe();
        let more = match others {
            0 => String::new(),
            n => format!(" (and so do {n} other rule(s) declared before it)"),
        };
        out.push(
            Diagnostic::warning(
                "overlapping-rules",
                ast.rule_name(p, b),
                format!(
                    "rules `{}` and `{}` both decide {what} ({period}), at the same tier, and neither supplements the other{more}",
                    ra.name, rb.name
                ),
            )
            .with_note(ast.rule_name(p, a), format!("`{}` is declared here", ra.name))
            .with_help(format!(
                "both must pass, and which one is reported as deciding depends on the order they are declared; if `{}` adds criteria to `{}`, write `supplements {}` in it",
                rb.name, ra.name, ra.name
            )),
        );
    }
}

/// A comparison of something a case documents with a number.
struct Bound {
    key: String,
    /// `<`/`<=` bound from above, `>`/`>=` from below, `==` exactly.
    dir: u8,
    strict: bool,
    /// In the base unit; with the kind of number.
    value: (u8, i64),
    subject: Span,
    number: Span,
}

fn bounds(e: &TExpr) -> Vec<Bound> {
    let mut out = Vec::new();
    e.walk(&mut |x| {
        let TKind::Cmp(op, a, b) = &x.kind else {
            return;
        };
        let (subject, op, number) = match (number_value(a), number_value(b)) {
            (None, Some(v)) if !is_constant(a) => (a, *op, (b, v)),
            (Some(v), None) if !is_constant(b) => (b, flip(*op), (a, v)),
            _ => return,
        };
        let (dir, strict) = match op {
            CmpOp::Lt => (0, true),
            CmpOp::Le => (0, false),
            CmpOp::Gt => (1, true),
            CmpOp::Ge => (1, false),
            CmpOp::Eq => (2, false),
            CmpOp::Ne => return,
        };
        out.push(Bound {
            key: logic::key(subject),
            dir,
            strict,
            value: number.1,
            subject: subject.span,
            number: number.0.span,
        });
    });
    out
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

fn is_constant(e: &TExpr) -> bool {
    matches!(e.kind, TKind::Lit(_) | TKind::Const(..))
}

/// A literal or constant number, quantity or date, as a comparable key
/// (kind, value in millionths of the base unit).
fn number_value(e: &TExpr) -> Option<(u8, i64)> {
    use crate::check::Lit;
    let lit = match &e.kind {
        TKind::Lit(l) | TKind::Const(_, l) => l,
        _ => return None,
    };
    let scaled = |x: f64| (x * 1e6).round() as i64;
    match lit {
        Lit::Num(n) => Some((0, scaled(*n))),
        Lit::Qty(q) => Some((10 + q.dim() as u8, scaled(q.base()))),
        Lit::Date(d) => Some((1, i64::from(d.0))),
        _ => None,
    }
}

fn conflicting(p: &Program, sm: &SourceMap, out: &mut Vec<Diagnostic>) {
    let ids: Vec<RuleId> = (0..p.rules.len()).map(|i| RuleId(i as u32)).collect();
    let covers: Vec<BTreeSet<TreatmentId>> = ids.iter().map(|&r| treatments(p, r)).collect();
    let all: Vec<Vec<Bound>> = p
        .rules
        .iter()
        .map(|r| {
            r.criteria
                .iter()
                .filter_map(|c| c.expr.as_ref())
                .flat_map(bounds)
                .collect()
        })
        .collect();
    for (j, rb) in p.rules.iter().enumerate() {
        for b in &all[j] {
            let other = (0..j).find_map(|i| {
                let ra = &p.rules[i];
                if ra.source != rb.source
                    || !ra.window.overlaps(&rb.window)
                    || covers[i].intersection(&covers[j]).next().is_none()
                {
                    return None;
                }
                all[i]
                    .iter()
                    .find(|a| {
                        a.key == b.key
                            && a.dir == b.dir
                            && a.value.0 == b.value.0
                            && (a.value.1, a.strict) != (b.value.1, b.strict)
                    })
                    .map(|a| (ra, a))
            });
            let Some((ra, a)) = other else {
                continue;
            };
            let subject = snippet(sm, b.subject);
            out.push(
                Diagnostic::warning(
                    "conflicting-numbers",
                    b.number,
                    format!(
                        "`{subject}` is bounded by `{}` here, but by `{}` in rule `{}`, for the same treatment and source",
                        snippet(sm, b.number),
                        snippet(sm, a.number),
                        ra.name
                    ),
                )
                .with_note(a.number, format!("the bound in `{}`", ra.name))
                .with_help("one source gives one number: share it in a `const`, or say why they differ and silence this with `# lint: allow conflicting-numbers -- REASON`"),
            );
        }
    }
}

const PLACEHOLDERS: &[&str] = &["todo", "tbd", "fixme", "xxx", "description", "criterion", "tk"];

fn descriptions(ast: &Ast<'_>, out: &mut Vec<Diagnostic>) {
    for c in &ast.consts {
        // A set of symbols names its members; a number needs its source.
        let is_set = matches!(c.value.kind, crate::syntax::ast::ExprKind::Set(_));
        if c.description.is_none() && !is_set {
            out.push(
                Diagnostic::warning(
                    "missing-description",
                    c.name.span,
                    format!("constant `{}` has no description", c.name.name),
                )
                .with_help(format!(
                    "say after the value where the number comes from and how sure it is: const {} = ... \"MTUS: ... (ID, confidence)\"",
                    c.name.name
                )),
            );
        }
    }
    let mut rules: Vec<&&crate::syntax::ast::RuleDecl> = ast.rules.values().collect();
    rules.sort_by_key(|r| (r.span.file, r.span.start));
    for r in rules {
        for c in &r.criteria {
            let said = normalize_name(&c.description.value);
            let name = normalize_name(&c.name.name);
            let says_nothing = said == name || PLACEHOLDERS.contains(&said.as_str()) || said.len() < 3;
            if says_nothing && !c.description.value.trim().is_empty() {
                out.push(
                    Diagnostic::warning(
                        "missing-description",
                        c.description.span,
                        format!("criterion `{}` has no real description", c.name.name),
                    )
                    .with_help("say in plain words what the guideline asks for: reports show the description to people who do not read rule files"),
                );
            }
        }
    }
}

fn missing_case(rs: &RuleSet, cases: &[Case], ast: &Ast<'_>, out: &mut Vec<Diagnostic>) {
    let p = &rs.program;
    let mut m = Machine::new();
    let mut seen: HashSet<RuleId> = HashSet::new();
    for case in cases {
        for d in decide_case(rs, &mut m, case).into_iter().flatten() {
            seen.extend(d.rules.iter().map(|r| r.rule));
        }
    }
    for i in 0..p.rules.len() {
        let r = RuleId(i as u32);
        if seen.contains(&r) {
            continue;
        }
        let rule = p.rule(r);
        out.push(
            Diagnostic::warning(
                "missing-case",
                ast.rule_name(p, r),
                format!("no case exercises rule `{}`: it takes part in deciding none of their requests", rule.name),
            )
            .with_help("add a case file with a request it decides, with the outcome expected (and `because:` the criterion that decides it)"),
        );
    }
}

/// The text of a span on one line, shortened.
fn snippet(sm: &SourceMap, span: Span) -> String {
    let text = &sm.get(span.file).text;
    let s = text.get(span.start as usize..span.end as usize).unwrap_or("");
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 {
        format!("{}...", one.chars().take(57).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_is_listed_once() {
        let names: HashSet<&str> = LINTS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), LINTS.len());
        assert!(SILENCEABLE.iter().all(|s| names.contains(s)));
    }
}
