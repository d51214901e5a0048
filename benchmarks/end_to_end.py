"""What a user waits for, end to end, as ratios measured side by side in one run (issue 18).

    python benchmarks/end_to_end.py [--releases 200] [--grid-segments 256] [--tokens 48] [--skip NAME ...]

On a model with random weights and opus-mt-zh-en's exact architecture (built here, converted with
CTranslate2's converter at the compute type zhen picks for this CPU), every output forced to
``--tokens`` tokens (end-of-sentence held back, as ``benchmarks/engines.py`` does), so every run
does the same decoding work:

1. ``startup`` — ``zhen translate`` of a one-line release with the converted model, wall time from
   the shell (process start, imports, model load, one decode), against ``python -c pass``.
2. ``raw`` — zhen around the engine against CTranslate2 called directly: the sample release through
   ``Pipeline.run`` (read, segment, requirements, decode, checks, audit) and Markdown export, and a
   ``--releases`` batch job (``run_batch``: plan, ledger, chunks, outputs), each against one
   ``translate_batch`` call on the same token ids with the same beam, batch size and lengths. No
   glossary and no fidelity requirements (a random model places none, and repairing them is the
   glossary's cost, measured by ``benchmarks/constraints.py``); the quality retry off (random
   output fails the checks, and a retry is a second decode the raw call does not make).
3. ``grid`` — zhen's defaults (batch size, inter/intra threads chosen from the cores) against every
   layout of a grid (batch 8 to 64 × 1, 2 or all cores' batches at once) on the batch's first
   ``--grid-segments`` segments through zhen's engine: the default's time over the best's.
4. ``cli`` — ``zhen translate`` of the sample with ``--engine ct2`` against ``--engine transformers``
   (whole command, start-up included; outputs capped by ``--max-length``, not forced: the CLI
   cannot force them, so each line says the tokens each engine wrote).
5. ``demo`` — the demo's request handler (``Demo.run``: read, segment, translate through the shared
   engine, summary, exports) for the sample, one request alone against four at once from four threads.

The CPU's flags are printed first: int8 gains far more with AVX-512 VNNI than with AVX2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt"
sys.path.insert(0, str(ROOT / "benchmarks"))


def _zhen(*args: str) -> float:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "zhen", *args], capture_output=True)
    if proc.returncode:
        raise SystemExit(proc.stderr.decode()[-2000:])
    return time.perf_counter() - t


def _settings(model: str, **kw):
    from zhen.settings import Settings

    return Settings(model=model, engine="ct2", shipped_glossaries=False, fidelity=False, **kw)


def _pipeline(model: str, tokens: int, **kw):
    """zhen's ct2 pipeline on ``model``, outputs forced to ``tokens``, the quality retry off."""
    from engines import _force_length

    pipe = _settings(model, max_length=tokens, **kw).pipeline()
    pipe = replace(pipe, quality_retry=False)
    _force_length(pipe.engine, tokens)
    return pipe


def _raw(pipe, texts: list[str], tokens: int) -> float:
    """One ``translate_batch`` on the token ids zhen's engine gives ``texts``, zhen's beam and
    batch size, the same forced length; the translator zhen's engine holds."""
    engine = pipe.engine
    translator = engine.translator._target  # the real translator under the length-forcing proxy
    sources = [engine.tokenizer.convert_ids_to_tokens(engine.driver.source_ids(t)) for t in texts if t.strip()]
    t = time.perf_counter()
    translator.translate_batch(sources, beam_size=engine.options.beam_size, max_batch_size=engine.options.batch_size,
                               batch_type="examples", min_decoding_length=tokens, max_decoding_length=tokens,
                               max_input_length=0, return_scores=True)
    return time.perf_counter() - t


def _releases(folder: Path, n: int) -> list[Path]:
    """``n`` short releases (a title and two paragraphs of the sample each), every sentence made
    distinct by the release's number, so the translation memory cannot answer one from another."""
    import re

    from zhen.readers import read_release

    body = [p.text for p in read_release(SAMPLE).paragraphs if p.kind == "body"]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(n):
        a, b = (re.sub(r"。", f"（第{k + 1}批）。", t) for t in (body[k % len(body)], body[(k + 3) % len(body)]))
        path = folder / f"release-{k:04d}.txt"
        path.write_text(f"第{k + 1}号通报\n\n{a}\n\n{b}\n", encoding="utf-8")
        paths.append(path)
    return paths


def startup(model: str, tmp: Path) -> None:
    """The one-line release's wall time, and the time before its first decode as ``-v`` reports it
    (the random model's decode runs to the length cap, so the total says little about start-up)."""
    import re

    one = tmp / "one-line.txt"
    one.write_text("论坛在南宁举行。\n", encoding="utf-8")
    args = ("translate", str(one), "-m", model, "--engine", "ct2", "-v", "-o", str(tmp / "one.en.txt"))
    _zhen(*args)  # converts once
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "zhen", *args], capture_output=True, check=True)
        wall = time.perf_counter() - t
        stages = dict((k, float(v)) for k, v in re.findall(r"([a-z][a-z ]+?) (\d+\.\d+) s", proc.stderr.decode().split("time: ")[1].split("(total")[0]))
        before = sum(v for k, v in stages.items() if k.strip() not in ("translate and check", "write"))
        runs.append((before + wall - sum(stages.values()), wall))
    first, wall = min(runs)
    print(f"startup: `zhen translate` of a one-line release, ct2: {first:.2f} s from the command to its first decode "
          f"(process start, imports, reading, glossaries, model, segmenting; best of 3), {wall:.2f} s in all with the "
          f"random model's decode to the cap; target under 2 s to the first decode: {'met' if first < 2 else 'NOT met'}")


def raw(model: str, tmp: Path, tokens: int, releases: int) -> None:
    from zhen.batch import run_batch
    from zhen.exporters import render

    pipe = _pipeline(model, tokens)
    pipe.run(SAMPLE)  # warm-up
    t = time.perf_counter()
    release = pipe.run(SAMPLE)
    render(release, "md")
    ours = time.perf_counter() - t
    texts = [s.text_for_engine for s in release.segments()]
    theirs = _raw(pipe, texts, tokens)
    print(f"raw, one release ({len(texts)} segments): zhen {ours:.2f} s, CTranslate2 alone {theirs:.2f} s: "
          f"zhen/raw = {ours / theirs:.3f} (target at most 1.15)")
    folder = tmp / "archive"
    _releases(folder, releases)
    out = tmp / "batch-out"
    t = time.perf_counter()
    report = run_batch(folder, out, pipe, formats=("json", "md"))
    ours = time.perf_counter() - t
    segmented = [pipe.segment(pipe.read(p)) for p in sorted(folder.iterdir())]
    texts = [s.text_for_engine for r in segmented for s in r.segments()]
    theirs = _raw(pipe, texts, tokens)
    print(f"raw, {releases}-release batch ({len(texts)} segments, {report.done} documents written): "
          f"zhen {ours:.2f} s, CTranslate2 alone {theirs:.2f} s: zhen/raw = {ours / theirs:.3f} (target at most 1.15)")
    shutil.rmtree(out)


def grid(model: str, tmp: Path, tokens: int, releases: int, segments: int) -> None:
    from zhen.settings import Settings

    folder = tmp / "archive"
    if not folder.exists():
        _releases(folder, releases)
    base = _pipeline(model, tokens)
    texts = [s.text_for_engine for p in sorted(folder.iterdir()) for s in base.segment(base.read(p)).segments()]
    texts = texts[:segments]
    default = Settings()
    cores = os.cpu_count() or 1
    layouts = [(b, i) for b in (8, 16, 32, 64) for i in sorted({1, 2, cores})]
    times = {}
    for batch, inter in [(default.batch_size, None)] + layouts:
        pipe = _pipeline(model, tokens, batch_size=batch, inter_threads=inter)
        pipe.engine.translate_batch(texts[:4])
        t = time.perf_counter()
        pipe.engine.translate_batch(texts)
        times[(batch, inter)] = time.perf_counter() - t
        label = f"{pipe.engine.inter} (zhen's default)" if inter is None else str(inter)
        print(f"  batch {batch:>3}, inter-threads {label}: {times[(batch, inter)]:.2f} s")
        if inter is None:
            chosen = pipe.engine.inter
    best = min((k for k in times if k[1] is not None), key=times.get)
    mine = times[(default.batch_size, None)]
    print(f"grid ({len(texts)} segments): default (batch {default.batch_size}, inter-threads {chosen} of {cores} cores) "
          f"{mine:.2f} s, best of the grid (batch {best[0]}, inter-threads {best[1]}) {times[best]:.2f} s: "
          f"default/best = {mine / times[best]:.3f} (target at most 1.10)")


def cli(model: str, tmp: Path) -> None:
    import json

    rows = {}
    for engine in ("ct2", "transformers"):
        out = tmp / f"cli-{engine}.jsonl"
        _zhen("translate", str(SAMPLE), "-m", model, "--engine", engine, "--max-length", "48", "-q",
              "--format", "jsonl", "-o", str(out), "--no-shipped-glossaries", "--no-fidelity")
        seconds = _zhen("translate", str(SAMPLE), "-m", model, "--engine", engine, "--max-length", "48", "-q",
                        "--format", "jsonl", "-o", str(out), "--no-shipped-glossaries", "--no-fidelity")
        chars = sum(len(json.loads(line).get("target", "")) for line in out.read_text().splitlines() if line)
        rows[engine] = seconds
        print(f"  {engine:<12} {seconds:.2f} s ({chars} characters of output)")
    print(f"cli: the sample through `zhen translate`, ct2 against transformers: {rows['transformers'] / rows['ct2']:.2f}x faster")


def demo(model: str, tokens: int) -> None:
    from zhen.demo import Demo

    pipe = _pipeline(model, tokens)
    page = Demo(pipe)
    text = SAMPLE.read_text(encoding="utf-8")
    page.run(text, None, [], None, 3)  # warm-up
    t = time.perf_counter()
    page.run(text, None, [], None, 3)
    one = time.perf_counter() - t
    errors = []

    def request() -> None:
        try:
            page.run(text, None, [], None, 3)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(4)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    four = time.perf_counter() - t
    if errors:
        raise SystemExit(f"a concurrent request failed: {errors[0]!r}")
    print(f"demo: one request {one:.2f} s, four at once {four:.2f} s: four/one = {four / one:.2f} (target at most 1.5)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--releases", type=int, default=200, help="releases in the batch job (and the grid's segments)")
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--grid-segments", type=int, default=256, help="the batch's first N segments, for the grid")
    ap.add_argument("--skip", nargs="*", default=[], choices=["startup", "raw", "grid", "cli", "demo"])
    args = ap.parse_args()
    from zhen.cpu import choose_compute_type, cpu_flags, int8_dot_flags
    from zhen.testing import build_random_marian, glossary_english

    print(f"machine: {os.cpu_count()} cores; avx2: {'avx2' in cpu_flags()}; int8 dot-product flags: "
          f"{', '.join(int8_dot_flags()) or 'none'}; zhen's compute type here: {choose_compute_type(None)[0]}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["ZHEN_MODELS_DIR"] = str(tmp / "models")
        model = str(build_random_marian(tmp / "opus-mt-size", target_text=glossary_english()))
        steps = {"startup": lambda: startup(model, tmp), "raw": lambda: raw(model, tmp, args.tokens, args.releases),
                 "grid": lambda: grid(model, tmp, args.tokens, args.releases, args.grid_segments), "cli": lambda: cli(model, tmp),
                 "demo": lambda: demo(model, args.tokens)}
        for name, step in steps.items():
            if name not in args.skip:
                step()


if __name__ == "__main__":
    main()
