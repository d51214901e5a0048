"""Errors meant for people.

Every error zhen raises on purpose is a :class:`ZhenError` whose message is one sentence that names
the problem (file, line, setting) and says what to do next. The CLI prints that sentence and exits
non-zero without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ZhenError(Exception):
    """Base class: ``str(error)`` is the whole message a user sees."""

    exit_code = 1


class InputError(ZhenError):
    """A document zhen cannot read: empty, binary, undecodable, too large, unsupported."""

    exit_code = 3


class ModelNotFoundError(ZhenError):
    """No local copy of the model and no way to fetch one."""

    exit_code = 4


class ModelLoadError(ZhenError):
    """A model directory exists but is not a model zhen can load."""

    exit_code = 4


class OutputError(ZhenError):
    """The output cannot be written: a read-only or missing location, a full disk. Said before the
    work where it can be known then; mid-job, the job stops and resumes where it stopped."""

    exit_code = 10


class EngineUnavailableError(ZhenError):
    """An engine whose optional dependency is not installed."""

    exit_code = 5
