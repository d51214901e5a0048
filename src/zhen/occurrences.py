"""Where required renderings occur, and which occurrence serves which requirement: one finder for
the audit (English text) and the engines (hypotheses as token-id strings), so "placed" means the
same thing when decoding is steered, when a hypothesis is repaired and when the result is checked.

An occurrence serves one requirement, and longer renderings claim theirs first: "renminbi" inside
"offshore renminbi market" does not also count for a separate 人民币, and two 全球发展倡议 in a
sentence need the term twice. Renderings are tried longest first across all requirements, each
taking its first occurrence not yet taken for a requirement that has none yet: a requirement's
long rendering that is absent gives its short one no precedence ("Fintech Connect" is claimed
before 金融科技's "fintech", though 金融科技 also accepts "fintech innovation").
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

Span = tuple[int, int]
Finder = Callable[[str, str], Iterable[Span]]

#: English words that carry no term's meaning: what a gloss, an aligned span or a reworded term
#: may have around its content words
FUNCTION_WORDS = frozenset({"of", "the", "and", "a", "an", "for", "in", "on", "to", "with", "at", "by"})

#: typographic quotes → plain ones: the same mark for the audit, and what engines steer to
PLAIN_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def find_all(haystack: str, needle: str) -> list[Span]:
    """Every occurrence of ``needle``, overlapping ones too (``str.find``: C speed, so a
    hypothesis of token ids is searched as a string of ``chr(id)``)."""
    spans = []
    at = haystack.find(needle) if needle else -1
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return spans


def find_words(text: str, variant: str) -> list[Span]:
    """Where ``variant`` stands in English ``text`` as a whole token run (digits and letters not
    glued on, but a plural ending allowed: SMEs for SME); a lower-case variant also counts
    capitalized (sentence-initial); typographic and plain quotes are the same."""
    text = text.translate(PLAIN_QUOTES)
    variant = variant.translate(PLAIN_QUOTES)
    forms = {variant}
    if variant[:1].islower():
        forms.add(variant[0].upper() + variant[1:])
    spans = []
    for form in forms:
        left = r"(?<![A-Za-z0-9])" if form[:1].isalnum() else ""
        right = r"(?:e?s)?(?![A-Za-z0-9])" if form[-1:].isalpha() else r"(?![0-9])" if form[-1:].isdigit() else ""
        pattern = re.compile(left + re.escape(form) + right)
        at = 0
        while (m := pattern.search(text, at)) is not None:  # overlapping occurrences too
            spans.append((m.start(), m.end()))
            at = m.start() + 1
    return spans


def claim(haystack: str, wanted: Sequence[Sequence[str]], find: Finder = find_all) -> list[Span | None]:
    """For each requirement (its accepted renderings), the occurrence it takes in ``haystack``,
    or ``None``; see the module's docstring for the rule."""
    taken = bytearray(len(haystack) + 1)
    out: list[Span | None] = [None] * len(wanted)
    tries = sorted(((i, v) for i, variants in enumerate(wanted) for v in dict.fromkeys(variants) if v),
                   key=lambda t: -len(t[1]))  # stable: requirements in their order within one length
    found: dict[str, list[Span]] = {}
    for i, variant in tries:
        if out[i] is not None:
            continue
        if variant not in found:
            found[variant] = sorted(find(haystack, variant), key=lambda s: (s[0], -s[1]))  # earliest, then longest
        span = next(((a, b) for a, b in found[variant] if not any(taken[a:b])), None)
        if span is not None:
            taken[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
            out[i] = span
    return out


def count(haystack: str, accepted: Sequence[str], find: Finder = find_words) -> int:
    """How many non-overlapping times any accepted rendering appears (earliest first)."""
    n, end_of_last = 0, -1
    for start, end in sorted({s for v in accepted if v for s in find(haystack, v)}, key=lambda s: (s[0], -s[1])):
        if start >= end_of_last:
            n, end_of_last = n + 1, end
    return n
