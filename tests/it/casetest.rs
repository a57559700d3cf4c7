//! `mtus test`: case files as tests, with `because:`, and coverage; on a
//! small rule set of its own (tests/fixtures/casetest), so the snapshots
//! do not move with the shipped rules. And the shipped cases must pass.

use crate::common;

const RULES: &str = "tests/fixtures/casetest/rules";
const CASES: &str = "tests/fixtures/casetest/cases";

#[test]
fn a_line_per_case_then_the_summary_and_every_failure_with_its_place() {
    let o = common::mtus(&["--rules", RULES, "test", CASES]);
    assert_eq!(o.status.code(), Some(1), "a failure fails the run");
    let out = common::stdout(&o);
    assert!(
        out.ends_with("\n2 passed, 4 failed, 1 skipped (no determination)\n"),
        "{out}"
    );
    insta::assert_snapshot!("test_stdout", out);
    insta::assert_snapshot!("test_stderr", common::stderr(&o));
}

#[test]
fn coverage_per_rule_and_criterion() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    let cov = &out[out.find("coverage:").expect("coverage")..];
    insta::assert_snapshot!(cov);
}

#[test]
fn json_results_summary_and_diagnostics() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", "--format", "json", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    assert_eq!(v["summary"]["passed"], 2);
    assert_eq!(v["summary"]["failed"], 4);
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(4));
    insta::assert_json_snapshot!(v);
}

#[test]
fn passing_cases_exit_zero() {
    let o = common::mtus(&[
        "--rules",
        RULES,
        "test",
        "tests/fixtures/casetest/cases/a-passes.yaml",
        "tests/fixtures/casetest/cases/b-because.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(common::stdout(&o).ends_with("\n2 passed, 0 failed\n"));
    assert_eq!(common::stderr(&o), "");
}

#[test]
fn every_shipped_case_passes() {
    let files = common::shipped_case_files();
    let mut args = vec!["test"];
    args.extend(files.iter().map(String::as_str));
    let o = common::mtus(&args);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", common::stderr(&o));
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
}

// ---------------------------------------------------------------------------
// -q, --run, --format junit

#[test]
fn quiet_prints_only_the_failures_and_the_total() {
    let o = common::mtus(&["--rules", RULES, "test", "-q", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    // By hand: c, d and e fail, f does not load; a and b pass, g is
    // skipped, and neither of those three is listed.
    assert_eq!(
        out,
        "rules: ./tests/fixtures/casetest/rules (--rules, sha256 [hash])\n\
         test tests/fixtures/casetest/cases/c-wrong-outcome.yaml ... FAILED\n\
         test tests/fixtures/casetest/cases/d-wrong-because.yaml ... FAILED\n\
         test tests/fixtures/casetest/cases/e-undecided.yaml ... FAILED\n\
         test tests/fixtures/casetest/cases/f-unknown-criterion.yaml ... ERROR\n\
         \n\
         2 passed, 4 failed, 1 skipped (no determination)\n"
    );
    // The failures' diagnostics are those of the full run.
    let full = common::mtus(&["--rules", RULES, "test", CASES]);
    assert_eq!(common::stderr(&o), common::stderr(&full));
    // All passing: the total alone.
    let o = common::mtus(&["--rules", RULES, "test", "--quiet", "--run", "a-passes", CASES]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        common::stdout(&o),
        "rules: ./tests/fixtures/casetest/rules (--rules, sha256 [hash])\n\n1 passed, 0 failed, 6 not selected (--run)\n"
    );
}

#[test]
fn quiet_and_verbose_do_not_go_together() {
    let o = common::mtus(&["--rules", RULES, "test", "-q", "-v", CASES]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
}

/// The `test ... VERDICT` lines of a text run.
fn case_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("test ")).collect()
}

#[test]
fn run_selects_by_substring_of_the_id_or_path() {
    // `wrong` is in the ids (and paths) of c and d only.
    let o = common::mtus(&["--rules", RULES, "test", "--run", "wrong", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    assert_eq!(
        case_lines(&out),
        [
            "test tests/fixtures/casetest/cases/c-wrong-outcome.yaml ... FAILED",
            "test tests/fixtures/casetest/cases/d-wrong-because.yaml ... FAILED",
        ]
    );
    assert!(out.ends_with("\n0 passed, 2 failed, 5 not selected (--run)\n"), "{out}");
    // Only the selected cases' diagnostics.
    let err = common::stderr(&o);
    assert!(err.contains("c-wrong-outcome.yaml:9:36") && err.contains("d-wrong-because.yaml:15:16"));
    assert!(
        !err.contains("e-undecided") && !err.contains("f-unknown-criterion"),
        "{err}"
    );
}

#[test]
fn run_matches_the_case_id_when_the_path_does_not() {
    // A copy of a passing case under a file name that says nothing: its id
    // (`a-passes`) selects it.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(common::root().join(CASES).join("a-passes.yaml")).expect("read");
    std::fs::write(dir.path().join("x.yaml"), text).expect("write");
    let rules = common::root().join(RULES);
    let rules = rules.to_str().expect("utf-8 path");
    let o = common::mtus_in(dir.path(), &["--rules", rules, "test", "--run", "a-pass", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(case_lines(&common::stdout(&o)), ["test ./x.yaml ... ok"]);
    let o = common::mtus_in(dir.path(), &["--rules", rules, "test", "--run", "b-because", "."]);
    assert_eq!(o.status.code(), Some(1), "nothing matches");
}

#[test]
fn run_globs_match_the_whole_id_or_path_and_patterns_add_up() {
    // `*-because*` is a glob: it matches the path of b and d in full.
    let o = common::mtus(&["--rules", RULES, "test", "--run", "*-because*", CASES]);
    let out = common::stdout(&o);
    assert_eq!(
        case_lines(&out),
        [
            "test tests/fixtures/casetest/cases/b-because.yaml ... ok",
            "test tests/fixtures/casetest/cases/d-wrong-because.yaml ... FAILED",
        ]
    );
    // Anchored: `because*` matches no whole id or path.
    let o = common::mtus(&["--rules", RULES, "test", "--run", "because*", CASES]);
    assert_eq!(o.status.code(), Some(1));
    assert!(case_lines(&common::stdout(&o)).is_empty());
    // `?` and a set against ids, and two patterns: a, b (by `[ab]-*`) and g.
    let o = common::mtus(&[
        "--rules",
        RULES,
        "test",
        "--run",
        "[ab]-*",
        "--run",
        "?-no-determination",
        CASES,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = common::stdout(&o);
    assert_eq!(case_lines(&out).len(), 3, "{out}");
    assert!(out.ends_with("\n2 passed, 0 failed, 1 skipped (no determination), 4 not selected (--run)\n"));
}

#[test]
fn run_that_selects_nothing_is_an_error() {
    let o = common::mtus(&["--rules", RULES, "test", "--run", "no-such-case", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(err.contains("error: no case matches --run `no-such-case`"), "{err}");
    assert!(err.contains("help: "), "{err}");
}

/// A small XML reader for the tests: elements with attributes and text,
/// entities decoded; panics on anything that is not well-formed (an
/// unescaped `<` or `&`, an unquoted attribute, a tag closed out of order,
/// a character XML 1.0 cannot hold).
mod xml {
    #[derive(Debug, Default)]
    pub struct Element {
        pub name: String,
        pub attrs: Vec<(String, String)>,
        pub children: Vec<Element>,
        pub text: String,
    }

    impl Element {
        pub fn attr(&self, name: &str) -> &str {
            self.attrs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("<{}> has no attribute {name}", self.name))
        }
        pub fn all(&self, name: &str) -> Vec<&Element> {
            self.children.iter().filter(|c| c.name == name).collect()
        }
        pub fn one(&self, name: &str) -> &Element {
            let all = self.all(name);
            assert_eq!(all.len(), 1, "one <{name}> in <{}>", self.name);
            all[0]
        }
    }

    fn decode(s: &str) -> String {
        assert!(!s.contains('<'), "a raw `<` in {s:?}");
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let end = rest[i..]
                .find(';')
                .unwrap_or_else(|| panic!("an unterminated entity in {s:?}"));
            let ent = &rest[i + 1..i + end];
            let ch = match ent {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = ent
                        .strip_prefix('#')
                        .unwrap_or_else(|| panic!("an unknown entity &{ent};"));
                    char::from_u32(n.parse().expect("a decimal reference")).expect("a char")
                }
            };
            out.push(ch);
            rest = &rest[i + end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn name_len(s: &str) -> usize {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == ':'))
            .unwrap_or(s.len())
    }

    /// Parse a document: the declaration, then one root element.
    pub fn parse(doc: &str) -> Element {
        for c in doc.chars() {
            let ok = matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
            assert!(ok, "a character XML 1.0 cannot hold: {:?}", c);
        }
        let rest = doc
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .expect("the XML declaration");
        let mut stack: Vec<Element> = vec![Element::default()];
        let mut rest = rest;
        while !rest.is_empty() {
            let lt = rest.find('<').unwrap_or(rest.len());
            let text = decode(&rest[..lt]);
            stack.last_mut().expect("open").text.push_str(&text);
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            if let Some(r) = rest.strip_prefix("</") {
                let n = name_len(r);
                let closed = stack.pop().expect("an open element");
                assert_eq!(&r[..n], closed.name, "closed out of order");
                assert!(r[n..].starts_with('>'));
                rest = &r[n + 1..];
                stack.last_mut().expect("a parent").children.push(closed);
                continue;
            }
            let r = &rest[1..];
            let n = name_len(r);
            assert!(n > 0, "a `<` that starts no tag");
            let mut el = Element {
                name: r[..n].to_string(),
                ..Element::default()
            };
            let mut r = &r[n..];
            loop {
                r = r.trim_start();
                if let Some(after) = r.strip_prefix("/>") {
                    stack.last_mut().expect("a parent").children.push(el);
                    rest = after;
                    break;
                }
                if let Some(after) = r.strip_prefix('>') {
                    stack.push(el);
                    rest = after;
                    break;
                }
                let n = name_len(r);
                assert!(n > 0, "an attribute name in <{}>", el.name);
                let name = r[..n].to_string();
                let after = r[n..].strip_prefix("=\"").expect("an attribute in double quotes");
                let end = after.find('"').expect("a closing quote");
                assert!(!el.attrs.iter().any(|(a, _)| *a == name), "a repeated attribute");
                el.attrs.push((name, decode(&after[..end])));
                r = &after[end + 1..];
            }
        }
        let mut top = stack.pop().expect("the document");
        assert!(stack.is_empty(), "an element left open");
        assert!(top.text.trim().is_empty(), "text outside the root element");
        assert_eq!(top.children.len(), 1, "one root element");
        top.children.remove(0)
    }

    #[test]
    fn the_reader_rejects_what_is_not_well_formed() {
        let ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 &amp; 2\"><b/>t&lt;</a>\n";
        assert_eq!(parse(ok).attr("x"), "1 & 2");
        for bad in [
            "<a>&</a>",
            "<a x=1/>",
            "<a><b></a></b>",
            "<a>x < y</a>",
            "<a>\u{1b}</a>",
            "<a>",
            "<a/><b/>",
        ] {
            let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{bad}");
            assert!(std::panic::catch_unwind(|| parse(&doc)).is_err(), "accepted {bad:?}");
        }
    }
}

#[test]
fn junit_is_well_formed_and_says_what_text_says() {
    let o = common::mtus(&["--rules", RULES, "test", "--format", "junit", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    let root = xml::parse(&out);
    assert_eq!(root.name, "testsuites");
    let suite = root.one("testsuite");
    // By hand: 7 files; c, d, e fail; f does not load (an error, not a
    // failure); g has no determination.
    for el in [&root, suite] {
        assert_eq!(el.attr("tests"), "7");
        assert_eq!(el.attr("failures"), "3");
        assert_eq!(el.attr("errors"), "1");
        assert_eq!(el.attr("skipped"), "1");
    }
    let prop = suite.one("properties").one("property");
    assert_eq!(prop.attr("name"), "rules");
    assert!(
        prop.attr("value")
            .starts_with("./tests/fixtures/casetest/rules (--rules, sha256 ")
    );
    let cases = suite.all("testcase");
    let names: Vec<&str> = cases.iter().map(|c| c.attr("name")).collect();
    assert_eq!(
        names,
        [
            "a-passes",
            "b-because",
            "c-wrong-outcome",
            "d-wrong-because",
            "e-undecided",
            // It did not load: no id, so its file names it.
            "tests/fixtures/casetest/cases/f-unknown-criterion.yaml",
            "g-no-determination",
        ]
    );
    assert_eq!(cases[0].attr("file"), "tests/fixtures/casetest/cases/a-passes.yaml");
    assert!(cases[0].children.is_empty() && cases[1].children.is_empty());
    let c = cases[2].one("failure");
    assert_eq!(c.attr("type"), "test-outcome");
    assert_eq!(
        c.attr("message"),
        "request `massage`: predicted overturned (medically necessary), the case expects upheld"
    );
    // The body is the diagnostic as text gives it, with its excerpt.
    assert!(c.text.contains("c-wrong-outcome.yaml:9:36"), "{}", c.text);
    assert!(
        c.text.contains("9 │     - { request: massage, outcome: upheld }"),
        "{}",
        c.text
    );
    assert_eq!(cases[3].one("failure").attr("type"), "test-because");
    assert_eq!(cases[4].one("failure").attr("type"), "test-undecided");
    let e = cases[5].one("error");
    assert!(e.attr("message").contains("unknown-criterion"), "{}", e.attr("message"));
    assert!(e.text.contains("f-unknown-criterion.yaml:9:16"));
    cases[6].one("skipped");
    // The total goes to standard error, standard output is the document.
    assert!(common::stderr(&o).contains("2 passed, 4 failed, 1 skipped (no determination)"));
}

#[test]
fn junit_escapes_what_the_case_brings() {
    // A case whose id and request id hold markup, quotes and an
    // ampersand (the failure message quotes the request id), in a file
    // whose name holds an escape character, which XML 1.0 cannot hold.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(common::root().join(CASES).join("c-wrong-outcome.yaml"))
        .expect("read")
        .replace("case: c-wrong-outcome", "case: \"<x a='1'> & \\\"q\\\"\"")
        .replace("id: massage", "id: \"m</failure>&\"")
        .replace("request: massage", "request: \"m</failure>&\"");
    let file = "odd\u{1b}[31m.yaml";
    std::fs::write(dir.path().join(file), text).expect("write");
    let rules = common::root().join(RULES);
    let o = common::mtus_in(
        dir.path(),
        &[
            "--rules",
            rules.to_str().expect("utf-8"),
            "test",
            "--format",
            "junit",
            file,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let out = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    let root = xml::parse(&out);
    let case = root.one("testsuite").one("testcase");
    assert_eq!(case.attr("name"), "<x a='1'> & \"q\"");
    assert_eq!(case.attr("file"), "odd\\x1b[31m.yaml");
    let f = case.one("failure");
    assert!(
        f.attr("message")
            .starts_with("request `m</failure>&`: predicted overturned"),
        "{}",
        f.attr("message")
    );
    assert!(f.text.contains("m</failure>&"), "{}", f.text);
    assert!(f.text.contains("odd\\x1b[31m.yaml:9:"), "{}", f.text);
}

#[test]
fn junit_is_the_same_whatever_the_run() {
    let a = common::mtus(&["--rules", RULES, "test", "--format", "junit", CASES]);
    let b = common::mtus(&["--rules", RULES, "test", "--format", "junit", CASES]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn coverage_is_not_junit() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", "--format", "junit", CASES]);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::stderr(&o).contains("--coverage is shown in text and JSON only"));
}
