"""The extractive summarizer: sensible picks on the sample, bilingual through the real pipeline."""

from __future__ import annotations

import importlib.util
import json

import pytest

from zhen.readers import read_release
from zhen.summarizer import summarize_sentences
from zhen.wmt25 import data_dir

from .conftest import ROOT, SAMPLE
from .test_cli import zhen


def test_three_sentences_in_document_order_without_captions_or_speaker_lists():
    release = read_release(SAMPLE)
    summary = summarize_sentences(release, sentences=3)
    assert len(summary.sentences) == 3
    order = [(s.paragraph, s.start) for s in summary.sentences]
    assert order == sorted(order)
    kinds = {p.index: p.kind for p in release.paragraphs}
    assert all(kinds[s.paragraph] == "body" for s in summary.sentences)
    assert not any("分别到会致辞" in s.text for s in summary.sentences)
    assert summary.sentences[0].text.startswith("作为2023年中国—东盟环境合作论坛活动之一")  # the lead


def test_character_budget_and_ratio():
    release = read_release(SAMPLE)
    assert len(summarize_sentences(release, chars=200).text) <= 200
    assert summarize_sentences(release, ratio=0.3).sentences


def test_empty_and_one_sentence_inputs_return_what_there_is():
    one = summarize_sentences(read_release("论坛在南宁举行，各方代表出席。"))
    assert len(one.sentences) == 1 and one.notes
    none = summarize_sentences(read_release("新闻中心\n论坛"))
    assert none.sentences == [] and none.notes


def test_cli_bilingual_summary_with_the_tiny_model(tiny_model):
    proc = zhen("summarize", SAMPLE, "--model", tiny_model, "--sentences", "3", "-f", "json", "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    summary = json.loads(proc.stdout)
    assert len(summary["sentences"]) == 3 and all(s["english"] for s in summary["sentences"])
    assert "Global Development Initiative" in summary["sentences"][0]["english"]  # the glossary applies


@pytest.mark.skipif(data_dir() is None, reason="HKMA reports (../shared/data) not present")
def test_hkma_highlights_comparison_runs_on_one_year():
    spec = importlib.util.spec_from_file_location("hkma", ROOT / "eval" / "hkma_highlights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run([2016])
    zh = result["mean"]["zh"]
    assert set(zh) == {"zhen", "textrank", "lead", "random", "zhen-centrality"}
    assert all(0 < s["rouge1"] < 1 for side in result["mean"].values() for s in side.values())
    # 2016 measured: zhen 0.519/0.231/0.170, lead 0.499/0.201/0.151, TextRank (jieba) 0.446/0.144/0.133
    for baseline in ("lead", "textrank"):
        assert all(zh["zhen"][m] > zh[baseline][m] for m in ("rouge1", "rouge2", "rougeL"))
    assert result["mean"]["en-human"]["zhen"]["rouge1"] > 0.3  # the English side is aligned, not empty
    assert "HKMA Highlights" in module.report(result, [2016])


def test_package_level_summarize_is_the_function():
    import zhen

    summary = zhen.summarize(zhen.read_release(SAMPLE), sentences=2)
    assert len(summary.sentences) == 2 and summary.budget == "2 sentences"
