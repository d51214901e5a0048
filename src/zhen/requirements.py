"""What each segment's English must contain: glossary terms, numbers and dates, names, Latin tokens.

All four are found on the source, resolved into one non-overlapping list per segment (a glossary
entry beats a name, a name beats a number, a number beats a Latin token; longer beats shorter at
the same start), and checked on the output by the same function, :func:`count_placed`, whichever
engine translated it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .glossary import Glossary
from .names import find_person_names
from .numbers import find_numbers
from .release import Segment, TermHit

_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9&+\-]*(?:\.[A-Za-z0-9]+)*")
_PRIORITY = {"term": 0, "name": 1, "date": 2, "number": 2, "latin": 3}


@dataclass
class RequirementFinder:
    """Finds requirements in segment text; one per pipeline run (the names are the release's)."""

    glossary: Glossary = field(default_factory=Glossary)
    names: list[str] = field(default_factory=list)
    disabled: frozenset[str] = frozenset()
    numbers: bool = True
    latin: bool = True

    def find(self, text: str, offset: int = 0) -> list[TermHit]:
        """Requirements in ``text``; offsets are shifted by ``offset`` (the segment's start)."""
        found: list[TermHit] = []
        for m in self.glossary.match(text):
            t = m.term
            found.append(TermHit(m.start, m.end, text[m.start:m.end], t.target, list(t.targets), "term", t.origin))
        for n in find_person_names(text, self.names):
            found.append(TermHit(n.start, n.end, n.name, n.english, [n.english], "name", "pinyin"))
        if self.numbers:
            for q in find_numbers(text):
                kind = "date" if q.kind in ("date", "year") else "number"
                found.append(TermHit(q.start, q.end, text[q.start:q.end], q.english, list(q.accepted), kind, "numbers"))
        if self.latin:
            for m in _LATIN.finditer(text):
                found.append(TermHit(m.start(), m.end(), m.group(), m.group(), [m.group()], "latin", "copy"))
        chosen: list[TermHit] = []
        for hit in sorted(found, key=lambda h: (h.start, _PRIORITY[h.kind], -(h.end - h.start))):
            if any(hit.start < c.end and c.start < hit.end for c in chosen):
                continue
            chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        for hit in chosen:
            hit.start += offset
            hit.end += offset
            if hit.kind == "term" and hit.source in self.disabled:
                hit.method = "off"
        return chosen


def _occurrences(text: str, variant: str) -> list[tuple[int, int]]:
    """Where ``variant`` stands in ``text`` as a whole token run (digits and letters not glued on);
    a lower-case variant also counts capitalized (sentence-initial)."""
    forms = {variant}
    if variant[:1].islower():
        forms.add(variant[0].upper() + variant[1:])
    spans = []
    for form in forms:
        left = r"(?<![A-Za-z0-9])" if form[:1].isalnum() else ""
        right = r"(?![A-Za-z0-9])" if form[-1:].isalnum() else ""
        spans += [(m.start(), m.end()) for m in re.finditer(left + re.escape(form) + right, text)]
    return spans


def count_placed(english: str, accepted: list[str]) -> int:
    """How many non-overlapping times any accepted rendering appears in ``english``."""
    spans = sorted({s for v in accepted if v for s in _occurrences(english, v)}, key=lambda s: (s[0], -s[1]))
    count, taken = 0, -1
    for start, end in spans:
        if start >= taken:
            count += 1
            taken = end
    return count


def mark_found(segment: Segment, english: str, method: str) -> None:
    """Set ``found``/``method`` on the segment's requirements from its English. Requirements with the
    same renderings share the occurrences: two 全球发展倡议 need the term twice."""
    groups: dict[tuple[str, ...], list[TermHit]] = {}
    for hit in segment.terms:
        if hit.method != "off":
            groups.setdefault(tuple(hit.accepted), []).append(hit)
    for accepted, hits in groups.items():
        n = count_placed(english, list(accepted))
        for i, hit in enumerate(hits):
            hit.found = i < n
            hit.method = method if hit.found else "missing"


def insert_last_resort(english: str, hit: TermHit) -> str:
    """Put a missing requirement into finished output, outside the model: a case-insensitive
    near-miss is corrected in place; otherwise the rendering is added before the final punctuation.
    The caller flags the segment for review and counts the hit separately."""
    for variant in hit.accepted:
        m = re.search(re.escape(variant), english, flags=re.IGNORECASE)
        if m:
            return english[: m.start()] + hit.target + english[m.end() :]
    body = english.rstrip()
    if not body:
        return hit.target
    if body[-1] in ".!?":
        return f"{body[:-1]} ({hit.target}){body[-1]}"
    return f"{body} ({hit.target})"


@dataclass
class PlacementStats:
    """Counts for the audit summary; ``without_last_resort`` is the honest figure."""

    total: int = 0
    placed: int = 0
    without_last_resort: int = 0
    off: int = 0

    def add(self, hit: TermHit) -> None:
        if hit.method == "off":
            self.off += 1
            return
        self.total += 1
        self.placed += hit.found
        self.without_last_resort += hit.found and hit.method != "last-resort"

    def rate(self, honest: bool = False) -> float:
        return (self.without_last_resort if honest else self.placed) / self.total if self.total else 1.0


def placement_stats(segments: list[Segment]) -> dict[str, PlacementStats]:
    """``{"terms": …, "fidelity": …}``: glossary terms, and numbers/dates/names/Latin tokens."""
    stats = {"terms": PlacementStats(), "fidelity": PlacementStats()}
    for seg in segments:
        for hit in seg.terms:
            stats["terms" if hit.kind == "term" else "fidelity"].add(hit)
    return stats
