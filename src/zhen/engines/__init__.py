"""Engines by name, imported on first use; each engine is made once per process and reused."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import EngineUnavailableError
from ..families import require_family
from ..models import ResolvedModel
from .base import DecodingOptions, Engine, Hypothesis, IdentityEngine

__all__ = ["ENGINES", "DecodingOptions", "Engine", "Hypothesis", "IdentityEngine", "create_engine"]

#: name -> ("module:Class", the pip extra that provides it)
ENGINES: dict[str, tuple[str, str]] = {
    "transformers": ("zhen.engines.transformers_engine:TransformersEngine", "zhen"),
    "ct2": ("zhen.engines.ct2_engine:CT2Engine", "ctranslate2"),
}
_made: dict[tuple[str, str, DecodingOptions], Any] = {}


def create_engine(name: str, model: ResolvedModel, options: DecodingOptions | None = None) -> Engine:
    """The engine ``name`` for ``model``; the same object again for the same arguments."""
    if name not in ENGINES:
        raise EngineUnavailableError(f"Unknown engine {name!r}; choose one of: {', '.join(ENGINES)}.")
    options = options or DecodingOptions()
    key = (name, str(model.path), options)
    if key not in _made:
        require_family(model.path)  # a family zhen cannot drive is refused, never run as another kind
        target, extra = ENGINES[name]
        module, cls = target.split(":")
        try:
            engine_cls = getattr(importlib.import_module(module), cls)
        except ImportError as exc:
            raise EngineUnavailableError(
                f"Engine {name!r} needs a package that is not installed ({exc.name}); "
                f"install it with `pip install '{extra}'`."
            ) from None
        _made[key] = engine_cls(model, options)
    return _made[key]
