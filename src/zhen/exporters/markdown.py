"""Bilingual Markdown, side by side by paragraph: the Chinese, then its English.

Glossary terms are bold in both languages, so a reviewer sees at a glance that each official term
came out as the glossary says; a segment with a last-resort placement is marked ⚠ for review. The
term audit table and the signature close the document.
"""

from __future__ import annotations

from ..release import Paragraph, Release
from ..signature import format_signature
from . import REVIEW_NOTE, marked_pieces, metadata_line, term_spans


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines())


def _bold_spans(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(f"**{piece}**" if term else piece for piece, term in marked_pieces(text, spans))


def _source_md(p: Paragraph) -> str:
    return _bold_spans(p.as_received, term_spans(p))


def _english_md(p: Paragraph) -> str:
    en = p.translation if p.translation is not None else "(not translated)"
    text = _bold_spans(en, term_spans(p, en))
    if any(s.review for s in p.segments):
        text += f" ⚠ *{REVIEW_NOTE}*"
    return text


def _audit_table(release: Release) -> str:
    rows = ["| 中文 | English | placed | method |", "| --- | --- | --- | --- |"]
    for seg in release.segments():
        for h in seg.terms:
            if h.kind == "term":
                rows.append(f"| {h.source} | {h.target} | {'yes' if h.found else 'no'} | {h.method} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def render(release: Release) -> str:
    out: list[str] = []
    if release.title:
        title = next(p for p in release.paragraphs if p.kind == "title")
        out.append(f"# {release.title_en or release.title}")
        out.append(_quote(_source_md(title)))
    meta = release.metadata
    zh_meta = " · ".join(x for x in (meta.date, meta.source and f"来源: {meta.source}",
                                     meta.author and f"作者: {meta.author}") if x)
    if zh_meta:
        out.append(f"*{metadata_line(release)}*  \n*{zh_meta}*")
    for p in release.body:
        if p.kind == "caption":
            out.append(_quote(f"*{_source_md(p)}*"))
            out.append(f"*[Photo] {_english_md(p)}*")
        elif p.kind == "heading":
            out.append(_quote(f"**{_source_md(p)}**"))
            out.append(f"**{_english_md(p)}**")
        else:
            out.append(_quote(_source_md(p)))
            out.append(_english_md(p))
    table = _audit_table(release)
    if table:
        out.append("## Glossary audit\n\n" + table)
    if release.signature:
        out.append("---\n" + f"<sub>zhen signature: `{format_signature(release.signature)}`</sub>")
    return "\n\n".join(out) + "\n"
