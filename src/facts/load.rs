//! Reading case files straight into slots, validated by the fact schema
//! while deserializing.
//!
//! The loader is a tree of `DeserializeSeed`s driven by the schema's key
//! tree. Every check (unknown key, duplicate key, wrong type, bad unit,
//! unknown treatment) is raised inside the seed of the key or value it is
//! about, which is where the YAML deserializer knows the line and column.
//! The details (code, message, help) travel in `Ctx::pending`, because a
//! serde error carries only a string.
//!
//! This is the only module that names `serde_yaml` (and `serde_json`).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Case, Determination, Diagnosis, ExpectedCriterion, Recorded, RecordedDecision, Request, Reviewer};
use crate::check::{Fact, FactType, KeyNode, Program, RuleId, Scope, TreatmentId, display_path};
use crate::diag::did_you_mean;
use crate::value::{Date, Dim, Qty, QtyError, Sym, Unit, Value};

/// A case file that could not be loaded: where, what, and what to do.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CaseError {
    pub file: String,
    /// 1-based; 0 when the problem has no place in the file.
    pub line: usize,
    pub column: usize,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

/// The part of an error the seeds know; the deserializer adds the place.
#[derive(Clone, Debug)]
struct Detail {
    code: &'static str,
    message: String,
    help: Option<String>,
    /// For errors found only once the whole case is read: a `key: value`
    /// pair to look for in the text, since the deserializer has moved on.
    near: Option<(String, String)>,
}

struct Ctx<'p> {
    p: &'p Program,
    keys: &'p Keys<'p>,
    local: Vec<String>,
    local_map: HashMap<String, Sym>,
    pending: Option<Detail>,
    /// Request ids seen so far, for decisions that refer to them.
    request_ids: Vec<String>,
}

impl Ctx<'_> {
    fn fail<E: de::Error>(&mut self, code: &'static str, message: String, help: Option<String>) -> E {
        let e = E::custom(&message);
        self.pending = Some(Detail {
            code,
            message,
            help,
            near: None,
        });
        e
    }

    /// Like `fail`, for a problem with the value `value` of a key `key`
    /// found after the whole case was read.
    fn fail_near<E: de::Error>(
        &mut self,
        key: &str,
        value: &str,
        code: &'static str,
        message: String,
        help: Option<String>,
    ) -> E {
        let e = self.fail(code, message, help);
        if let Some(d) = &mut self.pending {
            d.near = Some((key.to_string(), value.to_string()));
        }
        e
    }

    fn sym(&mut self, s: &str) -> Sym {
        if let Some(&x) = self.keys.symbols.get(s) {
            return x;
        }
        if let Some(&x) = self.local_map.get(s) {
            return x;
        }
        let x = Sym((self.p.symbols.len() + self.local.len()) as u32);
        self.local.push(s.to_string());
        self.local_map.insert(s.to_string(), x);
        x
    }
}

/// Load a case from YAML text. `file` is the name used in messages.
/// (To load many cases, make a [`Loader`] once.)
pub fn load_yaml(p: &Program, file: &str, text: &str) -> Result<Case, CaseError> {
    Loader::new(p).load_yaml(file, text)
}

/// Load a case from JSON text (one line of a JSON Lines file, say).
/// (To load many cases, make a [`Loader`] once.)
pub fn load_json(p: &Program, file: &str, text: &str) -> Result<Case, CaseError> {
    Loader::new(p).load_json(file, text)
}

/// Loads cases against one program's schema. Making one works out the
/// schema's key tables once; an audit loads every case with one loader,
/// from any thread.
pub struct Loader<'p> {
    p: &'p Program,
    keys: Keys<'p>,
}

impl<'p> Loader<'p> {
    pub fn new(p: &'p Program) -> Loader<'p> {
        Loader { p, keys: Keys::new(p) }
    }

    /// Load a case from YAML text. `file` is the name used in messages.
    pub fn load_yaml(&self, file: &str, text: &str) -> Result<Case, CaseError> {
        load_yaml_with(self, file, text)
    }

    /// Load a case from JSON text (one line of a JSON Lines file, say).
    pub fn load_json(&self, file: &str, text: &str) -> Result<Case, CaseError> {
        load_json_with(self, file, text)
    }
}

/// The schema's key tree as lists, made once per [`Loader`]: the names of
/// each group's keys, in the tree's order, and what each leads to.
struct Keys<'p> {
    /// The program's symbols, by name (a copy with a faster hash: every
    /// symbol of every case is looked up here).
    symbols: HashMap<&'p str, Sym, FastHash>,
    /// The `diagnoses.tags` fact, if declared.
    diagnosis_tags: Option<&'p Fact>,
    groups: Vec<Group<'p>>,
    /// The top of a case: the loader's own keys (`case`, `requests`, ...),
    /// then the schema's.
    case: Group<'p>,
    history: usize,
    request: usize,
}

struct Group<'p> {
    names: Vec<&'p str>,
    next: Vec<Next>,
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
    fn find(&self, k: &str) -> Option<usize> {
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
struct Fnv(u64);

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

type FastHash = std::hash::BuildHasherDefault<Fnv>;

#[derive(Clone, Copy)]
enum Next {
    Leaf(crate::check::FactId),
    /// Index into `Keys::groups`.
    Group(usize),
    /// A key the loader reads itself (top of the case only).
    Special,
}

impl<'p> Keys<'p> {
    fn new(p: &'p Program) -> Keys<'p> {
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

fn load_yaml_with(loader: &Loader<'_>, file: &str, text: &str) -> Result<Case, CaseError> {
    let p = loader.p;
    if is_blank(text) {
        return Err(CaseError {
            file: file.to_string(),
            line: 1,
            column: 1,
            code: "empty-file",
            message: "the case file is empty".into(),
            help: Some("a case needs at least `case:` (an id) and `requests:`".into()),
        });
    }
    let mut ctx = new_ctx(p, &loader.keys);
    let de = serde_yaml::Deserializer::from_str(text);
    let result = CaseSeed { ctx: &mut ctx }.deserialize(de);
    result.map_err(|e| {
        let (line, column) = e
            .location()
            .map_or_else(|| fallback_location(text, &e.to_string()), |l| (l.line(), l.column()));
        into_error(&mut ctx, file, text, line, column, &e.to_string())
    })
}

fn load_json_with(loader: &Loader<'_>, file: &str, text: &str) -> Result<Case, CaseError> {
    let mut ctx = new_ctx(loader.p, &loader.keys);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = CaseSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|c| de.end().map(|()| c));
    result.map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let mut err = into_error(&mut ctx, file, text, line, column, &e.to_string());
        if err.code == "yaml-syntax" {
            err.code = "json-syntax";
        }
        err
    })
}

fn new_ctx<'p>(p: &'p Program, keys: &'p Keys<'p>) -> Ctx<'p> {
    Ctx {
        p,
        keys,
        local: Vec::new(),
        local_map: HashMap::new(),
        pending: None,
        request_ids: Vec::new(),
    }
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// serde_yaml reports some errors (alias expansion) without a place.
fn fallback_location(text: &str, msg: &str) -> (usize, usize) {
    if msg.contains("repetition limit") {
        for (i, line) in text.lines().enumerate() {
            if let Some(c) = line.find('*') {
                return (i + 1, c + 1);
            }
        }
    }
    (1, 1)
}

/// Find `key: value` (the value possibly quoted) in the text: 1-based line
/// and column of the value.
fn find_key_value(text: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(k) = line[from..].find(key) {
            let after = from + k + key.len();
            let rest = &line[after..];
            let trimmed = rest.trim_start();
            if let Some(v) = trimmed.strip_prefix(':') {
                let v = v.trim_start();
                let lead = line.len() - v.len();
                let unquoted = v.trim_start_matches(['"', '\'']);
                if unquoted.starts_with(value)
                    && !unquoted[value.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    return Some((i + 1, line[..lead].chars().count() + 1));
                }
            }
            from = after;
        }
    }
    None
}

/// Where a recorded decision's `key` (`outcome`, `because`) is written, as
/// 1-based line and column of its value; else the place of the decision's
/// `request: ID`. For messages about a case that loaded (a test that
/// failed), when the deserializer is gone: a scan of the text below
/// `determination:`, in block or flow style.
pub fn locate_decision(text: &str, request: &str, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let det = lines.iter().position(|l| l.starts_with("determination:"))?;
    let below = || lines.iter().enumerate().skip(det);
    let (at, _) = below().find(|(_, l)| find_key_value(l, "request", request).is_some())?;
    let request_col = find_key(lines[at], "request").unwrap_or(1);
    // The decision runs until the next `request:` key (or the end).
    for (i, l) in below().skip(at - det) {
        let from = if i == at { request_col - 1 } else { 0 };
        let rest = l.get(from..).unwrap_or("");
        if i > at && find_key(rest, "request").is_some() {
            break;
        }
        if let Some(c) = find_key(rest, key) {
            return Some((i + 1, l.get(..from).map_or(0, |x| x.chars().count()) + c));
        }
    }
    Some((at + 1, request_col))
}

/// The 1-based column of the value of `key:` in a line, whatever the value.
fn find_key(line: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = line[from..].find(key) {
        let start = from + k;
        let before = line[..start].chars().next_back();
        let after = line[start + key.len()..].trim_start();
        if before.is_none_or(|c| matches!(c, ' ' | '{' | ',' | '-')) {
            if let Some(v) = after.strip_prefix(':') {
                let v = v.trim_start();
                return Some(line[..line.len() - v.len()].chars().count() + 1);
            }
        }
        from = start + key.len();
    }
    None
}

fn into_error(ctx: &mut Ctx<'_>, file: &str, text: &str, line: usize, column: usize, raw: &str) -> CaseError {
    let (mut line, mut column) = (line, column);
    let (code, message, help) = match ctx.pending.take() {
        Some(d) => {
            if let Some((l, c)) = d.near.as_ref().and_then(|(k, v)| find_key_value(text, k, v)) {
                (line, column) = (l, c);
            }
            (d.code, d.message, d.help)
        }
        None => {
            // A YAML or JSON syntax error, or a type error serde found itself.
            let mut msg = raw.to_string();
            let suffix = format!(" at line {line} column {column}");
            if let Some(i) = msg.find(&suffix) {
                msg.replace_range(i..i + suffix.len(), "");
            }
            let (code, help) = if msg.contains("repetition limit") {
                (
                    "yaml-aliases",
                    Some("the file repeats YAML aliases (`*name`) so often that they expand without bound; write the values out".to_string()),
                )
            } else if msg.contains("recursion limit") {
                (
                    "yaml-nesting",
                    Some("the YAML nests too deeply to be a case file".to_string()),
                )
            } else if msg.contains("control characters") || msg.contains("invalid") && msg.contains("UTF-8") {
                ("not-text", Some("this does not look like a YAML text file".to_string()))
            } else {
                ("yaml-syntax", None)
            };
            let msg = if code == "yaml-aliases" {
                "YAML aliases expand beyond the repetition limit".to_string()
            } else {
                msg
            };
            (code, lowercase_first(&msg), help)
        }
    };
    CaseError {
        file: file.to_string(),
        line,
        column,
        code,
        message,
        help,
    }
}

/// "Did not find" for "Did not find"; an acronym ("EOF while parsing")
/// keeps its capitals.
fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if s.chars().nth(1).is_some_and(char::is_uppercase) => f.to_string() + c.as_str(),
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// keys

/// A key as accepted: one of the allowed names, borrowed (keys are read
/// for every fact of every case, so they are not copied).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key<'k>(&'k str, usize);

impl<'k> Key<'k> {
    fn as_str(&self) -> &'k str {
        self.0
    }

    /// Its position among the allowed keys.
    fn index(&self) -> usize {
        self.1
    }
}

/// `a == b` for short keys: length and first byte first, so most
/// mismatches never reach a byte comparison.
fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

impl PartialEq<&str> for Key<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Deserializes one mapping key, rejecting unknown and repeated keys at the
/// key's own position.
struct KeySeed<'c, 'p, 'n, 'k, W: fmt::Display + ?Sized = str> {
    ctx: &'c mut Ctx<'p>,
    allowed: &'n [&'k str],
    seen: &'n mut Vec<&'k str>,
    /// What the mapping is, for messages ("`exam`", "a request").
    within: &'n W,
}

/// A key of a group of the schema's key tree, looked up in the group's
/// index (the same checks and messages as [`KeySeed`]).
struct GroupKeySeed<'c, 'p, 'n, W: fmt::Display + ?Sized> {
    ctx: &'c mut Ctx<'p>,
    group: &'p Group<'p>,
    /// Keys seen: bit `i` for `group.names[i]`, past 128 in `more`.
    seen: &'n mut (u128, Vec<usize>),
    within: &'n W,
}

impl<'de, 'p, W: fmt::Display + ?Sized> DeserializeSeed<'de> for GroupKeySeed<'_, 'p, '_, W> {
    type Value = Key<'p>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'p>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'p, W: fmt::Display + ?Sized> Visitor<'de> for GroupKeySeed<'_, 'p, '_, W> {
    type Value = Key<'p>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a field name")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<Key<'p>, E> {
        let Some(index) = self.group.find(k) else {
            // Unknown: the plain seed says so, with the same message.
            let mut none = Vec::new();
            return KeySeed {
                ctx: self.ctx,
                allowed: &self.group.names,
                seen: &mut none,
                within: self.within,
            }
            .visit_str(k);
        };
        let seen = match index {
            0..128 => {
                let bit = 1u128 << index;
                let was = self.seen.0 & bit != 0;
                self.seen.0 |= bit;
                was
            }
            _ => {
                let was = self.seen.1.contains(&index);
                self.seen.1.push(index);
                was
            }
        };
        if seen {
            return Err(self.ctx.fail(
                "duplicate-key",
                format!("`{k}` appears twice in {}", self.within),
                Some("keep one of them: a later copy would silently replace the first".into()),
            ));
        }
        Ok(Key(self.group.names[index], index))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key<'p>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key<'p>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'p>, E> {
        self.visit_str(&v.to_string())
    }
}

impl<'de, 'k, W: fmt::Display + ?Sized> DeserializeSeed<'de> for KeySeed<'_, '_, '_, 'k, W> {
    type Value = Key<'k>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'k>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'k, W: fmt::Display + ?Sized> Visitor<'de> for KeySeed<'_, '_, '_, 'k, W> {
    type Value = Key<'k>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a field name")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<Key<'k>, E> {
        let Some((index, &name)) = self.allowed.iter().enumerate().find(|(_, a)| same_key(a, k)) else {
            let help = match did_you_mean(k, self.allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known fields here: {}", self.allowed.join(", ")),
            };
            return Err(self.ctx.fail(
                "unknown-field",
                format!("unknown field `{k}` in {}", self.within),
                Some(help),
            ));
        };
        if self.seen.iter().any(|x| std::ptr::eq(*x, name)) {
            return Err(self.ctx.fail(
                "duplicate-key",
                format!("`{k}` appears twice in {}", self.within),
                Some("keep one of them: a later copy would silently replace the first".into()),
            ));
        }
        if self.seen.capacity() == 0 {
            self.seen.reserve(self.allowed.len());
        }
        self.seen.push(name);
        Ok(Key(name, index))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key<'k>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key<'k>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'k>, E> {
        self.visit_str(&v.to_string())
    }
}

/// A key of `history:` — a treatment name, canonical or brand.
struct TreatmentKeySeed<'c, 'p, 'n> {
    ctx: &'c mut Ctx<'p>,
    seen: &'n mut Vec<TreatmentId>,
}

impl<'de> DeserializeSeed<'de> for TreatmentKeySeed<'_, '_, '_> {
    type Value = TreatmentId;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TreatmentId, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TreatmentKeySeed<'_, '_, '_> {
    type Value = TreatmentId;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a treatment name")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<TreatmentId, E> {
        let t = resolve_treatment(self.ctx, k)?;
        if self.seen.contains(&t) {
            let name = &self.ctx.p.catalog.treatment(t).name;
            return Err(self.ctx.fail(
                "duplicate-key",
                format!("`history` has two entries for `{name}`"),
                Some("merge them into one entry".into()),
            ));
        }
        self.seen.push(t);
        Ok(t)
    }
}

fn resolve_treatment<E: de::Error>(ctx: &mut Ctx<'_>, written: &str) -> Result<TreatmentId, E> {
    // A name already written as the catalog keys it needs no normalizing.
    let known = ctx.p.catalog.lookup.get(written).copied();
    match known.or_else(|| ctx.p.catalog.resolve(written)) {
        Some(t) => Ok(t),
        None => {
            let help = match ctx.p.catalog.suggest(written) {
                Some(s) => format!("did you mean {s}?"),
                None => "use a canonical treatment name from FACTS.md (e.g. `massage_therapy`, `cyclobenzaprine`) or a brand name in the catalog".to_string(),
            };
            Err(ctx.fail(
                "unknown-treatment",
                format!("unknown treatment `{written}`"),
                Some(help),
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// leaf values

/// How a case file names a fact, for messages: written out only when a
/// message needs it.
#[derive(Clone, Copy)]
enum Name<'a> {
    Text(&'a str),
    /// As the schema names it (`exam.muscle_spasm`).
    Fact(&'a Fact),
    /// A fact of the history entry of a treatment: `history.TREATMENT.KEY`.
    History(&'a str, &'a Fact),
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Text(s) => f.write_str(s),
            Name::Fact(fact) => f.write_str(&display_path(fact)),
            Name::History(t, fact) => write!(f, "history.{t}.{}", fact.key.join(".")),
        }
    }
}

impl<'a> From<&'a str> for Name<'a> {
    fn from(s: &'a str) -> Name<'a> {
        Name::Text(s)
    }
}

/// One fact value, typed by its declaration.
struct ValueSeed<'c, 'p, 'f> {
    ctx: &'c mut Ctx<'p>,
    fact: &'f Fact,
    /// The fact's name as this case file writes it
    /// (`history.massage_therapy.visits`, not `prior.visits`).
    name: Name<'f>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn expected(f: &Fact) -> String {
    match f.ty {
        FactType::Bool => "true or false".into(),
        FactType::Int => "a whole number".into(),
        FactType::Number => "a number".into(),
        FactType::Score => "a score from 0 to 10".into(),
        FactType::Percent => "a percent from 0 to 100".into(),
        FactType::Date => "a date (YYYY-MM-DD)".into(),
        FactType::Duration => "a duration such as `3 week`".into(),
        FactType::Quantity => match f.dim {
            Some(Dim::Visit) => "a number of visits such as `6 visit`".into(),
            Some(Dim::Tablet) => "a number of tablets such as `15 tablet`".into(),
            Some(Dim::Mass) => "a mass such as `7.5 mg`".into(),
            Some(Dim::Med) => "a morphine-equivalent dose such as `90 mg_med`".into(),
            Some(Dim::Item) => "a number of units such as `1 unit`".into(),
            _ => "a quantity with a unit, such as `6 visit` or `15 tablet`".into(),
        },
        FactType::Symbol => match &f.allowed {
            Some(_) => "one of its values".into(),
            None => "a snake_case word".into(),
        },
        FactType::SymbolList => "a list of snake_case words, such as [a, b]".into(),
        FactType::Text => "text".into(),
        FactType::Treatment => "a treatment name".into(),
    }
}

fn default_unit(d: Dim) -> Option<Unit> {
    match d {
        Dim::Visit => Some(Unit::Visit),
        Dim::Tablet => Some(Unit::Tablet),
        Dim::Item => Some(Unit::Item),
        Dim::Med => Some(Unit::MgMed),
        Dim::Mass | Dim::Time | Dim::Concentration | Dim::DoseRate => None,
    }
}

impl ValueSeed<'_, '_, '_> {
    fn wrong<E: de::Error>(self, found: &str) -> E {
        let f = self.fact;
        let help = match (f.ty, found) {
            (FactType::Bool, s) if s.starts_with("the text") => {
                Some("write true or false without quotes; leave the fact out when it is not documented".to_string())
            }
            (FactType::Quantity | FactType::Duration, s) if s.starts_with("the number") => {
                Some("give the number a unit, e.g. `6 visit`, `3 week`".to_string())
            }
            _ => Some(format!("`{}`: {}", self.name, f.description)),
        };
        self.ctx.fail(
            "wrong-type",
            format!("`{}` should be {}, found {found}", self.name, expected(f)),
            help,
        )
    }

    fn number<E: de::Error>(self, n: f64, integral: bool) -> Result<Value, E> {
        let f = self.fact;
        let (lo, hi) = match f.ty {
            FactType::Score => (0.0, 10.0),
            FactType::Percent => (0.0, 100.0),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        match f.ty {
            FactType::Int if integral => Ok(Value::Int(n as i64)),
            FactType::Number | FactType::Score | FactType::Percent => {
                if !(lo..=hi).contains(&n) || n.is_nan() {
                    let what = if f.ty == FactType::Score {
                        "a score"
                    } else {
                        "a percent"
                    };
                    let help = if f.ty == FactType::Percent && n > 0.0 && n <= 1.0 {
                        "write a percent as a number from 0 to 100, e.g. 60 for 60%"
                    } else {
                        "check the value in the record"
                    };
                    return Err(self.ctx.fail(
                        "out-of-range",
                        format!(
                            "`{}` is {what} from {lo} to {hi}, found {}",
                            display_path(f),
                            crate::value::fmt_num(n)
                        ),
                        Some(help.into()),
                    ));
                }
                Ok(Value::Num(n))
            }
            FactType::Quantity => match f.dim.and_then(default_unit) {
                Some(u) => Ok(Value::Qty(Qty::new(n, u))),
                None => Err(self.wrong(&format!("the number {}", crate::value::fmt_num(n)))),
            },
            FactType::Text => Ok(Value::Text(crate::value::fmt_num(n).into())),
            _ => Err(self.wrong(&format!("the number {}", crate::value::fmt_num(n)))),
        }
    }

    fn symbol<E: de::Error>(ctx: &mut Ctx<'_>, f: &Fact, name: &dyn fmt::Display, s: &str) -> Result<Sym, E> {
        // Current medications name treatments: a brand name or spelling the
        // catalog knows ("Norco", "Soma") means its canonical treatment.
        // Anything else (acetaminophen) is kept as written.
        if f.scope == Scope::Case && Some(f.slot) == ctx.p.schema.builtin.medications_current {
            if let Some(t) = ctx.p.catalog.resolve(s) {
                return Ok(ctx.p.catalog.treatment(t).sym);
            }
        }
        let ok = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !ok {
            let suggestion = crate::check::normalize_name(s);
            return Err(ctx.fail(
                "bad-symbol",
                format!("`{s}` is not a snake_case word (in `{name}`)"),
                Some(format!("write it as `{suggestion}`")),
            ));
        }
        let sym = ctx.sym(s);
        if let Some(allowed) = &f.allowed {
            if !allowed.contains(&sym) {
                let names: Vec<&str> = allowed.iter().filter_map(|a| ctx.p.symbols.name(*a)).collect();
                let help = match did_you_mean(s, names.iter().copied()) {
                    Some(x) => format!("did you mean `{x}`? values: {}", names.join(", ")),
                    None => format!("values: {}", names.join(", ")),
                };
                return Err(ctx.fail("unknown-value", format!("`{s}` is not a value of `{name}`"), Some(help)));
            }
        }
        Ok(sym)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", expected(self.fact))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.fact.ty {
            FactType::Bool => Ok(Value::Bool(b)),
            _ => Err(self.wrong(&format!("`{b}`"))),
        }
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.number(n as f64, true)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.number(n as f64, true)
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        let integral = n.fract() == 0.0;
        if self.fact.ty == FactType::Int && !integral {
            return Err(self.wrong(&format!("the number {}", crate::value::fmt_num(n))));
        }
        self.number(n, integral)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        let f = self.fact;
        match f.ty {
            FactType::Text => Ok(Value::Text(s.into())),
            FactType::Date => match Date::parse(s.trim()) {
                Some(d) => Ok(Value::Date(d)),
                None => Err(self.ctx.fail(
                    "bad-date",
                    format!("`{s}` is not a date (in `{}`)", self.name),
                    Some("write dates as YYYY-MM-DD, e.g. 2015-05-06".into()),
                )),
            },
            FactType::Duration | FactType::Quantity => {
                let q = match Qty::parse(s) {
                    Ok(q) => q,
                    Err(e) => {
                        let (msg, help) = match e {
                            QtyError::NoUnit(n) => match f.dim.and_then(default_unit) {
                                Some(u) => return Ok(Value::Qty(Qty::new(n, u))),
                                None => (
                                    format!("`{s}` has no unit"),
                                    "add a unit: `6 visit`, `15 tablet`, `3 week`".to_string(),
                                ),
                            },
                            QtyError::UnknownUnit(u) => {
                                let names = crate::value::UNIT_NAMES.iter().map(|(n, _)| *n);
                                let help = match did_you_mean(&u, names) {
                                    Some(x) => format!("did you mean `{x}`?"),
                                    None => "units: visit, session, tablet, capsule, patch, unit, mg, g, mg_med, hour, day, week, month, year".into(),
                                };
                                (format!("unknown unit `{u}` in `{s}`"), help)
                            }
                            QtyError::NoNumber => (
                                format!("`{s}` is not a number with a unit"),
                                format!("write {}", expected(f)),
                            ),
                        };
                        return Err(self.ctx.fail(
                            "bad-quantity",
                            format!("{msg} (in `{}`)", display_path(f)),
                            Some(help),
                        ));
                    }
                };
                let want = if f.ty == FactType::Duration {
                    Some(Dim::Time)
                } else {
                    f.dim
                };
                if let Some(d) = want {
                    if q.dim() != d {
                        return Err(self.ctx.fail(
                            "unit-mismatch",
                            format!("`{}` should be {}, found `{q}`", self.name, expected(f)),
                            Some(format!("`{}` is counted in {}", q.unit.name(), q.dim().name())),
                        ));
                    }
                }
                Ok(Value::Qty(q))
            }
            FactType::Symbol => Ok(Value::Sym(Self::symbol(self.ctx, f, &self.name, s)?)),
            FactType::Treatment => {
                let t = resolve_treatment(self.ctx, s)?;
                Ok(Value::Sym(self.ctx.p.catalog.treatment(t).sym))
            }
            FactType::Percent if s.trim().ends_with('%') => {
                match s.trim().trim_end_matches('%').trim().parse::<f64>() {
                    Ok(n) => self.number(n, n.fract() == 0.0),
                    Err(_) => Err(self.wrong(&format!("the text \"{s}\""))),
                }
            }
            _ => Err(self.wrong(&format!("the text \"{s}\""))),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.fact.ty != FactType::SymbolList {
            return Err(self.wrong("a list"));
        }
        let mut out = Vec::new();
        while let Some(s) = seq.next_element_seed(SymSeed {
            ctx: &mut *self.ctx,
            fact: self.fact,
            name: &self.name,
        })? {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(Value::List(out.into_boxed_slice()))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Value, A::Error> {
        Err(self.wrong("a mapping"))
    }
}

/// One symbol of a list.
struct SymSeed<'c, 'p, 'f> {
    ctx: &'c mut Ctx<'p>,
    fact: &'f Fact,
    name: &'f dyn fmt::Display,
}

impl<'de> DeserializeSeed<'de> for SymSeed<'_, '_, '_> {
    type Value = Sym;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Sym, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SymSeed<'_, '_, '_> {
    type Value = Sym;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a snake_case word")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Sym, E> {
        ValueSeed::symbol(self.ctx, self.fact, self.name, s)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Sym, E> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("a list of `{}` holds words, found `{b}`", self.name),
            None,
        ))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Sym, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Sym, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Sym, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("a list of `{}` holds words, found a mapping", self.name),
            None,
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<Sym, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!(
                "a list of `{}` holds words, found a nested list",
                display_path(self.fact)
            ),
            None,
        ))
    }
}

// ---------------------------------------------------------------------------
// groups of facts

/// What a mapping is, for messages ("`exam`", "a request",
/// "`history.massage_therapy`"): written out only when a message needs it.
#[derive(Clone, Copy)]
enum Within<'a> {
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

impl<'a> From<&'a str> for Within<'a> {
    fn from(s: &'a str) -> Within<'a> {
        Within::Text(s)
    }
}

/// A mapping whose keys follow a node of the schema's key tree.
struct GroupSeed<'c, 'p, 's, 'w> {
    ctx: &'c mut Ctx<'p>,
    group: &'p Group<'p>,
    slots: &'s mut [Value],
    within: Within<'w>,
    /// The treatment whose history entry this is (`history.TREATMENT`),
    /// when the case file names the record differently from the schema.
    prefix: Option<&'p str>,
}

impl<'de> DeserializeSeed<'de> for GroupSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for GroupSeed<'_, '_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a mapping of facts")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let group = self.group;
        let mut seen = (0, Vec::new());
        let p = self.ctx.p;
        let keys = self.ctx.keys;
        loop {
            let key = map.next_key_seed(GroupKeySeed {
                ctx: &mut *self.ctx,
                group,
                seen: &mut seen,
                within: &self.within,
            })?;
            let Some(key) = key else { break };
            match group.next.get(key.index()).copied() {
                Some(Next::Leaf(id)) => {
                    let fact = p.schema.fact(id);
                    let name = match self.prefix {
                        Some(t) => Name::History(t, fact),
                        None => Name::Fact(fact),
                    };
                    let v = map.next_value_seed(ValueSeed {
                        ctx: &mut *self.ctx,
                        fact,
                        name,
                    })?;
                    if let Some(slot) = self.slots.get_mut(fact.slot as usize) {
                        *slot = v;
                    }
                }
                Some(Next::Group(g)) => {
                    map.next_value_seed(GroupSeed {
                        ctx: &mut *self.ctx,
                        group: &keys.groups[g],
                        slots: &mut *self.slots,
                        within: Within::Nested(&self.within, key.as_str()),
                        prefix: self.prefix,
                    })?;
                }
                Some(Next::Special) | None => {
                    return Err(de::Error::custom("internal: key accepted but not in schema"));
                }
            }
        }
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be a mapping of facts, found the text \"{s}\"", self.within),
            Some(format!("fields here: {}", self.group.names.join(", "))),
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<(), A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be a mapping of facts, found a list", self.within),
            Some(format!("fields here: {}", self.group.names.join(", "))),
        ))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.visit_str(&b.to_string())
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.visit_str(&n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.visit_str(&n.to_string())
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        self.visit_str(&n.to_string())
    }
}

// ---------------------------------------------------------------------------
// small structures: text, lists of text

struct TextSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
    what: &'static str,
}

impl<'de> DeserializeSeed<'de> for TextSeed<'_, '_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextSeed<'_, '_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "text")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<String>, E> {
        Ok(Some(s.to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<String>, E> {
        Ok(Some(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Option<String>, E> {
        Ok(Some(crate::value::fmt_num(n)))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Option<String>, E> {
        Err(self
            .ctx
            .fail("wrong-type", format!("{} should be text, found `{b}`", self.what), None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<Option<String>, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be text, found a list", self.what),
            None,
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Option<String>, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be text, found a mapping", self.what),
            None,
        ))
    }
}

struct TextListSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
    what: &'static str,
}

impl<'de> DeserializeSeed<'de> for TextListSeed<'_, '_> {
    type Value = Vec<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextListSeed<'_, '_> {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of text")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::new();
        while let Some(s) = seq.next_element_seed(TextSeed {
            ctx: &mut *self.ctx,
            what: self.what,
        })? {
            if let Some(s) = s {
                out.push(s);
            }
        }
        Ok(out)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<String>, E> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be a list, found the text \"{s}\"", self.what),
            Some(format!("write it as a list: [\"{s}\"]")),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Vec<String>, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            format!("{} should be a list, found a mapping", self.what),
            None,
        ))
    }
}

// ---------------------------------------------------------------------------
// the case

#[derive(Default)]
struct Partial {
    id: Option<String>,
    facts: Vec<Value>,
    history: Vec<(TreatmentId, Box<[Value]>)>,
    diagnoses: Vec<Diagnosis>,
    requests: Vec<PartialRequest>,
    determination: Option<PartialDetermination>,
}

struct PartialRequest {
    id: String,
    treatment: TreatmentId,
    date: Date,
    depends_on: Option<String>,
    facts: Box<[Value]>,
}

#[derive(Default)]
struct PartialDetermination {
    date: Option<Date>,
    reviewer: Option<Reviewer>,
    decisions: Vec<PartialDecision>,
}

struct PartialDecision {
    request: String,
    outcome: Recorded,
    cites: Vec<String>,
    because: Option<ExpectedCriterion>,
}

struct CaseSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for CaseSeed<'_, '_> {
    type Value = Case;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Case, D::Error> {
        d.deserialize_any(self)
    }
}

const TOP_SPECIAL: &[&str] = &["case", "diagnoses", "history", "requests", "determination"];

impl<'de> Visitor<'de> for CaseSeed<'_, '_> {
    type Value = Case;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a case: a mapping with `case`, `requests` and facts")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Case, A::Error> {
        let p = self.ctx.p;
        let keys = self.ctx.keys;
        let mut seen = (0, Vec::new());
        let mut part = Partial {
            facts: vec![Value::Absent; p.schema.slots(Scope::Case)],
            ..Partial::default()
        };
        loop {
            let key = map.next_key_seed(GroupKeySeed {
                ctx: &mut *self.ctx,
                group: &keys.case,
                seen: &mut seen,
                within: "the case",
            })?;
            let Some(key) = key else { break };
            match key.as_str() {
                "case" => {
                    part.id = map.next_value_seed(TextSeed {
                        ctx: &mut *self.ctx,
                        what: "`case` (the case id)",
                    })?
                }
                "diagnoses" => part.diagnoses = map.next_value_seed(DiagnosesSeed { ctx: &mut *self.ctx })?,
                "history" => part.history = map.next_value_seed(HistorySeed { ctx: &mut *self.ctx })?,
                "requests" => part.requests = map.next_value_seed(RequestsSeed { ctx: &mut *self.ctx })?,
                "determination" => {
                    part.determination = Some(map.next_value_seed(DeterminationSeed { ctx: &mut *self.ctx })?)
                }
                group => match keys.case.next.get(key.index()).copied() {
                    Some(Next::Group(g)) => map.next_value_seed(GroupSeed {
                        ctx: &mut *self.ctx,
                        group: &keys.groups[g],
                        slots: &mut part.facts,
                        within: Within::Group(group),
                        prefix: None,
                    })?,
                    Some(Next::Leaf(id)) => {
                        let fact = p.schema.fact(id);
                        let v = map.next_value_seed(ValueSeed {
                            ctx: &mut *self.ctx,
                            fact,
                            name: Name::Fact(fact),
                        })?;
                        part.facts[fact.slot as usize] = v;
                    }
                    Some(Next::Special) | None => {
                        return Err(de::Error::custom("internal: key accepted but not in schema"));
                    }
                },
            }
        }
        finish(self.ctx, part)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Case, E> {
        Err(self.ctx.fail("empty-file", "the case file is empty".into(), None))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Case, E> {
        let shown: String = s.chars().take(40).collect();
        Err(self.ctx.fail(
            "not-a-case",
            format!("a case file is a mapping of fields, found the text \"{shown}\""),
            Some("start with `case: ID` on its own line".into()),
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<Case, A::Error> {
        Err(self.ctx.fail(
            "not-a-case",
            "a case file is a mapping of fields, found a list".into(),
            Some("one case per file; start with `case: ID`".into()),
        ))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Case, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Case, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Case, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Case, E> {
        self.visit_str(&b.to_string())
    }
}

/// Cross-checks that need the whole case: ids, references, cycles.
fn finish<E: de::Error>(ctx: &mut Ctx<'_>, part: Partial) -> Result<Case, E> {
    let Some(id) = part.id else {
        return Err(ctx.fail(
            "missing-field",
            "the case has no `case` id".into(),
            Some("add `case: SOME-ID` at the top".into()),
        ));
    };
    if part.requests.is_empty() {
        return Err(ctx.fail(
            "missing-field",
            format!("case `{id}` has no requests"),
            Some("add `requests:` with at least one request (id, treatment, date)".into()),
        ));
    }
    let index: HashMap<&str, usize> = part
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut requests = Vec::with_capacity(part.requests.len());
    for r in &part.requests {
        let depends_on = match &r.depends_on {
            None => None,
            Some(d) => match index.get(d.as_str()) {
                Some(&i) => Some(i),
                None => {
                    return Err(ctx.fail_near(
                        "depends_on",
                        d,
                        "unknown-request",
                        format!(
                            "request `{}` depends on `{d}`, which is not a request in this case",
                            r.id
                        ),
                        did_you_mean(d, index.keys().copied()).map(|s| format!("did you mean `{s}`?")),
                    ));
                }
            },
        };
        requests.push(Request {
            id: r.id.clone(),
            treatment: r.treatment,
            date: r.date,
            depends_on,
            // Moved in below, once `index` no longer borrows the requests.
            facts: Box::default(),
        });
    }
    // A request may not depend on itself, directly or through others.
    for start in 0..requests.len() {
        let mut at = start;
        for _ in 0..=requests.len() {
            match requests[at].depends_on {
                Some(next) if next == start => {
                    let on = requests[at]
                        .depends_on
                        .map(|n| requests[n].id.clone())
                        .unwrap_or_default();
                    return Err(ctx.fail_near(
                        "depends_on",
                        &on,
                        "dependency-cycle",
                        format!(
                            "request `{}` depends on itself through `depends_on`",
                            requests[start].id
                        ),
                        Some("a request falls with the one it depends on; the chain must end".into()),
                    ));
                }
                Some(next) => at = next,
                None => break,
            }
        }
    }
    let determination = match part.determination {
        None => None,
        Some(d) => {
            let mut decisions: Vec<RecordedDecision> = Vec::new();
            for PartialDecision {
                request: req,
                outcome,
                cites,
                because,
            } in d.decisions
            {
                let Some(&i) = index.get(req.as_str()) else {
                    return Err(ctx.fail_near(
                        "request",
                        &req,
                        "unknown-request",
                        format!("the determination decides `{req}`, which is not a request in this case"),
                        did_you_mean(&req, index.keys().copied()).map(|s| format!("did you mean `{s}`?")),
                    ));
                };
                if decisions.iter().any(|x| x.request == i) {
                    return Err(ctx.fail_near(
                        "request",
                        &req,
                        "duplicate-decision",
                        format!("the determination decides `{req}` twice"),
                        Some("keep one decision per request".into()),
                    ));
                }
                if let Some(b) = &because {
                    check_because_applies(ctx, b, requests[i].treatment)?;
                }
                decisions.push(RecordedDecision {
                    request: i,
                    outcome,
                    cites,
                    because,
                });
            }
            Some(Determination {
                date: d.date,
                reviewer: d.reviewer,
                decisions,
            })
        }
    };
    for (r, from) in requests.iter_mut().zip(part.requests) {
        r.facts = from.facts;
    }
    let mut facts = part.facts;
    if let Some(slot) = ctx.p.schema.builtin.diagnosis_tags {
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
    if let Some(slot) = ctx.p.schema.builtin.requested_treatments {
        let mut asked: Vec<Sym> = Vec::new();
        for r in &requests {
            let sym = ctx.p.catalog.treatment(r.treatment).sym;
            if !asked.contains(&sym) {
                asked.push(sym);
            }
        }
        facts[slot as usize] = Value::List(asked.into_boxed_slice());
    }
    let mut history = part.history;
    history.sort_by_key(|(t, _)| *t);
    // An entry under `history` records a treatment that was given, unless
    // it says `received: false`.
    if let Some(s) = ctx.p.schema.builtin.history_received {
        for (_, entry) in &mut history {
            if let Some(v @ Value::Absent) = entry.get_mut(s as usize) {
                *v = Value::Bool(true);
            }
        }
    }
    Ok(Case {
        id,
        facts: facts.into_boxed_slice(),
        history,
        diagnoses: part.diagnoses,
        requests,
        determination,
        local_symbols: std::mem::take(&mut ctx.local),
        no_history: ctx.p.schema.no_history.clone(),
    })
}

struct DiagnosesSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for DiagnosesSeed<'_, '_> {
    type Value = Vec<Diagnosis>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Diagnosis>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DiagnosesSeed<'_, '_> {
    type Value = Vec<Diagnosis>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of diagnoses")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<Diagnosis>, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Diagnosis>, A::Error> {
        let mut out = Vec::new();
        while let Some(d) = seq.next_element_seed(DiagnosisSeed { ctx: &mut *self.ctx })? {
            out.push(d);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Vec<Diagnosis>, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`diagnoses` should be a list, found a mapping".into(),
            Some("write each diagnosis as a list item: - text: ...\\n    tags: [...]".into()),
        ))
    }
    fn visit_str<E: de::Error>(self, _s: &str) -> Result<Vec<Diagnosis>, E> {
        Err(self
            .ctx
            .fail("wrong-type", "`diagnoses` should be a list, found text".into(), None))
    }
}

struct DiagnosisSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for DiagnosisSeed<'_, '_> {
    type Value = Diagnosis;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Diagnosis, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DiagnosisSeed<'_, '_> {
    type Value = Diagnosis;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a diagnosis")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Diagnosis, E> {
        Ok(Diagnosis {
            text: Some(s.to_string()),
            code: None,
            tags: Vec::new(),
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Diagnosis, A::Error> {
        let allowed = ["text", "tags", "code"];
        let mut seen = Vec::new();
        let mut d = Diagnosis {
            text: None,
            code: None,
            tags: Vec::new(),
        };
        loop {
            let key = map.next_key_seed(KeySeed {
                ctx: &mut *self.ctx,
                allowed: &allowed,
                seen: &mut seen,
                within: "a diagnosis",
            })?;
            let Some(key) = key else { break };
            match key.as_str() {
                "text" => {
                    d.text = map.next_value_seed(TextSeed {
                        ctx: &mut *self.ctx,
                        what: "a diagnosis text",
                    })?
                }
                "code" => {
                    d.code = map.next_value_seed(TextSeed {
                        ctx: &mut *self.ctx,
                        what: "a diagnosis code",
                    })?
                }
                _ => {
                    let tags_fact = self.ctx.keys.diagnosis_tags;
                    let v = match tags_fact {
                        Some(f) => map.next_value_seed(ValueSeed {
                            ctx: &mut *self.ctx,
                            fact: f,
                            name: "diagnoses[].tags".into(),
                        })?,
                        None => return Err(de::Error::custom("internal: diagnoses.tags is not declared")),
                    };
                    if let Value::List(tags) = v {
                        d.tags = tags.into_vec();
                    }
                }
            }
        }
        Ok(d)
    }
}

struct HistorySeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for HistorySeed<'_, '_> {
    type Value = Vec<(TreatmentId, Box<[Value]>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for HistorySeed<'_, '_> {
    type Value = Vec<(TreatmentId, Box<[Value]>)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a mapping from treatments to what is known of them")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let p = self.ctx.p;
        let history_group = &self.ctx.keys.groups[self.ctx.keys.history];
        let mut seen = Vec::new();
        let mut out = Vec::new();
        while let Some(t) = map.next_key_seed(TreatmentKeySeed {
            ctx: &mut *self.ctx,
            seen: &mut seen,
        })? {
            let mut slots = vec![Value::Absent; p.schema.slots(Scope::History)];
            map.next_value_seed(GroupSeed {
                ctx: &mut *self.ctx,
                group: history_group,
                slots: &mut slots,
                within: Within::History(&p.catalog.treatment(t).name),
                prefix: Some(&p.catalog.treatment(t).name),
            })?;
            out.push((t, slots.into_boxed_slice()));
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<Self::Value, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`history` should be a mapping from treatments, found a list".into(),
            Some("write e.g. history:\\n  massage_therapy: { received: true }".into()),
        ))
    }
}

struct RequestsSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for RequestsSeed<'_, '_> {
    type Value = Vec<PartialRequest>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RequestsSeed<'_, '_> {
    type Value = Vec<PartialRequest>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of requests")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(r) = seq.next_element_seed(RequestSeed { ctx: &mut *self.ctx })? {
            self.ctx.request_ids.push(r.id.clone());
            out.push(r);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Self::Value, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`requests` should be a list, found a mapping".into(),
            Some("start each request with `- id: ...`".into()),
        ))
    }
}

struct RequestSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_, '_> {
    type Value = PartialRequest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<PartialRequest, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_, '_> {
    type Value = PartialRequest;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a request (id, treatment, date, ...)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartialRequest, A::Error> {
        let p = self.ctx.p;
        let keys = self.ctx.keys;
        let b = p.schema.builtin;
        let mut slots = vec![Value::Absent; p.schema.slots(Scope::Request)];
        GroupSeed {
            ctx: &mut *self.ctx,
            group: &keys.groups[keys.request],
            slots: &mut slots,
            within: "a request".into(),
            prefix: None,
        }
        .visit_map(&mut map)?;
        let text = |v: &Value| match v {
            Value::Text(t) => Some(t.to_string()),
            _ => None,
        };
        let Some(id) = text(&slots[b.request_id as usize]) else {
            return Err(self.ctx.fail(
                "missing-field",
                "a request has no `id`".into(),
                Some("give each request an id, unique in the case: `- id: massage`".into()),
            ));
        };
        if self.ctx.request_ids.contains(&id) {
            return Err(self.ctx.fail(
                "duplicate-request",
                format!("two requests have the id `{id}`"),
                Some("request ids must be unique within a case".into()),
            ));
        }
        let treatment = match &slots[b.request_treatment as usize] {
            Value::Sym(s) => p.catalog.by_sym.get(s).copied(),
            _ => None,
        };
        let Some(treatment) = treatment else {
            return Err(self.ctx.fail(
                "missing-field",
                format!("request `{id}` does not name its `treatment`"),
                Some("add `treatment:` with a canonical name such as `massage_therapy` or a brand name such as `Flexeril`".into()),
            ));
        };
        let Value::Date(date) = slots[b.request_date as usize] else {
            return Err(self.ctx.fail(
                "missing-field",
                format!("request `{id}` has no `date`"),
                Some("the request date selects the guideline in force: add `date: YYYY-MM-DD`".into()),
            ));
        };
        let depends_on = b.request_depends_on.and_then(|s| text(&slots[s as usize]));
        Ok(PartialRequest {
            id,
            treatment,
            date,
            depends_on,
            facts: slots.into_boxed_slice(),
        })
    }
}

struct DeterminationSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for DeterminationSeed<'_, '_> {
    type Value = PartialDetermination;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DeterminationSeed<'_, '_> {
    type Value = PartialDetermination;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a determination (date, reviewer, decisions)")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(PartialDetermination::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let allowed = ["date", "reviewer", "decisions"];
        let mut seen = Vec::new();
        let mut out = PartialDetermination::default();
        loop {
            let key = map.next_key_seed(KeySeed {
                ctx: &mut *self.ctx,
                allowed: &allowed,
                seen: &mut seen,
                within: "`determination`",
            })?;
            let Some(key) = key else { break };
            match key.as_str() {
                "date" => {
                    let f = date_fact();
                    let seed = ValueSeed {
                        ctx: &mut *self.ctx,
                        fact: &f,
                        name: "determination.date".into(),
                    };
                    if let Value::Date(d) = map.next_value_seed(seed)? {
                        out.date = Some(d);
                    }
                }
                "reviewer" => out.reviewer = map.next_value_seed(ReviewerSeed { ctx: &mut *self.ctx })?,
                _ => {
                    out.decisions = map.next_value_seed(DecisionsSeed { ctx: &mut *self.ctx })?;
                }
            }
        }
        Ok(out)
    }
}

fn date_fact() -> Fact {
    Fact {
        path: "determination.date".into(),
        scope: Scope::Case,
        key: vec!["date".into()],
        slot: 0,
        ty: FactType::Date,
        dim: None,
        allowed: None,
        range: None,
        description: "date of the letter".into(),
        derived: false,
        span: crate::diag::Span::new(crate::diag::FileId(0), 0, 0),
    }
}

struct ReviewerSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for ReviewerSeed<'_, '_> {
    type Value = Option<Reviewer>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ReviewerSeed<'_, '_> {
    type Value = Option<Reviewer>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a reviewer (specialty, licensure)")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let allowed = ["specialty", "licensure"];
        let mut seen = Vec::new();
        let mut r = Reviewer::default();
        loop {
            let key = map.next_key_seed(KeySeed {
                ctx: &mut *self.ctx,
                allowed: &allowed,
                seen: &mut seen,
                within: "`reviewer`",
            })?;
            let Some(key) = key else { break };
            if key == "specialty" {
                r.specialty = map.next_value_seed(TextSeed {
                    ctx: &mut *self.ctx,
                    what: "`reviewer.specialty`",
                })?;
            } else {
                r.licensure = map.next_value_seed(TextListSeed {
                    ctx: &mut *self.ctx,
                    what: "`reviewer.licensure`",
                })?;
            }
        }
        Ok(Some(r))
    }
}

struct DecisionsSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for DecisionsSeed<'_, '_> {
    type Value = Vec<PartialDecision>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DecisionsSeed<'_, '_> {
    type Value = Vec<PartialDecision>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of decisions")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(d) = seq.next_element_seed(DecisionSeed { ctx: &mut *self.ctx })? {
            out.push(d);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Self::Value, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`decisions` should be a list, found a mapping".into(),
            Some("start each decision with `- request: ID`".into()),
        ))
    }
}

struct DecisionSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for DecisionSeed<'_, '_> {
    type Value = PartialDecision;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

struct OutcomeSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for OutcomeSeed<'_, '_> {
    type Value = Recorded;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Recorded, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OutcomeSeed<'_, '_> {
    type Value = Recorded;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upheld or overturned")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Recorded, E> {
        match s {
            _ if s.eq_ignore_ascii_case("upheld") => Ok(Recorded::Upheld),
            _ if s.eq_ignore_ascii_case("overturned") => Ok(Recorded::Overturned),
            _ => Err(self.ctx.fail(
                "unknown-value",
                format!("a decision's outcome is `upheld` or `overturned`, found `{s}`"),
                Some("upheld: the denial stands (not medically necessary); overturned: medically necessary".into()),
            )),
        }
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Recorded, E> {
        self.visit_str(&b.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Recorded, E> {
        self.visit_str("null")
    }
}

impl<'de> Visitor<'de> for DecisionSeed<'_, '_> {
    type Value = PartialDecision;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a decision (request, outcome, because, cites)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let allowed = ["request", "outcome", "because", "cites"];
        let mut seen = Vec::new();
        let mut request = None;
        let mut outcome = None;
        let mut because = None;
        let mut cites = Vec::new();
        loop {
            let key = map.next_key_seed(KeySeed {
                ctx: &mut *self.ctx,
                allowed: &allowed,
                seen: &mut seen,
                within: "a decision",
            })?;
            let Some(key) = key else { break };
            match key.as_str() {
                "request" => {
                    let r = map.next_value_seed(TextSeed {
                        ctx: &mut *self.ctx,
                        what: "a decision's `request`",
                    })?;
                    // When the requests came first, check the reference here,
                    // where the deserializer knows the line.
                    if let Some(r) = &r {
                        if !self.ctx.request_ids.is_empty() && !self.ctx.request_ids.contains(r) {
                            let ids = self.ctx.request_ids.clone();
                            return Err(self.ctx.fail(
                                "unknown-request",
                                format!("the determination decides `{r}`, which is not a request in this case"),
                                did_you_mean(r, ids.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?")),
                            ));
                        }
                    }
                    request = r;
                }
                "outcome" => outcome = Some(map.next_value_seed(OutcomeSeed { ctx: &mut *self.ctx })?),
                "because" => because = map.next_value_seed(BecauseSeed { ctx: &mut *self.ctx })?,
                _ => {
                    cites = map.next_value_seed(TextListSeed {
                        ctx: &mut *self.ctx,
                        what: "`cites`",
                    })?
                }
            }
        }
        let Some(request) = request else {
            return Err(self
                .ctx
                .fail("missing-field", "a decision does not name its `request`".into(), None));
        };
        let Some(outcome) = outcome else {
            return Err(self.ctx.fail(
                "missing-field",
                format!("the decision on `{request}` has no `outcome`"),
                Some("add `outcome: upheld` or `outcome: overturned`".into()),
            ));
        };
        if let (Recorded::Overturned, Some(b)) = (outcome, &because) {
            return Err(self.ctx.fail_near(
                "because",
                &b.written,
                "because-overturned",
                format!("the decision on `{request}` is overturned, so no criterion decides it against the request"),
                Some("`because` names the criterion that upholds a denial; remove it here".into()),
            ));
        }
        Ok(PartialDecision {
            request,
            outcome,
            cites,
            because,
        })
    }
}

/// `because: CRITERION` or `because: RULE.CRITERION`, checked against the
/// rules where it is written.
struct BecauseSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
}

impl<'de> DeserializeSeed<'de> for BecauseSeed<'_, '_> {
    type Value = Option<ExpectedCriterion>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BecauseSeed<'_, '_> {
    type Value = Option<ExpectedCriterion>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a criterion name, as `criterion` or `rule.criterion`")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        let p = self.ctx.p;
        let (rule, criterion) = match s.split_once('.') {
            Some((r, c)) => (Some(r), c),
            None => (None, s),
        };
        let rule = match rule {
            None => None,
            Some(r) => match p.rule_named(r) {
                Some(id) => Some(id),
                None => {
                    let names = p.rules.iter().map(|x| x.name.as_str());
                    let help = did_you_mean(r, names).map(|x| format!("did you mean `{x}.{criterion}`?"));
                    return Err(self
                        .ctx
                        .fail("unknown-criterion", format!("`because`: no rule is named `{r}`"), help));
                }
            },
        };
        let candidates: Vec<&str> = match rule {
            Some(id) => p.rule(id).criteria.iter().map(|c| c.name.as_str()).collect(),
            None => p
                .rules
                .iter()
                .flat_map(|r| r.criteria.iter().map(|c| c.name.as_str()))
                .collect(),
        };
        if !candidates.contains(&criterion) {
            let message = match rule {
                Some(id) => format!("`because`: rule `{}` has no criterion `{criterion}`", p.rule(id).name),
                None => format!("`because`: no rule has a criterion `{criterion}`"),
            };
            let help = match did_you_mean(criterion, candidates.iter().copied()) {
                Some(x) => format!("did you mean `{x}`?"),
                None => "write the name of a criterion, as `criterion` or `rule.criterion`".into(),
            };
            return Err(self.ctx.fail("unknown-criterion", message, Some(help)));
        }
        Ok(Some(ExpectedCriterion {
            written: s.to_string(),
            rule,
            criterion: criterion.to_string(),
        }))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        self.visit_str(&b.to_string())
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        self.visit_str(&n.to_string())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _s: A) -> Result<Self::Value, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`because` names one criterion, found a list".into(),
            Some("the deciding criterion is the first not met (else the first not documented): name that one".into()),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, _m: A) -> Result<Self::Value, A::Error> {
        Err(self.ctx.fail(
            "wrong-type",
            "`because` names one criterion, found a mapping".into(),
            Some("write `because: criterion` or `because: rule.criterion`".into()),
        ))
    }
}

/// The criterion named in `because` must belong to a rule that applies to
/// the request's treatment, or it could never decide it.
fn check_because_applies<E: de::Error>(ctx: &mut Ctx<'_>, b: &ExpectedCriterion, t: TreatmentId) -> Result<(), E> {
    let p = ctx.p;
    let applying: Vec<(RuleId, &crate::check::Rule)> = p
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (RuleId(i as u32), r))
        .filter(|(_, r)| p.applies(r, t))
        .collect();
    let found = applying
        .iter()
        .any(|(id, r)| r.criteria.iter().any(|c| b.matches(*id, &c.name)));
    if found {
        return Ok(());
    }
    let treatment = &p.catalog.treatment(t).name;
    let criteria = applying
        .iter()
        .flat_map(|(_, r)| r.criteria.iter().map(|c| c.name.as_str()));
    let rules: Vec<String> = applying.iter().map(|(_, r)| format!("`{}`", r.name)).collect();
    let help = match did_you_mean(&b.criterion, criteria) {
        Some(s) => format!("did you mean `{s}`?"),
        None if rules.is_empty() => format!("no rule applies to `{treatment}`"),
        None => format!(
            "the rules that decide it: {}; name one of their criteria",
            rules.join(", ")
        ),
    };
    Err(ctx.fail_near(
        "because",
        &b.written,
        "unknown-criterion",
        format!(
            "`because: {}`: no rule that applies to `{treatment}` has this criterion",
            b.written
        ),
        Some(help),
    ))
}
