"""zhen's own metrics as objects, in sacrebleu's shape: ``corpus_score(...)`` and a signature, so a
term-success or number-fidelity figure can be reproduced (same signature) or refused, as BLEU's can.

- :class:`TermSuccess`: the WMT 2025 terminology task's term success rate (:mod:`.terms`).
- :class:`TermConsistency`: how often a repeated term keeps its most used rendering.
- :class:`NumberFidelity`: the share of source numbers, dates and amounts whose English (any
  accepted form, found by zhen's audit with word boundaries) is in the hypothesis.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from .. import __version__
from ..numbers import find_numbers
from ..requirements import count_placed
from .terms import TermScore, term_success_rate


class ZhenMetric:
    """A corpus-level metric with a signature: ``name:…|setting:value|…|version:…``."""

    name = ""
    settings: dict[str, str] = {}

    def signature(self) -> str:
        return "|".join([f"metric:{self.name}", *(f"{k}:{v}" for k, v in self.settings.items()),
                         f"version:zhen-{__version__}"])


class TermSuccess(ZhenMetric):
    name = "terms"
    settings = {"def": "wmt25", "case": "lc", "match": "substring", "ref": "target-in-reference"}

    def corpus_score(self, sources, hypotheses, references, dictionaries) -> TermScore:
        return term_success_rate(sources, hypotheses, references, dictionaries)


class TermConsistency(ZhenMetric):
    name = "consistency"
    settings = {"case": "lc", "match": "substring", "min_repeats": "2"}

    def corpus_score(self, sources, hypotheses, dictionaries) -> float:
        """Share of repeated terms' occurrences rendered with the entry's most used rendering."""
        used = total = 0
        for src, hyp, terms in zip(sources, hypotheses, dictionaries):
            src_l, hyp_l = src.lower(), hyp.lower()
            for term, targets in terms.items():
                n = src_l.count(term.lower())
                if n < 2:
                    continue
                counts = Counter({t: hyp_l.count(t.lower()) for t in targets})
                top = counts.most_common(1)[0][1] if counts else 0
                used += min(n, top)
                total += n
        return used / total if total else float("nan")


@lru_cache(maxsize=4096)
def _source_numbers(src: str) -> Counter[tuple[str, ...]]:
    """The numbers of a source unit, found once however many systems are scored."""
    return Counter(m.accepted for m in find_numbers(src))


class NumberFidelity(ZhenMetric):
    name = "numbers"
    settings = {"finder": "zhen-numbers", "match": "word-boundary", "repeats": "counted"}

    def corpus_score(self, sources, hypotheses) -> float:
        placed = total = 0
        for src, hyp in zip(sources, hypotheses):
            for accepted, n in _source_numbers(src).items():
                total += n
                placed += min(n, count_placed(hyp, list(accepted)))
        return placed / total if total else float("nan")
