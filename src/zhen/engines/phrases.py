"""Required phrases as target-token sequences, and which of them a hypothesis has placed.

Shared by every engine, so they agree on what "placed" means: the transformers engine steers its
search with them (:mod:`zhen.engines.constraints`), the CTranslate2 engine repairs hypotheses with
them (:mod:`zhen.engines.ct2_engine`). Nothing here needs torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..occurrences import PLAIN_QUOTES, claim, find_all


@dataclass(frozen=True)
class Phrase:
    """One requirement: the token sequences zhen steers to (the preferred rendering and its
    capitalized form) and the ones it accepts (those, plus the other accepted renderings)."""

    steer: tuple[tuple[int, ...], ...]
    accept: tuple[tuple[int, ...], ...]


def as_string(seq) -> str:
    """Token ids as a string, so that searching a hypothesis is ``str.find`` (C speed)."""
    return "".join(map(chr, seq))


def unmet(gen: str, reqs: list[Phrase], strings: dict | None = None) -> list[Phrase]:
    """Requirements not yet placed in ``gen`` (a hypothesis as :func:`as_string`), by the audit's
    rule (:func:`zhen.occurrences.claim`): an occurrence serves one requirement, longest first.
    The missing ones come longest first too."""
    strings = strings if strings is not None else {}
    wanted = [[strings.get(seq) or as_string(seq) for seq in p.accept] for p in reqs]
    missing = [p for p, span in zip(reqs, claim(gen, wanted)) if span is None]
    return sorted(missing, key=lambda p: -max(map(len, p.accept)))  # longest first: the next to steer to


def placed_spans(gen: str, phrases: list[Phrase]) -> list[tuple[int, int]]:
    """Every occurrence of any accepted rendering of ``phrases`` in ``gen`` (as :func:`as_string`)."""
    return [s for p in phrases for seq in p.accept for s in find_all(gen, as_string(seq))]


class PhraseBuilder:
    """Turns accepted renderings into a :class:`Phrase` with one tokenizer, caching token ids.

    ``word_start`` is the vocabulary's word-start marker: with SentencePiece's ``▁`` a phrase has
    the same pieces at the start of a sentence and inside one; with byte-level BPE's ``Ġ`` the space
    before a word is part of its first piece, so a phrase is steered to with its space (never glued
    onto the word before it; at the start of an answer the space is stripped), and accepted with or
    without."""

    def __init__(self, tokenizer, word_start: str = "▁") -> None:
        self.tokenizer = tokenizer
        self.spaced = word_start == "Ġ"
        self._ids: dict[str, tuple[int, ...] | None] = {}

    def ids(self, text: str) -> tuple[int, ...] | None:
        """Target-side token ids of ``text``, or ``None`` if the vocabulary cannot spell it."""
        if text not in self._ids:
            ids = self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"]
            ok = ids and self.tokenizer.unk_token_id not in ids
            self._ids[text] = tuple(ids) if ok else None
        return self._ids[text]

    def phrase(self, accepted: list[str]) -> Phrase | None:
        """Steer to the preferred rendering (or its capitalized form), accept any rendering.
        ``None`` if the vocabulary cannot spell the preferred one."""

        def forms(text: str, steer: bool) -> list[tuple[int, ...]]:
            capital = text[:1].upper() + text[1:]
            variants = [text, capital]
            if self.spaced:  # steered with its space (a leading one is stripped from an answer)
                variants = [" " + text, " " + capital] + ([] if steer else [text, capital])
            seqs = [self.ids(f) for f in dict.fromkeys(variants)]
            return [s for s in dict.fromkeys(seqs) if s]

        steer = forms(accepted[0], True)
        if not steer:  # a vocabulary without typographic quotes can still spell the plain ones
            steer = forms(accepted[0].translate(PLAIN_QUOTES), True)
        if not steer:
            return None
        accept = list(steer)
        for other in accepted if self.spaced else accepted[1:]:
            accept += [s for s in forms(other, False) if s not in accept]
        return Phrase(tuple(steer), tuple(accept))

    def requirements(self, constraints: list[list[list[str]]]) -> list[list[Phrase]]:
        return [[p for p in (self.phrase(a) for a in item) if p] for item in constraints]
