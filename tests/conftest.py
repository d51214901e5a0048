"""Shared fixtures. Nothing here downloads: the model the suite uses is trained by the suite."""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SAMPLE = SEEDS / "guangxi-china-asean-green-value-chain-2023-09-18.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
#: the glossaries shipped inside the package
SHIPPED = ROOT / "src" / "zhen" / "glossaries"


@pytest.fixture(autouse=True, scope="session")
def _no_hub():
    """Belt and braces: the suite must never reach a model hub."""
    old = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    if old is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = old


@pytest.fixture(autouse=True, scope="session")
def _no_user_cache(tmp_path_factory):
    """The suite sees what a fresh machine has: no alignment priors a developer built into
    ~/.cache/zhen (they once decided what the fix tests saw, so a clean clone failed them)."""
    saved = {k: os.environ.pop(k, None) for k in ("ZHEN_CACHE", "ZHEN_ALIGN_PRIORS")}
    os.environ["ZHEN_CACHE"] = str(tmp_path_factory.mktemp("zhen-cache"))
    yield
    for k, v in saved.items():
        os.environ.pop(k, None)
        if v is not None:
            os.environ[k] = v


@pytest.fixture(scope="session")
def tiny_model(request) -> Path:
    """A tiny Marian model trained here until it reproduces its parallel set (about 10 s).

    Cached in pytest's cache folder, keyed by the builder's source, so a second local run reuses it.
    """
    from zhen import testing

    key = hashlib.sha256(inspect.getsource(testing).encode()).hexdigest()[:12]
    folder = Path(request.config.cache.mkdir(f"zhen-tiny-model-{key}"))
    if not (folder / "model.safetensors").is_file():
        shutil.rmtree(folder)
        testing.build_tiny_marian(folder)
    return folder


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")
