//! Reads every item text of the real letters' truth.json (in the shared
//! folder beside the repository) and checks each reads without panicking
//! and yields a treatment phrase. Skips with a note when it is absent.

use mtus_request::{NoVocabulary, read};

/// The folder of the real letters: `$MTUS_SHARED/imr-letters` when
/// `MTUS_SHARED` is set (point it at an empty folder to run as a fresh
/// clone does), else `../shared/imr-letters` beside the repository.
fn letters_dir() -> std::path::PathBuf {
    match std::env::var_os("MTUS_SHARED") {
        Some(d) => std::path::PathBuf::from(d).join("imr-letters"),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/imr-letters"),
    }
}

#[test]
fn letter_items_read() {
    let path = letters_dir().join("truth.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("note: {} is absent; letter items not read", path.display());
        return;
    };
    let cases: serde_json::Value = serde_json::from_str(&text).expect("truth.json is JSON");
    let items: Vec<String> = cases
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["text"].as_str().map(str::to_string))
        .collect();
    assert!(!items.is_empty());
    let (mut quantity, mut region, mut no_treatment) = (0, 0, Vec::new());
    for item in &items {
        let r = read(item, &NoVocabulary);
        if r.treatment.is_none() {
            no_treatment.push(item.clone());
        }
        quantity += usize::from(r.quantity.is_some());
        region += usize::from(!r.regions.is_empty() || !r.levels.is_empty());
    }
    println!(
        "letter items: {}, with a treatment phrase: {}, with a quantity: {quantity}, with a region or level: {region}",
        items.len(),
        items.len() - no_treatment.len()
    );
    assert!(no_treatment.is_empty(), "no treatment phrase: {no_treatment:?}");
}
