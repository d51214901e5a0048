"""The one pipeline: read → segment → translate → assemble. The CLI, the demo, batch jobs and the
eval harness all call :class:`Pipeline`; none of them re-implements a step.

Each step takes and returns a :class:`~zhen.release.Release`, so a caller can stop after any step,
serialize what it has to JSON, and look.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .engines import DecodingOptions, Engine, IdentityEngine, create_engine
from .engines.base import Hypothesis, Progress
from .glossary import Glossary
from .models import resolve_model
from .names import names_after_titles, romanize_name
from .normalize import normalize_release
from .requirements import RequirementFinder, insert_last_resort, mark_found, restore_typography
from .readers import DEFAULT_MAX_BYTES, read_release
from .release import Metadata, Paragraph, Release, Segment, TermHit
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
    review. ``disabled_terms`` turns glossary entries off by their Chinese source. The model's
    English is checked for its own failures (loops, Chinese left over, runs to the length cap, empty,
    dropped or runaway output: :mod:`zhen.quality`); with ``quality_retry`` a failing segment is
    decoded once more the way that helps, the better output kept, and a segment that still fails
    flagged for review.
    """

    engine: Engine
    max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS
    max_input_bytes: int = DEFAULT_MAX_BYTES
    glossary: Glossary = field(default_factory=Glossary)
    disabled_terms: frozenset[str] = frozenset()
    enforce_fidelity: bool = True
    last_resort: bool = True
    nested_terms: bool = False
    quality_retry: bool = True
    #: read a web page with no article body as it is (else it is refused)
    whole_page: bool = False

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        *,
        engine: str = "auto",
        options: DecodingOptions | None = None,
        models_root: str | Path | None = None,
        max_segment_tokens: int = DEFAULT_SEGMENT_TOKENS,
        max_input_bytes: int = DEFAULT_MAX_BYTES,
        **settings: Any,
    ) -> Pipeline:
        """Resolve the model (see :mod:`zhen.models`) and make (or reuse) its engine; ``settings``
        are the other fields (glossary, disabled_terms, enforce_fidelity, last_resort)."""
        if engine == "none":  # no model: to find requirements and check English made elsewhere
            return cls(IdentityEngine(limit=1_000_000), max_segment_tokens, max_input_bytes, **settings)
        resolved = resolve_model(model, models_root=models_root)
        log.info("model: %s", resolved.describe())
        return cls(create_engine(engine, resolved, options), max_segment_tokens, max_input_bytes, **settings)

    @property
    def segment_limit(self) -> int:
        return min(self.max_segment_tokens, self.engine.max_source_tokens)

    def read(self, source: str | Path | bytes) -> Release:
        return read_release(source, max_bytes=self.max_input_bytes, whole_page=self.whole_page)

    def finder(self, release: Release, glossary: Glossary | None = None) -> RequirementFinder:
        """The requirement finder for ``release``: its glossary (``glossary`` over the pipeline's
        for one text of :meth:`translate_texts`), and the names its titles introduce."""
        names = names_after_titles("\n".join(p.text for p in release.paragraphs)) if self.enforce_fidelity else []
        return RequirementFinder(self.glossary if glossary is None else glossary, names, self.disabled_terms,
                                 numbers=self.enforce_fidelity, latin=self.enforce_fidelity, nested=self.nested_terms)

    def segment(self, release: Release, *, glossary: Glossary | None = None,
                whole_paragraphs: bool = False) -> Release:
        """A new release whose paragraphs have their segments, each with the requirements its
        English must meet (``terms``). Requirements are found once per paragraph and each goes to
        the segment holding it. Each segment fits the engine's source limit, and the English its
        requirements need fits in half the decoder's room, so that constrained decoding can always
        place them all. With ``whole_paragraphs`` each paragraph is one segment (to check English
        made elsewhere, a paragraph at a time)."""
        finder = self.finder(release, glossary)
        budget = max(8, self.engine.max_target_tokens // 2)
        paragraphs = []
        for p in release.paragraphs:
            hits = finder.find(p.text)
            wanted = [(h.start, h.end, self.engine.count_target_tokens(h.target)) for h in hits if h.method != "off"]

            def need(start: int, end: int) -> int:  # what a piece would be asked to contain
                return sum(n for a, b, n in wanted if start <= a and b <= end)

            spans = [(0, len(p.text))] if whole_paragraphs and p.text else []
            for span in [] if whole_paragraphs else segment_text(p.text, limit=self.segment_limit,
                                                                  measure=self.engine.count_tokens):
                spans += split_overlong(p.text, span, need, budget, by_offsets=True)
            segments = [Segment(f"p{p.index}.s{k}", a, b, p.text[a:b]) for k, (a, b) in enumerate(spans)]
            if p.original is not None:  # a repaired source: each segment keeps its text as it was
                for seg in segments:
                    a, b = p.received_span(seg.start, seg.end)
                    seg.original = p.original[a:b]
            _share(hits, segments, finder, p.text)
            paragraphs.append(replace(p, segments=segments))
        return replace(release, paragraphs=paragraphs)

    def translate(self, release: Release, *, progress: Progress | None = None) -> Release:
        """The translated release (a new object; ``release`` is left as it was). Segmented first
        if it is not (a segmented release keeps the requirements :meth:`segment` gave it)."""
        return self.translate_many([release], progress=progress)[0]

    def translate_many(self, releases: list[Release], *, progress: Progress | None = None) -> list[Release]:
        """Translate every segment and the metadata of all ``releases`` in one engine call (so
        batches stay full), decoding steered to each segment's requirements, then
        :func:`postprocess` each: the English checked against its requirements, and audited."""
        releases = [r if r.segments() else self.segment(r) for r in releases]
        texts, constraints, anchors = engine_inputs(releases)
        hyps = self.engine.translate_batch(texts, constraints=constraints, anchors=anchors, progress=progress)
        hyps = check_quality(self.engine, texts, constraints, anchors, hyps, retry=self.quality_retry)
        out, at = [], 0
        signature = self.signature()
        for release in releases:
            n = self.count_units(release)
            out.append(postprocess(release, hyps[at : at + n], last_resort=self.last_resort, signature=signature))
            at += n
        return out

    def translate_texts(self, texts: list[str], *, glossaries: list[Glossary] | None = None,
                        progress: Progress | None = None) -> list[Release]:
        """Text that is not a file (test-set units, a list of sentences): each text's lines are the
        body paragraphs of one release, never read through the file readers (so a line
        ``来源：新华社`` or ``- 一是…`` is translated as it stands). ``glossaries[i]``, when given,
        replaces the pipeline's glossary for text i. All texts go to the engine in one call; the
        English of text i is :func:`english_lines` of the i-th release."""
        releases = [lines_release(text.split("\n")) for text in texts]
        if glossaries is not None:
            releases = [self.segment(r, glossary=g) for r, g in zip(releases, glossaries, strict=True)]
        return self.translate_many(releases, progress=progress)

    def run(self, source: str | Path | bytes | Release, *, progress: Progress | None = None) -> Release:
        """Every step on a path, bytes, text, or a :class:`Release` already read."""
        release = source if isinstance(source, Release) else self.read(source)
        return self.translate(release, progress=progress)

    def signature(self) -> dict[str, Any]:
        return make_signature(
            self.engine.signature(),
            segment_tokens=self.segment_limit,
            glossary=self.glossary.signature(),
            terms_off=len(self.disabled_terms),
            fidelity="on" if self.enforce_fidelity else "off",
            last_resort="on" if self.last_resort else "off",
            nested="on" if self.nested_terms else "off",
            quality="retry" if self.quality_retry else "check",
            **({"page": "whole"} if self.whole_page else {}),  # said only when on: older signatures stay valid
        )

    def count_units(self, release: Release) -> int:
        """How many strings :meth:`translate` will send to the engine (for progress bars)."""
        return count_units(release)


def engine_inputs(releases: list[Release]) -> tuple[list[str], list[list[list[str]]], list[list[str]]]:
    """What :meth:`Pipeline.translate_many` sends the engine for segmented ``releases``: each
    segment's text with its requirements' accepted renderings and their sources, then the
    metadata's source line of each release that has one (a batch job plans its work from these)."""
    texts: list[str] = []
    constraints: list[list[list[str]]] = []
    anchors: list[list[str]] = []
    for release in releases:
        for s in release.segments():
            wanted = [h for h in s.terms if h.method != "off"]
            texts.append(s.text_for_engine)
            constraints.append([h.accepted for h in wanted])
            anchors.append([h.source for h in wanted])
        if release.metadata.source:
            texts.append(release.metadata.source)
            constraints.append([])
            anchors.append([])
    return texts, constraints, anchors


def check_quality(engine: Engine, texts: list[str], constraints: list[list[list[str]]], anchors: list[list[str]],
                  hyps: list[Hypothesis], *, retry: bool = True) -> list[Hypothesis]:
    """``hyps`` with what :func:`zhen.quality.inspect` finds in each; with ``retry``, each failing
    text decoded once more (:func:`zhen.quality.retry_for`: repeated n-grams blocked, or clause by
    clause, or with another beam where a text has no clauses) and the better output kept. The
    retries of one kind go to the engine in one call. ``quality_left`` is what still fails."""
    from .quality import badness, inspect, retry_for, usual_ratio

    ratio = usual_ratio((t, h.text) for t, h in zip(texts, hyps))
    for t, h in zip(texts, hyps):
        h.quality = inspect(t, h.text, capped=h.capped, ratio=ratio)
        h.quality_left = list(h.quality)
    failing = [i for i, h in enumerate(hyps) if h.quality]
    if not retry or not failing:
        return hyps
    ways: dict[str, list[int]] = {}
    for i in failing:
        way = retry_for(hyps[i].quality)
        if way == "clauses" and len(clause_pieces(texts[i])) < 2:
            way = "beam"
        ways.setdefault(way, []).append(i)
    for way, todo in ways.items():
        again = _redecode(engine, way, [texts[i] for i in todo], [constraints[i] for i in todo],
                          [anchors[i] for i in todo])
        for i, new in zip(todo, again):
            left = inspect(texts[i], new.text, capped=new.capped, ratio=ratio)
            old = hyps[i]
            if badness(left) < badness(old.quality_left):
                new.quality, new.quality_left = old.quality, left
                hyps[i] = new
            hyps[i].retry = way
    return hyps


def clause_pieces(text: str) -> list[str]:
    """``text`` cut at its clause boundaries (；：，、 outside brackets), into pieces of about a third
    of it; one piece when it has none."""
    from .segment import split_overlong

    if not any(c in "，,；;：:、" for c in text):
        return [text]
    spans = split_overlong(text, (0, len(text)), len, max(8, -(-len(text) // 3)))
    return [text[a:b] for a, b in spans if text[a:b].strip()]


def _redecode(engine: Engine, way: str, texts: list[str], constraints: list[list[list[str]]],
              anchors: list[list[str]]) -> list[Hypothesis]:
    """The retry of ``way`` for ``texts``: the same engine and model with other decoding options
    (``no-repeat``, ``beam``), or each text's clauses translated and joined (``clauses``; each
    clause asked for the requirements whose source it holds)."""
    options = engine.options
    if way == "no-repeat":
        options = replace(options, no_repeat_ngram_size=4, repetition_penalty=1.2)
    elif way == "beam":
        options = replace(options, beam_size=4 if options.beam_size == 1 else 1)
    again = engine.with_options(options)
    if way != "clauses":
        return again.translate_batch(texts, constraints=constraints, anchors=anchors)
    pieces, owners, piece_constraints, piece_anchors = [], [], [], []
    for k, (text, wanted, sources) in enumerate(zip(texts, constraints, anchors)):
        taken = [False] * len(sources)
        for piece in clause_pieces(text):
            mine = [j for j, src in enumerate(sources) if not taken[j] and src and src in piece]
            for j in mine:
                taken[j] = True
            pieces.append(piece.strip())
            owners.append(k)
            piece_constraints.append([wanted[j] for j in mine])
            piece_anchors.append([sources[j] for j in mine])
    out = again.translate_batch(pieces, constraints=piece_constraints, anchors=piece_anchors)
    joined = [Hypothesis("", None, 0) for _ in texts]
    for k, hyp in zip(owners, out):
        h = joined[k]
        h.text = f"{h.text} {hyp.text}".strip()
        h.tokens += hyp.tokens
        h.capped = h.capped or hyp.capped
    return joined


def count_units(release: Release) -> int:
    """How many English strings a segmented release takes: one per segment, and one for the
    metadata's source line when it has one."""
    return len(release.segments()) + (1 if release.metadata.source else 0)


def _share(hits: list[TermHit], segments: list[Segment], finder: RequirementFinder, text: str) -> None:
    """Give each requirement found in a paragraph to the segment that holds it. One that a cut
    crosses (possible only at a hard cut inside a long run of characters) cannot be required of
    either half; that segment's requirements are found again on its own text."""
    for seg in segments:
        inside = [h for h in hits if seg.start <= h.start and h.end <= seg.end]
        crossed = any(h.start < seg.end and seg.start < h.end and h not in inside for h in hits)
        seg.terms = finder.find(text[seg.start : seg.end], offset=seg.start) if crossed else inside


def postprocess(release: Release, hyps: list[Hypothesis | str], *, last_resort: bool = True,
                method: str | None = None, signature: dict[str, Any] | None = None) -> Release:
    """A new release with ``hyps`` (one per segment, then one for the metadata's source if it has
    one) as its English, checked and audited: each requirement's rendering restored to the
    glossary's typography, marked found or missing, and, with ``last_resort``, a missing one
    inserted and its segment flagged for review. Pure, and independent of how the English was made:
    ``method`` is what the audit says placed a found requirement (default: ``constrained`` where
    decoding was steered to it, else ``model``)."""
    hyps = [h if isinstance(h, Hypothesis) else Hypothesis(h) for h in hyps]
    expected = count_units(release)
    if len(hyps) != expected:
        raise ValueError(f"{len(hyps)} translations for {expected} segments and metadata")
    paragraphs, at = [], 0
    for p in release.paragraphs:
        segments = []
        for seg in p.segments:
            hyp = hyps[at]
            at += 1
            terms = [replace(h) for h in seg.terms]
            # 4 decimals: enough to rank, and the same whatever the thread count's rounding noise
            out = replace(seg, target=hyp.text, score=round(hyp.score, 4) if hyp.score is not None else None,
                          terms=terms, review=False)
            out.quality, out.retry, out.quality_left = list(hyp.quality), hyp.retry, list(hyp.quality_left)
            for hit in terms:
                out.target = restore_typography(out.target, hit)
            wanted = any(h.method != "off" for h in terms)
            mark_found(out, out.target, method or ("constrained" if wanted else "model"))
            if last_resort:
                for hit in out.missing:
                    out.target = insert_last_resort(out.target, hit)
                    hit.found, hit.method = True, "last-resort"
                    out.review = True
            out.review = out.review or bool(out.quality_left)
            segments.append(out)
        paragraphs.append(replace(p, segments=segments))
    meta = release.metadata
    metadata_en = Metadata(date=meta.date, source=hyps[at].text if meta.source else None,
                           author=romanize_name(meta.author) if meta.author else None)
    return replace(release, paragraphs=paragraphs, metadata_en=metadata_en,
                   signature=signature if signature is not None else release.signature)


def lines_release(lines: list[str]) -> Release:
    """A release whose body paragraphs are ``lines`` as they stand, never read through the file
    readers; a paragraph's index is its line number, and a blank line is none."""
    return normalize_release(Release([Paragraph(k, "body", line) for k, line in enumerate(lines) if line.strip()],
                                     format="text"))


def english_lines(release: Release) -> list[str]:
    """The English of a release from :meth:`Pipeline.translate_texts`, line by line as its text
    was (a blank line stays blank)."""
    lines = [""] * (max((p.index for p in release.paragraphs), default=-1) + 1)
    for p in release.paragraphs:
        lines[p.index] = p.translation or ""
    return lines


def translate_release(source: str | Path | bytes, **settings: Any) -> Release:
    """Translate a release (a path, its bytes, or its text) and return the translated :class:`Release`.

    ``settings`` are :class:`~zhen.settings.Settings` fields, as the CLI's options are: ``model``,
    ``engine``, ``beam_size``, ``glossaries`` (layered over the shipped ones unless
    ``shipped_glossaries=False``), ``disabled_terms``, ``last_resort``, …. The model is loaded once
    per process and reused by later calls with the same settings.
    """
    from .settings import Settings

    for name in ("glossaries", "disabled_terms"):
        if settings.get(name) is not None:
            settings[name] = tuple(settings[name])
    return Settings(**settings).pipeline().run(source)
