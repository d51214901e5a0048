"""Extractive summaries of Chinese releases: the release's own sentences, picked, in their order.

Each body sentence is scored by three signals that work for news without any trained model:
centrality (TextRank over cosine similarity of character-bigram vectors), lead position (the
first sentences of a paragraph carry its point) and overlap with the title and headings. Sentences
are then taken by maximal marginal relevance, so a second sentence saying the same thing loses to
one that adds something, until the length budget (sentences, ratio or characters) is spent, and
put back in document order. Captions, the title, datelines and closing speaker lists are not
content and are never picked. Deterministic and fast: no model, nothing downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .release import Metadata, Release, TermHit
from .segment import sentence_spans
from .signature import format_signature
from .textnorm import fold

#: sentences that are not content in an official release
_SKIP = re.compile(r"(分别到会致辞|分别致辞|出席会议|参加会议|出席活动|（完）|\(完\)|责任编辑|来源[:：])")
_DIM = 4096


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


def _bigrams(text: str) -> list[str]:
    chars = [c for c in fold(text) if c.isalnum()]
    return ["".join(p) for p in zip(chars, chars[1:])] or chars


def _vectors(texts: list[str]):
    import numpy as np

    m = np.zeros((len(texts), _DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        for g in _bigrams(t):
            m[i, _stable_hash(g)] += 1.0
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, 1e-9)


def _stable_hash(s: str) -> int:
    h = 2166136261
    for ch in s.encode("utf-8"):
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h % _DIM


def _textrank(sim, damping: float = 0.85, iterations: int = 40):
    import numpy as np

    n = sim.shape[0]
    w = sim.copy()
    np.fill_diagonal(w, 0.0)
    rows = w.sum(axis=1, keepdims=True)
    w = np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)
    r = np.full(n, 1.0 / n, dtype=np.float32)
    for _ in range(iterations):
        r = (1 - damping) / n + damping * (w.T @ r)
    return r


def candidates(release: Release, min_chars: int = 8) -> list[Sentence]:
    out = []
    for p in release.paragraphs:
        if p.kind not in ("body",):
            continue
        for a, b in sentence_spans(p.text):
            text = p.text[a:b]
            if len(text.strip()) >= min_chars and not _SKIP.search(text):
                out.append(Sentence(p.index, a, b, text))
    return out


def summarize_sentences(release: Release, *, sentences: int | None = None, ratio: float | None = None,
                        chars: int | None = None, weights: tuple[float, float, float] = (1.0, 0.6, 0.4),
                        mmr: float = 0.7) -> Summary:
    """Pick sentences; exactly one of ``sentences``, ``ratio`` (of the body's characters) or
    ``chars`` sets the length (default: 3 sentences)."""
    import numpy as np

    given = [x is not None for x in (sentences, ratio, chars)]
    if sum(given) > 1:
        raise ValueError("give one of sentences, ratio or chars")
    cands = candidates(release)
    total_chars = sum(len(s.text) for s in cands)
    if chars is None and ratio is not None:
        chars = max(1, int(total_chars * ratio))
    if chars is None and sentences is None:
        sentences = 3
    budget = f"{sentences} sentences" if sentences is not None else f"{chars} characters"
    if not cands:
        return Summary([], budget, ["no body sentences to summarize"])
    if len(cands) == 1:
        notes = ["the release has one sentence; it is the summary"]
        if chars is not None and len(cands[0].text) > chars:
            notes.append(f"it has {len(cands[0].text)} characters, over the budget of {chars}")
        return Summary(cands, budget, notes)
    vec = _vectors([s.text for s in cands])
    sim = vec @ vec.T
    central = _textrank(sim)
    central = central / central.max()
    first_para = min(s.paragraph for s in cands)
    position = np.zeros(len(cands), dtype=np.float32)
    seen: dict[int, int] = {}
    for i, s in enumerate(cands):
        k = seen.get(s.paragraph, 0)
        seen[s.paragraph] = k + 1
        position[i] = (1.0 / (1 + k)) * (1.5 if s.paragraph == first_para else 1.0)
    position /= position.max()
    heads = [p.text for p in release.paragraphs if p.kind in ("title", "heading")]
    title_sim = (vec @ _vectors(heads).T).max(axis=1) if heads else np.zeros(len(cands))
    a, b, c = weights
    score = a * central + b * position + c * title_sim
    chosen: list[int] = []
    notes: list[str] = []
    used = 0

    def value(i: int) -> float:
        """Maximal marginal relevance: the sentence's score less its likeness to those picked."""
        return mmr * float(score[i]) - (1 - mmr) * max((float(sim[i, j]) for j in chosen), default=0.0)

    while len(chosen) < len(cands):
        best, best_val = None, -1e9
        for i in range(len(cands)):
            if i in chosen:
                continue
            val = value(i)
            if val > best_val:
                best, best_val = i, val
        if best is None:
            break
        if sentences is not None and len(chosen) >= sentences:
            break
        if chars is not None and used + len(cands[best].text) > chars:
            # try shorter ones before giving up; the budget is never passed silently
            fits = [i for i in range(len(cands)) if i not in chosen and used + len(cands[i].text) <= chars]
            if fits:
                best = max(fits, key=value)
            elif chosen:
                break
            else:
                notes.append(f"no sentence fits in {chars} characters; the best one has {len(cands[best].text)}")
        chosen.append(best)
        used += len(cands[best].text)
    picked = sorted(chosen, key=lambda i: (cands[i].paragraph, cands[i].start))
    for i in picked:
        cands[i].score = round(float(score[i]), 4)
    return Summary([cands[i] for i in picked], budget, notes)


def summarize(release: Release, pipeline=None, **length) -> Summary:
    """The summary, with the English of exactly the picked sentences (see :func:`english_of`)
    when ``release`` is translated or a ``pipeline`` is given."""
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
    segments = release.segments()
    translated = release if segments and all(s.target is not None for s in segments) else None
    if translated is None:
        if pipeline is None:
            return None
        segmented = pipeline.segment(release)
        wanted = [replace(p, segments=[g for g in p.segments if _holding(sentences, p.index, g)])
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


def _holding(sentences: list[Sentence], paragraph: int, segment) -> bool:
    return any(s.paragraph == paragraph and s.start <= segment.start and segment.end <= s.end for s in sentences)


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
