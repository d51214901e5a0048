"""What glossary-constrained decoding costs: time per segment, constrained vs unconstrained, side by side.

    python benchmarks/constraints.py [--release seeds/...txt] [--beams 1 4] [--segments 24]

Two measurements, both on the segments of a real release with the shipped glossaries:

1. **Equal lengths** (the processor's own cost): a random-weight model with opus-mt-zh-en's exact
   architecture, every output forced to the same length (end-of-sentence suppressed until the
   limit), decoded once without and once with the segment's requirements. The ratio is the
   overhead of the constraint processor alone.
2. **End to end** on the tiny trained model: the pipeline with requirements vs without (glossaries
   and fidelity off). Outputs differ in length here, because placed terms make them longer.

Nothing is downloaded: both models are built here (the random one takes ~10 s and 300 MB in a temp dir).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from zhen.engines import DecodingOptions, create_engine
from zhen.glossary import load_layers
from zhen.models import resolve_model
from zhen.pipeline import Pipeline
from zhen.testing import build_random_marian, build_tiny_marian, glossary_english

ROOT = Path(__file__).resolve().parent.parent


def equal_length_run(model_dir: Path, texts: list[str], constraints: list[list[list[str]]], beam: int,
                     new_tokens: int) -> tuple[float, float]:
    engine = create_engine("transformers", resolve_model(str(model_dir)),
                           DecodingOptions(beam_size=beam, batch_size=1, max_length=new_tokens))
    generate = engine.model.generate

    def fixed_length(*args, **kwargs):  # every output exactly new_tokens long: equal work per segment
        kwargs["min_length"] = kwargs["max_length"] = 1 + new_tokens
        return generate(*args, **kwargs)

    engine.model.generate = fixed_length
    try:
        engine.translate_batch(texts[:1])  # warm-up
        t0 = time.perf_counter()
        plain = engine.translate_batch(texts)
        t1 = time.perf_counter()
        steered = engine.translate_batch(texts, constraints=constraints)
        t2 = time.perf_counter()
    finally:
        engine.model.generate = generate
    assert [h.tokens for h in plain] == [h.tokens for h in steered], "lengths differ: not a fair comparison"
    return (t1 - t0) / len(texts), (t2 - t1) / len(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--release", default=str(ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt"))
    ap.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--segments", type=int, default=24, help="segments for the equal-length run")
    ap.add_argument("--new-tokens", type=int, default=64)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tiny = build_tiny_marian(Path(tmp) / "tiny")
        glossary = load_layers(user=False)
        pipe = Pipeline.load(str(tiny), options=DecodingOptions(beam_size=1), glossary=glossary)
        release = pipe.segment(pipe.read(args.release))
        segs = [s for s in release.segments() if s.terms][: args.segments]
        texts = [s.text_for_engine for s in segs]
        cons = [[h.accepted for h in s.terms] for s in segs]
        n_req = sum(len(c) for c in cons)
        print(f"release: {Path(args.release).name}: {len(release.segments())} segments, "
              f"{sum(len(s.terms) for s in release.segments())} requirements")

        rand = build_random_marian(Path(tmp) / "random", target_text=glossary_english())
        print(f"\n1. equal lengths, random-weight opus-mt-zh-en architecture, {len(segs)} segments with "
              f"{n_req} requirements, {args.new_tokens} tokens each, batch 1")
        print(f"{'beam':>5} {'plain s/seg':>12} {'constrained s/seg':>18} {'ratio':>7}")
        for beam in args.beams:
            plain, steered = equal_length_run(rand, texts, cons, beam, args.new_tokens)
            print(f"{beam:>5} {plain:>12.4f} {steered:>18.4f} {steered / plain:>7.2f}")

        print("\n2. end to end, tiny trained model, whole release (outputs differ in length)")
        print(f"{'beam':>5} {'plain s/seg':>12} {'constrained s/seg':>18} {'ratio':>7} {'placed':>8}")
        for beam in args.beams:
            plain, steered, placed = end_to_end(str(tiny), "transformers", beam, glossary, args.release, repeats=2)
            print(f"{beam:>5} {plain:>12.4f} {steered:>18.4f} {steered / plain:>7.2f} {placed:>8}")


def end_to_end(model: str, engine: str, beam: int, glossary, release: str, repeats: int = 3) -> tuple[float, float, str]:
    """Seconds per segment for the whole pipeline without requirements (glossary and fidelity off)
    and with them, median of ``repeats`` after a warm-up; and "placed/total" without last resort."""
    times, placed = {}, ""
    for name, settings in (("plain", dict(enforce_fidelity=False)), ("steered", dict(glossary=glossary))):
        p = Pipeline.load(model, engine=engine, options=DecodingOptions(beam_size=beam), **settings)
        rel = p.segment(p.read(release))
        p.translate(rel)  # warm-up
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = p.translate(rel)
            runs.append((time.perf_counter() - t0) / len(out.segments()))
        times[name] = statistics.median(runs)
        if name == "steered":
            hits = [h for s in out.segments() for h in s.terms]
            placed = f"{sum(h.found and h.method != 'last-resort' for h in hits)}/{len(hits)}"
    return times["plain"], times["steered"], placed

if __name__ == "__main__":
    main()
