"""What the checks of the model's own failures (zhen.quality) cost on clean output, against the
translation they check: the target is under 2% of translation time.

The translation is the sample release on a random-weight model with opus-mt-zh-en's exact
architecture (CTranslate2, the default engine, and transformers), its decoding capped at the
length real English of those segments takes, so that the random model's run to the cap costs what
real output would: the 90th percentile over the seeds draft's sentences of 1.3 tokens per word (the
rate of a 32k-piece English SentencePiece vocabulary like opus-mt-zh-en's; the script's own tiny
tokenizer splits words into letters, so its counts would overstate the length). The checks run on clean English (the seeds draft, paragraph by paragraph: nothing fires, so
nothing is retried), over the same source text, repeated for a stable time. Prints the CPU flags,
both times and their ratio; then, for information, what the retries cost on the random model's own
failing output.

    python benchmarks/quality.py [--engine ct2|transformers|both] [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from zhen.cpu import cpu_flags
from zhen.engines import DecodingOptions
from zhen.engines.base import Hypothesis
from zhen.pipeline import Pipeline, check_quality, engine_inputs
from zhen.readers import read_path
from zhen.testing import build_random_marian, glossary_english

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt"
DRAFT = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.draft-en.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", choices=["ct2", "transformers", "both"], default="both")
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    flags = sorted(f for f in cpu_flags() if f.startswith(("avx", "amx", "sse4")))
    print(f"machine: {os.cpu_count()} cores; flags: {' '.join(flags)}")

    zh = [p.text for p in read_path(SEED).paragraphs]
    en = [line.strip() for line in DRAFT.read_text("utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model = build_random_marian(Path(tmp) / "opus-arch", target_text=glossary_english())
        print(f"random-weight opus-mt-zh-en architecture built in {time.perf_counter() - t0:.1f} s")
        for engine in (["ct2", "transformers"] if args.engine == "both" else [args.engine]):
            sentences = [s for line in en for s in line.replace(". ", ".\n").splitlines() if s.strip()]
            lengths = sorted(round(1.3 * len(s.split())) for s in sentences)
            cap = lengths[int(0.9 * (len(lengths) - 1))]
            pipe = Pipeline.load(str(model), engine=engine, options=DecodingOptions(max_length=cap))
            release = pipe.segment(pipe.read(SEED))
            texts, constraints, anchors = engine_inputs([release])
            t0 = time.perf_counter()
            hyps = pipe.engine.translate_batch(texts, constraints=constraints, anchors=anchors)
            translate_s = time.perf_counter() - t0

            clean = []
            for _ in range(args.repeat):
                pairs = [Hypothesis(e) for e in en]
                t0 = time.perf_counter()
                checked = check_quality(pipe.engine, zh, [[] for _ in zh], [[] for _ in zh], pairs)
                clean.append(time.perf_counter() - t0)
            assert not any(h.quality for h in checked), [h.quality for h in checked]
            check_s = statistics.median(clean)
            print(f"{engine}: translate {len(texts)} segments (beam {pipe.engine.options.beam_size}, "
                  f"cap {cap} tokens) {translate_s:.2f} s; checks on the clean English of the same release "
                  f"{check_s * 1000:.2f} ms (median of {args.repeat}); ratio {100 * check_s / translate_s:.3f}%")

            t0 = time.perf_counter()
            retried = check_quality(pipe.engine, texts, constraints, anchors, hyps)
            retry_s = time.perf_counter() - t0
            n = sum(1 for h in retried if h.retry)
            print(f"{engine}: the random model's own output: {sum(1 for h in retried if h.quality)} of {len(hyps)} "
                  f"outputs fail, {n} retried in {retry_s:.2f} s ({100 * retry_s / translate_s:.0f}% of the first "
                  "translation; a real model fails on few segments)")


if __name__ == "__main__":
    main()
