//! The schema's key tree as flat tables, worked out once per
//! [`super::Loader`]: each group's key names in the tree's order, what
//! each leads to, and a small hash index; plus the program's symbols with
//! a fast hash. Every key of every case is looked up here.

use std::collections::HashMap;

use crate::check::{Fact, FactType, KeyNode, Program, Scope, TreatmentId};
use crate::value::Sym;

/// The loader's own keys at the top of a case, before the schema's.
pub const TOP_SPECIAL: &[&str] = &["case", "diagnoses", "history", "requests", "determination"];

/// The schema's key tree as lists, made once per [`Loader`]: the names of
/// each group's keys, in the tree's order, and what each leads to.
pub struct Keys<'p> {
    /// The program's symbols, by name (a copy with a faster hash: every
    /// symbol of every case is looked up here).
    pub symbols: HashMap<&'p str, Sym, FastHash>,
    /// The `diagnoses.tags` fact, if declared.
    pub diagnosis_tags: Option<&'p Fact>,
    pub groups: Vec<Group<'p>>,
    /// The top of a case: the loader's own keys (`case`, `requests`, ...),
    /// then the schema's.
    pub case: Group<'p>,
    pub history: usize,
    pub request: usize,
    /// The slot of `request.strength`, if declared.
    pub request_strength: Option<u16>,
    /// The slots of `request.days_supply` and `request.med_per_day` (a
    /// quantity in mg_med), if declared: the loader works the second out
    /// from the request when the case does not write it.
    pub request_days_supply: Option<u16>,
    pub request_med_per_day: Option<u16>,
    /// The slots of the request facts a request's `text:` can give
    /// (see [`super::line`]), and of `request.ur_authorized`.
    pub request_text: Option<u16>,
    pub request_quantity: Option<u16>,
    pub request_per_week: Option<u16>,
    pub request_duration: Option<u16>,
    pub request_levels: Option<u16>,
    pub request_body_region: Option<u16>,
    pub request_ur_authorized: Option<u16>,
    /// The slot of `injury.date` (a request is not dated before it).
    pub injury_date: Option<u16>,
    /// The treatment catalog as the request-line reader's vocabulary.
    pub vocab: crate::line::CatalogVocabulary<'p>,
    /// The catalog's names (canonical, brand, spellings: already
    /// normalized), with the fast hash.
    treatments: HashMap<&'p str, TreatmentId, FastHash>,
    /// Each closed fact's values as a bit set over the symbols, by scope
    /// and slot (with the fact, so a fact not of the schema is never
    /// mistaken for the one in its slot).
    allowed: [Vec<Option<Allowed<'p>>>; 3],
}

/// A closed fact and its values as a bit set over the symbols.
type Allowed<'p> = (&'p Fact, Box<[u64]>);

pub struct Group<'p> {
    pub names: Vec<&'p str>,
    pub next: Vec<Next>,
    /// A small open table from a cheap hash of a name (length and three
    /// bytes) to its position in `names` + 1; 0 for none; `SHARED` where
    /// two names share a slot (then the names are searched).
    slots: [u8; 256],
}

const SHARED: u8 = u8::MAX;

/// A hash of a key name from its length and first, middle and last bytes:
/// enough to tell apart the few dozen keys of a group.
fn key_hash(k: &str) -> usize {
    let b = k.as_bytes();
    let n = b.len();
    let (first, mid, last) = match n {
        0 => (0, 0, 0),
        _ => (b[0], b[n / 2], b[n - 1]),
    };
    (n.wrapping_mul(37)
        ^ usize::from(first).wrapping_mul(101)
        ^ usize::from(mid).wrapping_mul(7)
        ^ usize::from(last).wrapping_mul(13))
        & 255
}

impl<'p> Group<'p> {
    fn new() -> Group<'p> {
        Group {
            names: Vec::new(),
            next: Vec::new(),
            slots: [0; 256],
        }
    }

    fn push(&mut self, name: &'p str, next: Next) {
        let h = key_hash(name);
        let i = self.names.len();
        self.slots[h] = match self.slots[h] {
            0 if i + 1 < usize::from(SHARED) => (i + 1) as u8,
            _ => SHARED,
        };
        self.names.push(name);
        self.next.push(next);
    }

    /// The position of a name.
    pub fn find(&self, k: &str) -> Option<usize> {
        match self.slots[key_hash(k)] {
            0 => None,
            SHARED => self.names.iter().position(|n| same_key(n, k)),
            i => {
                let i = usize::from(i) - 1;
                (self.names[i] == k).then_some(i)
            }
        }
    }
}

/// A fast hash for the short key, symbol and treatment names of a schema,
/// eight bytes at a time (FxHash's step: rotate, xor, multiply). The
/// standard SipHash guards against hash flooding, which does not apply to
/// a table built from the rule files.
#[derive(Clone, Copy, Default)]
pub struct WordHash(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl WordHash {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl std::hash::Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
}

pub type FastHash = std::hash::BuildHasherDefault<WordHash>;

#[derive(Clone, Copy)]
pub enum Next {
    Leaf(crate::check::FactId),
    /// Index into `Keys::groups`.
    Group(usize),
    /// A key the loader reads itself (top of the case only).
    Special,
}

impl<'p> Keys<'p> {
    pub fn new(p: &'p Program) -> Keys<'p> {
        let mut groups = Vec::new();
        let case_root = Keys::flatten(p.schema.tree(Scope::Case), &mut groups);
        let history = Keys::flatten(p.schema.tree(Scope::History), &mut groups);
        let request = Keys::flatten(p.schema.tree(Scope::Request), &mut groups);
        let mut case = Group::new();
        for name in TOP_SPECIAL {
            case.push(name, Next::Special);
        }
        let root = &groups[case_root];
        for (name, next) in root.names.iter().zip(&root.next) {
            if !TOP_SPECIAL.contains(name) {
                case.push(name, *next);
            }
        }
        let symbols = (0..p.symbols.len())
            .filter_map(|i| p.symbols.name(Sym(i as u32)).map(|n| (n, Sym(i as u32))))
            .collect();
        let treatments = p.catalog.lookup.iter().map(|(k, &t)| (k.as_str(), t)).collect();
        let mut allowed: [Vec<Option<Allowed<'p>>>; 3] = Default::default();
        let words = p.symbols.len().div_ceil(64);
        for f in &p.schema.facts {
            let Some(values) = &f.allowed else { continue };
            let mut bits = vec![0u64; words];
            for s in values {
                if let Some(w) = bits.get_mut(s.0 as usize / 64) {
                    *w |= 1 << (s.0 % 64);
                }
            }
            let by_slot = &mut allowed[scope_index(f.scope)];
            let slot = usize::from(f.slot);
            if by_slot.len() <= slot {
                by_slot.resize(slot + 1, None);
            }
            by_slot[slot] = Some((f, bits.into_boxed_slice()));
        }
        // A request fact's slot, when the schema declares it with one of
        // these types (the text's value fits it).
        let slot = |path: &str, types: &[FactType]| {
            p.schema
                .lookup(path)
                .filter(|f| f.scope == Scope::Request && types.contains(&f.ty))
                .map(|f| f.slot)
        };
        Keys {
            treatments,
            allowed,
            symbols,
            diagnosis_tags: p.schema.lookup("diagnoses.tags"),
            groups,
            case,
            history,
            request,
            request_strength: p.schema.lookup("request.strength").map(|f| f.slot),
            request_days_supply: p.schema.lookup("request.days_supply").map(|f| f.slot),
            request_med_per_day: p
                .schema
                .lookup("request.med_per_day")
                .filter(|f| f.dim == Some(crate::value::Dim::Med))
                .map(|f| f.slot),
            request_text: slot("request.text", &[FactType::Text]),
            request_quantity: slot("request.quantity", &[FactType::Quantity]),
            request_per_week: slot("request.per_week", &[FactType::Number]),
            request_duration: slot("request.duration", &[FactType::Duration, FactType::Quantity]),
            request_levels: slot("request.levels", &[FactType::Int]),
            request_body_region: slot("request.body_region", &[FactType::SymbolList]),
            request_ur_authorized: slot("request.ur_authorized", &[FactType::Quantity]),
            injury_date: p
                .schema
                .lookup("injury.date")
                .filter(|f| f.ty == FactType::Date && f.scope == Scope::Case)
                .map(|f| f.slot),
            vocab: crate::line::CatalogVocabulary::new(&p.catalog),
        }
    }

    /// Whether a closed fact allows a symbol: `f.allowed` holds it.
    pub fn allows(&self, f: &Fact, s: Sym) -> bool {
        match self.allowed[scope_index(f.scope)].get(usize::from(f.slot)) {
            Some(Some((g, bits))) if std::ptr::eq(*g, f) => {
                bits.get(s.0 as usize / 64).is_some_and(|w| w & (1 << (s.0 % 64)) != 0)
            }
            _ => f.allowed.as_ref().is_some_and(|a| a.contains(&s)),
        }
    }

    /// [`crate::check::Catalog::resolve`] without normalizing (and
    /// allocating) a name that is a catalog key or already normal.
    pub fn resolve(&self, p: &Program, written: &str) -> Option<TreatmentId> {
        if let Some(&t) = self.treatments.get(written) {
            return Some(t);
        }
        if is_normal(written) {
            return None;
        }
        // A short ASCII name (`Soma 350`, `Robaxin-750`) is normalized on
        // the stack; anything else the catalog's way.
        let mut buf = [0u8; 64];
        match normalize_ascii(written, &mut buf) {
            Some(n) => self.treatments.get(n).copied(),
            None => p.catalog.resolve(written),
        }
    }

    /// Add a node and the groups below it; its index. Recursion is as deep
    /// as a fact's path.
    fn flatten(node: &'p std::collections::BTreeMap<String, KeyNode>, groups: &mut Vec<Group<'p>>) -> usize {
        let at = groups.len();
        groups.push(Group::new());
        for (name, n) in node {
            let next = match n {
                KeyNode::Leaf(id) => Next::Leaf(*id),
                KeyNode::Group(children) => Next::Group(Keys::flatten(children, groups)),
            };
            groups[at].push(name.as_str(), next);
        }
        at
    }
}

fn scope_index(s: Scope) -> usize {
    match s {
        Scope::Case => 0,
        Scope::History => 1,
        Scope::Request => 2,
    }
}

/// Whether [`crate::check::normalize_name`] leaves a name as it is:
/// lowercase ASCII words of letters and digits joined by single `_`.
pub fn is_normal(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0] != b'_'
        && b[b.len() - 1] != b'_'
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !b.windows(2).any(|w| w == b"__")
}

/// [`crate::check::normalize_name`] of an ASCII name into `buf`: words
/// of letters and digits, lowercased, joined by single `_`. `None` for a
/// name with a character beyond ASCII or too long for `buf`.
fn normalize_ascii<'b>(s: &str, buf: &'b mut [u8; 64]) -> Option<&'b str> {
    let mut n = 0;
    let mut pending = false;
    for &c in s.as_bytes() {
        if !c.is_ascii() {
            return None;
        }
        if c.is_ascii_alphanumeric() {
            if pending && n > 0 {
                *buf.get_mut(n)? = b'_';
                n += 1;
            }
            pending = false;
            *buf.get_mut(n)? = c.to_ascii_lowercase();
            n += 1;
        } else {
            pending = true;
        }
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// `a == b` for short keys: length and first byte first, so most
/// mismatches never reach a byte comparison.
pub fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::normalize_name;

    fn program() -> Program {
        let mut sm = crate::diag::SourceMap::new();
        match crate::RuleSet::embedded(&mut sm) {
            Ok(rs) => rs.program,
            Err(e) => panic!("{:?}", e.diagnostics.first()),
        }
    }

    #[test]
    fn fast_treatment_lookup_is_the_catalogs() {
        let p = program();
        let keys = Keys::new(&p);
        // A catalog key is its own normal form, so finding it as written
        // is what normalizing first would find.
        for k in p.catalog.lookup.keys() {
            assert_eq!(&normalize_name(k), k);
        }
        let mut names: Vec<String> = Vec::new();
        for k in p.catalog.lookup.keys() {
            names.push(k.clone());
            names.push(k.to_uppercase());
            names.push(k.replace('_', " "));
            names.push(k.replace('_', "__"));
            names.push(format!("_{k}"));
            names.push(format!("{k}_"));
            names.push(format!("{k}x"));
            names.push(format!("{k} (oral)"));
        }
        names.extend((0..p.symbols.len()).filter_map(|i| p.symbols.name(Sym(i as u32)).map(String::from)));
        names.extend(
            [
                "",
                "_",
                "a",
                "Norco",
                "SOMA",
                "acetaminophen",
                "é",
                "Ibuprofen 800mg",
                "tens unit",
                "9",
            ]
            .map(String::from),
        );
        for n in &names {
            assert_eq!(keys.resolve(&p, n), p.catalog.resolve(n), "{n:?}");
            if is_normal(n) {
                assert_eq!(&normalize_name(n), n);
            }
        }
    }

    #[test]
    fn ascii_normalizing_is_normalize_name() {
        let p = program();
        let mut names: Vec<String> = p.catalog.lookup.keys().cloned().collect();
        for t in &p.catalog.treatments {
            names.push(t.name.clone());
        }
        let more: Vec<String> = names
            .iter()
            .flat_map(|k| {
                [
                    k.to_uppercase(),
                    k.replace('_', " - "),
                    format!("  {k} 5% "),
                    format!("{k}-750"),
                    format!("{k}é"),
                    k.repeat(5),
                ]
            })
            .collect();
        names.extend(more);
        names.extend(["", " ", "-", "A", "a--b", "Ünïcode"].map(String::from));
        names.extend(["x".repeat(64), "x".repeat(65), "a b".repeat(30)]);
        for n in &names {
            let mut buf = [0u8; 64];
            match normalize_ascii(n, &mut buf) {
                Some(got) => assert_eq!(got, normalize_name(n), "{n:?}"),
                None => assert!(!n.is_ascii() || normalize_name(n).len() > 64, "{n:?}"),
            }
        }
    }

    #[test]
    fn allowed_bit_sets_are_the_facts_lists() {
        let p = program();
        let keys = Keys::new(&p);
        let mut closed = 0;
        for f in &p.schema.facts {
            closed += usize::from(f.allowed.is_some());
            for i in 0..p.symbols.len() as u32 + 70 {
                let s = Sym(i);
                let want = f.allowed.as_ref().is_some_and(|a| a.contains(&s));
                assert_eq!(keys.allows(f, s), want, "{} {i}", f.path);
            }
        }
        assert!(closed > 5, "{closed} closed facts");
        // A fact not of this schema is read from its own list.
        let mut other = p.schema.facts.iter().find(|f| f.allowed.is_some()).unwrap().clone();
        other.allowed = Some(vec![Sym(0)]);
        assert!(keys.allows(&other, Sym(0)));
        assert!(!keys.allows(&other, Sym(1)));
    }

    #[test]
    fn group_find_is_a_search_of_the_names() {
        let p = program();
        let keys = Keys::new(&p);
        let mut words: Vec<String> = p.schema.facts.iter().flat_map(|f| f.key.clone()).collect();
        words.extend(TOP_SPECIAL.iter().map(|s| s.to_string()));
        let more: Vec<String> = words
            .iter()
            .flat_map(|w| [format!("{w}s"), w[1..].to_string()])
            .collect();
        words.extend(more);
        for g in keys.groups.iter().chain([&keys.case]) {
            for w in &words {
                assert_eq!(g.find(w), g.names.iter().position(|n| n == w), "{w}");
            }
        }
    }
}
