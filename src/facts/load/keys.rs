//! The schema's key tree as flat tables, worked out once per
//! [`super::Loader`]: each group's key names in the tree's order, what
//! each leads to, and a small hash index; plus the program's symbols with
//! a fast hash. Every key of every case is looked up here.

use std::collections::HashMap;

use crate::check::{Fact, KeyNode, Program, Scope};
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
}

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

/// FNV-1a: a fast hash for the short key and symbol names of a schema
/// (the standard SipHash guards against hash flooding, which does not
/// apply to a table built from the rule files).
#[derive(Clone, Copy, Default)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastHash = std::hash::BuildHasherDefault<Fnv>;

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
        Keys {
            symbols,
            diagnosis_tags: p.schema.lookup("diagnoses.tags"),
            groups,
            case,
            history,
            request,
            request_strength: p.schema.lookup("request.strength").map(|f| f.slot),
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

/// `a == b` for short keys: length and first byte first, so most
/// mismatches never reach a byte comparison.
pub fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}
