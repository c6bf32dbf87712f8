"""Writes output files atomically: a temporary file in the same folder, renamed into place."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from conflictkg.errors import InputError

STDOUT = "-"


def write_bytes_atomic(path: str | Path, chunks: Iterable[bytes] | bytes) -> None:
    """Write `chunks` to `path` so that readers see the old file or the whole new one, never half."""
    write_atomic(path, lambda out: _write_chunks(out, chunks))


def write_atomic(path: str | Path, writer: Callable[[BinaryIO], None]) -> None:
    """Call `writer` on a temporary file beside `path`, then rename it over `path`.

    If `writer` raises (a failing disk, Ctrl-C), the temporary file is removed and the file
    at `path`, if there was one, is left as it was.
    """
    from conflictkg.guard import network as safety

    safety.check()  # nothing is written after a refused network access, even one a library swallowed
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise InputError(f"{path}: cannot write there: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            writer(out)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:  # a full disk, a file system gone read-only
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {error.strerror or error}; the file was not changed") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def emit(path: str | None, data: bytes) -> None:
    """Write `data` to `path` atomically, or to stdout when `path` is None or "-"."""
    if path is None or path == STDOUT:
        from conflictkg.guard import network as safety

        safety.check()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_bytes_atomic(path, data)


def _write_chunks(out: BinaryIO, chunks: Iterable[bytes] | bytes) -> None:
    if isinstance(chunks, bytes):
        out.write(chunks)
        return
    for chunk in chunks:
        out.write(chunk)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
