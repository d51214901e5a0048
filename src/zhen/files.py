"""Writing files so that a crash never leaves half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import OutputError

#: errors of the output location, not of a document: a job stops on them instead of going on
OUTPUT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once: os.umask can only be read by setting it, process-wide


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, rename it over ``path``.
    The file gets the permissions a plain ``open`` would give it (mkstemp's are owner-only), so
    colleagues can read a shared output folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(folder: Path, what: str = "output folder") -> None:
    """Refuse, before any work is done, a ``folder`` zhen cannot write a file in (read-only, not a
    folder, a full disk): a file is made there and removed."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".zhen-write-check.", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"{what} {folder}: zhen cannot write there ({exc.strerror or exc}); choose another -o "
                          "location, or free space on its disk.") from None


def output_failure(exc: OSError, where: Path) -> OutputError | None:
    """The :class:`OutputError` for ``exc`` when it is the output location's fault (disk full,
    read-only, no permission), else ``None``."""
    if exc.errno not in OUTPUT_ERRNOS:
        return None
    return OutputError(f"{where}: writing failed ({exc.strerror or exc}); free space or fix the permissions, then run "
                       "the same command again: the job resumes where it stopped, nothing done is lost.")
