"""Separate a saved page's chrome from its release: title, metadata line, paragraphs, captions.

Every reader (plain text, HTML, DOCX) reduces its document to lines and hands them here, so the
rules for what is chrome live once, in ``data/page_chrome.toml``. Removed lines are returned, not
thrown away, so a user can check that no content went with them.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .release import Metadata, Paragraph, ParagraphKind

_SENTENCE_END = "。！？!?；;…"
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：]\s*(?P<M>\d{2})(?:\s*[:：]\s*(?P<S>\d{2}))?)?"
)
_HEADING = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章节部分条篇]|[一二三四五六七八九十]+、|"
    r"[（(][一二三四五六七八九十]+[)）]|[（(]\d+[)）]|\d+[.、．]\s*\S)"
)
#: A caption is a short line with no sentence punctuation (“自治区生态环境厅厅长陈亮致辞”).
CAPTION_MAX_CHARS = 40
#: The title and metadata line are looked for among this many non-empty lines at the top.
_HEAD_WINDOW = 15


@dataclass
class ChromeRules:
    tokens: frozenset[str]
    line_patterns: tuple[re.Pattern[str], ...]
    labels: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def load_rules() -> ChromeRules:
    data = tomllib.loads(resources.files("zhen.data").joinpath("page_chrome.toml").read_text("utf-8"))
    return ChromeRules(
        tokens=frozenset(_norm(t) for t in data["tokens"]),
        line_patterns=tuple(re.compile(p) for p in data["line_patterns"]),
        labels={k: tuple(v) for k, v in data["metadata"].items()},
    )


def _norm(line: str) -> str:
    return unicodedata.normalize("NFKC", line).strip()


@dataclass
class PageParse:
    paragraphs: list[Paragraph]
    metadata: Metadata
    removed: list[str] = field(default_factory=list)


def is_chrome(line: str, rules: ChromeRules | None = None) -> bool:
    rules = rules or load_rules()
    norm = _norm(line)
    if not norm:
        return False
    if any(p.search(norm) for p in rules.line_patterns):
        return True
    return all(tok in rules.tokens for tok in norm.split())


def parse_metadata_line(line: str, rules: ChromeRules | None = None) -> Metadata | None:
    """Read a line like ``2023-09-18 09:14  来源: 某厅  作者: 某人``; ``None`` if it is not one."""
    rules = rules or load_rules()
    norm = _norm(line)
    if len(norm) > 160 or (norm and norm[-1] in _SENTENCE_END):
        return None
    all_labels = [lab for labs in rules.labels.values() for lab in labs]
    label_alt = "|".join(sorted(map(re.escape, all_labels), key=len, reverse=True))
    fields_found: dict[str, str] = {}
    for kind, labels in rules.labels.items():
        alt = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
        m = re.search(rf"(?:^|\s|】|\])(?:{alt})\s*[:：]\s*(.+?)(?=\s{{2,}}|\s+(?:{label_alt})\s*[:：]|$)", norm)
        if m:
            fields_found[kind] = m.group(1).strip(" 】]")
    date = _DATE.search(norm)
    if not date and not fields_found:
        return None
    if not fields_found and len(norm) - (date.end() - date.start()) > 4:  # a sentence that mentions a date
        return None
    iso = None
    if date:
        iso = f"{date['y']}-{int(date['m']):02d}-{int(date['d']):02d}"
        if date["H"]:
            iso += f" {int(date['H']):02d}:{date['M']}"
            if date["S"]:
                iso += f":{date['S']}"
    elif "date" in fields_found:
        iso = fields_found["date"]
    return Metadata(date=iso, source=fields_found.get("source"), author=fields_found.get("author"))


def classify(text: str) -> ParagraphKind:
    """``heading`` for numbered section titles, ``caption`` for short unpunctuated lines, else ``body``."""
    norm = _norm(text)
    if _HEADING.match(norm) and len(norm) <= CAPTION_MAX_CHARS * 2 and norm[-1] not in "。！？":
        return "heading"
    if len(norm) <= CAPTION_MAX_CHARS and not any(c in _SENTENCE_END for c in norm):
        return "caption"
    return "body"


def parse_page_lines(
    lines: list[str],
    *,
    title_hint: str | None = None,
    metadata_hint: Metadata | None = None,
    headings: frozenset[str] = frozenset(),
) -> PageParse:
    """Split a page's lines into title, metadata and classified paragraphs.

    ``headings`` are lines the format itself marks as headings (Markdown ``#``); they keep that
    kind whatever their length or punctuation.

    ``title_hint``/``metadata_hint`` come from readers that know more (HTML ``<title>``/meta tags)
    and are used where the lines themselves say nothing.
    """
    rules = load_rules()
    removed: list[str] = []
    content: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if is_chrome(line, rules):
            removed.append(line)
        else:
            content.append(line)

    metadata = Metadata()
    title: str | None = None
    meta_at = None
    for i, line in enumerate(content[:_HEAD_WINDOW]):
        found = parse_metadata_line(line, rules)
        if found:
            metadata, meta_at = found, i
            break
    if meta_at is not None:
        removed.append(content[meta_at])
        if meta_at > 0:
            title = content[meta_at - 1]
            removed.extend(content[: meta_at - 1])  # header lines above the title
            body = content[meta_at + 1 :]
        else:
            body = content[1:]
    else:
        body = content
    if title is None:
        hint = _norm(title_hint) if title_hint else None
        if hint and body and _norm(body[0]) == hint:
            title, body = body[0], body[1:]
        elif hint:
            title = title_hint.strip()
        elif body and classify(body[0]) != "body" and len(body) > 1:
            title, body = body[0], body[1:]
    if metadata_hint:
        metadata = Metadata(
            date=metadata.date or metadata_hint.date,
            source=metadata.source or metadata_hint.source,
            author=metadata.author or metadata_hint.author,
        )

    paragraphs: list[Paragraph] = []
    if title:
        paragraphs.append(Paragraph(index=0, kind="title", text=title))
    for line in body:
        kind = "heading" if line in headings else classify(line)
        paragraphs.append(Paragraph(index=len(paragraphs), kind=kind, text=line))
    return PageParse(paragraphs=paragraphs, metadata=metadata, removed=removed)
