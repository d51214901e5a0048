"""How long a summary of a long report takes: a 40,000-character release, summarized as
``zhen summarize --no-english`` does (reading excluded; the shipped scorer's load counted once).

    python benchmarks/summarize.py [--chars 40000] [--repeat 3]

The report is the HKMA annual report 2024 (every chapter but the Highlights; 39,000 characters, so
2022's chapters follow, cut to the size) where ../shared/data has it, else the sample release's paragraphs repeated under numbered
chapter headings. Target (issue 17): under 2 s on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def report(chars: int):
    from zhen.readers import read_bytes, read_release
    from zhen.release import Paragraph, Release

    try:
        sys.path.insert(0, str(ROOT / "eval"))
        from summary_data import hkma_parts, hkma_report

        rest = [d for y in (2024, 2022) for d in hkma_parts(y)[1]]
        release, what = hkma_report(rest), "HKMA annual report 2024 (and 2022's first chapters)"
    except Exception:
        sample = read_release(ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt")
        body = [p.text for p in sample.paragraphs if p.kind == "body"]
        lines, k = [], 0
        while sum(map(len, lines)) < chars:
            lines += [f"# 第{k + 1}章", *(t.replace("2023", str(2000 + k % 24)) for t in body)]
            k += 1
        release, what = read_bytes("\n\n".join(lines).encode("utf-8"), "report.md"), "the sample release, repeated"
    paragraphs, used = [], 0
    for p in release.paragraphs:
        if used >= chars:
            break
        paragraphs.append(Paragraph(len(paragraphs), p.kind, p.text, level=p.level))
        used += len(p.text)
    return Release(paragraphs, format="markdown"), what


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chars", type=int, default=40_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from zhen.cpu import cpu_flags, int8_dot_flags

    print(f"machine: {os.cpu_count()} cores; avx2: {'avx2' in cpu_flags()}; "
          f"int8 dot-product flags: {', '.join(int8_dot_flags()) or 'none'}")
    release, what = report(args.chars)
    size = sum(len(p.text) for p in release.paragraphs)
    t0 = time.perf_counter()
    from zhen.summary_model import shipped

    shipped()
    load = time.perf_counter() - t0
    from zhen.summarizer import candidates, summarize_sentences

    n = len(candidates(release))
    print(f"report: {what}, {size} characters, {n} candidate sentences; scorer loaded in {load * 1000:.0f} ms")
    for label, length in (("3 sentences", {"sentences": 3}), ("1,000 characters", {"chars": 1000}),
                          ("1 sentence (parts scored too)", {"sentences": 1})):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            summarize_sentences(release, **length)
            times.append(time.perf_counter() - t)
        print(f"{label:<32} best {min(times):.2f} s, mean {sum(times) / len(times):.2f} s "
              f"({'under' if max(times) < 2 else 'OVER'} the 2 s target)")


if __name__ == "__main__":
    main()
