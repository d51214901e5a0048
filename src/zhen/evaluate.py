"""The evaluation harness: score systems against references as the field does, and say how.

A :class:`TestSet` is sources, one or more reference streams and, for terminology suites, one term
dictionary per unit (a unit is a line of a text file, or a whole document of a JSONL file). A
:class:`System` is a name and one hypothesis per unit. :func:`evaluate` scores every system with:

* BLEU, chrF, chrF++ and TER through sacrebleu, with sacrebleu's own signatures;
* term success rate, exactly as the WMT 2025 terminology task defines it (:mod:`zhen.metrics.terms`);
* term consistency (zhen's definition, below) and number fidelity (share of source numbers, dates
  and amounts whose English rendering appears in the hypothesis);

and, with a baseline, runs sacrebleu's paired bootstrap resampling to say which differences are real.

Term consistency here: over every (unit, dictionary entry) whose source term occurs at least twice,
the share of its occurrences rendered with that entry's most used accepted rendering. It is *not*
the task's ``consistency_*`` figures, which need an LLM-based alignment this machine cannot run.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ZhenError

log = logging.getLogger(__name__)

METRICS = ("bleu", "chrf", "chrf++", "ter", "terms", "consistency", "numbers")
#: for summaries, asked for by name (English by word): the summarizer's own scorer
SUMMARY_METRICS = ("rouge1", "rouge2", "rougeL")
#: higher is better for all but TER
LOWER_IS_BETTER = {"ter"}


#: below this many units, paired bootstrap resampling gives no p-values (each resample is nearly the
#: whole small set again, so any difference comes out "significant"); Koehn (2004) used 300 sentences
MIN_BOOTSTRAP_UNITS = 30


class EvalError(ZhenError):
    exit_code = 8


@dataclass
class TestSet:
    name: str
    sources: list[str]
    references: list[list[str]]  # one list per reference stream
    dictionaries: list[dict[str, list[str]]] | None = None
    origin: str = ""

    def __post_init__(self) -> None:
        for i, ref in enumerate(self.references):
            if len(ref) != len(self.sources):
                raise EvalError(f"{self.origin or self.name}: reference {i + 1} has {len(ref)} units, the source "
                                f"has {len(self.sources)}; they must align one to one.")


@dataclass
class System:
    name: str
    hypotheses: list[str]
    origin: str = ""
    signature: dict[str, Any] | None = None


@dataclass
class SystemResult:
    name: str
    scores: dict[str, float]
    p_values: dict[str, float] = field(default_factory=dict)
    signature: dict[str, Any] | None = None
    missed_terms: list[tuple[int, str, list[str], int, int]] = field(default_factory=list)
    worst: list[tuple[int, float]] = field(default_factory=list)  # (unit, sentence chrF)


@dataclass
class EvalReport:
    testset: str
    units: int
    results: list[SystemResult]
    metric_signatures: dict[str, str]
    baseline: str | None = None
    bootstrap: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    def ranked(self, metric: str = "chrf++") -> list[SystemResult]:
        reverse = metric not in LOWER_IS_BETTER
        return sorted(self.results, key=lambda r: r.scores.get(metric, float("nan")), reverse=reverse)


# ------------------------------------------------------------------------------------ reading


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvalError(f"{path}: no such file.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EvalError(f"{path}:{line}: is not UTF-8 (byte {exc.start}); convert the file to UTF-8.") from None


def read_lines(path: str | Path, *, allow_empty: bool = False) -> list[str]:
    """One unit per line; an empty line is refused unless ``allow_empty`` (a failed translation is
    better written as an explicit placeholder than as a silent gap that shifts alignment)."""
    p = Path(path)
    lines = _read_text(p).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise EvalError(f"{p}: is empty.")
    if not allow_empty:
        for i, line in enumerate(lines, 1):
            if not line.strip():
                raise EvalError(f"{p}:{i}: empty line; every line must hold one unit (use --allow-empty to score "
                                "empty hypotheses as empty).")
    return lines


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    p = Path(path)
    docs = []
    for i, line in enumerate(_read_text(p).splitlines(), 1):
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalError(f"{p}:{i}: is not valid JSON ({exc.msg}).") from None
    if not docs:
        raise EvalError(f"{p}: has no documents.")
    return docs


def text_testset(source: str | Path, references: list[str | Path], name: str | None = None) -> TestSet:
    """Line-aligned plain text: a source file and one or more reference files."""
    if not references:
        raise EvalError("give at least one reference file (--ref).")
    src = read_lines(source)
    refs = [read_lines(r) for r in references]
    for r, lines in zip(references, refs):
        if len(lines) != len(src):
            raise EvalError(f"{r}: has {len(lines)} lines, the source {source} has {len(src)}; "
                            "they must align line by line.")
    return TestSet(name or Path(source).stem, src, refs, None, str(source))


def jsonl_testset(paths: list[str | Path], name: str | None = None) -> TestSet:
    """Documents as in the WMT 2025 terminology data: ``zh``, ``en`` and ``proper`` per line."""
    sources, refs, dicts = [], [], []
    for path in paths:
        for i, d in enumerate(read_jsonl(path), 1):
            for key in ("zh", "en"):
                if not isinstance(d.get(key), str) or not d[key].strip():
                    raise EvalError(f"{path}:{i}: document has no {key!r} text.")
            sources.append(d["zh"])
            refs.append(d["en"])
            dicts.append(d.get("proper") or d.get("terms") or {})  # references: proper; submissions: terms
    return TestSet(name or Path(paths[0]).stem, sources, [refs], dicts, ", ".join(map(str, paths)))


def sacrebleu_testset(spec: str) -> TestSet:
    """A named sacrebleu test set, ``wmt20:zh-en``, through sacrebleu's dataset machinery and its
    cache (``$SACREBLEU``, default ``~/.sacrebleu``): a pre-filled cache works offline."""
    from sacrebleu.dataset import DATASETS

    testset, _, langpair = spec.partition(":")
    if testset not in DATASETS:
        raise EvalError(f"unknown sacrebleu test set {testset!r}; `sacrebleu --list` shows them.")
    dataset = DATASETS[testset]
    if langpair not in dataset.langpairs:
        raise EvalError(f"{testset} has no language pair {langpair!r}; it has {', '.join(dataset.langpairs)}.")
    try:
        source_file = dataset.get_source_file(langpair)
        ref_files = dataset.get_reference_files(langpair)
    except Exception as exc:  # sacrebleu downloads on a cache miss; offline that fails
        cache = os.environ.get("SACREBLEU", "~/.sacrebleu")
        raise EvalError(f"{spec} is not in the sacrebleu cache ({cache}) and could not be downloaded ({exc}); "
                        f"run `sacrebleu -t {testset} -l {langpair} --echo src` where the network is "
                        "reachable and copy the cache folder here.") from None
    return text_testset(source_file, ref_files, spec)


def hypotheses_from_file(path: str | Path, testset: TestSet, name: str | None = None, *,
                         allow_empty: bool = False) -> System:
    """A system's output: a text file (a line per unit) or JSONL (``en`` per document; a ``zh``
    field, when present, must match the test set's source, so a misplaced file is caught)."""
    p = Path(path)
    if p.suffix == ".jsonl":
        docs = read_jsonl(p)
        hyps = []
        for i, d in enumerate(docs, 1):
            if not isinstance(d.get("en"), str):
                raise EvalError(f"{p}:{i}: document has no 'en' translation.")
            if not allow_empty and not d["en"].strip():
                raise EvalError(f"{p}:{i}: empty translation.")
            if i <= len(testset.sources) and "zh" in d and d["zh"].strip() != testset.sources[i - 1].strip():
                raise EvalError(f"{p}:{i}: its source ('zh') is not the test set's document {i}; "
                                "is this output for another test set or year?")
            hyps.append(d["en"])
    else:
        hyps = read_lines(p, allow_empty=allow_empty)
    if len(hyps) != len(testset.sources):
        raise EvalError(f"{p}: has {len(hyps)} units, the test set {testset.name} has {len(testset.sources)}.")
    return System(name or p.stem, hyps, str(p))


# ------------------------------------------------------------------------------------ metrics


def _sacrebleu_metrics(names: tuple[str, ...]) -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    made = {"bleu": BLEU(), "chrf": CHRF(), "chrf++": CHRF(word_order=2), "ter": TER()}
    return {k: v for k, v in made.items() if k in names}


def _zhen_metrics(names: tuple[str, ...], *, with_dictionaries: bool) -> dict[str, Any]:
    """zhen's own metrics asked for; the term metrics only where the test set has dictionaries."""
    from .metrics.zhen_metrics import NumberFidelity, TermConsistency, TermSuccess

    made = {"numbers": NumberFidelity()}
    if with_dictionaries:
        made.update({"terms": TermSuccess(), "consistency": TermConsistency()})
    return {k: v for k, v in made.items() if k in names}


def evaluate(testset: TestSet, systems: list[System], *, metrics: tuple[str, ...] = METRICS,
             baseline: str | None = None, bootstrap: int = 1000, worst: int = 5, seed: int = 12345) -> EvalReport:
    """Score every system; with ``baseline`` and ``bootstrap`` > 0, paired bootstrap p-values."""
    unknown = set(metrics) - set(METRICS) - set(SUMMARY_METRICS)
    if unknown:
        raise EvalError(f"unknown metrics {sorted(unknown)}; choose from {', '.join(METRICS + SUMMARY_METRICS)}.")
    if not systems:
        raise EvalError("nothing to score: give at least one system.")
    names = [s.name for s in systems]
    if len(set(names)) != len(names):
        raise EvalError(f"two systems share a name ({[n for n in names if names.count(n) > 1][0]}); name them apart.")
    for s in systems:
        if len(s.hypotheses) != len(testset.sources):
            raise EvalError(f"{s.origin or s.name}: has {len(s.hypotheses)} units, the test set has "
                            f"{len(testset.sources)}.")
    sb = _sacrebleu_metrics(metrics)
    own = _zhen_metrics(metrics, with_dictionaries=testset.dictionaries is not None)
    refs = testset.references
    from sacrebleu.metrics import CHRF

    sentence_chrf = CHRF(word_order=2)
    results = []
    for s in systems:
        scores: dict[str, float] = {}
        for key, metric in sb.items():
            scores[key] = metric.corpus_score(s.hypotheses, refs).score
        missed: list = []
        if "terms" in own:
            ts = own["terms"].corpus_score(testset.sources, s.hypotheses, refs[0], testset.dictionaries)
            scores["terms"] = ts.rate
            missed = ts.misses
        if "consistency" in own:
            scores["consistency"] = own["consistency"].corpus_score(testset.sources, s.hypotheses,
                                                                    testset.dictionaries)
        if "numbers" in own:
            scores["numbers"] = own["numbers"].corpus_score(testset.sources, s.hypotheses)
        if set(SUMMARY_METRICS) & set(metrics):
            from .metrics.rouge import corpus_rouge

            rouge = corpus_rouge(s.hypotheses, refs[0], unit="word")
            scores.update({k: v for k, v in rouge.items() if k in metrics})
        per_unit = [(i, sentence_chrf.sentence_score(h, [r[i] for r in refs]).score)
                    for i, h in enumerate(s.hypotheses)]
        results.append(SystemResult(s.name, scores, signature=s.signature, missed_terms=missed,
                                    worst=sorted(per_unit, key=lambda x: x[1])[:worst]))
    signatures = {k: str(m.get_signature()) for k, m in sb.items()}
    signatures.update({k: m.signature() for k, m in own.items()})
    if baseline and bootstrap > 0 and len(testset.sources) < MIN_BOOTSTRAP_UNITS:
        # resampling a handful of units makes every difference look "significant"
        log.warning("%d units are too few for significance (at least %d): no p-values are given.",
                    len(testset.sources), MIN_BOOTSTRAP_UNITS)
        bootstrap = 0
    report = EvalReport(testset.name, len(testset.sources), results, signatures, baseline, bootstrap)
    if baseline and bootstrap > 0 and len(systems) > 1 and sb:
        _paired_bootstrap(report, testset, systems, sb, baseline, bootstrap, seed)
    return report


def _paired_bootstrap(report, testset, systems, sb, baseline, n, seed) -> None:
    from sacrebleu.significance import PairedTest

    order = sorted(systems, key=lambda s: s.name != baseline)
    if order[0].name != baseline:
        raise EvalError(f"baseline {baseline!r} is not one of the systems ({', '.join(s.name for s in systems)}).")
    os.environ.setdefault("SACREBLEU_SEED", str(seed))
    test = PairedTest([(s.name, s.hypotheses) for s in order], dict(sb), testset.references, test_type="bs",
                      n_samples=n)
    signatures, table = test()
    by_name = {r.name: r for r in report.results}
    # sacrebleu names the columns by the metrics' display names (BLEU, chrF2++), in our order
    columns = [c for c in table if c != "System"]
    for key, column in zip(sb, columns):
        for system_name, result in zip(table["System"], table[column]):
            p = getattr(result, "p_value", None)
            if p is not None:
                by_name[system_name].p_values[key] = float(p)
        if column in signatures:
            report.metric_signatures[key] = str(signatures[column])


# ------------------------------------------------------------------------------------ output


def significance_mark(result: SystemResult, metric: str, alpha: float = 0.05) -> str:
    p = result.p_values.get(metric)
    if p is None:
        return ""
    return "*" if p < alpha else ""


def format_score(metric: str, value: float) -> str:
    if value != value:  # nan
        return "–"
    return f"{value:.4f}" if metric in ("terms", "consistency", "numbers") + SUMMARY_METRICS else f"{value:.2f}"


def print_table(report: EvalReport, metrics: tuple[str, ...] | None = None, file=None) -> None:
    from rich.console import Console
    from rich.table import Table

    present = [m for m in (metrics or METRICS + SUMMARY_METRICS) if any(m in r.scores for r in report.results)]
    table = Table(title=f"{report.testset} ({report.units} units)")
    table.add_column("system")
    for m in present:
        table.add_column(m, justify="right")
    for r in report.ranked("chrf++" if "chrf++" in present else present[0]):
        label = r.name + (" (baseline)" if r.name == report.baseline else "")
        table.add_row(label, *(format_score(m, r.scores[m]) + significance_mark(r, m) if m in r.scores else ""
                               for m in present))
    console = Console(file=file, width=160)
    console.print(table)
    if report.baseline and report.bootstrap:
        console.print(f"* p < 0.05 against {report.baseline}, paired bootstrap resampling, {report.bootstrap} samples")
    for key, sig in report.metric_signatures.items():
        console.print(f"{key}: {sig}")
    for r in report.results:
        if r.signature:
            console.print(f"{r.name}: {r.signature.get('signature', r.signature)}")
    for note in report.notes:
        console.print(note)


def translate_testset(testset: TestSet, pipeline, *, per_unit_glossary: bool = False, progress=None) -> System:
    """zhen's own system: every source unit through the one pipeline (the CLI's), all in one
    engine call (see :func:`translate_units`). With ``per_unit_glossary`` each unit's dictionary is its glossary (the
    terminology task's setting), with nested terms required as the task counts them."""
    from dataclasses import replace as dc_replace

    from .glossary import Glossary

    glossaries = None
    if per_unit_glossary and testset.dictionaries is not None:
        pipeline = dc_replace(pipeline, nested_terms=True)
        glossaries = [Glossary.from_mapping(d, f"unit {i + 1}") for i, d in enumerate(testset.dictionaries)]
    hyps, _ = translate_units(pipeline, testset.sources, glossaries=glossaries, progress=progress)
    from .signature import format_signature

    sig = pipeline.signature()
    if per_unit_glossary:
        sig = {**sig, "glossary": "per-unit dictionary", "nested": "on"}
    return System("zhen", hyps, "pipeline", {"signature": format_signature(sig)})


#: Markdown line markup in a test set's text (``# `` heading, ``- `` bullet, ``1. ``): kept as it is,
#: out of the model's input, and written before the line's English, as references have it
_LINE_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+•]\s+|\d{1,3}[.)]\s+)")


def translate_units(pipeline, sources: list[str], *, glossaries=None, progress=None) -> tuple[list[str], list]:
    """The English of each source unit, line by line as the unit is, and the translated releases
    (their audits). Units are text, never files: they go to :meth:`Pipeline.translate_texts`, not
    through the readers, so a line such as ``来源：新华社`` is translated, not taken for page chrome."""
    from .pipeline import english_lines

    marks = [[_markup(line) for line in src.split("\n")] for src in sources]
    texts = ["\n".join(line[len(m):] for line, m in zip(src.split("\n"), unit)) for src, unit in zip(sources, marks)]
    releases = pipeline.translate_texts(texts, glossaries=glossaries, progress=progress)
    hyps = []
    for unit, release in zip(marks, releases):
        english = english_lines(release)
        english += [""] * (len(unit) - len(english))
        hyps.append("\n".join(m + e if e or not m else m.rstrip() for m, e in zip(unit, english)).strip("\n"))
    return hyps, releases


def _markup(line: str) -> str:
    m = _LINE_MARKUP.match(line)
    return m.group() if m else ""
