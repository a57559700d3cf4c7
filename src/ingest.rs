//! Letters to case files: a final determination letter as `mtus-letters`
//! reads it, each disputed item's line read by the request-line reader
//! against the rules' catalog, written as a case file a person completes.
//!
//! What the letter states is written (claimant, injury date, the items as
//! requests, the determination with its reviewer); what a person must
//! weigh is not: the clinical facts are left as a comment naming the
//! summary's lines. The case file written is loaded back with the rules
//! before it is returned, and a request value that does not load is
//! written as a comment instead, so the file always reads.
//!
//! Invariant: it never invents a value; a field the letter or the line
//! does not give is absent, and an unreadable decision is no decision.

use std::fmt::Write as _;

use mtus_engine::RuleSet;
use mtus_engine::check::ClassId;
use mtus_letters::{Decision, Item, Letter, Row};
use mtus_request::{Reading, Resolution, StrengthUnit};

use crate::request::{count_unit, unit_name};

/// One item of a letter with its line read.
pub struct ReadItem<'a> {
    pub item: &'a Item,
    pub reading: Reading,
    /// The canonical treatment, when the line names one.
    pub treatment: Option<String>,
}

/// Reads every item's line of a letter.
pub fn read_items<'a>(rules: &RuleSet, letter: &'a Letter) -> Vec<ReadItem<'a>> {
    letter
        .items
        .iter()
        .map(|item| {
            let reading = crate::request::read(rules, &item.text.value);
            let treatment = match reading.treatment.as_ref().map(|t| &t.resolution) {
                Some(Resolution::Known { id }) => Some(id.clone()),
                _ => None,
            };
            ReadItem {
                item,
                reading,
                treatment,
            }
        })
        .collect()
}

/// The analysts' rows of a letter, each with the treatment its line names.
pub fn rows(letter: &Letter, file: &str, items: &[ReadItem]) -> Vec<Row> {
    let mut rows = letter.rows(file);
    for (row, i) in rows.iter_mut().zip(items) {
        row.treatment = i.treatment.clone();
    }
    rows
}

/// A case file written from a letter: the YAML text, and what a person
/// must still do (each a sentence).
pub struct CaseFile {
    pub name: String,
    pub text: String,
    pub notes: Vec<String>,
}

/// Writes the case file of a letter read from `file`.
pub fn case_file(rules: &RuleSet, file: &str, letter: &Letter, items: &[ReadItem]) -> CaseFile {
    case_file_with(rules, file, letter, items, None)
}

/// [`case_file`], with the facts proposed from the summary written as
/// facts or as comments. A proposal that does not load with the rules is
/// never written as a fact: the file falls back to comments.
pub fn case_file_with(
    rules: &RuleSet,
    file: &str,
    letter: &Letter,
    items: &[ReadItem],
    proposed: Option<(&LetterProposals, ProposalMode)>,
) -> CaseFile {
    let name = letter
        .case_number
        .as_ref()
        .map(|c| c.value.clone())
        .unwrap_or_else(|| stem(file));
    let mut tries: Vec<(bool, Option<ProposalMode>)> = vec![(true, proposed.map(|p| p.1))];
    if proposed.is_some_and(|p| p.1 == ProposalMode::Facts) {
        tries.push((true, Some(ProposalMode::Comments)));
    }
    tries.push((false, proposed.map(|_| ProposalMode::Comments)));
    let mut first_error: Option<String> = None;
    for (k, (full, mode)) in tries.iter().enumerate() {
        let props = proposed.zip(*mode).map(|(p, m)| (p.0, m));
        let (text, mut notes) = write(rules, file, &name, letter, items, *full, props);
        match mtus_engine::facts::load_yaml(&rules.program, &format!("{name}.yaml"), &text) {
            Ok(_) => {
                if let (Some(e), Some((_, ProposalMode::Facts))) = (&first_error, proposed) {
                    notes.push(format!(
                        "the proposed facts did not load with the rules ({e}); they are written as comments"
                    ));
                }
                return CaseFile { name, text, notes };
            }
            Err(e) => {
                let first = e.diagnostics.first().map(|d| d.message.clone()).unwrap_or_default();
                if k + 1 == tries.len() {
                    notes.push(format!("the case file does not load yet: {first}"));
                    return CaseFile { name, text, notes };
                }
                first_error.get_or_insert(first);
            }
        }
    }
    CaseFile {
        name,
        text: String::new(),
        notes: vec!["the case file could not be written".into()],
    }
}

fn stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "letter".into())
}

/// Ids for the requests: the treatment's name, or `item_N`, unique.
fn ids(items: &[ReadItem]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, i) in items.iter().enumerate() {
        let base = i.treatment.clone().unwrap_or_else(|| format!("item_{}", n + 1));
        let mut id = base.clone();
        let mut k = 2;
        while out.contains(&id) {
            id = format!("{base}_{k}");
            k += 1;
        }
        out.push(id);
    }
    out
}

/// A YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A comment's text on one line, with nothing that ends the comment.
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The request fields the line gives beyond its treatment, as `key:
/// value` texts.
fn request_fields(rules: &RuleSet, treatment: Option<&str>, r: &Reading) -> Vec<String> {
    let mut f = Vec::new();
    if let Some(q) = &r.quantity {
        let amount = q.with_refills.unwrap_or(q.amount);
        // A bare count of a drug given in mg or mcg counts its doses:
        // tablets or capsules, the same to the rules.
        let doses = r
            .strength
            .iter()
            .any(|c| matches!(c.unit, Some(StrengthUnit::Mg | StrengthUnit::Mcg)));
        let unit = match q.unit {
            Some(u) => unit_name(u),
            None => count_unit(rules, treatment).or(doses.then_some("tablet")),
        };
        if let (false, Some(u)) = (amount.is_range(), unit) {
            f.push(format!("quantity: {} {u}", number(amount.lo)));
        }
    }
    if let [c] = &r.strength[..] {
        let unit = match c.unit {
            Some(StrengthUnit::Mg) => Some("mg"),
            Some(StrengthUnit::Mcg) => Some("mcg"),
            Some(StrengthUnit::G) => Some("g"),
            Some(StrengthUnit::Percent) => Some("percent"),
            Some(StrengthUnit::McgPerHr) => Some("mcg_per_hour"),
            _ => None,
        };
        if let Some(u) = unit {
            f.push(format!("strength: {} {u}", number(c.amount)));
        }
    }
    if let Some(p) = &r.per_week {
        if !p.value.is_range() {
            f.push(format!("per_week: {}", number(p.value.lo)));
        }
    }
    if let Some(d) = &r.duration {
        if let (false, Some(u)) = (d.value.amount.is_range(), unit_name(d.value.unit)) {
            f.push(format!("duration: {} {u}", number(d.value.amount.lo)));
        }
    }
    let regions: Vec<&str> = r.regions.iter().filter_map(|g| g.name.as_deref()).collect();
    if !regions.is_empty() {
        f.push(format!("body_region: [{}]", regions.join(", ")));
    }
    f
}

fn is_surgery(rules: &RuleSet, treatment: Option<&str>) -> bool {
    let c = &rules.program.catalog;
    let Some(t) = treatment.and_then(|t| c.treatment_named(t)) else {
        return false;
    };
    let surgical: Option<ClassId> = c.class_named("surgical");
    surgical.is_some_and(|s| c.treatment(t).classes.contains(&s))
}

fn write(
    rules: &RuleSet,
    file: &str,
    name: &str,
    letter: &Letter,
    items: &[ReadItem],
    full: bool,
    proposed: Option<(&LetterProposals, ProposalMode)>,
) -> (String, Vec<String>) {
    let mut o = String::new();
    let mut notes = Vec::new();
    let date = |v: &Option<mtus_letters::Located<String>>| v.as_ref().map(|d| (d.value.clone(), d.place));
    let _ = writeln!(o, "# Read from {} by `mtus ingest`.", comment(file));
    match (letter.summary.first(), letter.summary.last()) {
        (Some(a), Some(b)) => {
            let _ = writeln!(
                o,
                "# The clinical facts are for a person to encode from the clinical case summary,\n# {} to {} of the letter, each with a `# pN lM` comment naming its line.",
                pl(a.place),
                pl(b.place)
            );
            notes.push(format!(
                "encode the clinical facts from the summary ({} to {})",
                pl(a.place),
                pl(b.place)
            ));
        }
        _ => {
            let _ = writeln!(o, "# The letter's clinical case summary could not be found.");
            notes.push("the clinical case summary could not be found".into());
        }
    }
    let _ = writeln!(o, "case: {}", quoted(name));
    let mut claimant = Vec::new();
    if let Some(a) = &letter.age {
        claimant.push(format!("age: {}", a.value));
    }
    if let Some(s) = &letter.sex {
        claimant.push(format!("sex: {}", s.value.as_str()));
    }
    if !claimant.is_empty() {
        let place = letter
            .age
            .as_ref()
            .map(|a| a.place)
            .or(letter.sex.as_ref().map(|s| s.place));
        let _ = write!(o, "claimant: {{ {} }}", claimant.join(", "));
        if let Some(p) = place {
            let _ = write!(o, "  # {}", pl(p));
        }
        o.push('\n');
    }
    if let Some((d, p)) = date(&letter.injury_date) {
        let _ = writeln!(o, "injury: {{ date: {d} }}  # {}", pl(p));
    }
    if let Some((props, mode)) = proposed {
        write_proposals(&mut o, props, mode);
    }
    // The request's own date is in the summary (the RFA); the header's
    // UR denial date is the nearest the header gives.
    let request_date = date(&letter.ur_denial_date)
        .map(|(d, p)| (d, format!("UR denial date, {}", pl(p))))
        .or_else(|| date(&letter.date_assigned).map(|(d, p)| (d, format!("date assigned, {}", pl(p)))));
    let ids = ids(items);
    let surgery = items
        .iter()
        .position(|i| is_surgery(rules, i.treatment.as_deref()))
        .map(|k| ids[k].clone());
    let _ = writeln!(o, "requests:");
    for (k, i) in items.iter().enumerate() {
        let _ = writeln!(
            o,
            "  - id: {}  # item {}, {}",
            ids[k],
            i.item.number,
            pl(i.item.text.place)
        );
        let _ = writeln!(o, "    text: {}", quoted(&i.item.text.value));
        match &i.treatment {
            Some(t) => {
                let _ = writeln!(o, "    treatment: {t}");
            }
            None => {
                let _ = writeln!(
                    o,
                    "    # treatment: the line names no treatment of the catalog: a person names it"
                );
                notes.push(format!(
                    "name the treatment of item {} ({})",
                    i.item.number,
                    pl(i.item.text.place)
                ));
            }
        }
        for f in request_fields(rules, i.treatment.as_deref(), &i.reading) {
            if full {
                let _ = writeln!(o, "    {f}");
            } else {
                let _ = writeln!(o, "    # {f}  (read from the line; did not load: check it)");
            }
        }
        let associated = i
            .item
            .text
            .value
            .to_lowercase()
            .starts_with("associated surgical service");
        if let (true, Some(s)) = (associated, &surgery) {
            if *s != ids[k] {
                let _ = writeln!(o, "    depends_on: {s}");
            }
        }
        if i.item.ur_modified {
            let original = i
                .item
                .original_request
                .as_ref()
                .map(|r| comment(&r.value))
                .unwrap_or_default();
            let authorized = i
                .item
                .authorized
                .as_ref()
                .map(|r| comment(&r.value))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "    # UR modified the request: original \"{original}\"; authorized \"{authorized}\""
            );
            notes.push(format!(
                "item {}: utilization review authorized part of the request; count it in the facts",
                i.item.number
            ));
        }
        match &request_date {
            Some((d, why)) => {
                let _ = writeln!(o, "    date: {d}  # {why}; the RFA date in the summary is better");
            }
            None => notes.push(format!("give item {} its request date", i.item.number)),
        }
    }
    let _ = writeln!(o, "determination:");
    if let Some((d, p)) = date(&letter.decision_date) {
        let _ = writeln!(o, "  date: {d}  # {}", pl(p));
    }
    let specialty: Vec<&str> = letter.specialties.iter().map(|s| s.value.as_str()).collect();
    let licensure: Vec<&str> = letter.licensure.iter().map(|l| l.value.code.as_str()).collect();
    if !specialty.is_empty() || !licensure.is_empty() {
        let _ = writeln!(o, "  reviewer:");
        if !specialty.is_empty() {
            let _ = writeln!(o, "    specialty: {}", quoted(&specialty.join("; ")));
        }
        if !licensure.is_empty() {
            let l: Vec<String> = licensure.iter().map(|c| quoted(c)).collect();
            let _ = writeln!(o, "    licensure: [{}]", l.join(", "));
        }
    }
    let _ = writeln!(o, "  decisions:");
    for (k, i) in items.iter().enumerate() {
        let place = pl(i.item.decision.place);
        match i.item.decision.value {
            Decision::Upheld | Decision::Overturned => {
                let cites = cites(i.item);
                let cites = if cites.is_empty() {
                    String::new()
                } else {
                    let c: Vec<String> = cites.iter().map(|c| quoted(c)).collect();
                    format!(", cites: [{}]", c.join(", "))
                };
                let _ = writeln!(
                    o,
                    "    - {{ request: {}, outcome: {}{cites} }}  # {place}",
                    ids[k],
                    i.item.decision.value.as_str()
                );
            }
            Decision::Unreadable => {
                let _ = writeln!(o, "    # {}: the decision could not be read ({place})", ids[k]);
                notes.push(format!(
                    "item {}: the decision could not be read ({place})",
                    i.item.number
                ));
            }
        }
    }
    (o, notes)
}

/// The guidelines the reviewer's citation names, one string each, for the
/// decision's `cites:` (`mtus audit` totals by them): "MTUS Chronic Pain
/// Medical Treatment 2016, Opioids", "ODG"; "did not cite any medical
/// evidence" when it says so; the citation as written when no source
/// could be read from it.
fn cites(item: &Item) -> Vec<String> {
    let Some(c) = &item.reviewer else {
        return Vec::new();
    };
    match c.evidence {
        mtus_letters::Evidence::NoneCited => vec!["did not cite any medical evidence".to_string()],
        mtus_letters::Evidence::Unread => vec![comment(&c.raw)],
        mtus_letters::Evidence::Cited => c
            .refs
            .iter()
            .map(|r| {
                let mut s = if r.mtus {
                    format!("MTUS {}", r.source)
                } else {
                    r.source.clone()
                };
                if let Some(y) = r.year {
                    let _ = write!(s, " {y}");
                }
                if !r.sections.is_empty() {
                    let _ = write!(s, ", {}", r.sections.join(", "));
                }
                comment(&s)
            })
            .collect(),
    }
}

fn pl(p: mtus_letters::Place) -> String {
    format!("p{} l{}", p.page, p.line)
}

/// How proposed facts go into a case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalMode {
    /// Written as facts, each with a comment naming its line and words.
    Facts,
    /// Written as comments only, for a person to turn into facts.
    Comments,
}

/// A letter's proposals from its clinical case summary, as `mtus ingest
/// --facts` uses them.
pub struct LetterProposals {
    /// Every proposal found, established or not, in summary order.
    pub all: Vec<mtus_summary::Proposal>,
    /// Indices into `all` of the facts to write: kept (one per path), and
    /// not a value the letter's header already gives. A person encoding a
    /// summary writes what it states, not only what today's rules read,
    /// so these are all written.
    pub facts: Vec<usize>,
    /// Those of `facts` the rules in force for the letter's items do not
    /// read (listed, and marked in the case file).
    pub unread: Vec<usize>,
    /// For each proposal, the item (number) whose treatment's history it is.
    pub item: Vec<Option<usize>>,
}

impl LetterProposals {
    pub fn fact_proposals(&self) -> impl Iterator<Item = &mtus_summary::Proposal> {
        self.facts.iter().filter_map(|&i| self.all.get(i))
    }
}

/// The case-scope fact paths the rules in force on the request date read
/// for the letter's items (`exam.muscle_spasm`, `history.physical_therapy.visits`).
pub fn paths_read(rules: &RuleSet, letter: &Letter, items: &[ReadItem]) -> Vec<String> {
    use mtus_engine::check::FactRef;
    let p = &rules.program;
    let date = letter
        .ur_denial_date
        .as_ref()
        .or(letter.date_assigned.as_ref())
        .and_then(|d| mtus_engine::value::Date::parse(&d.value));
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for i in items {
        let Some(t) = i.treatment.as_deref().and_then(|t| p.catalog.treatment_named(t)) else {
            continue;
        };
        let tname = p.catalog.treatment(t).name.clone();
        for rule in &p.rules {
            if !p.applies(rule, t) || date.is_some_and(|d| !rule.window.contains(d)) {
                continue;
            }
            for c in &rule.criteria {
                for r in &c.reads {
                    let f = p.schema.fact(r.fact());
                    let key = f.key.join(".");
                    match *r {
                        FactRef::Case(..) => add(key),
                        FactRef::Prior(..) => add(format!("history.{tname}.{key}")),
                        FactRef::History(h, ..) => add(format!("history.{}.{key}", p.catalog.treatment(h).name)),
                        FactRef::Request(..) => {}
                    }
                }
            }
        }
    }
    out
}

/// The letter's proposals, with the facts to write chosen.
pub fn proposals(
    engine: &mtus_summary::Engine,
    rules: &RuleSet,
    letter: &Letter,
    items: &[ReadItem],
) -> LetterProposals {
    let found = engine.propose(&letter.summary);
    let read = paths_read(rules, letter, items);
    let header = |path: &str| path.starts_with("claimant.") || path.starts_with("injury.");
    let (mut facts, mut unread) = (Vec::new(), Vec::new());
    for &k in &found.kept {
        let path = &found.all[k].path;
        if header(path) {
            continue;
        }
        facts.push(k);
        if !read.iter().any(|r| r == path) {
            unread.push(k);
        }
    }
    let item = found
        .all
        .iter()
        .map(|p| {
            items
                .iter()
                .find(|i| {
                    i.treatment
                        .as_deref()
                        .is_some_and(|t| p.path.starts_with(&format!("history.{t}.")))
                })
                .map(|i| i.item.number)
        })
        .collect();
    LetterProposals {
        all: found.all,
        facts,
        unread,
        item,
    }
}

/// The comment naming a proposal's line and words.
pub fn proposal_note(p: &mtus_summary::Proposal) -> String {
    let mut s = format!("proposed, {}: \"{}\"", pl(p.place), comment(&p.words));
    if let Some(t) = &p.trigger {
        let _ = write!(s, " ({} \"{}\")", p.polarity.as_str(), comment(t));
    }
    s
}

/// The proposals as YAML lines: nested facts (`Facts`), or comments a
/// person turns into facts (`Comments`).
fn write_proposals(o: &mut String, props: &LetterProposals, mode: ProposalMode) {
    let facts: Vec<&mtus_summary::Proposal> = props.fact_proposals().collect();
    if facts.is_empty() {
        let _ = writeln!(
            o,
            "# `mtus ingest --facts` proposed no fact the rules read for these items."
        );
        return;
    }
    match mode {
        ProposalMode::Comments => {
            let _ = writeln!(
                o,
                "# Facts proposed from the clinical case summary (`mtus ingest --facts --proposals-only`):\n# uncomment what the summary states, under its section."
            );
            for p in &facts {
                if let Some(v) = &p.value {
                    let _ = writeln!(
                        o,
                        "#   {}: {}  # {}",
                        p.path,
                        mtus_summary::yaml_value(v),
                        proposal_note(p)
                    );
                }
            }
        }
        ProposalMode::Facts => {
            let _ = writeln!(
                o,
                "# Facts proposed from the clinical case summary by `mtus ingest --facts`: each names\n# its line and the words that gave it; a person confirms, corrects or removes it."
            );
            let mut sorted = facts.clone();
            sorted.sort_by(|a, b| a.path.cmp(&b.path));
            let mut last: Vec<&str> = Vec::new();
            for p in sorted {
                let Some(v) = &p.value else { continue };
                let keys: Vec<&str> = p.path.split('.').collect();
                let Some((leaf, groups)) = keys.split_last() else {
                    continue;
                };
                let common = last.iter().zip(groups).take_while(|(a, b)| a == b).count();
                for (depth, g) in groups.iter().enumerate().skip(common) {
                    let _ = writeln!(o, "{}{g}:", "  ".repeat(depth));
                }
                last = groups.to_vec();
                let _ = writeln!(
                    o,
                    "{}{leaf}: {}  # {}",
                    "  ".repeat(groups.len()),
                    mtus_summary::yaml_value(v),
                    proposal_note(p)
                );
            }
        }
    }
}

const BLOCK_START: &str = "# --- proposed from the clinical case summary by `mtus ingest --facts` ---";
const BLOCK_END: &str = "# --- end of the proposals ---";

/// A case file a person wrote, with the proposals for facts it does not
/// state added at its end as comments (a block of its own, replaced when
/// ingest runs again). Nothing the file says is changed: a fact a person
/// wrote is never overwritten by a proposal. Returns the text and how
/// many proposals were added.
pub fn append_proposals(existing: &str, props: &LetterProposals) -> Result<(String, usize), String> {
    let mut kept = String::new();
    let mut inside = false;
    for line in existing.split_inclusive('\n') {
        let t = line.trim_end();
        if t == BLOCK_START {
            inside = true;
        } else if t == BLOCK_END {
            inside = false;
        } else if !inside {
            kept.push_str(line);
        }
    }
    let written = mtus_summary::yaml::parse(&kept).map_err(|e| format!("the case file does not read: {e}"))?;
    let hand = mtus_summary::compare::hand_facts(&written);
    let mut block = String::new();
    let mut added = 0usize;
    for p in props.fact_proposals() {
        let Some(v) = &p.value else { continue };
        if hand.contains_key(&p.path) {
            continue;
        }
        let _ = writeln!(
            block,
            "#   {}: {}  # {}",
            p.path,
            mtus_summary::yaml_value(v),
            proposal_note(p)
        );
        added += 1;
    }
    let mut out = kept;
    if added > 0 {
        if !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{BLOCK_START}");
        out.push_str(&block);
        let _ = writeln!(out, "{BLOCK_END}");
    }
    Ok((out, added))
}
