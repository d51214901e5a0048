"""Term success rate, exactly as the WMT 2025 terminology shared task defines it.

For every document and every dictionary entry (source term → accepted targets) whose source term
occurs in the source and at least one of whose targets occurs in the reference (both compared
lower-cased), the entry scores ``min(1, hyp_count / src_count)`` where ``src_count`` counts the
source term in the source and ``hyp_count`` counts occurrences of every accepted target in the
hypothesis (lower-cased substring counts, summed over targets). The rate is the mean over all such
entries of all documents. This is the organisers' definition, kept verbatim so published numbers
reproduce; zhen's own audit (:mod:`zhen.requirements`) is stricter about word boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TermScore:
    entries: int = 0
    total: float = 0.0
    misses: list[tuple[int, str, list[str], int, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.total / self.entries if self.entries else 0.0


def term_success_rate(sources: list[str], hypotheses: list[str], references: list[str],
                      dictionaries: list[dict[str, list[str]]]) -> TermScore:
    """The WMT 2025 term success rate over parallel lists of documents."""
    if not (len(sources) == len(hypotheses) == len(references) == len(dictionaries)):
        raise ValueError("sources, hypotheses, references and dictionaries must have the same length")
    score = TermScore()
    for doc, (src, hyp, ref, terms) in enumerate(zip(sources, hypotheses, references, dictionaries)):
        src_l, hyp_l, ref_l = src.lower(), hyp.lower(), ref.lower()
        for term, targets in terms.items():
            t = term.lower()
            if t not in src_l or not any(x.lower() in ref_l for x in targets):
                continue
            src_count = src_l.count(t)
            hyp_count = sum(hyp_l.count(x.lower()) for x in targets)
            score.entries += 1
            score.total += min(1.0, hyp_count / src_count)
            if hyp_count < src_count:
                score.misses.append((doc, term, targets, src_count, hyp_count))
    return score
