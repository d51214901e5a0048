"""Bilingual Word document: a two-column table, Chinese left, English right, one row per paragraph.

Glossary terms are bold in both columns, a row with a last-resort placement is shaded and marked
for review, and the document ends with the term audit and the signature, as in the Markdown. The
same release always gives the same bytes (fixed timestamps), so batch outputs can be compared.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile

from ..release import Release
from ..signature import format_signature
from . import REVIEW_NOTE, marked_pieces, metadata_line, term_spans


def _runs(cell, text: str, spans: list[tuple[int, int]]) -> None:
    para = cell.paragraphs[0]
    for piece, term in marked_pieces(text, spans):
        run = para.add_run(piece)
        if term:
            run.bold = True


def render(release: Release) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.add_heading(release.title_en or release.title or "Translation", level=1)
    line = metadata_line(release)
    if line:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "中文", "English"
    for p in release.paragraphs:
        row = table.add_row().cells
        _runs(row[0], p.as_received, term_spans(p))
        _runs(row[1], p.translation if p.translation is not None else "(not translated)",
              term_spans(p, p.translation or ""))
        if any(s.review for s in p.segments):
            row[1].add_paragraph(f"⚠ {REVIEW_NOTE}")
            shade = OxmlElement("w:shd")
            shade.set(qn("w:fill"), "FFF2CC")
            row[1]._tc.get_or_add_tcPr().append(shade)
    hits = [h for s in release.segments() for h in s.terms if h.kind == "term"]
    if hits:
        doc.add_heading("Term audit", level=2)
        audit = doc.add_table(rows=1, cols=4)
        audit.style = "Table Grid"
        for cell, text in zip(audit.rows[0].cells, ("中文", "English", "placed", "method")):
            cell.text = text
        for h in hits:
            for cell, text in zip(audit.add_row().cells, (h.source, h.target, "yes" if h.found else "no", h.method)):
                cell.text = text
    if release.signature:
        doc.add_paragraph(format_signature(release.signature)).runs[0].italic = True
    fixed = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    doc.core_properties.created = doc.core_properties.modified = fixed
    doc.core_properties.last_printed = fixed
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same document gives the same bytes: every zip entry gets one fixed timestamp (Word
    files are zips, and python-docx stamps each entry with the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
