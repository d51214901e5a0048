"""English only, in the release's paragraph structure: title, metadata line, paragraphs."""

from __future__ import annotations

from ..release import Release
from . import metadata_line


def render(release: Release) -> str:
    blocks = []
    if release.title_en is not None:
        blocks.append(release.title_en)
    meta = metadata_line(release)
    if meta:
        blocks.append(meta)
    for p in release.body:
        text = p.translation if p.translation is not None else p.text
        blocks.append(f"[{text}]" if p.kind == "caption" else text)
    return "\n\n".join(blocks) + "\n"
