"""Bilingual files as (Chinese, English) pairs, for checking a translation made elsewhere: what CAT
tools exchange (XLIFF 1.2 and 2.x, TMX) and zhen's own bilingual DOCX. Read with translate-toolkit
and python-docx where they read the format; XLIFF 2, which translate-toolkit does not read, with lxml.

:func:`write_pairs` writes a fixed translation back into the same file's form, each edited unit
carrying its edits as notes (XLIFF and TMX ``<note>``, a line under the English in DOCX), so a CAT
tool shows the reviewer what zhen changed and why; nothing else of the file changes.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

#: suffixes :func:`read_pairs` takes
SUFFIXES = (".xlf", ".xliff", ".sdlxliff", ".tmx", ".docx")
_XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"


def read_pairs(path: Path) -> tuple[list[str], list[str]]:
    """The source and target texts of ``path``, unit by unit; a unit without a target gets ""."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        if suffix == ".tmx":
            pairs = _toolkit(data, "tmx")
        elif suffix in (".xlf", ".xliff", ".sdlxliff"):
            pairs = _xliff2(data) if _is_xliff2(data) else _toolkit(data, "xliff")
        elif suffix == ".docx":
            pairs = _docx(path)
        else:
            raise InputError(f"{path}: not a bilingual file zhen reads ({', '.join(SUFFIXES)}).")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — any parser failure is one clear message
        raise InputError(f"{path}: could not be read as {suffix[1:].upper()} ({type(exc).__name__}: {exc}); "
                         "export it again from the tool that made it.") from None
    if not pairs:
        raise InputError(f"{path}: has no translation units.")
    return [s for s, _ in pairs], [t for _, t in pairs]


def _is_xliff2(data: bytes) -> bool:
    return b'version="2.' in data[:2000]


def _store(data: bytes, kind: str):
    if kind == "tmx":
        from translate.storage.tmx import tmxfile as store_class
    else:
        from translate.storage.xliff import xlifffile as store_class
    store = store_class.parsestring(data)
    return store, [u for u in store.units if not u.isheader() and u.source]


def _toolkit(data: bytes, kind: str) -> list[tuple[str, str]]:
    return [(str(u.source or ""), str(u.target or "")) for u in _store(data, kind)[1]]


def write_pairs(path: Path, english: list[str], notes: list[list[str]], review: set[int] = frozenset()) -> bytes:
    """``path`` (a file :func:`read_pairs` read) with unit i's target replaced by ``english[i]``
    where ``notes[i]`` is not empty (an edited unit), those notes added to it, and the units in
    ``review`` (0-based) marked as needing review (XLIFF ``state="needs-review-translation"``)."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".docx":
        return _write_docx(path, english, notes, review)
    if suffix in (".xlf", ".xliff", ".sdlxliff") and _is_xliff2(data):
        return _write_xliff2(data, english, notes, review)
    kind = "tmx" if suffix == ".tmx" else "xliff"
    store, units = _store(data, kind)
    if len(units) != len(english):
        raise InputError(f"{path}: has {len(units)} units, the fix {len(english)}; read it again.")
    for i, (unit, text, said) in enumerate(zip(units, english, notes)):
        if not said:
            continue
        unit.target = text
        for note in said:
            unit.addnote(note, origin="zhen")
        if kind == "xliff":
            unit.markapproved(False)
            if i in review:
                unit.xmlelement.find(unit.namespaced("target")).set("state", "needs-review-translation")
    return bytes(store)


def _write_xliff2(data: bytes, english: list[str], notes: list[list[str]], review: set[int]) -> bytes:
    from lxml import etree

    ns = f"{{{_XLIFF2}}}"
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    segments = [s for s in root.iter(f"{ns}segment") if s.find(f"{ns}source") is not None]
    if len(segments) != len(english):
        raise InputError(f"the XLIFF has {len(segments)} segments, the fix {len(english)}; read it again.")
    for i, (segment, text, said) in enumerate(zip(segments, english, notes)):
        if not said:
            continue
        target = segment.find(f"{ns}target")
        if target is None:
            target = etree.SubElement(segment, f"{ns}target")
        for child in list(target):
            target.remove(child)  # inline codes inside a fixed target are not kept: the text is zhen's
        target.text = text
        segment.set("state", "initial" if i in review else "translated")
        unit = segment.getparent()
        while unit is not None and unit.tag != f"{ns}unit":
            unit = unit.getparent()
        if unit is None:
            continue
        box = unit.find(f"{ns}notes")
        if box is None:
            box = etree.Element(f"{ns}notes")
            at = 1 if len(unit) and unit[0].tag.endswith("}mda") else 0
            unit.insert(at, box)
        for note in said:
            etree.SubElement(box, f"{ns}note", category="zhen").text = note
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _write_docx(path: Path, english: list[str], notes: list[list[str]], review: set[int]) -> bytes:
    import io

    from docx import Document

    doc = Document(str(path))
    table = _bilingual_table(doc, path)
    for row, text, said in zip(table.rows[1:], english, notes):
        if not said:
            continue
        first = row.cells[1].paragraphs[0]
        for run in first.runs[1:]:
            run._element.getparent().remove(run._element)
        if first.runs:
            first.runs[0].text = text
        else:
            first.add_run(text)
        for note in said:
            row.cells[1].add_paragraph(note).runs[0].italic = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _xliff2(data: bytes) -> list[tuple[str, str]]:
    from lxml import etree

    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    pairs = []
    for segment in root.iter(f"{{{_XLIFF2}}}segment"):
        source = segment.find(f"{{{_XLIFF2}}}source")
        target = segment.find(f"{{{_XLIFF2}}}target")
        if source is not None:
            pairs.append(("".join(source.itertext()), "".join(target.itertext()) if target is not None else ""))
    return pairs


def _docx(path: Path) -> list[tuple[str, str]]:
    """zhen's bilingual DOCX (``-f docx``): the table headed 中文 | English, a row per paragraph
    (a review note under the English is not part of it)."""
    from docx import Document

    table = _bilingual_table(Document(str(path)), path)
    return [(row.cells[0].text, row.cells[1].paragraphs[0].text) for row in table.rows[1:]]


def _bilingual_table(doc, path: Path):
    for table in doc.tables:
        rows = table.rows
        if rows and len(rows[0].cells) == 2 and [c.text.strip() for c in rows[0].cells] == ["中文", "English"]:
            return table
    raise InputError(f"{path}: has no 中文 | English table; zhen checks the bilingual DOCX that "
                     "`zhen translate -f docx` writes.")
