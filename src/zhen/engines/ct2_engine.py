"""The fast engine: the same model converted to CTranslate2 (on the CPU int8 where the CPU computes
it exactly, float32 elsewhere: see :mod:`zhen.cpu`; on a GPU float16). Every family zhen drives that
CTranslate2 converts runs here: Marian, NLLB/M2M100 and MADLAD (T5) as a ``Translator`` fed the
same tokens as the transformers engine (:mod:`zhen.engines.drivers`: the source language code or
``<2en>`` tag, and NLLB's ``eng_Latn`` as the target prefix), chat models (Qwen2/3, Llama, Mistral,
Gemma) as a ``Generator`` given the same prompt.

The model directory is converted once with CTranslate2's own converter (``zhen models convert``,
or on first use) and cached beside it; the tokenizer is the model's own, so the token sequences are
exactly those the transformers engine feeds its model, and with greedy decoding in float32 the two
engines write the same output (tested).

CTranslate2 has no hook into its search, so glossary terms are placed differently from the
transformers engine, with the same guarantee around it (zhen verifies every requirement on the
output, whatever the engine did):

1. decode every segment unconstrained (batched by tokens, sorted by length), with attention;
2. for each segment whose hypothesis misses a required phrase, find where the phrase belongs: the
   target tokens aligned (by attention) to the requirement's source text, widened to whole words,
   are replaced by the phrase; with nothing aligned, it goes at the word start at the same relative
   position as its source. All edits of a segment are made at once, non-overlapping; a phrase
   already placed is never cut into or replaced;
3. if every phrase replaced aligned words, the edited hypothesis is the result. If one had to be
   inserted and the search is a beam search, the model re-decodes once, greedily, from the edited
   hypothesis up to its last phrase (``target_prefix``), so it writes the rest of the sentence
   after the phrases (unless the rest already holds placed phrases: then the edited hypothesis is
   kept whole). With greedy search the edited hypothesis is kept: CTranslate2 replays a prefix step
   by step, so a re-decode costs as much as the first decode, which would double the time of every
   repaired segment for the setting chosen for speed; a greedy re-decode after a beam-4 decode
   costs about 0.4 of it;
4. two more rounds of edits (no further decoding) for what is still missing; anything left is for
   zhen's last resort.

Only segments that miss something pay for steps 2-4, and at most one extra greedy decode each.

A chat model has no cross-attention to align by: its prompt names the segment's requirements (as
WMT 2025's best terminology systems did), and what it still misses goes to zhen's last resort.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from ..cpu import choose_compute_type
from ..errors import EngineUnavailableError, ModelLoadError
from ..families import require_family
from ..models import ResolvedModel, convert_model
from .attention import token_spans, tokens_covering
from .base import DecodingOptions, Hypothesis, Progress, thread_layout, translate_sorted
from .device import choose_device, gpu_compute_type
from .drivers import driver_for, prompt_terms
from .phrases import Phrase, PhraseBuilder, as_string, placed_spans, unmet
from .sizes import ModelSizes

COMPUTE_TYPES = ("int8", "int8_float32", "float32")
#: a batch holds at most this many source tokens (padding included), besides ``batch_size``
MAX_BATCH_TOKENS = 4096
REPAIR_ROUNDS = 3
#: the id of a token its tokenizer does not know (the highest code point: ids are searched as strings)
NO_ID = 0x10FFFF


@lru_cache(maxsize=4)
def _tokenizer(path: str):
    """The model's tokenizer: an opus-mt directory's read with SentencePiece alone (no transformers
    import: :mod:`zhen.engines.spm`), any other through transformers."""
    from pathlib import Path

    from .spm import MarianSpmTokenizer, can_read

    try:
        if can_read(Path(path)):
            return MarianSpmTokenizer(path)
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"{path}: its tokenizer could not be loaded ({exc}); pull the model again.") from None


class CT2Engine(ModelSizes):
    name = "ct2"

    def __init__(self, model: ResolvedModel, options: DecodingOptions | None = None) -> None:
        try:
            import ctranslate2
        except ImportError:
            raise EngineUnavailableError("--engine ct2 needs CTranslate2: `pip install ctranslate2`.") from None
        self.model_info = model
        self.options = options or DecodingOptions()
        self.device = choose_device(self.options.device, "ct2")
        if self.device == "cuda":
            self.compute_type, self.compute_choice = gpu_compute_type(self.options.compute_type, "ct2"), "gpu"
        else:
            if self.options.compute_type not in (None, "auto", *COMPUTE_TYPES):
                raise EngineUnavailableError(f"compute type {self.options.compute_type!r} is not one of "
                                             f"auto, {', '.join(COMPUTE_TYPES)} on the CPU.")
            # int8 only where this CPU computes it exactly (VNNI, AMX, dot product); see zhen.cpu
            self.compute_type, self.compute_choice = choose_compute_type(self.options.compute_type)
        family = require_family(model.path)
        self.tokenizer = _tokenizer(str(model.path))
        self.driver = driver_for(family, self.tokenizer, model.path, self.options.prompt)
        # int8 weights on disk for int8 compute (smaller, faster to load); float16 for a GPU's
        # half-precision types, float32 otherwise
        stored = ("int8" if self.compute_type.startswith("int8") else
                  "float16" if self.compute_type in ("float16", "bfloat16") else "float32")
        # the cached conversion when it is of this revision of the model, else a new one
        self.path = convert_model(model, stored)
        threads = self.options.threads or os.cpu_count() or 1
        self.inter, intra = thread_layout(threads, self.options.inter_threads, self.device)
        runner = ctranslate2.Generator if self.driver.causal else ctranslate2.Translator
        self.translator = runner(
            str(self.path), device=self.device, compute_type=self.compute_type,
            inter_threads=self.inter, intra_threads=intra)
        self.phrases = PhraseBuilder(self.tokenizer, self.driver.word_start)
        config = self.driver.config
        self._set_limits(config.get("max_position_embeddings") or config.get("n_positions"))
        self._prefix = self.tokenizer.convert_ids_to_tokens(self.driver.target_prefix)
        self._skip = set(self.tokenizer.all_special_tokens) | self.driver.markers

    # --- decoding ------------------------------------------------------------------------------
    def _decode(self, sources: list[list[str]], prefixes: list[list[str]] | None, max_new: int,
                attention: bool = False, beam_size: int | None = None, ends: list[int] | None = None):
        """Hypotheses for ``sources`` as (tokens, score, attention rows), the family's target prefix
        (NLLB's ``eng_Latn``) put before each of ``prefixes`` and taken off the results again.
        ``ends``: each output's own length limit (greedy only: CTranslate2's step callback stops
        one output while the others go on; ``max_new`` holds for the whole call)."""
        if self.driver.causal:
            return self._continue(sources, prefixes, max_new, beam_size, ends)
        lead = self._prefix
        if lead:
            prefixes = [lead + p for p in prefixes] if prefixes else [list(lead) for _ in sources]
            ends = [e + len(lead) for e in ends] if ends else None
        out = self.translator.translate_batch(
            sources, target_prefix=prefixes, beam_size=beam_size or self.options.beam_size, max_batch_size=self._per_batch(len(sources)),
            batch_type="examples", max_decoding_length=max_new + len(lead), max_input_length=0, return_scores=True,
            return_attention=attention, no_repeat_ngram_size=self.options.no_repeat_ngram_size,
            repetition_penalty=self.options.repetition_penalty,
            callback=(lambda step: step.step + 1 >= ends[step.batch_id]) if ends else None)
        n = len(lead)
        results = []
        for r in out:
            tokens, score = list(r.hypotheses[0]), r.scores[0] if r.scores else None
            if n and score is not None:  # CTranslate2 averages over the prefix too; the reference does not
                length = len(tokens) + (len(tokens) < max_new + n)  # the end token, unless stopped at the cap
                score = score * length / max(1, length - n)
            results.append((tokens[n:], score, r.attention[0][n:] if r.attention else None))
        return results

    def _continue(self, prompts: list[list[str]], prefixes: list[list[str]] | None, max_new: int,
                  beam_size: int | None, ends: list[int] | None):
        """A chat model's answers to ``prompts``, each from its ``prefixes`` (tokens of the answer
        already written) on, as :meth:`_decode` gives them; ``ends`` cut each answer (prefix
        included) to its own length."""
        prefixes = prefixes or [[] for _ in prompts]
        limits = [e - len(p) for e, p in zip(ends, prefixes)] if ends else [max_new] * len(prompts)
        out = self.translator.generate_batch(
            [s + p for s, p in zip(prompts, prefixes)], max_length=max(1, max(limits)),
            beam_size=beam_size or self.options.beam_size, max_batch_size=self._per_batch(len(prompts)),
            include_prompt_in_result=False, end_token=self.driver.stop_ids, return_end_token=True,
            return_scores=True, no_repeat_ngram_size=self.options.no_repeat_ngram_size,
            repetition_penalty=self.options.repetition_penalty)
        return [(p + list(r.sequences[0])[: max(0, k)], r.scores[0] if r.scores else None, None)
                for p, r, k in zip(prefixes, out, limits)]

    def _per_batch(self, n: int) -> int:
        """Examples per CTranslate2 batch for a call of ``n``: the batch size, or fewer so that a
        small call still spreads over every parallel batch (``inter_threads``)."""
        return max(1, min(self.options.batch_size, -(-n // self.inter)))

    def _batches(self, order: list[int], lengths: dict[int, int]):
        """Runs of ``order`` (sorted by length) under both the example and the token budget; each
        run goes to CTranslate2 in one call, which splits it into ``batch_size`` batches and runs
        ``inter_threads`` of them at once."""
        per_call = self.options.batch_size * self.inter
        run: list[int] = []
        for i in order:
            if run and (len(run) >= per_call or lengths[run[0]] * (len(run) + 1) > MAX_BATCH_TOKENS * self.inter):
                yield run
                run = []
            run.append(i)
        if run:
            yield run

    def translate_batch(self, texts: list[str], *, constraints: list[list[list[str]]] | None = None,
                        anchors: list[list[str]] | None = None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        if self.driver.causal:
            return self._generate(texts, constraints, anchors, progress)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        source = {i: self.tokenizer.convert_ids_to_tokens(self.driver.source_ids(texts[i])) for i in todo}
        too_long = [len(source[i]) for i in todo if len(source[i]) > self._max_source]
        if too_long:
            raise ValueError(f"segment of {max(too_long)} tokens exceeds the model's {self._max_source}; segment first")
        reqs = self.phrases.requirements(constraints) if constraints else [[] for _ in texts]

        def translate(run: list[int]) -> list[Hypothesis]:
            need = max((sum(len(p.steer[0]) for p in reqs[i]) for i in run), default=0)
            max_new = self.output_cap(len(source[run[0]]), self.options.max_length, need)
            steered = [i for i in run if reqs[i]]
            out = self._decode([source[i] for i in run], None, max_new, attention=bool(steered))
            hyps = dict(zip(run, out))
            capped = {i for i in run if len(hyps[i][0]) >= max_new}
            if steered:
                self._repair(steered, source, hyps, reqs, anchors, texts)
            done = []
            for i in run:
                tokens, score, _ = hyps[i]
                text = self.tokenizer.decode(self._text_ids(tokens), skip_special_tokens=True)
                done.append(Hypothesis(self.driver.answer(text, texts[i]), float(score) if score is not None else None,
                                       len(tokens) + 1, capped=i in capped))
            return done

        return translate_sorted(texts, lambda i: len(source[i]), self._batches, translate, progress)

    def _generate(self, texts: list[str], constraints, anchors, progress: Progress | None) -> list[Hypothesis]:
        """A chat model: each text its own prompt, naming its requirements; an answer that still
        misses one is repaired as a Translator's is where nothing is aligned (the phrase at the
        word start at its source's relative position, then the answer continued from it)."""
        stops = set(self.driver.stop_ids)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        reqs = self.phrases.requirements(constraints) if constraints else [[] for _ in texts]
        prompts = {}
        for i in todo:
            terms = prompt_terms(constraints[i] if constraints else None, anchors[i] if anchors else None)
            prompts[i] = self.tokenizer.convert_ids_to_tokens(self.driver.source_ids(texts[i], terms))

        def translate(run: list[int]) -> list[Hypothesis]:
            need = max((sum(len(p.steer[0]) for p in reqs[i]) for i in run), default=0)
            max_new = self.output_cap(max(self.count_tokens(texts[i]) for i in run), self.options.max_length, need)
            hyps = {}
            ended = {}
            for i, (tokens, score, _) in zip(run, self._continue([prompts[i] for i in run], None, max_new, None, None)):
                ids = self._ids(tokens)
                ended[i] = bool(ids) and ids[-1] in stops
                hyps[i] = (tokens[:-1] if ended[i] else tokens, score, None)
            steered = [i for i in run if reqs[i]]
            if steered:
                self._repair(steered, prompts, hyps, reqs, anchors, texts)
            done = []
            for i in run:
                tokens, score, _ = hyps[i]
                ids = [t for t in self._text_ids(tokens) if t not in stops]
                text = self.tokenizer.decode(ids, skip_special_tokens=True)
                done.append(Hypothesis(self.driver.answer(text, texts[i]), float(score) if score is not None else None,
                                       len(tokens) + 1, capped=not ended[i]))
            return done

        return translate_sorted(texts, lambda i: len(prompts[i]), self._batches, translate, progress)

    # --- constraint repair ---------------------------------------------------------------------
    def _missing(self, tokens: list[str], phrases: list[Phrase]) -> list[Phrase]:
        return unmet(as_string(self._ids(tokens)), phrases)

    def _ids(self, tokens: list[str]) -> list[int]:
        """Token ids; a token the tokenizer does not have (a model's embeddings can outnumber its
        tokenizer: NLLB's by 2, Qwen2.5's by 271) is :data:`NO_ID`, which no phrase holds."""
        return [NO_ID if i is None else i for i in self.tokenizer.convert_tokens_to_ids(tokens)]

    def _text_ids(self, tokens: list[str]) -> list[int]:
        """The ids of ``tokens`` that have text."""
        return [i for i in self._ids(tokens) if i != NO_ID]

    def _repair(self, items, source, hyps, reqs, anchors, texts) -> None:
        redecode = self.options.beam_size > 1  # see the module's docstring, step 3
        for round_ in range(REPAIR_ROUNDS):
            prefixes: dict[int, list[str]] = {}
            ends: dict[int, int] = {}
            for i in items:
                tokens, score, attn = hyps[i]
                missing = self._missing(tokens, reqs[i])
                if not missing:
                    continue
                where = {id(p): (anchors[i][k] if anchors and k < len(anchors[i]) else None)
                         for k, p in enumerate(reqs[i])}
                edited = self._edit(tokens, attn, source[i], texts[i],
                                    [(p, where[id(p)]) for p in missing], [p for p in reqs[i] if p not in missing])
                if edited is None:
                    continue
                full, cut, inserted = edited
                tail = len(full) - cut
                if (round_ > 0 or not inserted or not redecode or tail <= 2
                        or len(self._missing(full[:cut], reqs[i])) > len(self._missing(full, reqs[i]))):
                    # keep the edited hypothesis whole: every phrase replaced words aligned to its
                    # source, or the search is greedy, or the one re-decode is spent, or only a
                    # full stop or so follows the last phrase, or the tail holds placed phrases
                    hyps[i] = (full, score, attn if not inserted else None)
                else:
                    prefixes[i] = full[:cut]
                    # the prefix counts towards the length; the rest may be half as long again
                    # as the tail it replaces (a greedy continuation can loop where beam search ends)
                    ends[i] = min(self._max_positions - 1, cut + tail + max(4, tail // 2))
            if not prefixes:
                continue
            order = sorted(prefixes)
            out = self._decode([source[i] for i in order], [prefixes[i] for i in order], max(ends[i] for i in order),
                               attention=True, beam_size=1, ends=[ends[i] for i in order])
            for i, (tokens, score, attn) in zip(order, out):
                # no word glued onto the phrase ("September 15e"): pieces that continue a word
                # (no leading ▁, a letter or digit first) right after the prefix are dropped
                end = len(prefixes[i])
                while end < len(tokens) and self.driver.continues_word(tokens[end]):
                    del tokens[end]
                hyps[i] = (tokens, score, attn)

    def _edit(self, tokens: list[str], attn, src_tokens: list[str], text: str,
              missing: list[tuple[Phrase, str | None]], placed: list[Phrase]) -> tuple[list[str], int, bool] | None:
        """The hypothesis with every missing phrase put in place, where the last one ends, and
        whether any was inserted rather than put over aligned words; ``None`` if nothing could be
        placed. Phrases already placed are never cut into."""
        mark = self.driver.word_start
        starts = sorted({0, *(k for k, t in enumerate(tokens) if t.startswith(mark)), len(tokens)})
        protected = placed_spans(as_string(self._ids(tokens)), placed)
        for a, b in protected:  # no word start inside a placed phrase
            starts = [s for s in starts if not a < s < b]
        spans = token_spans(src_tokens, text, self._skip) if attn else []
        edits: list[tuple[int, int, list[str]]] = []
        for phrase, anchor in sorted(missing, key=lambda m: text.find(m[1]) if m[1] else len(text)):
            seq = phrase.steer[0]
            lo = hi = None
            at = text.find(anchor) if anchor else -1
            if at >= 0 and attn:
                a, b = tokens_covering(spans, at, at + len(anchor))
                aligned = [t for t, row in enumerate(attn[: len(tokens)])
                           if row and a <= max(range(len(row)), key=row.__getitem__) < b]
                if aligned:
                    lo = max(s for s in starts if s <= min(aligned))
                    hi = min((s for s in starts if s > max(aligned)), default=len(tokens))
                    if hi - lo > 2 * len(seq) + 4 or any(lo < e and s < hi for s, e in protected):
                        hi = lo  # scattered attention, or a placed phrase inside: insert, replace nothing
            if lo is None:
                frac = (at / max(1, len(text))) if at >= 0 else 1.0
                lo = hi = min(starts, key=lambda s: abs(s - frac * len(tokens)))
            if any((lo < e and s < hi) or (lo == hi and s < lo < e) or (s == e and lo < s < hi) for s, e, _ in edits):
                continue  # overlaps an edit already made: the next round, or the last resort
            if lo == 0 and len(phrase.steer) > 1 and not any(s == 0 for s, _, _ in edits):
                seq = phrase.steer[1]  # the capitalized form where it starts the sentence
            edits.append((lo, hi, self.tokenizer.convert_ids_to_tokens(list(seq))))
        if not edits:
            return None
        edits.sort(key=lambda e: (e[0], e[1]))
        out: list[str] = []
        pos = 0
        for lo, hi, piece in edits:
            out += tokens[pos:lo] + piece
            pos = hi
        cut = len(out)
        return out + tokens[pos:], cut, any(lo == hi for lo, hi, _ in edits)

    def signature(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.model_info.name,
            "revision": self.model_info.revision,
            **self.driver.signature(),
            "device": self.device,
            "compute_type": self.compute_type,
            "compute_choice": self.compute_choice,
            "beam": self.options.beam_size,
            "max_length": self.options.max_length,
        }
