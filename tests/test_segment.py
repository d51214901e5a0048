"""Segmentation: sentences respect quotes and numbers; nothing is lost; nothing exceeds the limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhen.readers import read_path
from zhen.segment import bracket_depth, segment_text, sentence_spans

from .conftest import SAMPLE


def pieces(text, **kw):
    return [text[a:b] for a, b in segment_text(text, **kw)]


@pytest.mark.parametrize("text,expected", [
    ("他说：“我们要深化改革。”会议强调，要加强合作。",
     ["他说：“我们要深化改革。”", "会议强调，要加强合作。"]),
    # the sumy failure: closing quote and an unpunctuated tail are kept
    ("全会指出，“要全面深化改革。”会议强调", ["全会指出，“要全面深化改革。”", "会议强调"]),
    ("《关于做好碳达峰碳中和工作的意见。》已经印发。同比增长92.6%。",
     ["《关于做好碳达峰碳中和工作的意见。》已经印发。", "同比增长92.6%。"]),
    ("进出口1613.8亿元。出口597亿元。", ["进出口1613.8亿元。", "出口597亿元。"]),
    ("1. 加强合作。2. 推动发展。", ["1. 加强合作。", "2. 推动发展。"]),
    ("真的吗？！是的……好。", ["真的吗？！", "是的……", "好。"]),
    ("（一）总体要求。（二）主要目标。", ["（一）总体要求。", "（二）主要目标。"]),
    ("一个未闭合的“引号。后面的句子。", ["一个未闭合的“引号。", "后面的句子。"]),
    ("He said so. 然后继续。", ["He said so. ", "然后继续。"]),
])
def test_sentences(text, expected):
    assert pieces(text) == expected


def test_overlong_sentence_splits_at_the_strongest_boundary():
    text = "广西大力发展清洁能源；不断完善政策措施，绿色低碳发展取得积极成效。"
    assert pieces(text, limit=24) == ["广西大力发展清洁能源；", "不断完善政策措施，绿色低碳发展取得积极成效。"]
    assert all(len(p) <= 12 for p in pieces(text, limit=12))


def test_enumeration_comma_is_weaker_than_comma():
    text = "生态质量指数、近岸海域水质优良面积比例、红树林面积均居全国第二,生物多样性丰富度居全国第三。"
    first, *_ = pieces(text, limit=40)
    assert first.endswith(",")


def test_thousands_separator_is_not_a_clause_boundary():
    text = "总额为1,613,800元，" + "同比增长" * 5 + "。"
    assert not any(p.endswith("1,") or p.endswith("613,") for p in pieces(text, limit=12))


def test_text_without_any_boundary_is_cut_not_dropped():
    text = "甲" * 95
    out = pieces(text, limit=30)
    assert "".join(out) == text and all(len(p) <= 30 for p in out)


def test_numbers_are_not_cut_when_there_is_a_choice():
    text = "甲" * 25 + "1613.8"
    out = pieces(text, limit=28)
    assert any("1613.8" in p for p in out)


def test_bracket_depth_counts_only_matched_marks():
    assert bracket_depth("a“b”c") == [0, 0, 1, 1, 0]
    assert max(bracket_depth("a“bc")) == 0


def test_every_character_of_the_sample_release_reaches_a_segment():
    release = read_path(SAMPLE)
    total = 0
    for p in release.paragraphs:
        spans = segment_text(p.text, limit=30)
        assert "".join(p.text[a:b] for a, b in spans) == p.text
        assert all(b - a <= 30 for a, b in spans)
        total += sum(b - a for a, b in spans)
    assert total == sum(len(p.text) for p in release.paragraphs)


_alphabet = st.sampled_from(list("广西生态环境厅长陈亮致辞绿色发展合作。！？；：，、“”《》（）()\"… .,0123456789abcXYZ\n") + ["1613.8"])


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_alphabet, max_size=200).map("".join), limit=st.integers(1, 60))
def test_property_spans_tile_the_text_and_fit_the_limit(text, limit):
    spans = segment_text(text, limit=limit)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(b > a for a, b in spans)
    assert all(b - a <= limit for a, b in spans)
    assert [a for a, _ in spans] == ([0] + [b for _, b in spans[:-1]] if spans else [])


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_property_any_unicode_is_tiled(text):
    spans = sentence_spans(text)
    assert "".join(text[a:b] for a, b in spans) == text


@settings(max_examples=100, deadline=None)
@given(text=st.lists(_alphabet, max_size=120).map("".join), limit=st.integers(2, 40))
def test_property_limit_holds_for_a_token_measure(text, limit):
    # a measure like a tokenizer's: about one token per two characters, plus end-of-sentence
    measure = lambda s: (len(s) + 1) // 2 + 1  # noqa: E731
    spans = segment_text(text, limit=limit, measure=measure)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(measure(text[a:b]) <= limit or b - a == 1 for a, b in spans)
