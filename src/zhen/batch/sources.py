"""The documents of a batch job: a folder tree, a .zip / .tar.gz archive, or a JSONL file.

Archives are untrusted. An entry is refused, with its reason, when its name is absolute or climbs
out with ``..``, when it is a link or a device, when it is larger than the per-document limit, when
it expands more than ``max_ratio`` times its compressed size, or when the archive's total expanded
size would pass ``max_total``; reading is capped at the limit whatever the header claims. Nothing is
ever extracted to disk: entries are read into memory and the output paths are built from the
checked names only.
"""

from __future__ import annotations

import json
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..errors import InputError
from ..readers import EXTENSIONS

#: the readers' formats (their own list); anything else in a folder or archive is recorded as skipped
SUPPORTED = tuple(EXTENSIONS)


@dataclass(frozen=True)
class Limits:
    max_doc_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0


@dataclass
class Item:
    """One document: its path inside the input (POSIX, checked), its bytes, or why it has none."""

    path: str
    data: bytes | None = None
    status: str = "pending"  # pending, refused, skipped
    reason: str | None = None


def safe_relpath(name: str) -> str | None:
    """``name`` as a relative POSIX path that stays inside the output folder, or ``None``."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def iter_items(source: Path, limits: Limits = Limits(), *, exclude: Path | None = None) -> Iterator[Item]:
    """Every document of ``source`` in a stable order (sorted by path; a tar archive's own order). ``exclude``: a folder never read (the job's own output folder); any
    folder holding a zhen job is skipped too. A path met twice (an archive may hold one name
    twice) gets ``~2``, ``~3`` before its extension, so each document keeps its own record."""
    seen: dict[str, int] = {}
    for item in _items(source, limits, exclude):
        n = seen[item.path] = seen.get(item.path, 0) + 1
        if n > 1:
            stem, dot, ext = item.path.rpartition(".")
            item.path = f"{stem}~{n}.{ext}" if dot and "/" not in ext else f"{item.path}~{n}"
        yield item


def _items(source: Path, limits: Limits, exclude: Path | None) -> Iterator[Item]:
    kind = check_source(source)
    if kind == "folder":
        yield from _folder(source, limits, exclude)
    elif kind == "zip":
        yield from _zip(source, limits)
    elif kind == "tar":
        yield from _tar(source, limits)
    else:
        yield from _jsonl(source, limits)


def check_source(source: Path) -> str:
    """What kind of input ``source`` is (``folder``, ``zip``, ``tar`` or ``jsonl``), or the
    :class:`InputError` that refuses it; cheap (nothing listed), so a job can refuse a wrong
    input before its model loads."""
    name = source.name.lower()
    if source.is_dir():
        return "folder"
    if not source.is_file():
        raise InputError(f"{source}: no such file or folder.")
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        return "tar"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    raise InputError(f"{source}: not a folder, .zip, .tar.gz or .jsonl; batch takes one of those.")


def _kind_check(path: str) -> Item | None:
    if not path.lower().endswith(SUPPORTED):
        return Item(path, status="skipped", reason=f"not a release format ({', '.join(SUPPORTED)})")
    return None


#: the folder zhen keeps a batch job's state in, inside its output folder
JOB_DIR = ".zhen-job"


def _folder(root: Path, limits: Limits, exclude: Path | None = None) -> Iterator[Item]:
    base = root.resolve()
    excluded = exclude.resolve() if exclude is not None else None
    written: set[Path] = set()  # folders that hold a zhen job: what zhen wrote, not input
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in PurePosixPath(rel).parts):
            continue  # hidden files and folders, including a job folder kept inside the input
        if path.is_dir() and not path.is_symlink() and (path / JOB_DIR).is_dir():
            written.add(path)
        if (excluded is not None and path.resolve().is_relative_to(excluded)) or any(
                path.is_relative_to(w) for w in written):
            continue  # the job's output folder, or another job's, inside the input
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(base):
                yield Item(rel, status="refused", reason="a link pointing outside the input folder")
                continue
        if path.is_dir():
            continue
        skipped = _kind_check(rel)
        if skipped:
            yield skipped
            continue
        size = path.stat().st_size
        if size > limits.max_doc_bytes:
            yield Item(rel, status="refused", reason=f"{size / 1e6:.1f} MB, over the {limits.max_doc_bytes / 1e6:.0f} MB limit")
            continue
        yield Item(rel, path.read_bytes())


def _entry(name: str, *, link: str | None = None, special: bool = False) -> tuple[str, Item | None]:
    """An archive entry's checked path, and the record of why it is refused or skipped (if so)."""
    rel = safe_relpath(name)
    if rel is None:
        return name, Item(name, status="refused", reason="path escapes the output folder (absolute or ..)")
    if link:
        return rel, Item(rel, status="refused", reason=link)
    if special:
        return rel, Item(rel, status="refused", reason="not a regular file (device, fifo)")
    return rel, _kind_check(rel)


def _read_capped(fh, limit: int) -> bytes | None:
    data = fh.read(limit + 1)
    return None if len(data) > limit else data


def _zip(path: Path, limits: Limits) -> Iterator[Item]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a readable zip archive ({exc}).") from None
    total = 0
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            rel, verdict = _entry(info.filename, link="a symbolic link" if stat.S_ISLNK(info.external_attr >> 16) else None)
            if verdict:
                yield verdict
                continue
            refused = _size_check(rel, info.file_size, info.compress_size, total, limits)
            if refused:
                yield refused
                continue
            with archive.open(info) as fh:
                data = _read_capped(fh, limits.max_doc_bytes)
            if data is None:
                yield Item(rel, status="refused", reason="expands past the per-document limit (header lied)")
                continue
            total += len(data)
            yield Item(rel, data)


def _size_check(rel: str, size: int, packed: int, total: int, limits: Limits) -> Item | None:
    if size > limits.max_doc_bytes:
        return Item(rel, status="refused", reason=f"{size / 1e6:.1f} MB expanded, over the "
                    f"{limits.max_doc_bytes / 1e6:.0f} MB limit")
    if packed and size / packed > limits.max_ratio and size > 1024 * 1024:
        return Item(rel, status="refused", reason=f"compression ratio {size / packed:.0f}:1, a likely "
                    f"decompression bomb (limit {limits.max_ratio:.0f}:1)")
    if total + size > limits.max_total_bytes:
        return Item(rel, status="refused", reason=f"the archive's expanded total would pass "
                    f"{limits.max_total_bytes / 1e9:.1f} GB")
    return None


def _raw(path: Path):
    """The archive's file, opened once (tests count what is read from it)."""
    return open(path, "rb")


def _tar(path: Path, limits: Limits) -> Iterator[Item]:
    """The archive's documents in its own order, decompressed once, as a stream: a compressed
    archive is never rewound (a tar.gz read member by member in another order is decompressed
    again for each). The compression ratio is judged as the stream goes, on what has been
    decompressed against what has been read of the file, and reading stops at a likely bomb; a
    damaged or truncated archive ends with a record saying so, the documents before it kept."""
    import zlib

    raw = _raw(path)
    try:
        archive = tarfile.open(fileobj=raw, mode="r|*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raw.close()
        raise InputError(f"{path}: not a readable tar archive ({exc}).") from None
    total = 0
    with raw, archive:
        try:
            for member in archive:
                if member.isdir():
                    continue
                link = f"a link (to {member.linkname})" if member.issym() or member.islnk() else None
                rel, verdict = _entry(member.name, link=link, special=not member.isfile())
                if verdict:
                    yield verdict
                    continue
                # a tar.gz is compressed as a whole: the ratio so far, with this member in it
                packed = max(1, raw.tell())
                refused = _size_check(rel, member.size, 0, total, limits)
                if refused is None and (total + member.size) / packed > limits.max_ratio and member.size > 1024 * 1024:
                    yield Item(rel, status="refused", reason=f"the archive expands {(total + member.size) / packed:.0f}:1 "
                               f"so far, a likely decompression bomb (limit {limits.max_ratio:.0f}:1); reading stopped here")
                    return
                if refused:
                    yield refused
                    continue
                fh = archive.extractfile(member)
                data = _read_capped(fh, limits.max_doc_bytes) if fh else None
                if data is None:
                    yield Item(rel, status="refused", reason="could not be read within the per-document limit")
                    continue
                total += len(data)
                yield Item(rel, data)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            yield Item(path.name, status="refused", reason=f"the archive is damaged from here on ({exc or type(exc).__name__}); "
                       "the documents before the damage were read")
def _jsonl(path: Path, limits: Limits) -> Iterator[Item]:
    """One release per line: ``{"text": …}`` and optionally ``"id"`` or ``"path"`` (its output
    name) and ``"title"``. Each becomes ``<id>.txt`` (``line-000001.txt`` without one)."""
    seen: set[str] = set()
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            name = f"line-{n:06d}.txt"
            try:
                obj = json.loads(raw)
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise ValueError('not an object with a "text" string')
            except ValueError as exc:
                yield Item(name, status="refused", reason=f"line {n}: {exc}")
                continue
            given = obj.get("path") or obj.get("id")
            rel = safe_relpath(str(given)) if given is not None else name
            if rel is None:
                yield Item(str(given), status="refused", reason=f"line {n}: its path escapes the output folder")
                continue
            if not rel.lower().endswith(SUPPORTED):
                rel += ".txt"
            if rel in seen:
                yield Item(rel, status="refused", reason=f"line {n}: a second document with this id")
                continue
            seen.add(rel)
            text = obj["text"]
            if obj.get("title"):
                text = f"{obj['title']}\n\n{text}"
            data = text.encode("utf-8")
            if len(data) > limits.max_doc_bytes:
                yield Item(rel, status="refused", reason=f"line {n}: over the {limits.max_doc_bytes / 1e6:.0f} MB limit")
                continue
            yield Item(rel, data)
