"""Numbers, dates and units: the issue's examples, and properties of the converter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhen.numbers import MONTHS, english_amount, find_numbers, parse_english_amount


def english(text):
    return [(text[m.start:m.end], m.english) for m in find_numbers(text)]


@pytest.mark.parametrize("text,expected", [
    ("进出口1613.8亿元", [("1613.8亿元", "161.38 billion yuan")]),
    ("出口597亿元", [("597亿元", "59.7 billion yuan")]),
    ("进口纸浆11.7亿元", [("11.7亿元", "1.17 billion yuan")]),
    ("上升0.3个百分点", [("0.3个百分点", "0.3 percentage points")]),
    ("上升1个百分点", [("1个百分点", "1 percentage point")]),
    ("2022年,地表水", [("2022年", "2022")]),
    ("9月15日,论坛", [("9月15日", "September 15")]),
    ("今年1—8月,广西", [("1—8月", "January–August")]),
    ("发现植物新种50余种", [("50余种", "more than 50 species")]),
    ("提高到61%", [("61%", "61%")]),
    ("681億港元", [("681億港元", "HK$68.1 billion")]),
    ("12万亿元", [("12万亿元", "12 trillion yuan")]),
    ("3.5万吨", [("3.5万吨", "35,000 tonnes")]),
    ("2023年9月18日", [("2023年9月18日", "September 18, 2023")]),
    ("1,613元", [("1,613元", "1,613 yuan")]),
    ("自贸区3.0版", [("3.0", "3.0")]),
    ("全年２０２２年", [("２０２２年", "2022")]),  # full-width digits
    ("G20峰会", []),  # a name, not a quantity
])
def test_examples(text, expected):
    assert english(text) == expected


def test_small_counts_accept_words():
    (m,) = find_numbers("5个市")
    assert m.accepted == ("5", "five")


@given(st.integers(1, 10**7), st.integers(0, 2), st.sampled_from([("亿", 10**8), ("万", 10**4), ("万亿", 10**12)]))
def test_scaled_amounts_convert_exactly(whole, decimals, scale):
    word, factor = scale
    number = Decimal(whole) / (Decimal(10) ** decimals)
    (m,) = find_numbers(f"金额{number}{word}元。")
    assert m.english.endswith(" yuan")
    assert parse_english_amount(m.english.removesuffix(" yuan")) == number * factor


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999999999"), places=2))
def test_english_amount_round_trips(value):
    assert parse_english_amount(english_amount(value)) == value


@given(st.integers(1, 12), st.integers(1, 28))
def test_month_day(month, day):
    (m,) = find_numbers(f"于{month}月{day}日举行")
    assert m.english == f"{MONTHS[month - 1]} {day}"


@given(st.integers(0, 999), st.integers(0, 9))
def test_percent_is_kept(whole, tenth):
    (m,) = find_numbers(f"增长{whole}.{tenth}%。")
    assert m.english == f"{whole}.{tenth}%"


def test_a_month_alone_is_a_date_not_a_number():
    from zhen.numbers import find_numbers

    found = [(m.kind, m.english) for m in find_numbers("# 2月\n直至2月中旬市場才穩定，6月份回升，3个月后")]
    assert found == [("date", "February"), ("date", "February"), ("date", "June"), ("number", "3")]


@pytest.mark.parametrize("text,accepted", [
    # an ordinal: 第1季 is "the first quarter", 第3年 "the third year", 第12届 "the 12th"
    ("物業成交量於第1季錄得歷史新低", ("1", "one", "first", "1st", "Q1")),
    ("連續第3年收縮", ("3", "three", "third", "3rd")),
    ("第12届论坛", ("12", "12th")),
    # a currency by name or code, and 兌1美元: "per US dollar"
    ("每日5,000港元", ("HK$5,000", "5,000 Hong Kong dollars", "HKD 5,000", "HKD5,000", "5,000 HKD")),
    ("港元兌1美元", ("US$1", "1 US dollar", "one US dollar", "per US dollar", "USD 1", "USD1", "1 USD")),
    # a measure word English writes many ways: the number alone is placed
    ("訪客超過586,600人次", ("586,600 person-times", "586,600")),
    # 多 and 余: "more than", or "over"
    ("計劃下有200多名學生受惠", ("more than 200", "over 200")),
])
def test_other_accepted_forms(text, accepted):
    (m,) = find_numbers(text)
    assert m.accepted == accepted


def test_ranges_and_lists_of_months_and_days():
    found = [(m.english, m.kind) for m in find_numbers("拆息在1、2月期間上升；會議於6月1日至2日舉行；3至11月期間")]
    assert found == [("January", "date"), ("February", "date"), ("June 1–2", "date"), ("March–November", "date")]
    (days,) = find_numbers("2016年10月24日至25日")
    assert days.english == "October 24–25, 2016" and "24-25 October 2016" in days.accepted
    (months,) = find_numbers("3至11月")
    assert "March and November" in months.accepted  # "between March and November"
    # a currency named once for a range: 7.75至7.85港元 may be "HK$7.75 to 7.85"
    low, high = find_numbers("7.75至7.85港元")
    assert low.english == "7.75" and high.english == "HK$7.85" and "7.85" in high.accepted
