"""Token counts and limits of a model, from its tokenizer, config and family driver.

Shared by both engines, so segmentation (which asks how long a span is, and how much English a
segment may need) is the same whichever engine translates.
"""

from __future__ import annotations

from typing import Any

#: the longest segment a chat model is given (its prompt and answer take the rest of its context)
CHAT_SEGMENT_TOKENS = 512


class ModelSizes:
    tokenizer: Any
    driver: Any
    _max_source: int
    _max_positions: int

    def _set_limits(self, max_positions: int | None) -> None:
        self._max_positions = int(max_positions or 512)
        limit = getattr(self.tokenizer, "model_max_length", None)
        self._max_source = min(self._max_positions, int(limit)) if limit and int(limit) < 10**9 else self._max_positions
        if self.driver.causal:
            self._max_source = min(self._max_source, CHAT_SEGMENT_TOKENS, self._max_positions // 4)

    @property
    def max_positions(self) -> int:
        """The model's positions: the longest sequence its decoder takes, start token included."""
        return self._max_positions

    @property
    def max_source_tokens(self) -> int:
        """The longest input (in tokens, end-of-sentence included) the model accepts."""
        return self._max_source

    def count_tokens(self, text: str) -> int:
        return self.driver.segment_tokens(text)

    @property
    def max_target_tokens(self) -> int:
        """The longest output the decoder may write: its positions less its start token (a chat
        model's, less room for its prompt), and no more than ``max_length``."""
        room = min(self._max_positions - 1, 4 * CHAT_SEGMENT_TOKENS) if self.driver.causal else self._max_positions - 1
        return min(room, self.options.max_length)

    def count_target_tokens(self, text: str) -> int:
        return len(self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"])

    def with_options(self, options):
        """The same engine, its model loaded once, decoding with other ``options`` (a retry of
        output that failed :mod:`zhen.quality`'s checks)."""
        import copy

        other = copy.copy(self)
        other.options = options
        return other

    def output_cap(self, longest: int, max_length: int, need: int = 0) -> int:
        """New tokens allowed for a batch whose longest input has ``longest`` tokens. English rarely
        needs more than three tokens per source token; the cap stops a weak model looping to
        ``max_length`` on every segment it does not know. With ``need`` tokens of required phrases,
        room for them and the rest of the sentence. The decoder's start token takes a position."""
        room = self.max_target_tokens
        cap = min(max_length, 3 * longest + 16, room)
        if need:
            cap = min(room, max_length, max(cap, need + 2 * longest + 8))
        return cap
