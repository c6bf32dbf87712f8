"""Writes a big export as sharded, gzip-compressed N-Quads (or N-Triples) for bulk loaders.

`conflictkg export --shards N -o DIR` writes `DIR/part-00001-of-0000N.nq.gz` … and
`DIR/manifest.json`. These load as they are with

- Oxigraph: `oxigraph load --location DB --file DIR/*.nq.gz` (files load in parallel),
- Apache Jena: `tdb2.tdbloader --loc DB DIR/*.nq.gz`,
- QLever: `zcat DIR/*.nq.gz | IndexBuilderMain -F nq -f - …` (or `MULTI_INPUT_JSON`, one entry per file).

Blank-node labels in N-Quads are scoped to one file (Jena and QLever give `_:b1` in two files
two different nodes), so every line that mentions a blank node goes into the first shard; the
other lines are dealt out round-robin in blocks of 4096 lines, so shards come out the same
size. The folder appears whole or not at all: shards are written into a temporary folder
beside it, which is renamed into place at the end.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from conflictkg.errors import UsageError

BLOCK = 4096


@dataclass
class ShardReport:
    """The files written and the lines in each."""

    directory: Path
    files: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


class _Router:
    """A binary sink that deals complete lines out to the shards."""

    def __init__(self, outputs: list[BinaryIO]) -> None:
        self.outputs = outputs
        self.counts = [0] * len(outputs)
        self.pending = b""
        self.seen = 0
        self.block: list[list[bytes]] = [[] for _ in outputs]

    def write(self, data: bytes) -> int:
        data = bytes(data)
        chunk = self.pending + data
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self.pending = chunk
            return len(data)
        self.pending = chunk[cut + 1 :]
        self._route(chunk[: cut + 1].splitlines(keepends=True))
        return len(data)

    def _route(self, lines: list[bytes]) -> None:
        n = len(self.outputs)
        for line in lines:
            if not line.strip():
                continue
            if b"_:" in line:
                index = 0
            else:
                index = (self.seen // BLOCK) % n
                self.seen += 1
            self.block[index].append(line)
            self.counts[index] += 1
            if len(self.block[index]) >= BLOCK:
                self.outputs[index].write(b"".join(self.block[index]))
                self.block[index] = []

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.pending.strip():
            self._route([self.pending if self.pending.endswith(b"\n") else self.pending + b"\n"])
        self.pending = b""
        for index, lines in enumerate(self.block):
            if lines:
                self.outputs[index].write(b"".join(lines))
        self.block = [[] for _ in self.outputs]


def write_shards(
    directory: str | Path,
    shards: int,
    produce: Callable[[BinaryIO], None],
    extension: str = "nq",
    media_type: str = "application/n-quads",
    compresslevel: int = 1,
) -> ShardReport:
    """Call `produce(sink)` (which writes N-Quads or N-Triples lines to `sink`) and shard its lines.

    `directory` must not exist or be empty. gzip level 1 by default: these files are for
    loading, and level 1 is several times faster than the default for about 20% more bytes.
    """
    if shards < 1:
        raise UsageError("--shards takes a number of files, at least 1")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target}: --shards writes a new folder; this one exists and is not empty")
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    from conflictkg.guard.files import release, scratch_folder

    scratch = scratch_folder(target)  # .NAME.PID.XXXX.part: removed on Ctrl-C/SIGTERM, and after kill -9 by the next export
    width = max(5, len(str(shards)))
    names = [f"part-{i + 1:0{width}d}-of-{shards:0{width}d}.{extension}.gz" for i in range(shards)]
    try:
        files = [gzip.open(scratch / name, "wb", compresslevel=compresslevel) for name in names]
        router = _Router(files)  # type: ignore[arg-type]
        try:
            produce(router)  # type: ignore[arg-type]
            router.close()
        finally:
            for handle in files:
                handle.close()
        manifest = {
            "format": media_type,
            "compression": "gzip",
            "files": [{"file": name, "lines": count} for name, count in zip(names, router.counts)],
            "blank_nodes": f"every line with a blank node is in {names[0]}",
        }
        (scratch / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        os.chmod(scratch, 0o777 & ~_umask())
        if target.exists():
            target.rmdir()
        os.rename(scratch, target)
        release(scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return ShardReport(target, names, router.counts)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
