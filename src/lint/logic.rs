//! What a criterion can come to, whatever a case documents.
//!
//! A condition is split into *atoms* (the tests under `and`, `or`, `not`
//! and `when`: comparisons, `is documented`, `in`, `contains`, boolean
//! facts and literals). Each atom gets the values it can take (a test that
//! reads a fact: true, false or unknown; `is documented`: true or false; a
//! test of constants alone: its one value), and every combination is
//! evaluated in Kleene logic. Atoms written alike are one atom, so `a and
//! not a` is seen to be false; different atoms are taken as independent,
//! which can only add combinations: a criterion found to be always met
//! really is (the lints built on this give no false alarm), though some
//! that are go unnoticed.
//!
//! Invariants: never reads a case; bounded work (at most [`MAX_ATOMS`]
//! atoms, else no answer); recursion only as deep as the parser's nesting
//! limit.

use crate::check::{Criterion, Lit, TExpr, TKind};
use crate::eval::Status;
use crate::syntax::ast::{AddOp, CmpOp, CriterionKind};
use crate::value::Tri;
use crate::value::ops::{self, Scalar};

/// Conditions with more atoms than this are not analysed (3^10 cases).
pub const MAX_ATOMS: usize = 10;

/// A text key for an expression, equal for expressions written alike
/// (whatever their place).
pub fn key(e: &TExpr) -> String {
    let mut out = String::new();
    write_key(e, &mut out);
    out
}

fn write_key(e: &TExpr, out: &mut String) {
    match &e.kind {
        TKind::Lit(l) => out.push_str(&format!("{l:?}")),
        TKind::Const(id, _) => out.push_str(&format!("const{}", id.0)),
        TKind::Fact(f) => out.push_str(&format!("{f:?}")),
        TKind::Not(x) => {
            out.push_str("not(");
            write_key(x, out);
            out.push(')');
        }
        TKind::And(xs) | TKind::Or(xs) => {
            out.push_str(if matches!(e.kind, TKind::And(_)) { "and(" } else { "or(" });
            for x in xs {
                write_key(x, out);
                out.push(',');
            }
            out.push(')');
        }
        TKind::When(c, t, o) => {
            out.push_str("when(");
            write_key(c, out);
            out.push(',');
            write_key(t, out);
            if let Some(o) = o {
                out.push(',');
                write_key(o, out);
            }
            out.push(')');
        }
        TKind::Cmp(op, a, b) => {
            out.push_str(&format!("cmp{}(", op.symbol()));
            write_key(a, out);
            out.push(',');
            write_key(b, out);
            out.push(')');
        }
        TKind::Sum(first, rest) => {
            out.push_str("sum(");
            write_key(first, out);
            for (op, x) in rest {
                out.push_str(if *op == AddOp::Add { "+" } else { "-" });
                write_key(x, out);
            }
            out.push(')');
        }
        TKind::Documented(x, neg) => {
            out.push_str(if *neg { "undocumented(" } else { "documented(" });
            write_key(x, out);
            out.push(')');
        }
        TKind::In(x, set) | TKind::ContainsAny(x, set) | TKind::ContainsAll(x, set) => {
            let what = match e.kind {
                TKind::In(..) => "in(",
                TKind::ContainsAny(..) => "any(",
                _ => "all(",
            };
            out.push_str(what);
            write_key(x, out);
            out.push_str(&format!(",{:?})", set.items));
        }
        TKind::Contains(l, x) => {
            out.push_str("contains(");
            write_key(l, out);
            out.push(',');
            write_key(x, out);
            out.push(')');
        }
    }
}

/// Does the expression read a fact?
fn reads_fact(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Fact(_) => true,
        TKind::Lit(_) | TKind::Const(..) => false,
        TKind::Not(x)
        | TKind::Documented(x, _)
        | TKind::In(x, _)
        | TKind::ContainsAny(x, _)
        | TKind::ContainsAll(x, _) => reads_fact(x),
        TKind::And(xs) | TKind::Or(xs) => xs.iter().any(reads_fact),
        TKind::When(c, t, o) => reads_fact(c) || reads_fact(t) || o.as_deref().is_some_and(reads_fact),
        TKind::Cmp(_, a, b) | TKind::Contains(a, b) => reads_fact(a) || reads_fact(b),
        TKind::Sum(f, rest) => reads_fact(f) || rest.iter().any(|(_, x)| reads_fact(x)),
    }
}

/// A constant value, for atoms that read no fact.
#[derive(Clone, Copy, Debug)]
enum K<'a> {
    /// A number, quantity or date: folded and compared by `value::ops`,
    /// as the evaluator does.
    Scalar(Scalar),
    Sym(crate::value::Sym),
    Bool(bool),
    Str(&'a str),
}

fn constant(e: &TExpr) -> Option<K<'_>> {
    let lit = |l: &Lit| -> Option<K<'_>> {
        Some(match l {
            Lit::Bool(b) => K::Bool(*b),
            Lit::Num(n) => K::Scalar(Scalar::Num(*n)),
            Lit::Date(d) => K::Scalar(Scalar::Date(d.0)),
            Lit::Qty(q) => K::Scalar(Scalar::Qty(q.base(), q.dim())),
            Lit::Sym(s) => K::Sym(*s),
            Lit::Str(_) => return None,
        })
    };
    match &e.kind {
        TKind::Lit(Lit::Str(s)) | TKind::Const(_, Lit::Str(s)) => Some(K::Str(s)),
        TKind::Lit(l) | TKind::Const(_, l) => lit(l),
        TKind::Sum(first, rest) => {
            let mut acc = constant(first)?;
            for (op, x) in rest {
                acc = match (acc, constant(x)?) {
                    (K::Scalar(a), K::Scalar(b)) => K::Scalar(ops::arith(*op == AddOp::Add, a, b)?),
                    _ => return None,
                };
            }
            Some(acc)
        }
        _ => None,
    }
}

fn compare(op: CmpOp, a: K<'_>, b: K<'_>) -> Option<bool> {
    match (a, b) {
        (K::Scalar(x), K::Scalar(y)) => ops::compare(x, y).map(|o| ops::holds(op, o)),
        (K::Sym(x), K::Sym(y)) => ops::equality(op, x == y),
        (K::Bool(x), K::Bool(y)) => ops::equality(op, x == y),
        (K::Str(x), K::Str(y)) => ops::equality(op, x == y),
        _ => None,
    }
}

const ANY: &[Tri] = &[Tri::True, Tri::False, Tri::Unknown];
const KNOWN: &[Tri] = &[Tri::True, Tri::False];

/// The key of an atom, and whether the atom is the negation of the one
/// keyed: `x is not documented` is `not (x is documented)`, one atom.
fn atom_key(e: &TExpr) -> (String, bool) {
    match &e.kind {
        TKind::Documented(x, neg) => (format!("documented({})", key(x)), *neg),
        _ => (key(e), false),
    }
}

/// The values an atom can take (for `is not documented`, those of
/// `is documented`).
fn atom_values(e: &TExpr) -> &'static [Tri] {
    let fixed = |b: bool| if b { &[Tri::True][..] } else { &[Tri::False][..] };
    match &e.kind {
        TKind::Lit(Lit::Bool(b)) | TKind::Const(_, Lit::Bool(b)) => fixed(*b),
        TKind::Documented(x, _) => {
            if reads_fact(x) {
                KNOWN
            } else {
                fixed(true)
            }
        }
        TKind::Cmp(op, a, b) if !reads_fact(e) => match (constant(a), constant(b)) {
            (Some(x), Some(y)) => compare(*op, x, y).map_or(KNOWN, fixed),
            _ => KNOWN,
        },
        TKind::In(x, set) if !reads_fact(e) => match &x.kind {
            TKind::Lit(Lit::Sym(s)) | TKind::Const(_, Lit::Sym(s)) => fixed(set.items.contains(s)),
            _ => KNOWN,
        },
        _ if !reads_fact(e) => KNOWN,
        _ => ANY,
    }
}

/// The atoms of a condition, by key, in order of first appearance.
#[derive(Default)]
pub struct Atoms<'e> {
    keys: Vec<String>,
    values: Vec<&'static [Tri]>,
    exprs: Vec<&'e TExpr>,
}

impl<'e> Atoms<'e> {
    pub fn add(&mut self, e: &'e TExpr) {
        match &e.kind {
            TKind::Not(x) => self.add(x),
            TKind::And(xs) | TKind::Or(xs) => xs.iter().for_each(|x| self.add(x)),
            TKind::When(c, t, o) => {
                self.add(c);
                self.add(t);
                if let Some(o) = o {
                    self.add(o);
                }
            }
            _ => {
                let (k, _) = atom_key(e);
                if !self.keys.contains(&k) {
                    self.keys.push(k);
                    self.values.push(atom_values(e));
                    self.exprs.push(e);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn index(&self, e: &TExpr) -> Option<usize> {
        let (k, _) = atom_key(e);
        self.keys.iter().position(|x| *x == k)
    }

    /// Call `f` with every combination of atom values, until it returns
    /// false. Returns false when stopped early, or when there are too
    /// many atoms to try them all (the caller learns nothing).
    pub fn for_each(&self, mut f: impl FnMut(&Assignment<'_, 'e>) -> bool) -> bool {
        if self.len() > MAX_ATOMS {
            return false;
        }
        let mut choice = vec![0usize; self.len()];
        loop {
            let a = Assignment {
                atoms: self,
                choice: &choice,
            };
            if !f(&a) {
                return false;
            }
            // Next combination, odometer style.
            let mut i = 0;
            loop {
                if i == choice.len() {
                    return true;
                }
                choice[i] += 1;
                if choice[i] < self.values[i].len() {
                    break;
                }
                choice[i] = 0;
                i += 1;
            }
        }
    }
}

/// One combination of atom values.
pub struct Assignment<'a, 'e> {
    atoms: &'a Atoms<'e>,
    choice: &'a [usize],
}

impl Assignment<'_, '_> {
    /// Evaluate a condition whose atoms were all added.
    pub fn eval(&self, e: &TExpr) -> Tri {
        match &e.kind {
            TKind::Not(x) => self.eval(x).not(),
            TKind::And(xs) => xs.iter().fold(Tri::True, |acc, x| acc.and(self.eval(x))),
            TKind::Or(xs) => xs.iter().fold(Tri::False, |acc, x| acc.or(self.eval(x))),
            TKind::When(c, t, o) => Tri::select(
                self.eval(c),
                self.eval(t),
                o.as_ref().map_or(Tri::True, |o| self.eval(o)),
            ),
            _ => match self.atoms.index(e) {
                Some(i) => {
                    let v = self.atoms.values[i][self.choice[i]];
                    if atom_key(e).1 { v.not() } else { v }
                }
                None => Tri::Unknown,
            },
        }
    }

    /// The status of a criterion under this combination.
    pub fn status(&self, c: &Criterion) -> Status {
        let holds = c.expr.as_ref().map_or(Tri::True, |e| self.eval(e));
        match (c.kind, holds) {
            (CriterionKind::Require, Tri::True) | (CriterionKind::Exclude, Tri::False) => Status::Met,
            (CriterionKind::Require, Tri::False) | (CriterionKind::Exclude, Tri::True) => Status::NotMet,
            (_, Tri::Unknown) => Status::NotDocumented,
        }
    }
}

/// The statuses a criterion can have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Possible {
    pub met: bool,
    pub not_met: bool,
    pub not_documented: bool,
}

impl Possible {
    fn add(&mut self, s: Status) {
        match s {
            Status::Met | Status::NotApplicable => self.met = true,
            Status::NotMet => self.not_met = true,
            Status::NotDocumented => self.not_documented = true,
        }
    }

    /// Met, whatever the case documents.
    pub fn always_met(&self) -> bool {
        self.met && !self.not_met && !self.not_documented
    }

    /// Not met, whatever the case documents.
    pub fn never_met(&self) -> bool {
        self.not_met && !self.met && !self.not_documented
    }
}

/// Every status a criterion can have, or `None` when it is too big to tell.
pub fn statuses(c: &Criterion) -> Option<Possible> {
    let mut atoms = Atoms::default();
    if let Some(e) = &c.expr {
        atoms.add(e);
    }
    let mut out = Possible::default();
    atoms
        .for_each(|a| {
            out.add(a.status(c));
            true
        })
        .then_some(out)
}

/// Can criterion `later` ever decide a request, given criterion `earlier`
/// of the same rule before it? It decides when it is not met and nothing
/// before it is, or when it is not documented and nothing before it is
/// not met or not documented. `Some(false)`: never; `None`: too big to
/// tell.
pub fn can_decide_after(earlier: &Criterion, later: &Criterion) -> Option<bool> {
    let mut atoms = Atoms::default();
    for c in [earlier, later] {
        if let Some(e) = &c.expr {
            atoms.add(e);
        }
    }
    let mut can = false;
    let complete = atoms.for_each(|a| {
        let (x, c) = (a.status(earlier), a.status(later));
        can = match c {
            Status::NotMet => x != Status::NotMet,
            Status::NotDocumented => x.passes(),
            Status::Met | Status::NotApplicable => false,
        };
        !can
    });
    if can {
        Some(true)
    } else if complete {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceMap;

    /// The criteria of rule `r` in a small program.
    fn criteria(body: &str) -> Vec<Criterion> {
        let src = format!(
            "source S \"s\"\n  tier mtus\nfact request.id: text \"i\"\nfact request.treatment: treatment \"t\"\nfact request.date: date \"d\"\nfact request.quantity: quantity \"q\"\nfact exam.a: bool \"a\"\nfact exam.b: bool \"b\"\nclass c \"C\"\ntreatment t \"T\" class c\nrule r \"R\"\n  cites S \"x\"\n  applies to t\n{body}"
        );
        let mut sm = SourceMap::new();
        match crate::RuleSet::from_texts(&mut sm, [("x.mtus", src.as_str())]) {
            Ok(rs) => rs.program.rules[0].criteria.clone(),
            Err(e) => panic!("{:?}", e.diagnostics),
        }
    }

    fn possible(cond: &str) -> Possible {
        let c = criteria(&format!("  require x \"X\"\n    {cond}\n"));
        statuses(&c[0]).unwrap_or_default()
    }

    #[test]
    fn kleene_tautologies_are_not_always_met() {
        // Not documented stays possible: `a or not a` is unknown when `a` is.
        assert!(!possible("exam.a or not exam.a").always_met());
        assert!(possible("exam.a is documented or exam.a is not documented").always_met());
        assert!(possible("4 visit <= 6 visit").always_met());
        assert!(possible("exam.a and not exam.a").not_documented);
        assert!(!possible("exam.a and not exam.a").met);
        assert!(possible("exam.a and false").never_met());
        assert!(!possible("request.quantity <= 6 visit").always_met());
        assert!(possible("when exam.a is documented then true else true").always_met());
    }

    #[test]
    fn shadowing() {
        let c = criteria("  exclude never \"N\"\n  require x \"X\"\n    exam.a\n");
        assert_eq!(can_decide_after(&c[0], &c[1]), Some(false));
        let c = criteria("  require y \"Y\"\n    exam.a\n  require x \"X\"\n    exam.a\n");
        assert_eq!(can_decide_after(&c[0], &c[1]), Some(false));
        let c = criteria("  require y \"Y\"\n    exam.a\n  require x \"X\"\n    exam.b\n");
        assert_eq!(can_decide_after(&c[0], &c[1]), Some(true));
        // `x` fails only when `a` is false, but then `y` (not a) is met.
        let c = criteria("  require y \"Y\"\n    not exam.a\n  require x \"X\"\n    exam.a\n");
        assert_eq!(can_decide_after(&c[0], &c[1]), Some(true));
    }
}
