"""Summaries scored against the HKMA annual reports' own "Highlights" chapters, zhen's summarizer
beside Lead-k per chapter, TextRank (jieba words) and random, side by side in one report.

    python eval/hkma_highlights.py [--years 2016 2017 ...] [--model PATH] [--data DIR] [--lcsts DIR]

Each year: the report's other chapters are the input (each chapter's title a level-1 heading, the
headings inside it level 2), the Highlights chapter (``摘要``, first or second document) the
reference; every system gets the reference's length in characters.

zhen's scorer is fitted on LCSTS and the tuning years' Highlights (2015, 2017, 2019, 2021, 2023;
see ``fit_summarizer.py``). A test year (even) is summarized by the model zhen ships, which never saw
it; a tuning year by a model fitted without that year (leave-one-year-out, refitted here, so LCSTS
must be present). No year is scored by a model that saw its Highlights.

Chinese ROUGE-1/2/L F1 is by character, punctuation kept (Markdown marks and whitespace removed),
the one scorer of every system; sentences are split at 。！？； and line breaks.
English ROUGE is by word (lower-cased) against the English Highlights, for two Englishes of the
same picked sentences: ``human`` — the report's own English of each picked sentence (the data is
aligned by paragraph; within a paragraph, the sentence at the same relative position), which
scores the choice of sentences without any translation error; and, with ``--model``, ``zhen`` —
the sentences translated by zhen's pipeline. Data: ../shared/data (never copied here).
"""

from __future__ import annotations

import argparse
import random
import re

from summary_data import (_MD, HKMA_YEARS, TUNING_YEARS, fit_model, hkma_doc, hkma_parts, hkma_report, lcsts_docs,
                          lcsts_pairs, textrank_order)
from zhen.metrics.rouge import rouge_l, rouge_n, tokens
from zhen.summarizer import Sentence, candidates, english_of, summarize_sentences
from zhen.summary_model import units

YEARS = HKMA_YEARS
METRICS = ("rouge1", "rouge2", "rougeL")
_EN_SENT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[A-Z0-9“\"(])")


class Year:
    """One report: the input release, the Highlights (Chinese and English), the English of every
    input paragraph keyed by its Chinese text."""

    def __init__(self, year: int, data=None):
        hi, rest = hkma_parts(year, data)
        self.year = year
        self.release = hkma_report(rest)
        self.ref_zh = hi.zh.split("\n", 1)[1]
        self.ref_en = hi.en.split("\n", 1)[1]
        self.english: dict[str, str] = {}
        for d in rest:
            zh, en = d.zh.split("\n"), d.en.split("\n")
            if len(zh) == len(en):
                for z, e in zip(zh, en):
                    self.english.setdefault(_MD.sub("", z).strip(), _MD.sub("", e).strip())

    @property
    def chars(self) -> int:
        return len(tokens(self.ref_zh, "zh"))

    def human_english(self, picked: list[Sentence]) -> str:
        """The report's own English of each picked sentence (see the module's note)."""
        paragraphs = {p.index: p.text for p in self.release.paragraphs}
        out = []
        for s in picked:
            text = paragraphs[s.paragraph]
            en = self.english.get(text.strip())
            if not en:
                continue
            spans = units(text)
            k = next((i for i, (a, _) in enumerate(spans) if a == s.start), 0)
            en_sents = _EN_SENT.split(en)
            lo = k * len(en_sents) // len(spans)
            hi = max(lo + 1, (k + 1) * len(en_sents) // len(spans))
            out.append(" ".join(en_sents[lo:hi]))
        return " ".join(out)


def _length(text: str) -> int:
    return len(tokens(text, "zh"))


def _fill(cands: list[Sentence], order, chars: int) -> list[Sentence]:
    picked, used = [], 0
    for i in order:
        if used + _length(cands[i].text) <= chars:
            picked.append(cands[i])
            used += _length(cands[i].text)
    return sorted(picked, key=lambda s: (s.paragraph, s.start))


def zhen_with(model):
    def pick(release, chars: int) -> list[Sentence]:
        return summarize_sentences(release, chars=chars, model=model).sentences
    return pick


def lead(release, chars: int) -> list[Sentence]:
    """Lead-k per chapter: the first k sentences after each chapter's heading (a chapter starts at
    each level-1 heading), k = budget ÷ (chapters × 60) characters (at least 1); those sentences
    taken whole, in document order, until the next would pass the budget."""
    chapters: list[list[Sentence]] = []
    for p in release.paragraphs:
        if p.kind in ("title", "heading"):
            if p.level <= 1:
                chapters.append([])
            continue
        if not chapters:
            chapters.append([])
        chapters[-1] += [Sentence(p.index, a, b, p.text[a:b]) for a, b in units(p.text) if p.text[a:b].strip()]
    chapters = [c for c in chapters if c]
    k = max(1, chars // (len(chapters) * 60)) if chapters else 1
    picked, used = [], 0
    for s in (s for c in chapters for s in c[:k]):
        if used + _length(s.text) > chars:
            break
        picked.append(s)
        used += _length(s.text)
    return picked


def textrank_jieba(release, chars: int) -> list[Sentence]:
    """TextRank over jieba words (``summary_data.textrank_order``); the highest-ranked sentences
    that fit, in document order."""
    cands = candidates(release)
    return _fill(cands, textrank_order([s.text for s in cands]), chars)


def random_pick(release, chars: int, seed: int = 0) -> list[Sentence]:
    cands = candidates(release)
    order = list(range(len(cands)))
    random.Random(seed).shuffle(order)
    return _fill(cands, order, chars)


#: the baselines the summarizer has to beat
BASELINES = ("lead", "textrank", "random")


def _scores(hyp: str, ref: str, unit: str) -> dict[str, float]:
    return {"rouge1": rouge_n(hyp, ref, 1, unit), "rouge2": rouge_n(hyp, ref, 2, unit),
            "rougeL": rouge_l(hyp, ref, unit)}


def models_by_year(years, data=None, lcsts=None) -> dict:
    """The model that summarizes each year: the shipped one for a test year, for a tuning year one
    fitted on LCSTS and the other tuning years (leave-one-year-out)."""
    from zhen.summary_model import shipped

    out = {y: shipped() for y in years if y not in TUNING_YEARS}
    held = [y for y in years if y in TUNING_YEARS]
    if held:
        docs = [d for d in lcsts_docs(lcsts_pairs(lcsts)) if d is not None]
        tuning = {y: hkma_doc(y, data) for y in TUNING_YEARS}
        for y in held:
            out[y] = fit_model(docs, [tuning[t] for t in TUNING_YEARS if t != y])
    return out


def run(years, data=None, pipeline=None, models=None) -> dict:
    """``{"per_year": {year: {side: {system: scores}}}, "mean": {side: {system: scores}}}``; sides
    are ``zh`` (by character), ``en-human`` and, with a pipeline, ``en-zhen`` (by word).
    ``models`` maps a year to zhen's model (default: :func:`models_by_year`)."""
    models = models or models_by_year(years, data)
    per_year: dict = {}
    for y in years:
        item = Year(y, data)
        systems = {"zhen": zhen_with(models[y]), "lead": lead, "textrank": textrank_jieba, "random": random_pick}
        sides: dict = {"zh": {}, "en-human": {}}
        if pipeline is not None:
            sides["en-zhen"] = {}
        for name, fn in systems.items():
            picked = fn(item.release, item.chars)
            sides["zh"][name] = _scores("".join(s.text for s in picked), item.ref_zh, "zh")
            sides["en-human"][name] = _scores(item.human_english(picked), item.ref_en, "word")
            if pipeline is not None:
                sides["en-zhen"][name] = _scores(_translate(pipeline, item.release, picked), item.ref_en, "word")
        per_year[y] = sides
    first = per_year[years[0]]
    mean = {side: {name: {m: sum(per_year[y][side][name][m] for y in years) / len(years) for m in METRICS}
                   for name in first[side]} for side in first}
    return {"per_year": per_year, "mean": mean}
def _translate(pipeline, release, picked: list[Sentence]) -> str:
    """zhen's English of the picked sentences, translated where they stand in the report (their
    requirements found in the whole report, as ``zhen summarize -m`` does)."""
    if not picked:
        return ""
    english_of(release, picked, pipeline)
    return " ".join(s.english or "" for s in picked)


def report(result: dict, years) -> str:
    titles = {"zh": "Chinese, ROUGE F1 by character (punctuation kept)",
              "en-human": "English by word: the report's own English of the picked sentences",
              "en-zhen": "English by word: zhen's translation of the picked sentences"}
    lines = [f"HKMA Highlights, years {' '.join(map(str, years))}; every system gets the Highlights' length",
             "zhen: the shipped model for " + (" ".join(str(y) for y in years if y not in TUNING_YEARS) or "no year")
             + "; left-one-year-out fits for " + (" ".join(str(y) for y in years if y in TUNING_YEARS) or "no year")]
    for side, table in result["mean"].items():
        lines += ["", titles[side], f"{'system':<16} {'R-1':>7} {'R-2':>7} {'R-L':>7}   wins vs each baseline (of {len(years)} years)"]
        for name, s in table.items():
            wins = ""
            if name == "zhen":
                wins = "  ".join(
                    f"{b}: " + "/".join(str(sum(result['per_year'][y][side]['zhen'][m] > result['per_year'][y][side][b][m]
                                                for y in years)) for m in METRICS)
                    for b in BASELINES)
            lines.append(f"{name:<16} {s['rouge1']:>7.4f} {s['rouge2']:>7.4f} {s['rougeL']:>7.4f}   {wins}")
    lines += ["", "Per year (Chinese, R-1/R-2/R-L):"]
    names = list(result["mean"]["zh"])
    lines.append(f"{'year':<6}" + "".join(f"{n:>24}" for n in names))
    for y in years:
        row = result["per_year"][y]["zh"]
        lines.append(f"{y:<6}" + "".join(f"{'/'.join(f'{row[n][m]:.3f}' for m in METRICS):>24}" for n in names))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, nargs="+", default=list(YEARS))
    ap.add_argument("--data", help="the wmt25-terminology-zhen folder (default: ../shared/data or $ZHEN_WMT25_DATA)")
    ap.add_argument("--model", help="also translate each summary with zhen (model name or folder)")
    ap.add_argument("--lcsts", help="the lcsts-dev-zh folder, for the tuning years' refits (default: ../shared/data or $ZHEN_LCSTS_DATA)")
    args = ap.parse_args()
    pipeline = None
    if args.model:
        from zhen.settings import Settings

        pipeline = Settings(model=args.model).pipeline()
    models = models_by_year(args.years, args.data, args.lcsts)
    print(report(run(args.years, args.data, pipeline, models), args.years))


if __name__ == "__main__":
    main()
