"""The model families zhen knows, told from a model directory's ``config.json`` (no flag needed).

Each family translates only when it is driven its own way: NLLB-200 needs its source language code
(``zho_Hans``/``zho_Hant``) and ``eng_Latn`` forced as the first output token, MADLAD-400 a ``<2en>``
tag before the source, a chat LLM its prompt template. Run like a Marian model, such a model loads
and runs without a word of warning and writes "English" in whatever language it likes. So zhen
drives the families it knows how to, and refuses any other model with one sentence naming them:
never a silently wrong translation.
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
    #: empty when zhen drives the family; else what it would take, said to the user
    missing: str = ""

    @property
    def driven(self) -> bool:
        return not self.missing


FAMILIES: dict[str, Family] = {
    "marian": Family("marian", "Marian (opus-mt)", "CC-BY 4.0 (OPUS-MT models)"),
    "nllb": Family("nllb", "NLLB-200 / M2M100", "CC-BY-NC 4.0 for NLLB-200 (non-commercial use only)",
                   "its source code zho_Hans/zho_Hant and a forced eng_Latn first token"),
    "madlad": Family("madlad", "MADLAD-400 (T5)", "Apache 2.0", "a <2en> tag before every source"),
    "chat": Family("chat", "chat LLM (decoder-only)", "the model's own (see its card)",
                   "a prompt template for the model, and its answer taken from the chat"),
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


def require_driven(path: Path) -> Family:
    """The family of the model at ``path``, or a :class:`ModelLoadError` in one sentence when zhen
    cannot drive it correctly (a known family not driven yet, or an unknown kind of model)."""
    config = read_config(path)
    family = family_of(config)
    driven = ", ".join(f.label for f in FAMILIES.values() if f.driven)
    if family is None:
        kind = config.get("model_type") or "unknown"
        raise ModelLoadError(f"{path}: is a model of type {kind!r}, not a kind zhen knows how to drive; zhen "
                             f"translates with {driven} models, such as Helsinki-NLP/opus-mt-zh-en.")
    if not family.driven:
        raise ModelLoadError(f"{path}: is a {family.label} model, which needs {family.missing}; zhen does not drive "
                             f"that family yet and will not run it as another kind (its output would not be "
                             f"English): use a {driven} model, such as Helsinki-NLP/opus-mt-zh-en.")
    return family
