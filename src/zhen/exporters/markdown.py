"""Bilingual Markdown, side by side by paragraph: the Chinese, then its English.

Reviewers read it top to bottom comparing each pair; the signature at the end says how it was made.
"""

from __future__ import annotations

from ..release import Release
from ..signature import format_signature
from . import metadata_line


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines())


def render(release: Release) -> str:
    out: list[str] = []
    if release.title:
        out.append(f"# {release.title_en or release.title}")
        out.append(_quote(release.title))
    meta = release.metadata
    zh_meta = " · ".join(x for x in (meta.date, meta.source and f"来源: {meta.source}",
                                     meta.author and f"作者: {meta.author}") if x)
    if zh_meta:
        out.append(f"*{metadata_line(release)}*  \n*{zh_meta}*")
    for p in release.body:
        en = p.translation if p.translation is not None else "(not translated)"
        if p.kind == "caption":
            out.append(_quote(f"*{p.text}*"))
            out.append(f"*[Photo] {en}*")
        elif p.kind == "heading":
            out.append(_quote(f"**{p.text}**"))
            out.append(f"**{en}**")
        else:
            out.append(_quote(p.text))
            out.append(en)
    if release.signature:
        out.append("---\n" + f"<sub>zhen signature: `{format_signature(release.signature)}`</sub>")
    return "\n\n".join(out) + "\n"
