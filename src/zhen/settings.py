"""Every setting that changes how zhen translates, declared once.

:class:`Settings` is the one description of a translation run: the CLI's options are made from its
fields (:func:`options`, with choices taken from the engine registry), and every front end (the
commands, the demo, batch jobs, the eval harness and scripts, :func:`zhen.translate_release`)
builds its :class:`~zhen.pipeline.Pipeline` with :meth:`Settings.pipeline`. A new setting is a new
field here, and each front end has it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

import click

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"


def _opt(*flags: str, **click_kw: Any) -> dict[str, Any]:
    return {"flags": flags, "click": click_kw}


def _engine_choice() -> click.Choice:
    """The engine registry's names (read when the CLI declares its options)."""
    from .engines import ENGINES

    return click.Choice(["auto", *ENGINES])


@dataclass(frozen=True)
class Settings:
    """A run's settings. Everything here that changes output goes into the run's signature."""

    model: str | None = field(default=None, metadata=_opt(
        "--model", "-m", help=f"Model directory or hub id [default: {DEFAULT_MODEL}]."))
    engine: str = field(default="auto", metadata=_opt(
        "--engine", type=_engine_choice, show_default=True,
        help="ct2: CTranslate2, several times faster on CPU; transformers: the reference; auto: ct2 where it "
             "places terms as the reference does (Marian models) and can run the model, else transformers."))
    device: str = field(default="auto", metadata=_opt(
        "--device", type=click.Choice(["auto", "cpu", "cuda"]), show_default=True,
        help="auto: a CUDA GPU where there is one, else the CPU."))
    compute_type: str | None = field(default=None, metadata=_opt(
        "--compute-type", type=click.Choice(["auto", "int8", "int8_float32", "float32", "float16", "bfloat16",
                                             "int8_float16", "int8_bfloat16"]),
        help="[default: auto: on the CPU float32, and for ct2 int8 where the CPU has VNNI, AMX or dot-product "
             "instructions (elsewhere int8 is inexact); on a GPU bfloat16 (transformers) or float16 (ct2)]."))
    prompt: str | None = field(default=None, metadata=_opt(
        "--prompt", metavar="NAME|FILE",
        help="A chat model's prompt template: generic, hunyuan-mt, seed-x, or a file with {source} (and "
             "{terms}) [default: the one the model's card publishes, else generic]."))
    inter_threads: int | None = field(default=None, metadata=_opt(
        "--inter-threads", type=click.IntRange(1, 64),
        help="ct2 only: batches run at once, each on threads/inter-threads cores [default: one per core up to "
             "4 cores, else cores/4; 1 on a GPU]."))
    beam_size: int = field(default=4, metadata=_opt(
        "--beam", type=click.IntRange(1, 64), show_default=True))
    batch_size: int = field(default=16, metadata=_opt(
        "--batch-size", type=click.IntRange(1, 1024), show_default=True))
    max_length: int = field(default=256, metadata=_opt(
        "--max-length", type=click.IntRange(1, 4096), show_default=True,
        help="Most tokens generated per segment."))
    max_segment_tokens: int = field(default=256, metadata=_opt(
        "--max-segment-tokens", type=click.IntRange(8, 4096), show_default=True,
        help="Longer sentences are split at clause boundaries."))
    threads: int | None = field(default=None, metadata=_opt(
        "--threads", type=click.IntRange(1, 256), help="CPU threads [default: all cores]."))
    max_input_mb: float = field(default=10.0, metadata=_opt(
        "--max-input-mb", type=click.FloatRange(0.001), show_default=True,
        help="Larger inputs are refused."))
    models_dir: Path | None = field(default=None, metadata=_opt(
        "--models-dir", type=click.Path(path_type=Path, file_okay=False),
        help="Where local models live [default: $ZHEN_MODELS_DIR or ./models]."))
    glossaries: tuple[Path, ...] = field(default=(), metadata=_opt(
        "--glossary", "-g", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
        help="A glossary (.tsv/.csv/.tbx/.json); repeat to layer, later over earlier."))
    shipped_glossaries: bool = field(default=True, metadata=_opt(
        "--shipped-glossaries/--no-shipped-glossaries", show_default=True,
        help="Use the glossaries shipped inside zhen (their list: README, Glossaries)."))
    disabled_terms: tuple[str, ...] = field(default=(), metadata=_opt(
        "--no-term", multiple=True, metavar="ZH", help="Turn a glossary term off by its Chinese source; repeatable."))
    fidelity: bool = field(default=True, metadata=_opt(
        "--fidelity/--no-fidelity", show_default=True,
        help="Require numbers, dates, names and Latin tokens in the English."))
    last_resort: bool = field(default=True, metadata=_opt(
        "--last-resort/--no-last-resort", show_default=True,
        help="Insert a requirement decoding missed (and flag its segment for review); without it, report it "
             "missing."))
    nested_terms: bool = field(default=False, metadata=_opt(
        "--nested-terms", is_flag=True,
        help="Also require a term inside a longer one (the WMT terminology task's reading)."))

    whole_page: bool = field(default=False, metadata=_opt(
        "--whole-page", is_flag=True,
        help="Translate a web page with no article body (navigation, a listing) line by line, instead of refusing it."))

    @property
    def max_input_bytes(self) -> int:
        return int(self.max_input_mb * 1024 * 1024)

    def decoding(self):
        from .engines import DecodingOptions

        return DecodingOptions(beam_size=self.beam_size, max_length=self.max_length, batch_size=self.batch_size,
                               threads=self.threads, compute_type=self.compute_type,
                               inter_threads=self.inter_threads, device=self.device, prompt=self.prompt)

    def glossary(self):
        """The glossary layers: shipped (unless turned off) < ``glossaries`` < the user's."""
        from .glossary import load_layers

        return load_layers(self.glossaries, shipped=self.shipped_glossaries)

    def pipeline(self, *, glossary=None):
        """The pipeline these settings describe (the engine is made once per process and reused).
        A bad glossary is refused before the model loads; ``glossary`` replaces the layers."""
        from .pipeline import Pipeline

        glossary = self.glossary() if glossary is None else glossary
        return Pipeline.load(self.model, engine=self.engine, options=self.decoding(), models_root=self.models_dir,
                             max_segment_tokens=self.max_segment_tokens, max_input_bytes=self.max_input_bytes,
                             glossary=glossary, disabled_terms=frozenset(self.disabled_terms),
                             enforce_fidelity=self.fidelity, last_resort=self.last_resort,
                             nested_terms=self.nested_terms, whole_page=self.whole_page)

    @classmethod
    def take(cls, kwargs: dict[str, Any], **fixed: Any) -> Settings:
        """The settings among a command's parsed options (removed from ``kwargs``), and ``fixed``."""
        names = {f.name for f in fields(cls)}
        given = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
        return cls(**{**given, **fixed})


def options(*, only: tuple[str, ...] | None = None, skip: tuple[str, ...] = (),
            **changed: dict[str, Any]) -> Callable:
    """A click decorator adding the options of :class:`Settings` (all, or ``only`` these, less
    ``skip``); ``changed[name]`` replaces parts of one option's declaration (``flags``, or any
    click keyword), for a command whose wording differs (batch's ``--max-doc-mb``)."""
    chosen = [f for f in fields(Settings) if (only is None or f.name in only) and f.name not in skip]

    def decorate(command: Callable) -> Callable:
        for f in reversed(chosen):
            spec = {**f.metadata["click"], **changed.get(f.name, {})}
            flags = spec.pop("flags", f.metadata["flags"])
            if callable(spec.get("type")) and not isinstance(spec["type"], click.ParamType):
                spec["type"] = spec["type"]()
            if "default" not in spec and not spec.get("multiple"):
                spec["default"] = f.default
            command = click.option(*flags, f.name, **spec)(command)
        return command

    return decorate
