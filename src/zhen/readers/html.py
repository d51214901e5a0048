"""Saved web pages of government sites.

trafilatura finds the article body and the title; the page's own info line ("2023-09-18 09:14
来源: … 作者: …") and the CMS meta tags gov.cn sites carry (PubDate, ContentSource, Author) give the
metadata, which trafilatura's generic extractor does not know to look for.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..pagechrome import parse_metadata_line, parse_page_lines
from ..release import Metadata, Release
from .decode import decode_bytes

_XML_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")

_META_NAMES = {
    "date": ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"),
    "source": ("contentsource", "source"),
    "author": ("author", "contentauthor"),
}


def _page_metadata(doc) -> Metadata:
    """The info line in the page text, then gov.cn-style ``<meta>`` tags."""
    found = Metadata()
    for block in doc.iter("div", "p", "span", "td", "li"):
        line = " ".join("".join(block.itertext()).split())
        meta = parse_metadata_line(line) if line else None
        if meta and (meta.source or meta.author):
            found = meta
            break
    tags = {
        (m.get("name") or m.get("property") or "").lower(): (m.get("content") or "").strip()
        for m in doc.iter("meta")
    }
    values = {k: next((tags[n] for n in names if tags.get(n)), None) for k, names in _META_NAMES.items()}
    return Metadata(
        date=found.date or values["date"],
        source=found.source or values["source"],
        author=found.author or values["author"],
    )


def read_html(data: bytes, name: str) -> Release:
    import lxml.html
    import trafilatura

    text, encoding = decode_bytes(data, name)
    # an XHTML page's <?xml … encoding=…?> declaration is done with once the bytes are decoded,
    # and lxml refuses a decoded string that still carries one
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises several unrelated types for broken markup
        raise InputError(f"{name}: is not readable HTML ({exc}); save the page again from the browser.") from None
    extracted = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    if extracted is None or not (extracted.text or "").strip():
        raise InputError(f"{name}: no article text found in this page; save the article page, not a listing.")
    page_meta = _page_metadata(doc)
    hint = Metadata(
        date=page_meta.date or extracted.date,
        source=page_meta.source or extracted.sitename,
        author=page_meta.author or extracted.author,
    )
    parsed = parse_page_lines(extracted.text.splitlines(), title_hint=extracted.title, metadata_hint=hint)
    return Release(paragraphs=parsed.paragraphs, metadata=parsed.metadata, format="html",
                   encoding=encoding, removed=parsed.removed, repairs=parsed.repairs)
