"""Readers turn what staff receive (.txt/.md, saved .html pages, .docx) into a :class:`Release`.

One reader per format, looked up by name and imported on first use. Every reader reduces its
document to lines and lets :mod:`zhen.pagechrome` decide what is title, metadata, chrome and body,
so the rules are the same whatever the format, and a damaged source is repaired there
(:mod:`zhen.normalize`), each paragraph keeping its text as it was.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from ..errors import InputError, ZhenError
from ..release import Release

#: Larger inputs are refused: a release is tens of kilobytes; megabytes mean a wrong file.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

READERS: dict[str, str] = {
    "text": "zhen.readers.text:read_text",
    "html": "zhen.readers.html:read_html",
    "docx": "zhen.readers.docx:read_docx",
}
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".docx": "docx",
}


def _too_large(name: str, size: int, max_bytes: int) -> InputError:
    mb = 1024 * 1024
    return InputError(
        f"{name}: is {size / mb:.1f} MB, over the {max_bytes / mb:g} MB limit for one release; "
        "split it, or raise the limit with --max-input-mb."
    )


def _reader(fmt: str) -> Callable[[bytes, str], Release]:
    module, func = READERS[fmt].split(":")
    return getattr(importlib.import_module(module), func)


def sniff_format(data: bytes, name: str) -> str:
    """The format by extension, else by content."""
    ext = Path(name).suffix.lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536]:
            return "docx"
        raise InputError(f"{name}: is a zip archive, not a release; unpack it first (or use `zhen batch`).")
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<!doctype html", b"\xef\xbb\xbf<html")):
        return "html"
    return "text"


def read_bytes(data: bytes, name: str = "<input>", *, format: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, whole_page: bool = False) -> Release:
    """Read a release from bytes; ``name`` is used in messages and to guess the format. A web page
    with no article body (navigation, captions, a listing) is refused unless ``whole_page``."""
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    fmt = format or sniff_format(data, name)
    if fmt not in READERS:
        raise InputError(f"{name}: unknown format {fmt!r}; use one of {', '.join(READERS)}.")
    reader = _reader(fmt)
    try:
        release = reader(data, name)
    except ZhenError:
        raise
    except Exception as exc:  # a damaged file, whatever the library reading it raises
        raise InputError(f"{name}: could not be read as {fmt} ({type(exc).__name__}: {exc}); the file may be "
                         f"damaged: open and save it again, or save it as .txt.") from None
    if not any(p.text.strip() for p in release.paragraphs):
        raise InputError(f"{name}: no text found after removing page chrome; is this the right file?")
    if fmt == "html" and not whole_page and not any(p.kind == "body" and p.text.strip() for p in release.paragraphs):
        raise InputError(f"{name}: no article found in this page (only navigation, captions or a listing); save the "
                         f"article's own page, or give --whole-page to translate every line as it is.")
    return release


def read_path(path: str | Path, *, format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
              whole_page: bool = False) -> Release:
    """Read a release from a file, refusing what is missing, unreadable or too large."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise InputError(f"{p}: is not a file; give zhen the path of a release.")
        if size > max_bytes:
            raise _too_large(str(p), size, max_bytes)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file; check the path.") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied; check the file's permissions.") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; give a file (or use `zhen batch` for folders).") from None
    release = read_bytes(data, str(p), format=format, max_bytes=max_bytes, whole_page=whole_page)
    release.origin = str(p)
    return release


def _is_file(text: str) -> bool:
    """Whether ``text`` names an existing path (a line of Chinese longer than the system's
    file-name limit is text, not an error)."""
    try:
        return Path(text).exists()
    except (OSError, ValueError):
        return False


def read_release(source: str | Path | bytes, *, format: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, whole_page: bool = False) -> Release:
    """A path, raw bytes, or the text of a release itself, whichever ``source`` is."""
    if isinstance(source, bytes):
        return read_bytes(source, format=format, max_bytes=max_bytes, whole_page=whole_page)
    if isinstance(source, Path):
        return read_path(source, format=format, max_bytes=max_bytes, whole_page=whole_page)
    if "\n" not in source and len(source) < 4096 and _is_file(source):
        return read_path(source, format=format, max_bytes=max_bytes, whole_page=whole_page)
    return read_bytes(source.encode("utf-8"), "<text>", format=format or "text", max_bytes=max_bytes)
