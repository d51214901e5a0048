"""The reference engine: a model of any family zhen drives (:mod:`zhen.engines.drivers`), run by
transformers, on the CPU or a GPU (default model: Helsinki-NLP/opus-mt-zh-en).

Faster engines must match this one on the same inputs. transformers' ``TranslationPipeline`` is
deprecated; we call ``generate`` directly and do the batching ourselves: segments sorted by length so
a batch pads little, then put back in their original order. Encoder-decoder models (Marian, NLLB,
MADLAD) get their sources padded on the right and their decoders started from the family's prefix;
a chat model gets one prompt per segment, padded on the left, and its answer is what follows.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

from ..errors import EngineUnavailableError, ModelLoadError
from ..families import require_family
from ..models import ResolvedModel
from .attention import alignment_layer, token_spans
from .base import DecodingOptions, Hypothesis, Progress, fixed_batches, translate_sorted
from .device import choose_device, gpu_compute_type
from .drivers import driver_for, prompt_terms
from .phrases import PhraseBuilder
from .sizes import ModelSizes

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(path: str, causal: bool, device: str, dtype: str, attention: str | None = None) -> tuple[Any, Any]:
    """Tokenizer and model for ``path``, loaded once per process; ``attention``: the attention
    implementation, where one that returns its weights is needed (``eager``)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    auto = AutoModelForCausalLM if causal else AutoModelForSeq2SeqLM
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = auto.from_pretrained(path, dtype=getattr(torch, dtype),
                                     **({"attn_implementation": attention} if attention else {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"{path}: could not be loaded as a translation model ({first}); "
                             "pull it again, or point --model at the model's own directory.") from None
    model.to(device).eval()
    return tokenizer, model


@lru_cache(maxsize=2)
def _attention_model(path: str, device: str, dtype: str, layer: int) -> Any:
    """The model once more, to read its cross-attention: with attention that returns its weights
    (eager), and its decoder cut after ``layer``: the layers above it and the output layer, which
    cost most of a forced decoding, are not needed."""
    model = _load.__wrapped__(path, False, device, dtype, "eager")[1]
    decoder = model.get_decoder()
    for name in ("layers", "block"):  # Marian, NLLB (M2M100); MADLAD (T5)
        if hasattr(decoder, name):
            setattr(decoder, name, getattr(decoder, name)[: layer + 1])
            break
    return model


class TransformersEngine(ModelSizes):
    name = "transformers"

    def __init__(self, model: ResolvedModel, options: DecodingOptions | None = None) -> None:
        import torch

        self.model_info = model
        self.options = options or DecodingOptions()
        self.device = choose_device(self.options.device, "transformers")
        if self.device == "cuda":
            self.dtype = gpu_compute_type(self.options.compute_type, "transformers")
        elif self.options.compute_type not in (None, "auto", "float32"):
            raise EngineUnavailableError(f"the transformers engine computes in float32 on the CPU; --compute-type "
                                         f"{self.options.compute_type} is for --engine ct2 (or a GPU).")
        else:
            self.dtype = "float32"
        if self.options.threads:
            torch.set_num_threads(self.options.threads)
        family = require_family(model.path)
        self.tokenizer, self.model = _load(str(model.path), family.name == "chat", self.device, self.dtype)
        self.driver = driver_for(family, self.tokenizer, model.path, self.options.prompt)
        config = self.model.config
        self._set_limits(getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None))
        self.phrases = PhraseBuilder(self.tokenizer, self.driver.word_start)
        pad = config.pad_token_id if config.pad_token_id is not None else self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.driver.stop_ids[0]
        self._glue = None

    def _glue_tokens(self) -> torch.Tensor:
        """Ids of pieces that continue a word (:meth:`Driver.continues_word`)."""
        if self._glue is None:
            import torch

            ids = [i for piece, i in self.tokenizer.get_vocab().items() if self.driver.continues_word(piece)]
            self._glue = torch.tensor(sorted(ids), dtype=torch.long)
        return self._glue

    def _inputs(self, batch: list[str], anchors: list[list[str]] | None,
                constraints: list[list[list[str]]] | None) -> tuple[dict[str, Any], int, list[int]]:
        """The model's inputs for ``batch``, the length of the decoder's prompt (the start token and
        the family's prefix; a chat model's whole padded prompt), and each text's own length."""
        import torch

        causal = self.driver.causal
        seqs = []
        for k, text in enumerate(batch):
            terms = prompt_terms(constraints[k] if constraints else None, anchors[k] if anchors else None)
            seqs.append(self.driver.source_ids(text, terms))
        width = max(map(len, seqs))
        ids = [[self.pad_id] * (width - len(s)) + s if causal else s + [self.pad_id] * (width - len(s)) for s in seqs]
        mask = [[0] * (width - len(s)) + [1] * len(s) if causal else [1] * len(s) + [0] * (width - len(s)) for s in seqs]
        enc: dict[str, Any] = {"input_ids": torch.tensor(ids, device=self.device),
                               "attention_mask": torch.tensor(mask, device=self.device)}
        if causal:
            return enc, width, [self.driver.segment_tokens(t) for t in batch]
        prefix = self.driver.target_prefix
        if prefix:
            start = self.model.config.decoder_start_token_id
            enc["decoder_input_ids"] = torch.tensor([[start, *prefix]] * len(batch), device=self.device)
        return enc, 1 + len(prefix), [len(s) for s in seqs]

    def _generate(self, batch: list[str], constraints: list[list[list[str]]] | None = None,
                  anchors: list[list[str]] | None = None) -> list[Hypothesis]:
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        enc, prompt, lengths_in = self._inputs(batch, anchors, constraints)
        longest = max(lengths_in)
        if longest > self._max_source:
            raise ValueError(f"segment of {longest} tokens exceeds the model's {self._max_source}; segment first")
        max_new = self.output_cap(longest, self.options.max_length)
        stops = self.driver.stop_ids
        processors = LogitsProcessorList()
        if constraints and any(constraints):
            from .constraints import TermConstraintProcessor

            reqs = self.phrases.requirements(constraints)
            need = max(sum(len(p.steer[0]) for p in item) for item in reqs)
            max_new = self.output_cap(longest, self.options.max_length, need)
            processors.append(TermConstraintProcessor(
                reqs, self.options.beam_size, stops, max_length=prompt + max_new,
                glue=self._glue_tokens().to(self.device), prompt_length=prompt))
        settings = dict(num_beams=self.options.beam_size, do_sample=False, max_length=prompt + max_new,
                        no_repeat_ngram_size=self.options.no_repeat_ngram_size or None,
                        repetition_penalty=self.options.repetition_penalty, output_scores=True,
                        return_dict_in_generate=True)
        if self.driver.causal:
            # a chat model's own generation config samples, with its penalties: decoding is zhen's
            settings = {"generation_config": GenerationConfig(**settings, eos_token_id=stops, pad_token_id=self.pad_id)}
        with torch.inference_mode():
            out = self.model.generate(**enc, **settings, logits_processor=processors)
        gen = out.sequences[:, prompt:]
        texts = self.tokenizer.batch_decode(gen, skip_special_tokens=True)
        if self.options.beam_size > 1:
            scores = out.sequences_scores.tolist()
        else:
            trans = self.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
            mask = gen != self.pad_id
            trans = torch.where(mask, trans, torch.zeros_like(trans))  # pads after EOS may score -inf
            scores = (trans.sum(1) / mask.sum(1).clamp(min=1)).tolist()
        lengths = (gen != self.pad_id).sum(1).tolist()
        ended = [any(int(t) in stops for t in row) for row in gen.tolist()]
        # Marian's generation forces the end-of-sentence token at the cap: a full-length output is capped
        return [Hypothesis(self.driver.answer(t, src), float(s), int(n), capped=n >= max_new or not e)
                for t, src, s, n, e in zip(texts, batch, scores, lengths, ended)]

    def translate_batch(self, texts: list[str], *, constraints: list[list[list[str]]] | None = None,
                        anchors: list[list[str]] | None = None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        """Translate ``texts``; ``constraints[i]`` lists, for text i, the requirements its output must
        contain, each as its accepted renderings (preferred first); ``anchors[i]`` their sources."""
        def run(chunk: list[int]) -> list[Hypothesis]:
            return self._generate([texts[i] for i in chunk], [constraints[i] for i in chunk] if constraints else None,
                                  [anchors[i] for i in chunk] if anchors else None)

        return translate_sorted(texts, lambda i: self.count_tokens(texts[i]), fixed_batches(self.options.batch_size),
                                run, progress)

    def signature(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.model_info.name,
            "revision": self.model_info.revision,
            **self.driver.signature(),
            "device": self.device,
            "dtype": self.dtype,
            "beam": self.options.beam_size,
            "max_length": self.options.max_length,
        }


class AttentionReader:
    """A translation model's cross-attention over a given English (:meth:`cross_attention`), for
    word alignment (``zhen fix --model``): the tokens and limits are those of ``engine``, the engine
    that translates with the model (CTranslate2's or transformers'), and the model is loaded once
    more for it (:func:`_attention_model`). A chat model has none: :class:`EngineUnavailableError`."""

    def __init__(self, engine: ModelSizes) -> None:
        from transformers import AutoConfig

        driver = engine.driver
        if driver.causal:
            raise EngineUnavailableError("a chat model has no cross-attention to align by")
        self.model_info, self.tokenizer, self.driver = engine.model_info, engine.tokenizer, driver
        self.device = choose_device(getattr(engine, "device", "auto"), "transformers")
        self.dtype = "float32" if self.device == "cpu" else gpu_compute_type(None, "transformers")
        config = AutoConfig.from_pretrained(str(self.model_info.path))
        self.layer = alignment_layer(getattr(config, "decoder_layers", None) or getattr(config, "num_decoder_layers", 1))
        self.prompt = [config.decoder_start_token_id, *driver.target_prefix]
        self.pad_id = config.pad_token_id if config.pad_token_id is not None else self.tokenizer.pad_token_id
        self.max_source = engine.max_source_tokens
        self.max_target = engine.max_positions - len(self.prompt)
        self.skip = set(self.tokenizer.all_special_tokens) | driver.markers

    def cross_attention(self, sources: list[str], targets: list[str],
                        batch_size: int = 16) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]], list[list[float]]]]:
        """Each target forced through the decoder after its source: the character spans of the
        source's tokens and of the target's, and for each target token its attention over the source
        tokens, Shift-Att's (:mod:`zhen.engines.attention`: the step where the token is the
        decoder's input, a middle layer's heads averaged). Tokens past the model's limits are left
        out."""
        import torch

        model = _attention_model(str(self.model_info.path), self.device, self.dtype, self.layer)
        prompt = self.prompt
        out: list = [None] * len(sources)
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]) + len(targets[i]))
        for at in range(0, len(order), batch_size):
            chunk = order[at : at + batch_size]
            src = [self.driver.source_ids(sources[i])[: self.max_source] for i in chunk]
            tgt = [list(self.tokenizer(text_target=targets[i], add_special_tokens=False)["input_ids"])
                   [: self.max_target] for i in chunk]
            ws, wt = max(map(len, src)), len(prompt) + max(map(len, tgt))

            def padded(rows: list[list[int]], width: int) -> tuple[torch.Tensor, torch.Tensor]:
                return (torch.tensor([r + [self.pad_id] * (width - len(r)) for r in rows], device=self.device),
                        torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device))

            ids, mask = padded(src, ws)
            dec, dec_mask = padded([prompt + t for t in tgt], wt)
            with torch.inference_mode():
                encoded = model.get_encoder()(input_ids=ids, attention_mask=mask).last_hidden_state
                att = model.get_decoder()(input_ids=dec, attention_mask=dec_mask, encoder_hidden_states=encoded,
                                          encoder_attention_mask=mask, output_attentions=True,
                                          use_cache=False).cross_attentions[-1].float().mean(1)
            for b, i in enumerate(chunk):
                rows = att[b, len(prompt) : len(prompt) + len(tgt[b]), : len(src[b])].tolist()
                out[i] = (token_spans(self.tokenizer.convert_ids_to_tokens(src[b]), sources[i], self.skip),
                          token_spans(self.tokenizer.convert_ids_to_tokens(tgt[b]), targets[i], self.skip), rows)
        return out
