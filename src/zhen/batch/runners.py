"""Who translates a batch job's planned chunks: this process, worker processes on this machine,
or a Ray cluster.

A chunk is a fixed list of segment requests (text, requirements, anchors) made by the planning
pass; translating it is one ``translate_batch`` call on an engine. Both runners yield each chunk's
hypotheses as they finish, and the job commits each chunk to its memory at once, so either runner
can be interrupted and resumed.

The process runner (``zhen batch --workers N``) starts N processes, each loading the model once
with its share of the cores, and hands them whole chunks.

The Ray runner uses ``ray.data`` with an actor pool: every actor loads the model once (the same
model path, engine and decoding options as the local pipeline) and translates whole chunks.
``ray_address=None`` starts a local cluster with ``workers`` CPUs; ``"auto"`` or
``"ray://head:10001"`` joins an existing one (the model path must exist on every node, or be a hub
id in each node's cache). With ``--device cuda`` (or ``auto`` where this machine has a GPU) each
actor asks Ray for one GPU, so actors are placed where GPUs are and never share one.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..engines.base import DecodingOptions, Hypothesis

Chunk = tuple[int, list[tuple[str, dict]]]


def _translate(engine, requests: list[dict]) -> list[Hypothesis]:
    return engine.translate_batch([r["text"] for r in requests], constraints=[r["constraints"] for r in requests],
                                  anchors=[r["anchors"] for r in requests])


class LocalRunner:
    def __init__(self, engine) -> None:
        self.engine = engine

    def run(self, chunks: list[Chunk]) -> Iterator[tuple[int, list[Hypothesis]]]:
        for chunk_id, items in chunks:
            yield chunk_id, _translate(self.engine, [r for _, r in items])


def _make_engine(model_path: str, engine: str, options: dict):
    """A worker's engine (process or Ray actor): the job's model, never downloaded there."""
    from zhen.engines import create_engine
    from zhen.models import resolve_model

    return create_engine(engine, resolve_model(model_path, download=False), DecodingOptions(**options))


_ENGINE = None  # the model of a process-runner worker, loaded once by its initializer


def _load_worker(model_path: str, engine: str, options: dict) -> None:
    global _ENGINE
    import os
    import threading
    import time

    def die_with_parent(parent: int = os.getppid()) -> None:
        # a killed job (kill -9) must not leave its workers translating: the re-run needs the cores
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=die_with_parent, daemon=True).start()
    _ENGINE = _make_engine(model_path, engine, options)


def _run_chunk(chunk_id: int, requests: list[dict]) -> tuple[int, list[tuple]]:
    return chunk_id, [(h.text, h.score, h.tokens, h.capped) for h in _translate(_ENGINE, requests)]


class ProcessRunner:
    """``workers`` processes on this machine, each with the model and ``cores // workers`` threads."""

    def __init__(self, model_path: str, engine: str, options: DecodingOptions, *, workers: int) -> None:
        import dataclasses
        import os

        threads = max(1, (options.threads or os.cpu_count() or 1) // workers)
        self.init_args = (model_path, engine, dataclasses.asdict(dataclasses.replace(options, threads=threads)))
        self.workers = workers

    def run(self, chunks: list[Chunk]) -> Iterator[tuple[int, list[Hypothesis]]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if not chunks:
            return
        # spawn, not fork: the parent holds a loaded model and torch's thread pools
        with ProcessPoolExecutor(min(self.workers, len(chunks)), mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_load_worker, initargs=self.init_args) as pool:
            futures = [pool.submit(_run_chunk, cid, [r for _, r in items]) for cid, items in chunks]
            try:
                for done in as_completed(futures):
                    chunk_id, hyps = done.result()
                    yield chunk_id, [Hypothesis(t, s, n, capped=c) for t, s, n, c in hyps]
            finally:  # interrupted: drop the chunks not started; the ledger has every finished one
                for f in futures:
                    f.cancel()


def wants_gpu(options: DecodingOptions, engine: str) -> bool:
    """Whether a worker of this job asks for a GPU: ``--device cuda``, or ``auto`` where this
    machine has one (on a cluster whose GPUs are elsewhere, say ``--device cuda``)."""
    from ..engines.device import cuda_devices

    return options.device == "cuda" or (options.device in (None, "auto") and cuda_devices(engine) > 0)


class _Worker:
    """A Ray actor holding one model (loaded once)."""

    def __init__(self, model_path: str, engine: str, options: dict) -> None:
        self.engine = _make_engine(model_path, engine, options)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import json

        out = []
        for payload in batch["payload"]:
            chunk = json.loads(payload)
            hyps = _translate(self.engine, chunk["requests"])
            out.append(json.dumps({"chunk": chunk["chunk"], "hyps": [[h.text, h.score, h.tokens, h.capped] for h in hyps]}))
        return {"result": out}


class RayRunner:
    def __init__(self, model_path: str, engine: str, options: DecodingOptions, *, workers: int = 2,
                 address: str | None = None) -> None:
        import dataclasses

        self.model_path, self.engine_name = model_path, engine
        # each actor gets one CPU and uses one thread: the cores are shared by actors, not by threads
        self.options = dataclasses.asdict(dataclasses.replace(options, threads=1))
        self.workers = workers
        self.address = address
        self.gpus = 1 if wants_gpu(options, engine) else 0

    def run(self, chunks: list[Chunk]) -> Iterator[tuple[int, list[Hypothesis]]]:
        import json
        import logging
        import os

        import ray

        if not chunks:
            return
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves the machine
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, logging_level=logging.WARNING, log_to_driver=False)
            else:
                # the cluster zhen starts for itself keeps Ray's token authentication on; its notice
                # that it is on is not for the user of a batch job
                logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
                ray.init(num_cpus=self.workers, include_dashboard=False, logging_level=logging.WARNING,
                         log_to_driver=False)
        ctx = ray.data.DataContext.get_current()
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # not "progress bars disabled": zhen has its own
        ctx.enable_progress_bars = False
        ctx.execution_options.preserve_order = False  # results are committed by chunk id, in any order
        payloads = [{"payload": json.dumps({"chunk": cid, "requests": [r for _, r in items]}, ensure_ascii=False)}
                    for cid, items in chunks]
        ds = ray.data.from_items(payloads, override_num_blocks=len(payloads)).map_batches(
            _Worker, fn_constructor_kwargs={"model_path": self.model_path, "engine": self.engine_name,
                                            "options": self.options},
            batch_size=1, num_cpus=1, num_gpus=self.gpus,
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(payloads))))
        for row in ds.iter_rows():
            result = json.loads(row["result"])
            yield result["chunk"], [Hypothesis(t, s, n, capped=c) for t, s, n, c in result["hyps"]]
