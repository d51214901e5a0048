"""The summarizer's data: LCSTS dev pairs and the HKMA reports as documents ready for fitting,
with their sentence targets; and the fit of :mod:`zhen.summary_model` used by
``fit_summarizer.py`` (what ships), ``lcsts.py`` (cross-validated folds) and
``hkma_highlights.py`` (years left out). Data: ../shared/data (never copied here).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zhen.metrics.rouge import rouge_l, tokens
from zhen.readers import read_release
from zhen.release import Paragraph, Release
from zhen.summary_model import LEXICAL, Model, base_features, fit, fit_prior, prior_features
from zhen.summarizer import placed, with_parts
from zhen.wmt25 import load_year

#: the years whose Highlights may tune the shipped model (the WMT 2025 split: even years are test)
TUNING_YEARS = (2015, 2017, 2019, 2021, 2023)
HKMA_YEARS = (2015, 2016, 2017, 2019, 2020, 2021, 2022, 2023, 2024)
#: how much the HKMA sentences weigh against LCSTS's, as a share of LCSTS's sentence count
HKMA_WEIGHT = 0.3
_MD = re.compile(r"^\s{0,3}#{1,6}\s+")


def lcsts_dir(path: str | None = None) -> Path:
    return Path(path or os.environ.get("ZHEN_LCSTS_DATA") or Path(__file__).resolve().parents[2] / "shared/data/lcsts-dev-zh")


def lcsts_pairs(path: str | None = None) -> list[tuple[str, str]]:
    d = lcsts_dir(path)
    src = (d / "lcsts.dev.src.txt").read_text(encoding="utf-8").split("\n")
    tgt = (d / "lcsts.dev.tgt.txt").read_text(encoding="utf-8").split("\n")
    return [(s.strip(), t.strip()) for s, t in zip(src, tgt) if s.strip() and t.strip()]


@dataclass
class Doc:
    """A document's candidates with their features (lexical prior columns filled by :func:`fit_model`
    or the caller), the sentences' targets and the reference summary."""

    release: Release
    texts: list[str]
    features: np.ndarray
    sim: np.ndarray
    target: np.ndarray
    reference: str
    kind: str
    #: sentences and their parts (LCSTS only): texts, features, span features, targets
    parts: tuple | None = None


def _doc(release: Release, reference: str, kind: str) -> Doc | None:
    cands, places, headings = placed(release)
    if not cands:
        return None
    texts = [c.text for c in cands]
    features, sim = base_features(texts, places, headings, {})
    if kind == "lcsts":
        target = np.array([rouge_l(t, reference, "zh") for t in texts])
    else:
        ref = tokens(reference, "zh")
        wanted = {a + b for a, b in zip(ref, ref[1:])}
        target = np.array([_share(t, wanted) for t in texts])
    parts = None
    if kind == "lcsts":
        units, where, _, spans = with_parts(release, cands, places)
        part_texts = [u.text for u in units]
        part_features, _ = base_features(part_texts, where, headings, {})
        parts = (part_texts, part_features, spans, np.array([rouge_l(t, reference, "zh") for t in part_texts]))
    return Doc(release, texts, features, sim, target, reference, kind, parts)


def _share(text: str, wanted: set[str]) -> float:
    t = tokens(text, "zh")
    grams = [a + b for a, b in zip(t, t[1:])]
    return sum(g in wanted for g in grams) / max(len(grams), 1)


def lcsts_docs(pairs: list[tuple[str, str]]) -> list[Doc | None]:
    """One :class:`Doc` per pair (``None`` where the text has no candidate sentence)."""
    out = []
    for src, tgt in pairs:
        try:
            release = read_release(src)
        except Exception:  # a post zhen's reader refuses (all of it looks like page chrome)
            out.append(None)
            continue
        out.append(_doc(release, tgt, "lcsts"))
    return out


def hkma_report(docs) -> Release:
    """The report as zhen reads a structured document: each chapter's first line (its title) a
    level-1 heading, the ``#`` lines inside it level-2 headings, every other line a body paragraph.
    Built from the data's own structure (one document per chapter), not through the page reader,
    whose rules for scraped pages (running headers, list numbers) do not apply to it."""
    paragraphs: list[Paragraph] = []
    for d in docs:
        for n, line in enumerate(d.zh.split("\n")):
            text = _MD.sub("", line).strip()
            if not text:
                continue
            kind, level = ("heading", 1) if n == 0 else ("heading", 2) if _MD.match(line) else ("body", 0)
            paragraphs.append(Paragraph(len(paragraphs), kind, text, level=level))
    return Release(paragraphs, format="markdown")


def hkma_parts(year: int, data=None):
    """``(highlights, other chapters)`` of one year's report (``load_year``'s documents)."""
    docs = load_year(year, data)
    hi = next(d for d in docs[:2] if re.search(r"摘要|Highlights", d.zh.split("\n", 1)[0]))
    return hi, [d for d in docs if d is not hi]


def hkma_doc(year: int, data=None) -> Doc:
    hi, rest = hkma_parts(year, data)
    return _doc(hkma_report(rest), hi.zh.split("\n", 1)[1], "hkma")


def fit_model(lcsts: list[Doc], hkma: list[Doc], *, hkma_weight: float = HKMA_WEIGHT, ridge: float = 10.0,
              info: dict | None = None) -> Model:
    """The prior from ``lcsts`` (each half's prior fills the other half's columns, so no sentence is
    fitted on a prior that saw its own headline; the model then uses the prior of all), the sentence
    weights fitted on both sets (targets scaled to unit spread per set, the HKMA sentences weighted
    to ``hkma_weight`` × LCSTS's count), and the span weights (sentences and their parts, for a
    tight budget) on LCSTS's headlines."""
    prior = fit_prior((d.texts, d.reference) for d in lcsts)
    halves = (lcsts[0::2], lcsts[1::2])
    for mine, other in (halves, halves[::-1]):
        p = fit_prior((d.texts, d.reference) for d in other)
        for d in mine:
            d.features[:, -LEXICAL:] = prior_features(d.texts, p)
            if d.parts is not None:
                d.parts[1][:, -LEXICAL:] = prior_features(d.parts[0], p)
    for d in hkma:
        d.features[:, -LEXICAL:] = prior_features(d.texts, prior)
    groups = []
    n_lcsts = sum(len(d.texts) for d in lcsts)
    n_hkma = sum(len(d.texts) for d in hkma)
    for docs, weight in ((lcsts, 1.0), (hkma, hkma_weight * n_lcsts / max(n_hkma, 1))):
        if not docs:
            continue
        spread = np.concatenate([d.target - d.target.mean() for d in docs]).std() or 1.0
        groups += [(d.features, d.target / spread, weight) for d in docs]
    with_spans = [d for d in lcsts if d.parts is not None]
    span_weights = None
    if with_spans:
        spread = np.concatenate([d.parts[3] - d.parts[3].mean() for d in with_spans]).std() or 1.0
        span_weights = fit([(d.parts[1], d.parts[2], d.parts[3] / spread, 1.0) for d in with_spans], ridge)
    return Model(fit(groups, ridge), prior, info or {}, span_weights)


def with_prior(doc: Doc, model: Model) -> np.ndarray:
    """``doc``'s features with ``model``'s prior columns (for scoring a document not fitted on)."""
    features = doc.features.copy()
    features[:, -LEXICAL:] = prior_features(doc.texts, model.prior)
    return features


def textrank_order(texts: list[str]) -> list[int]:
    """TextRank as textrank4zh and ``jieba.analyse`` do it: jieba words minus jieba's stop words,
    sentence similarity |Si ∩ Sj| / (log|Si| + log|Sj|) (Mihalcea & Tarau 2004), PageRank with
    damping 0.85; the sentences' indices, highest-ranked first (ties in document order)."""
    import logging
    import math

    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    stop = jieba.analyse.default_textrank.stop_words
    words = [[w for w in jieba.lcut(t) if w.strip() and w not in stop and any(c.isalnum() for c in w)]
             for t in texts]
    sets = [set(w) for w in words]
    n = len(texts)
    w = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if len(words[i]) > 1 and len(words[j]) > 1:
                overlap = len(sets[i] & sets[j])
                if overlap:
                    w[i, j] = w[j, i] = overlap / (math.log(len(words[i])) + math.log(len(words[j])))
    rows = w.sum(axis=1, keepdims=True)
    m = np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)
    r = np.full(n, 1.0 / n)
    for _ in range(100):
        r = 0.15 / n + 0.85 * (m.T @ r)
    return sorted(range(n), key=lambda i: (-r[i], i))
