"""zhen: Chinese official releases into publishable English.

The public API is small: :func:`translate_release` for one call, :class:`Pipeline` to keep a loaded
model and run the steps one at a time, :func:`summarize` for an extractive bilingual summary, and the plain dataclasses the steps pass along. Importing
zhen loads no model and imports no heavy library; those come on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Pipeline", "Release", "Paragraph", "Segment", "Metadata", "translate_release", "read_release",
           "summarize", "__version__"]

_LAZY = {
    "Pipeline": "zhen.pipeline",
    "translate_release": "zhen.pipeline",
    "read_release": "zhen.readers",
    "summarize": "zhen.summarizer",
    "Release": "zhen.release",
    "Paragraph": "zhen.release",
    "Segment": "zhen.release",
    "Metadata": "zhen.release",
}

if TYPE_CHECKING:
    from .pipeline import Pipeline, translate_release
    from .readers import read_release
    from .summarizer import summarize
    from .release import Metadata, Paragraph, Release, Segment


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zhen' has no attribute {name!r}")
