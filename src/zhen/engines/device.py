"""Where a model runs: ``--device auto|cpu|cuda``, and what it computes in there.

``auto`` takes a CUDA GPU when one is visible (to torch for the transformers engine, to CTranslate2
for the ct2 engine), else the CPU. On a GPU the transformers engine computes in bfloat16 where the
GPU supports it (else float16) and the ct2 engine in float16, unless ``--compute-type`` says
otherwise; on the CPU, float32 (the ct2 engine: int8 where the CPU computes it exactly, :mod:`zhen.cpu`).
"""

from __future__ import annotations

from ..errors import EngineUnavailableError

DEVICES = ("auto", "cpu", "cuda")
#: what each engine may compute in on a GPU
GPU_TYPES = {"transformers": ("bfloat16", "float16", "float32"),
             "ct2": ("float16", "bfloat16", "int8_float16", "int8_bfloat16", "int8", "float32")}


def cuda_devices(engine: str) -> int:
    """How many CUDA GPUs ``engine`` can use here (0 where its library has no CUDA)."""
    try:
        if engine == "ct2":
            import ctranslate2

            return ctranslate2.get_cuda_device_count()
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    except (ImportError, RuntimeError, OSError):
        return 0


def choose_device(asked: str | None, engine: str) -> str:
    """``cpu`` or ``cuda`` for ``asked`` (``auto`` or None: a GPU when there is one)."""
    asked = asked or "auto"
    if asked not in DEVICES:
        raise EngineUnavailableError(f"--device {asked}: choose one of {', '.join(DEVICES)}.")
    if asked == "cpu":
        return "cpu"
    if cuda_devices(engine):
        return "cuda"
    if asked == "cuda":
        lib = "CTranslate2" if engine == "ct2" else "torch"
        raise EngineUnavailableError(f"--device cuda: {lib} sees no CUDA GPU on this machine (a CPU-only build, "
                                     f"or no driver); use --device cpu, or auto to take a GPU only where there is one.")
    return "cpu"


def gpu_compute_type(asked: str | None, engine: str) -> str:
    """What ``engine`` computes in on a GPU: ``asked``, or its default there."""
    allowed = GPU_TYPES[engine]
    if asked in (None, "auto"):
        if engine == "transformers":
            import torch

            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "float16"
    if asked not in allowed:
        raise EngineUnavailableError(f"--compute-type {asked} is not for the {engine} engine on a GPU; choose one of "
                                     f"{', '.join(allowed)}.")
    return asked
