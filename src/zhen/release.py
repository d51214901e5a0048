"""The plain data that flows through the pipeline.

A :class:`Release` is what ingestion produces; segmentation fills each :class:`Paragraph`'s
``segments``; translation fills each :class:`Segment`'s ``target``. Every object is a dataclass of
plain values, so ``to_dict()`` / ``from_dict()`` round-trip through JSON unchanged and a user can stop
after any step and look.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

ParagraphKind = Literal["title", "heading", "body", "caption"]


@dataclass
class TermHit:
    """One thing a segment's English must contain, and what became of it: the audit record.

    ``start``/``end`` are offsets into the paragraph text. ``kind`` is ``term`` (a glossary entry),
    ``number``, ``date``, ``name`` or ``latin`` (a Latin-script token copied as is). ``method`` says
    what placed it: ``model`` (the model's own unconstrained output), ``constrained`` (the model's
    decoding, steered by zhen's constraint processor), ``last-resort`` (inserted after decoding, outside
    the model: the segment is flagged for review), ``off`` (turned off by the user) or ``missing``.
    """

    start: int
    end: int
    source: str
    target: str
    accepted: list[str]
    kind: str
    origin: str = ""
    found: bool = False
    method: str = "missing"


@dataclass
class Segment:
    """One unit sent to the engine: a sentence, or a clause of an overlong sentence.

    ``start``/``end`` are offsets into the paragraph's text; the segments of a paragraph tile it
    exactly (whitespace between sentences belongs to the segment before it), so no character is
    ever lost. ``source`` is ``paragraph.text[start:end]``; ``original`` is the same span of the
    source as it was, when ingestion repaired it (``None`` when nothing was repaired).
    ``quality`` lists what the check of the model's English found (``loop``, ``cjk``, ``cap``, …),
    ``retry`` how the segment was decoded again, and ``quality_left`` what still failed after the
    retry (the segment is then flagged for review; see :mod:`zhen.quality`).
    """

    id: str
    start: int
    end: int
    source: str
    target: str | None = None
    score: float | None = None
    terms: list[TermHit] = field(default_factory=list)
    review: bool = False
    original: str | None = None
    quality: list[str] = field(default_factory=list)
    retry: str | None = None
    quality_left: list[str] = field(default_factory=list)

    @property
    def as_received(self) -> str:
        return self.original if self.original is not None else self.source

    @property
    def missing(self) -> list[TermHit]:
        """What the English still lacks (turned-off terms are not asked for)."""
        return [t for t in self.terms if not t.found and t.method != "off"]

    @property
    def text_for_engine(self) -> str:
        return self.source.strip()


@dataclass
class Paragraph:
    """A block of the release: its title, a heading, a body paragraph or a photo caption.

    ``text`` is what zhen segments, matches and translates. When ingestion repaired a damaged
    source (:mod:`zhen.normalize`: pinyin annotations, spaces inside words, full-width digits, …),
    ``original`` is the text as it was and ``offsets`` the way back: character ``i`` of ``text``
    came from ``original[offsets[i]:offsets[i + 1]]``.
    """

    index: int
    kind: ParagraphKind
    text: str
    segments: list[Segment] = field(default_factory=list)
    original: str | None = None
    offsets: list[int] | None = None
    #: a heading's level (1 for a chapter, 2 for its sections, …; 0 where the source does not say)
    level: int = 0

    @property
    def as_received(self) -> str:
        """The paragraph as the source had it (what bilingual outputs show)."""
        return self.original if self.original is not None else self.text

    def received_span(self, start: int, end: int) -> tuple[int, int]:
        """Where ``text[start:end]`` is in :attr:`as_received`."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end]

    @property
    def translation(self) -> str | None:
        """The English of the paragraph, or ``None`` before translation."""
        if not self.segments or any(s.target is None for s in self.segments):
            return None
        return " ".join(t for t in (s.target.strip() for s in self.segments if s.target) if t)


@dataclass
class Metadata:
    """What a release's page says about itself. Values are as printed on the page."""

    date: str | None = None
    source: str | None = None
    author: str | None = None


@dataclass
class Release:
    """A document as zhen understands it.

    ``paragraphs`` includes the title (``kind="title"``) when one was found, so that the title is
    segmented and translated like any other block. ``removed`` lists the page-chrome lines ingestion
    dropped, so a user can check that nothing of the content went with them; ``repairs`` lists what
    was repaired in a damaged source (kind, count, a first example; see :mod:`zhen.normalize`).
    """

    paragraphs: list[Paragraph]
    metadata: Metadata = field(default_factory=Metadata)
    metadata_en: Metadata | None = None
    origin: str | None = None
    format: str = "text"
    encoding: str | None = None
    removed: list[str] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    signature: dict[str, Any] | None = None

    @property
    def title(self) -> str | None:
        return next((p.text for p in self.paragraphs if p.kind == "title"), None)

    @property
    def title_en(self) -> str | None:
        return next((p.translation for p in self.paragraphs if p.kind == "title"), None)

    @property
    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind != "title"]

    def segments(self) -> list[Segment]:
        return [s for p in self.paragraphs for s in p.segments]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        paragraphs = [
            Paragraph(
                index=p["index"],
                kind=p["kind"],
                text=p["text"],
                original=p.get("original"),
                offsets=p.get("offsets"),
                level=p.get("level", 0),
                segments=[
                    Segment(**{**s, "terms": [TermHit(**t) for t in s.get("terms", [])]})
                    for s in p.get("segments", [])
                ],
            )
            for p in data["paragraphs"]
        ]
        known = {f.name for f in fields(cls)} - {"paragraphs", "metadata", "metadata_en"}
        meta_en = data.get("metadata_en")
        return cls(
            paragraphs=paragraphs,
            metadata=Metadata(**data.get("metadata", {})),
            metadata_en=Metadata(**meta_en) if meta_en else None,
            **{k: v for k, v in data.items() if k in known},
        )
