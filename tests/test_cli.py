"""The real ``zhen`` command, as a user runs it, on the tiny model the suite trains."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from zhen.release import Release

from .conftest import FIXTURES, SAMPLE


def zhen(*args, stdin=None, env=None, cwd=None):
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "zhen", *map(str, args)], input=stdin, capture_output=True,
                          env=full_env, cwd=cwd, timeout=300)


def assert_clean_failure(proc, *needles):
    assert proc.returncode != 0
    err = proc.stderr.decode()
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("zhen: error: "), err
    for needle in needles:
        assert needle in err, err


def test_translate_sample_release_as_bilingual_markdown(tiny_model, tmp_path):
    out = tmp_path / "release.md"
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--format", "md", "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    md = out.read_text("utf-8").replace("**", "")  # terms are bold; compare the words
    release_json = zhen("translate", SAMPLE, "--model", tiny_model, "--format", "json", "--quiet")
    release = Release.from_dict(json.loads(release_json.stdout))
    # bilingual: each Chinese paragraph, then its English, in order
    position = 0
    for p in release.body:
        zh_at = md.index(p.text, position)
        en_at = md.index(p.translation, zh_at + len(p.text))
        position = en_at
    assert md.startswith("# ") and f"> {release.title}" in md
    assert "Author: Lan Haojing" in md and "2023-09-18 09:14" in md
    assert "*[Photo]" in md and "自治区生态环境厅厅长陈亮致辞" in md
    assert "zhen signature: `zhen:0.1.0|engine:ct2|model:" in md  # CTranslate2: the default for a Marian model
    # the summary line and the progress bar go to stderr, not into the document
    err = proc.stderr.decode()
    assert "segments in 10 paragraphs" in err and "translating" in err


def test_json_output_is_the_release_with_every_character_segmented(tiny_model):
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--format", "json", "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""  # --quiet means quiet
    release = Release.from_dict(json.loads(proc.stdout))
    assert len(release.paragraphs) == 10
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model))
    for p in release.paragraphs:
        assert "".join(s.source for s in p.segments) == p.text
        for s in p.segments:
            assert p.text[s.start:s.end] == s.source
            assert len(tokenizer(s.text_for_engine)["input_ids"]) <= 64  # the tiny model's limit
            assert s.target is not None
    sig = release.signature
    assert sig["engine"] == "ct2" and sig["beam"] == 4 and sig["segment_tokens"] == 64


def test_known_sentences_come_back_as_trained(tiny_model):
    """The tiny model reproduces its training pairs: the whole pipeline carries them through."""
    text = "陈亮出席并致辞。论坛在南宁举行。\n\n中国经济韧性十足。绿色发展潜力巨大。"
    proc = zhen("translate", "-", "--model", tiny_model, "--beam", "1", "--quiet", stdin=text.encode())
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().split("\n\n") == [
        "Chen Liang attended and delivered a speech. The forum was held in Nanning.",
        "China's economy is highly resilient. Green development has great potential.\n",
    ]


def test_html_input_translates(tiny_model):
    proc = zhen("translate", FIXTURES / "guangxi-release.html", "--model", tiny_model, "--quiet", "-f", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    release = Release.from_dict(json.loads(proc.stdout))
    assert release.format == "html" and release.metadata.author == "蓝皓璟"


def test_python_api_returns_what_the_cli_prints(tiny_model):
    import zhen as zhen_api

    release = zhen_api.translate_release(SAMPLE, model=tiny_model, beam_size=1)
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--beam", "1", "-f", "json", "--quiet")
    assert release.to_dict() == json.loads(proc.stdout)


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    (bytes(range(256)) * 100, "binary"),
    (b"\x81\x30\xff\xfe\x80" * 50 + b"\xff" * 100, "encoding"),
])
def test_bad_files_fail_cleanly(tmp_path, tiny_model, content, needle):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert_clean_failure(zhen("translate", bad, "--model", tiny_model), needle, str(bad))


def test_huge_file_fails_cleanly_before_loading_a_model(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(("广西生态环境质量持续向好。" * 20).encode() * 30000)  # about 20 MB
    assert big.stat().st_size > 19 * 1024 * 1024
    proc = zhen("translate", big)
    assert_clean_failure(proc, "MB limit", "--max-input-mb")


def test_missing_model_offline_fails_fast_with_the_fix(tmp_path):
    proc = zhen("translate", SAMPLE, env={"ZHEN_MODELS_DIR": str(tmp_path / "models"), "HF_HOME": str(tmp_path)})
    assert_clean_failure(proc, "zhen models pull Helsinki-NLP/opus-mt-zh-en", "--model PATH")
    assert proc.returncode == 4


def test_missing_model_directory_fails_cleanly(tmp_path):
    assert_clean_failure(zhen("translate", SAMPLE, "--model", tmp_path / "nope"), "no such model directory")


def test_output_folder_must_exist(tiny_model, tmp_path):
    proc = zhen("translate", SAMPLE, "--model", tiny_model, "-o", tmp_path / "no" / "out.md")
    assert_clean_failure(proc, "no such folder")
    assert "translating" not in proc.stderr.decode()  # refused before any work was done


def test_models_list_says_where_it_looks(tmp_path, tiny_model):
    import shutil

    shutil.copytree(tiny_model, tmp_path / "acme" / "tiny")
    proc = zhen("models", "list", "--models-dir", tmp_path)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "acme/tiny" in out and "lookup order" in out


def test_models_pull_offline_fails_cleanly(tmp_path):
    proc = zhen("models", "pull", "Helsinki-NLP/opus-mt-zh-en", "--models-dir", tmp_path)
    assert_clean_failure(proc, "Could not download")


def test_verbose_says_where_the_time_goes(tiny_model, tmp_path):
    import re

    proc = zhen("translate", SAMPLE, "--model", tiny_model, "--beam", "1", "-v", "-o", tmp_path / "out.txt")
    assert proc.returncode == 0, proc.stderr.decode()
    line = next(x for x in proc.stderr.decode().splitlines() if x.startswith("zhen: time: "))
    steps = dict((name, float(s)) for name, s in re.findall(r"([a-z][a-z -]+?) (\d+\.\d+) s", line))
    assert {"read", "glossaries", "model", "segment and find requirements", "translate and check",
            "write"} <= set(steps), line
    total = steps.pop("total")
    assert abs(sum(steps.values()) - total) < 0.05 and steps["translate and check"] > 0
    quiet = zhen("translate", SAMPLE, "--model", tiny_model, "--beam", "1", "-o", tmp_path / "q.txt")
    assert b"time:" not in quiet.stderr
