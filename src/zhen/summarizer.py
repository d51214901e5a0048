"""Extractive summaries of Chinese releases: the release's own sentences, picked, in their order.

Each body sentence (a sentence, or the part of one up to a ``；``) is scored by a linear model
learned from real summaries (:mod:`zhen.summary_model`: position in paragraph, section, chapter and
document, length, centrality, likeness to the headings, numbers, a lexical prior of what
summaries keep). The highest-scoring sentences that fit are taken, passing over one that repeats a
pick (novelty), until the length budget (sentences, ratio or characters) is spent or the next one
scores below the release's average (it would add little; a note says so), and put back in
document order. Captions, the title, datelines, closing speaker lists and sentences that repeat
the title are not content and are never picked. For one sentence, or a character budget no whole
sentence fits, a pick may be a sentence without its leading clauses (``trim``). Deterministic and
fast: fitted weights in a JSON file, no neural model, nothing downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .release import Metadata, Release, TermHit
from .signature import format_signature
from .summary_model import Place, base_features, clause_spans, shipped, units
from .textnorm import fold

#: novelty: a sentence whose character bigrams are this like a picked one's (cosine) says it again
#: and is passed over (chosen on the HKMA tuning years: 0.35, 0.3, 0.25, 0.2 gave R-L .331, .350,
#: .354, .354 against .330 without)
REDUNDANT = 0.25
#: sentences that are not content in an official release
_SKIP = re.compile(r"(分别到会致辞|分别致辞|出席会议|参加会议|出席活动|（完）|\(完\)|责任编辑|来源[:：])")
_CORE = re.compile(r"[\W_]+")


@dataclass
class Sentence:
    paragraph: int
    start: int
    end: int
    text: str
    score: float = 0.0
    english: str | None = None
    #: the audit of its English: what it had to contain and what became of it
    terms: list[TermHit] = field(default_factory=list)
    review: bool = False
    #: ``False`` for part of a sentence (without its leading clauses), taken to fit a tight budget
    whole: bool = True


@dataclass
class Summary:
    sentences: list[Sentence]
    budget: str
    notes: list[str] = field(default_factory=list)
    #: how the English was made (the translation's signature); ``None`` for a Chinese-only summary
    signature: dict | None = None

    @property
    def text(self) -> str:
        return "".join(s.text.strip() for s in self.sentences)

    @property
    def english(self) -> str:
        return " ".join(s.english for s in self.sentences if s.english)


def candidates(release: Release, min_chars: int = 8) -> list[Sentence]:
    """The sentences a summary may pick, in document order."""
    return placed(release, min_chars)[0]


def placed(release: Release, min_chars: int = 8) -> tuple[list[Sentence], list[Place], dict[int, str]]:
    """``(sentences, places, headings)``: the candidates, where each stands (chapter, section,
    ranks) and each section's heading. A chapter starts at a heading of the top level the release
    has (Markdown ``#``; every heading where the source gives no levels), a section at any heading."""
    levels = [p.level for p in release.paragraphs if p.kind in ("title", "heading") and p.level]
    top = min(levels, default=0)
    title = fold(release.title or "")
    out: list[Sentence] = []
    places: list[Place] = []
    headings: dict[int, str] = {}
    chapter = section = paragraph_in_section = 0
    for p in release.paragraphs:
        if p.kind in ("title", "heading"):
            section += 1
            paragraph_in_section = 0
            chapter += p.level <= top
            headings[section] = p.text
            continue
        if p.kind != "body":
            continue
        k = 0
        for a, b in units(p.text):
            text = p.text[a:b]
            if len(text.strip()) >= min_chars and not _SKIP.search(text) and not _repeats(text, title):
                out.append(Sentence(p.index, a, b, text))
                places.append(Place(chapter, section, paragraph_in_section, k))
                k += 1
        paragraph_in_section += 1
    return out, places, headings


def with_parts(release: Release, cands: list[Sentence], places: list[Place]):
    """``(units, places, owner, span_features)``: each candidate sentence's parts
    (:func:`zhen.summary_model.clause_spans`) and itself, the index of the sentence each came from,
    and their :data:`zhen.summary_model.SPAN_FEATURES`."""
    import numpy as np

    texts = {p.index: p.text for p in release.paragraphs}
    out, out_places, owner, rows = [], [], [], []
    for i, (c, place) in enumerate(zip(cands, places)):
        for a, b, extra in clause_spans(texts[c.paragraph], c.start, c.end):
            out.append(Sentence(c.paragraph, a, b, texts[c.paragraph][a:b], whole=bool(extra[0])))
            out_places.append(place)
            owner.append(i)
            rows.append(extra)
    return out, out_places, owner, np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)


def _repeats(text: str, title: str) -> bool:
    """Whether a sentence only repeats the title (a lead that restates the headline word for word)."""
    core = _CORE.sub("", fold(text))
    return bool(title) and len(core) >= 4 and core == _CORE.sub("", title)


def summarize_sentences(release: Release, *, sentences: int | None = None, ratio: float | None = None,
                        chars: int | None = None, model=None, trim: bool | None = None) -> Summary:
    """Pick sentences; exactly one of ``sentences``, ``ratio`` (of the body's characters) or
    ``chars`` sets the length (default: 3 sentences). ``model`` (a :class:`zhen.summary_model.Model`)
    defaults to the one zhen ships. ``trim`` lets a pick be part of a sentence (the sentence without
    its leading clauses, scored by the model's span weights): by default when the budget is one
    sentence or no whole sentence fits in ``chars``; ``True`` always, ``False`` never."""
    given = [x is not None for x in (sentences, ratio, chars)]
    if sum(given) > 1:
        raise ValueError("give one of sentences, ratio or chars")
    cands, places, headings = placed(release)
    total_chars = sum(len(s.text) for s in cands)
    if chars is None and ratio is not None:
        chars = max(1, int(total_chars * ratio))
    if chars is None and sentences is None:
        sentences = 3
    budget = f"{sentences} sentences" if sentences is not None else f"{chars} characters"
    if not cands:
        return Summary([], budget, ["no body sentences to summarize"])
    model = model or shipped()
    if trim is None:
        trim = model.span_weights is not None and (
            sentences == 1 or (chars is not None and min(len(s.text) for s in cands) > chars))
    if len(cands) == 1 and not trim:
        notes = ["the release has one sentence; it is the summary"]
        if chars is not None and len(cands[0].text) > chars:
            notes.append(f"it has {len(cands[0].text)} characters, over the budget of {chars}")
        return Summary(cands, budget, notes)
    owner = list(range(len(cands)))
    spans = None
    if trim:
        cands, places, owner, spans = with_parts(release, cands, places)
    features, sim = base_features([s.text for s in cands], places, headings, model.prior)
    score = model.score(features, spans)
    floor = float(score.mean())
    lengths = [len(s.text) for s in cands]
    order = sorted(range(len(cands)), key=lambda i: (-score[i], i))
    chosen: list[int] = []
    taken: set[int] = set()
    notes: list[str] = []
    used = repeats = 0
    stopped = False
    for i in order:
        if sentences is not None and len(chosen) >= sentences:
            stopped = True
            break
        if owner[i] in taken or (chars is not None and used + lengths[i] > chars):
            continue
        if any(sim[i, j] > REDUNDANT for j in chosen):
            repeats += 1
            continue
        if chosen and score[i] < floor:
            wanted = f"{sentences} sentences" if sentences is not None else f"{chars} characters"
            notes.append(f"stopped at {len(chosen)} sentences ({used} characters) of the {wanted} asked for: "
                         "the others score below the release's average and would add little")
            stopped = True
            break
        chosen.append(i)
        taken.add(owner[i])
        used += lengths[i]
    if repeats and not stopped and chosen:
        notes.append(f"stopped at {len(chosen)} sentences ({used} characters): the other sentences that fit "
                     "repeat what is picked")
    if not chosen:
        best = order[0]
        notes.append(f"no sentence fits in {chars} characters; the best one has {lengths[best]} "
                     f"(the shortest {min(lengths)}); it is the summary")
        chosen.append(best)
    if any(not cands[i].whole for i in chosen):
        notes.append("part of a sentence was taken (without its leading clauses) to fit the budget; "
                     "--no-trim keeps whole sentences")
    picked = sorted(chosen, key=lambda i: (cands[i].paragraph, cands[i].start))
    for i in picked:
        cands[i].score = round(float(score[i]), 4)
    return Summary([cands[i] for i in picked], budget, notes)


def summarize(release: Release, pipeline=None, **length) -> Summary:
    """The summary, with the English of exactly the picked sentences (see :func:`english_of`)
    when ``release`` is translated or a ``pipeline`` is given. A translated release keeps whole
    sentences unless ``trim=True`` is given (its English is by sentence; a part would have none)."""
    if length.get("trim") is None and _translated(release):
        length["trim"] = False
    summary = summarize_sentences(release, **length)
    summary.signature = english_of(release, summary.sentences, pipeline)
    return summary


def english_of(release: Release, sentences: list[Sentence], pipeline=None) -> dict | None:
    """Fill each sentence's English and audit (``terms``, ``review``) by its offsets. A translated
    ``release`` gives its own English; otherwise, with a ``pipeline``, only the sentences are
    translated, with the requirements found in the whole release, so a name introduced by its
    title in one paragraph (厅长陈亮) is required where it stands alone in another (陈亮表示).
    Returns the translation's signature (``None`` when nothing was translated)."""
    if not sentences:
        return None
    translated = release if _translated(release) else None
    if translated is None:
        if pipeline is None:
            return None
        segmented = pipeline.segment(release)
        wanted = [replace(p, segments=_cut(p, [s for s in sentences if s.paragraph == p.index]))
                  for p in segmented.paragraphs]
        translated = pipeline.translate(replace(segmented, paragraphs=[p for p in wanted if p.segments],
                                                metadata=Metadata()))
    for s in sentences:
        inside = [g for p in translated.paragraphs if p.index == s.paragraph for g in p.segments
                  if s.start <= g.start and g.end <= s.end]
        s.english = " ".join(t for t in (g.target.strip() for g in inside if g.target) if t) or None
        s.terms = [h for g in inside for h in g.terms]
        s.review = any(g.review for g in inside)
    return translated.signature


def _translated(release: Release) -> bool:
    segments = release.segments()
    return bool(segments) and all(s.target is not None for s in segments)


def _cut(paragraph, picked: list[Sentence]) -> list:
    """The segments that translate exactly ``picked`` (in one paragraph): a segment inside a pick
    as it is, one that a pick's edge crosses (a part of a sentence) cut to the pick, keeping the
    requirements that lie inside the cut."""
    out = []
    for s in picked:
        for g in paragraph.segments:
            lo, hi = max(g.start, s.start), min(g.end, s.end)
            if lo >= hi or not paragraph.text[lo:hi].strip():
                continue
            if (lo, hi) == (g.start, g.end):
                out.append(g)
                continue
            original = None
            if paragraph.original is not None:
                a, b = paragraph.received_span(lo, hi)
                original = paragraph.original[a:b]
            out.append(replace(g, id=f"{g.id}.{lo}", start=lo, end=hi, source=paragraph.text[lo:hi], original=original,
                               terms=[t for t in g.terms if lo <= t.start and t.end <= hi]))
    return out


def to_markdown(summary: Summary, title: str = "Summary", *, notes: bool = False) -> str:
    """The summary as Markdown: each Chinese sentence quoted, its English below (the CLI's ``-f md``
    and the batch job's ``.summary.md``); ``notes`` adds the summary's notes in italics."""
    lines = [f"# {title}", ""]
    for s in summary.sentences:
        lines += [f"> {s.text.strip()}", ""]
        if s.english:
            lines += [s.english, ""]
    if notes:
        lines += [f"*{n}*" for n in summary.notes]
    if summary.signature:
        lines += ["", "---", f"<sub>zhen signature: `{format_signature(summary.signature)}`</sub>"]
    return "\n".join(lines).rstrip() + "\n"
