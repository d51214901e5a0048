"""How long `zhen check` and `zhen fix` take on one year of one real system's output (the WMT 2025
terminology data: 2016 is 428 paragraphs, 31 thousand characters of Chinese): the target is
under 30 s on a 2-core machine. Prints the CPU flags, each step's seconds, and the share of each.

    python benchmarks/check_fix.py [--system CommandA_MT] [--mode proper] [--year 2016] [--priors PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import time

from zhen.check import check_texts, document_units, fix_texts
from zhen.cpu import cpu_flags
from zhen.glossary import Glossary
from zhen.settings import Settings
from zhen.wmt25 import data_dir, load_year


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", default="CommandA_MT")
    ap.add_argument("--mode", default="proper")
    ap.add_argument("--year", type=int, default=2016)
    ap.add_argument("--priors")
    args = ap.parse_args()
    root = data_dir()
    if root is None:
        raise SystemExit("WMT25 terminology data not found: set ZHEN_WMT25_DATA")
    flags = sorted(f for f in cpu_flags() if f.startswith(("avx", "amx", "sse4")))
    print(f"machine: {os.cpu_count()} cores; flags: {' '.join(flags)}")
    t = {"start": time.perf_counter()}
    docs = load_year(args.year, root)
    path = root / "submissions" / args.system / f"{args.system}.{args.year}.zhen.{args.mode}.jsonl"
    hyps = [json.loads(line)["en"] for line in path.open(encoding="utf-8")]
    pipeline = Settings(engine="none", nested_terms=True, shipped_glossaries=False).pipeline()
    glossary = Glossary.from_mapping(docs[0].proper, f"wmt25-{args.year}")
    zh, en, _ = document_units([d.zh for d in docs], hyps)
    t["read and pair"] = time.perf_counter()
    report = check_texts(pipeline, zh, en, glossaries=[glossary] * len(zh))
    t["check"] = time.perf_counter()
    fixed = fix_texts(pipeline, report, glossaries=[glossary] * len(zh), priors=args.priors)
    t["fix (align, edit, check again)"] = time.perf_counter()
    total = t[list(t)[-1]] - t["start"]
    print(f"{args.system}/{args.mode} {args.year}: {len(zh)} paragraphs, {sum(map(len, zh))} Chinese characters, "
          f"{len(report.findings)} requirements, {len(fixed.edits)} edits")
    names = list(t)
    for a, b in zip(names, names[1:]):
        print(f"  {b:<32} {t[b] - t[a]:6.2f} s  {(t[b] - t[a]) / total:6.1%}")
    print(f"  {'total':<32} {total:6.2f} s  (target: under 30 s)")


if __name__ == "__main__":
    main()
