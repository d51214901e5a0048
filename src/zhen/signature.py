"""How a result was made, in sacrebleu's style: ``zhen:0.1.0|engine:transformers|model:…@rev|beam:4|…``.

Every translation, eval report and batch output carries one, so a figure can be reproduced (same
signature, same output) or refused (different signature, not comparable).
"""

from __future__ import annotations

from typing import Any

from . import __version__

_ORDER = ("zhen", "engine", "model", "revision", "beam", "max_length", "segment_tokens", "glossary")


def make_signature(engine_signature: dict[str, Any], **extra: Any) -> dict[str, Any]:
    sig: dict[str, Any] = {"zhen": __version__, **engine_signature, **extra}
    sig.setdefault("glossary", "none")
    return sig


def format_signature(sig: dict[str, Any]) -> str:
    keys = [k for k in _ORDER if k in sig] + sorted(k for k in sig if k not in _ORDER)
    parts = []
    for k in keys:
        if k == "model" and "revision" in sig:
            parts.append(f"model:{sig['model']}@{sig['revision']}")
        elif k != "revision":
            parts.append(f"{k}:{sig[k]}")
    return "|".join(parts)
