"""Word documents (.docx), as releases are often circulated internally.

Read in document order: paragraphs and tables as they stand (a table's cells, each once, row by row,
as body paragraphs: a cell "98.2%" is content, never a heading or a page number), Word's heading
styles as headings with their level, footnotes and endnotes kept as their own body paragraphs
marked ``注1：`` / ``尾注1：`` (a footnote right after the paragraph that cites it, endnotes at the
end). Page headers and footers are not part of the body and are not read.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import InputError
from ..pagechrome import parse_page_lines
from ..release import Release

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str) -> Release:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{name}: is not a readable .docx ({exc}); open and re-save it in Word.") from None
    footnotes = _notes(document, "footnotes", "footnote")
    endnotes = _notes(document, "endnotes", "endnote")
    lines: list[str] = []
    levels: dict[str, int] = {}  # Word's "Title", "Heading 1", "Heading 2", … by their text
    fixed: set[str] = set()  # lines whose kind the document fixes: table cells and notes are body
    cited = 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            p = Paragraph(child, document)
            lines.append(p.text)
            level = _heading_level(p)
            if level and p.text.strip():
                levels.setdefault(p.text.strip(), level)
            for ref in child.iter(f"{_W}footnoteReference"):
                note = footnotes.get(ref.get(f"{_W}id"))
                if note:
                    cited += 1
                    lines.append(f"注{cited}：{note}")
                    fixed.add(lines[-1].strip())
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                        continue
                    seen.add(id(cell._tc))
                    for text in cell.text.split("\n"):
                        if text.strip():
                            lines.append(text)
                            fixed.add(text.strip())
    for k, note in enumerate(endnotes.values(), 1):
        lines.append(f"尾注{k}：{note}")
        fixed.add(lines[-1].strip())
    # Core properties say who made the file and when, not who wrote the release: only the title
    # is taken from them, and only when the text itself has none.
    parsed = parse_page_lines(lines, title_hint=document.core_properties.title or None,
                              headings=levels, cells=frozenset(fixed), paged=False)
    return Release(paragraphs=parsed.paragraphs, metadata=parsed.metadata, format="docx",
                   encoding=None, removed=parsed.removed, repairs=parsed.repairs)


def _heading_level(p) -> int:
    style = (p.style.name if p.style is not None else "") or ""
    if style == "Title":
        return 1
    if style.startswith("Heading ") and style[8:].isdigit():
        return int(style[8:])
    return 0


def _notes(document, part: str, tag: str) -> dict[str, str]:
    """A notes part's notes by id, as text (the separators Word keeps as notes -1 and 0 left out)."""
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.reltype.endswith("/" + part) and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            out = {}
            for note in root.iter(f"{_W}{tag}"):
                if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
                if text:
                    out[note.get(f"{_W}id")] = text
            return out
    return {}
