"""Exporters render a translated :class:`~zhen.release.Release` as text for people or tools.

Each is a function ``render(release) -> str`` (text formats) or ``-> bytes`` (``docx``, ``tmx``, ``xliff``),
looked up by name and imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Callable

from ..release import Release

EXPORTERS: dict[str, str] = {
    "txt": "zhen.exporters.plain:render",
    "json": "zhen.exporters.jsonout:render",
    "md": "zhen.exporters.markdown:render",
    "docx": "zhen.exporters.docx:render",
    "tmx": "zhen.exporters.tmx:render",
    "xliff": "zhen.exporters.xliff:render",
}
BINARY = frozenset({"docx", "tmx", "xliff"})


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
