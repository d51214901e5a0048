"""Engines side by side on opus-mt-zh-en's architecture: transformers fp32 vs CTranslate2 float32
and int8, greedy and beam 4, batch 1 and 32, with the glossary-constrained cost, in one run; and,
with ``--families``, a row per model family zhen drives (Marian, NLLB-200, MADLAD-400, chat LLM) at
its real size, both engines.

    python benchmarks/engines.py [--tokens 48] [--sentences 32] [--batch1-sentences 8]
    python benchmarks/engines.py --families [marian nllb madlad chat] [--tokens 48] [--sentences 16]

A model with random weights and the exact architecture of opus-mt-zh-en (d_model 512, 6+6 layers,
8 heads, FFN 2048, vocabulary 65,001) is built in a temp folder and converted with CTranslate2's
converter; its target tokenizer is trained with the glossaries' English, so a required phrase takes
about as many tokens as in a real vocabulary. Speed depends on the architecture, not the weights, so
every output is forced to the same length (end-of-sentence held back until ``--tokens``): all
engines do the same work. The engines are called through zhen's own ``translate_batch``
(tokenization, sorting, batching included); only the length is forced, by wrapping ``generate`` /
``translate_batch``.

Constrained cost: the same segments (the sample release's, each with its glossary terms and
numbers) with and without their requirements. A random model writes none of the phrases, so every
segment is repaired: the worst case. A repair's re-decode is forced to end where the first pass did
(or one token after its prefix), so the repaired outputs are longer only by inserted phrases; the
ratio is printed per segment and per output token.

Each engine runs in its own subprocess, one after the other (never two at once on 2 cores), so its
peak RSS and load time are its own. The machine's fp32 and int8 matmul peaks are measured first
(torch, all cores, 2048² matmuls); each configuration's share of its compute type's peak is
tokens/s × operations per generated token (counted from the architecture: the decoder's per-token
work, attention included, plus the encoder per source token spread over the outputs) ÷ that peak.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt"
D, FFN, LAYERS, VOCAB = 512, 2048, 6, 65001


def flops_per_token(src_len: float, tgt_len: int) -> float:
    """Multiply-adds ×2 for one generated token, averaged over an output of ``tgt_len``."""
    dec_layer = 2 * (4 * D * D + 2 * D * FFN + 2 * D * D)  # self-attn qkvo, FFN, cross-attn q and o
    dec_attn = 2 * 2 * D * (tgt_len / 2 + src_len)  # scores and weighted sums, self and cross
    cross_kv = 2 * 2 * D * D * src_len * LAYERS / tgt_len  # cross-attention keys/values, once per sentence
    enc = 2 * (4 * D * D + 2 * D * FFN) * src_len * LAYERS / tgt_len
    return LAYERS * (dec_layer + dec_attn) + 2 * D * VOCAB + cross_kv + enc


def matmul_peak() -> float:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    return _rate(lambda: a @ b)


def int8_matmul_peak() -> float | None:
    """int8 × int8 → int32 matmuls through torch's fbgemm/oneDNN kernels (what a CPU with VNNI
    runs int8 on: up to 4x its fp32 rate), or ``None`` where torch has no quantized engine."""
    import warnings

    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch deprecates its quantized tensors; the kernels remain
            x = torch.quantize_per_tensor(torch.randn(2048, 2048), 0.05, 64, torch.quint8)
            w = torch.quantize_per_tensor(torch.randn(2048, 2048), 0.05, 0, torch.qint8)
            packed = torch.ops.quantized.linear_prepack(w, None)
            return _rate(lambda: torch.ops.quantized.linear(x, packed, 0.1, 0))
    except (RuntimeError, AttributeError):
        return None


def _rate(matmul) -> float:
    """Operations per second of a 2048² × 2048² matmul (2 per multiply-add), after a warm-up."""
    for _ in range(3):
        matmul()
    n, t0 = 20, time.perf_counter()
    for _ in range(n):
        matmul()
    return 2 * 2048**3 * n / (time.perf_counter() - t0)


# --- one engine, in a subprocess --------------------------------------------------------------
def _segments(model_dir: str, n: int) -> dict:
    """The sample release's segments that have requirements, repeated to ``n``, with them."""
    from zhen.glossary import load_layers
    from zhen.pipeline import Pipeline

    pipe = Pipeline.load(model_dir, glossary=load_layers(user=False))
    release = pipe.segment(pipe.read(SAMPLE))
    segs = [s for s in release.segments() if s.terms]
    segs = (segs * (n // len(segs) + 1))[:n]
    return {"texts": [s.text_for_engine for s in segs], "constraints": [[h.accepted for h in s.terms] for s in segs],
            "anchors": [[h.source for h in s.terms] for s in segs]}


def _force_length(engine, tokens: int) -> None:
    if engine.name == "transformers":
        generate = engine.model.generate

        def fixed(*args, **kwargs):
            kwargs["min_length"] = kwargs["max_length"] = 1 + tokens
            return generate(*args, **kwargs)

        engine.model.generate = fixed
    else:
        translate = engine.translator.translate_batch

        def fixed(source, target_prefix=None, **kwargs):
            # a repair's re-decode (greedy, from a prefix) ends each output at the same length as
            # the first pass, or one token after its prefix if that is longer: per output, by
            # CTranslate2's step callback, since its length options hold for the whole call
            ends = [max(tokens, len(p or []) + 1) for p in target_prefix or [[]] * len(source)]
            kwargs["min_decoding_length"], kwargs["max_decoding_length"] = min(ends), max(ends)
            if target_prefix and kwargs.get("beam_size") == 1:
                kwargs["callback"] = lambda step: step.step + 1 >= ends[step.batch_id]
            return translate(source, target_prefix, **kwargs)

        engine.translator = _Proxy(engine.translator, translate_batch=fixed)


class _Proxy:
    def __init__(self, target, **overrides):
        self._target, self._overrides = target, overrides

    def __getattr__(self, name):
        return self._overrides.get(name) or getattr(self._target, name)


def run_engine(spec: dict) -> dict:
    import resource

    from zhen.engines import DecodingOptions, create_engine
    from zhen.models import convert_model, resolve_model

    model = resolve_model(spec["model"])
    data = json.loads(Path(spec["segments"]).read_text(encoding="utf-8"))
    texts, cons, anchors = data["texts"], data["constraints"], data["anchors"]
    if spec["engine"] == "ct2":
        convert_model(model, "int8" if spec["compute_type"].startswith("int8") else "float32")
    results = []
    load_time = None
    for cfg in spec["configs"]:
        options = DecodingOptions(beam_size=cfg["beam"], batch_size=cfg["batch"], max_length=spec["tokens"],
                                  threads=os.cpu_count(), compute_type=spec.get("compute_type"),
                                  inter_threads=cfg.get("inter", 1))
        t0 = time.perf_counter()
        engine = create_engine(spec["engine"], model, options)
        load_time = load_time or time.perf_counter() - t0
        _force_length(engine, spec["tokens"])
        n = cfg["batch"] if cfg["batch"] > 1 else spec["batch1_sentences"]
        sub_texts = texts[: max(n, cfg["batch"])]
        engine.translate_batch(sub_texts[:2])  # warm-up
        t0 = time.perf_counter()
        hyps = engine.translate_batch(sub_texts)
        elapsed = time.perf_counter() - t0
        row = {**cfg, "sentences": len(sub_texts), "seconds": elapsed, "sent_s": len(sub_texts) / elapsed,
               "tok_s": sum(h.tokens for h in hyps) / elapsed, "src_tokens": sum(engine.count_tokens(t) for t in sub_texts) / len(sub_texts)}
        if cfg.get("constrained"):
            t0 = time.perf_counter()
            steered = engine.translate_batch(sub_texts, constraints=cons[: len(sub_texts)], anchors=anchors[: len(sub_texts)])
            row["constrained_seconds"] = time.perf_counter() - t0
            row["constrained_tokens"] = sum(h.tokens for h in steered) / len(steered)
        results.append(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {"engine": spec["engine"], "compute_type": spec.get("compute_type") or "float32",
            "load_s": load_time, "peak_rss_mb": peak, "rows": results}


# --- the whole comparison ---------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=48, help="every output's length in tokens")
    ap.add_argument("--sentences", type=int, default=32, help="sentences per batch-32 run")
    ap.add_argument("--batch1-sentences", type=int, default=8, help="sentences per batch-1 run")
    ap.add_argument("--families", nargs="*", metavar="FAMILY",
                    help="only the table of model families (all, or those named: marian nllb madlad chat)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one engine spec (JSON) and print JSON
    ap.add_argument("--family", help=argparse.SUPPRESS)  # internal: one family on one engine
    ap.add_argument("--segments-for", help=argparse.SUPPRESS)  # internal: the sample's segments for a model
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_engine(json.loads(args.one))))
        return
    if args.family:
        print(json.dumps(run_family(json.loads(args.family))))
        return
    if args.segments_for:
        spec = json.loads(args.segments_for)
        Path(spec["segments"]).write_text(json.dumps(_segments(spec["model"], spec["sentences"])), encoding="utf-8")
        return
    if args.families is not None:
        from zhen.cpu import cpu_flags, int8_dot_flags

        print(f"machine: {os.cpu_count()} cores; int8 dot-product flags: {', '.join(int8_dot_flags()) or 'none'}; "
              f"avx2: {'avx2' in cpu_flags()}")
        families(args.tokens, min(args.sentences, 16), args.families)
        return

    from zhen.testing import build_random_marian, glossary_english

    peak = matmul_peak()
    peak8 = int8_matmul_peak()
    print(f"machine: {os.cpu_count()} cores, fp32 matmul peak {peak / 1e9:.1f} GFLOP/s, int8 "
          + (f"{peak8 / 1e9:.1f} GOP/s" if peak8 else "not measurable here") + " (torch, 2048² matmuls)")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model = build_random_marian(Path(tmp) / "opus-arch", target_text=glossary_english())
        print(f"random-weight opus-mt-zh-en architecture built in {time.perf_counter() - t0:.1f} s; "
              f"outputs forced to {args.tokens} tokens")
        segments = Path(tmp) / "segments.json"
        segments.write_text(json.dumps(_segments(str(model), 2 * args.sentences)), encoding="utf-8")
        grid = [{"beam": b, "batch": n} for b in (1, 4) for n in (1, args.sentences)]
        big = 2 * args.sentences
        ct2_grid = grid + [{"beam": b, "batch": big} for b in (1, 4)] + \
            [{"beam": b, "batch": args.sentences, "inter": 2} for b in (1, 4)] + \
            [{"beam": b, "batch": args.sentences, "constrained": True} for b in (1, 4)]
        specs = [
            {"engine": "transformers", "configs": grid},
            {"engine": "ct2", "compute_type": "float32", "configs": grid},
            {"engine": "ct2", "compute_type": "int8", "configs": ct2_grid},
        ]
        reports = []
        for spec in specs:
            spec.update(model=str(model), tokens=args.tokens, segments=str(segments),
                        batch1_sentences=args.batch1_sentences)
            proc = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], capture_output=True, text=True)
            if proc.returncode:
                sys.exit(f"{spec['engine']} failed:\n{proc.stderr[-3000:]}")
            reports.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    print(f"\n{'engine':<18} {'beam':>4} {'batch':>5} {'inter×intra':>11} {'sent/s':>8} {'tok/s':>8} {'% peak':>7}")
    best: dict[tuple[str, int], float] = {}
    for rep in reports:
        name = rep["engine"] if rep["engine"] == "transformers" else f"ct2 {rep['compute_type']}"
        for row in rep["rows"]:
            if row.get("constrained"):
                continue
            inter = row.get("inter", 1)
            layout = f"{inter}×{(os.cpu_count() or 1) // inter}"
            # int8 work against the int8 peak (the fp32 one where it could not be measured)
            ceiling = peak8 if rep["compute_type"] == "int8" and peak8 else peak
            share = row["tok_s"] * flops_per_token(row["src_tokens"], args.tokens) / ceiling
            print(f"{name:<18} {row['beam']:>4} {row['batch']:>5} {layout:>11} {row['sent_s']:>8.2f} "
                  f"{row['tok_s']:>8.1f} {100 * share:>6.1f}%")
            key = (name, row["beam"])
            best[key] = max(best.get(key, 0.0), row["tok_s"])
    print(f"\n{'engine':<18} {'load s':>7} {'peak RSS MB':>12}")
    for rep in reports:
        name = rep["engine"] if rep["engine"] == "transformers" else f"ct2 {rep['compute_type']}"
        print(f"{name:<18} {rep['load_s']:>7.2f} {rep['peak_rss_mb']:>12.0f}")

    print("\nratios, each engine at its best batch size and thread layout (tokens/s):")
    for beam in (1, 4):
        ref = best[("transformers", beam)]
        for name in ("ct2 float32", "ct2 int8"):
            print(f"  beam {beam}: {name} / transformers fp32 = {best[(name, beam)] / ref:.2f}x")
    int8 = next(r for r in reports if r["compute_type"] == "int8")
    for beam in (1, 4):
        steered = next(r for r in int8["rows"] if r["beam"] == beam and r.get("constrained"))
        ratio = steered['constrained_seconds'] / steered['seconds']
        print(f"  beam {beam}: ct2 int8 glossary-constrained / unconstrained time = {ratio:.2f}x, per output "
              f"token {ratio * args.tokens / steered['constrained_tokens']:.2f}x (batch {steered['batch']}; outputs "
              f"{steered['constrained_tokens']:.0f} vs {args.tokens} tokens; a random model places nothing "
              f"itself, so every segment is repaired)")

    end_to_end()


# --- one row per model family -------------------------------------------------------------------
FAMILY_ROWS = (
    ("marian", "opus-mt-zh-en size (d 512, 6+6 layers, vocab 65,001)"),
    ("nllb", "NLLB-200-distilled-600M size (d 1024, 12+12 layers, vocab 256,206)"),
    ("madlad", "MADLAD-400-3B layer shapes at 4+4 of its 32+32 layers (d 1024, FFN 8192, vocab 256,000)"),
    ("chat", "Qwen2.5-0.5B-Instruct size (d 896, 24 layers, GQA 14/2 heads, vocab 151,936)"),
)


def _force_family_length(engine, tokens: int) -> None:
    """Every output ``tokens`` long, whatever the family: transformers' ``generate`` (a chat
    model's settings come in a GenerationConfig), CTranslate2's Translator and Generator."""
    if engine.name == "transformers":
        generate = engine.model.generate

        def fixed(*args, **kwargs):
            config = kwargs.get("generation_config")
            if config is not None:
                config.max_length = None
                config.min_new_tokens = config.max_new_tokens = tokens
            else:
                kwargs.pop("max_length", None)
                kwargs["min_new_tokens"] = kwargs["max_new_tokens"] = tokens
            return generate(*args, **kwargs)

        engine.model.generate = fixed
    elif engine.driver.causal:
        generate = engine.translator.generate_batch

        def fixed_gen(prompts, **kwargs):
            kwargs["min_length"] = kwargs["max_length"] = tokens
            return generate(prompts, **kwargs)

        engine.translator = _Proxy(engine.translator, generate_batch=fixed_gen)
    else:
        translate = engine.translator.translate_batch
        lead = len(engine.driver.target_prefix)

        def fixed_tr(source, target_prefix=None, **kwargs):
            kwargs["min_decoding_length"] = kwargs["max_decoding_length"] = tokens + lead
            return translate(source, target_prefix, **kwargs)

        engine.translator = _Proxy(engine.translator, translate_batch=fixed_tr)


def run_family(spec: dict) -> dict:
    """One family on one engine, in its own process: load time, tokens/s at beam 1 and 4, peak RSS."""
    import resource

    from zhen.engines import DecodingOptions, create_engine
    from zhen.models import resolve_model

    model = resolve_model(spec["model"])
    texts = json.loads(Path(spec["segments"]).read_text(encoding="utf-8"))["texts"][: spec["sentences"]]
    rows, load_time = [], None
    for beam in (1, 4):
        options = DecodingOptions(beam_size=beam, batch_size=spec["sentences"], max_length=spec["tokens"],
                                  threads=os.cpu_count(), compute_type=spec.get("compute_type"))
        t0 = time.perf_counter()
        engine = create_engine(spec["engine"], model, options)
        load_time = load_time or time.perf_counter() - t0
        _force_family_length(engine, spec["tokens"])
        engine.translate_batch(texts[:2])  # warm-up
        t0 = time.perf_counter()
        hyps = engine.translate_batch(texts)
        elapsed = time.perf_counter() - t0
        rows.append({"beam": beam, "tok_s": sum(h.tokens for h in hyps) / elapsed, "sent_s": len(texts) / elapsed})
    sig = engine.signature()
    return {"compute_type": sig.get("compute_type") or sig.get("dtype"), "load_s": load_time,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": rows}


def families(tokens: int, sentences: int, only: list[str] | None = None) -> None:
    """A row per family zhen drives: random weights, the real architecture at the real size (MADLAD
    at reduced depth), both engines (CTranslate2 at its default compute type for this CPU)."""
    from zhen.testing import build_random_marian, glossary_english
    from zhen.testing_families import BUILDERS

    print(f"\nmodel families: random weights, real architecture; {sentences} sentences of the sample release "
          f"in one batch, outputs forced to {tokens} tokens")
    print(f"{'family':<8} {'engine':<12} {'compute':<9} {'load s':>7} {'beam1 tok/s':>12} {'beam4 tok/s':>12} "
          f"{'peak RSS MB':>12}")
    for family, what in FAMILY_ROWS:
        if only and family not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / family
            t0 = time.perf_counter()
            if family == "marian":
                build_random_marian(folder, target_text=glossary_english())
            else:
                BUILDERS[family](folder, size="real")
            built = time.perf_counter() - t0
            segments = Path(tmp) / "segments.json"
            spec = {"model": str(folder), "segments": str(segments), "tokens": tokens, "sentences": sentences}
            subprocess.run([sys.executable, __file__, "--segments-for", json.dumps(spec)], check=True)
            for engine in ("transformers", "ct2"):
                proc = subprocess.run([sys.executable, __file__, "--family", json.dumps({**spec, "engine": engine})],
                                      capture_output=True, text=True)
                if proc.returncode:
                    print(f"{family:<8} {engine:<12} failed: {proc.stderr.strip().splitlines()[-1]}")
                    continue
                rep = json.loads(proc.stdout.strip().splitlines()[-1])
                tok = {r["beam"]: r["tok_s"] for r in rep["rows"]}
                print(f"{family:<8} {engine:<12} {rep['compute_type']:<9} {rep['load_s']:>7.1f} {tok[1]:>12.1f} "
                      f"{tok[4]:>12.1f} {rep['peak_rss_mb']:>12.0f}")
        print(f"         ({what}; built in {built:.0f} s)")


def end_to_end() -> None:
    """Constrained vs unconstrained through the whole pipeline on the tiny trained model (which
    writes some terms itself), both engines: the cost a user sees."""
    from constraints import end_to_end as measure

    from zhen.glossary import load_layers
    from zhen.testing import build_tiny_marian

    print("\nend to end on the tiny trained model, the sample release, constrained vs unconstrained (s/segment):")
    with tempfile.TemporaryDirectory() as tmp:
        tiny = str(build_tiny_marian(Path(tmp) / "tiny"))
        glossary = load_layers(user=False)
        for engine in ("transformers", "ct2"):
            for beam in (1, 4):
                plain, steered, placed = measure(tiny, engine, beam, glossary, str(SAMPLE))
                print(f"  {engine:<12} beam {beam}: {plain:.4f} vs {steered:.4f} = {steered / plain:.2f}x; "
                      f"{placed} without last resort")

if __name__ == "__main__":
    main()
