//! The YAML fast path (`facts::load::yaml_fast`) against the saphyr
//! path: wherever the fast path accepts a text, its tree is saphyr's,
//! spans included. Checked over every YAML file of the repository, over
//! generated cases (which it must all accept) and over tricky inputs,
//! each of which must be either accepted alike or declined.

use std::path::{Path, PathBuf};

use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::facts::load::yaml_fast::check_against_saphyr;
use mtus::generate::Generator;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
        {
            out.push(p);
        }
    }
}

/// Whether the fast path accepts `text`; panics when it accepts and the
/// trees differ.
fn accepts(text: &str) -> bool {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match check_against_saphyr(body) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_repository_yaml_file_parses_alike() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["cases", "tests/fixtures", "tests/hostile", "examples", "docs"] {
        yaml_files(&root.join(d), &mut files);
    }
    files.sort();
    assert!(files.len() > 500, "found only {} YAML files", files.len());
    let (mut shipped, mut shipped_ok, mut all_ok) = (0, 0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let ok = accepts(&text);
        all_ok += usize::from(ok);
        if f.starts_with(root.join("cases")) {
            shipped += 1;
            shipped_ok += usize::from(ok);
        }
    }
    println!(
        "fast path: {all_ok} of {} repository YAML files, {shipped_ok} of {shipped} in cases/",
        files.len()
    );
    // Shipped cases are written in the subset (a few use YAML the fast
    // path leaves to saphyr on purpose).
    assert!(shipped_ok * 100 >= shipped * 95, "{shipped_ok} of {shipped}");
}

#[test]
fn every_generated_case_takes_the_fast_path_with_the_same_tree() {
    let rs = RuleSet::embedded(&mut SourceMap::new()).unwrap();
    for (seed, extremes) in [(7, 0.0), (11, 0.5)] {
        let mut g = Generator::new(&rs, seed).unwrap();
        g.options.extremes = extremes;
        let mut declined = Vec::new();
        g.each(1500, |_, c| {
            let text = c.to_yaml();
            if !accepts(&text) {
                declined.push(text);
            }
            Ok(())
        })
        .unwrap();
        assert!(
            declined.is_empty(),
            "seed {seed}: {} generated cases declined, the first:\n{}",
            declined.len(),
            declined[0]
        );
    }
}

/// Each input: `true` when the fast path must take it, `false` when it
/// must decline; either way, nothing it takes differs from saphyr.
const TRICKY: &[(&str, bool)] = &[
    ("a: b\n", true),
    ("a: b: c\n", false),
    ("a: x #c\n", true),
    ("a: x#c\n", false),
    ("- - x\n  - y\n- z\n", true),
    ("a:\n  - x\n  -\n", true),
    ("a:\n- x\n-\n", true),
    ("a:\n-\n- y\nb: 1\n", true),
    ("a: [x,]\n", true),
    ("a: [x, , y]\n", false),
    ("key: \"a\\\"b\"\n", true),
    ("key: \"a\\\\b\"\n", true),
    ("key: \"a\\nb\"\n", false),
    ("key: \"a\\tb\"\n", false),
    ("a: 'it''s'\n", true),
    ("a: x   \nb: 'y'   \nc: \"z\"  # c\n", true),
    ("a:\r\n  b: 1\r\n  c: [x, \"y\"]\r\n", true),
    ("a: 1\rb: 2\r", false),
    ("a: 1\n  b: 2\n", false),
    ("a: 1", true),
    ("a:", true),
    ("a: [x]", true),
    ("a: 'x'", true),
    ("a: plain\n  continued\n", false),
    ("a: plain\n# c\n  continued\n", false),
    ("- x\n  y\n", false),
    ("a:\nb:\n", true),
    ("a:   # c\nb: 1\n", true),
    ("-x: 1\n", true),
    ("a: -x\n", true),
    ("a: -5\nb: - 5\n", false),
    ("a : b\n", true),
    ("a  :   b  \n", true),
    ("a: 1\na: 2\n", true),
    ("---\na: 1\n", true),
    ("--- # c\na: 1\n", true),
    ("# c\n---\na: 1\n", true),
    ("--- a: 1\n", false),
    ("a: 1\n...\n", false),
    ("a: 1\n---\nb: 2\n", false),
    ("a:\n  b: 1\n    # odd\n # odder\n  c: 2\n# end\n", true),
    ("a:\n    b: 1\n  c: 2\n", false),
    ("a: &x 1\nb: *x\n", false),
    ("a: !!str 1\n", false),
    ("a: |\n  x\n", false),
    ("a: >\n  x\n", false),
    ("? a\n: b\n", false),
    ("a: {b: 1, c: [x, y], d: {e: f}}\n", true),
    ("a: { }\nb: []\nc: [ ]  # c\n", true),
    ("a: {b}\n", false),
    ("a: {b: 1, }\n", false),
    ("a: {b: [x, ], c: {d: \"e\" } }  # c\n", true),
    ("a: {b: }\n", false),
    ("a: {b:1}\n", false),
    ("a: [b: 1]\n", false),
    ("a: [\"b\": 1]\n", false),
    ("a: [x,\n  y]\n", false),
    ("a: [x] # c\n", true),
    ("a: [x]# c\n", false),
    ("a: [x] y\n", false),
    ("a: \"x\" y\n", false),
    ("a: \"x\"#c\n", false),
    ("\"k\": v\n'j' : w\n", true),
    ("\"k\":v\n", false),
    ("a b: c d\n", true),
    ("a: 10:30\n", false),
    ("a: http://x\n", false),
    ("a:\tb\n", false),
    ("a: é\n", false),
    ("- a: 1\n  b: 2\n- a:\n    - x\n  c: 3\n", true),
    ("-   a: 1\n    b: 2\n", true),
    ("- \n- # c\n-\n", true),
    ("-\n  a: 1\n", false),
    ("-# c\n", false),
    ("a:\n  b\n", true),
    ("a:\n  b\n  c\n", false),
    ("a: ~\nb: null\nc: 'null'\nd: Null\n", true),
    ("a: 1\n\n\n# end", true),
    ("a: 1\n  # end", true),
    ("[a, b]\n", true),
    ("{a: 1}\n", true),
    ("plain\n", false),
    ("", false),
    ("# only a comment\n", false),
    ("a: 1\nb\n", false),
    ("- a\nb: 1\n", false),
    ("a:\n  - b\n c: 1\n", false),
    ("a: x, y\n", true),
    ("a: x - y\n", false),
    ("a: x -y\n", true),
    ("a: { b: true -}\n", false),
    ("a: [x -]\n", false),
    ("a: [x y, z]\n", true),
    ("a: x [y]\n", false),
    ("a: %x\n", false),
    ("a: @x\n", false),
    ("a: `x\n", false),
    ("a: x's \"q\"\n", false),
    ("a: x's q\"\n", true),
    ("a: [x's]\n", true),
    ("a: - x\n", false),
    ("  a: 1\n  b: 2\n", true),
    ("  a: 1\nb: 2\n", false),
    ("a: ''\nb: \"\"\n", true),
    ("- a:\n  - x\n  b: 1\n", true),
    ("~: 1\nnull: 2\n", true),
    ("a: \"x\"\r\nb: y \r\n", true),
    ("# é\na: 1\n", false),
    ("a: 'é'\n", false),
    ("a: x\u{1}y\n", false),
    ("a: 1 # \u{7f}\n", false),
    ("a: \"x\u{0}\"\n", false),
    ("a: 1\n\u{0}", false),
    ("a: x\n- y\n", false),
];

#[test]
fn tricky_inputs_are_taken_alike_or_declined() {
    let mut wrong = Vec::new();
    for &(text, expect) in TRICKY {
        if accepts(text) != expect {
            wrong.push(format!(
                "{text:?}: expected {}",
                if expect { "taken" } else { "declined" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
