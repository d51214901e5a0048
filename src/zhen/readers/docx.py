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
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    # Core properties say who made the file and when, not who wrote the release: only the title
    # is taken from them, and only when the text itself has none.
    parsed = parse_page_lines(lines, title_hint=document.core_properties.title or None)
    return Release(paragraphs=parsed.paragraphs, metadata=parsed.metadata, format="docx",
                   encoding=None, removed=parsed.removed, repairs=parsed.repairs)
