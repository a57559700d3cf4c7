//! `mtus doc`: the rule book. A snapshot of the Markdown of a small rule
//! set, every shipped rule and criterion in the book with its citation and
//! description, every link resolving, escaping, determinism, and the
//! output folder's safety.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{mtus, root, shipped_rules, stderr};
use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::doc::{self, CaseInput, Format};
use mtus::facts::Case;
use mtus::value::Date;

fn fixture_rules() -> (SourceMap, RuleSet) {
    let text = std::fs::read_to_string(root().join("tests/fixtures/doc/rules/example.mtus")).expect("read fixture");
    let mut sm = SourceMap::new();
    let rs = RuleSet::from_texts(&mut sm, [("rules/example.mtus", text.as_str())]).expect("fixture rules check");
    (sm, rs)
}

/// Every case file of a folder, loaded, with its name.
fn load_cases(rules: &RuleSet, dir: &Path) -> Vec<(String, Case)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).expect("read case");
            let case = mtus::facts::load_yaml(&rules.program, &name, &text).expect("case loads");
            (name, case)
        })
        .collect()
}

fn inputs(cases: &[(String, Case)]) -> Vec<CaseInput<'_>> {
    cases
        .iter()
        .map(|(name, case)| CaseInput {
            shown: format!("cases/{name}"),
            href: format!("../cases/{name}"),
            case,
        })
        .collect()
}

fn fixture_book(format: Format) -> Vec<(String, String)> {
    let (sm, rs) = fixture_rules();
    let cases = load_cases(&rs, &root().join("tests/fixtures/doc/cases"));
    let date = Date::parse("2016-02-01").expect("date");
    let book = doc::build(&rs, &sm, &inputs(&cases), date);
    doc::render(&book, format)
}

fn joined(files: &[(String, String)]) -> String {
    files
        .iter()
        .map(|(name, text)| format!("=== {name} ===\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_markdown_book_of_a_small_rule_set() {
    let files = fixture_book(Format::Markdown);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "index.md",
            "in-force.md",
            "treatments.md",
            "facts.md",
            "constants.md",
            "source-s.md",
            "source-n.md",
            "source-o.md"
        ]
    );
    insta::assert_snapshot!(joined(&files));
}

#[test]
fn the_fixture_book_says_what_a_reviewer_needs() {
    let files = fixture_book(Format::Markdown);
    let page = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let s = page("source-s.md");
    // The visit limit in words, its number with its unit and confidence.
    assert!(s.contains("[how much is asked for](facts.md#f-request.quantity) is at most [**6 visit**](constants.md#c-massage_visits)"), "{s}");
    assert!(s.contains("Confidence: **HIGH**, catalog IDs: EX-1"), "{s}");
    // The proofs: `because: visit_limit` (unqualified) and
    // `because: relaxants.neuropathic`; a decision without `because` proves nothing.
    assert!(s.contains("[cases/a-massage-too-many.yaml](../cases/a-massage-too-many.yaml): request `massage` of 2015-05-06, recorded upheld"), "{s}");
    assert!(s.contains("[cases/b-flexeril-neuropathic.yaml](../cases/b-flexeril-neuropathic.yaml): request `flexeril` of 2016-02-01, recorded upheld"), "{s}");
    assert!(
        !page("source-n.md").contains("c-soma-2019"),
        "a decision without `because:` is no proof"
    );
    // Brand names of the treatments a class rule covers.
    assert!(
        s.contains("[Cyclobenzaprine (Flexeril, Amrix)](treatments.md#t-cyclobenzaprine)"),
        "{s}"
    );
    // In force on 2016-02-01: the 2018 version is not.
    let f = page("in-force.md");
    assert!(f.contains("| [Carisoprodol](treatments.md#t-carisoprodol) `carisoprodol` | [Muscle relaxants, short course](source-s.md#rule-relaxants) `relaxants` |"), "{f}");
    assert!(
        f.contains("| [Acupuncture](treatments.md#t-acupuncture) `acupuncture` | *no rule covers this treatment* |"),
        "{f}"
    );
    assert!(
        f.contains("- **2018-01-01**: in force from this day: N; no longer in force: S"),
        "{f}"
    );
}

#[test]
fn rule_text_cannot_inject_markup() {
    let html = joined(&fixture_book(Format::Html));
    assert!(!html.contains("<script"), "raw script from a rule title");
    assert!(!html.contains("<b>2010"), "raw HTML from a source title");
    assert!(html.contains("Massage, neck &lt;script&gt;alert(1)&lt;/script&gt; (supplement)"));
    assert!(!html.contains("http://example.com\""), "a link from a description");
    // Self-contained: no script, no stylesheet or image from elsewhere.
    for bad in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!html.contains(bad), "{bad} in the HTML book");
    }
    let md = joined(&fixture_book(Format::Markdown));
    assert!(!md.replace("\\<", "").contains("<script"), "raw script in Markdown");
    assert!(
        md.contains("Spasm \\*on\\* \\[exam\\](http://example.com) for \\`neck\\` \\& back"),
        "{md}"
    );
    assert!(md.contains("# An example guideline \\<b\\>2010\\</b\\> `S`"), "{md}");
}

#[test]
fn the_same_input_gives_the_same_book() {
    for format in [Format::Html, Format::Markdown] {
        assert_eq!(fixture_book(format), fixture_book(format));
    }
}

/// The page of each source id, and the rule's own text as the book shows it.
#[test]
fn every_shipped_rule_and_criterion_is_in_the_book_with_its_citation_and_description() {
    let (sm, rs) = shipped_rules();
    let cases = load_cases(&rs, &root().join("cases"));
    let date = Date::parse("2019-06-01").expect("date");
    let book = doc::build(&rs, &sm, &inputs(&cases), date);
    let html: BTreeMap<String, String> = doc::render(&book, Format::Html).into_iter().collect();
    let md: BTreeMap<String, String> = doc::render(&book, Format::Markdown).into_iter().collect();
    let p = &rs.program;
    let mut proven = 0;
    for rule in &p.rules {
        let src = &p.source(rule.source).id;
        let stem = format!("source-{}", src.to_lowercase());
        let h = html
            .get(&format!("{stem}.html"))
            .unwrap_or_else(|| panic!("no page for {src}"));
        let m = md
            .get(&format!("{stem}.md"))
            .unwrap_or_else(|| panic!("no page for {src}"));
        let esc_h = mtus::audit::html::esc;
        let esc_m = mtus::doc::markdown::esc;
        assert!(
            h.contains(&format!("id=\"rule-{}\"", rule.name)),
            "{} not in {stem}.html",
            rule.name
        );
        assert!(
            m.contains(&format!("<a id=\"rule-{}\"></a>", rule.name)),
            "{} not in {stem}.md",
            rule.name
        );
        for c in &rule.cites {
            let cite = p.cite(c);
            assert!(
                h.contains(&esc_h(&cite)),
                "{}: citation {cite} not in {stem}.html",
                rule.name
            );
            assert!(
                m.contains(&esc_m(&cite)),
                "{}: citation {cite} not in {stem}.md",
                rule.name
            );
        }
        for c in &rule.criteria {
            let anchor = format!("rule-{}.{}", rule.name, c.name);
            assert!(h.contains(&format!("id=\"{anchor}\"")), "{anchor} not in {stem}.html");
            assert!(
                m.contains(&format!("<a id=\"{anchor}\"></a>")),
                "{anchor} not in {stem}.md"
            );
            assert!(
                h.contains(&esc_h(&c.description)),
                "{anchor}: description not in {stem}.html"
            );
            assert!(
                m.contains(&esc_m(&c.description)),
                "{anchor}: description not in {stem}.md"
            );
            if let Some(ct) = &c.citation {
                assert!(
                    h.contains(&esc_h(&p.cite(ct))),
                    "{anchor}: its citation not in {stem}.html"
                );
            }
        }
    }
    // Most criteria have a case that names them (the lint's missing-case
    // keeps it so); the book finds those proofs.
    for s in &book.sources {
        for sec in &s.sections {
            for r in &sec.rules {
                proven += r.criteria.iter().filter(|c| !c.proofs.is_empty()).count();
            }
        }
    }
    assert_eq!(proven, book.totals.criteria_proven);
    assert!(
        proven * 10 > book.totals.criteria * 8,
        "{proven} of {} proven",
        book.totals.criteria
    );
    // Every constant is on the constants page with its confidence.
    let k = &html["constants.html"];
    for c in &p.consts {
        assert!(
            k.contains(&format!("id=\"c-{}\"", c.name)),
            "constant {} missing",
            c.name
        );
    }
}

/// Every `href` of an HTML page and every link of a Markdown page, as
/// (target, page it is on).
/// The ids of each page of a book, by file name.
type Anchors = BTreeMap<String, BTreeSet<String>>;

fn links(dir: &Path) -> (Vec<(String, String)>, Anchors) {
    let mut found = Vec::new();
    let mut ids: Anchors = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read book") {
        let path = e.expect("entry").path();
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read page");
        let mut page_ids = BTreeSet::new();
        for part in text.split("id=\"").skip(1) {
            page_ids.insert(part.split('"').next().unwrap_or("").to_string());
        }
        ids.insert(name.clone(), page_ids);
        if name.ends_with(".html") {
            for part in text.split("href=\"").skip(1) {
                found.push((part.split('"').next().unwrap_or("").to_string(), name.clone()));
            }
        } else {
            let mut rest = text.as_str();
            while let Some(i) = rest.find("](") {
                let escaped = rest[..i].ends_with('\\');
                rest = &rest[i + 2..];
                if !escaped {
                    found.push((rest.split(')').next().unwrap_or("").to_string(), name.clone()));
                }
            }
        }
    }
    (found, ids)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn every_link_of_the_shipped_book_resolves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("book");
    let o = mtus(&["doc", "--out", out.to_str().expect("utf-8"), "--date", "2019-06-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (found, ids) = links(&out);
    assert!(found.len() > 1000, "only {} links", found.len());
    let mut to_cases = 0;
    for (target, page) in &found {
        assert!(!target.contains("://"), "{page}: a link off the book: {target}");
        let (file, anchor) = match target.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (target.as_str(), None),
        };
        let file = if file.is_empty() { page.as_str() } else { file };
        let file = percent_decode(file);
        match ids.get(&file) {
            Some(page_ids) => {
                if let Some(a) = anchor {
                    assert!(page_ids.contains(a), "{page}: {target}: no anchor {a} in {file}");
                }
            }
            None => {
                // A case file, outside the book.
                assert!(anchor.is_none(), "{page}: {target}");
                assert!(out.join(&file).is_file(), "{page}: {target} does not exist");
                to_cases += 1;
            }
        }
    }
    assert!(to_cases > 100, "only {to_cases} links to case files");
}

#[test]
fn the_book_folder_is_safe_and_the_output_byte_for_byte_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for out in [&a, &b] {
        let o = mtus(&["doc", "--out", out.to_str().expect("utf-8"), "--date", "2019-06-01"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"index.html".to_string()) && names.contains(&"index.md".to_string()));
    for n in &names {
        assert_eq!(
            std::fs::read(a.join(n)).expect("read a"),
            std::fs::read(b.join(n)).expect("read b"),
            "{n} differs"
        );
    }
    // A book is written again in place; pages of a format no longer asked
    // for are removed.
    let o = mtus(&["doc", "--out", a.to_str().expect("utf-8"), "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!a.join("index.html").exists() && a.join("index.md").exists());
    // A folder with other files is refused, and left alone.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("notes.html"), "mine").expect("write");
    let path = other.to_str().expect("utf-8");
    let o = mtus(&["doc", "--out", path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did not write; give --force"), "{}", stderr(&o));
    assert!(!other.join("index.html").exists());
    let o = mtus(&["doc", "--out", path, "--force", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(other.join("index.html").exists());
    assert_eq!(std::fs::read_to_string(other.join("notes.html")).expect("read"), "mine");
    // A file is not a folder; a bad date is refused.
    let o = mtus(&["doc", "--out", other.join("notes.html").to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    let o = mtus(&["doc", "--out", path, "--date", "2019-02-30"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("YYYY-MM-DD"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_symlink_in_the_book_is_replaced_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("book");
    let path = out.to_str().expect("utf-8");
    let o = mtus(&["doc", "--out", path, "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").expect("write");
    std::fs::remove_file(out.join("index.html")).expect("rm");
    std::os::unix::fs::symlink(&victim, out.join("index.html")).expect("symlink");
    let o = mtus(&["doc", "--out", path, "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep");
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .expect("read")
            .contains("MTUS rule book")
    );
}

#[test]
fn a_case_that_cannot_be_read_is_reported_and_the_book_still_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).expect("mkdir");
    std::fs::write(cases.join("bad.yaml"), "case: bad\nrequests: 3\n").expect("write");
    let out = dir.path().join("book");
    let o = mtus(&[
        "doc",
        "--out",
        out.to_str().expect("utf-8"),
        "--cases",
        cases.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.yaml:2:"), "{err}");
    assert!(err.contains("1 case file(s) could not be read"), "{err}");
    assert!(out.join("index.html").exists());
}

#[test]
fn a_case_path_cannot_inject_markup_or_break_a_link() {
    let (sm, rs) = fixture_rules();
    let cases = load_cases(&rs, &root().join("tests/fixtures/doc/cases"));
    let hostile: Vec<CaseInput<'_>> = cases
        .iter()
        .map(|(_, case)| CaseInput {
            shown: "cases/<img src=x>\"a\" [b](c).yaml".into(),
            href: "../cases/<img src=x>\"a\" (b).yaml".into(),
            case,
        })
        .collect();
    let date = Date::parse("2016-02-01").expect("date");
    let book = doc::build(&rs, &sm, &hostile, date);
    let html = joined(&doc::render(&book, Format::Html));
    assert!(!html.contains("<img"), "raw tag from a case path");
    assert!(
        html.contains("href=\"../cases/%3Cimg%20src%3Dx%3E%22a%22%20%28b%29.yaml\""),
        "{html}"
    );
    assert!(
        html.contains("cases/&lt;img src=x&gt;&quot;a&quot; [b](c).yaml"),
        "{html}"
    );
    let md = joined(&doc::render(&book, Format::Markdown));
    assert!(
        md.contains("[cases/\\<img src=x\\>\"a\" \\[b\\](c).yaml](../cases/%3Cimg%20src%3Dx%3E%22a%22%20%28b%29.yaml)"),
        "{md}"
    );
}
