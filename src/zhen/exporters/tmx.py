"""TMX 1.4, one translation unit per segment, for CAT tools (OmegaT, Trados, memoQ).

Built with translate-toolkit's TMX store, not by hand. Each unit carries, as notes, the glossary
terms it contains (``中文 → English [method]``) and a review flag when something was placed by last
resort; the header carries the run's signature. Source language ``zh-CN``, target ``en``.
"""

from __future__ import annotations

from ..release import Release, Segment
from ..signature import format_signature
from ..quality import segment_note
from . import REVIEW_NOTE


def segment_notes(seg: Segment) -> list[str]:
    notes = [f"{h.kind}: {h.source} → {h.target} [{h.method}]" for h in seg.terms]
    if seg.quality:
        notes.append(segment_note(seg))
    if seg.review:
        notes.append(REVIEW_NOTE)
    return notes


def units(release: Release) -> list[tuple[str, str, list[str]]]:
    """``(source, target, notes)`` for every translated, non-empty segment."""
    return [(s.as_received.strip(), s.target.strip(), segment_notes(s))
            for s in release.segments() if s.target and s.source.strip()]


def render_units(rows: list[tuple[str, str, list[str]]], signature: dict | None = None) -> bytes:
    """The units as TMX; ``signature`` (how they were made) goes into the header as a
    ``<prop type="x-zhen-signature">``, TMX's place for a tool's own data."""
    from lxml import etree
    from translate.storage.tmx import tmxfile

    store = tmxfile(sourcelanguage="zh-CN", targetlanguage="en")
    if signature:
        prop = etree.SubElement(store.document.getroot().find("header"), "prop")
        prop.set("type", "x-zhen-signature")
        prop.text = format_signature(signature)
    for source, target, notes in rows:
        unit = store.addsourceunit(source)
        unit.target = target
        for note in notes:
            unit.addnote(note)
    return bytes(store)


def render(release: Release) -> bytes:
    return render_units(units(release), release.signature)
