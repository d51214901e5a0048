"""Evaluation suites: a TOML file in ``eval/`` that says what to score, so anyone can re-run it.

``kind = "wmt25-terminology"`` reads the task's documents and every submitted system found for the
listed years and modes (a system is ``team/mode``); zhen itself is added with ``--model``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .evaluate import EvalError, System, TestSet, hypotheses_from_file, read_jsonl
from .wmt25 import data_dir


@dataclass
class Suite:
    name: str
    testset: TestSet
    systems: list[System]
    baseline: str | None = None
    bootstrap: int = 1000
    metrics: tuple[str, ...] = ()
    published: dict = field(default_factory=dict)
    years: list[int] = field(default_factory=list)


def load_suite(path: str | Path, *, data: str | Path | None = None, years: list[int] | None = None) -> Suite:
    p = Path(path)
    try:
        spec = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{p}: no such suite file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise EvalError(f"{p}: is not valid TOML ({exc}).") from None
    if spec.get("kind") != "wmt25-terminology":
        raise EvalError(f"{p}: unknown suite kind {spec.get('kind')!r}; this zhen knows 'wmt25-terminology'.")
    root = data_dir(data)
    if root is None:
        raise EvalError("the WMT25 terminology data is not on this machine: set ZHEN_WMT25_DATA or pass --data.")
    years = [int(y) for y in (years or spec["years"])]
    sources, refs, dicts = [], [], []
    for y in years:
        for d in read_jsonl(root / "references" / f"full_data_{y}.jsonl"):
            sources.append(d["zh"])
            refs.append(d["en"])
            dicts.append(d["proper"])
    testset = TestSet(spec.get("name", p.stem), sources, [refs], dicts, str(root))
    systems = []
    for team_dir in sorted((root / "submissions").iterdir()):
        for mode in spec.get("modes", ["noterm", "proper"]):
            files = [team_dir / f"{team_dir.name}.{y}.zhen.{mode}.jsonl" for y in years]
            if not all(f.is_file() for f in files):
                continue
            hyps: list[str] = []
            for y, f in zip(years, files):
                part = TestSet(f"{team_dir.name} {y}", _year_slice(testset, years, y, root), [], None)
                hyps += hypotheses_from_file(f, part).hypotheses
            systems.append(System(f"{team_dir.name}/{mode}", hyps, str(team_dir)))
    published = {}
    pub_file = root / "published_scores_zhen.json"
    if pub_file.is_file():
        import json

        published = json.loads(pub_file.read_text("utf-8"))
    return Suite(testset.name, testset, systems, spec.get("baseline"), int(spec.get("bootstrap", 1000)),
                 tuple(spec.get("metrics", ())), published, years)


def _year_slice(testset: TestSet, years: list[int], year: int, root: Path) -> list[str]:
    start = 0
    for y in years:
        n = sum(1 for line in open(root / "references" / f"full_data_{y}.jsonl", encoding="utf-8") if line.strip())
        if y == year:
            return testset.sources[start : start + n]
        start += n
    raise EvalError(f"year {year} not in the suite")
