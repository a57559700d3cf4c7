#!/usr/bin/env bash
# Seed the fuzz corpora from the repository's own files: rule files for
# `rules` and `fmt_roundtrip`, case files for `yaml_case` and `yaml_fast`
# (with generated YAML files for the latter), JSON lines (the audit
# fixtures' and freshly generated ones, extremes included) for
# `jsonl_case`; the letter and request-line readers' fixtures for
# `letter_text`, `letter_pdf` and `request_line`. The corpora live in
# fuzz/corpus/TARGET/ and are not committed; libFuzzer adds what it finds
# there.
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/rules corpus/fmt_roundtrip corpus/yaml_case corpus/yaml_fast corpus/jsonl_case \
    corpus/letter_text corpus/letter_pdf corpus/request_line

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

# Letters: the letter reader's text fixtures (made up, not real letters);
# a one-page PDF with a text layer for the PDF reader.
for f in "$root"/crates/letters/tests/fixtures/*.txt; do
    [ -f "$f" ] || continue
    cp "$f" "corpus/letter_text/$(basename "$f")"
done
printf '%s\n' '%PDF-1.4' '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj' \
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj' \
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj' \
    '4 0 obj << /Length 44 >> stream' 'BT /F1 12 Tf 72 720 Td (Page 1 of 1) Tj ET' 'endstream endobj' \
    'trailer << /Root 1 0 R >>' '%%EOF' > corpus/letter_pdf/one-page.pdf

# Request lines: one file per line of the request reader's fixture.
n=0
while IFS= read -r line; do
    case "$line" in '' | //*) continue ;; esac
    n=$((n + 1))
    printf '%s' "$line" > "corpus/request_line/line-$n.txt"
done < "$root"/crates/request/tests/fixtures/lines.txt

for t in rules fmt_roundtrip yaml_case yaml_fast jsonl_case letter_text letter_pdf request_line; do
    echo "corpus/$t: $(find "corpus/$t" -type f | wc -l) files"
done
