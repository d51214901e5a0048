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
