"""The evaluation harness: published WMT 2025 scores reproduced, significance, bad input refused."""

from __future__ import annotations

import json

import pytest

from zhen.evaluate import EvalError, System, evaluate, hypotheses_from_file, jsonl_testset, text_testset
from zhen.wmt25 import data_dir

from .conftest import ROOT
from .test_cli import assert_clean_failure, zhen

SUITE = ROOT / "eval" / "wmt25-terminology.toml"
needs_data = pytest.mark.skipif(data_dir() is None, reason="WMT25 terminology data (../shared/data) not present")


@needs_data
def test_published_scores_of_every_submitted_system_are_reproduced():
    from zhen.suites import load_suite

    suite = load_suite(SUITE)
    assert len(suite.systems) == 12
    report = evaluate(suite.testset, suite.systems, metrics=("bleu", "chrf++", "terms"), bootstrap=0)
    for r in report.results:
        team, mode = r.name.split("/")
        published = suite.published[mode][team]
        assert round(r.scores["bleu"], 2) == round(published["bleu4"], 2), r.name
        assert round(r.scores["chrf++"], 2) == round(published["chrf2++"], 2), r.name
        assert round(r.scores["terms"], 2) == round(published["proper_term_success_rate"], 2), r.name
    assert "tok:13a" in report.metric_signatures["bleu"] and "nw:2" in report.metric_signatures["chrf++"]
    best = report.ranked("terms")[0]
    assert best.name == "CommandA_MT/proper" and best.scores["terms"] == pytest.approx(0.8826, abs=1e-4)


@needs_data
def test_paired_bootstrap_marks_real_differences():
    from zhen.suites import load_suite

    suite = load_suite(SUITE)
    pick = [s for s in suite.systems if s.name in ("CommandA_MT/proper", "Erlendur/proper", "organizers_NLLB/noterm")]
    report = evaluate(suite.testset, pick, metrics=("bleu",), baseline="CommandA_MT/proper", bootstrap=100)
    p = {r.name: r.p_values.get("bleu") for r in report.results}
    assert p["CommandA_MT/proper"] is None  # the baseline
    assert p["organizers_NLLB/noterm"] < 0.05  # 46.7 vs 25.2 BLEU: real
    assert "bs:100" in report.metric_signatures["bleu"]


@needs_data
def test_zhen_eval_runs_zhen_beside_the_submitted_systems(tiny_model, tmp_path):
    html, out = tmp_path / "report.html", tmp_path / "scores.json"
    proc = zhen("eval", "--suite", SUITE, "--years", "2016", "--model", tiny_model, "--beam", "1",
                "--metrics", "bleu,chrf++,terms,numbers", "--bootstrap", "0", "--html", html, "--json", out, "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    scores = {r["name"]: r["scores"] for r in json.loads(out.read_text())["results"]}
    assert scores["zhen"]["terms"] >= 0.99  # the best submitted system: 0.883 over all years
    assert scores["zhen"]["terms"] > max(v["terms"] for k, v in scores.items() if k != "zhen")
    page = html.read_text("utf-8")
    assert "<svg" in page and "CommandA_MT/proper" in page and "missed terms" in page
    assert "glossary:per-unit dictionary" in page and "tok:13a" in page
    assert "zhen" in proc.stdout.decode()


def _files(tmp_path, src, ref, hyp, hyp_bytes=None):
    (tmp_path / "src.txt").write_text(src, encoding="utf-8")
    (tmp_path / "ref.txt").write_text(ref, encoding="utf-8")
    if hyp_bytes is not None:
        (tmp_path / "hyp.txt").write_bytes(hyp_bytes)
    else:
        (tmp_path / "hyp.txt").write_text(hyp, encoding="utf-8")
    return tmp_path / "src.txt", tmp_path / "ref.txt", tmp_path / "hyp.txt"


def test_text_files_are_scored_with_significance(tmp_path):
    src, ref, hyp = _files(tmp_path, "论坛在南宁举行。\n增长9.4%。\n", "The forum was held in Nanning.\nUp 9.4%.\n",
                           "The forum took place in Nanning.\nUp 9.4%.\n")
    ts = text_testset(src, [ref])
    report = evaluate(ts, [hypotheses_from_file(hyp, ts, "a"), System("b", ["x", "y"])], baseline="a", bootstrap=50)
    a, b = report.results
    assert a.scores["bleu"] > b.scores["bleu"] and a.scores["numbers"] == 1.0 and b.scores["numbers"] == 0.0


@pytest.mark.parametrize("src,ref,hyp,hyp_bytes,message", [
    ("一。\n二。\n", "One.\nTwo.\n", "One.\n", None, r"hyp\.txt: has 1 units, the test set src has 2"),
    ("一。\n二。\n", "One.\n", "One.\nTwo.\n", None, r"ref\.txt: has 1 lines, the source .* has 2"),
    ("一。\n二。\n", "One.\nTwo.\n", "One.\n\n", None, r"hyp\.txt:2: empty line"),
    ("一。\n二。\n", "One.\nTwo.\n", None, "One.\n\xff\xfeTwo.\n".encode("latin-1"), r"hyp\.txt:2: is not UTF-8"),
])
def test_bad_input_is_refused_with_file_and_line(tmp_path, src, ref, hyp, hyp_bytes, message):
    s, r, h = _files(tmp_path, src, ref, hyp, hyp_bytes)
    with pytest.raises(EvalError, match=message):
        ts = text_testset(s, [r])
        hypotheses_from_file(h, ts)


def test_jsonl_output_for_another_test_set_is_caught(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"zh": "外匯基金。", "en": "The Exchange Fund.", "proper": {}}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"zh": "金管局。", "en": "The HKMA."}, ensure_ascii=False) + "\n")
    with pytest.raises(EvalError, match=r"out\.jsonl:1: its source \('zh'\) is not the test set's document 1"):
        hypotheses_from_file(out, jsonl_testset([docs]))


def test_cli_refuses_bad_input_cleanly(tmp_path):
    s, r, h = _files(tmp_path, "一。\n二。\n", "One.\nTwo.\n", "One.\n")
    assert_clean_failure(zhen("eval", "--source", s, "--ref", r, "--hyp", f"a={h}"), "has 1 units")
    assert_clean_failure(zhen("eval", "--source", s, "--ref", r, "--hyp", f"a={h}", "--testset", "wmt20:zh-en"),
                         "exactly one of")


def test_summary_rouge_uses_the_summarizer_scorer(tmp_path):
    from zhen.metrics.rouge import rouge_l, rouge_n

    assert rouge_n("广西生态", "广西生态", 2) == 1.0 and rouge_l("abc", "xyz", unit="word") == 0.0
    assert rouge_n("the cat sat", "the cat ran", 1, unit="word") == pytest.approx(2 / 3)
    src, ref, hyp = _files(tmp_path, "一。\n", "The forum was held in Nanning.\n", "The forum was in Nanning.\n")
    ts = text_testset(src, [ref])
    report = evaluate(ts, [hypotheses_from_file(hyp, ts, "s")], metrics=("rouge1", "rouge2", "rougeL"), bootstrap=0)
    scores = report.results[0].scores
    assert scores["rouge1"] == pytest.approx(2 * (5 / 5) * (5 / 6) / (1 + 5 / 6))
    assert 0 < scores["rouge2"] < scores["rouge1"]


def test_named_sacrebleu_test_set_from_a_prefilled_cache(tmp_path):
    """sacrebleu's own dataset machinery and cache folder: pre-filled, it needs no network. The
    cache here holds a three-line stand-in in sacrebleu's processed layout."""
    cache = tmp_path / "sacrebleu" / "wmt20"
    cache.mkdir(parents=True)
    src = ["论坛在南宁举行。", "增长9.4%。", "谢谢大家。"]
    ref = ["The forum was held in Nanning.", "Up 9.4%.", "Thank you all."]
    for field, lines in {"src": src, "ref": ref, "docid": ["d1"] * 3, "genre": ["news"] * 3,
                         "origlang": ["zh"] * 3}.items():
        (cache / f"wmt20.zh-en.{field}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("The forum was held in Nanning.\nUp 9.4%.\nThanks.\n", encoding="utf-8")
    proc = zhen("eval", "--testset", "wmt20:zh-en", "--hyp", f"mine={hyp}", "--metrics", "bleu,numbers",
                "--json", tmp_path / "s.json", env={"SACREBLEU": str(tmp_path / "sacrebleu")})
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads((tmp_path / "s.json").read_text())
    assert result["testset"] == "wmt20:zh-en" and result["units"] == 3
    assert result["results"][0]["scores"]["numbers"] == 1.0
