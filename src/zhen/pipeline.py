"""The one pipeline: read → segment → translate → assemble. The CLI, the demo, batch jobs and the
eval harness all call :class:`Pipeline`; none of them re-implements a step.

Each step takes and returns a :class:`~zhen.release.Release`, so a caller can stop after any step,
serialize what it has to JSON, and look.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .engines import DecodingOptions, Engine, create_engine
from .engines.base import Progress
from .models import resolve_model
from .names import romanize_name
from .readers import DEFAULT_MAX_BYTES, read_release
from .release import Metadata, Paragraph, Release, Segment
from .segment import segment_text
from .signature import make_signature

log = logging.getLogger(__name__)

#: Segments longer than this many tokens are split at clause boundaries even when the model would
#: accept more: Marian models trained on sentence pairs lose content on very long inputs.
DEFAULT_SEGMENT_TOKENS = 256


@dataclass
class Pipeline:
    engine: Engine
    max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS
    max_input_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        *,
        engine: str = "transformers",
        options: DecodingOptions | None = None,
        models_root: str | Path | None = None,
        max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS,
        max_input_bytes: int = DEFAULT_MAX_BYTES,
    ) -> Pipeline:
        """Resolve the model (see :mod:`zhen.models`) and make (or reuse) its engine."""
        resolved = resolve_model(model, models_root=models_root)
        log.info("model: %s", resolved.describe())
        return cls(create_engine(engine, resolved, options), max_segment_tokens, max_input_bytes)

    @property
    def segment_limit(self) -> int:
        return min(self.max_segment_tokens, self.engine.max_source_tokens)

    def read(self, source: str | Path | bytes) -> Release:
        return read_release(source, max_bytes=self.max_input_bytes)

    def segment(self, release: Release) -> Release:
        """Fill every paragraph's segments; each fits the engine's source limit."""
        paragraphs = []
        for p in release.paragraphs:
            spans = segment_text(p.text, limit=self.segment_limit, measure=self.engine.count_tokens)
            segments = [Segment(f"p{p.index}.s{k}", a, b, p.text[a:b]) for k, (a, b) in enumerate(spans)]
            paragraphs.append(Paragraph(p.index, p.kind, p.text, segments))
        return replace(release, paragraphs=paragraphs)

    def translate(self, release: Release, *, progress: Progress | None = None) -> Release:
        """Translate every segment and the metadata in one engine call (so batches stay full)."""
        release = self.segment(release) if not release.segments() else copy.deepcopy(release)
        segments = release.segments()
        meta = release.metadata
        extra = [meta.source] if meta.source else []
        hyps = self.engine.translate_batch([s.text_for_engine for s in segments] + extra, progress=progress)
        for seg, hyp in zip(segments, hyps):
            seg.target, seg.score = hyp.text, hyp.score
        release.metadata_en = Metadata(
            date=meta.date,
            source=hyps[-1].text if meta.source else None,
            author=romanize_name(meta.author) if meta.author else None,
        )
        release.signature = self.signature()
        return release

    def run(self, source: str | Path | bytes, *, progress: Progress | None = None) -> Release:
        return self.translate(self.segment(self.read(source)), progress=progress)

    def signature(self) -> dict[str, Any]:
        return make_signature(self.engine.signature(), segment_tokens=self.segment_limit)

    def count_units(self, release: Release) -> int:
        """How many strings :meth:`translate` will send to the engine (for progress bars)."""
        return len(release.segments()) + (1 if release.metadata.source else 0)


def translate_release(
    source: str | Path | bytes,
    *,
    model: str | Path | None = None,
    engine: str = "transformers",
    beam_size: int = 4,
    batch_size: int = 16,
    max_length: int = 256,
    threads: int | None = None,
    max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS,
    models_root: str | Path | None = None,
) -> Release:
    """Translate a release (a path, its bytes, or its text) and return the translated :class:`Release`.

    The model is loaded once per process and reused by later calls with the same settings.
    """
    options = DecodingOptions(beam_size=beam_size, max_length=max_length, batch_size=batch_size, threads=threads)
    pipeline = Pipeline.load(model, engine=engine, options=options, models_root=models_root,
                             max_segment_tokens=max_segment_tokens)
    return pipeline.run(source)
