"""Word documents (.docx), as releases are often circulated internally."""

from __future__ import annotations

import io
import zipfile

from ..errors import InputError
from ..pagechrome import parse_page_lines
from ..release import Release


def read_docx(data: bytes, name: str) -> Release:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{name}: is not a readable .docx ({exc}); open and re-save it in Word.") from None
    lines = [p.text for p in document.paragraphs]
    levels: dict[str, int] = {}  # Word's "Heading 1", "Heading 2", … (and "Title") by their text
    for p in document.paragraphs:
        style = (p.style.name if p.style is not None else "") or ""
        level = 1 if style == "Title" else int(style[8:]) if style.startswith("Heading ") and style[8:].isdigit() else 0
        if level and p.text.strip():
            levels.setdefault(p.text.strip(), level)
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    # Core properties say who made the file and when, not who wrote the release: only the title
    # is taken from them, and only when the text itself has none.
    parsed = parse_page_lines(lines, title_hint=document.core_properties.title or None, headings=frozenset(levels))
    for paragraph in parsed.paragraphs:
        if paragraph.kind in ("title", "heading"):
            paragraph.level = levels.get(paragraph.as_received.strip(), 0)
    return Release(paragraphs=parsed.paragraphs, metadata=parsed.metadata, format="docx",
                   encoding=None, removed=parsed.removed, repairs=parsed.repairs)
