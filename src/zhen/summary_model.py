"""The summarizer's learned sentence scorer: features of a sentence in its release, a linear model
over them fitted on real summaries, and the fitting itself.

A sentence is described by where it stands (first of its paragraph, section or chapter; position
in the document; the share of the text its chapter holds), what it is (length, numbers, quotes,
a colon, a question) and what it shares with the rest (centrality over character bigrams,
likeness to the whole, to the headings and to its own section's heading, to its neighbours), plus
a *lexical prior*: for each character bigram, the log-odds that a bigram of a source text reappears
in its human summary, learned from LCSTS (Weibo news → their authors' headlines). Traditional
characters are folded to simplified first, so the prior reads HKMA's reports too.

The model predicts, per sentence and relative to the other sentences of its document, how much of
it a human summary keeps; it is a ridge regression fitted by :func:`fit` on LCSTS dev (target: the
sentence's ROUGE-L F1 against the headline) and the HKMA annual reports of the odd years (target:
the share of the sentence's bigrams found in the report's Highlights), each data set weighted as
``fit`` says. ``eval/fit_summarizer.py`` makes ``data/summarizer.json``; ``eval/lcsts.py`` and
``eval/hkma_highlights.py`` measure it on folds and years it was not fitted on.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from .segment import thousands_comma, bracket_depth, sentence_spans
from .textnorm import fold

#: the base features, in the order of the model's weights (see :func:`design` for the expansion)
FEATURES = (
    "first_in_chapter", "inv_sentence_in_chapter", "chapter_share", "first_in_paragraph",
    "first_in_section", "first_in_document", "position_in_document", "inv_sentence_index",
    "inv_sentence_in_paragraph", "inv_paragraph_in_section", "log_length", "short", "centrality",
    "document_likeness", "heading_likeness", "section_heading_likeness", "numbers", "quote", "colon",
    "section_share", "question", "like_previous", "like_next",
    "prior_mean", "prior_sum", "prior_top5", "prior_share_positive",
)
LEXICAL = 4  # the last four are the lexical prior's
#: what a span (part of a sentence, see :func:`clause_spans`) adds to its base features
SPAN_FEATURES = ("whole_sentence", "starts_sentence", "ends_sentence", "clauses", "sentence_clauses")
_CLAUSE_END = "，：,:"
#: spans are runs of at most this many clauses
MAX_CLAUSES = 3
_NUM = re.compile(r"\d|[一二三四五六七八九十百千万亿]+[%％个名项家位元人]")
_DIM = 4096


@dataclass(frozen=True)
class Place:
    """Where a candidate sentence stands: chapter (a top-level heading starts one), section (any
    heading starts one), its paragraph's rank in the section and its own rank in the paragraph."""

    chapter: int
    section: int
    paragraph_in_section: int
    in_paragraph: int


def units(text: str) -> list[tuple[int, int]]:
    """Summary units of a paragraph: its sentences, each further cut after a ``；`` outside
    brackets (a Chinese semicolon joins what are sentences in English). They tile ``text``."""
    depth = bracket_depth(text)
    out = []
    for a, b in sentence_spans(text):
        start = a
        for i in range(a, b - 1):
            if text[i] in "；;" and depth[i] == 0 and text[start:i + 1].strip() and text[i + 1:b].strip():
                out.append((start, i + 1))
                start = i + 1
        out.append((start, b))
    return out


def clause_spans(text: str, start: int, end: int, min_chars: int = 6) -> list[tuple[int, int, list[float]]]:
    """The parts of the sentence ``text[start:end]`` a tight summary may take instead of all of it:
    the sentence with its leading clauses dropped (cut after ``，：`` outside brackets), its last
    one to :data:`MAX_CLAUSES` clauses with at least ``min_chars`` characters; the whole sentence
    last. A Chinese sentence says its point last (time, place, frame and background come first), and
    a part that ends where the sentence ends reads as one; its first clauses or a middle run read as
    fragments. Each comes with its :data:`SPAN_FEATURES`."""
    depth = bracket_depth(text)
    cuts = [i + 1 for i in range(start, end - 1)
            if text[i] in _CLAUSE_END and depth[i] == 0 and not thousands_comma(text, i)]
    bounds = [start] + cuts + [end]
    n = len(bounds) - 1
    hi = end
    while hi > start and (text[hi - 1] in _CLAUSE_END or text[hi - 1].isspace()):
        hi -= 1
    out = []
    for a in range(max(1, n - MAX_CLAUSES), n):  # the last n - a clauses, the first a dropped
        lo = bounds[a]
        if len(text[lo:hi].strip()) >= min_chars:
            out.append((lo, hi, [0.0, 0.0, 1.0, (n - a) / 3, n / 5]))
    out.append((start, end, [1.0, 1.0, 1.0, n / 3, n / 5]))
    return out


def bigrams(text: str) -> list[str]:
    chars = [c for c in fold(text) if c.isalnum()]
    return ["".join(p) for p in zip(chars, chars[1:])] or chars


def _stable_hash(s: str) -> int:
    h = 2166136261
    for ch in s.encode("utf-8"):
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h % _DIM


def vectors(texts: Sequence[str]):
    """L2-normalized hashed character-bigram counts, one row per text."""
    import numpy as np

    m = np.zeros((len(texts), _DIM), dtype=np.float32)
    for i, t in enumerate(texts):
        for g in bigrams(t):
            m[i, _stable_hash(g)] += 1.0
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, 1e-9)


def textrank(sim, damping: float = 0.85, iterations: int = 40):
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


def base_features(texts: Sequence[str], places: Sequence[Place], headings: dict[int, str], prior: dict[str, float]):
    """``(features, similarity)``: one row of :data:`FEATURES` per sentence, and the sentences'
    cosine similarities (for redundancy). ``headings`` maps a section number to its heading."""
    import numpy as np

    n = len(texts)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return out, np.zeros((0, 0), dtype=np.float32)
    vec = vectors(texts)
    sim = vec @ vec.T
    central = textrank(sim) if n > 1 else np.ones(1, dtype=np.float32)
    central = central / max(float(central.max()), 1e-9)
    centroid = vec.sum(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    likeness = vec @ centroid
    heads = sorted(headings)
    head_vec = vectors([headings[h] for h in heads]) if heads else None
    head_like = (vec @ head_vec.T).max(axis=1) if heads else np.zeros(n)
    own_head = {h: i for i, h in enumerate(heads)}
    total = sum(len(t) for t in texts) or 1
    chapter_chars: Counter = Counter()
    section_chars: Counter = Counter()
    for t, p in zip(texts, places):
        chapter_chars[p.chapter] += len(t)
        section_chars[p.section] += len(t)
    in_chapter: Counter = Counter()
    for i, (t, p) in enumerate(zip(texts, places)):
        j = in_chapter[p.chapter]
        in_chapter[p.chapter] += 1
        length = len(t.strip()) or 1
        section_like = float(vec[i] @ head_vec[own_head[p.section]]) if p.section in own_head else 0.0
        out[i] = [
            j == 0, 1 / (1 + j), chapter_chars[p.chapter] / total, p.in_paragraph == 0,
            p.paragraph_in_section == 0 and p.in_paragraph == 0, i == 0, i / max(n - 1, 1), 1 / (1 + i),
            1 / (1 + p.in_paragraph), 1 / (1 + p.paragraph_in_section), math.log(length), length < 15,
            central[i], likeness[i], head_like[i], section_like,
            min(len(_NUM.findall(t)), 5) / 5, "“" in t or '"' in t, "：" in t,
            section_chars[p.section] / total, t.rstrip().endswith(("？", "?")),
            sim[i, i - 1] if i > 0 else 0.0, sim[i, i + 1] if i < n - 1 else 0.0,
            0.0, 0.0, 0.0, 0.0,
        ]
    out[:, -LEXICAL:] = prior_features(texts, prior)
    return out, sim


def prior_features(texts: Sequence[str], prior: dict[str, float]):
    """The lexical prior's columns: mean, sum/10, mean of the top five and share above 0.5 of the
    prior of each sentence's distinct bigrams."""
    import numpy as np

    out = np.zeros((len(texts), LEXICAL))
    for i, t in enumerate(texts):
        v = np.array([prior.get(g, 0.0) for g in set(bigrams(t))] or [0.0])
        out[i] = [v.mean(), v.sum() / 10, np.sort(v)[-5:].mean(), (v > 0.5).mean()]
    return out


def design(features, spans=None):
    """The model's inputs: the features, each times the log length, and the log length squared
    (the value of a sentence's content depends on how long it is); with ``spans`` (one row of
    :data:`SPAN_FEATURES` each), those and their products with the log length too."""
    import numpy as np

    length = features[:, FEATURES.index("log_length")][:, None]
    parts = [features, features * length, length ** 2]
    if spans is not None:
        parts += [spans, spans * length]
    return np.hstack(parts)


@dataclass
class Model:
    """``weights`` score whole sentences, ``span_weights`` sentences and their parts together
    (a tight budget); ``prior`` is the lexical prior."""

    weights: list[float]
    prior: dict[str, float]
    info: dict
    span_weights: list[float] | None = None

    def score(self, features, spans=None):
        import numpy as np

        if spans is None:
            return design(features) @ np.asarray(self.weights)
        if self.span_weights is None:
            raise ValueError("this model has no weights for parts of sentences")
        return design(features, spans) @ np.asarray(self.span_weights)


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The fitted model that ships in the package (``zhen/data/summarizer.json``)."""
    data = json.loads(resources.files("zhen").joinpath("data/summarizer.json").read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES or tuple(data.get("span_features", SPAN_FEATURES)) != SPAN_FEATURES:
        raise RuntimeError("zhen/data/summarizer.json was fitted on other features; run eval/fit_summarizer.py")
    return Model(data["weights"], data["prior"], data.get("info", {}), data.get("span_weights"))


# -- fitting --------------------------------------------------------------------------------------


def fit_prior(pairs: Iterable[tuple[Sequence[str], str]], min_count: int = 3, smoothing: float = 1.0) -> dict[str, float]:
    """The lexical prior from (source sentences, summary) pairs: for each bigram seen in at least
    ``min_count`` sources, the log of how much likelier than an average bigram it is to reappear in
    the summary, smoothed toward the average."""
    seen: Counter = Counter()
    kept: Counter = Counter()
    for sentences, summary in pairs:
        grams = set(g for s in sentences for g in bigrams(s))
        wanted = set(bigrams(summary))
        seen.update(grams)
        kept.update(grams & wanted)
    rate = sum(kept.values()) / max(sum(seen.values()), 1)
    return {g: round(math.log((kept[g] + smoothing * rate) / (seen[g] + smoothing) / rate), 3)
            for g, c in seen.items() if c >= min_count}


def fit(groups: Sequence[tuple], ridge: float = 10.0) -> list[float]:
    """Ridge regression on ``(features, target, weight)`` or ``(features, spans, target, weight)``
    groups, one per document: inputs (:func:`design`) and targets are centred per document (only the
    ranking inside a document matters); ``weight`` is each unit's weight (the caller balances its
    data sets with it)."""
    import numpy as np

    xs, ys, ws = [], [], []
    for group in groups:
        features, spans, target, weight = group if len(group) == 4 else (group[0], None, *group[1:])
        x = design(np.asarray(features, dtype=np.float64), None if spans is None else np.asarray(spans, dtype=np.float64))
        y = np.asarray(target, dtype=np.float64)
        xs.append(x - x.mean(axis=0))
        ys.append(y - y.mean())
        ws.append(np.full(len(y), float(weight)))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    scale = x.std(axis=0) + 1e-9
    xn = x / scale
    a = (xn * w[:, None]).T @ xn + ridge * np.eye(x.shape[1])
    return [round(float(v), 6) for v in np.linalg.solve(a, (xn * w[:, None]).T @ y) / scale]
