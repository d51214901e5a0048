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
from types import MappingProxyType
from typing import Mapping

from .normalize import Normalized, add_repairs, normalize_lines
from .textnorm import convert_script
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
    """A line as the chrome rules compare it: NFKC, and simplified script (當前位置 is 当前位置)."""
    line = unicodedata.normalize("NFKC", line).strip()
    if not line.isascii():
        converted = convert_script(line)
        if len(converted) == len(line):
            return converted
    return line


@dataclass
class PageParse:
    paragraphs: list[Paragraph]
    metadata: Metadata
    removed: list[str] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)


# A page number on a line of its own, as PDF copies carry them: "- 3 -", "第3页 共12页", "3/12", "Page 3"
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$", re.I)
#: a short line seen this often is a running header or footer of a PDF's pages
_RUNNING_MIN = 3
_RUNNING_MAX_CHARS = 50
#: lines are taken as wrapped at a page width when this many reach it
_WRAPPED_MIN = 3
#: how far short of the page width (in columns; a Chinese character is two) a wrapped line may end:
#: a number or a Latin word is not broken, so the line before it ends early
_WRAP_SLACK = 10


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def page_furniture(lines: list[str], keep: frozenset[str] = frozenset()) -> tuple[list[str], list[str], list[dict]]:
    """Lines without the page numbers and running headers/footers of a PDF copy, the lines removed,
    and the repairs to report. Page numbers count only when the page has two or more; a running
    line is a short line seen three times or more (twice where page numbers were found; page numbers
    in it aside), and its first occurrence stays when it opens the page (it may be the title).
    Lines in ``keep`` (content the format marks, such as table cells) are never furniture."""
    stripped = ["" if line.strip() in keep else _norm(line) for line in lines]
    numbers = [i for i, line in enumerate(stripped) if line and _PAGE_NUMBER.match(line)]
    drop = set(numbers) if len(numbers) >= 2 else set()
    keys: dict[str, list[int]] = {}
    for i, line in enumerate(stripped):
        if line and len(line) <= _RUNNING_MAX_CHARS and i not in drop:
            keys.setdefault(re.sub(r"\d+", "#", line), []).append(i)
    first_lines = [i for i, line in enumerate(stripped) if line][:2]
    least = 2 if drop else _RUNNING_MIN  # page numbers say it is a paged copy: a line on two pages runs
    running = [at for at in keys.values() if len(at) >= least]
    for at in running:
        drop.update(at[1:] if at[0] in first_lines else at)
    if not drop:
        return lines, [], []
    kept = [line for i, line in enumerate(lines) if i not in drop]
    repairs = []
    if numbers and drop & set(numbers):
        repairs.append({"kind": "page-number", "what": "page number line", "count": len(drop & set(numbers)),
                        "example": stripped[numbers[0]]})
    heads = sorted(i for at in running for i in at if i in drop)
    if heads:
        repairs.append({"kind": "running-header", "what": "running page header or footer", "count": len(heads),
                        "example": stripped[heads[0]]})
    return kept, [lines[i].strip() for i in sorted(drop)], repairs


def join_wrapped(lines: list[str]) -> tuple[list[str], int]:
    """Lines of a PDF copy wrapped at the page width joined again into paragraphs (the break kept
    inside the paragraph, for :mod:`zhen.normalize` to repair with offsets), and how many joins.

    The page width is the width most long lines (20 columns or more) reach and almost none exceed:
    three lines or more and half the long lines end within a few columns short of it, and no more
    than a tenth run past it (a header or metadata line may). A release typed or saved from a web
    page has paragraphs of every width and no such width. A line that reaches it and does not end a
    sentence runs on into the next line, unless the next is blank or indented (a new paragraph)."""
    widths = [_width(line.rstrip()) for line in lines]  # an indent takes its columns
    long = [w for w in widths if w >= 20]

    def fits(w: int) -> int:
        full = sum(1 for v in long if w - _WRAP_SLACK <= v <= w)
        over = sum(1 for v in long if v > w)
        ok = full >= _WRAPPED_MIN and full * 2 >= len(long) and over * 10 <= len(long)
        return full if ok else 0

    page = max(set(long), key=lambda w: (fits(w), -w), default=0)
    if not page or not fits(page):
        return lines, 0
    out: list[str] = []
    joins = 0
    run_on = False
    for line, width in zip(lines, widths):
        text = line.strip()
        # an indent starts a paragraph; a line wider than the page is not the rest of one
        if run_on and text and width <= page and not line.startswith(("\u3000", "  ", "\t")):
            out[-1] += "\n" + text
            joins += 1
        else:
            out.append(line)
        run_on = bool(text) and page - _WRAP_SLACK <= width <= page and text[-1] not in "。！？!?；;：:…"
    return out, joins


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


def _paragraph(index: int, kind: ParagraphKind, n: Normalized, level: int = 0) -> Paragraph:
    if not n.changed:
        return Paragraph(index=index, kind=kind, text=n.text, level=level)
    return Paragraph(index=index, kind=kind, text=n.text, original=n.original, offsets=n.offsets, level=level)


def parse_page_lines(
    lines: list[str],
    *,
    title_hint: str | None = None,
    metadata_hint: Metadata | None = None,
    headings: Mapping[str, int] = MappingProxyType({}),
    cells: frozenset[str] = frozenset(),
    paged: bool = True,
) -> PageParse:
    """Split a page's lines into title, metadata and classified paragraphs.

    ``headings`` are lines the format itself marks as headings (Markdown ``#``, Word's heading
    styles), each with its level (1 for ``#``; 0 where the format gives none); they keep that kind
    and level whatever their length or punctuation. ``cells`` are lines the format marks as content (a
    Word table's cells, its notes): body paragraphs, never taken for page numbers, running headers,
    page chrome, a title or a heading. ``paged=False`` says the lines are the document's own
    paragraphs (Word), not a page's lines: none was wrapped at a page width.

    ``title_hint``/``metadata_hint`` come from readers that know more (HTML ``<title>``/meta tags)
    and are used where the lines themselves say nothing.
    """
    rules = load_rules()
    lines, removed, repairs = page_furniture(lines, keep=cells)
    joins = 0
    if paged:
        lines, joins = join_wrapped([line for line in lines if line.strip()] if removed else lines)
    if joins:
        repairs.append({"kind": "wrapped-line", "what": "line wrapped at the page width, joined", "count": joins,
                        "example": ""})
    # Damage inside the lines (pinyin, odd spaces, full-width digits, …) is repaired before chrome is
    # looked for, so that 當(dāng)前(qián)位(wèi)置(zhì): is the breadcrumb it is; each line keeps the way back.
    repaired = normalize_lines([line.strip() for line in lines if line.strip()])
    content: list[Normalized] = []
    for n in repaired:
        if not n.text.strip():  # a line of invisible characters only (a soft hyphen, a zero-width space)
            continue
        if n.original not in cells and is_chrome(n.text, rules):
            removed.append(n.original)
        else:
            content.append(n)

    metadata = Metadata()
    title: Normalized | None = None
    meta_at = None
    for i, n in enumerate(content[:_HEAD_WINDOW]):
        found = parse_metadata_line(n.text, rules) if n.original not in cells else None
        if found:
            metadata, meta_at = found, i
            break
    if meta_at is not None:
        removed.append(content[meta_at].original)
        if meta_at > 0:
            title = content[meta_at - 1]
            removed.extend(n.original for n in content[: meta_at - 1])  # header lines above the title
            body = content[meta_at + 1 :]
        else:
            body = content[1:]
    else:
        body = content
    if title is None:
        hint = _norm(title_hint) if title_hint else None
        if hint and body and _norm(body[0].text) == hint:
            title, body = body[0], body[1:]
        elif hint:
            title = normalize_lines([title_hint.strip()])[0]
            title = title if title.text.strip() else None
        elif body and body[0].original not in cells and classify(body[0].text) != "body" and len(body) > 1:
            title, body = body[0], body[1:]
    if metadata_hint:
        metadata = Metadata(
            date=metadata.date or metadata_hint.date,
            source=metadata.source or metadata_hint.source,
            author=metadata.author or metadata_hint.author,
        )

    def level(n: Normalized) -> int:  # the format's level for the line as received, or as repaired
        return headings.get(n.original) or headings.get(n.text, 0)

    paragraphs: list[Paragraph] = []
    if title:
        paragraphs.append(_paragraph(0, "title", title, level(title)))
    for n in body:
        kind = "heading" if n.original in headings else "body" if n.original in cells else classify(n.text)
        paragraphs.append(_paragraph(len(paragraphs), kind, n, level(n) if kind == "heading" else 0))
    for n in [title, *body] if title else body:  # what was repaired in the release's own text
        add_repairs(repairs, n)
    return PageParse(paragraphs=paragraphs, metadata=metadata, removed=removed, repairs=repairs)
