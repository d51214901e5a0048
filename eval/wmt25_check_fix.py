"""``zhen check`` and ``zhen check --fix`` on every output submitted to the WMT 2025 terminology
task (zh→en, the five even years), against the task's own measures.

    python eval/wmt25_check_fix.py [--systems CommandA_MT ...] [--years 2016 ...] [--priors PATH]
                                   [--model M [--aligner auto|attention|statistical]]

For each output: the task's proper-term success rate before and after the fix (its own definition,
:mod:`zhen.metrics.terms`), the rate zhen's check gives by the same counting, chrF++ against the
reference before and after, the edits by method, doubled words before and after, and seconds per
year. The fix reads each year's ``proper`` dictionary as its glossary and never the reference, and
keeps the dictionary's capitals (the reports write "the Mainland": rewriting case raises chrF++);
the check's rate is read as the task counts, regardless of case (``zhen check --ignore-case``), per
occurrence (zhen's reading) and per document (the task's, :func:`document_rate_entries`).
Alignment priors (``--priors``, default ``zhen align-priors``' output) should come from the odd
years and UN text only (``zhen align-priors --text UNv1.0.devset.zh UNv1.0.devset.en --jsonl
full_data_2015.jsonl …``). With ``--model`` the fix is ``zhen fix --model``'s: what an output left
out (units and sentences, column *left*) is translated by the model, and terms are aligned by its
attention too (``--aligner``); the *transl* edits column counts those translations, and the share
of edits not inserted is of the others. Column *kept*: requirements the fix left as they are, their
sentence's English holding the required form already (one mention for two, :attr:`zhen.check.FixResult.kept`);
they are no edits.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path

from sacrebleu.metrics import CHRF

from zhen.check import check_texts, document_units, fix_texts, join_documents
from zhen.engines import attention_reader
from zhen.glossary import Glossary
from zhen.metrics.terms import term_success_rate
from zhen.normalize import normalize_release
from zhen.occurrences import find_words
from zhen.release import Paragraph, Release
from zhen.settings import Settings
from zhen.textnorm import fold
from zhen.wmt25 import ZH_EN_YEARS, data_dir, load_year

#: a word written twice in a row on one line ("the the"); a heading "Inflation" over a paragraph that
#: begins "Inflation pressures…" is not one
_DOUBLED = re.compile(r"\b(\w+)[ \t]+\1\b", re.IGNORECASE)


def doubled(texts: list[str]) -> int:
    return sum(len(_DOUBLED.findall(t)) for t in texts)


#: an insertion's reasons (:attr:`zhen.check.Edit.reason`): its English already taken by another
#: requirement (a nested entry its outer entry's rendering contradicts, or a repeat the English merges),
#: nothing aligned, a doubtful alignment, or an unusable part; numbers and dates apart
REASONS = ("taken", "none", "doubtful", "partial")


def scored_entries(docs, hyps: list[str]):
    """The entries the task scores, with the task's own filter: for each document, each dictionary
    entry whose source is in it and one of whose targets is in the reference, as (document, entry,
    targets, the source and the output in lower case)."""
    for d, doc in enumerate(docs):
        src, ref, hyp = doc.zh.lower(), doc.en.lower(), hyps[d].lower()
        for term, targets in doc.proper.items():
            if term.lower() in src and any(t.lower() in ref for t in targets):
                yield d, term, targets, src, hyp


def check_rate_entries(report, doc_of: list[int], docs, hyps: list[str], gap: Counter) -> list[float]:
    """The task's rate as ``zhen check`` reads it: for each entry the task scores (its source in
    the document, a target in the reference: the task's own filter, applied here and never by
    the check), the share of the check's occurrences of it found placed. An entry the check
    required nowhere stood each time inside a longer term whose rendering holds it: it scores as
    that term does.

    The task counts differently, and ``gap`` tallies each occurrence the check found missing that
    the task's counting credits, by where the task finds its English: ``document`` (elsewhere in the
    document: the task counts a target anywhere in it, not where the source has the term),
    ``shared`` (in the unit, but the English another requirement there claims: the task counts one
    English for two entries, or two occurrences), ``substring`` (in the unit only inside a longer
    word: "ip" in "relationship", which the task counts); ``held``: an entry the check required
    nowhere, inside a longer term whose rendering is missing, its English found elsewhere."""
    occurrences: dict[tuple[int, str], list[bool]] = {}
    outer: dict[int, list] = {}
    missing: dict[tuple[int, str], list] = {}
    for f in report.findings:
        if f.kind == "term" and f.status != "off":
            key = (doc_of[f.unit - 1], fold(f.source))
            occurrences.setdefault(key, []).append(f.status == "placed")
            outer.setdefault(key[0], []).append(f)
            if f.status != "placed":
                missing.setdefault(key, []).append(f)
    scores = []
    for d, term, targets, src, hyp in scored_entries(docs, hyps):
        key = (d, fold(term))
        seen = occurrences.get(key)
        held = seen is None
        if held:  # held inside longer terms: placed where they are
            seen = [f.status == "placed" for f in outer.get(d, []) if key[1] in fold(f.source)] or [True]
        score = sum(seen) / len(seen)
        scores.append(score)
        task = min(1.0, sum(hyp.count(t.lower()) for t in targets) / src.count(term.lower()))
        if task > score and held:
            gap["held"] += round((task - score) * len(seen))
        elif task > score:  # as many of the check's misses as the task credits more
            extra = round((task - score) * len(seen))
            for f in missing.get(key, [])[:extra]:
                english = report.texts[f.unit - 1][1]
                where = ("shared" if any(find_words(english, t) for t in targets) else
                         "substring" if any(t.lower() in english.lower() for t in targets) else "document")
                gap[where] += 1
    return scores


def document_rate_entries(pipe, report, glossary: Glossary, doc_of: list[int], docs, hyps: list[str],
                          gap: Counter) -> list[float]:
    """The task's rate counted as the task counts, from what zhen finds: for each entry the task
    scores (:func:`scored_entries`), the times zhen's word finder sees one of
    its renderings anywhere in the document's English (whole words, any capitals, no overlaps) over
    the times zhen's requirement finder sees it in the source (the check's findings, and the entries
    it leaves inside a longer term as covered), at most 1. This separates the two ways the check's
    rate can differ from the task's: how occurrences are counted (the check: each in its own unit,
    an English claimed once), which this reading takes from the task, and what is found on either
    side, which stays zhen's.

    ``gap`` sums, over the entries where the two differ, the task's score less this one, by why: the
    task counts one English twice where an entry's targets overlap ("MOU" and "MOUs", or two that
    differ only in capitals), ``twice``; else it counts a target inside another word ("CU" in
    "currency", "ip" in "relationship") or the two sides disagree on the source, ``inside``."""
    sources: Counter = Counter()
    for f in report.findings:
        if f.kind == "term" and f.status != "off" and not f.held:
            sources[doc_of[f.unit - 1], fold(f.source)] += 1
    for unit, (zh, _) in enumerate(report.texts):
        release = normalize_release(Release([Paragraph(0, "body", zh)], format="text"))
        for m in pipe.finder(release, glossary).covered(release.paragraphs[0].text):
            sources[doc_of[unit], fold(m.term.source)] += 1
    scores = []
    for d, term, targets, src, hyp in scored_entries(docs, hyps):
        wanted = sources[d, fold(term)]
        found, end = 0, -1
        for start, stop in sorted({s for t in targets for s in find_words(hyp, t.lower())}):
            if start >= end:
                found, end = found + 1, stop
        score = min(1.0, found / wanted) if wanted else 1.0
        scores.append(score)
        task = min(1.0, sum(hyp.count(t.lower()) for t in targets) / src.count(term.lower()))
        low = [t.lower() for t in targets]
        overlap = any(i != j and a in b for i, a in enumerate(low) for j, b in enumerate(low))
        gap["twice" if overlap else "inside"] += task - score
    return scores


def translated_source(report, sources: list[str]) -> list[str]:
    """Each unit's source (as given, ``sources``) less what the check found the translation left
    out: the whole unit where it has no English, else its unpaired sentences (as the check read
    them; one the reading changed stays)."""
    out = []
    for unit, zh in enumerate(sources, 1):
        if unit in report.untranslated:
            zh = ""
        for u, start, end in report.unpaired:
            if u == unit:
                zh = zh.replace(report.texts[unit - 1][0][start:end], "", 1)
        out.append(zh)
    return out


def outputs(root: Path, systems: list[str] | None) -> list[tuple[str, str]]:
    found = sorted({(p.parent.name, p.name.split(".")[-2]) for p in (root / "submissions").glob("*/*.zhen.*.jsonl")})
    return [(s, m) for s, m in found if not systems or s in systems]


def run_output(system: str, mode: str, years: list[int], root: Path, priors, nested: bool = True,
               model: str | None = None, aligner: str = "auto") -> dict:
    pipe = Settings(model=model, engine="auto" if model else "none", nested_terms=nested,
                    shipped_glossaries=False).pipeline()
    attention = attention_reader(pipe.engine) if model else None
    srcs, refs, dicts, before, after, check_scores, doc_scores, translated = [], [], [], [], [], [], [], []
    left_out, kept = 0, 0
    edits, seconds, misses, left, why, gap, doc_gap = Counter(), {}, 0, 0, Counter(), Counter(), Counter()
    for year in years:
        docs = load_year(year, root)
        path = root / "submissions" / system / f"{system}.{year}.zhen.{mode}.jsonl"
        hyps = [json.loads(line)["en"] for line in path.open(encoding="utf-8")]
        started = time.monotonic()
        glossary = Glossary.from_mapping(docs[0].proper, f"wmt25-{year}")  # one dictionary a year
        zh_units, en_units, doc_of = document_units([d.zh for d in docs], hyps)
        glossaries = [glossary] * len(zh_units)
        report = check_texts(pipe, zh_units, en_units, glossaries=glossaries)
        fixed = fix_texts(pipe, report, glossaries=glossaries, priors=priors, translate=model is not None,
                          attention=attention, aligner=aligner)
        seconds[year] = round(time.monotonic() - started, 1)
        as_task = check_texts(pipe, zh_units, en_units, glossaries=glossaries, ignore_case=True)
        check_scores += check_rate_entries(as_task, doc_of, docs, hyps, gap)
        doc_scores += document_rate_entries(pipe, as_task, glossary, doc_of, docs, hyps, doc_gap)
        edits.update(fixed.methods())
        kept += len(fixed.kept)
        why.update(e.reason for e in fixed.edits if e.method == "inserted")
        left += len(fixed.after.problems)
        misses += sum(f.kind == "term" and f.status not in ("placed", "off") for f in report.findings)
        new = join_documents(fixed.english, doc_of, len(docs))
        translated += join_documents(translated_source(report, zh_units), doc_of, len(docs))
        left_out += len(report.untranslated) + len(report.unpaired)
        srcs += [d.zh for d in docs]
        refs += [d.en for d in docs]
        dicts += [d.proper for d in docs]
        before += hyps
        after += new
    chrf = CHRF(word_order=2)
    return {
        "system": system, "mode": mode,
        "terms_before": term_success_rate(srcs, before, refs, dicts).rate,
        "terms_after": term_success_rate(srcs, after, refs, dicts).rate,
        # the task's rate on what the system translated: the source less the units and sentences the
        # check found left out (which the fix leaves to be translated), the same English
        "terms_after_translated": term_success_rate(translated, after, refs, dicts).rate,
        "left_out": left_out,
        "terms_check": sum(check_scores) / max(1, len(check_scores)),
        "terms_check_documents": sum(doc_scores) / max(1, len(doc_scores)),
        "chrf++_before": chrf.corpus_score(before, [refs]).score,
        "chrf++_after": chrf.corpus_score(after, [refs]).score,
        "edits": dict(edits), "kept": kept, "doubled_before": doubled(before), "doubled_after": doubled(after),
        "seconds": seconds, "misses": misses, "still_not_placed": left, "inserted_why": dict(why),
        "check_gap": dict(gap),
        "document_gap": {k: v / max(1, len(doc_scores)) for k, v in doc_gap.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--systems", nargs="*")
    ap.add_argument("--years", type=int, nargs="+", default=list(ZH_EN_YEARS))
    ap.add_argument("--priors", type=Path)
    ap.add_argument("--data")
    ap.add_argument("--json", type=Path, help="Also write every figure here.")
    ap.add_argument("--no-nested", dest="nested", action="store_false",
                    help="Require only the longest entry at each place of the source, as zhen does by default, "
                         "not also every entry inside it (the task's counting, this script's default): an entry "
                         "the longer one's rendering contradicts (按揭證券 inside 香港按揭證券有限公司) is then "
                         "not inserted.")
    ap.add_argument("--model", help="Translate what each output left out with this model, and align by its "
                    "attention too (zhen fix --model).")
    ap.add_argument("--aligner", choices=("auto", "attention", "statistical"), default="auto")
    args = ap.parse_args()
    root = data_dir(args.data)
    if root is None:
        raise SystemExit("WMT25 terminology data not found: set ZHEN_WMT25_DATA")
    rows = []
    print("terms: the task's rate before → after the fix; transl.: after, on what the system translated (the "
          "source less the units and sentences the check found left out, counted in 'left', which the fix leaves "
          "to be translated)")
    print(f"{'output':32} {'terms':>13} {'transl.':>7} {'left':>5} {'check':>5} {'chrF++':>13} {'edits':>6} "
          f"{'aligned':>7} {'reword':>6} {'number':>6} {'insert':>6} {'transl':>6} {'not-ins':>7} {'kept':>5} {'dbl':>7} {'s/year':>6}")
    for system, mode in outputs(root, args.systems):
        r = run_output(system, mode, args.years, root, args.priors, args.nested, args.model, args.aligner)
        rows.append(r)
        e = r["edits"]
        total = sum(e.values()) - e.get("translated", 0)
        print(f"{system + '/' + mode:32} {r['terms_before']:.3f}→{r['terms_after']:.3f} "
              f"{r['terms_after_translated']:7.3f} {r['left_out']:5d} {r['terms_check']:.3f} "
              f"{r['chrf++_before']:6.2f}→{r['chrf++_after']:6.2f} {total:6d} {e.get('aligned', 0):7d} "
              f"{e.get('reworded', 0):6d} {e.get('number', 0) + e.get('date', 0):6d} {e.get('inserted', 0):6d} "
              f"{e.get('translated', 0):6d} "
              f"{1 - e.get('inserted', 0) / max(1, total):7.1%} {r['kept']:5d} {r['doubled_before']:3d}→{r['doubled_after']:<3d} "
              f"{max(r['seconds'].values()):6.1f}", flush=True)
    names = list(REASONS) + ["number", "date"]
    print("\ninsertions by reason (taken: the aligned words hold another requirement's English, or are already "
          "replaced; none: nothing aligned; doubtful: one direction and no word in common; partial: too few, too "
          "many or across a sentence)")
    print(f"{'output':32} " + " ".join(f"{n:>8}" for n in names))
    for r in rows:
        print(f"{r['system'] + '/' + r['mode']:32} " + " ".join(f"{r['inserted_why'].get(n, 0):8d}" for n in names))
    print("\nthe check's rate against the task's. check: each occurrence in its own unit, an English claimed once "
          "(zhen's reading). The occurrences it finds missing that the task's counting credits, by where the task "
          "finds the English (document: elsewhere in the document; shared: in the unit, claimed by another "
          "requirement; substring: in the unit, only inside a longer word; held: an entry inside a longer term whose "
          "rendering is missing). per doc: zhen's findings counted as the task counts (an entry's English anywhere in "
          "the document, whole words, against its times in the source), and the task's rate less it, by why, net "
          "(twice: one English counted for two overlapping targets; inside: a target inside another word, or quotes)")
    print(f"{'output':32} {'task':>6} {'check':>6} {'diff':>6} {'document':>8} {'shared':>8} {'substring':>9} {'held':>6} "
          f"{'per doc':>7} {'diff':>6} {'twice':>6} {'inside':>6}")
    for r in rows:
        g, d = r["check_gap"], r["document_gap"]
        print(f"{r['system'] + '/' + r['mode']:32} {r['terms_before']:6.3f} {r['terms_check']:6.3f} "
              f"{r['terms_check'] - r['terms_before']:+6.3f} {g.get('document', 0):8d} {g.get('shared', 0):8d} "
              f"{g.get('substring', 0):9d} {g.get('held', 0):6d} {r['terms_check_documents']:7.3f} "
              f"{r['terms_check_documents'] - r['terms_before']:+6.3f} {d.get('twice', 0):6.3f} {d.get('inside', 0):6.3f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
