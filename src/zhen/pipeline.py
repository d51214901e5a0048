"""The one pipeline: read → segment → translate → assemble. The CLI, the demo, batch jobs and the
eval harness all call :class:`Pipeline`; none of them re-implements a step.

Each step takes and returns a :class:`~zhen.release.Release`, so a caller can stop after any step,
serialize what it has to JSON, and look.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .engines import DecodingOptions, Engine, create_engine
from .engines.base import Progress
from .glossary import Glossary
from .models import resolve_model
from .names import names_after_titles, romanize_name
from .requirements import RequirementFinder, insert_last_resort, mark_found, restore_typography
from .readers import DEFAULT_MAX_BYTES, read_release
from .release import Metadata, Paragraph, Release, Segment
from .segment import segment_text, split_overlong
from .signature import make_signature

log = logging.getLogger(__name__)

#: Segments longer than this many tokens are split at clause boundaries even when the model would
#: accept more: Marian models trained on sentence pairs lose content on very long inputs.
DEFAULT_SEGMENT_TOKENS = 256


@dataclass
class Pipeline:
    """Settings that change output live here, and all of them go into the signature.

    ``glossary`` terms, numbers/dates, personal names and Latin tokens found in a segment are
    required in its English: the engine's decoding is steered to them, every one is checked, and
    with ``last_resort`` a still-missing one is inserted after decoding and its segment flagged for
    review. ``disabled_terms`` turns glossary entries off by their Chinese source.
    """

    engine: Engine
    max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS
    max_input_bytes: int = DEFAULT_MAX_BYTES
    glossary: Glossary = field(default_factory=Glossary)
    disabled_terms: frozenset[str] = frozenset()
    enforce_fidelity: bool = True
    last_resort: bool = True
    nested_terms: bool = False

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
        **settings: Any,
    ) -> Pipeline:
        """Resolve the model (see :mod:`zhen.models`) and make (or reuse) its engine; ``settings``
        are the other fields (glossary, disabled_terms, enforce_fidelity, last_resort)."""
        resolved = resolve_model(model, models_root=models_root)
        log.info("model: %s", resolved.describe())
        return cls(create_engine(engine, resolved, options), max_segment_tokens, max_input_bytes, **settings)

    @property
    def segment_limit(self) -> int:
        return min(self.max_segment_tokens, self.engine.max_source_tokens)

    def read(self, source: str | Path | bytes) -> Release:
        return read_release(source, max_bytes=self.max_input_bytes)

    def _finder(self, release: Release) -> RequirementFinder:
        names = names_after_titles("\n".join(p.text for p in release.paragraphs)) if self.enforce_fidelity else []
        return RequirementFinder(self.glossary, names, self.disabled_terms, numbers=self.enforce_fidelity,
                                 latin=self.enforce_fidelity, nested=self.nested_terms)

    def segment(self, release: Release) -> Release:
        """Fill every paragraph's segments. Each fits the engine's source limit, and the English
        its requirements need (glossary terms, numbers, names) fits in half the decoder's room, so
        that constrained decoding can always place them all."""
        finder = self._finder(release)
        budget = max(8, self.engine.max_target_tokens // 2)

        def need(text: str) -> int:
            hits = finder.find(text)
            return sum(self.engine.count_target_tokens(h.target) for h in hits if h.method != "off")

        paragraphs = []
        for p in release.paragraphs:
            spans = []
            for span in segment_text(p.text, limit=self.segment_limit, measure=self.engine.count_tokens):
                spans += split_overlong(p.text, span, need, budget)
            segments = [Segment(f"p{p.index}.s{k}", a, b, p.text[a:b]) for k, (a, b) in enumerate(spans)]
            paragraphs.append(Paragraph(p.index, p.kind, p.text, segments))
        return replace(release, paragraphs=paragraphs)

    def requirements(self, release: Release) -> Release:
        """Fill each segment's ``terms``: what its English must contain (the audit, not yet checked)."""
        release = self.segment(release) if not release.segments() else copy.deepcopy(release)
        finder = self._finder(release)
        for seg in release.segments():
            seg.terms = finder.find(seg.source, offset=seg.start)
        return release

    def translate(self, release: Release, *, progress: Progress | None = None) -> Release:
        """Translate every segment and the metadata in one engine call (so batches stay full),
        steering decoding to each segment's requirements, then check and audit them."""
        release = self.requirements(release)
        segments = release.segments()
        meta = release.metadata
        extra = [meta.source] if meta.source else []
        wanted_hits = [[h for h in s.terms if h.method != "off"] for s in segments] + [[] for _ in extra]
        constraints = [[h.accepted for h in hits] for hits in wanted_hits]
        hyps = self.engine.translate_batch([s.text_for_engine for s in segments] + extra, constraints=constraints,
                                           anchors=[[h.source for h in hits] for hits in wanted_hits],
                                           progress=progress)
        for seg, hyp, wanted in zip(segments, hyps, constraints):
            # 4 decimals: enough to rank, and the same whatever the thread count's rounding noise
            seg.target, seg.score = hyp.text, (round(hyp.score, 4) if hyp.score is not None else None)
            for hit in seg.terms:
                seg.target = restore_typography(seg.target, hit)
            mark_found(seg, seg.target, "constrained" if wanted else "model")
            if self.last_resort:
                for hit in seg.missing:
                    seg.target = insert_last_resort(seg.target, hit)
                    hit.found, hit.method = True, "last-resort"
                    seg.review = True
        release.metadata_en = Metadata(
            date=meta.date,
            source=hyps[-1].text if meta.source else None,
            author=romanize_name(meta.author) if meta.author else None,
        )
        release.signature = self.signature()
        return release

    def run(self, source: str | Path | bytes | Release, *, progress: Progress | None = None) -> Release:
        """Every step on a path, bytes, text, or a :class:`Release` already read."""
        release = source if isinstance(source, Release) else self.read(source)
        return self.translate(self.segment(release), progress=progress)

    def signature(self) -> dict[str, Any]:
        return make_signature(
            self.engine.signature(),
            segment_tokens=self.segment_limit,
            glossary=self.glossary.signature(),
            terms_off=len(self.disabled_terms),
            fidelity="on" if self.enforce_fidelity else "off",
            last_resort="on" if self.last_resort else "off",
            nested="on" if self.nested_terms else "off",
        )

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
    glossaries: list[str | Path] | None = None,
    shipped_glossaries: bool = True,
    disabled_terms: list[str] | None = None,
    last_resort: bool = True,
) -> Release:
    """Translate a release (a path, its bytes, or its text) and return the translated :class:`Release`.

    The model is loaded once per process and reused by later calls with the same settings. The
    shipped glossaries apply unless ``shipped_glossaries=False``; ``glossaries`` layer over them.
    """
    from .glossary import load_layers

    options = DecodingOptions(beam_size=beam_size, max_length=max_length, batch_size=batch_size, threads=threads)
    glossary = load_layers(glossaries or [], shipped=shipped_glossaries)
    pipeline = Pipeline.load(model, engine=engine, options=options, models_root=models_root,
                             max_segment_tokens=max_segment_tokens, glossary=glossary,
                             disabled_terms=frozenset(disabled_terms or ()), last_resort=last_resort)
    return pipeline.run(source)
