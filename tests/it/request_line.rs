//! `mtus request`: request lines as offices and letters write them, read
//! through the binary, and every request line of the real set
//! (cases/imr-2016) read back to the treatment a person encoded.

use crate::common;

const LINES: &[&str] = &[
    "Norco 10/325 mg #120",
    "PT 2x6 lumbar spine",
    "Flexeril 7.5mg 1-2 tabs qhs #15",
    "Lidoderm 5% patch #30 x1 refill",
    "home health aide 4 hrs/day 5 days/wk x 6 weeks",
    "Arthroscopy of the left knee",
    "Ranitidine 150mg #60",
];

#[test]
fn lines_read_with_their_places_and_rules() {
    let mut args = vec!["request", "--date", "2016-12-01"];
    args.extend(LINES);
    let o = common::mtus(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    insta::assert_snapshot!(common::stdout(&o));
}

#[test]
fn a_misspelt_treatment_is_a_located_error_with_a_suggestion() {
    let o = common::mtus(&["request", "--date", "2016-12-01", "PT 2x6 lumbar", "Flexerl 10 mg #60"]);
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(err.contains("error[misspelt_treatment]"), "{err}");
    assert!(err.contains("<line 2>:1:1"), "{err}");
    assert!(err.contains("flexeril (cyclobenzaprine)"), "{err}");
    assert!(err.contains("1 problem in 2 lines"), "{err}");
}

#[test]
fn a_treatment_with_no_rule_is_not_a_typo() {
    let o = common::mtus(&["request", "--date", "2016-12-01", "hearing aids bilateral"]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(out.contains("= hearing_aid"), "{out}");
}

#[test]
fn json_is_one_object_per_line_from_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .current_dir(common::root())
        .args(["request", "--format", "json", "--date", "2016-12-01"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mtus");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"Norco 10/325 mg #120\n\nPT 2x6 lumbar spine\n")
        .expect("write");
    let o = child.wait_with_output().expect("mtus");
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let lines: Vec<serde_json::Value> = common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object"))
        .collect();
    assert_eq!(lines.len(), 2, "the blank line is skipped");
    assert_eq!(lines[0]["source"], "<stdin>:1");
    assert_eq!(lines[0]["treatment"]["resolution"]["id"], "hydrocodone_acetaminophen");
    assert_eq!(lines[0]["strength"][1]["amount"], 325.0);
    assert_eq!(lines[0]["quantity"]["amount"]["lo"], 120.0);
    assert_eq!(lines[1]["source"], "<stdin>:3");
    assert_eq!(lines[1]["quantity"]["amount"]["lo"], 12.0);
    assert_eq!(lines[1]["quantity"]["derived"], true);
    assert_eq!(lines[1]["regions"][0]["name"], "lumbar_spine");
    assert_eq!(lines[1]["rules"]["status"], "decided");
}

/// Each request of the real set has the line as the letter lists it
/// (`text:`) and the treatment a person chose (`treatment:`). The line
/// alone must give the same treatment, but for the lines listed here,
/// which a person reads with the rest of the letter. (The loader now
/// holds every case to this: a `text:` that names another treatment than
/// `treatment:` is an error, so two such lines of the set became the
/// RFA's words or a comment, each with the reason in its case file.)
#[test]
fn real_request_lines_name_the_treatment_a_person_encoded() {
    const READ_OTHERWISE: &[(&str, &str)] = &[
        // "Ultrasound" alone is as often imaging as therapy.
        ("Ultrasound 1 times 8", "unknown"),
    ];
    let (_, rules) = common::shipped_rules();
    let catalog = &rules.program.catalog;
    let dir = common::root().join("cases/imr-2016");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases/imr-2016")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let (mut read, mut same, mut otherwise) = (0, 0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).expect("case file");
        let mut line_text: Option<String> = None;
        for l in text.lines() {
            let l = l.trim_start().trim_start_matches("- ");
            if l.starts_with("id: ") {
                // A new request: a `text:` above it (a diagnosis's) is not its line.
                line_text = None;
            }
            if let Some(v) = l.strip_prefix("text: ") {
                line_text = Some(v.trim().trim_matches('"').to_string());
            } else if let Some(v) = l.strip_prefix("treatment: ") {
                let Some(written) = line_text.take() else { continue };
                let encoded = v.split('#').next().unwrap_or("").trim();
                let want = catalog.resolve(encoded).map(|t| catalog.treatment(t).name.clone());
                let got = match mtus::request::read(&rules, &written).treatment.map(|t| t.resolution) {
                    Some(mtus::request::Resolution::Known { id }) => id,
                    _ => "unknown".to_string(),
                };
                read += 1;
                if Some(&got) == want.as_ref() {
                    same += 1;
                } else {
                    otherwise.push((written, got));
                }
            }
        }
    }
    // 250 requests; one (CM16-0248233, "hand therapy" that is physical
    // therapy) keeps its letter line as a comment, since `text:` must
    // agree with `treatment:`.
    assert!(read >= 249, "{read} request lines found");
    let expected: Vec<(String, String)> = READ_OTHERWISE
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(otherwise, expected, "{same} of {read} lines give the encoded treatment");
}

/// The treatment every shipped case's `text` reads as, against the case's
/// own `treatment:`, found when the two were compared across `cases/`: a
/// canonical name with `_` is one name, and a compounded cream is a
/// topical compound whatever its first ingredient.
#[test]
fn canonical_names_and_compounded_creams_read_as_written() {
    let lines = [
        ("hydrocodone_acetaminophen", "hydrocodone_acetaminophen"),
        ("diclofenac_misoprostol 75-0.2mg #60", "diclofenac_misoprostol"),
        ("Methyl salicylate / menthol compounded cream", "topical_compound"),
        ("Salonpas patch #30", "topical_salicylate"),
    ];
    let mut args = vec!["request", "--date", "2016-12-01", "--format", "json"];
    args.extend(lines.iter().map(|(l, _)| *l));
    let o = common::mtus(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let read: Vec<serde_json::Value> = common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(read.len(), lines.len());
    for ((line, want), r) in lines.iter().zip(&read) {
        assert_eq!(r["treatment"]["resolution"]["id"], *want, "{line}: {r}");
    }
}
