"""Writes output files atomically: a temporary file in the same folder, renamed into place.

The temporary file is `.NAME.PID.XXXXXXXX.part`. It is removed if the writer fails or is
stopped (Ctrl-C, SIGTERM, `--timeout`: see `conflictkg.guard.limits`); after a `kill -9` it
stays, and the next write of the same file removes every such file whose process is gone.
"""

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
    remove_stale_parts(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=folder)
    except OSError as error:
        raise InputError(f"{path}: cannot write there: {error.strerror or error}") from None
    _pending.add(temporary)
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
    finally:
        _pending.discard(temporary)


_pending: set[str] = set()  # temporary files being written by this process
_LEGACY_AGE = 3600.0  # seconds after which a `.NAME.XXXXXXXX.part` without a process id is stale


def remove_pending() -> None:
    """Remove the temporary files this process is writing (it is being stopped; see `guard.limits`)."""
    import shutil

    for temporary in list(_pending):
        if os.path.isdir(temporary):
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            Path(temporary).unlink(missing_ok=True)
        _pending.discard(temporary)


def scratch_folder(target: str | Path) -> Path:
    """A new temporary folder `.NAME.PID.XXXX.part` beside `target` (to be renamed to it when
    complete): removed if the process is stopped, and by the next call for the same target if
    the process was killed."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    remove_stale_parts(target)
    made = tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=parent)
    _pending.add(made)
    return Path(made)


def release(path: str | Path) -> None:
    """`path` (a temporary file or folder) was renamed into place: it is no longer this process's to remove."""
    _pending.discard(str(path))


def remove_stale_parts(target: str | Path) -> list[Path]:
    """Remove the temporary files that writers of `target` left when they were killed (their
    process is gone); return what was removed."""
    import re
    import time

    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    removed = []
    pattern = re.compile(r"^\." + re.escape(target.name) + r"\.(?:(\d+)\.)?[A-Za-z0-9_]{6,}\.part$")
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        found = pattern.match(candidate.name)
        if not found or str(candidate) in _pending:
            continue
        try:
            if found.group(1) is not None:
                if _process_alive(int(found.group(1))):
                    continue
            elif time.time() - candidate.stat().st_mtime < _LEGACY_AGE:
                continue
            if candidate.is_dir():
                import shutil

                shutil.rmtree(candidate)
            else:
                candidate.unlink()
            removed.append(candidate)
        except OSError:
            continue
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_folder_atomic(folder: str | Path, files: dict[str, bytes]) -> None:
    """Write `files` (name -> bytes) into `folder` so that it is never half written: a new folder is
    made beside it as `.NAME.PID.XXXX.part` and renamed into place when complete; in an existing
    folder every file goes to a temporary file first and all are renamed in only when all are
    written. On a full disk or Ctrl-C nothing is changed and no temporary file is left."""
    import shutil

    from conflictkg.guard import network as safety

    safety.check()
    target = Path(folder)
    parent = target.parent if str(target.parent) else Path(".")
    if target.exists() and not target.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    if not target.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
            scratch = tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=parent)
        except OSError as error:
            raise InputError(f"{folder}: cannot create the folder: {error.strerror or error}") from None
        _pending.add(scratch)
        try:
            for name, data in files.items():
                with open(os.path.join(scratch, name), "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(scratch, 0o777 & ~_umask())
            os.rename(scratch, target)
        except OSError as error:
            shutil.rmtree(scratch, ignore_errors=True)
            raise InputError(f"{folder}: cannot write: {error.strerror or error}; nothing was written") from None
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        finally:
            _pending.discard(scratch)
        return
    written: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".part", dir=target)
            _pending.add(temporary)
            written.append((temporary, target / name))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o666 & ~_umask())
    except OSError as error:
        _discard(written)
        raise InputError(f"{folder}: cannot write: {error.strerror or error}; the folder was not changed") from None
    except BaseException:
        _discard(written)
        raise
    for temporary, final in written:
        os.replace(temporary, final)
        _pending.discard(temporary)


def _discard(written: list[tuple[str, Path]]) -> None:
    for temporary, _final in written:
        Path(temporary).unlink(missing_ok=True)
        _pending.discard(temporary)


def _register() -> None:
    from conflictkg.guard import limits

    limits.on_stop(remove_pending)


_register()


def emit(path: str | None, data: bytes) -> None:
    """Write `data` to `path` atomically, or to stdout when `path` is None or "-"."""
    emit_stream(path, lambda out: _write_chunks(out, data))


def emit_stream(path: str | None, writer: Callable[[BinaryIO], None]) -> None:
    """Call `writer` on the file `path`, written atomically as `write_atomic` does (if `writer`
    raises, no file is made or changed), or on stdout when `path` is None or "-" (what was
    streamed before an error stays streamed)."""
    if path is None or path == STDOUT:
        from conflictkg.guard import network as safety

        safety.check()
        writer(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        write_atomic(path, writer)


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
