//! Tallies what the reader gets from a folder of letters: each problem
//! kind, each unread citation and each distinct source read.
//! `cargo run -p mtus-letters --example survey -- [DIR]` (default
//! `../shared/imr-letters/pdf`, from the repository root).
use std::collections::BTreeMap;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/imr-letters/pdf".to_string());
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(1);
        }
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems: BTreeMap<String, usize> = BTreeMap::new();
    for p in &paths {
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                continue;
            }
        };
        let l = match mtus_letters::read_pdf(&bytes) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{}: {e}", p.display());
                continue;
            }
        };
        for pr in &l.problems {
            let kind = pr.what.rsplit(' ').next().unwrap_or_default();
            *problems.entry(format!("{kind} {}", pr.message)).or_default() += 1;
        }
        for it in &l.items {
            for c in [&it.claims_administrator, &it.reviewer].into_iter().flatten() {
                if c.evidence == mtus_letters::Evidence::Unread {
                    println!("UNREAD {} {}", p.display(), c.raw);
                }
                for r in &c.refs {
                    let key = format!(
                        "{} | {:?} | mtus={} | {:?} | {:?}",
                        r.source, r.year, r.mtus, r.sections, r.pages
                    );
                    *sources.entry(key).or_default() += 1;
                }
            }
        }
    }
    for (k, v) in &problems {
        println!("P {v} {k}");
    }
    for (k, v) in &sources {
        println!("{v} {k}");
    }
}
