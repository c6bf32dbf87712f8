"""Stops a command on Ctrl-C, SIGTERM or its time limit even while an engine works in native code, and cleans up what it was writing.

Python runs signal handlers only between bytecodes of the main thread, so Ctrl-C waits for a
pyoxigraph bulk load or query (Rust code, which never checks for signals) to return, which can
take minutes. `run_stoppable` therefore runs the command's work in a worker thread (pyoxigraph
releases the GIL while it works) and keeps the main thread waiting in short slices: a signal or
the deadline is seen at once. The work cannot be stopped from outside a thread, so it is
*abandoned*: the callbacks registered with `on_stop` remove what it was writing (temporary
`.part` files, an unfinished database staging copy), and the command line then ends the process
without waiting for it (`abandoned()` tells it to). Files and databases are written so that an
abandoned writer changes nothing (`conflictkg.guard.files`, `conflictkg.stores.staging`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from conflictkg.errors import ConflictKGError

T = TypeVar("T")
_STACK_BYTES = 64 << 20  # the work may recurse as deeply as the main thread could
_SLICE = 0.05

_cleanups: list[Callable[[], None]] = []
_abandoned: list[threading.Thread] = []


class TimedOut(ConflictKGError):
    """The command ran longer than its --timeout and was stopped."""


class Terminated(BaseException):
    """The process received SIGTERM (or SIGHUP): stop as after Ctrl-C, with the signal's status."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def on_stop(cleanup: Callable[[], None]) -> None:
    """Call `cleanup` when work is abandoned (registered once per function)."""
    if cleanup not in _cleanups:
        _cleanups.append(cleanup)


def stop_cleanups() -> None:
    """Run every registered cleanup (each one's errors are ignored: the others must run too)."""
    for cleanup in tuple(_cleanups):
        try:
            cleanup()
        except Exception:  # noqa: BLE001, S112 - cleaning up after a stop must not stop half-way
            continue


def abandoned() -> bool:
    """Whether work was left running in a thread that this process should not wait for."""
    return any(thread.is_alive() for thread in _abandoned)


def run_stoppable(work: Callable[[], T], timeout: float | None = None) -> T:
    """`work()` in a worker thread, waited for in slices: KeyboardInterrupt (or `Terminated`)
    arrives at once, and past `timeout` seconds `TimedOut` is raised; either way the cleanups run
    and the thread is abandoned."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = error

    previous = threading.stack_size()
    threading.stack_size(_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="conflictkg-command", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while thread.is_alive():
            wait = _SLICE if deadline is None else max(0.0, min(_SLICE, deadline - time.monotonic()))
            thread.join(wait)
            if deadline is not None and thread.is_alive() and time.monotonic() >= deadline:
                raise TimedOut(f"stopped after {timeout:g} s (--timeout); no output file or database was changed")
    except BaseException:
        _abandoned.append(thread)
        stop_cleanups()
        raise
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


@contextmanager
def terminating_signals() -> Iterator[None]:
    """Inside the block (in the main thread), SIGTERM and SIGHUP raise `Terminated` like Ctrl-C
    raises KeyboardInterrupt, so writers clean up instead of dying with their temporary files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
