"""What each segment's English must contain: glossary terms, numbers and dates, names, Latin tokens.

All four are found on the source, resolved into one non-overlapping list per segment (a glossary
entry beats a name, a name beats a number, a number beats a Latin token; longer beats shorter at
the same start), and checked on the output by the same rule (:mod:`zhen.occurrences`), whichever
engine translated it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .glossary import Glossary, TermMatch
from .names import find_person_names
from .numbers import find_numbers
from .occurrences import FUNCTION_WORDS, PLAIN_QUOTES, claim, count, find_words
from .release import Segment, TermHit
from .textnorm import fold

#: a Latin-script word or code (RCEP, COP28, QQ, U.S), never a piece of a longer word: a letter with
#: a diacritic next to it means pinyin with tone marks (環(huán)境) or a foreign word, not a token to copy
_LATIN = re.compile(r"(?<![A-Za-z0-9\u00C0-\u024F])[A-Za-z][A-Za-z0-9&+\-]*(?:\.[A-Za-z0-9]+)*"
                    r"(?![A-Za-z0-9\u00C0-\u024F])")
_PRIORITY = {"term": 0, "name": 1, "date": 2, "number": 2, "latin": 3}


@dataclass
class RequirementFinder:
    """Finds requirements in segment text; one per pipeline run (the names are the release's)."""

    glossary: Glossary = field(default_factory=Glossary)
    names: list[str] = field(default_factory=list)
    disabled: frozenset[str] = frozenset()
    numbers: bool = True
    latin: bool = True
    nested: bool = False

    def find(self, text: str, offset: int = 0) -> list[TermHit]:
        """Requirements in ``text``; offsets are shifted by ``offset`` (the segment's start).

        With ``nested``, a term inside or overlapping a longer one (人民币 in 人民币业务) is required
        too, unless the longer term's rendering already contains its rendering: the reading of the
        WMT terminology task, where every dictionary entry found in the source counts."""
        found: list[TermHit] = []
        all_terms = self.glossary.match_all(text)
        chosen_terms = self.glossary.match(text)
        for m in chosen_terms:
            t = m.term
            found.append(TermHit(m.start, m.end, text[m.start:m.end], t.target, list(t.targets), "term", t.origin))
        extra = [TermHit(m.start, m.end, text[m.start:m.end], m.term.target, list(m.term.targets), "term",
                         m.term.origin + " (nested)")
                 for m, covered in self._inside(all_terms, chosen_terms) if not covered]
        # Numbers, names and Latin tokens are looked for outside glossary terms, so a term wins
        # its characters: 美元 in 5亿美元 stays the glossary's "US dollar" if the glossary has it.
        masked = list(text)
        for m in chosen_terms:
            masked[m.start : m.end] = "\u25a1" * (m.end - m.start)
        text_out = text
        text = "".join(masked)
        for n in find_person_names(text, self.names):
            found.append(TermHit(n.start, n.end, n.name, n.english, [n.english], "name", "pinyin"))
        if self.numbers:
            for q in find_numbers(text, context=text_out):
                kind = "date" if q.kind in ("date", "year") else "number"
                found.append(TermHit(q.start, q.end, text_out[q.start:q.end], q.english, list(q.accepted), kind,
                                     "numbers"))
        if self.latin:
            glossed = _glossed_words(text_out, chosen_terms)
            for m in _LATIN.finditer(text):
                if m.start() not in glossed:
                    found.append(TermHit(m.start(), m.end(), m.group(), m.group(), [m.group()], "latin", "copy"))
        chosen: list[TermHit] = []
        for hit in sorted(found, key=lambda h: (h.start, _PRIORITY[h.kind], -(h.end - h.start))):
            if any(hit.start < c.end and c.start < hit.end for c in chosen):
                continue
            chosen.append(hit)
        chosen = sorted(chosen + extra, key=lambda h: h.start)
        disabled = {fold(d) for d in self.disabled}
        for hit in chosen:
            hit.start += offset
            hit.end += offset
            if hit.kind == "term" and fold(hit.source) in disabled:
                hit.method = "off"
        return chosen


    def _inside(self, all_terms, chosen_terms):
        """With ``nested``, each term inside or overlapping a longer one, and whether the longer
        one's rendering (what zhen writes for it) already contains its own: then it is *covered*,
        required nowhere."""
        if not self.nested:
            return
        chosen_set = set(chosen_terms)
        for m in all_terms:
            if m not in chosen_set:
                outer = [c for c in chosen_terms if m.start < c.end and c.start < m.end]
                yield m, any(a.lower() in c.term.target.lower() for c in outer for a in m.term.targets)

    def covered(self, text: str) -> list[TermMatch]:
        """The terms :meth:`find` leaves out of ``text`` as covered (see :meth:`_inside`), turned-off
        ones apart: ``zhen check`` looks at them where the longer term's rendering is missing."""
        disabled = {fold(d) for d in self.disabled}
        return [m for m, covered in self._inside(self.glossary.match_all(text), self.glossary.match(text))
                if covered and fold(m.term.source) not in disabled]


_GLOSS = re.compile(r"[\s」』”\"’》〉]*[(（]([^()（）]*)[)）]?")


def _glossed_words(text: str, terms) -> set[int]:
    """Where the Latin words of a gloss stand that need no separate place in the English:
    the English a source gives in brackets after a glossary term (国际金融公司(International
    Finance Corporation)) is what the term's rendering already says, so a word of it that an
    accepted rendering holds is placed with the term (and the gloss's small words with them)."""
    out: set[int] = set()
    for m in terms:
        gloss = _GLOSS.match(text, m.end)
        if not gloss:
            continue
        words = {w.lower() for a in m.term.targets for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9&+\-]*", a)}
        inside = list(_LATIN.finditer(text, gloss.start(1), gloss.end(1)))
        if any(w.group().lower() in words for w in inside):
            placed = words | FUNCTION_WORDS
            out |= {w.start() for w in inside if w.group().lower() in placed}
    return out


def count_placed(english: str, accepted: list[str]) -> int:
    """How many non-overlapping times any accepted rendering appears in ``english``."""
    return count(english, accepted)


def mark_found(segment: Segment, english: str, method: str) -> None:
    """Set ``found``/``method`` on the segment's requirements from its English: each takes an
    occurrence of its own (:func:`zhen.occurrences.claim`), so "renminbi" inside "offshore renminbi
    market" does not also count for a separate 人民币, and two 全球发展倡议 need the term twice."""
    hits = [h for h in segment.terms if h.method != "off"]
    for hit, span in zip(hits, claim(english, [h.accepted for h in hits], find_words)):
        hit.found = span is not None
        hit.method = method if hit.found else "missing"


def restore_typography(english: str, hit: TermHit) -> str:
    """Where the model wrote a term with plain quotes (its vocabulary may lack ’), write the
    glossary's typographic form. Only quote marks change: the words are the model's."""
    wanted = hit.target
    plain = wanted.translate(PLAIN_QUOTES)
    if plain == wanted or wanted in english:
        return english
    return english.replace(plain, wanted)


def insert_last_resort(english: str, hit: TermHit) -> str:
    """Put a missing requirement into finished output, outside the model: a case-insensitive
    near-miss is corrected in place; otherwise the rendering is added before the final punctuation.
    The caller flags the segment for review and counts the hit separately."""
    exact = {v for a in hit.accepted for v in (a, a[:1].upper() + a[1:])}
    for variant in hit.accepted:
        for m in re.finditer(re.escape(variant), english, flags=re.IGNORECASE):
            if m.group() not in exact:  # a near miss ("global development initiative"), not a placed one
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
