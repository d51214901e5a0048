"""Catch the model's own failures in its English, and say how a retry is to go.

What users report most of opus-mt-zh-en and NLLB on Chinese: output that loops until the length cap
(Helsinki-NLP/Opus-MT#105), a sentence silently dropped (fairseq#5108), empty output
(transformers#15323), Chinese left in the English, and hallucinated tails far longer than the
source. :func:`inspect` checks one segment's English for each, by plain rules on the text and on what
the engine says of its decoding (it stopped at the length cap):

``empty``  nothing came back for a source with words in it
``cjk``    Chinese characters left in the English
``loop``   a phrase of up to 12 words repeated back to back (3 times; a single word 4), a few
           characters repeated 4 times, or a text of 20 words or more with under a third distinct
``cap``    decoding stopped at the length cap, not at the end of a sentence
``long``   more than three times as long as the model's usual English for a source of that length
``short``  under a quarter of the usual length (content dropped) for a source of ten characters or more

The usual length is the model's own: the median ratio of English to source characters over the
run's segments (:func:`usual_ratio`), within bounds, so a model that writes long English is not
flagged for it. The retry that helps depends on the failure (:func:`retry_for`): a loop, a run to
the cap or a long tail is decoded again with repeated n-grams blocked and a repetition penalty; an
empty, short or Chinese-bearing output is translated again clause by clause. The pipeline keeps the
better of the two by :func:`badness`, and flags the segment for review if it still fails.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

#: English characters per source character when a run has too few segments to tell (WMT 2025's
#: odd-year HKMA references: median 3.8; opus-mt-zh-en's English runs a little shorter)
DEFAULT_RATIO = 3.5
_RATIO_BOUNDS = (2.0, 6.0)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORDS = re.compile(r"\w+|[^\w\s]")
# a unit of 2-40 characters with a letter or a character in it, back to back four times or more
_CHAR_LOOP = re.compile(r"(?=(\S.{0,39}?)\1{3,})", re.S)
_SEVERITY = {"empty": 4, "cjk": 3, "loop": 3, "cap": 2, "long": 2, "short": 2}
FINDINGS = tuple(_SEVERITY)


def _source_size(source: str) -> int:
    """How much a source says: its Chinese characters and Latin/digit runs."""
    return len(_HAN.findall(source)) + len(re.findall(r"[A-Za-z0-9]+", source))


def usual_ratio(pairs: Iterable[tuple[str, str]]) -> float:
    """The model's usual English characters per source character over ``(source, english)``
    pairs with ten source characters or more (eight pairs or more needed; else the default)."""
    ratios = [len(en) / n for src, en in pairs if (n := _source_size(src)) >= 10 and en.strip()]
    if len(ratios) < 8:
        return DEFAULT_RATIO
    low, high = _RATIO_BOUNDS
    return min(high, max(low, statistics.median(ratios)))


def _loops(english: str) -> bool:
    """A unit of 1-12 words back to back (a word 4 times, a phrase 3), a text of 20 words or more
    with under a third of them distinct, or a few characters repeated 4 times (output without
    spaces). A tandem repeat of an n-word unit is a run of positions where word i equals word i+n."""
    words = [w.lower() for w in _WORDS.findall(english)]
    for n in range(1, 13):
        need = (4 if n == 1 else 3) - 1
        run = 0
        for i in range(len(words) - n):
            if words[i] != words[i + n]:
                run = 0
                continue
            run += 1
            if run >= need * n and any(w.isalnum() for w in words[i - run + 1:i - run + 1 + n]):
                return True
    if len(words) >= 20 and len(set(words)) * 3 < len(words):
        return True
    for m in _CHAR_LOOP.finditer(english):
        unit = m.group(1)
        if len(unit) >= 2 and any(c.isalpha() or _HAN.match(c) for c in unit):
            return True
    return False


def inspect(source: str, english: str, *, capped: bool = False, ratio: float = DEFAULT_RATIO) -> list[str]:
    """What is wrong with ``english`` as the model's translation of ``source``, as finding names in
    a fixed order (an empty list for sound output)."""
    size = _source_size(source)
    if not size:
        return []
    found = []
    text = english.strip()
    if not text:
        return ["empty"]
    if _HAN.search(text):
        found.append("cjk")
    if _loops(text):
        found.append("loop")
    if capped:
        found.append("cap")
    if len(text) > 3 * ratio * size and len(text) > 60:
        found.append("long")
    if size >= 10 and len(text) * 4 < ratio * size:
        found.append("short")
    return found


def quality_line(segments) -> str:
    """``2 segments retried, 1 flagged (loop 2, cjk 1)`` for a summary, or "" when every output was
    sound."""
    from collections import Counter

    found = [s for s in segments if s.quality]
    if not found:
        return ""
    kinds = Counter(f for s in found for f in s.quality)
    retried = sum(1 for s in found if s.retry)
    flagged = sum(1 for s in found if s.quality_left)
    return (f"{retried} segment{'s' if retried != 1 else ''} retried, {flagged} flagged ("
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common()) + ")")


def segment_note(seg) -> str:
    """What the checks found in a segment's first output and what the retry did, for the notes of
    the demo and of CAT files ("" when its output was sound)."""
    if not seg.quality:
        return ""
    return (f"model output: {', '.join(seg.quality)}; decoded again ({seg.retry or 'no retry'})"
            + (f", still {', '.join(seg.quality_left)}" if seg.quality_left else ", now sound"))


def badness(findings: list[str]) -> int:
    """How bad a set of findings is, to keep the better of two decodings (lower is better)."""
    return sum(_SEVERITY[f] for f in findings)


def retry_for(findings: list[str]) -> str | None:
    """How to decode again: ``no-repeat`` (repeated n-grams blocked, a repetition penalty) for a
    loop, a run to the cap or a long tail; ``clauses`` (the segment translated clause by clause)
    for empty, short or Chinese-bearing output; ``None`` for sound output."""
    if any(f in findings for f in ("loop", "cap", "long")):
        return "no-repeat"
    if findings:
        return "clauses"
    return None
