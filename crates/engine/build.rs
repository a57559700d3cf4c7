//! Embeds the shipped `rules/*.mtus` files in the binary, so `mtus` works
//! from any folder without `--rules`.

use std::fs;
use std::path::Path;

/// The files defining the types serialized in `src/builtin/rules.postcard`.
const MODEL_FILES: &[&str] = &[
    "src/builtin/mod.rs",
    "src/check/model.rs",
    "src/check/confidence.rs",
    "src/diag.rs",
    "src/syntax/ast.rs",
    "src/value.rs",
];

fn main() {
    // The rule files live at the workspace root, two folders up.
    println!("cargo:rerun-if-changed=../../rules");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let repo = format!("{root}/../..");
    let rules_dir = format!("{repo}/rules");
    let dir = Path::new(&rules_dir);
    let mut files: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".mtus"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out =
        String::from("/// The shipped rule files: (display name, text).\npub const FILES: &[(&str, &str)] = &[\n");
    let mut texts = Vec::new();
    for f in &files {
        println!("cargo:rerun-if-changed=../../rules/{f}");
        texts.push((
            f.clone(),
            fs::read_to_string(dir.join(f)).expect("read a shipped rule file"),
        ));
        out.push_str(&format!(
            "    (\"rules/{f}\", include_str!({:?})),\n",
            format!("{repo}/rules/{f}")
        ));
    }
    out.push_str("];\n");
    out.push_str(&format!(
        "/// `rules_hash(FILES)`, worked out at build time.\npub const HASH: &str = {:?};\n",
        rules_hash(&texts)
    ));
    // The source files that define the types the precompiled program
    // (`src/builtin/`) is made of: a change to any of them makes a blob made
    // before it unusable (it is then ignored and the rules parsed) until
    // it is regenerated.
    let mut layout = Vec::new();
    for f in MODEL_FILES {
        println!("cargo:rerun-if-changed={f}");
        layout.push((f.to_string(), fs::read_to_string(f).unwrap_or_default()));
    }
    out.push_str(&format!(
        "/// SHA-256 of the sources of the precompiled program's types.\npub const MODEL_HASH: &str = {:?};\n",
        rules_hash(&layout)
    ));
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");
    embed_drug_lists(&repo);
}

/// `mtus::rules_hash` over (file name, text), computed here so the
/// binary need not hash its own rule files at start-up (`tests/builtin.rs`
/// checks the two agree).
fn rules_hash(files: &[(String, String)]) -> String {
    use sha2::{Digest, Sha256};
    let mut files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The shipped MTUS Drug List files (`rules/drug-list/*.csv`): data, read
/// by `formulary::list`.
fn embed_drug_lists(root: &str) {
    println!("cargo:rerun-if-changed=../../rules/drug-list");
    let mut files: Vec<String> = fs::read_dir(Path::new(&format!("{root}/rules/drug-list")))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out =
        String::from("/// The shipped drug list files: (display name, text).\npub const FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed=../../rules/drug-list/{f}");
        out.push_str(&format!(
            "    (\"rules/drug-list/{f}\", include_str!({:?})),\n",
            format!("{root}/rules/drug-list/{f}")
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_drug_lists.rs");
    fs::write(dest, out).expect("write embedded_drug_lists.rs");
}
