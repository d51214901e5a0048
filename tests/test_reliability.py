"""Reliability: each case found by trying zhen as a careful but unlucky user would (issue 19), with
a test that failed on the code before its fix."""

from __future__ import annotations

import json
import re

from .conftest import ROOT, SAMPLE
from .test_cli import assert_clean_failure, zhen


def test_a_tsv_that_mentions_tbx_is_read_as_tsv(tmp_path):
    """``<tbx`` inside a .tsv once sent it to the TBX reader (operator precedence in the sniff)."""
    from zhen.glossary import read_glossary_file

    tsv = tmp_path / "notes.tsv"
    tsv.write_text("交换格式\tthe <tbx> exchange format\n术语库\tterm base\n", encoding="utf-8")
    terms = read_glossary_file(tsv)
    assert [(t.source, t.target) for t in terms] == [("交换格式", "the <tbx> exchange format"), ("术语库", "term base")]


def test_translate_refuses_to_write_over_its_input(tiny_model, tmp_path):
    source = tmp_path / "release.txt"
    source.write_bytes(SAMPLE.read_bytes())
    proc = zhen("translate", source, "--model", tiny_model, "-o", source)
    assert_clean_failure(proc, "is the input file")
    assert source.read_bytes() == SAMPLE.read_bytes()  # the source is untouched
    link = tmp_path / "same.txt"
    link.symlink_to(source)
    assert_clean_failure(zhen("translate", source, "--model", tiny_model, "-o", link), "is the input file")
    assert source.read_bytes() == SAMPLE.read_bytes()


def test_an_unknown_batch_format_is_refused_before_the_model_loads(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(SAMPLE.read_bytes())
    proc = zhen("batch", tmp_path / "in", "-o", tmp_path / "out", "--formats", "json,pdf",
                "--model", tmp_path / "no-such-model")
    assert_clean_failure(proc, "pdf", "json, jsonl, md")
    assert proc.returncode == 2 and "model" not in proc.stderr.decode().lower()
    assert not (tmp_path / "out").exists()


def test_bootstrap_on_too_few_units_gives_no_significance(tmp_path):
    """With one unit every resample is that unit, and every difference came out significant."""
    (tmp_path / "src.txt").write_text("陈亮出席并致辞。\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text("Chen Liang attended and spoke.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Chen Liang attended and gave a speech.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Chen attended.\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    proc = zhen("eval", "--source", tmp_path / "src.txt", "--ref", tmp_path / "ref.txt", "--hyp",
                f"a={tmp_path / 'a.txt'}", "--hyp", f"b={tmp_path / 'b.txt'}", "--baseline", "a",
                "--bootstrap", "200", "--metrics", "bleu,chrf", "--json", out)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "too few for significance" in proc.stderr.decode()
    report = json.loads(out.read_text())
    assert all(not r.get("p_values") for r in report["results"]), report["results"]
    assert "paired bootstrap" not in proc.stdout.decode()


def test_the_readme_lists_every_exit_code():
    codes = {0}
    for path in (ROOT / "src" / "zhen").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= {int(c) for c in re.findall(r"exit_code = (\d+)", text)}
        if path.name == "cli.py":
            codes |= {int(c) for c in re.findall(r"\breturn (\d+)\b", text)}
            codes |= {int(c) for c in re.findall(r"return (\d+) if ", text)}
    codes.add(2)  # click's usage errors
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {int(c) for c in re.findall(r"^\| (\d+) \|", readme, flags=re.M)}
    assert codes <= table, sorted(codes - table)
    assert {1, 2, 3, 4, 5, 6, 7, 8, 9, 130} <= codes  # the scan found the codes it should
