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

Each requirement is a :class:`Phrase`: the sequences zhen steers to (the preferred rendering, and
its capitalized form for the start of a sentence) and the sequences it accepts (those, plus any
other accepted rendering the model writes on its own). Occurrences are counted, so a term required
twice must appear twice.
"""

from __future__ import annotations

import torch
from transformers import LogitsProcessor

from .phrases import Phrase, as_string, unmet


class TermConstraintProcessor(LogitsProcessor):
    def __init__(self, requirements: list[list[Phrase]], num_beams: int, eos_token_id: int,
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
        # every phrase as a string of token ids, made once: the hot loop only looks them up
        self._strings = {seq: as_string(seq) for reqs in requirements for p in reqs for seq in p.accept}

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        steps_left = self.max_length - input_ids.shape[1]
        for row in range(input_ids.shape[0]):
            reqs = self.requirements[row // self.num_beams]
            if not reqs:
                continue
            gen = input_ids[row, self.prompt :].tolist()
            gen_s = as_string(gen)
            if self.glue is not None and any(gen_s.endswith(self._strings[seq]) for p in reqs for seq in p.accept):
                scores[row, self.glue] = float("-inf")
            missing = unmet(gen_s, reqs, self._strings)
            if not missing:
                continue
            forced = None
            best = 0
            for phrase in missing:
                for seq in phrase.steer:
                    seq_s = self._strings[seq]
                    for k in range(min(len(seq) - 1, len(gen)), best, -1):
                        if gen_s.endswith(seq_s[:k]):
                            best, forced = k, seq[k]
                            break
            if forced is None:
                need = sum(len(p.steer[0]) for p in missing)  # the preferred renderings, which are forced
                # the last position is the end-of-sentence token (Marian forces it there)
                if steps_left <= need + 2:
                    forced = missing[0].steer[0][0]
            if forced is not None:
                keep = scores[row, forced].clone()
                scores[row, :] = float("-inf")
                scores[row, forced] = keep if torch.isfinite(keep) else 0.0
                continue
            scores[row, self.eos] = float("-inf")
            firsts = sorted({seq[0] for p in missing for seq in p.steer})
            scores[row, firsts] += self.bonus
        return scores
