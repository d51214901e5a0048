"""One-sentence summaries of LCSTS dev (Weibo posts of media accounts → their authors' headlines),
zhen's learned scorer on cross-validated folds beside Lead-1 and TextRank-1.

    python eval/lcsts.py [--folds 5] [--limit N] [--lcsts DIR] [--data DIR]

zhen is fitted (``eval/summary_data.fit_model``: LCSTS and the HKMA tuning years) on all folds but
one and summarizes each post of that fold in one sentence, as ``zhen summarize --sentences 1`` does
(the sentence without its leading clauses where that scores higher than all of it); ``zhen-whole`` is the same
with ``--no-trim`` (whole sentences only). No post is summarized by a model that saw it. Lead-1 is
the post's first sentence, ``lead-clauses`` its first two clauses (the lead trimmed as zhen trims),
TextRank-1 its top sentence by TextRank over jieba words; ``oracle``
(the whole sentence with the best ROUGE-L) is the ceiling of picking one whole sentence. ROUGE F1
by character, punctuation kept (Markdown marks and whitespace removed), sentences split at
。！？； and line breaks. Data: ../shared/data (never copied here).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np

from summary_data import TUNING_YEARS, fit_model, hkma_doc, lcsts_docs, lcsts_pairs, textrank_order
from zhen.metrics.rouge import rouge_l, rouge_n
from zhen.summarizer import summarize_sentences
from zhen.summary_model import units

METRICS = ("rouge1", "rouge2", "rougeL")


def scores(hyp: str, ref: str) -> tuple[float, float, float]:
    return rouge_n(hyp, ref, 1, "zh"), rouge_n(hyp, ref, 2, "zh"), rouge_l(hyp, ref, "zh")


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in units(text) if text[a:b].strip()]


def _first_clauses(sentence: str, k: int = 2) -> str:
    """The sentence's first ``k`` clauses (cut after ``，：`` as zhen's trimming cuts), without the
    mark that ends them: the lead made as short as a headline (the best k on LCSTS dev: 1 clause
    scores R-L 19.2, 2 clauses 20.8, 3 clauses 20.6)."""
    cuts = [m.end() for m in re.finditer(r"[，：,:]", sentence)]
    if len(cuts) < k:
        return sentence
    return sentence[:cuts[k - 1]].rstrip("，：,: ")


def run(pairs, folds: int = 5, data=None, seed: int = 0) -> dict:
    docs = lcsts_docs(pairs)
    hkma = [hkma_doc(y, data) for y in TUNING_YEARS]
    order = np.random.RandomState(seed).permutation(len(pairs))
    parts = np.array_split(order, folds)
    picks = {"zhen": [""] * len(pairs), "zhen-whole": [""] * len(pairs), "lead-1": [], "lead-clauses": [], "textrank-1": [],
             "oracle": []}
    for k, test in enumerate(parts):
        train = [docs[i] for f, part in enumerate(parts) if f != k for i in part if docs[i] is not None]
        model = fit_model(train, hkma)
        for i in test:
            if docs[i] is not None:
                picks["zhen"][i] = summarize_sentences(docs[i].release, sentences=1, model=model).text
                picks["zhen-whole"][i] = summarize_sentences(docs[i].release, sentences=1, model=model, trim=False).text
    for src, ref in pairs:
        sents = sentences_of(src)
        picks["lead-1"].append(sents[0])
        picks["lead-clauses"].append(_first_clauses(sents[0]))
        picks["textrank-1"].append(sents[textrank_order(sents)[0]])
        picks["oracle"].append(max(sents, key=lambda s: rouge_l(s, ref, "zh")))
    table = {name: np.mean([scores(h, r) for h, (_, r) in zip(hyps, pairs)], axis=0) * 100
             for name, hyps in picks.items()}
    return {"table": table, "n": len(pairs), "folds": folds}


def report(result: dict) -> str:
    t = result["table"]
    lines = [f"LCSTS dev, {result['n']} posts, {result['folds']}-fold cross-validation (zhen never scores a post it was fitted on)",
             f"{'system':<12} {'R-1':>6} {'R-2':>6} {'R-L':>6}   zhen ahead by (R-1/R-2/R-L)"]
    for name, s in t.items():
        ahead = "" if name in ("zhen", "zhen-whole", "oracle") else "/".join(f"{d:+.2f}" for d in t["zhen"] - s)
        lines.append(f"{name:<12} {s[0]:>6.2f} {s[1]:>6.2f} {s[2]:>6.2f}   {ahead}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, help="only the first N posts")
    ap.add_argument("--lcsts", help="the lcsts-dev-zh folder (default: ../shared/data or $ZHEN_LCSTS_DATA)")
    ap.add_argument("--data", help="the wmt25-terminology-zhen folder (default: ../shared/data or $ZHEN_WMT25_DATA)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    pairs = lcsts_pairs(args.lcsts)[: args.limit]
    print(report(run(pairs, args.folds, args.data)))
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
