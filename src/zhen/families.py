"""The model families zhen knows, told from a model directory's ``config.json`` (no flag needed).

Each family translates only when it is driven its own way (:mod:`zhen.engines.drivers`): NLLB-200
needs its source language code (``zho_Hans``/``zho_Hant``) and ``eng_Latn`` forced as the first
output token, MADLAD-400 a ``<2en>`` tag before the source, a chat LLM its prompt template. Run like
a Marian model, such a model loads and runs without a word of warning and writes "English" in
whatever language it likes. So zhen drives the families it knows, and refuses any other model with
one sentence naming them: never a silently wrong translation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelLoadError


@dataclass(frozen=True)
class Family:
    name: str
    label: str
    licence: str


FAMILIES: dict[str, Family] = {
    "marian": Family("marian", "Marian (opus-mt)", "CC-BY 4.0 (OPUS-MT models)"),
    "nllb": Family("nllb", "NLLB-200 / M2M100", "CC-BY-NC 4.0 for NLLB-200 (non-commercial use only)"),
    "madlad": Family("madlad", "MADLAD-400 (T5)", "Apache 2.0"),
    "chat": Family("chat", "chat LLM (decoder-only)", "the model's own (see its card)"),
}
_CHAT_TYPES = {"qwen2", "qwen3", "qwen2_moe", "qwen3_moe", "llama", "mistral", "mixtral", "gemma", "gemma2", "gemma3",
               "gemma3_text", "phi3", "hunyuan_v1_dense", "hunyuan_v1_moe", "hunyuan"}


def family_of(config: dict) -> Family | None:
    """The family a model's config describes, or ``None`` for a kind zhen does not know."""
    kind = str(config.get("model_type", "")).lower()
    architectures = [str(a) for a in config.get("architectures") or []]
    if kind == "marian":
        return FAMILIES["marian"]
    if kind in ("m2m_100", "nllb_moe", "nllb-moe"):
        return FAMILIES["nllb"]
    if kind in ("t5", "mt5", "umt5"):
        return FAMILIES["madlad"]
    if kind in _CHAT_TYPES or any(a.endswith("ForCausalLM") for a in architectures):
        return FAMILIES["chat"]
    return None


def read_config(path: Path) -> dict:
    try:
        return json.loads((path / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def family_at(path: Path) -> Family | None:
    return family_of(read_config(path))


def require_family(path: Path) -> Family:
    """The family of the model at ``path``, or a :class:`ModelLoadError` in one sentence naming the
    families zhen drives when it is a kind zhen does not know (never run as another kind)."""
    config = read_config(path)
    family = family_of(config)
    if family is None:
        kind = config.get("model_type") or "unknown"
        known = ", ".join(f.label for f in FAMILIES.values())
        raise ModelLoadError(f"{path}: is a model of type {kind!r}, not a kind zhen knows how to drive; zhen "
                             f"translates with {known} models, such as Helsinki-NLP/opus-mt-zh-en.")
    return family
