"""ROUGE-1, ROUGE-2 and ROUGE-L (F1), for Chinese by character and for English by word.

One scorer for the summarizer's evaluation and the harness. Chinese text is compared character
by character (letters and digits; punctuation and spaces dropped), English word by word, lower-cased.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+")


_MARKDOWN = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|>\s?)|[*_`#]+", re.M)


def tokens(text: str, unit: str = "char") -> list[str]:
    """``char``: letters and digits; ``zh``: every character but whitespace and Markdown marks
    (punctuation kept: the summary scorer of the HKMA and LCSTS evaluations); ``word``: lower-cased
    English words."""
    if unit == "zh":
        return [c for c in _MARKDOWN.sub("", text) if not c.isspace()]
    if unit == "char":
        return [c for c in text if c.isalnum()]
    if unit == "word":
        return _WORD.findall(text.lower())
    raise ValueError("unit is 'char', 'zh' or 'word'")


def _f1(overlap: int, hyp: int, ref: int) -> float:
    if not overlap:
        return 0.0
    p, r = overlap / hyp, overlap / ref
    return 2 * p * r / (p + r)


def rouge_n(hyp: str, ref: str, n: int, unit: str = "char") -> float:
    h, r = tokens(hyp, unit), tokens(ref, unit)
    hc = Counter(tuple(h[i : i + n]) for i in range(len(h) - n + 1))
    rc = Counter(tuple(r[i : i + n]) for i in range(len(r) - n + 1))
    return _f1(sum((hc & rc).values()), sum(hc.values()), sum(rc.values()))


def rouge_l(hyp: str, ref: str, unit: str = "char") -> float:
    a, b = tokens(hyp, unit), tokens(ref, unit)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return _f1(prev[-1], len(a), len(b))


def corpus_rouge(hyps: list[str], refs: list[str], unit: str = "char") -> dict[str, float]:
    """Mean F1 over pairs: ``{"rouge1", "rouge2", "rougeL"}``."""
    n = len(hyps)
    return {
        "rouge1": sum(rouge_n(h, r, 1, unit) for h, r in zip(hyps, refs)) / n,
        "rouge2": sum(rouge_n(h, r, 2, unit) for h, r in zip(hyps, refs)) / n,
        "rougeL": sum(rouge_l(h, r, unit) for h, r in zip(hyps, refs)) / n,
    }
