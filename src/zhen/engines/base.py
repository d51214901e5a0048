"""The engine protocol every translation backend implements.

An engine is made once per process and reused (loading a model costs seconds); batching, sorting by
length and threads are its business, not the caller's. Engines translate plain segment strings:
reading, segmentation, glossaries and checks happen around them, identically for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Protocol, runtime_checkable

Progress = Callable[[int], None]


@dataclass
class Hypothesis:
    """One translation: the text, its model score (mean log-probability per token) and length.

    ``capped``: decoding stopped at the length cap, not at an end of sentence. ``quality``, ``retry``
    and ``quality_left`` are the pipeline's check of the English (:mod:`zhen.quality`): what the first
    decoding's output showed, how the segment was decoded again, and what still fails after that.
    """

    text: str
    score: float | None = None
    tokens: int = 0
    capped: bool = False
    quality: list[str] = field(default_factory=list)
    retry: str | None = None
    quality_left: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecodingOptions:
    """Settings that change the output; all of them are recorded in the run's signature."""

    beam_size: int = 4
    max_length: int = 256
    batch_size: int = 16
    threads: int | None = None
    #: on the CPU, CTranslate2 only: ``auto`` (default: int8 where the CPU has VNNI/AMX/dot product,
    #: else float32), ``int8``, ``int8_float32`` or ``float32``; on a GPU, either engine: float16,
    #: bfloat16 (and ct2's int8_float16...); and how many batches run at once (``inter_threads``,
    #: None: chosen from the cores, see :func:`thread_layout`), each on ``threads`` / inter_threads cores.
    compute_type: str | None = None
    inter_threads: int | None = None
    #: set for a retry of output that looped (:mod:`zhen.quality`): n-grams of this size never
    #: repeat, and a token already in the output is penalized by this factor
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    #: ``auto`` (None: a GPU where there is one), ``cpu`` or ``cuda``: see :mod:`zhen.engines.device`
    device: str | None = None
    #: a chat model's prompt template: a name in :data:`zhen.engines.drivers.PROMPTS`, or a file
    prompt: str | None = None

    def __post_init__(self) -> None:
        for name in ("beam_size", "max_length", "batch_size", "inter_threads"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")


def thread_layout(threads: int, inter: int | None = None, device: str = "cpu") -> tuple[int, int]:
    """``(inter_threads, intra_threads)`` for CTranslate2 on ``threads`` cores: the user's
    ``inter`` where given; else on a GPU one batch at a time; on a CPU of up to four cores one batch
    per core (measured here, 2 cores, opus-mt's architecture, beam 4: two batches of one core each
    decode 1.6× faster than one batch on both, ``python benchmarks/end_to_end.py``), on more cores
    batches of four cores each (a batch's matrix products stop scaling past a few threads)."""
    if inter is None:
        inter = 1 if device != "cpu" else threads if threads <= 4 else max(1, threads // 4)
    inter = max(1, min(inter, threads))
    return inter, max(1, threads // inter)


def translate_sorted(texts: list[str], length: Callable[[int], int],
                     batches: Callable[[list[int], dict[int, int]], Iterable[list[int]]],
                     translate: Callable[[list[int]], list[Hypothesis]],
                     progress: Progress | None = None) -> list[Hypothesis]:
    """The loop every engine shares: an empty text is answered "" without the model; the others
    are sorted longest first (``length(i)`` of text i, so batches pad little), cut into runs by
    ``batches(order, lengths)``, each run translated by ``translate(run)`` (its hypotheses in the
    run's order), and the hypotheses put back in the texts' order."""
    results: list[Hypothesis | None] = [Hypothesis("", 0.0, 0) if not t.strip() else None for t in texts]
    todo = [i for i, t in enumerate(texts) if t.strip()]
    lengths = {i: length(i) for i in todo}
    todo.sort(key=lambda i: lengths[i], reverse=True)
    for run in batches(todo, lengths):
        for i, hyp in zip(run, translate(run), strict=True):
            results[i] = hyp
        if progress:
            progress(len(run))
    return [r for r in results if r is not None]


def fixed_batches(size: int) -> Callable[[list[int], dict[int, int]], Iterable[list[int]]]:
    """Runs of ``size`` texts (an engine whose batches are counted in texts, not tokens)."""
    return lambda order, lengths: (order[k : k + size] for k in range(0, len(order), size))


@runtime_checkable
class Engine(Protocol):
    name: str
    options: DecodingOptions

    @property
    def max_source_tokens(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    @property
    def max_target_tokens(self) -> int: ...

    def count_target_tokens(self, text: str) -> int: ...

    def translate_batch(self, texts: list[str], *, constraints: list[list[list[str]]] | None = None,
                        anchors: list[list[str]] | None = None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        """One hypothesis per text, in order. ``constraints[i]``, when given, lists the phrases text
        i's output must contain (each as its accepted renderings, preferred first); an engine steers
        its decoding towards them, and zhen checks the result whatever the engine did.
        ``anchors[i]`` (same shape) is each requirement's source text in text i, for engines that
        place phrases by alignment."""
        ...

    def signature(self) -> dict[str, Any]: ...

    def with_options(self, options: DecodingOptions) -> Engine:
        """The same engine (its model shared, not loaded again) decoding with other options."""
        ...


@dataclass
class IdentityEngine:
    """A model-free engine that returns its input: for tests of the steps around translation.

    Never a stand-in for the real engine in an end-to-end test; it exists so the preprocessing and
    postprocessing steps can be tested without any model at all.
    """

    name: str = "identity"
    options: DecodingOptions = field(default_factory=DecodingOptions)
    limit: int = 512

    @property
    def max_source_tokens(self) -> int:
        return self.limit

    def count_tokens(self, text: str) -> int:
        return len(text) + 1

    @property
    def max_target_tokens(self) -> int:
        return self.limit

    def count_target_tokens(self, text: str) -> int:
        return len(text)

    def translate_batch(self, texts: list[str], *, constraints: list[list[list[str]]] | None = None,
                        anchors: list[list[str]] | None = None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        if progress:
            progress(len(texts))
        return [Hypothesis(t, 0.0, len(t)) for t in texts]

    def signature(self) -> dict[str, Any]:
        return {"engine": self.name, "model": "none", "revision": "none"}

    def with_options(self, options: DecodingOptions) -> IdentityEngine:
        return replace(self, options=options)
