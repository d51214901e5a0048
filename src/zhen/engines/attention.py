"""Where a model's tokens stand in the text, and its cross-attention as word alignment.

The CTranslate2 engine places a missing glossary phrase over the target tokens attending to the
requirement's source (:mod:`zhen.engines.ct2_engine`), and ``zhen fix --model`` aligns a draft's
English to its source with the model's own attention (:func:`zhen.align.align`): both need each
token's characters, :func:`token_spans`.

Attention is read as Shift-Att (Chen et al. 2020, "Accurate Word Alignment Induction from Neural
Machine Translation"): the draft is forced through the decoder, and a target token is aligned by
the cross-attention of the step where it is the decoder's *input*, not its output (the step that
writes a token attends to what it is about to translate, not to what the token translates),
averaged over the heads of a middle decoder layer (the third of six, the paper's best).
"""

from __future__ import annotations

import unicodedata

#: the word-start markers of SentencePiece and byte-level BPE vocabularies
_MARKS = "▁Ġ"


def token_spans(tokens: list[str], text: str, skip: set[str] = frozenset()) -> list[tuple[int, int]]:
    """The character span in ``text`` of each of its tokens (SentencePiece pieces, ``▁`` for a
    space), matched in order on the text as the tokenizer normalized it (NFKC: a full-width comma
    is the piece ","). A token that is not text (``</s>``, a language code or tag in ``skip``, a lone
    ``▁``) gets an empty span where it stands; ``<unk>`` the characters up to the next token's."""
    folded, back = [], []  # the text NFKC-folded, and each folded character's index in ``text``
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            folded.append(c)
            back.append(i)
    folded_text = "".join(folded)
    back.append(len(text))
    spans: list[tuple[int, int]] = []
    pos, unknown = 0, None  # where matching goes on; the index of an <unk> waiting for its end
    for tok in tokens:
        piece = tok.lstrip(_MARKS)
        if tok == "<unk>":
            while pos < len(folded_text) and folded_text[pos].isspace():
                pos += 1
            unknown = len(spans)
            spans.append((back[pos], back[min(pos + 1, len(folded_text))]))  # at least its first character
            pos = min(pos + 1, len(folded_text))
            continue
        if tok in skip or tok == "</s>" or not piece:
            spans.append((back[pos], back[pos]))
            continue
        found = folded_text.find(piece, pos)
        if found < 0 or found > pos + 3:
            found = pos  # normalized otherwise than here: take its length where we are
        if unknown is not None and found > pos:  # the <unk> before it held the characters between
            spans[unknown] = (spans[unknown][0], back[found])
        unknown = None
        end = min(found + len(piece), len(folded_text))
        spans.append((back[found], back[end - 1] + 1 if end > found else back[found]))
        pos = end
    return spans


def tokens_covering(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first token overlapping the characters ``[start, end)`` and one past the last; (0, 0) if none."""
    inside = [k for k, (a, b) in enumerate(spans) if a < end and b > start]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def alignment_layer(layers: int) -> int:
    """The decoder layer whose attention aligns: the third of six, the same depth in others."""
    return max(0, round(layers / 2) - 1)
