"""Bilingual files as (Chinese, English) pairs, for checking a translation made elsewhere: what CAT
tools exchange (XLIFF 1.2 and 2.x, TMX) and zhen's own bilingual DOCX. Read with translate-toolkit
and python-docx where they read the format; XLIFF 2, which translate-toolkit does not read, with lxml.
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
            pairs = _xliff2(data) if b'version="2.' in data[:2000] else _toolkit(data, "xliff")
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


def _toolkit(data: bytes, kind: str) -> list[tuple[str, str]]:
    if kind == "tmx":
        from translate.storage.tmx import tmxfile as store_class
    else:
        from translate.storage.xliff import xlifffile as store_class
    store = store_class.parsestring(data)
    return [(str(u.source or ""), str(u.target or "")) for u in store.units if not u.isheader() and u.source]


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

    for table in Document(str(path)).tables:
        rows = table.rows
        if rows and len(rows[0].cells) == 2 and [c.text.strip() for c in rows[0].cells] == ["中文", "English"]:
            return [(row.cells[0].text, row.cells[1].paragraphs[0].text) for row in rows[1:]]
    raise InputError(f"{path}: has no 中文 | English table; zhen checks the bilingual DOCX that "
                     "`zhen translate -f docx` writes.")
