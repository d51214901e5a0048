"""Model resolution: path, then models/<name>, then the hub cache; offline, one clear sentence."""

from __future__ import annotations

import shutil

import pytest

from zhen.errors import ModelLoadError, ModelNotFoundError
from zhen.models import PROVENANCE_FILE, list_models, resolve_model


def test_explicit_path_wins(tiny_model):
    got = resolve_model(str(tiny_model))
    assert got.found_by == "path" and got.path == tiny_model.resolve()
    assert got.revision.startswith("local-")


def test_models_dir_by_name(tiny_model, tmp_path):
    target = tmp_path / "models" / "acme" / "tiny-zh-en"
    shutil.copytree(tiny_model, target)
    (target / PROVENANCE_FILE).write_text('{"repo_id": "acme/tiny-zh-en", "revision": "abc123"}')
    got = resolve_model("acme/tiny-zh-en", models_root=tmp_path / "models")
    assert got.found_by == "models-dir" and got.path == target.resolve()
    assert got.revision == "abc123"
    assert [m.name for m in list_models(tmp_path / "models")] == ["acme/tiny-zh-en"]


def test_env_var_sets_the_models_dir(tiny_model, tmp_path, monkeypatch):
    shutil.copytree(tiny_model, tmp_path / "acme" / "tiny")
    monkeypatch.setenv("ZHEN_MODELS_DIR", str(tmp_path))
    assert resolve_model("acme/tiny").found_by == "models-dir"


def test_offline_without_a_local_model_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("Helsinki-NLP/opus-mt-zh-en", models_root=tmp_path / "models")
    message = str(info.value)
    assert "zhen models pull Helsinki-NLP/opus-mt-zh-en" in message
    assert "--model PATH" in message
    assert str(tmp_path / "models" / "Helsinki-NLP" / "opus-mt-zh-en") in message
    assert "HF_HUB_OFFLINE" in message


def test_a_command_that_does_not_download_says_so_rather_than_blame_the_hub(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("Nobody/none", models_root=tmp_path / "models", download=False)
    assert "does not download" in str(info.value) and "HF_HUB_OFFLINE" not in str(info.value)


def test_missing_path_and_non_model_folder(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no such model directory"):
        resolve_model(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        resolve_model(str(tmp_path / "empty"))


def test_bare_name_not_found_is_explained(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not a hub id"):
        resolve_model("opus-mt-zh-en", models_root=tmp_path)


def test_models_list_on_empty_folder(tmp_path):
    assert list_models(tmp_path / "missing") == []


def _model_dir(path, config: dict):
    """A model directory laid out as the hub has it (config, weights, tokenizer files); the files
    other than the config are never read: the family is refused before any weight is loaded."""
    import json

    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (path / "model.safetensors").write_bytes(b"")
    (path / "tokenizer.json").write_text("{}", encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["transformers", "ct2"])
def test_an_unknown_kind_of_model_is_refused_in_one_sentence_by_either_engine(tmp_path, engine):
    """Such a model could load and run without a word of warning, in the wrong language: refuse it."""
    from tests.test_cli import assert_clean_failure, zhen

    model = _model_dir(tmp_path / "model", {"model_type": "bart", "architectures": ["BartForConditionalGeneration"]})
    release = tmp_path / "r.txt"
    release.write_text("陈亮出席并致辞。\n", encoding="utf-8")
    proc = zhen("translate", release, "--model", model, "--engine", engine)
    assert_clean_failure(proc, "type 'bart'", "Marian (opus-mt)", "NLLB-200", "MADLAD-400", "chat LLM",
                         "Helsinki-NLP/opus-mt-zh-en")
    assert len(proc.stderr.decode().strip().splitlines()) == 1


def test_an_unknown_kind_of_model_is_refused_naming_the_families_zhen_knows(tmp_path):
    from zhen.engines import create_engine
    from zhen.models import resolve_model

    model = resolve_model(str(_model_dir(tmp_path / "bert", {"model_type": "bert"})))
    with pytest.raises(ModelLoadError, match=r"type 'bert', not a kind zhen knows how to drive; .*Marian \(opus-mt\)"):
        create_engine("transformers", model)


def test_models_list_shows_family_and_licence(tiny_model, tmp_path):
    from tests.test_cli import zhen

    shutil.copytree(tiny_model, tmp_path / "Helsinki-NLP" / "opus-mt-zh-en")
    _model_dir(tmp_path / "facebook" / "nllb-200-distilled-600M", {"model_type": "m2m_100"})
    proc = zhen("models", "list", "--models-dir", tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines() if "\t" in line}
    assert rows["Helsinki-NLP/opus-mt-zh-en"][1] == "Marian (opus-mt)"
    assert rows["facebook/nllb-200-distilled-600M"][1] == "NLLB-200 / M2M100"
    assert "non-commercial" in rows["facebook/nllb-200-distilled-600M"][2]
