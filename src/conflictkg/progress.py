"""Reports how a long command is getting on (stages, counts, times) on a stream the command line hands over; silent otherwise.

Library code marks its stages with `with progress.stage("loading g.nq"):` and may add
`progress.note(count=..., unit=...)`; nothing is written unless the command line has called
`progress.show(stream)` (it does so when stderr is a terminal and --quiet is not given). So
the library never prints, the output of a command run in a pipe or a test stays clean, and a
person watching a terminal sees one line per stage as it starts and when it ends:

    conflictkg: loading g.nq ...
    conflictkg: loading g.nq: 273,061 quads in 2.1 s
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_lock = threading.Lock()
_stream: TextIO | None = None
_depth = 0
_counts: list[list[str]] = []


def show(stream: TextIO | None) -> None:
    """Write progress to `stream` from now on (None: stay silent, the default)."""
    global _stream
    _stream = stream


def showing() -> bool:
    """Whether progress is being written (a caller may skip counting work when not)."""
    return _stream is not None


def _write(text: str) -> None:
    stream = _stream
    if stream is None:
        return
    with _lock:
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the work
            pass


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Mark one stage of the work: a line when it starts, one when it ends (with its counts and time)."""
    global _depth
    if _stream is None:
        yield
        return
    indent = "  " * _depth
    _write(f"conflictkg: {indent}{name} ...\n")
    started = time.perf_counter()
    _depth += 1
    _counts.append([])
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        _depth -= 1
        counts = _counts.pop()
        seconds = time.perf_counter() - started
        said = ", ".join(counts)
        end = "stopped" if failed else (f"{said} in {seconds:.1f} s" if said else f"done in {seconds:.1f} s")
        _write(f"conflictkg: {indent}{name}: {end}\n")


def note(count: int, unit: str) -> None:
    """Add a count to the stage under way (shown when it ends), e.g. `note(273061, "quads")`."""
    if _stream is None:
        return
    text = f"{count:,} {unit}"
    if _counts:
        _counts[-1].append(text)
    else:
        _write(f"conflictkg: {text}\n")
