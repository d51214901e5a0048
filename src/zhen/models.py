"""Where a model comes from: models are directories, found in an explicit, printed order.

1. ``--model PATH``: a local model directory, used as it is.
2. ``models/<name>``: the project's model folder (``$ZHEN_MODELS_DIR`` or ``./models``), where
   ``zhen models pull`` puts models, e.g. ``models/Helsinki-NLP/opus-mt-zh-en``.
3. The Hugging Face hub cache (``$HF_HOME``), for models another tool already downloaded.
4. Only then, and only when the hub is reachable and ``HF_HUB_OFFLINE`` is not set, a download into
   ``models/<name>``, with a progress bar: what transformers users expect on first use.

Offline with no local copy, :func:`resolve_model` fails at once with one sentence naming
``zhen models pull`` and ``--model PATH``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelLoadError, ModelNotFoundError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"
#: Written beside a pulled model: which hub revision it is.
PROVENANCE_FILE = "zhen-model.json"
_WEIGHTS = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json", "pytorch_model.bin.index.json")
_TOKENIZER = ("source.spm", "spiece.model", "sentencepiece.bpe.model", "tokenizer.json")
# Framework weights zhen never loads: not worth the download.
_SKIP_PATTERNS = ["*.h5", "*.ot", "*.msgpack", "*.onnx", "*.tflite", "flax_model*", "tf_model*", "rust_model*"]


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk: what was asked for, where it is, and how it was found."""

    name: str
    path: Path
    found_by: str  # "path", "models-dir", "hub-cache" or "download"
    revision: str

    def describe(self) -> str:
        return f"{self.name} ({self.found_by}: {self.path})"


def models_dir(explicit: str | Path | None = None) -> Path:
    """``explicit`` > ``$ZHEN_MODELS_DIR`` > ``./models``. Never created here."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("ZHEN_MODELS_DIR")
    return Path(env) if env else Path.cwd() / "models"


def hub_offline() -> bool:
    return any(
        os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def check_model_dir(path: Path) -> None:
    """Refuse a directory that cannot be a seq2seq model, naming what is missing."""
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"{path}: is not a model directory (no config.json); point --model at the folder "
                             "that holds config.json, the weights and the tokenizer files.")
    if not any((path / w).is_file() for w in _WEIGHTS):
        raise ModelLoadError(f"{path}: has no weights ({' or '.join(_WEIGHTS[:2])}); pull the model again.")
    if not any((path / t).is_file() for t in _TOKENIZER):
        raise ModelLoadError(f"{path}: has no SentencePiece tokenizer (source.spm or similar); pull the model again.")


def _revision_of(path: Path) -> str:
    """The hub commit when known, else a short hash of the config and weights' sizes."""
    prov = path / PROVENANCE_FILE
    if prov.is_file():
        try:
            return str(json.loads(prov.read_text("utf-8"))["revision"])
        except (ValueError, KeyError):
            pass
    if len(path.name) == 40 and path.parent.name == "snapshots":  # a hub-cache snapshot folder
        return path.name
    digest = hashlib.sha256((path / "config.json").read_bytes())
    for w in _WEIGHTS:
        if (path / w).is_file():
            digest.update(f"{w}:{(path / w).stat().st_size}".encode())
    return "local-" + digest.hexdigest()[:12]


def _local_candidate(name: str, root: Path) -> Path:
    return root.joinpath(*name.split("/"))


def _is_explicit_path(name: str) -> bool:
    return Path(name).expanduser().exists() or name.startswith((".", "/", "~")) or "\\" in name


def _from_hub_cache(name: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not in the cache, or a malformed id: either way, not here
        return None


def resolve_model(
    name_or_path: str | Path | None = None,
    *,
    models_root: str | Path | None = None,
    download: bool = True,
) -> ResolvedModel:
    """Find a model by the order in this module's docstring; download only as the last step."""
    name = str(name_or_path or DEFAULT_MODEL)
    root = models_dir(models_root)
    if isinstance(name_or_path, Path) or _is_explicit_path(name):
        path = Path(name).expanduser()
        if not path.is_dir():
            raise ModelNotFoundError(f"{path}: no such model directory; check the path given to --model.")
        check_model_dir(path)
        return ResolvedModel(name, path.resolve(), "path", _revision_of(path))
    local = _local_candidate(name, root)
    log.info("model %s: looking in %s", name, local)
    if local.is_dir():
        check_model_dir(local)
        return ResolvedModel(name, local.resolve(), "models-dir", _revision_of(local))
    if name.count("/") != 1:
        raise ModelNotFoundError(f"Model {name!r} is neither a directory nor in {root}, and is not a hub id "
                                 "(owner/name); check the name with `zhen models list`.")
    log.info("model %s: looking in the Hugging Face cache", name)
    cached = _from_hub_cache(name)
    if cached is not None:
        check_model_dir(cached)
        return ResolvedModel(name, cached, "hub-cache", _revision_of(cached))
    where = f"looked in {local} and the Hugging Face cache"
    advice = (f"run `zhen models pull {name}` on a machine that reaches the hub (then copy its models/ folder "
              "here), or pass --model PATH to a local model directory")
    if not download or hub_offline():
        why = "the hub is off (HF_HUB_OFFLINE)" if hub_offline() else "this command does not download"
        raise ModelNotFoundError(f"Model {name!r} is not on this machine ({where}) and {why}: {advice}.")
    try:
        return pull_model(name, models_root=root)
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(f"Model {name!r} is not on this machine ({where}) and could not be "
                                 f"downloaded ({exc.__cause__ or exc}): {advice}.") from None


def pull_model(name: str, *, models_root: str | Path | None = None, revision: str | None = None) -> ResolvedModel:
    """Download a hub snapshot into ``models/<name>`` with a progress bar, recording its revision."""
    from huggingface_hub import HfApi, snapshot_download

    root = models_dir(models_root)
    target = _local_candidate(name, root)
    if hub_offline():
        raise ModelNotFoundError(f"Could not download {name!r}: HF_HUB_OFFLINE is set; unset it on a machine "
                                 "that reaches the hub, or copy a models/ folder from one that has the model.")
    try:
        info = HfApi().model_info(name, revision=revision)
        snapshot_download(name, revision=info.sha, local_dir=str(target), ignore_patterns=_SKIP_PATTERNS)
    except Exception as exc:  # network, DNS, 404, auth: all mean "not from here, not now"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelNotFoundError(
            f"Could not download {name!r} from the hub ({reason}); check the name and the network, "
            "or copy a models/ folder from a machine that has it."
        ) from exc
    (target / PROVENANCE_FILE).write_text(
        json.dumps({"repo_id": name, "revision": info.sha,
                    "pulled_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}, indent=1),
        encoding="utf-8",
    )
    check_model_dir(target)
    return ResolvedModel(name, target.resolve(), "download", str(info.sha))


CT2_PROVENANCE = "zhen-ct2.json"


def converted_dir(model: ResolvedModel, quantization: str = "int8", models_root: str | Path | None = None) -> Path:
    """Where the CTranslate2 conversion of ``model`` lives: beside the model directory
    (``models/opus-mt-zh-en.ct2-int8``), or in the models folder for a hub-cache snapshot."""
    suffix = f".ct2-{quantization}"
    if model.found_by == "hub-cache":
        return models_dir(models_root) / (model.name.replace("/", "--") + suffix)
    return model.path.parent / (model.path.name + suffix)


def convert_model(model: ResolvedModel, quantization: str = "int8", *, models_root: str | Path | None = None,
                  force: bool = False) -> Path:
    """Convert ``model`` with CTranslate2's own converter (weights stored as ``quantization``);
    reuse an earlier conversion of the same revision unless ``force``. Written to a temporary
    folder and renamed, so an interrupted conversion leaves nothing half-made."""
    import shutil
    import tempfile

    try:
        import ctranslate2
    except ImportError:
        raise ModelLoadError("converting needs CTranslate2: `pip install ctranslate2`.") from None
    target = converted_dir(model, quantization, models_root)
    prov = target / CT2_PROVENANCE
    if not force and prov.is_file():
        try:
            if json.loads(prov.read_text("utf-8")).get("revision") == model.revision:
                return target
        except ValueError:
            pass
    log.warning("converting %s to CTranslate2 (%s weights) once, into %s; later runs reuse it", model.name,
                quantization, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        converter = _converter_class()(str(model.path))
        converter.convert(str(tmp / "model"), quantization=quantization, force=True)
        (tmp / "model" / CT2_PROVENANCE).write_text(json.dumps(
            {"source": model.name, "revision": model.revision, "quantization": quantization,
             "ctranslate2": ctranslate2.__version__}, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        (tmp / "model").rename(target)
    except (OSError, ValueError, KeyError, NotImplementedError) as exc:
        if "No conversion is registered" in str(exc):
            kind = str(exc).split("configuration ", 1)[-1].split(" ", 1)[0]
            raise ModelLoadError(f"{model.path}: CTranslate2 {ctranslate2.__version__} cannot convert a model of this "
                                 f"kind ({kind}); translate with --engine transformers.") from None
        raise ModelLoadError(f"{model.path}: CTranslate2 could not convert it ({exc}).") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _converter_class():
    """CTranslate2's converter, told what transformers 5 no longer says: a T5 config reports
    ``tie_word_embeddings=True`` whatever its file holds (transformers scales the decoder's output
    only where the file did not say false, ``scale_decoder_outputs``), and the converter reads it as
    "scale the output by d_model^-0.5": a MADLAD conversion would then score every beam wrongly."""
    import ctranslate2

    class Converter(ctranslate2.converters.TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            loaded = super().load_model(model_class, model_name_or_path, **kwargs)
            scale = getattr(loaded.config, "scale_decoder_outputs", None)
            if scale is not None:
                loaded.config.tie_word_embeddings = bool(scale)
            return loaded

    return Converter


@dataclass(frozen=True)
class LocalModel:
    name: str
    path: Path
    revision: str
    size_mb: float


def list_models(models_root: str | Path | None = None) -> list[LocalModel]:
    """Every model directory under the models folder (a folder with a config.json)."""
    root = models_dir(models_root)
    if not root.is_dir():
        return []
    found = []
    for config in sorted(root.rglob("config.json")):
        path = config.parent
        if ".cache" in path.parts or ".ct2-" in path.name:
            continue
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        found.append(LocalModel(path.relative_to(root).as_posix(), path, _revision_of(path), size / 1e6))
    return found
