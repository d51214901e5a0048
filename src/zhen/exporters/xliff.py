"""XLIFF 1.2, one ``trans-unit`` per segment, the glossary terms it contains as notes.

Built with translate-toolkit's XLIFF store, which writes 1.1; the root's version and namespace are
then set to 1.2, whose elements and attributes are the same for everything zhen writes. Segments with a
last-resort placement are ``state="needs-review-translation"``, the rest ``translated``.
"""

from __future__ import annotations

from ..release import Release
from ..signature import format_signature
from . import REVIEW_NOTE
from .tmx import units

NS_11 = "urn:oasis:names:tc:xliff:document:1.1"
NS_12 = "urn:oasis:names:tc:xliff:document:1.2"


def render_units(rows: list[tuple[str, str, list[str]]], original: str = "release",
                 signature: dict | None = None) -> bytes:
    """The units as XLIFF 1.2; ``signature`` is a note from zhen in the file's header."""
    from lxml import etree
    from translate.storage.xliff import xlifffile

    store = xlifffile(sourcelanguage="zh-CN", targetlanguage="en")
    for k, (source, target, notes) in enumerate(rows, 1):
        unit = store.addsourceunit(source)
        unit.setid(f"s{k}")
        unit.target = target
        for note in notes:
            unit.addnote(note, origin="translator")
        review = REVIEW_NOTE in notes
        for node in unit.xmlelement:
            if node.tag.endswith("}target"):
                node.set("state", "needs-review-translation" if review else "translated")
        unit.xmlelement.attrib.pop("approved", None)
    store.setfilename(store.getfilenode("NoName"), original)
    if signature:
        header = etree.Element(f"{{{NS_11}}}header")  # before <body>, as XLIFF requires
        store.getfilenode(original).insert(0, header)
        note = etree.SubElement(header, f"{{{NS_11}}}note", {"from": "zhen"})
        note.text = f"zhen signature: {format_signature(signature)}"
    data = bytes(store)
    # translate-toolkit writes 1.1; what zhen writes is the same in 1.2 but for the namespace and version
    return data.replace(f'xmlns="{NS_11}" version="1.1"'.encode(), f'xmlns="{NS_12}" version="1.2"'.encode(), 1)


def render(release: Release) -> bytes:
    return render_units(units(release), release.title or "release", release.signature)
