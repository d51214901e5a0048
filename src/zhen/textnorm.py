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


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


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
    """The matching form of ``text``; ``len(fold(t)) == len(t)`` always."""
    return "".join(_fold_char(c) for c in text)
