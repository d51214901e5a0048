"""Damaged sources (issue 16, part 1): pages as reposted official news arrives, made from real
releases by the damage real pages show, must give the same requirements as the clean release, and
the bilingual outputs must still show the source as it was."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, pinyin

from zhen.exporters import render
from zhen.normalize import normalize
from zhen.readers import read_bytes
from zhen.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt").read_text("utf-8")
CORRIDOR = (ROOT / "tests" / "fixtures" / "land-sea-corridor-release.txt").read_text("utf-8")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def pipe():
    return Settings(engine="none").pipeline()  # requirements only: no model runs


def requirements(pipe, text: str):
    release = pipe.segment(read_bytes(text.encode("utf-8"), "page.txt"))
    return release, Counter((h.kind, h.target) for s in release.segments() for h in s.terms)


# -- pages made from real releases, damaged the way real pages are ----------------------------------

def pinyin_page(text: str) -> str:
    """A traditional-script page with a reading aid: every character followed by its pinyin."""
    trad = opencc.OpenCC("s2t").convert(text)
    return "".join(ch + (f"({pinyin(ch, style=Style.TONE)[0][0]})" if HAN.match(ch) else "") for ch in trad)


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def pdf_copy(text: str, width: int = 38) -> str:
    """The release as copied out of a PDF: its paragraphs indented and wrapped at ``width``
    columns (a Chinese character takes two), a running header and a page number every 12 lines,
    the title spaced out character by character, and thousands written with a space (1 613.8 亿元)."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = next(i for i, line in enumerate(lines) if "来源" in line) - 1
    out = []
    for i, line in enumerate(lines):
        if i == title:
            out.append(" ".join(line))
            continue
        if i < title or "。" not in line:  # the page's head and short lines stay as they are
            out.append(line)
            continue
        line = re.sub(r"(?<![\d.])(\d{1,3})(\d{3})(?=[.\d]*[亿万列])", r"\1 \2", line)
        line = re.sub(r"(\d)(亿元)", r"\1 \2", line)
        row, used = "\u3000\u3000", 4
        for ch in line:
            if used + _columns(ch) > width:
                out.append(row)
                row, used = "", 0
            row, used = row + ch, used + _columns(ch)
        out.append(row)
    paged = []
    for k, line in enumerate(out, 1):
        paged.append(line)
        if k % 12 == 0:
            paged += ["", f"- {k // 12} -", "", "广西壮族自治区生态环境厅 工作动态", ""]
    return "\n".join(paged)


COMPAT = {"年": "\uf98e", "生": "\u2f63", "人": "\u2f08", "大": "\u2f24", "日": "\u2f47", "月": "\u2f49"}


def web_debris(text: str) -> str:
    """The release as reposted through CMSes: zero-width spaces and bidi marks, HTML entities left
    in the text, full-width Latin and digits, compatibility ideographs and Kangxi radicals, and
    one paragraph in traditional script."""
    lines = text.splitlines()
    body = [i for i, line in enumerate(lines) if len(line) > 80]
    out = []
    for i, line in enumerate(lines):
        if i in body:
            line = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in line)
            line = "".join(COMPAT.get(c, c) for c in line)
            line = re.sub(r"(.{7})", "\\1\u200b", line)  # a zero-width space every 7 characters
            line = line.replace("，", "，\u200e", 3).replace("、", "&#12289;", 2).replace("。", "&#x3002;", 1)
        if i == body[1]:
            line = opencc.OpenCC("s2t").convert(line)
        if i == body[-1]:
            line = line.replace("“", "&ldquo;").replace("”", "&rdquo;") + "&nbsp;"
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("damage", [pinyin_page, pdf_copy, web_debris])
@pytest.mark.parametrize("release", [SEED, CORRIDOR], ids=["guangxi", "corridor"])
def test_damaged_page_gives_the_clean_requirements(pipe, damage, release):
    clean_release, clean = requirements(pipe, release)
    damaged_release, damaged = requirements(pipe, damage(release))
    assert damaged == clean, (clean - damaged, damaged - clean)
    assert not [k for k in damaged if k[0] == "latin" and k not in clean]  # no pinyin fragment required
    assert damaged_release.title and opencc.OpenCC("t2s").convert(damaged_release.title) == clean_release.title
    assert damaged_release.metadata == clean_release.metadata
    assert [p.kind for p in damaged_release.paragraphs] == [p.kind for p in clean_release.paragraphs]
    assert damaged_release.repairs, "a damaged page reports its repairs"
    for p in damaged_release.paragraphs:  # the source as it was is kept, segment by segment
        assert "".join(s.as_received for s in p.segments) == p.as_received
        assert "".join(s.source for s in p.segments) == p.text


def test_repairs_are_counted(pipe):
    page = pinyin_page(SEED)
    release, _ = requirements(pipe, page)
    kinds = {r["kind"]: r for r in release.repairs}
    kept = "".join(p.as_received for p in release.paragraphs)
    assert kinds["pinyin"]["count"] == len(re.findall(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", kept))
    assert "(" in kinds["pinyin"]["example"] and "→" in kinds["pinyin"]["example"]
    pdf = read_bytes(pdf_copy(CORRIDOR).encode(), "pdf.txt")
    kinds = {r["kind"]: r["count"] for r in pdf.repairs}
    assert kinds["page-number"] >= 1 and kinds["running-header"] >= 1 and kinds["wrapped-line"] >= 5
    assert kinds["number-space"] >= 1 and kinds["space"] >= 2  # 9 580列; 487.5 亿元 and the spaced title
    assert not any("工作动态" in p.text or re.fullmatch(r"- \d+ -", p.text) for p in pdf.paragraphs)
    assert any("工作动态" in line for line in pdf.removed)


def test_bilingual_outputs_show_the_source_as_it_was(pipe):
    from zhen.pipeline import postprocess

    release = pipe.segment(read_bytes(pinyin_page(SEED).encode(), "page.txt"))
    done = postprocess(release, [f"English {k}." for k in range(len(release.segments()) + 1)])
    tmx = render(done, "tmx").decode()
    assert "環(huán)境" in tmx
    rows = [json.loads(line) for line in render(done, "jsonl").splitlines()]
    damaged = [r for r in rows if "repaired_source" in r]
    assert damaged and all("(" in r["source"] and "(" not in r["repaired_source"] for r in damaged)
    md = render(done, "md")
    assert "**生(shēng)態(tài)環(huán)境(jìng)廳(tīng)**" in md or "態(tài)" in md


def test_real_latin_words_are_still_required(pipe):
    text = "会议讨论了ＲＣＥＰ和COP28议题，参会者用ＱＱ联系，EOD模式受到关注。"
    release, found = requirements(pipe, text)
    sources = {h.source for s in release.segments() for h in s.terms}
    assert {"RCEP", "COP28", "QQ", "EOD模式"} <= sources  # the glossary takes RCEP and EOD模式; the rest are copied
    assert {t for k, t in found if k == "latin"} == {"COP28", "QQ"}


def test_clean_text_is_left_alone():
    for text in (SEED, CORRIDOR):
        for line in text.splitlines():
            n = normalize(line.strip())
            assert n.text == line.strip() or set(n.repairs) <= {"odd-space"}, (line, n.repairs)
    keep = ["国际金融公司(International Finance Corporation)", "中国(China)与东盟", "分享 微信",
            "2023-09-18 09:14 来源: 某厅", "方程式(x)的解", "A&B公司"]
    for text in keep:
        assert normalize(text).text == text


# -- the offsets: nothing lost, nothing moved --------------------------------------------------------

_PIECES = st.sampled_from(["环", "境", "部", "長", "會", "议", "(huán)", "（jìng）", "(de)", "(ma3)", " ", "\n", "\u3000",
                           "\u00a0", "\u200b", "\u200e", "\ufeff", "&amp;", "&#12289;", "&nbsp;", "&bogus;", "Ｒ",
                           "１", "．", "％", "1", " 613", "亿", "元", "，", "。", "eco-", "\nnomic", "RCEP", "\uf98e",
                           "\u2f63", "-", "a", "(", ")"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from([None, "simplified", "traditional"]),
       st.booleans())
def test_normalization_never_loses_or_moves_a_character(text, script, toneless):
    n = normalize(text, script=script, toneless_pinyin=toneless)
    assert len(n.offsets) == len(n.text) + 1 and n.offsets[-1] == len(text)
    assert all(a <= b for a, b in zip(n.offsets, n.offsets[1:]))
    if n.text:
        assert n.offsets[0] == 0
        # the pieces tile the original: every character of it is in exactly one, in order
        assert "".join(text[n.offsets[i]:n.offsets[i + 1]] for i in range(len(n.text))) == text
    for i, ch in enumerate(n.text):
        piece = text[n.offsets[i]:n.offsets[i + 1]]
        if i == 0:  # invisible characters removed before the first character belong to its piece
            piece = piece.lstrip("\u200b\u200e\ufeff")
        if not piece:
            continue  # the second character of a replacement (an entity that decodes to two)
        # the character is its piece's first, or that one repaired (an entity decoded, width folded,
        # an odd space made plain, a character of the other script converted)
        firsts = {piece[0], html.unescape(piece)[0]}
        firsts |= {unicodedata.normalize("NFKC", c) for c in firsts}
        assert (ch in firsts or (ch == " " and any(c.isspace() for c in firsts))
                or (HAN.match(ch) and HAN.match(piece[0]))), (text, i, piece, ch)
