"""Fold Chinese text for matching only: same length out as in, so offsets stay valid.

Releases arrive in simplified and traditional script, with full-width or half-width letters and
digits, and with any of several dashes in 中国—东盟. Matching must not care; output must keep the
original characters. So :func:`fold` maps each character to one character: traditional to
simplified (OpenCC), NFKC width folding, every dash to ``-``, Latin to lower case. A match found
at ``[i, j)`` in the folded text is the span ``[i, j)`` of the original.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_DASHES = dict.fromkeys(map(ord, "—–‑‐‒―－﹣⁃−"), "-")


@lru_cache(maxsize=2)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def _t2s():
    return _opencc("t2s")


def convert_script(text: str, config: str = "t2s") -> str:
    """``text`` in the other script (OpenCC ``t2s`` or ``s2t``), each character converted with its
    phrase context (復甦 → 复苏); the length may change where a phrase does."""
    return _opencc(config).convert(text)


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch)
    if len(out) != 1:
        out = ch
    if "\u3400" <= out <= "\u9fff" or "\uf900" <= out <= "\ufaff":
        simple = _t2s().convert(out)
        out = simple if len(simple) == 1 else out
    return out.translate(_DASHES).lower()


def fold(text: str) -> str:
    """The matching form of ``text``; ``len(fold(t)) == len(t)`` always. A character whose simplified
    form depends on its neighbours (甦 in 復甦 is 苏) takes OpenCC's phrase conversion of the whole
    text where that keeps the length."""
    if not text.isascii():
        phrase = _t2s().convert(text)
        if len(phrase) == len(text):
            text = phrase
    return "".join(_fold_char(c) for c in text)
