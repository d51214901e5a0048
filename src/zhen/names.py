"""Chinese personal names in pinyin, surname first, as official English writes them (陈亮 → Chen Liang)."""

from __future__ import annotations

#: Two-character surnames; everything else takes the first character as the surname.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 百里 呼延 万俟 闻人".split()
)


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.NORMAL, errors="default", v_to_u=False)


def _join(syllables: list[str]) -> str:
    """Join syllables, with the apostrophe pinyin puts before a, o, e (Xi'an, not Xian)."""
    out = ""
    for s in syllables:
        out += ("'" if out and s[:1] in "aoe" else "") + s
    return out.replace("v", "ü").capitalize()


def romanize_name(name: str) -> str:
    """``陈亮`` → ``Chen Liang``; ``欧阳修`` → ``Ouyang Xiu``. Non-Chinese names come back unchanged."""
    name = name.strip()
    if not name or not all("\u4e00" <= c <= "\u9fff" for c in name):
        return name
    split = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    surname = _join(_syllables(name[:split]))
    given = _join(_syllables(name[split:]))
    return f"{surname} {given}".strip()


# ------------------------------------------------------------------------------ names in text

import re  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import lru_cache  # noqa: E402
from importlib import resources  # noqa: E402

from .textnorm import fold  # noqa: E402

#: Titles that precede a name in official releases (厅长陈亮, 巡视员孙雪峰, 董事长覃黎魁).
TITLES = ("总书记", "国家主席", "主席", "总理", "副总理", "委员长", "部长", "副部长", "司长", "副司长", "巡视员",
          "厅长", "副厅长", "局长", "副局长", "处长", "主任", "副主任", "书记", "副书记", "省长", "副省长", "市长",
          "副市长", "县长", "区长", "署长", "董事长", "总经理", "总裁", "总监", "秘书长", "副秘书长", "首席代表",
          "代表", "院长", "校长", "教授", "研究员", "大使", "领事", "记者", "会长", "理事长", "所长", "组长")
_AFTER_NAME = "，,、。；;：:（(出表指说强介主在和与及等分到作会致率带陪会同"


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    name: str
    english: str


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    text = resources.files("zhen.data").joinpath("surnames.txt").read_text("utf-8")
    return frozenset(c for line in text.splitlines() if not line.startswith("#") for c in line.split())


@lru_cache(maxsize=1)
def _title_pattern() -> re.Pattern[str]:
    titles = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
    return re.compile(rf"(?:{titles})(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?=[{_AFTER_NAME}]|$)")


def names_after_titles(text: str) -> list[str]:
    """Personal names introduced by a title (厅长陈亮): surname from the list, then one or two
    characters, then punctuation or a verb. Precise rather than complete: a name zhen is not sure
    of is left to the model (and to the glossary)."""
    surnames = _surnames()
    found: dict[str, None] = {}
    for m in _title_pattern().finditer(fold(text)):  # 廳長陳亮 as 厅长陈亮
        name = m["name"]
        if name[0] in surnames or name[:2] in COMPOUND_SURNAMES:
            found[name] = None
    return list(found)


def find_person_names(text: str, names: list[str] | None = None) -> list[NameMatch]:
    """Every occurrence of ``names`` (default: :func:`names_after_titles` of ``text``) in ``text``.

    Pass the names of the whole release: a name introduced once with its title is repeated alone
    in later paragraphs (陈亮表示 …)."""
    names = names_after_titles(text) if names is None else names
    if not names:
        return []
    alternation = "|".join(sorted(map(re.escape, {fold(n) for n in names}), key=len, reverse=True))
    return [NameMatch(m.start(), m.end(), text[m.start():m.end()], romanize_name(m.group()))
            for m in re.finditer(alternation, fold(text))]
