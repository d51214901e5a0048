"""The WMT 2025 terminology task's zh→en documents (``../shared/data/wmt25-terminology-zhen``).

The data is never shipped with zhen (CC BY-NC 4.0). It is found at an explicit path, else
``$ZHEN_WMT25_DATA``, else ``../shared/data/wmt25-terminology-zhen`` beside the checkout.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ZH_EN_YEARS = (2016, 2018, 2020, 2022, 2024)


@dataclass(frozen=True)
class Document:
    year: int
    index: int
    zh: str
    en: str
    proper: dict[str, list[str]]


def data_dir(explicit: str | Path | None = None) -> Path | None:
    """Where the data is, or ``None`` when it is not on this machine."""
    candidates = [explicit, os.environ.get("ZHEN_WMT25_DATA"),
                  Path(__file__).resolve().parents[3] / "shared" / "data" / "wmt25-terminology-zhen",
                  Path.cwd().parent / "shared" / "data" / "wmt25-terminology-zhen"]
    for c in candidates:
        if c and (Path(c) / "references").is_dir():
            return Path(c)
    return None


def load_year(year: int, root: str | Path | None = None) -> list[Document]:
    folder = data_dir(root)
    if folder is None:
        raise FileNotFoundError("WMT25 terminology data not found: set ZHEN_WMT25_DATA to its folder")
    docs = []
    with open(folder / "references" / f"full_data_{year}.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            d = json.loads(line)
            docs.append(Document(year, i, d["zh"], d["en"], d["proper"]))
    return docs
