"""zhen check: a translation made elsewhere, audited by the same finder and check as zhen's own."""

from __future__ import annotations

import json

from tests.test_cli import assert_clean_failure, zhen

SOURCE = "香港金融管理局表示，2023年广西外贸进出口总额达1613.8亿元。\n中国—东盟环境合作论坛在南宁举行。\n"
# A colleague's draft: the authority reordered, the amount off by a factor of ten, the forum missing
DRAFT = ("The Monetary Authority of Hong Kong said Guangxi's foreign trade reached 16.138 billion yuan in 2023.\n"
         "A forum was held in Nanning.\n")


def _files(tmp_path, draft=DRAFT):
    src, hyp = tmp_path / "release.zh", tmp_path / "draft.en"
    src.write_text(SOURCE, encoding="utf-8")
    hyp.write_text(draft, encoding="utf-8")
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("香港金融管理局\tHong Kong Monetary Authority\n", encoding="utf-8")
    return src, hyp, glossary


def test_check_reports_placed_different_and_missing(tmp_path):
    src, hyp, glossary = _files(tmp_path)
    proc = zhen("check", src, hyp, "-g", glossary, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    by_target = {(f["unit"], f["target"]): f for f in report["findings"]}
    hkma = by_target[(1, "Hong Kong Monetary Authority")]
    assert hkma["status"] == "different" and hkma["seen"] == "Monetary Authority of Hong Kong"
    amount = by_target[(1, "161.38 billion yuan")]
    assert amount["status"] == "different" and amount["seen"].startswith("16.138 billion")
    assert by_target[(1, "2023")]["status"] == "placed"
    assert by_target[(1, "Guangxi")]["status"] == "placed"
    forum = by_target[(2, "China-ASEAN Environmental Cooperation Forum")]
    assert forum["status"] == "missing" and forum["origin"].startswith("zhen/glossaries/")
    assert report["signature"]["glossary"] != "none"
    assert b"check:" in proc.stderr and b"missing" in proc.stderr


def test_check_strict_gates_a_workflow_and_a_clean_draft_passes(tmp_path):
    src, hyp, glossary = _files(tmp_path)
    assert zhen("check", src, hyp, "-g", glossary, "--strict", "-q").returncode == 7
    good = ("The Hong Kong Monetary Authority said Guangxi's imports and exports reached 161.38 billion yuan in 2023.\n"
            "The China-ASEAN Environmental Cooperation Forum was held in Nanning.\n")
    src, hyp, glossary = _files(tmp_path, good)
    proc = zhen("check", src, hyp, "-g", glossary, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert b"0 equivalent, 0 different, 0 missing" in proc.stderr


def test_check_table_and_misaligned_files(tmp_path):
    src, hyp, glossary = _files(tmp_path)
    table = zhen("check", src, hyp, "-g", glossary)
    assert "Monetary Authority of Hong Kong" in table.stdout.decode() and "different" in table.stdout.decode()
    short = tmp_path / "short.en"
    short.write_text("Only one line.\n", encoding="utf-8")
    assert_clean_failure(zhen("check", src, short), "short.en", "1 lines", "2")


def test_check_reads_the_wmt_jsonl_form(tmp_path):
    path = tmp_path / "system.jsonl"
    lines = [{"zh": "2023年广西外贸进出口总额达1613.8亿元。", "en": "Foreign trade reached 161.38 billion yuan in 2023."},
             {"zh": "中国—东盟环境合作论坛举行。", "en": "A forum was held."}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    proc = zhen("check", path, "--jsonl", "-f", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    statuses = {(f["unit"], f["target"]): f["status"] for f in json.loads(proc.stdout)["findings"]}
    assert statuses[(1, "161.38 billion yuan")] == "placed"
    assert statuses[(2, "China-ASEAN Environmental Cooperation Forum")] == "missing"


def test_fix_replaces_wordings_in_place_and_inserts_only_what_is_missing(tmp_path):
    src, hyp, glossary = _files(tmp_path)
    out = tmp_path / "fixed.en"
    proc = zhen("check", src, hyp, "-g", glossary, "--fix", out, "-q")
    assert proc.returncode == 0, proc.stderr
    first, second = out.read_text(encoding="utf-8").splitlines()
    assert first.startswith("The Hong Kong Monetary Authority said") and "161.38 billion yuan" in first
    assert "16.138" not in first and "Monetary Authority of Hong Kong" not in first
    assert "China-ASEAN Environmental Cooperation Forum" in second  # inserted: nothing aligned
    again = zhen("check", src, out, "-g", glossary, "--strict", "-q")
    assert again.returncode == 0, again.stderr  # the fixed English passes the same audit
    assert_clean_failure(zhen("check", src, hyp, "--fix", hyp), "is an input file")
