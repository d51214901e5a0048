"""Summaries scored against the HKMA annual reports' own "Highlights" chapters, zhen's summarizer
beside Lead-k, TextRank (jieba words) and random, side by side in one report.

    python eval/hkma_highlights.py [--years 2016 2017 ...] [--model PATH] [--data DIR]

Each year: the report's other chapters are the input (one Markdown release, the chapters' ``#``
lines as headings), the Highlights chapter (``摘要``, first or second document) the reference;
every system gets the reference's length in characters.

Chinese ROUGE-1/2/L F1 is by character (letters and digits; punctuation and spaces dropped).
English ROUGE is by word (lower-cased) against the English Highlights, for two Englishes of the
same picked sentences: ``human`` — the report's own English of each picked sentence (the data is
aligned by paragraph; within a paragraph, the sentence at the same relative position), which
scores the choice of sentences without any translation error; and, with ``--model``, ``zhen`` —
the sentences translated by zhen's pipeline. Data: ../shared/data (never copied here).
"""

from __future__ import annotations

import argparse
import math
import random
import re

from zhen.metrics.rouge import rouge_l, rouge_n, tokens
from zhen.readers import read_bytes
from zhen.segment import sentence_spans
from zhen.summarizer import Sentence, candidates, english_of, summarize_sentences
from zhen.wmt25 import load_year

YEARS = (2015, 2016, 2017, 2019, 2020, 2021, 2022, 2023, 2024)
METRICS = ("rouge1", "rouge2", "rougeL")
_MD = re.compile(r"^\s{0,3}#{1,6}\s+")
_EN_SENT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z0-9“\"(])")


class Year:
    """One report: the input release, the Highlights (Chinese and English), the English of every
    input paragraph keyed by its Chinese text."""

    def __init__(self, year: int, data=None):
        docs = load_year(year, data)
        hi = next(d for d in docs[:2] if re.search(r"摘要|Highlights", d.zh.split("\n", 1)[0]))
        rest = [d for d in docs if d is not hi]
        self.year = year
        self.release = read_bytes("\n\n".join(d.zh for d in rest).encode("utf-8"), "report.md")
        self.ref_zh = hi.zh.split("\n", 1)[1]
        self.ref_en = hi.en.split("\n", 1)[1]
        self.english: dict[str, str] = {}
        for d in rest:
            zh, en = d.zh.split("\n"), d.en.split("\n")
            if len(zh) == len(en):
                for z, e in zip(zh, en):
                    self.english.setdefault(_MD.sub("", z).strip(), _MD.sub("", e).strip())

    @property
    def chars(self) -> int:
        return len(tokens(self.ref_zh, "char"))

    def human_english(self, picked: list[Sentence]) -> str:
        """The report's own English of each picked sentence (see the module's note)."""
        paragraphs = {p.index: p.text for p in self.release.paragraphs}
        out = []
        for s in picked:
            text = paragraphs[s.paragraph]
            en = self.english.get(text.strip())
            if not en:
                continue
            spans = sentence_spans(text)
            k = next((i for i, (a, _) in enumerate(spans) if a == s.start), 0)
            en_sents = _EN_SENT.split(en)
            lo = k * len(en_sents) // len(spans)
            hi = max(lo + 1, (k + 1) * len(en_sents) // len(spans))
            out.append(" ".join(en_sents[lo:hi]))
        return " ".join(out)


def _fill(cands: list[Sentence], order, chars: int) -> list[Sentence]:
    picked, used = [], 0
    for i in order:
        if used + len(cands[i].text) <= chars:
            picked.append(cands[i])
            used += len(cands[i].text)
    return sorted(picked, key=lambda s: (s.paragraph, s.start))


def zhen_summary(release, chars: int) -> list[Sentence]:
    return summarize_sentences(release, chars=chars).sentences


def lead(release, chars: int) -> list[Sentence]:
    """Lead-k per chapter: the first k sentences after each chapter's heading, k = budget ÷
    (chapters × 60) characters (at least 1); those sentences taken whole, in document order, until
    the next would pass the budget. A chapter starts at each heading."""
    starts = [p.index for p in release.paragraphs if p.kind in ("title", "heading")]
    chapters: dict[int, list] = {}
    for s in candidates(release):
        chapters.setdefault(max([i for i in starts if i <= s.paragraph], default=0), []).append(s)
    k = max(1, chars // (len(chapters) * 60)) if chapters else 1
    leads = sorted((s for v in chapters.values() for s in v[:k]), key=lambda s: (s.paragraph, s.start))
    picked, used = [], 0
    for s in leads:
        if used + len(s.text) > chars:
            break
        picked.append(s)
        used += len(s.text)
    return picked


def textrank_jieba(release, chars: int) -> list[Sentence]:
    """TextRank as textrank4zh and ``jieba.analyse`` do it: jieba words minus jieba's stop words,
    sentence similarity |Si ∩ Sj| / (log|Si| + log|Sj|) (Mihalcea & Tarau 2004), PageRank with
    damping 0.85; the highest-ranked sentences that fit, in document order."""
    import logging

    import jieba
    import jieba.analyse
    import numpy as np

    jieba.setLogLevel(logging.WARNING)
    stop = jieba.analyse.default_textrank.stop_words
    cands = candidates(release)
    words = [[w for w in jieba.lcut(s.text) if w.strip() and w not in stop and any(c.isalnum() for c in w)]
             for s in cands]
    sets = [set(w) for w in words]
    n = len(cands)
    w = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if len(words[i]) > 1 and len(words[j]) > 1:
                overlap = len(sets[i] & sets[j])
                if overlap:
                    w[i, j] = w[j, i] = overlap / (math.log(len(words[i])) + math.log(len(words[j])))
    rows = w.sum(axis=1, keepdims=True)
    m = np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)
    r = np.full(n, 1.0 / n)
    for _ in range(100):
        r = 0.15 / n + 0.85 * (m.T @ r)
    return _fill(cands, sorted(range(n), key=lambda i: (-r[i], i)), chars)


def centrality_only(release, chars: int) -> list[Sentence]:
    """Ablation: zhen's own centrality (char-bigram TextRank) with no lead, title or MMR."""
    return summarize_sentences(release, chars=chars, weights=(1.0, 0.0, 0.0), mmr=1.0).sentences


def random_pick(release, chars: int, seed: int = 0) -> list[Sentence]:
    cands = candidates(release)
    order = list(range(len(cands)))
    random.Random(seed).shuffle(order)
    return _fill(cands, order, chars)


SYSTEMS = {
    "zhen": zhen_summary,
    "lead": lead,
    "textrank": textrank_jieba,
    "random": random_pick,
    "zhen-centrality": centrality_only,
}
#: the baselines the summarizer has to beat; ``zhen-centrality`` is an ablation, shown, not a bar
BASELINES = ("lead", "textrank", "random")


def _scores(hyp: str, ref: str, unit: str) -> dict[str, float]:
    return {"rouge1": rouge_n(hyp, ref, 1, unit), "rouge2": rouge_n(hyp, ref, 2, unit),
            "rougeL": rouge_l(hyp, ref, unit)}


def run(years, data=None, pipeline=None, systems=None) -> dict:
    """``{"per_year": {year: {side: {system: scores}}}, "mean": {side: {system: scores}}}``; sides
    are ``zh`` (by character), ``en-human`` and, with a pipeline, ``en-zhen`` (by word)."""
    systems = systems or SYSTEMS
    per_year: dict = {}
    for y in years:
        item = Year(y, data)
        sides: dict = {"zh": {}, "en-human": {}}
        if pipeline is not None:
            sides["en-zhen"] = {}
        for name, fn in systems.items():
            picked = fn(item.release, item.chars)
            sides["zh"][name] = _scores("".join(s.text for s in picked), item.ref_zh, "char")
            sides["en-human"][name] = _scores(item.human_english(picked), item.ref_en, "word")
            if pipeline is not None:
                sides["en-zhen"][name] = _scores(_translate(pipeline, item.release, picked), item.ref_en, "word")
        per_year[y] = sides
    mean = {side: {name: {m: sum(per_year[y][side][name][m] for y in years) / len(years) for m in METRICS}
                   for name in systems} for side in per_year[years[0]]}
    return {"per_year": per_year, "mean": mean}


def _translate(pipeline, release, picked: list[Sentence]) -> str:
    """zhen's English of the picked sentences, translated where they stand in the report (their
    requirements found in the whole report, as ``zhen summarize -m`` does)."""
    if not picked:
        return ""
    english_of(release, picked, pipeline)
    return " ".join(s.english or "" for s in picked)


def report(result: dict, years) -> str:
    titles = {"zh": "Chinese, ROUGE F1 by character",
              "en-human": "English by word: the report's own English of the picked sentences",
              "en-zhen": "English by word: zhen's translation of the picked sentences"}
    lines = [f"HKMA Highlights, years {' '.join(map(str, years))}; every system gets the Highlights' length"]
    for side, table in result["mean"].items():
        lines += ["", titles[side], f"{'system':<16} {'R-1':>7} {'R-2':>7} {'R-L':>7}   wins vs each baseline (of {len(years)} years)"]
        for name, s in table.items():
            wins = ""
            if name == "zhen":
                wins = "  ".join(
                    f"{b}: " + "/".join(str(sum(result['per_year'][y][side]['zhen'][m] > result['per_year'][y][side][b][m]
                                                for y in years)) for m in METRICS)
                    for b in BASELINES)
            lines.append(f"{name:<16} {s['rouge1']:>7.4f} {s['rouge2']:>7.4f} {s['rougeL']:>7.4f}   {wins}")
    lines += ["", "Per year (Chinese, R-1/R-2/R-L):"]
    names = list(result["mean"]["zh"])
    lines.append(f"{'year':<6}" + "".join(f"{n:>24}" for n in names))
    for y in years:
        row = result["per_year"][y]["zh"]
        lines.append(f"{y:<6}" + "".join(f"{'/'.join(f'{row[n][m]:.3f}' for m in METRICS):>24}" for n in names))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, nargs="+", default=list(YEARS))
    ap.add_argument("--data", help="the wmt25-terminology-zhen folder (default: ../shared/data or $ZHEN_WMT25_DATA)")
    ap.add_argument("--model", help="also translate each summary with zhen (model name or folder)")
    args = ap.parse_args()
    pipeline = None
    if args.model:
        from zhen.settings import Settings

        pipeline = Settings(model=args.model).pipeline()
    print(report(run(args.years, args.data, pipeline), args.years))


if __name__ == "__main__":
    main()
