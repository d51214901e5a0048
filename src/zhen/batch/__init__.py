"""Batch jobs over archives of releases: resumable, never translating a segment twice, exportable.

``run_batch(source, outdir, pipeline, ...)`` reads every document of a folder, archive or JSONL file
(:mod:`zhen.batch.sources`), translates each through the same :class:`~zhen.pipeline.Pipeline` as
the CLI, and writes its outputs under ``outdir`` mirroring the input's paths. The job's state is in
``outdir/.zhen-job/job.sqlite`` (:mod:`zhen.batch.ledger`): re-running the same command after a
crash or ``kill -9`` skips what is done and redoes the document that was in flight, so the outputs
are byte-identical to an uninterrupted run. ``outdir/manifest.jsonl`` lists every document with its
status, reason, checksums and counts, and ``outdir/report.json`` the run's totals and time.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ZhenError
from ..exporters import EXPORTERS
from ..files import output_failure, write_atomic
from ..readers import read_bytes
from ..requirements import placement_stats
from ..pipeline import engine_inputs
from ..release import Release
from .ledger import Ledger, MemoryEngine, sha256
from .sources import JOB_DIR, Limits, iter_items

#: segments per planned chunk: one ``translate_batch`` call, one unit of work for a Ray actor
CHUNK_SEGMENTS = 64

FORMATS = tuple(EXPORTERS)
#: the job's own files in the output folder; no document's output may take their names
JOB_FILES = ("manifest.jsonl", "report.json", "translation-memory.tmx")


class BatchSettingsError(ZhenError):
    exit_code = 2


class BatchBusyError(ZhenError):
    """Another ``zhen batch`` holds the job folder."""

    exit_code = 11


@contextmanager
def job_lock(outdir: Path):
    """Hold ``outdir``'s job for the duration (an exclusive lock on ``.zhen-job/lock``); a second
    job on the same folder is refused at once, naming the one that holds it. (No lock where the
    system has no ``fcntl``.)"""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    folder = outdir / JOB_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / "lock", "a+", encoding="utf-8")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise BatchBusyError(f"{outdir}: another zhen batch ({holder}) is working on this folder; wait for it to "
                             "finish and run this command again (it resumes), or use another -o folder.") from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@dataclass
class BatchReport:
    documents: int = 0
    done: int = 0
    reused: int = 0  # done by an earlier run of the same job
    failed: int = 0
    refused: int = 0
    skipped: int = 0
    segments: int = 0
    translated: int = 0  # segment requests the engine translated in this run
    memory_hits: int = 0  # segment requests answered by the memory (other documents, earlier runs)
    terms_total: int = 0
    terms_placed: int = 0
    terms_without_last_resort: int = 0
    fidelity_total: int = 0
    fidelity_placed: int = 0
    review_segments: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        rate = f"{self.segments / self.seconds:.1f}" if self.seconds else "-"
        return (f"batch: {self.documents} documents: {self.done} translated"
                + (f" ({self.reused} done by an earlier run)" if self.reused else "")
                + f", {self.failed} failed, {self.refused} refused, {self.skipped} skipped; "
                f"{self.segments} segments ({self.translated} translated, {self.memory_hits} requests from memory), "
                f"{rate} segments/s; "
                f"terms {self.terms_placed}/{self.terms_total} placed "
                f"({self.terms_without_last_resort} without last resort); numbers/dates/names "
                f"{self.fidelity_placed}/{self.fidelity_total}; {self.review_segments} segments for review; "
                f"{self.seconds:.1f} s")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def check_formats(formats) -> None:
    """Refuse an empty or unknown output format, before anything is read or loaded."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BatchSettingsError(f"unknown format(s) {', '.join(unknown) or '(none given)'}; "
                                 f"choose from {', '.join(FORMATS)}.")


def output_path(outdir: Path, rel: str, fmt: str, *, keep_suffix: bool = False) -> Path:
    """``outdir/<rel without its suffix>.<fmt>`` (with ``keep_suffix``, ``<rel>.<fmt>``), and
    never outside ``outdir``."""
    stem = rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] and not keep_suffix else rel
    path = (outdir / f"{stem}.{'xlf' if fmt == 'xliff' else fmt}").resolve()
    if not path.is_relative_to(outdir.resolve()):
        raise ValueError(f"{rel}: would be written outside {outdir}")
    return path


class OutputNames:
    """Output files of a job, each written once: a document whose outputs would take a name
    already given (``release.txt`` and ``release.md`` both → ``release.json``; a document named
    like the job's ``report.json``) keeps its input suffix (``release.md.json``), and ``~2``,
    ``~3`` after that. Documents come in the listing's stable order, so a resumed job names
    them the same way; outputs recorded by an earlier run are taken first."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.used = {self._key(outdir / name) for name in JOB_FILES}

    @staticmethod
    def _key(path: Path) -> str:
        return str(path.resolve()).casefold()  # one file on a case-insensitive disk

    def take(self, paths) -> None:
        self.used |= {self._key(self.outdir / p) for p in paths}

    def assign(self, rel: str, formats) -> dict[str, Path]:
        # (name, keep its suffix): release.json, then release.md.json, then release.md~2.json, …
        candidates = [(rel, False), (rel, True)] + [(f"{rel}~{n}", True) for n in range(2, 1000)]
        for name, keep_suffix in candidates:
            paths = {fmt: output_path(self.outdir, name, fmt, keep_suffix=keep_suffix) for fmt in formats}
            if not {self._key(p) for p in paths.values()} & self.used and len(set(paths.values())) == len(paths):
                self.used |= {self._key(p) for p in paths.values()}
                return paths
        raise ValueError(f"{rel}: no free output name")


def run_batch(source: Path, outdir: Path, pipeline, *, formats: tuple[str, ...] = ("json", "md"),
              summarize: bool = False, limits: Limits = Limits(), progress: Callable | None = None,
              runner=None, chunk_progress: Callable | None = None,
              planned: Callable[[int], None] | None = None) -> BatchReport:
    """Translate every document of ``source`` into ``outdir``; see the module's docstring.

    Three passes, each resumable: (1) plan: the input is listed and every pending document read
    and segmented, once: its segmented release (what each segment must contain included) is kept
    in the ledger, keyed by its checksum, and the segments not yet in the memory are planned in
    fixed chunks; (2) translate the open chunks (``runner``: this process by default, or
    :class:`~zhen.batch.runners.RayRunner`), committing each to the memory; (3) translate each
    planned release, now answered from the memory, and write its outputs. ``planned(documents)``
    is called after pass 1, ``chunk_progress(segments)`` after each chunk of pass 2 and
    ``progress(item_path, segments_done)`` after each document of pass 3."""
    check_formats(formats)
    outdir.mkdir(parents=True, exist_ok=True)
    with job_lock(outdir):
        try:
            return _run(source, outdir, pipeline, formats, summarize, limits, progress, runner, chunk_progress,
                        planned)
        except OSError as exc:
            failure = output_failure(exc, outdir)
            if failure is None:
                raise
            raise failure from None
        except sqlite3.OperationalError as exc:  # the ledger: "database or disk is full"
            if "full" not in str(exc) and "readonly" not in str(exc):
                raise
            raise output_failure(OSError(errno.ENOSPC, str(exc)), outdir) from None


def _run(source: Path, outdir: Path, pipeline, formats, summarize, limits, progress, runner, chunk_progress,
         planned) -> BatchReport:
    started = time.monotonic()
    ledger = Ledger(outdir / JOB_DIR / "job.sqlite")
    settings = {"signature": pipeline.signature(), "formats": sorted(formats), "summarize": summarize}
    previous = ledger.settings()
    if previous is not None and previous != settings:
        ledger.close()
        raise BatchSettingsError(
            f"{outdir} holds a job made with other settings ({_diff(previous, settings)}); use a new -o folder, "
            "or the same settings to resume it.")
    ledger.set_settings(settings)
    memory = MemoryEngine(pipeline.engine, ledger, sha256(json.dumps(settings["signature"], sort_keys=True).encode()))
    pipe = dataclasses.replace(pipeline, engine=memory)
    report = BatchReport()
    try:
        entries = _plan(source, outdir, limits, pipeline, memory, ledger)
        if planned:
            planned(len(entries))
        from .runners import LocalRunner

        chunks = ledger.open_chunks()
        by_id = dict(chunks)
        for chunk_id, hyps in (runner or LocalRunner(pipeline.engine)).run(chunks):
            items = by_id[chunk_id]
            ledger.add_memory([memory.row(key, request, hyp) for (key, request), hyp in zip(items, hyps)])
            report.translated += len(items)
            if chunk_progress:
                chunk_progress(len(items))
        names = OutputNames(outdir)
        for entry in entries:
            report.documents += 1
            _one(entry, outdir, pipe, memory, ledger, formats, summarize, report, names)
            if progress:
                progress(entry.path, report.segments)
        _write_manifest(outdir, ledger, settings)
        _export_memory(outdir, ledger, settings["signature"])
    finally:
        ledger.close()
    report.translated += memory.misses  # (none expected: pass 2 translated what pass 3 asks for)
    report.memory_hits = memory.hits + memory.misses - report.translated
    report.seconds = time.monotonic() - started
    _write_atomic(outdir / "report.json", json.dumps(dataclasses.asdict(report), indent=1).encode())
    return report


@dataclass
class Entry:
    """A document of the job as pass 1 found it: ``pending`` (its segmented release is in the
    ledger under ``key``), or ``refused``/``skipped``/``failed`` with the reason."""

    path: str
    status: str
    reason: str | None = None
    digest: str | None = None
    key: str | None = None


def _plan(source: Path, outdir: Path, limits: Limits, pipeline, memory: MemoryEngine,
          ledger: Ledger) -> list[Entry]:
    """Pass 1: list the input once; read and segment each document not done before (or take its
    segmented release from the ledger, when an earlier run of the job made it), and plan its
    segments. A document that cannot be read is a ``failed`` entry; the job goes on."""
    entries: list[Entry] = []
    requests: list[tuple[str, dict]] = []
    for item in iter_items(source, limits, exclude=outdir):
        if item.status != "pending":
            entries.append(Entry(item.path, item.status, item.reason))
            continue
        digest = sha256(item.data)
        # the same bytes under the same kind of name are read the same way: prepared once
        entry = Entry(item.path, "pending", digest=digest, key=f"{digest}:{_suffix(item.path)}")
        entries.append(entry)
        if _done_before(ledger, item.path, digest):
            continue
        try:
            release = _prepared(ledger, entry.key)
            if release is None:
                release = pipeline.segment(read_bytes(item.data, item.path.rsplit("/", 1)[-1],
                                                      max_bytes=pipeline.max_input_bytes,
                                                      whole_page=pipeline.whole_page))
                ledger.prepare(entry.key, json.dumps(release.to_dict(), ensure_ascii=False))
        except Exception as exc:  # noqa: BLE001 — one document's failure never stops the job
            entry.status, entry.reason = "failed", _reason(exc)
            continue
        texts, constraints, anchors = engine_inputs([release])
        requests += [(memory.key(t, c), {"text": t, "constraints": c, "anchors": a})
                     for t, c, a in zip(texts, constraints, anchors)]
    ledger.plan(requests, CHUNK_SEGMENTS)
    return entries


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _prepared(ledger: Ledger, key: str) -> Release | None:
    data = ledger.prepared(key)
    return Release.from_dict(json.loads(data)) if data is not None else None


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ZhenError) else f"{type(exc).__name__}: {exc}"


def _done_before(ledger: Ledger, path: str, digest: str) -> dict | None:
    """The ledger's row for ``path`` if an earlier run finished this very input, else ``None``."""
    done = ledger.doc(path)
    return done if done and done["status"] == "done" and done["input_sha256"] == digest else None


def _diff(a: dict, b: dict) -> str:
    keys = sorted({*a, *b} - {"signature"}) + sorted(
        f"signature.{k}" for k in {*a.get("signature", {}), *b.get("signature", {})}
        if a.get("signature", {}).get(k) != b.get("signature", {}).get(k))
    return ", ".join(k for k in keys if k.startswith("signature.") or a.get(k) != b.get(k)) or "settings"


def _one(entry: Entry, outdir: Path, pipe, memory: MemoryEngine, ledger: Ledger, formats, summarize,
         report: BatchReport, names: OutputNames) -> None:
    if entry.status in ("refused", "skipped", "failed"):
        setattr(report, entry.status, getattr(report, entry.status) + 1)
        report.problems.append(f"{entry.path}: {entry.status}: {entry.reason}")
        ledger.record(entry.path, entry.status, reason=entry.reason, input_sha256=entry.digest)
        return
    done = _done_before(ledger, entry.path, entry.digest)
    if done:
        names.take(o["path"] for o in (done["outputs"] or {}).values())
        report.done += 1
        report.reused += 1
        _count(report, done["stats"])
        return
    t0 = time.monotonic()
    try:
        release = _prepared(ledger, entry.key)
        release.origin = entry.path  # where it stands in the job's input, for the outputs that say so
        translated = pipe.translate(release)
        outputs: dict[str, dict] = {}
        from ..exporters import render

        rendered = {fmt: render(translated, fmt) for fmt in formats}
        if summarize:
            from ..summarizer import summarize as make_summary
            from ..summarizer import to_markdown

            rendered["summary.md"] = to_markdown(make_summary(translated, sentences=3), notes=True)
        paths = names.assign(entry.path, list(rendered))
        for fmt, data in rendered.items():
            blob = data if isinstance(data, bytes) else data.encode("utf-8")
            path = paths[fmt]
            _write_atomic(path, blob)
            outputs[fmt] = {"path": path.relative_to(outdir.resolve()).as_posix(), "sha256": sha256(blob)}
        stats = _stats(translated)
    except Exception as exc:  # noqa: BLE001 — recorded with its message; the job goes on
        memory.take_pending()  # nothing of a failed document goes into the memory
        if isinstance(exc, OSError) and output_failure(exc, outdir):
            raise  # the disk, not the document: the job stops, and resumes from here
        reason = _reason(exc)
        report.failed += 1
        report.problems.append(f"{entry.path}: failed: {reason}")
        ledger.record(entry.path, "failed", reason=reason, input_sha256=entry.digest)
        return
    ledger.record(entry.path, "done", input_sha256=entry.digest, outputs=outputs, stats=stats,
                  seconds=time.monotonic() - t0, memory=memory.take_pending())
    report.done += 1
    _count(report, stats)


def _stats(release) -> dict:
    s = placement_stats(release.segments())
    t, f = s["terms"], s["fidelity"]
    return {"segments": len(release.segments()), "terms_total": t.total, "terms_placed": t.placed,
            "terms_without_last_resort": t.without_last_resort, "fidelity_total": f.total,
            "fidelity_placed": f.placed, "review_segments": sum(x.review for x in release.segments())}


def _count(report: BatchReport, stats: dict) -> None:
    for key, value in stats.items():
        setattr(report, key, getattr(report, key) + value)


def _write_manifest(outdir: Path, ledger: Ledger, settings: dict) -> None:
    lines = []
    for path, doc in ledger.all_docs():
        lines.append(json.dumps({"path": path, "status": doc["status"], "reason": doc["reason"],
                                 "input_sha256": doc["input_sha256"], "outputs": doc["outputs"],
                                 **doc["stats"], "signature": settings["signature"]},
                                ensure_ascii=False, sort_keys=True))
    _write_atomic(outdir / "manifest.jsonl", "".join(line + "\n" for line in lines).encode("utf-8"))  # empty: no documents


def _export_memory(outdir: Path, ledger: Ledger, signature: dict) -> None:
    from ..exporters.tmx import render_units

    units = [(s, t, []) for s, t in ledger.memory_units()]
    _write_atomic(outdir / "translation-memory.tmx", render_units(units, signature))
