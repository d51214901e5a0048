"""Summaries scored against the HKMA annual reports' own "Highlights" chapters (ROUGE, Chinese by
character), zhen's summarizer beside Lead-k, TextRank and random, side by side.

    python eval/hkma_highlights.py [--years 2016 2017 ...]

Each year: the other chapters of the report are the input (one release, chapters as paragraphs
after their headings), the Highlights chapter (``摘要``, first or second document) the reference;
every system gets the reference's length in characters. Data: ../shared/data (never copied here).
"""

from __future__ import annotations

import argparse
import random
import re

from zhen.metrics.rouge import rouge_l, rouge_n, tokens
from zhen.readers import read_bytes
from zhen.summarize import candidates, summarize_sentences
from zhen.wmt25 import load_year

YEARS = (2015, 2016, 2017, 2019, 2020, 2021, 2022, 2023, 2024)


def _chars(text: str) -> list[str]:
    return tokens(text, "char")


def year_input(year: int, data=None):
    docs = load_year(year, data)
    hi = next(d for d in docs[:2] if re.search(r"摘要|Highlights", d.zh.split("\n", 1)[0]))
    rest = "\n\n".join(d.zh for d in docs if d is not hi)
    return read_bytes(rest.encode("utf-8"), "report.md"), hi.zh.split("\n", 1)[1]


def lead(release, chars: int) -> str:
    """Lead-k per chapter: the first sentence of each chapter, then the second, … until the budget.
    A chapter starts at each top-level heading (the report's ``# 標題`` lines)."""
    starts = [p.index for p in release.paragraphs if p.kind in ("title", "heading") or len(p.text) < 20]
    chapters: dict[int, list] = {}
    for s in candidates(release):
        chapters.setdefault(max([i for i in starts if i <= s.paragraph], default=0), []).append(s)
    picked, used, k = [], 0, 0
    while used < chars and any(len(v) > k for v in chapters.values()):
        for v in chapters.values():
            if len(v) > k and used + len(v[k].text) <= chars:
                picked.append(v[k])
                used += len(v[k].text)
        k += 1
    picked.sort(key=lambda s: (s.paragraph, s.start))
    return "".join(s.text for s in picked)


def random_pick(release, chars: int, seed: int) -> str:
    cands = candidates(release)
    rng = random.Random(seed)
    rng.shuffle(cands)
    picked, used = [], 0
    for s in cands:
        if used + len(s.text) <= chars:
            picked.append(s)
            used += len(s.text)
    picked.sort(key=lambda s: (s.paragraph, s.start))
    return "".join(s.text for s in picked)


def run(years, data=None) -> dict[str, dict[str, float]]:
    systems = {
        "zhen": lambda rel, n: summarize_sentences(rel, chars=n).text,
        "textrank": lambda rel, n: summarize_sentences(rel, chars=n, weights=(1.0, 0.0, 0.0), mmr=1.0).text,
        "lead": lead,
        "random": lambda rel, n: random_pick(rel, n, 0),
    }
    totals = {k: {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0} for k in systems}
    for y in years:
        release, ref = year_input(y, data)
        for name, fn in systems.items():
            hyp = fn(release, len(_chars(ref)))
            totals[name]["rouge1"] += rouge_n(hyp, ref, 1) / len(years)
            totals[name]["rouge2"] += rouge_n(hyp, ref, 2) / len(years)
            totals[name]["rougeL"] += rouge_l(hyp, ref) / len(years)
    return totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, nargs="+", default=list(YEARS))
    ap.add_argument("--data")
    args = ap.parse_args()
    totals = run(args.years, args.data)
    print(f"HKMA Highlights, years {args.years}; ROUGE F1, Chinese by character (letters and digits)")
    print(f"{'system':<10} {'R-1':>7} {'R-2':>7} {'R-L':>7}")
    for name, s in totals.items():
        print(f"{name:<10} {s['rouge1']:>7.4f} {s['rouge2']:>7.4f} {s['rougeL']:>7.4f}")


if __name__ == "__main__":
    main()
