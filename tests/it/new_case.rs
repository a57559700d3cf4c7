//! `mtus new`: a case template with the facts the rules in force read.

use crate::common;

use common::{mtus, stderr, stdout};

#[test]
fn a_template_for_massage_in_2015() {
    let o = mtus(&["new", "massage", "--date", "2015-06-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn the_template_loads_and_every_fact_it_offers_is_read_by_a_rule_in_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("new.yaml");
    let path = file.to_str().expect("utf-8");
    let o = mtus(&["new", "Flexeril", "--date", "2015-05-06", "--out", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // As written (every fact commented out) it is a case that loads.
    let o = mtus(&["check", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("treatment: cyclobenzaprine, requested 2015-05-06"));
    // The facts offered are the ones the muscle relaxant rules read.
    let text = std::fs::read_to_string(&file).expect("read");
    for key in ["# muscle_spasm: ", "# acute_exacerbation: ", "# intent: "] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
    assert!(
        !text.contains("# visits: "),
        "massage facts in a Flexeril template:\n{text}"
    );
    // It does not write over a file without --force.
    let o = mtus(&["new", "Flexeril", "--out", path]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("exists; give --force"), "{}", stderr(&o));
    let o = mtus(&["new", "massage", "--out", path, "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .contains("treatment: massage_therapy")
    );
}

#[test]
fn an_unknown_treatment_or_date_is_an_error() {
    let o = mtus(&["new", "flexiril"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
    let o = mtus(&["new", "massage", "--date", "2015-02-30"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("YYYY-MM-DD"), "{}", stderr(&o));
}
