"""Plain text and Markdown: a page saved as text, or a release typed into a file."""

from __future__ import annotations

import re

from ..pagechrome import parse_page_lines
from ..release import Release
from .decode import decode_bytes

_MD_MARKUP = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+(?=\S))")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")


def read_text(data: bytes, name: str) -> Release:
    text, encoding = decode_bytes(data, name)
    lines = text.splitlines()
    levels: dict[str, int] = {}
    if name.lower().endswith((".md", ".markdown")):
        plain = [_MD_MARKUP.sub("", line) for line in lines]
        for p, line in zip(plain, lines):
            if m := _MD_HEADING.match(line):
                levels.setdefault(p.strip(), len(m.group(1)))
        lines = plain
    parsed = parse_page_lines(lines, headings=levels)
    return Release(
        paragraphs=parsed.paragraphs,
        metadata=parsed.metadata,
        format="markdown" if name.lower().endswith((".md", ".markdown")) else "text",
        encoding=encoding,
        removed=parsed.removed,
        repairs=parsed.repairs,
    )
