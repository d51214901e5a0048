"""How long `zhen check` and `zhen fix` take on one year of one real system's output (the WMT 2025
terminology data: 2016 is 428 paragraphs, 31 thousand characters of Chinese): the target is
under 30 s on a 2-core machine. Prints the CPU flags, each step's seconds, and the share of each.

    python benchmarks/check_fix.py [--system CommandA_MT] [--mode proper] [--year 2016] [--priors PATH]
                                   [--with-model]

``--with-model`` also times ``zhen fix --model`` in the same run, on a model of opus-mt-zh-en's
architecture with random weights (built here; speed depends on the architecture, not the weights):
translating what the output left out, then aligning by the model's attention where the statistical
aligner finds nothing (``--aligner auto``), and by the attention alone; each as a ratio to the fix
without a model. Its English is noise, so only the times mean anything, and those of translating
are an upper bound: random weights write to the length cap (three tokens a source token), a real
model about half that (try ``--system organizers_NLLB --mode noterm``, which leaves sentences out).
"""

from __future__ import annotations

import argparse
import json
import os
import time

from zhen.check import check_texts, document_units, fix_texts
from zhen.cpu import cpu_flags
from zhen.engines import attention_reader
from zhen.glossary import Glossary
from zhen.settings import Settings
from zhen.wmt25 import data_dir, load_year


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", default="CommandA_MT")
    ap.add_argument("--mode", default="proper")
    ap.add_argument("--year", type=int, default=2016)
    ap.add_argument("--priors")
    ap.add_argument("--with-model", action="store_true", help="Also time fix --model (a random-weight opus-mt model).")
    args = ap.parse_args()
    root = data_dir()
    if root is None:
        raise SystemExit("WMT25 terminology data not found: set ZHEN_WMT25_DATA")
    flags = sorted(f for f in cpu_flags() if f.startswith(("avx", "amx", "sse4")))
    print(f"machine: {os.cpu_count()} cores; flags: {' '.join(flags)}")
    t = {"start": time.perf_counter()}
    docs = load_year(args.year, root)
    path = root / "submissions" / args.system / f"{args.system}.{args.year}.zhen.{args.mode}.jsonl"
    hyps = [json.loads(line)["en"] for line in path.open(encoding="utf-8")]
    pipeline = Settings(engine="none", nested_terms=True, shipped_glossaries=False).pipeline()
    glossary = Glossary.from_mapping(docs[0].proper, f"wmt25-{args.year}")
    zh, en, _ = document_units([d.zh for d in docs], hyps)
    t["read and pair"] = time.perf_counter()
    report = check_texts(pipeline, zh, en, glossaries=[glossary] * len(zh))
    t["check"] = time.perf_counter()
    fixed = fix_texts(pipeline, report, glossaries=[glossary] * len(zh), priors=args.priors)
    t["fix (align, edit, check again)"] = time.perf_counter()
    total = t[list(t)[-1]] - t["start"]
    print(f"{args.system}/{args.mode} {args.year}: {len(zh)} paragraphs, {sum(map(len, zh))} Chinese characters, "
          f"{len(report.findings)} requirements, {len(fixed.edits)} edits")
    names = list(t)
    for a, b in zip(names, names[1:]):
        print(f"  {b:<32} {t[b] - t[a]:6.2f} s  {(t[b] - t[a]) / total:6.1%}")
    print(f"  {'total':<32} {total:6.2f} s  (target: under 30 s)")
    if args.with_model:
        with_model(zh, en, glossary, args.priors, t["fix (align, edit, check again)"] - t["check"])


def with_model(zh: list[str], en: list[str], glossary, priors, alone: float) -> None:
    """``fix --model`` on the same output, on a random-weight model of opus-mt-zh-en's architecture."""
    import dataclasses
    import tempfile

    from zhen.testing import build_random_marian

    folder = tempfile.mkdtemp(prefix="zhen-bench-")
    started = time.perf_counter()
    model = build_random_marian(f"{folder}/opus-mt-size")
    print(f"\nfix --model (opus-mt-zh-en's architecture, random weights; built in {time.perf_counter() - started:.0f} s)")
    # random weights fail every check of zhen.quality, which would decode each segment twice; a real
    # model's output rarely does: the retries are off here
    pipeline = dataclasses.replace(Settings(model=str(model), nested_terms=True, shipped_glossaries=False).pipeline(),
                                   quality_retry=False)
    attention = attention_reader(pipeline.engine)
    glossaries = [glossary] * len(zh)
    started = time.perf_counter()
    report = check_texts(pipeline, zh, en, glossaries=glossaries)
    print(f"  {'check (model tokenizer loaded)':<40} {time.perf_counter() - started:6.2f} s; "
          f"{len(report.untranslated)} units and {len(report.unpaired)} sentences left out")
    for label, translate, aligner in (("translate left out, statistical", True, "statistical"),
                                      ("translate left out, auto (+attention)", True, "auto"),
                                      ("attention alone, nothing translated", False, "attention")):
        started = time.perf_counter()
        fixed = fix_texts(pipeline, report, glossaries=glossaries, priors=priors, translate=translate,
                          attention=attention, aligner=aligner)
        spent = time.perf_counter() - started
        print(f"  {label:<40} {spent:6.2f} s  {spent / alone:5.1f}× the fix without a model; {fixed.tally()}")


if __name__ == "__main__":
    main()
