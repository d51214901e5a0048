"""Exporters render a translated :class:`~zhen.release.Release` as text for people or tools.

Each is a function ``render(release) -> str`` (text formats) or ``-> bytes`` (``docx``, ``tmx``, ``xliff``),
looked up by name and imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Callable

from ..release import Paragraph, Release
from ..occurrences import find_words

EXPORTERS: dict[str, str] = {
    "txt": "zhen.exporters.plain:render",
    "json": "zhen.exporters.jsonout:render",
    "jsonl": "zhen.exporters.jsonl:render",
    "md": "zhen.exporters.markdown:render",
    "docx": "zhen.exporters.docx:render",
    "tmx": "zhen.exporters.tmx:render",
    "xliff": "zhen.exporters.xliff:render",
}
#: what every format says of a segment with a last-resort placement
REVIEW_NOTE = "review: a term or number was inserted after decoding"


def render(release: Release, fmt: str) -> str | bytes:
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
    module, func = EXPORTERS[fmt].split(":")
    renderer: Callable[[Release], str | bytes] = getattr(importlib.import_module(module), func)
    return renderer(release)


def metadata_line(release: Release) -> str:
    """``2023-09-18 09:14 · Source: … · Author: …`` in English (falls back to the Chinese)."""
    meta_en = release.metadata_en
    meta = release.metadata
    parts = []
    if meta.date:
        parts.append(meta.date)
    source = (meta_en.source if meta_en else None) or meta.source
    author = (meta_en.author if meta_en else None) or meta.author
    if source:
        parts.append(f"Source: {source}")
    if author:
        parts.append(f"Author: {author}")
    return " · ".join(parts)


def term_spans(p: Paragraph, english: str | None = None) -> list[tuple[int, int]]:
    """Where the paragraph's glossary terms stand: in its Chinese as received
    (:attr:`~zhen.release.Paragraph.as_received`), or (given ``english``) in that English, where each
    placed term's accepted renderings are found."""
    hits = [h for s in p.segments for h in s.terms if h.kind == "term"]
    if english is None:
        return [p.received_span(h.start, h.end) for h in hits]
    return [span for h in hits if h.found for v in h.accepted for span in find_words(english, v)]


def marked_pieces(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, ``True`` for those that are one of ``spans`` (of overlapping spans
    the first wins): every format highlights terms from this one cut."""
    pieces, at = [], 0
    for start, end in sorted(set(spans)):
        if start < at:
            continue
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    return pieces
