//! Reading speed on the project's own fixtures (text path: cleaning,
//! sections, items, citations), and on the real letters from PDF on two
//! threads when `$MTUS_SHARED` (else `../shared`) holds them: one
//! iteration reads every PDF of `imr-letters/pdf`, so letters a second is
//! their count over the time shown. `cargo bench -p mtus-letters`.
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

/// The real letters' PDFs, read into memory (the bench measures reading
/// them, not the disk); empty when the shared folder is absent.
fn real_pdfs() -> Vec<Vec<u8>> {
    let shared = std::env::var_os("MTUS_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let Ok(dir) = std::fs::read_dir(shared.join("imr-letters/pdf")) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn read_pdfs_on_two_threads(c: &mut Criterion) {
    use rayon::prelude::*;
    let pdfs = real_pdfs();
    if pdfs.is_empty() {
        eprintln!("read_pdf: no real letters found (set MTUS_SHARED), skipped");
        return;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool of 2 threads");
    let mut group = c.benchmark_group("read_pdf");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(pdfs.len() as u64));
    group.bench_function(format!("{} real letters, 2 threads", pdfs.len()), |b| {
        b.iter(|| {
            pool.install(|| {
                pdfs.par_iter()
                    .map(|p| mtus_letters::read_pdf(std::hint::black_box(p)).map_or(0, |l| l.items.len()))
                    .sum::<usize>()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, read_text, read_pdfs_on_two_threads);
criterion_main!(benches);
