//! Arbitrary bytes as a rule file, alone or added to the shipped rules
//! (the first byte chooses): parsing, checking and compiling never panic,
//! and a file that checks formats to a fixed point that parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::format::format_source;
use mtus::syntax::parse_file;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut files: Vec<(&str, &str)> = Vec::new();
    if choice & 1 == 1 {
        files.extend(mtus::embedded::FILES.iter().copied());
    }
    files.push(("fuzz.mtus", text));
    let mut sources = SourceMap::new();
    if RuleSet::from_texts(&mut sources, files).is_err() {
        return;
    }
    let file = sources.add("fuzz-format.mtus", text);
    let once = match format_source(file, text) {
        Ok(once) => once,
        Err(e) => panic!("a rule file that checks does not format: {e}\ninput:\n{text}"),
    };
    let (_, diags) = parse_file(file, &once);
    assert!(
        diags.is_empty(),
        "the formatted file does not parse: {diags:?}\nformatted:\n{once}"
    );
    match format_source(file, &once) {
        Ok(twice) => assert_eq!(once, twice, "formatting is not idempotent\ninput:\n{text}"),
        Err(e) => panic!("formatted text does not format again: {e}\nformatted:\n{once}"),
    }
});
