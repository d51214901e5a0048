"""The model's own failures (issue 16, part 2): loops, Chinese left over, runs to the cap, empty,
dropped and hallucinated output are caught, retried once, and flagged when the retry fails too."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from zhen.quality import inspect, retry_for, usual_ratio

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.txt"
DRAFT = ROOT / "seeds" / "guangxi-china-asean-green-value-chain-2023-09-18.draft-en.txt"


# -- the failure modes users report, one by one ------------------------------------------------------

@pytest.mark.parametrize("source, english, finding", [
    # Helsinki-NLP/Opus-MT#105: the score repeated until the length cap
    ("奥沙利文6比3丁俊晖", "O'Sullivan 6-3 Ding Junhui 6-3 Ding Junhui 6-3 Ding Junhui 6-3 Ding Junhui", "loop"),
    ("陈亮出席并致辞。", "Chen Liang attended and delivered a speech speech speech speech.", "loop"),
    ("陈亮出席并致辞。", "陈亮attended and delivered a speech.", "cjk"),
    # transformers#15323: empty output
    ("陈亮出席并致辞。", "", "empty"),
    # fairseq#5108: the last sentence silently dropped
    ("今年上半年，广西对东盟进出口1613.8亿元，同比增长92.6%。广西与东盟纸业产业链正在加速形成。",
     "Growth.", "short"),
    # a hallucinated tail far longer than the source
    ("陈亮出席并致辞。", "Chen Liang attended and delivered a speech. " + " ".join(
        f"The ministry also announced plan number {k} for the region's development." for k in range(6)), "long"),
])
def test_each_failure_is_found(source, english, finding):
    assert finding in inspect(source, english)


def test_a_run_to_the_cap_is_what_the_engine_says():
    assert "cap" in inspect("陈亮出席并致辞。", "Chen Liang attended and", capped=True)
    assert "cap" not in inspect("陈亮出席并致辞。", "Chen Liang attended and delivered a speech.")


def test_good_english_is_left_alone():
    """Every paragraph of a real release against its English (the seeds draft): nothing fires."""
    from zhen.readers import read_path

    zh = [p.text for p in read_path(SEED).paragraphs]
    en = [line.strip() for line in DRAFT.read_text("utf-8").splitlines() if line.strip()]
    assert len(zh) == len(en)
    ratio = usual_ratio(zip(zh, en))
    assert 2.0 <= ratio <= 6.0
    assert {i: inspect(z, e, ratio=ratio) for i, (z, e) in enumerate(zip(zh, en)) if inspect(z, e, ratio=ratio)} == {}
    # numbers, names and short headings are not "loops" or "short"
    assert inspect("2023年9月18日", "September 18, 2023") == []
    assert inspect("中国—东盟", "China-ASEAN") == []
    assert inspect("一、二、三", "1, 2, 3") == []


def test_the_retry_suits_the_failure():
    assert retry_for(["loop"]) == retry_for(["cap"]) == retry_for(["long", "cjk"]) == "no-repeat"
    assert retry_for(["cjk"]) == retry_for(["empty"]) == retry_for(["short"]) == "clauses"
    assert retry_for([]) is None


# -- a random-weight model of opus-mt-zh-en's architecture: it loops, leaves CJK, runs to the cap -----

def _loops_by_counting(text: str) -> bool:
    """An independent loop test: some word 3-gram occurs three times, or a token 4 times in a row."""
    words = re.findall(r"\S+", text)
    grams = [tuple(words[k:k + 3]) for k in range(len(words) - 2)]
    if any(grams.count(g) >= 3 for g in set(grams)):
        return True
    pieces = re.findall(r"<[^>]+>|\w+|[^\w\s]", text)
    return any(len(set(pieces[k:k + 4])) == 1 and pieces[k].isalnum() for k in range(len(pieces) - 3)) or \
        bool(re.search(r"(<[^>]+>|\w{2,})\1{3,}", text))


def _leaves_cjk(text: str) -> bool:
    return any(unicodedata.name(c, "").startswith("CJK UNIFIED") for c in text)


@pytest.fixture(scope="module")
def random_model(tmp_path_factory):
    from zhen.testing import build_random_marian

    return build_random_marian(tmp_path_factory.mktemp("random-opus"), vocab_size=None, d_model=32, layers=1,
                               heads=2, ffn=64, max_positions=256)


@pytest.fixture(scope="module", params=["transformers", "ct2"])
def random_pipeline(request, random_model):
    from zhen.engines import DecodingOptions
    from zhen.pipeline import Pipeline

    return Pipeline.load(str(random_model), engine=request.param, options=DecodingOptions(beam_size=1, max_length=48))


def test_random_model_failures_are_caught_retried_and_flagged(random_pipeline):
    from zhen.pipeline import engine_inputs

    pipe = random_pipeline
    release = pipe.segment(pipe.read(SEED))
    texts, constraints, anchors = engine_inputs([release])
    first = pipe.engine.translate_batch(texts, constraints=constraints, anchors=anchors)  # what the checks saw
    done = pipe.translate(release)
    segments = done.segments()
    assert len(first) >= len(segments)
    failing = {k for k, (seg, hyp) in enumerate(zip(segments, first))
               if _loops_by_counting(hyp.text) or _leaves_cjk(hyp.text) or not hyp.text.strip() or hyp.capped}
    assert failing, "a random model fails somewhere; otherwise this test shows nothing"
    caught = {k for k, seg in enumerate(segments) if seg.quality}
    assert failing <= caught, sorted(failing - caught)
    for k in caught:
        seg = segments[k]
        assert seg.retry in ("no-repeat", "clauses", "beam"), seg
        if seg.quality_left:
            assert seg.review  # still failing after the retry: flagged for a person
    assert any(segments[k].review for k in caught)
    # the checks' findings are in every output a user sees
    import json

    from zhen.exporters import render

    rows = [json.loads(line) for line in render(done, "jsonl").splitlines()]
    assert any(r["quality"] for r in rows)


def test_cli_reports_quality(random_model, tmp_path):
    from tests.test_cli import zhen

    model = random_model
    proc = zhen("translate", SEED, "--model", model, "--beam", "1", "-o", tmp_path / "out.txt")
    assert proc.returncode == 0, proc.stderr.decode()
    line = next(line for line in proc.stderr.decode().splitlines() if line.startswith("zhen: quality:"))
    assert re.fullmatch(r"zhen: quality: \d+ segments? retried, \d+ flagged \(.+\)", line), line
    assert "review:" in proc.stderr.decode()  # the flagged segments are counted for review
