"""The demo's shared engine: requests from several users decoded in the same engine calls, each
result what the pipeline gives it alone, and a short request never waiting for a long one."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from zhen.glossary import load_layers
from zhen.pipeline import Pipeline
from zhen.serving import SharedEngine

from .conftest import FIXTURES, SAMPLE

SECOND = FIXTURES / "land-sea-corridor-release.txt"


def _pipe(tiny_model, engine: str = "ct2") -> Pipeline:
    from zhen.settings import Settings

    return Settings(model=str(tiny_model), beam_size=1, engine=engine).pipeline()


def test_concurrent_requests_share_engine_calls_and_get_what_they_get_alone(tiny_model):
    pipe = _pipe(tiny_model)
    plain = replace(pipe, glossary=load_layers([], shipped=False, user=False))  # another user's glossary choice
    jobs = [(pipe, SAMPLE), (pipe, SECOND), (plain, SAMPLE)]
    alone = [p.translate(p.segment(p.read(path))) for p, path in jobs]
    shared = SharedEngine(pipe, round_size=24)
    results: dict[int, object] = {}

    def request(k: int) -> None:
        p, path = jobs[k]
        results[k] = shared.translate(p, p.segment(p.read(path)))

    threads = [threading.Thread(target=request, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(shared.rounds) > 1  # one engine call served several requests
    for k, expected in enumerate(alone):
        got = results[k]
        # the same English (CTranslate2 decodes a segment the same in any batch; transformers'
        # padding can change a tiny model's runaway outputs, so the engine here is ct2)
        assert [s.target for s in got.segments()] == [s.target for s in expected.segments()]
        assert [[(h.source, h.found, h.method) for h in s.terms] for s in got.segments()] == \
            [[(h.source, h.found, h.method) for h in s.terms] for s in expected.segments()]
        assert got.signature == expected.signature
    assert not any(t.kind == "term" for s in results[2].segments() for t in s.terms)  # its own glossary


def test_a_short_request_is_not_held_back_by_a_long_one(tiny_model):
    pipe = _pipe(tiny_model)
    long_release = pipe.read(SAMPLE)
    long_release = replace(long_release, paragraphs=[replace(p, index=i) for i, p in
                                                     enumerate(long_release.paragraphs * 2)])
    short_release = pipe.read("论坛在南宁举行。")
    shared = SharedEngine(pipe, round_size=4)
    finished: dict[str, float] = {}

    def request(name, release):
        shared.translate(pipe, pipe.segment(release))
        finished[name] = time.monotonic()

    first = threading.Thread(target=request, args=("long", long_release))
    first.start()
    while not shared.rounds:  # the long request is being decoded
        time.sleep(0.01)
    second = threading.Thread(target=request, args=("short", short_release))
    second.start()
    first.join()
    second.join()
    assert finished["short"] < finished["long"]


def test_an_engine_failure_reaches_the_request_and_the_engine_serves_on(tiny_model):
    pipe = _pipe(tiny_model, "transformers")
    shared = SharedEngine(pipe)
    broken = pipe.read("论坛在南宁举行。")
    original = pipe.engine.translate_batch
    calls = []

    def failing(texts, **kw):
        calls.append(len(texts))
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return original(texts, **kw)

    pipe.engine.translate_batch = failing
    try:
        try:
            shared.translate(pipe, pipe.segment(broken))
        except RuntimeError as exc:
            assert "out of memory" in str(exc)
        else:
            raise AssertionError("the failure did not reach the request")
        again = shared.translate(pipe, pipe.segment(broken))
        assert all(s.target for s in again.segments())
    finally:
        pipe.engine.translate_batch = original


def test_a_cancelled_request_stops_at_once_and_the_others_go_on(tiny_model):
    from zhen.serving import Cancelled

    pipe = _pipe(tiny_model)
    long_release = pipe.segment(pipe.read(SAMPLE))
    short_release = pipe.segment(pipe.read("论坛在南宁举行。"))
    shared = SharedEngine(pipe, round_size=2)
    sent: list[int] = []
    original = pipe.engine.translate_batch

    def counting(texts, **kw):  # the real engine, its calls counted
        sent.append(len(texts))
        time.sleep(0.05)  # a slower machine's pace, so that the cancel lands mid-request
        return original(texts, **kw)

    pipe.engine.translate_batch = counting
    try:
        cancel = threading.Event()
        outcome: dict[str, object] = {}

        def long_request():
            try:
                shared.translate(pipe, long_release, cancel=cancel)
            except Cancelled as exc:
                outcome["long"] = exc

        first = threading.Thread(target=long_request)
        first.start()
        while len(sent) < 3:
            time.sleep(0.01)
        assert shared.expected_seconds(10) > 0  # the pace is known once rounds have run
        cancel.set()
        first.join(timeout=5)
        assert not first.is_alive() and "Cancelled" in str(outcome["long"])
        at_cancel = sum(sent)
        short = shared.translate(pipe, short_release)  # the engine serves on
        assert short.segments()[0].target
        # the cancelled request's segments left the rounds: at most the round in flight was decoded for it
        assert sum(sent) - at_cancel <= 2 + len(short_release.segments())
        assert sum(sent) < len(long_release.segments())
    finally:
        pipe.engine.translate_batch = original


def test_the_expected_time_counts_the_requests_already_waiting(tiny_model):
    pipe = _pipe(tiny_model)
    shared = SharedEngine(pipe)
    assert shared.expected_seconds(10) is None  # nothing measured yet
    shared.translate(pipe, pipe.segment(pipe.read(SAMPLE)))
    alone = shared.expected_seconds(10)
    assert alone is not None and alone > 0
    assert shared.expected_seconds(20) == pytest.approx(2 * alone)


def test_the_demo_says_the_expected_time_and_the_time_left_and_cancels(tiny_model):
    from zhen.demo import Demo
    from zhen.serving import Cancelled

    demo = Demo(_pipe(tiny_model))
    said: list[str] = []

    def progress(fraction, desc=""):
        said.append(desc)

    text = SAMPLE.read_text(encoding="utf-8")
    demo.run(text, None, [], None, 0, progress=progress)
    assert said[0].startswith("translating ") and "expected" not in said[0]  # no pace measured yet
    assert any(" left" in d for d in said[1:]), said
    said.clear()
    demo.run(text, None, [], None, 0, progress=progress)
    assert "expected" in said[0], said[0]  # the second request is told its expected time up front
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match="nothing of this translation was kept"):
        demo.run(text * 3, None, [], None, 0, progress=progress, cancel=cancel)
