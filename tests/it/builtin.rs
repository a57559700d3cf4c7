//! The precompiled shipped rules (`crates/engine/src/builtin/rules.postcard`): current
//! with `rules/`, and deciding every shipped case exactly as the parsed
//! rules do.

use crate::common;

use mtus::diag::SourceMap;
use mtus::eval::{self, Machine};
use mtus::formulary::DrugLists;
use mtus::report::{self, authorization};
use mtus::{RuleOriginKind, RuleSet, builtin};

/// Like rust-analyzer's sourcegen tests: the committed blob must be what
/// the current rule files and checker produce. With `MTUS_REGENERATE=1`
/// the file is rewritten (then rebuild, rerun and commit it).
#[test]
fn precompiled_rules_are_current() {
    let fresh = builtin::generate().expect("the shipped rules check");
    if fresh == builtin::BLOB {
        return;
    }
    let path = common::root().join(builtin::PATH);
    if std::env::var_os("MTUS_REGENERATE").is_some() {
        std::fs::write(&path, &fresh).expect("write the precompiled rules");
        panic!(
            "{} was regenerated; rebuild, rerun the tests and commit it",
            builtin::PATH
        );
    }
    panic!(
        "{} is not what rules/ compile to now ({} bytes committed, {} fresh): run `{}` and commit the file",
        builtin::PATH,
        builtin::BLOB.len(),
        fresh.len(),
        builtin::REGENERATE
    );
}

/// The shipped files load from the blob (else the comparisons below
/// would compare the parser with itself); damaged bytes are refused
/// without a panic, and the files are then parsed.
#[test]
fn the_blob_is_used_and_damage_is_refused() {
    let files = mtus::embedded::FILES;
    let hash = mtus::rules_hash(files.iter().copied());
    let mut sm = SourceMap::new();
    assert!(builtin::load(&mut sm, files, &hash).is_some());
    assert_eq!(sm.files().count(), files.len());
    for cut in [0, 1, 7, 100, builtin::BLOB.len() / 2, builtin::BLOB.len() - 1] {
        let mut sm = SourceMap::new();
        assert!(
            builtin::load_from(&builtin::BLOB[..cut], &mut sm, files, &hash).is_none(),
            "cut at {cut}"
        );
        assert_eq!(sm.files().count(), 0);
    }
    let mut flipped = builtin::BLOB.to_vec();
    for i in (0..flipped.len()).step_by(997) {
        flipped[i] ^= 0x5a;
        let _ = builtin::load_from(&flipped, &mut SourceMap::new(), files, &hash);
        flipped[i] ^= 0x5a;
    }
    let wrong = "0".repeat(64);
    assert!(builtin::load(&mut SourceMap::new(), files, &wrong).is_none());
}

/// The hash `build.rs` works out is the one the library computes.
#[test]
fn build_time_hash_is_the_rules_hash() {
    assert_eq!(
        mtus::embedded::HASH,
        mtus::rules_hash(mtus::embedded::FILES.iter().copied())
    );
    assert_eq!(mtus::embedded::HASH.len(), 64);
}

#[test]
fn generating_twice_gives_the_same_bytes() {
    assert_eq!(builtin::generate().ok(), builtin::generate().ok());
}

fn both() -> ((SourceMap, RuleSet), (SourceMap, RuleSet)) {
    let mut sm_pre = SourceMap::new();
    let pre = RuleSet::embedded(&mut sm_pre).expect("precompiled");
    let mut sm_parsed = SourceMap::new();
    let parsed = RuleSet::embedded_parsed(&mut sm_parsed).expect("parsed");
    ((sm_pre, pre), (sm_parsed, parsed))
}

#[test]
fn precompiled_set_is_named_like_the_parsed_one() {
    let ((sm_pre, pre), (sm_parsed, parsed)) = both();
    assert_eq!(pre.origin, parsed.origin);
    assert_eq!(pre.origin.kind, RuleOriginKind::BuiltIn);
    assert_eq!(pre.origin.describe(), parsed.origin.describe());
    let files = |sm: &SourceMap| -> Vec<(String, String)> {
        sm.files().map(|(_, f)| (f.name.clone(), f.text.clone())).collect()
    };
    assert_eq!(files(&sm_pre), files(&sm_parsed));
    assert_eq!(format!("{:?}", pre.compiled), format!("{:?}", parsed.compiled));
    // Every rule, criterion and citation points at the same place.
    for (a, b) in pre.program.rules.iter().zip(&parsed.program.rules) {
        assert_eq!(sm_pre.position(a.span), sm_parsed.position(b.span), "{}", a.name);
        for (x, y) in a.criteria.iter().zip(&b.criteria) {
            assert_eq!(
                sm_pre.position(x.span),
                sm_parsed.position(y.span),
                "{}.{}",
                a.name,
                x.name
            );
            let cite = |p: &mtus::check::Program, c: &mtus::check::Criterion| c.citation.as_ref().map(|c| p.cite(c));
            assert_eq!(cite(&pre.program, x), cite(&parsed.program, y));
        }
    }
    assert_eq!(pre.program.rules.len(), parsed.program.rules.len());
}

/// Every shipped case, decided by both sets: the full text report (every
/// criterion's trace, citations, advice) and the JSON are the same bytes.
#[test]
fn precompiled_set_decides_every_shipped_case_like_the_parsed_one() {
    let ((_, pre), (_, parsed)) = both();
    let lists = DrugLists::embedded().expect("shipped drug lists");
    let mut paths: Vec<_> = std::fs::read_dir(common::root().join("cases"))
        .expect("cases/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() > 100, "the shipped cases are found");
    let render = |rs: &RuleSet, name: &str, text: &str| -> String {
        let case = match mtus::facts::load_yaml(&rs.program, name, text) {
            Ok(c) => c,
            Err(e) => return format!("{:?}", e.diagnostics),
        };
        let mut m = Machine::new();
        let decisions = eval::decide_case(rs, &mut m, &case);
        let r = report::case_report(rs, &mut m, name, &case, &decisions, true);
        let p = authorization::pre_submission(&rs.program, &case, &lists, &r);
        let mut out = String::new();
        authorization::render_case_text(&r, &p, &mut out);
        out.push_str(&serde_json::to_string(&authorization::CaseJson::new(&r, &p)).expect("json"));
        out
    };
    for path in &paths {
        let name = common::rel(path);
        let text = std::fs::read_to_string(path).expect("read case");
        let a = render(&pre, &name, &text);
        let b = render(&parsed, &name, &text);
        assert!(a == b, "{name}: the precompiled and parsed rules report differently");
        assert!(
            a.contains("MTUS") || a.contains("ODG") || a.contains('['),
            "{name}: a real report"
        );
    }
}

/// Files that differ from the shipped set in any way are parsed: one
/// changed character, a different order, or a `SourceMap` already in use.
#[test]
fn anything_but_the_shipped_files_is_parsed() {
    let files: Vec<(&str, &str)> = mtus::embedded::FILES.to_vec();
    let mut sm = SourceMap::new();
    sm.add("case.yaml", "id: x\n");
    let rs = RuleSet::from_texts(&mut sm, files.iter().copied()).expect("shipped rules");
    // The rule files start at FileId(1): spans say so.
    assert!(rs.program.rules.iter().all(|r| r.span.file.0 >= 1));
    assert_eq!(sm.files().count(), files.len() + 1);

    let mut changed: Vec<(String, String)> = files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    let (_, last) = changed.last_mut().expect("files");
    last.push_str("\n# one more comment\n");
    let mut sm = SourceMap::new();
    let rs2 = RuleSet::from_texts(&mut sm, changed.iter().map(|(n, t)| (n.as_str(), t.as_str()))).expect("rules");
    assert_ne!(rs2.origin.hash, rs.origin.hash);
    let last_file = sm.files().last().map(|(_, f)| f.text.clone());
    assert_eq!(
        last_file.as_deref(),
        Some(changed.last().map(|(_, t)| t.as_str()).unwrap_or(""))
    );
}

/// Files identical to the shipped ones take the build-time hash without
/// hashing; one changed byte anywhere (or a file renamed) is hashed and
/// gets its own.
#[test]
fn a_found_copy_of_the_shipped_rules_has_their_hash_and_a_changed_one_its_own() {
    let files = mtus::embedded::FILES;
    // As a found `rules/` folder names them.
    let found: Vec<(String, &str)> = files
        .iter()
        .map(|(n, t)| (n.replace("rules/", "/tmp/elsewhere/rules/"), *t))
        .collect();
    let rs = RuleSet::from_texts(&mut SourceMap::new(), found.iter().map(|(n, t)| (n.as_str(), *t)))
        .expect("the shipped rules check");
    assert_eq!(rs.origin.hash, mtus::embedded::HASH);
    assert_eq!(rs.origin.hash, mtus::rules_hash(files.iter().copied()));

    let last = files.len() - 1;
    let changed_text = format!("{}\n# a comment added\n", files[last].1);
    let mut changed: Vec<(&str, &str)> = files.to_vec();
    changed[last].1 = &changed_text;
    let rs =
        RuleSet::from_texts(&mut SourceMap::new(), changed.iter().copied()).expect("a comment keeps them checking");
    assert_ne!(rs.origin.hash, mtus::embedded::HASH);
    assert_eq!(rs.origin.hash, mtus::rules_hash(changed.iter().copied()));
}
