"""The job ledger and translation memory: one SQLite file in ``OUTDIR/.zhen-job/``.

The ledger has a row per document (status, reason, input checksum, output checksums, counts); the
memory has a row per translated segment, keyed by its normalized source, its requirements and the
settings that made it. A document's memory rows and its ``done`` row are committed in one
transaction after its output files are in place, so a job killed at any moment resumes with the
ledger and memory exactly as an uninterrupted run had them at that document.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engines.base import Hypothesis, Progress

SCHEMA = """
CREATE TABLE IF NOT EXISTS job (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    path TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, input_sha256 TEXT,
    outputs TEXT, stats TEXT, seconds REAL);
CREATE TABLE IF NOT EXISTS memory (
    key TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL, score REAL, tokens INTEGER,
    settings TEXT NOT NULL, capped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS prepared (key TEXT PRIMARY KEY, release TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS plan (
    key TEXT PRIMARY KEY, chunk INTEGER NOT NULL, seq INTEGER NOT NULL, request TEXT NOT NULL);
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_source(text: str) -> str:
    """What makes two segments "the same" for the memory: NFKC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(memory)")}
        if "capped" not in columns:  # a ledger written before decoding's length cap was recorded
            self.db.execute("ALTER TABLE memory ADD COLUMN capped INTEGER NOT NULL DEFAULT 0")

    # --- the job's settings -------------------------------------------------------------
    def settings(self) -> dict | None:
        row = self.db.execute("SELECT value FROM job WHERE key='settings'").fetchone()
        return json.loads(row[0]) if row else None

    def set_settings(self, settings: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO job VALUES ('settings', ?)", (json.dumps(settings, sort_keys=True),))

    # --- documents ----------------------------------------------------------------------
    def doc(self, path: str) -> dict | None:
        row = self.db.execute("SELECT status, reason, input_sha256, outputs, stats FROM docs WHERE path=?",
                              (path,)).fetchone()
        if row is None:
            return None
        return {"status": row[0], "reason": row[1], "input_sha256": row[2],
                "outputs": json.loads(row[3] or "{}"), "stats": json.loads(row[4] or "{}")}

    def record(self, path: str, status: str, *, reason: str | None = None, input_sha256: str | None = None,
               outputs: dict | None = None, stats: dict | None = None, seconds: float = 0.0,
               memory: list[tuple] = ()) -> None:
        """The document's row and its memory entries, in one transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO memory VALUES (?, ?, ?, ?, ?, ?, ?)", memory)
            self.db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (path, status, reason, input_sha256, json.dumps(outputs or {}, sort_keys=True),
                             json.dumps(stats or {}, sort_keys=True), seconds))

    def all_docs(self) -> list[tuple[str, dict]]:
        rows = self.db.execute("SELECT path FROM docs ORDER BY path").fetchall()
        return [(r[0], self.doc(r[0])) for r in rows]

    # --- memory -------------------------------------------------------------------------
    def lookup(self, keys: list[str]) -> dict[str, Hypothesis]:
        found: dict[str, Hypothesis] = {}
        for k in range(0, len(keys), 500):
            chunk = keys[k : k + 500]
            marks = ",".join("?" * len(chunk))
            for key, target, score, tokens, capped in self.db.execute(
                    f"SELECT key, target, score, tokens, capped FROM memory WHERE key IN ({marks})", chunk):
                found[key] = Hypothesis(target, score, tokens, capped=bool(capped))
        return found

    # --- documents read and segmented by pass 1, by input checksum -----------------------
    def prepared(self, key: str) -> str | None:
        row = self.db.execute("SELECT release FROM prepared WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def prepare(self, key: str, release_json: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO prepared VALUES (?, ?)", (key, release_json))

    # --- the plan: the job's new segments, in fixed chunks --------------------------------
    def plan(self, requests: list[tuple[str, dict]], chunk_size: int) -> None:
        """Add ``(key, request)`` pairs not yet planned nor in the memory, in order, to chunks of
        ``chunk_size``. A chunk, once planned, never changes: a resumed job translates exactly the
        same segments together as an uninterrupted one, so the outputs are the same."""
        planned = {k for (k,) in self.db.execute("SELECT key FROM plan")}
        new = []
        for k, r in requests:  # first appearance only: a segment is translated once per job
            if k not in planned:
                planned.add(k)
                new.append((k, r))
        known = self.lookup([k for k, _ in new])
        new = [(k, r) for k, r in new if k not in known]
        if not new:
            return
        top = self.db.execute("SELECT coalesce(max(chunk), -1), coalesce(max(seq), -1) FROM plan").fetchone()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for n, (key, request) in enumerate(new):
                self.db.execute("INSERT INTO plan VALUES (?, ?, ?, ?)",
                                (key, top[0] + 1 + n // chunk_size, top[1] + 1 + n, json.dumps(request, ensure_ascii=False)))

    def open_chunks(self) -> list[tuple[int, list[tuple[str, dict]]]]:
        """Planned chunks with a segment not yet in the memory, each whole, in order."""
        rows = self.db.execute(
            "SELECT p.chunk, p.key, p.request, m.key IS NULL FROM plan p LEFT JOIN memory m ON m.key = p.key "
            "ORDER BY p.chunk, p.seq").fetchall()
        chunks: dict[int, list] = {}
        open_ids = {c for c, _, _, missing in rows if missing}
        for chunk, key, request, _ in rows:
            if chunk in open_ids:
                chunks.setdefault(chunk, []).append((key, json.loads(request)))
        return sorted(chunks.items())

    def add_memory(self, rows: list[tuple]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO memory VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def memory_units(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT source, target FROM memory ORDER BY source, target").fetchall()

    def close(self) -> None:
        self.db.close()


class _InFront:
    """An engine placed in front of ``inner``: sizes, counts and signature are the inner engine's."""

    inner: Any

    @property
    def max_source_tokens(self) -> int:
        return self.inner.max_source_tokens

    @property
    def max_target_tokens(self) -> int:
        return self.inner.max_target_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def count_target_tokens(self, text: str) -> int:
        return self.inner.count_target_tokens(text)

    def signature(self) -> dict[str, Any]:
        return self.inner.signature()


@dataclass
class MemoryEngine(_InFront):
    """An engine in front of another: segments already in the memory with the same settings and
    requirements are not translated again; new ones are held until the document is recorded."""

    inner: Any
    ledger: Ledger
    settings: str  # a hash of everything that changes the output
    hits: int = 0
    misses: int = 0

    def __post_init__(self) -> None:
        self.name = self.inner.name
        self.options = self.inner.options
        self.pending: dict[str, tuple] = {}

    def key(self, text: str, constraints: list[list[str]]) -> str:
        return sha256(json.dumps([self.settings, normalize_source(text), constraints], ensure_ascii=False).encode())

    def translate_batch(self, texts: list[str], *, constraints=None, anchors=None,
                        progress: Progress | None = None) -> list[Hypothesis]:
        cons = constraints or [[] for _ in texts]
        keys = [self.key(t, c) for t, c in zip(texts, cons)]
        known = self.ledger.lookup(keys)
        known.update({k: Hypothesis(*v[2:5], capped=bool(v[6])) for k, v in self.pending.items() if k in keys})
        todo = [i for i, k in enumerate(keys) if k not in known]
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if progress and len(texts) - len(todo):
            progress(len(texts) - len(todo))
        fresh = self.inner.translate_batch(
            [texts[i] for i in todo], constraints=[cons[i] for i in todo],
            anchors=[anchors[i] for i in todo] if anchors else None, progress=progress) if todo else []
        for i, hyp in zip(todo, fresh):
            known[keys[i]] = hyp
            self.pending[keys[i]] = self.row(keys[i], {"text": texts[i]}, hyp)
        return [known[k] for k in keys]

    def row(self, key: str, request: dict, hyp: Hypothesis) -> tuple:
        return (key, request["text"].strip(), hyp.text, hyp.score, hyp.tokens, self.settings, int(hyp.capped))

    def with_options(self, options) -> MemoryEngine:
        """The memory in front of the inner engine with other decoding ``options`` (a quality
        retry): its outputs are remembered under keys of their own, and committed with the
        document like the rest."""
        from dataclasses import asdict

        extra = json.dumps(asdict(options), sort_keys=True)
        other = MemoryEngine(self.inner.with_options(options), self.ledger, sha256(f"{self.settings}|{extra}".encode()))
        other.pending = self.pending
        return other

    def take_pending(self) -> list[tuple]:
        rows, self.pending = list(self.pending.values()), {}
        return rows
