"""Hostile input, generated: whatever bytes arrive under whatever name, reading gives a release or
one clear InputError, never a traceback (issue 19)."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zhen.errors import ZhenError
from zhen.readers import read_bytes

NAMES = ["r.txt", "r.md", "r.html", "r.htm", "r.docx", "r.xhtml", "r"]


def _read(data: bytes, name: str) -> None:
    try:
        release = read_bytes(data, name)
    except ZhenError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        return
    for p in release.paragraphs:
        assert p.text and p.kind in ("title", "heading", "body", "caption")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(NAMES))
def test_any_bytes_under_any_name_read_or_refuse_cleanly(data, name):
    _read(data, name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000), st.sampled_from(NAMES))
@example("0\r\xad", "r.txt")  # a line of a soft hyphen only once made an empty caption
@example("<title>\u200b\xad</title><p>正文。</p>", "r.html")
@example("# \xad\n\n正文。", "r.md")
def test_any_text_under_any_name_reads_or_refuses_cleanly(text, name):
    _read(text.encode("utf-8"), name)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels",
                                        "_rels/.rels", "word/footnotes.xml"]), st.binary(max_size=400), max_size=5))
def test_any_zip_named_docx_reads_or_refuses_cleanly(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in parts.items():
            z.writestr(path, data)
    _read(buf.getvalue(), "r.docx")


def _real_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("标题", 1)
    d.add_paragraph("论坛在南宁举行。")
    d.add_table(rows=1, cols=2).cell(0, 0).text = "98.2%"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


REAL_DOCX = _real_docx()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=40))
def test_a_real_docx_with_its_document_xml_damaged_reads_or_refuses_cleanly(at, junk):
    src = zipfile.ZipFile(io.BytesIO(REAL_DOCX))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                k = at % len(data)
                data = data[:k] + junk + data[k + len(junk):]
            z.writestr(item, data)
    _read(buf.getvalue(), "r.docx")
