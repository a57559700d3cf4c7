#!/usr/bin/env bash
# Seed the fuzz corpora from the repository's own files: rule files for
# `rules` and `fmt_roundtrip`, case files for `yaml_case` and `yaml_fast`
# (with generated YAML files for the latter), JSON lines (the audit
# fixtures' and freshly generated ones, extremes included) for
# `jsonl_case`. The corpora live in fuzz/corpus/TARGET/ and are not
# committed; libFuzzer adds what it finds there.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/rules corpus/fmt_roundtrip corpus/yaml_case corpus/yaml_fast corpus/jsonl_case

# Rule files. The `rules` target reads its first byte as a switch (odd: add
# the shipped rules; even: the file alone), so its seeds start with a
# newline (even): every file alone, and all shipped files as one file,
# which checks on its own.
for f in "$root"/rules/*.mtus "$root"/tests/fixtures/*/*.mtus "$root"/tests/fixtures/*/*/*.mtus; do
    [ -f "$f" ] || continue
    name=$(echo "${f#"$root"/}" | tr '/' '_')
    cp "$f" "corpus/fmt_roundtrip/$name"
    { printf '\n'; cat "$f"; } > "corpus/rules/$name"
done
{ printf '\n'; cat "$root"/rules/*.mtus; } > corpus/rules/all-shipped.mtus

# YAML cases.
for f in "$root"/cases/*.yaml "$root"/tests/fixtures/*.yaml "$root"/tests/fixtures/*/*.yaml \
    "$root"/tests/fixtures/*/*/*.yaml; do
    [ -f "$f" ] || continue
    cp "$f" "corpus/yaml_case/$(echo "${f#"$root"/}" | tr '/' '_')"
done
# The fast path's corpus: the same files, and a few generated ones.
cp corpus/yaml_case/* corpus/yaml_fast/

# JSON lines: the audit fixtures', then generated ones (plain and extreme).
n=0
split_lines() {
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        n=$((n + 1))
        printf '%s' "$line" > "corpus/jsonl_case/$1-$n.json"
    done
}
for f in "$root"/tests/fixtures/*/*.jsonl; do
    [ -f "$f" ] || continue
    split_lines fixture < "$f"
done
mtus() { cargo run --locked --quiet --manifest-path "$root/Cargo.toml" -- "$@"; }
mtus generate --seed 1 --count 100 | split_lines generated
mtus generate --seed 2 --count 100 --extremes 0.5 | split_lines extreme
tmp=$(mktemp -d)
mtus generate --seed 3 --count 50 --extremes 0.3 --format yaml-dir -o "$tmp/yaml"
cp "$tmp"/yaml/*/*.yaml corpus/yaml_fast/
rm -rf "$tmp"

for t in rules fmt_roundtrip yaml_case yaml_fast jsonl_case; do
    echo "corpus/$t: $(find "corpus/$t" -type f | wc -l) files"
done
