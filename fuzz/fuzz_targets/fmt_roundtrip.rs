//! The formatter on arbitrary rule text: never panics, never reports an
//! internal error (a layout that changes the meaning, loses a comment or
//! does not settle), and formatting its output changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtus::diag::SourceMap;
use mtus::format::{FormatError, format_source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.mtus", text);
    match format_source(file, text) {
        Ok(once) => match format_source(file, &once) {
            Ok(twice) => assert_eq!(once, twice, "formatting is not idempotent\ninput:\n{text}"),
            Err(e) => panic!("formatted text does not format again: {e}\ninput:\n{text}\nformatted:\n{once}"),
        },
        Err(FormatError::Syntax(_)) => {}
        Err(e @ FormatError::Internal(_)) => panic!("{e}\ninput:\n{text}"),
    }
});
