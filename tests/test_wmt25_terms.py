"""zhen on the WMT 2025 terminology task's real documents (traditional script, proper dictionaries).

Skips when ``../shared/data`` is not beside the checkout (a user's clone): the data is CC BY-NC and
never shipped. One year here keeps the suite short; ``eval/wmt25_terms.py`` runs all five.
"""

from __future__ import annotations

import importlib.util

import pytest

from zhen.wmt25 import data_dir

from .conftest import ROOT

pytestmark = pytest.mark.skipif(data_dir() is None, reason="WMT25 terminology data (../shared/data) not present")


def load_eval_script():
    spec = importlib.util.spec_from_file_location("wmt25_terms", ROOT / "eval" / "wmt25_terms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_term_success_rate_on_2016_with_the_tiny_model(tiny_model):
    result = load_eval_script().run(str(tiny_model), [2016], beam=1)
    assert result["documents"] == 10 and result["entries"] > 700
    # the task's own metric: the best submitted system reached 0.883
    assert result["term_success_rate"] >= 0.99, result["misses"][:10]
    # zhen's audit: placed inside the model's decoding, not pasted in afterwards
    assert result["zhen_placed_without_last_resort"] >= 0.95 * result["zhen_terms"]
    assert result["zhen_placed"] == result["zhen_terms"]


def test_metric_definition_on_a_hand_checked_case():
    from zhen.metrics.terms import term_success_rate

    score = term_success_rate(
        sources=["外匯基金與外匯基金的投資。金管局。"],
        hypotheses=["The Exchange Fund and its investments. The HKMA and the HKMA."],
        references=["The Exchange Fund ... the HKMA"],
        dictionaries=[{"外匯基金": ["Exchange Fund"], "金管局": ["HKMA"], "財資": ["treasury"]}],
    )
    # 外匯基金: 1 of 2 occurrences → 0.5; 金管局: 2 ≥ 1 → 1; 財資 not in source → not counted
    assert score.entries == 2 and score.rate == pytest.approx(0.75)
