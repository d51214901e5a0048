"""What this CPU can compute exactly, and so which CTranslate2 compute type zhen uses by default.

CTranslate2's int8 matrix products (oneDNN's u8s8 kernels) are exact only where the CPU multiplies
8-bit numbers with a 32-bit accumulator: AVX-512 VNNI, AVX-VNNI, AMX, or ARM's dot product. On a
CPU with AVX2 alone, the 8-bit multiply-add (``vpmaddubsw``) adds pairs of products into a
*16-bit* sum that saturates, and the output drifts from the model's: on the suite's tiny model
int8 greedy output scored chrF 54 against float32 on such a machine (26 of 66 segments identical),
93.7 on a VNNI machine. So int8 is the default only where it is exact; elsewhere float32, which on
AVX2 costs little (beam 4, batch 32: 161 vs 175 tokens/s measured there).
"""

from __future__ import annotations

import logging
import platform
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: flags (as Linux's /proc/cpuinfo names them) that give exact 8-bit dot products with 32-bit sums
INT8_DOT_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8", "asimddp")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """This CPU's feature flags (x86 ``flags``, ARM ``Features``); empty where they cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return frozenset({"asimddp"})  # every Apple silicon chip has the ARMv8.2 dot product
    return frozenset()


def int8_dot_flags(flags: frozenset[str] | None = None) -> list[str]:
    """The flags that make int8 exact on this CPU (or on one with ``flags``); empty if none."""
    flags = cpu_flags() if flags is None else flags
    return [f for f in INT8_DOT_FLAGS if f in flags]


def choose_compute_type(asked: str | None, flags: frozenset[str] | None = None) -> tuple[str, str]:
    """The compute type for CTranslate2 on this CPU, and why (for the signature and the user).

    ``asked`` None or ``"auto"``: int8 where the CPU has exact 8-bit dot products, else float32.
    Anything else is the user's choice, kept, with a warning when it is int8 on a CPU without them.
    """
    exact = int8_dot_flags(flags)
    if asked not in (None, "auto"):
        if asked.startswith("int8") and not exact:
            log.warning("--compute-type %s on a CPU without VNNI, AMX or dot-product instructions: "
                        "CTranslate2's int8 output may drift from the model's (float32 is the safe choice here).",
                        asked)
        return asked, "asked"
    if exact:
        return "int8", f"auto: {exact[0]}"
    log.warning("this CPU has no VNNI, AMX or dot-product instructions, where int8 is inexact: "
                "CTranslate2 computes in float32 (--compute-type int8 to insist).")
    return "float32", "auto: no int8 dot product"
