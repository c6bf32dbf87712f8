"""Crash-safe writes to an Oxigraph database folder: a lock, a staging copy switched in by renames, and recovery of what an interrupted run left.

pyoxigraph's bulk loader is not transactional, and a load or `reason` is many steps (files, claim
relations, the ontology, rules), so a `kill -9` in the middle used to leave a database that was
neither the old one nor the new one. Instead, every write that is more than one transaction goes
to a *staging copy* beside the database, `.NAME.staging-ID` (made with `Store.backup`, which
hard-links RocksDB's immutable files: cheap even for a big database), and is switched in only
when it is complete:

1. the staging store is flushed and closed, and an empty marker `.NAME.staging-ID.ready` is
   written (and the folder synced): from here on the new content is the one that counts;
2. the database folder is renamed to `.NAME.old-ID`, the staging folder to NAME;
3. the marker and the old folder are removed.

Whoever opens the database next (any command) first takes the lock `.NAME.conflictkg-lock`
(`flock`, released by the kernel even after `kill -9`), then recovers: a staging folder with its
marker finishes its switch (steps 2-3), one without is removed (the interrupted write never
happened), old folders and lone markers are removed. So a database is always either as it was
before a write or as the write left it, whenever the writer was stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from conflictkg.errors import InputError

LOCK_SUFFIX = ".conflictkg-lock"
_STAGING = ".staging-"
_OLD = ".old-"
_READY = ".ready"

# Folders a running write has made and not yet switched in: removed if the process is stopped
# (Ctrl-C, SIGTERM, --timeout) before it could remove them itself.
_pending: set[Path] = set()
# Held while a staging folder is being made (Store.backup or a new Store, in native code): a stop
# waits for it, or the folder would be made again after it was removed.
creating = threading.Lock()


def is_database(path: Path) -> bool:
    """Whether `path` is a folder holding an Oxigraph (RocksDB) database."""
    return (path / "CURRENT").is_file()


def interrupted_switch(path: Path) -> bool:
    """Whether a write to `path` was stopped in the middle of its switch (recovery will finish it)."""
    return any(_ready_marker(staging).exists() for staging in _siblings(path, _STAGING))


class DatabaseLock:
    """An exclusive `flock` on `.NAME.conflictkg-lock` beside the database folder."""

    def __init__(self, path: Path) -> None:
        self.file = path.parent / f".{path.name}{LOCK_SUFFIX}"
        self.fd: int | None = None

    def acquire(self, describe: str) -> None:
        fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(f"the {describe} is in use by another conflictkg process; try again when it has finished") from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def recover(path: Path) -> list[str]:
    """Finish or undo what an interrupted write left beside `path` (call it holding the lock);
    returns one line per thing done."""
    notes = []
    for staging in _siblings(path, _STAGING):
        marker = _ready_marker(staging)
        if marker.exists():
            switch(staging, path)
            notes.append(f"finished switching in a write to {path} that was interrupted after it was complete")
        else:
            shutil.rmtree(staging, ignore_errors=True)
            notes.append(f"removed {staging.name}, the unfinished copy of an interrupted write to {path}; the database is as it was before it")
    for marker in path.parent.glob(f".{_glob_escape(path.name)}{_STAGING}*{_READY}"):
        if not Path(str(marker)[: -len(_READY)]).exists():
            marker.unlink(missing_ok=True)
    for old in _siblings(path, _OLD):
        shutil.rmtree(old, ignore_errors=True)
    return notes


def new_staging_path(path: Path) -> Path:
    """A fresh name for a staging folder beside `path` (registered for removal if the process is stopped)."""
    staging = path.parent / f".{path.name}{_STAGING}{uuid.uuid4().hex[:12]}"
    _pending.add(staging)
    return staging


def switch(staging: Path, path: Path) -> None:
    """Put the complete staging folder in the place of `path` (see the module docstring)."""
    marker = _ready_marker(staging)
    if not marker.exists():
        marker.touch()
        _sync_folder(path.parent)
    if path.exists():
        old = path.parent / f".{path.name}{_OLD}{staging.name.rsplit('-', 1)[-1]}"
        os.rename(path, old)
    else:
        old = None
    os.rename(staging, path)
    _sync_folder(path.parent)
    _pending.discard(staging)
    marker.unlink(missing_ok=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder that will not be switched in.

    An abandoned writer may still be working in it (native code in a thread that cannot be
    stopped) and would add files while `rmtree` empties it, so the folder is first renamed away:
    the writer's new files then fail to be made, and what is left carries an `.old-` name that
    the next open removes in any case."""
    trash = staging.with_name(staging.name.replace(_STAGING, _OLD + "discarded-", 1))
    try:
        os.rename(staging, trash)
    except OSError:
        trash = staging
    for _ in range(20):
        shutil.rmtree(trash, ignore_errors=True)
        if not trash.exists():
            break
    shutil.rmtree(staging.with_name(staging.name + ".tmp"), ignore_errors=True)  # RocksDB's checkpoint in the making
    _ready_marker(staging).unlink(missing_ok=True)
    _pending.discard(staging)


def remove_pending() -> None:
    """Remove every staging folder this process has not switched in (when it is being stopped)."""
    got = creating.acquire(timeout=60)
    try:
        _remove_pending()
    finally:
        if got:
            creating.release()


def _remove_pending() -> None:
    for staging in list(_pending):
        if not _ready_marker(staging).exists():  # a complete one is finished by the next open
            discard(staging)


@contextlib.contextmanager
def pending(staging: Path) -> Iterator[Path]:
    """Inside the block `staging` is this process's; leaving it by an error removes the folder."""
    try:
        yield staging
    except BaseException:
        discard(staging)
        raise


def _register() -> None:
    from conflictkg.guard import limits

    limits.on_stop(remove_pending)


_register()


def _siblings(path: Path, kind: str) -> list[Path]:
    return sorted(p for p in path.parent.glob(f".{_glob_escape(path.name)}{kind}*") if p.is_dir())


def _ready_marker(staging: Path) -> Path:
    return staging.with_name(staging.name + _READY)


def _glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
