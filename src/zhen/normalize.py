"""Repair a damaged source for segmentation, matching and translation, and keep the way back.

Reposted official news arrives damaged: pinyin after each character as pages with reading aids are
copied (``環(huán)境``), PDF copies with a space or a line break inside a word or a number (``生态环\\n境厅``,
``1 613.8 亿元``, a space between every character), zero-width and bidi marks, HTML entities left in
the text, full-width letters and digits (``ＲＣＥＰ``, ``１６１３．８``), compatibility ideographs and the
Kangxi radicals some PDF fonts put for ordinary characters (``⽣态``), and a few traditional
characters in a simplified release (or the other way round). The model and the glossary need the
clean text; the bilingual outputs must still show the source as it was.

:func:`normalize` returns both: the clean ``text``, and ``offsets`` such that character ``i`` of the
clean text came from ``original[offsets[i]:offsets[i + 1]]``. Those pieces tile the original in
order (a removed character belongs to the piece before it), so no character of the original is lost
or moved, and any span of the clean text maps back to the source as it was
(:meth:`zhen.release.Paragraph.received_span`). Each repair is counted by kind, with a first example, for the
release's ``repairs`` list.

Page furniture (running headers and footers, page numbers) and lines wrapped at a PDF's page width
are line-level damage; :mod:`zhen.pagechrome` handles them, and a wrapped paragraph reaches this
module with its line breaks still in it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from .release import Release
from .textnorm import convert_script

Script = Literal["simplified", "traditional"]
#: (start, end, replacement, kind) in the text a pass sees
Edit = tuple[int, int, str, str]

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACES = re.compile(r"\s+")
_SPACED = re.compile(rf"(?<=[{_HAN}])[ \u3000](?=[{_HAN}])")
_TIGHT = re.compile(rf"(?<=[{_HAN}])(?=[{_HAN}])")
_PROSE = frozenset("，。；！？")
#: what follows a number in Chinese without a space: 1613.8亿元, 2023年, 15%
_UNITS = frozenset("亿万千百元角年月日号时分秒个次位项家名倍吨米克里亩斤度％%")
_PLAIN_SPACE = re.compile(r" +")
# thousands written with a space (PDF copies, some typesetting): 1 613.8, 12 000
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?!\d)")
# a pinyin annotation right after a character: 環(huán), 会(huì), 的（de）, 境(jing4)
_ANNOTATION = re.compile(rf"(?<=[{_HAN}])[(（]([a-zA-Z\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]{{1,8}}[1-5]?)[)）]")

KINDS = {
    "entity": "HTML entity left in the text",
    "invisible": "zero-width or bidi character",
    "full-width": "full-width letter or digit",
    "compatibility": "compatibility ideograph or radical",
    "pinyin": "inline pinyin annotation",
    "space": "space inside Chinese text",
    "line-break": "line break inside a word or sentence",
    "number-space": "space inside a number",
    "hyphenation": "word hyphenated at a line end",
    "odd-space": "non-breaking or ideographic space",
    "script": "character of the other script",
}


@dataclass
class Normalized:
    """The clean ``text``; ``offsets[i]`` is where its character ``i`` starts in ``original``
    (``len(offsets) == len(text) + 1``, the last entry ``len(original)``)."""

    original: str
    text: str
    offsets: list[int]
    repairs: dict[str, list[Any]] = field(default_factory=dict)  # kind -> [count, example]

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_zh(ch: str) -> bool:
    """Han, or punctuation of Chinese text (between which a space is never meant)."""
    return _is_han(ch) or "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff65" or ch in "“”‘’…—·"


@lru_cache(maxsize=1)
def _syllables() -> tuple[frozenset[str], frozenset[str]]:
    """Pinyin syllables with tone marks (``huán``) and without (``huan``), from pypinyin's data."""
    from pypinyin.pinyin_dict import pinyin_dict

    toned = {unicodedata.normalize("NFC", s) for v in pinyin_dict.values() for s in v.split(",")}
    plain = {_strip_marks(s) for s in toned}
    return frozenset(toned), frozenset(plain)


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _pinyin(word: str, *, toneless: bool) -> bool:
    """Whether ``word`` is a pinyin syllable: with a tone mark or digit, or bare when ``toneless``."""
    toned, plain = _syllables()
    word = unicodedata.normalize("NFC", word.lower())
    if word in toned and _strip_marks(word) != word:
        return True
    if word[-1] in "12345":
        return word[:-1] in plain
    return toneless and word in plain


def toned_annotations(text: str) -> int:
    """How many pinyin annotations with a tone in ``text`` (a page with several is a reading-aid
    page, where a toneless one such as ``的(de)`` is pinyin too)."""
    return sum(_pinyin(m.group(1), toneless=False) for m in _ANNOTATION.finditer(text))


# -- the passes: each sees the text as the passes before it left it ---------------------------------

def _entities(text: str, ctx: dict) -> Iterator[Edit]:
    for m in _ENTITY.finditer(text):
        out = html.unescape(m.group())
        if out != m.group():
            yield m.start(), m.end(), out, "entity"


def _invisible(text: str, ctx: dict) -> Iterator[Edit]:
    for m in _INVISIBLE.finditer(text):
        yield m.start(), m.end(), "", "invisible"


def _characters(text: str, ctx: dict) -> Iterator[Edit]:
    """Full-width ASCII letters and digits, a full-width point or percent after a digit,
    compatibility ideographs and Kangxi radicals: each to its ordinary character."""
    for i, ch in enumerate(text):
        o = ord(ch)
        if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
            yield i, i + 1, chr(o - 0xFEE0), "full-width"
        elif ch in "．％" and i and unicodedata.category(text[i - 1]) == "Nd" and (
                ch == "％" or (i + 1 < len(text) and unicodedata.category(text[i + 1]) == "Nd")):
            yield i, i + 1, chr(o - 0xFEE0), "full-width"
        elif 0xF900 <= o <= 0xFAFF or 0x2F00 <= o <= 0x2FDF or 0x2E80 <= o <= 0x2EFF or 0x2F800 <= o <= 0x2FA1F:
            norm = unicodedata.normalize("NFKC", ch)
            if len(norm) == 1 and norm != ch and _is_han(norm):
                yield i, i + 1, norm, "compatibility"


def _annotations(text: str, ctx: dict) -> Iterator[Edit]:
    for m in _ANNOTATION.finditer(text):
        if _pinyin(m.group(1), toneless=ctx["toneless_pinyin"]):
            yield m.start(), m.end(), "", "pinyin"


def _numbers(text: str, ctx: dict) -> Iterator[Edit]:
    for m in _GROUPED.finditer(text):
        for s in _SPACES.finditer(m.group()):
            yield m.start() + s.start(), m.start() + s.end(), "", "number-space"


def _whitespace(text: str, ctx: dict) -> Iterator[Edit]:
    """A line break next to a Chinese character or inside a number goes, and so does one space where
    Chinese never has one: in prose (a line with ，。；！？) or in a line spaced out character by character, and between
    a number and its unit (1613.8 亿元). A space in a line of chrome (分享 微信) or two spaces or more
    (来源: …  作者: …) are layout and stay. A line break in a hyphenated Latin word goes with its
    hyphen; any other line break becomes a space, and odd spaces (no-break, ideographic) plain ones,
    as many as there were."""
    spaced = len(_SPACED.findall(text))
    spaced_out = spaced >= 3 and spaced >= len(_TIGHT.findall(text))
    loose = spaced_out or any(c in _PROSE for c in text)
    for m in _SPACES.finditer(text):
        s, e, run = m.start(), m.end(), m.group()
        if s == 0 or e == len(text):
            continue  # the paragraph's own edges: segments strip them
        left, right = text[s - 1], text[e]
        broken = "\n" in run or "\r" in run
        single = len(run) == 1 or run == "\r\n"
        zh = (_is_zh(left) and (_is_zh(right) or right.isdigit())) or (left.isdigit() and _is_zh(right))
        if broken and (_is_zh(left) or _is_zh(right) or (left.isdigit() and right in "0123456789.%")):
            yield s, e, "", "line-break"  # a wrap inside Chinese text or inside a number (新增1⏎36种)
        elif single and (zh and (loose or (left.isdigit() and right in _UNITS))
                         or spaced_out and not (left.isascii() and left.isalpha() and right.isascii() and right.isalpha())):
            yield s, e, "", "space"
        elif broken and left == "-" and s >= 2 and text[s - 2].isalpha() and right.islower():
            yield s - 1, e, "", "hyphenation"
        elif broken:
            yield s, e, " ", "line-break"
        elif not _PLAIN_SPACE.fullmatch(run):
            yield s, e, " " * len(run), "odd-space"


def _script(text: str, ctx: dict) -> Iterator[Edit]:
    """The characters of the release's minority script, converted with their phrase context."""
    target = ctx["script"]
    if target is None:
        return
    converted = convert_script(text, "t2s" if target == "simplified" else "s2t")
    if len(converted) != len(text):
        return
    for i, (a, b) in enumerate(zip(text, converted)):
        if a != b and _is_han(a):
            yield i, i + 1, b, "script"


_PASSES = (_entities, _invisible, _characters, _annotations, _numbers, _whitespace, _script)


def script_counts(text: str) -> tuple[int, int]:
    """How many characters of ``text`` are traditional only, and how many simplified only (each
    judged with its phrase context, as OpenCC converts)."""
    han = [i for i, c in enumerate(text) if _is_han(c)]
    if not han:
        return 0, 0
    t2s, s2t = convert_script(text, "t2s"), convert_script(text, "s2t")
    trad = sum(1 for i in han if len(t2s) == len(text) and t2s[i] != text[i])
    simp = sum(1 for i in han if len(s2t) == len(text) and s2t[i] != text[i])
    return trad, simp


def _apply(text: str, offsets: list[int], edits: Iterable[Edit], tally: dict[str, list[Any]]) -> tuple[str, list[int]]:
    out: list[str] = []
    new: list[int] = []
    at = 0
    for s, e, rep, kind in edits:
        if s < at:  # overlapping an edit already taken
            continue
        out.append(text[at:s])
        new.extend(offsets[at:s])
        if rep:
            out.append(rep)
            new.append(offsets[s])
            new.extend([offsets[e]] * (len(rep) - 1))
        at = e
        entry = tally.setdefault(kind, [0, ""])
        entry[0] += 1
        if not entry[1]:
            before, after = text[max(0, s - 3):s], text[e:e + 3]
            entry[1] = _shown(f"{before}{text[s:e]}{after} → {before}{rep}{after}")
    out.append(text[at:])
    new.extend(offsets[at:len(text)])
    new.append(offsets[len(text)])
    if new and len(new) > 1:
        new[0] = 0  # a character removed at the very start belongs to the first piece
    return "".join(out), new


def _shown(example: str) -> str:
    """An example as one readable line: breaks and invisible characters made visible."""
    return "".join("⏎" if c in "\r\n" else f"<U+{ord(c):04X}>" if _INVISIBLE.match(c) or c in "\u00a0\u3000"
                   else c for c in example)


def normalize(text: str, *, script: Script | None = None, toneless_pinyin: bool = False) -> Normalized:
    """``text`` repaired, with offsets back into it. ``script`` converts the characters of the
    other script to it (for a release that mixes both); ``toneless_pinyin`` removes an annotation
    without a tone too (for a page known to carry pinyin throughout)."""
    ctx = {"script": script, "toneless_pinyin": toneless_pinyin}
    current, offsets = text, list(range(len(text) + 1))
    tally: dict[str, list[Any]] = {}
    for step in _PASSES:
        edits = sorted(step(current, ctx))
        if edits:
            current, offsets = _apply(current, offsets, edits, tally)
    return Normalized(text, current, offsets, tally)


def release_script(texts: Iterable[str]) -> Script | None:
    """The script to convert a release to when it mixes both: the majority's; ``None`` when it
    does not mix them."""
    trad = simp = 0
    for t in texts:
        a, b = script_counts(t)
        trad, simp = trad + a, simp + b
    if not trad or not simp:
        return None
    return "traditional" if trad > simp else "simplified"


def normalize_lines(texts: list[str]) -> list[Normalized]:
    """Each of a document's ``texts`` repaired; what mixes scripts, and whether pinyin runs
    through it, is judged over all of them."""
    script = release_script(texts)
    toneless = sum(toned_annotations(t) for t in texts) >= 3
    return [normalize(t, script=script, toneless_pinyin=toneless) for t in texts]


def normalize_release(release: Release) -> Release:
    """A new release whose paragraphs are repaired for segmentation, matching and translation (for
    text that did not come through a reader, which repairs its lines itself): a changed paragraph
    keeps its text as it was (``original``) and the way back (``offsets``), and ``release.repairs``
    lists what was repaired, by kind, with a count and a first example."""
    todo = [p for p in release.paragraphs if p.original is None]
    done = dict(zip(map(id, todo), normalize_lines([p.text for p in todo])))
    if not any(n.changed for n in done.values()):
        return release
    repairs = [dict(r) for r in release.repairs]
    paragraphs = []
    for p in release.paragraphs:
        n = done.get(id(p))
        if n is None or not n.changed:
            paragraphs.append(p)
            continue
        add_repairs(repairs, n)
        paragraphs.append(replace(p, text=n.text, original=n.original, offsets=n.offsets))
    return replace(release, paragraphs=paragraphs, repairs=repairs)


def add_repairs(repairs: list[dict[str, Any]], n: Normalized) -> None:
    """Count what ``n`` repaired into a release's ``repairs`` list (one entry per kind, its count,
    the first example)."""
    for kind, (count, example) in n.repairs.items():
        entry = next((r for r in repairs if r["kind"] == kind), None)
        if entry is None:
            repairs.append({"kind": kind, "what": KINDS[kind], "count": count, "example": example})
        else:
            entry["count"] += count


def describe_repairs(repairs: list[dict[str, Any]]) -> str:
    """``repaired: 150 inline pinyin annotations, 3 spaces inside a number`` for the stderr summary."""
    return ", ".join(f"{r['count']} × {r['what']}" for r in repairs)

