"""The reference engine: any Marian-architecture ``AutoModelForSeq2SeqLM`` with a SentencePiece
tokenizer, run by transformers on the CPU (default: Helsinki-NLP/opus-mt-zh-en).

Faster engines must match this one on the same inputs. transformers' ``TranslationPipeline`` is
deprecated; we call ``generate`` directly and do the batching ourselves: segments sorted by length so
a batch pads little, then put back in their original order.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

from ..errors import EngineUnavailableError, ModelLoadError
from ..models import ResolvedModel
from .base import DecodingOptions, Hypothesis, Progress, fixed_batches, translate_sorted
from .phrases import PhraseBuilder
from .sizes import MarianSizes

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Any, Any]:
    """Tokenizer and model for ``path``, loaded once per process."""
    import torch  # noqa: F401  (fail here, clearly, if torch is missing)
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSeq2SeqLM.from_pretrained(path)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"{path}: could not be loaded as a translation model ({first}); "
                             "pull it again or point --model at a Marian/opus-mt directory.") from None
    model.eval()
    return tokenizer, model


class TransformersEngine(MarianSizes):
    name = "transformers"

    def __init__(self, model: ResolvedModel, options: DecodingOptions | None = None) -> None:
        import torch

        self.model_info = model
        self.options = options or DecodingOptions()
        if self.options.compute_type not in (None, "auto", "float32"):
            raise EngineUnavailableError(f"the transformers engine computes in float32; --compute-type "
                                         f"{self.options.compute_type} is for --engine ct2.")
        if self.options.threads:
            torch.set_num_threads(self.options.threads)
        self.tokenizer, self.model = _load(str(model.path))
        self._set_limits(getattr(self.model.config, "max_position_embeddings", None))
        self.phrases = PhraseBuilder(self.tokenizer)
        self._glue = None

    def _glue_tokens(self) -> torch.Tensor:
        """Ids of pieces that continue a word: no ``▁`` in front, and a letter or digit first."""
        if self._glue is None:
            import torch

            vocab = self.tokenizer.get_vocab()
            ids = [i for piece, i in vocab.items() if piece[:1].isalnum()]
            self._glue = torch.tensor(sorted(ids), dtype=torch.long)
        return self._glue

    def _generate(self, batch: list[str], constraints: list[list[list[str]]] | None = None) -> list[Hypothesis]:
        import torch
        from transformers import LogitsProcessorList

        enc = self.tokenizer(batch, return_tensors="pt", padding=True)
        longest = int(enc["input_ids"].shape[1])
        if longest > self._max_source:
            raise ValueError(f"segment of {longest} tokens exceeds the model's {self._max_source}; segment first")
        max_new = self.output_cap(longest, self.options.max_length)
        processors = LogitsProcessorList()
        if constraints and any(constraints):
            from .constraints import TermConstraintProcessor

            reqs = self.phrases.requirements(constraints)
            need = max(sum(len(p.steer[0]) for p in item) for item in reqs)
            max_new = self.output_cap(longest, self.options.max_length, need)
            processors.append(TermConstraintProcessor(
                reqs, self.options.beam_size, self.model.config.eos_token_id, max_length=1 + max_new,
                glue=self._glue_tokens()))
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                num_beams=self.options.beam_size,
                do_sample=False,
                max_length=1 + max_new,  # decoder start token + new tokens (max_new_tokens warns)
                no_repeat_ngram_size=self.options.no_repeat_ngram_size or None,
                repetition_penalty=self.options.repetition_penalty,
                logits_processor=processors,
                output_scores=True,
                return_dict_in_generate=True,
            )
        texts = self.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
        if self.options.beam_size > 1:
            scores = out.sequences_scores.tolist()
        else:
            trans = self.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
            mask = out.sequences[:, 1:] != self.model.config.pad_token_id
            trans = torch.where(mask, trans, torch.zeros_like(trans))  # pads after EOS may score -inf
            scores = (trans.sum(1) / mask.sum(1).clamp(min=1)).tolist()
        lengths = (out.sequences[:, 1:] != self.model.config.pad_token_id).sum(1).tolist()
        # at the cap Marian's generation forces the end-of-sentence token: a full-length output is capped
        return [Hypothesis(t.strip(), float(s), int(n), capped=n >= max_new) for t, s, n in zip(texts, scores, lengths)]

    def translate_batch(self, texts: list[str], *, constraints: list[list[list[str]]] | None = None,
                        anchors: list[list[str]] | None = None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        """Translate ``texts``; ``constraints[i]`` lists, for text i, the requirements its output must
        contain, each as its accepted renderings (preferred first)."""
        def run(chunk: list[int]) -> list[Hypothesis]:
            return self._generate([texts[i] for i in chunk], [constraints[i] for i in chunk] if constraints else None)

        return translate_sorted(texts, lambda i: self.count_tokens(texts[i]), fixed_batches(self.options.batch_size),
                                run, progress)

    def signature(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.model_info.name,
            "revision": self.model_info.revision,
            "beam": self.options.beam_size,
            "max_length": self.options.max_length,
        }
