//! Reading speed on the project's own fixtures (text path: cleaning,
//! sections, items, citations). `cargo bench -p mtus-letters`.
use criterion::{Criterion, criterion_group, criterion_main};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_text(c: &mut Criterion) {
    for name in [
        "current.txt",
        "damaged_broken_lines.txt",
        "damaged_footers.txt",
        "legacy_2013.txt",
    ] {
        let text = fixture(name);
        c.bench_function(&format!("read_text {name}"), |b| {
            b.iter(|| mtus_letters::read_text(std::hint::black_box(&text)).map(|l| l.items.len()))
        });
    }
}

criterion_group!(benches, read_text);
criterion_main!(benches);
