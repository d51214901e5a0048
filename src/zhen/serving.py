"""One engine serving many requests at once (the demo's staff, each with their own release).

Requests from different users go to the engine in the same calls: a worker thread owns the engine
and, each round, takes the next segments of every waiting request (a fair share each, shortest
segments first within a request) into one ``translate_batch`` call. Batches stay full when several
people translate at once, and a long paste does not hold back a short one that arrives after it:
the short one's segments join the next round and it finishes as soon as they are done. Each
request's English is then checked and audited exactly as :meth:`Pipeline.translate_many` does
(:func:`check_quality` on that request's segments, :func:`postprocess`), so the result does not
depend on who else was translating.

A request can be cancelled (its user pressed *Cancel*): its segments leave the next rounds at once,
and the others go on. The engine's recent pace gives a request's expected time before it starts
(:meth:`SharedEngine.expected_seconds`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .engines import Hypothesis
from .errors import ZhenError
from .pipeline import Pipeline, check_quality, engine_inputs, postprocess
from .release import Release


class Cancelled(ZhenError):
    """The request was cancelled by its user before its English was done."""


#: how much each round's pace counts in the running estimate of seconds per segment
PACE_WEIGHT = 0.3


@dataclass
class _Request:
    pipeline: Pipeline
    release: Release
    texts: list[str]
    constraints: list
    anchors: list
    progress: Callable[[int], None] | None
    order: list[int] = field(default_factory=list)
    hyps: dict[int, Hypothesis] = field(default_factory=dict)
    at: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    result: Release | None = None
    error: BaseException | None = None


class SharedEngine:
    """``translate`` from any thread; one worker thread calls the engine. ``round_size`` is how many
    segments go to the engine per call (default: four of the engine's batches)."""

    def __init__(self, pipeline: Pipeline, round_size: int | None = None) -> None:
        self.pipeline = pipeline
        options = getattr(pipeline.engine, "options", None)
        batch = getattr(options, "batch_size", 16) * getattr(pipeline.engine, "inter", 1)
        self.round_size = round_size or 4 * batch
        self._waiting: list[_Request] = []
        self._lock = threading.Condition()
        self._worker: threading.Thread | None = None
        #: engine calls made and the requests each served (for tests and benchmarks)
        self.rounds: list[int] = []
        #: the engine's recent seconds per segment (a running mean over rounds), None before the first
        self.pace: float | None = None

    def expected_seconds(self, segments: int) -> float | None:
        """About how long a new request of ``segments`` segments will take at the recent pace, with
        what is waiting: each waiting request shares the rounds until it (or the new one) is done."""
        if self.pace is None:
            return None
        with self._lock:
            ahead = sum(min(len(r.order) - len(r.hyps), segments) for r in self._waiting)
        return self.pace * (segments + ahead)

    def translate(self, pipeline: Pipeline, release: Release, progress: Callable[[int], None] | None = None,
                  cancel: threading.Event | None = None) -> Release:
        """``pipeline.translate(release)``, its segments decoded together with other requests'.
        ``pipeline`` must use this engine (it may differ in glossary and settings around it). Setting
        ``cancel`` stops the request: :class:`Cancelled` is raised within a fraction of a second and
        none of its segments goes to the engine again."""
        if pipeline.engine is not self.pipeline.engine:
            raise ValueError("the request's pipeline does not use the shared engine")
        release = release if release.segments() else pipeline.segment(release)
        texts, constraints, anchors = engine_inputs([release])
        request = _Request(pipeline, release, texts, constraints, anchors, progress,
                           order=sorted(range(len(texts)), key=lambda i: len(texts[i])))
        if not texts:
            return self._finish(request)
        with self._lock:
            self._waiting.append(request)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._serve, name="zhen-shared-engine", daemon=True)
                self._worker.start()
            self._lock.notify_all()
        reported = 0
        while not request.done.is_set():  # progress is told in the caller's thread (a page's request)
            if cancel is not None and cancel.is_set():
                self._fail(request, Cancelled("Cancelled: nothing of this translation was kept."))
                break
            request.done.wait(0.2)
            reported = self._tell(request, reported)
        self._tell(request, reported)
        if request.error is not None:
            raise request.error
        return request.result

    def _serve(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._worker = None
                    return
                active = list(self._waiting)
            picked = self._round(active)
            items = [(r, i) for r, ids in picked for i in ids]
            started = time.monotonic()
            try:
                hyps = self.pipeline.engine.translate_batch(
                    [r.texts[i] for r, i in items], constraints=[r.constraints[i] for r, i in items],
                    anchors=[r.anchors[i] for r, i in items])
            except BaseException as exc:  # every request in this round learns of it; the others go on
                for r, _ in picked:
                    self._fail(r, exc)
                continue
            self.rounds.append(len(picked))
            pace = (time.monotonic() - started) / max(1, len(items))
            self.pace = pace if self.pace is None else (1 - PACE_WEIGHT) * self.pace + PACE_WEIGHT * pace
            for (r, i), h in zip(items, hyps):
                r.hyps[i] = h
            for r, ids in picked:
                if len(r.hyps) == len(r.texts) and not r.done.is_set():  # done already: cancelled
                    with self._lock:
                        if r in self._waiting:
                            self._waiting.remove(r)
                    try:
                        self._finish(r)
                    except BaseException as exc:
                        self._fail(r, exc)

    @staticmethod
    def _tell(r: _Request, reported: int) -> int:
        now = len(r.hyps)
        if r.progress is not None and now > reported:
            r.progress(now - reported)
        return now

    def _round(self, active: list[_Request]) -> list[tuple[_Request, list[int]]]:
        """Each waiting request's next segments, a fair share of the round each (what one leaves
        unused goes to the others), oldest request first."""
        left = {id(r): len(r.order) - r.at for r in active}
        share = {id(r): 0 for r in active}
        room = self.round_size
        while room > 0 and any(left[id(r)] > share[id(r)] for r in active):
            hungry = [r for r in active if left[id(r)] > share[id(r)]]
            each = max(1, room // len(hungry))
            for r in hungry:
                take = min(each, left[id(r)] - share[id(r)], room)
                share[id(r)] += take
                room -= take
                if room <= 0:
                    break
        out = []
        for r in active:
            n = share[id(r)]
            if n:
                out.append((r, r.order[r.at:r.at + n]))
                r.at += n
        return out

    def _finish(self, r: _Request) -> Release:
        hyps = [r.hyps[i] for i in range(len(r.texts))]
        hyps = check_quality(self.pipeline.engine, r.texts, r.constraints, r.anchors, hyps,
                             retry=r.pipeline.quality_retry)
        r.result = postprocess(r.release, hyps, last_resort=r.pipeline.last_resort, signature=r.pipeline.signature())
        r.done.set()
        return r.result

    def _fail(self, r: _Request, exc: BaseException) -> None:
        with self._lock:
            if r.done.is_set():  # finished, or cancelled, already
                return
            if r in self._waiting:
                self._waiting.remove(r)
            r.error = exc
            r.done.set()
