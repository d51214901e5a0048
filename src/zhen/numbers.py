"""Numbers, amounts, dates and percentages: found in Chinese, written as official English writes them.

Deterministic and exact (``decimal``, never floats): 1613.8亿元 → "161.38 billion yuan",
11.7亿元 → "1.17 billion yuan", 681亿港元 → "HK$68.1 billion", 0.3个百分点 → "0.3 percentage
points", 2022年 → "2022", 9月15日 → "September 15", 1—8月 → "January–August", 50余种 → "more than
50 species", 61% stays "61%". Units and scale words are data (``data/number_units.toml``).

Only Arabic digits (half- or full-width) are converted: Chinese numerals in running text (一带一路,
十四五, 近五年) are idioms and names far more often than quantities.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from .textnorm import fold

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_RANGE = "至到~—–-"  # "-" last: literal in a character class
_ENGLISH_SCALES = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))
_SPECIES_CONTEXT = re.compile(r"(新种|物种|植物|动物|鸟类|鱼类|野生)")


@dataclass(frozen=True)
class NumberMatch:
    """A quantity in the source: ``text[start:end]``, its English, and other accepted forms."""

    start: int
    end: int
    english: str
    accepted: tuple[str, ...]
    kind: str  # "amount", "percent", "date", "year", "number"


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(resources.files("zhen.data").joinpath("number_units.toml").read_text("utf-8"))


def currency(unit: str) -> dict | None:
    """The forms of a currency written after an amount (港元 → code HKD, prefix HK$, name "Hong Kong
    dollar"), from ``data/number_units.toml``; ``None`` for anything else."""
    spec = _data()["units"].get(fold(unit))
    return dict(spec) if spec and "code" in spec else None


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    data = _data()
    units = "|".join(sorted(map(re.escape, data["units"]), key=len, reverse=True))
    scales = "|".join(sorted(map(re.escape, data["scales"]), key=len, reverse=True))
    approx = "".join(data["approx"]["after"])
    num = r"\d+(?:,\d{3})*(?:\.\d+)?"
    month, day = r"1[0-2]|0?[1-9]", r"3[01]|[12]\d|0?[1-9]"
    return re.compile(
        # a range of days: 6月1日至2日, 2016年10月24日至25日
        rf"(?P<drange>(?:(?P<y0>(?:19|20)\d{{2}})年)?(?P<m0>{month})月(?P<d0>{day})[日号]?[{_RANGE}](?P<d9>{day})[日号])"
        rf"|(?P<ymd>(?P<y1>(?:19|20)\d{{2}})年(?P<m1>{month})月(?P<d1>{day})[日号])"
        rf"|(?P<ym>(?P<y2>(?:19|20)\d{{2}})年(?P<m2>{month})月)"
        rf"|(?P<mrange>(?P<m3>{month})(?:-|至|到|~)(?P<m4>{month})月(?!\d))"
        rf"|(?P<md>(?P<m5>{month})月(?P<d2>{day})[日号])"
        rf"|(?P<month>(?P<m6>{month})月份?(?![\d日号]))"
        # the first months of a list: 1、2月 (January and February), 1及2月
        rf"|(?P<mlist>(?P<m7>{month})(?=[、,，和及与](?:{month})月))"
        rf"|(?P<year>(?P<y3>(?:19|20)\d{{2}})年(?!\d))"
        rf"|(?P<pct>(?P<pn>{num})\s*%)"
        rf"|(?P<amount>(?P<an>{num})(?P<approx>[{approx}])?(?P<scale>{scales})?(?P<unit>{units})?)"
    )


def format_decimal(value: Decimal) -> str:
    """``Decimal('161.3800')`` → ``161.38``; thousands separated (``50,000``)."""
    value = value.normalize()
    text = f"{value:f}"
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return whole + ("." + frac if frac else "")


def english_amount(number: Decimal) -> str:
    """``161380000000`` → ``161.38 billion``; below a million, digits with separators."""
    for size, word in _ENGLISH_SCALES:
        if abs(number) >= size:
            return f"{format_decimal(number / size)} {word}"
    return format_decimal(number)


def _unit_words(unit: str | None, value: Decimal) -> tuple[str, str]:
    if not unit:
        return "", ""
    spec = _data()["units"][unit]
    suffix = spec.get("suffix", "")
    if suffix and value != 1 and "plural" in spec:
        suffix = spec["plural"]
    return spec.get("prefix", ""), suffix


def ordinal(n: int) -> str:
    """``1`` → ``1st``, ``12`` → ``12th``, ``23`` → ``23rd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _amount(m: re.Match[str], folded: str, context: str) -> tuple[str, tuple[str, ...], int]:
    raw = m["an"].replace(",", "")
    value = Decimal(raw)
    scale = m["scale"]
    if scale:
        value *= Decimal(_data()["scales"][scale])
    # Without a scale word the digits are kept as written (3.0 stays 3.0, 1,613 stays 1,613).
    number = english_amount(value) if scale else m["an"]
    prefix, suffix = _unit_words(m["unit"], value)
    # 种 after a number is a measure word: "species" where the sentence is about species.
    end = m.end()
    if not m["unit"] and folded[end : end + 1] == "种" and _SPECIES_CONTEXT.search(context[max(0, m.start() - 12) : m.start()]):
        suffix, end = "species", end + 1
    core = f"{prefix}{number}" + (f" {suffix}" if suffix else "")
    english = f"more than {core}" if m["approx"] else core
    accepted = [english] + ([f"over {core}"] if m["approx"] else [])  # 200多名学生: "over 200 students" too
    whole = not scale and not m["unit"] and value == value.to_integral()
    if whole and 0 <= value <= 10:
        accepted.append(SMALL[int(value)])  # "5个市" may be "five cities"
    if whole and folded[m.start() - 1 : m.start()] == "第" and value >= 1:  # 第1季: the first quarter
        accepted += [ORDINALS[int(value)]] if value <= 10 else []
        accepted.append(ordinal(int(value)))
        if folded[m.end() : m.end() + 1] == "季":
            accepted.append(f"Q{int(value)}")
    if not scale and "," not in m["an"] and "." not in m["an"] and value >= 1000 and not (1900 <= value <= 2100):
        accepted.append(f"{int(value):,}")  # 9580列 may be written "9,580 trains"
    if scale and not m["unit"]:
        accepted.append(core)
    if m["unit"] == "元":
        accepted += [f"RMB {number}", f"RMB{number}", f"{number} RMB", f"CNY {number}"]
    spec = _data()["units"].get(m["unit"] or "", {})
    if "name" in spec:  # a currency in words: "5,000 Hong Kong dollars"; 兌1美元: "per US dollar"
        accepted.append(f"{number} {spec['name']}" + ("s" if value != 1 and spec.get("plural_s", True) else ""))
        if value == 1:
            accepted += [f"one {spec['name']}", f"per {spec['name']}"]
    if "code" in spec:
        accepted += [f"{spec['code']} {number}", f"{spec['code']}{number}", f"{number} {spec['code']}"]
    if prefix and context[m.start() - 1 : m.start()] in _RANGE and context[m.start() - 2 : m.start() - 1].isdigit():
        accepted.append(number)  # 7.75至7.85港元: "HK$7.75 to 7.85" names the currency once
    if spec.get("bare"):
        accepted.append(number)  # a measure word English writes many ways: 586,600人次, "586,600 visitors"
    return english, tuple(dict.fromkeys(accepted)), end


def find_numbers(text: str, context: str | None = None) -> list[NumberMatch]:
    """Every quantity, date and percentage in ``text``, left to right, not overlapping.

    ``context`` is the same text unmasked, when the caller has blanked out glossary terms in
    ``text``: measure words are read in it (植物新种50余种 → "more than 50 species")."""
    folded = fold(text)
    folded_context = fold(context) if context is not None else folded
    out: list[NumberMatch] = []
    for m in _pattern().finditer(folded):
        # a digit run glued to Latin letters is a code or a name (G20, 3.0版 is kept by the glossary)
        before = folded[m.start() - 1] if m.start() > 0 else ""
        if before and before.isascii() and (before.isalpha() or before in "._-/"):
            continue
        if m["drange"]:
            month, a, b, year = MONTHS[int(m["m0"]) - 1], int(m["d0"]), int(m["d9"]), m["y0"]
            tail = f", {year}" if year else ""
            english = f"{month} {a}–{b}{tail}"
            forms = [english, f"{month} {a}-{b}{tail}", f"{month} {a} to {b}{tail}", f"{month} {a} and {b}{tail}"]
            forms += [f"{a}{dash}{b} {month}" + (f" {year}" if year else "") for dash in ("–", "-", " to ", " and ")]
            out.append(NumberMatch(m.start(), m.end(), english, tuple(forms), "date"))
        elif m["ymd"]:
            english = f"{MONTHS[int(m['m1']) - 1]} {int(m['d1'])}, {m['y1']}"
            out.append(NumberMatch(m.start(), m.end(), english, (english, f"{int(m['d1'])} {MONTHS[int(m['m1']) - 1]} {m['y1']}"), "date"))
        elif m["ym"]:
            english = f"{MONTHS[int(m['m2']) - 1]} {m['y2']}"
            out.append(NumberMatch(m.start(), m.end(), english, (english,), "date"))
        elif m["mrange"]:
            a, b = MONTHS[int(m["m3"]) - 1], MONTHS[int(m["m4"]) - 1]
            english = f"{a}–{b}"
            out.append(NumberMatch(m.start(), m.end(), english,
                                   (english, f"{a}-{b}", f"{a} to {b}", f"{a} through {b}", f"{a} and {b}"), "date"))
        elif m["md"]:
            month, day = MONTHS[int(m["m5"]) - 1], int(m["d2"])
            english = f"{month} {day}"
            out.append(NumberMatch(m.start(), m.end(), english, (english, f"{day} {month}"), "date"))
        elif m["month"] or m["mlist"]:  # a month alone: 2月中旬 → "February"
            english = MONTHS[int(m["m6"] or m["m7"]) - 1]
            out.append(NumberMatch(m.start(), m.end(), english, (english,), "date"))
        elif m["year"]:
            out.append(NumberMatch(m.start(), m.end(), m["y3"], (m["y3"],), "year"))
        elif m["pct"]:
            english = f"{m['pn']}%"  # as written: 61% stays 61%, 5.0% stays 5.0%
            out.append(NumberMatch(m.start(), m.end(), english, (english, english.replace("%", " percent")), "percent"))
        else:
            english, accepted, end = _amount(m, folded, folded_context)
            kind = "amount" if (m["scale"] or m["unit"]) else "number"
            out.append(NumberMatch(m.start(), end, english, accepted, kind))
    return out


_EN_SCALE = {"trillion": Decimal(10) ** 12, "billion": Decimal(10) ** 9, "million": Decimal(10) ** 6}


def parse_english_amount(text: str) -> Decimal:
    """The inverse of :func:`english_amount`, for checks and property tests: ``"161.38 billion"``."""
    number, _, word = text.strip().partition(" ")
    value = Decimal(number.replace(",", ""))
    return value * _EN_SCALE[word] if word else value
