"""Lexically constrained decoding for transformers' ``generate``, written for zhen.

transformers 5 removed constrained beam search (``force_words_ids``, ``PhrasalConstraint``), so this
is ours: a :class:`LogitsProcessor` that works with greedy and beam search alike, recomputing each
hypothesis' state from its tokens at every step (so beam reordering cannot confuse it):

* a hypothesis that has begun a required phrase (its last tokens are a proper prefix of one) must
  continue it: every other token is masked;
* while any required phrase is unplaced, end-of-sentence is masked, and the first token of each
  unplaced phrase gets a bonus, so the model places terms where it finds them likely;
* when the steps left are only just enough for the unplaced phrases, the next one is started;
* right after a phrase, a token that would glue onto its last word is masked.

Each requirement is a list of alternative token sequences (accepted renderings, and the
capitalized form at the start of the sentence); any of them counts. Occurrences are counted, so a
term required twice must appear twice.
"""

from __future__ import annotations

import torch
from transformers import LogitsProcessor

Alternatives = list[list[int]]


def _count(gen: list[int], seqs: Alternatives) -> int:
    """Non-overlapping occurrences of any sequence in ``gen``."""
    count, i = 0, 0
    while i < len(gen):
        for seq in seqs:
            if gen[i : i + len(seq)] == seq:
                count += 1
                i += len(seq)
                break
        else:
            i += 1
    return count


class TermConstraintProcessor(LogitsProcessor):
    def __init__(self, requirements: list[list[Alternatives]], num_beams: int, eos_token_id: int,
                 max_length: int, glue: torch.Tensor | None = None, bonus: float = 2.0,
                 prompt_length: int = 1) -> None:
        """``glue`` marks the tokens that continue a word (no leading ``▁``): banned right after a
        phrase is complete, so "Chen Liang" cannot become "Chen Liangeood"."""
        self.requirements = requirements
        self.glue = glue
        self.num_beams = num_beams
        self.eos = eos_token_id
        self.max_length = max_length
        self.bonus = bonus
        self.prompt = prompt_length

    def _unmet(self, gen: list[int], reqs: list[Alternatives]) -> list[Alternatives]:
        """Requirements not yet placed; identical ones are counted together."""
        unmet: list[Alternatives] = []
        seen: dict[tuple, int] = {}
        for alts in reqs:
            key = tuple(map(tuple, alts))
            need = seen.get(key, 0) + 1
            seen[key] = need
            if _count(gen, alts) < need:
                unmet.append(alts)
        return unmet

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        steps_left = self.max_length - input_ids.shape[1]
        for row in range(input_ids.shape[0]):
            reqs = self.requirements[row // self.num_beams]
            if not reqs:
                continue
            gen = input_ids[row, self.prompt :].tolist()
            if self.glue is not None and any(
                len(gen) >= len(seq) and gen[-len(seq) :] == seq for alts in reqs for seq in alts
            ):
                scores[row, self.glue] = float("-inf")
            unmet = self._unmet(gen, reqs)
            if not unmet:
                continue
            forced = None
            best = 0
            for alts in unmet:
                for seq in alts:
                    for k in range(min(len(seq) - 1, len(gen)), best, -1):
                        if gen[-k:] == seq[:k]:
                            best, forced = k, seq[k]
                            break
            if forced is None:
                need = sum(len(alts[0]) for alts in unmet)  # the preferred renderings, which are forced
                if steps_left <= need + 1:
                    forced = unmet[0][0][0]
            if forced is not None:
                keep = scores[row, forced].clone()
                scores[row, :] = float("-inf")
                scores[row, forced] = keep if torch.isfinite(keep) else 0.0
                continue
            scores[row, self.eos] = float("-inf")
            firsts = sorted({seq[0] for alts in unmet for seq in alts})
            scores[row, firsts] += self.bonus
        return scores
