"""Writes quads as they are produced: N-Quads or TriG line by line, JSON-LD buffered (it cannot stream)."""

from __future__ import annotations

import io
import os
import re
import stat
import threading
from collections.abc import Iterable
from typing import BinaryIO

import polars as pl
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from conflictkg.errors import InputError, UsageError
from conflictkg.exchange.importers.columnar import write_columns
from conflictkg.graph.formats import RdfFormat, format_for_path

Quad = tuple[Node, Node, Node, URIRef | None]

STREAMING_FORMATS = (RdfFormat.NQUADS, RdfFormat.TRIG)
BUFFERED_FORMATS = (RdfFormat.JSONLD,)

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_ESCAPE_RE = re.compile(r'[\\"\n\r]')


def output_format(path: str | None) -> RdfFormat:
    """The format an import writes to `path`: from its extension; N-Quads on stdout."""
    if path is None or path == "-":
        return RdfFormat.NQUADS
    fmt = format_for_path(path)
    if fmt in STREAMING_FORMATS or fmt in BUFFERED_FORMATS:
        return fmt
    raise UsageError(
        f"{path}: an import is a named graph with provenance, so it is written as N-Quads (.nq), "
        "TriG (.trig) or JSON-LD (.jsonld); N-Quads and TriG are streamed, JSON-LD is built in memory"
    )


def term_text(term: Node) -> str:
    """A term in N-Triples syntax (also valid in N-Quads and TriG).

    IRIs are written as they are: the importers mint them from slugs and identifiers they have
    checked (`check_iri` is for IRIs from elsewhere)."""
    if type(term) is URIRef:
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term)
        if '"' in lexical or "\\" in lexical or "\n" in lexical or "\r" in lexical:
            lexical = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], lexical)
        if term.language:
            return f'"{lexical}"@{term.language}'
        datatype = term.datatype
        if datatype is not None and datatype != _XSD_STRING:
            return f'"{lexical}"^^{term_text(datatype)}'
        return f'"{lexical}"'
    if isinstance(term, URIRef):
        return check_iri(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def check_iri(term: URIRef) -> str:
    """An IRI in N-Triples syntax, or an InputError if it holds a character IRIs may not contain."""
    value = str(term)
    if _IRI_FORBIDDEN.search(value):
        raise InputError(f"cannot write the IRI <{value}>: it holds a character IRIs may not contain")
    return f"<{value}>"


class QuadSink:
    """Where an import's quads go. `graph` is the import's named graph; None = the default graph."""

    def write(self, quads: Iterable[Quad]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (closing brackets, buffered serialisation)."""

    def line_end(self, graph: URIRef) -> str:
        """What ends each line of `write_lines` in `graph` (after the object, before the line break)."""
        return f" <{graph}> ."

    def write_lines(self, lines: pl.DataFrame, graph: URIRef) -> None:
        """Columns of lines made with `line_end(graph)` (N-Triples terms, one quad a line; null: none)."""
        self.count += write_columns(lines, self._out)

    count = 0


class _WriteBehind:
    """Has the disk take what a file output holds so far while the import goes on.

    A file is written whole before it is renamed into place (`guard.files.write_atomic`), and its
    final fsync waited about a second per GB of N-Quads: the kernel starts writing dirty pages on its
    own only past a share of memory. So after each batch, a thread runs `fdatasync` on a duplicate
    of the file's descriptor (one at a time); what is left for the final fsync is the last batches.
    Outputs that are not regular files (a pipe, a terminal, memory) are left alone."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._fd: int | None = None
        self._thread: threading.Thread | None = None
        try:
            fd = out.fileno()
            if stat.S_ISREG(os.fstat(fd).st_mode):
                self._fd = fd
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation: no descriptor
            pass

    def wrote(self) -> None:
        """A batch was written: start syncing it unless a sync is still running."""
        if self._fd is None or (self._thread is not None and self._thread.is_alive()):
            return
        self._out.flush()
        fd = os.dup(self._fd)

        def sync() -> None:
            try:
                getattr(os, "fdatasync", os.fsync)(fd)
            except OSError:
                pass  # a failing disk is reported by the final fsync, which the write depends on
            finally:
                os.close(fd)

        self._thread = threading.Thread(target=sync, name="conflictkg-write-behind", daemon=True)
        self._thread.start()


class NQuadsSink(QuadSink):
    """One line per quad, written at once."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._behind = _WriteBehind(out)
        self.count = 0

    def write_lines(self, lines: pl.DataFrame, graph: URIRef) -> None:
        self.count += write_columns(lines, self._out)
        self._behind.wrote()

    def write(self, quads: Iterable[Quad]) -> None:
        lines = []
        for s, p, o, g in quads:
            graph = f" {term_text(g)} .\n" if g is not None else " .\n"
            lines.append(f"{term_text(s)} {term_text(p)} {term_text(o)}{graph}")
        self.count += len(lines)
        self._out.write("".join(lines).encode("utf-8"))



class TrigSink(QuadSink):
    """TriG written as it comes: a `<graph> { … }` block is opened when the graph changes."""

    def __init__(self, out: BinaryIO):
        self._out = out
        self._behind = _WriteBehind(out)
        self._open: URIRef | None = None
        self._in_block = False
        self.count = 0

    def write(self, quads: Iterable[Quad]) -> None:
        parts = []
        for s, p, o, g in quads:
            if g != self._open or not self._in_block:
                if self._in_block:
                    parts.append("}\n\n")
                    self._in_block = False
                if g is not None:
                    parts.append(f"{term_text(g)} {{\n")
                    self._in_block = True
                self._open = g
            indent = "  " if g is not None else ""
            parts.append(f"{indent}{term_text(s)} {term_text(p)} {term_text(o)} .\n")
            self.count += 1
        self._out.write("".join(parts).encode("utf-8"))

    def line_end(self, graph: URIRef) -> str:
        return " ."

    def write_lines(self, lines: pl.DataFrame, graph: URIRef) -> None:
        if graph != self._open or not self._in_block:
            if self._in_block:
                self._out.write(b"}\n\n")
            self._out.write(f"{term_text(graph)} {{\n".encode())
            self._in_block = True
            self._open = graph
        self.count += write_columns(lines, self._out)
        self._behind.wrote()

    def close(self) -> None:
        if self._in_block:
            self._out.write(b"}\n")
            self._in_block = False


class DatasetSink(QuadSink):
    """Collects the quads in an rdflib Dataset and serialises it on close (JSON-LD)."""

    def __init__(self, out: BinaryIO, fmt: RdfFormat):
        from conflictkg.graph.parse import new_dataset

        self._out = out
        self._fmt = fmt
        self.dataset = new_dataset()
        self.count = 0

    def write(self, quads: Iterable[Quad]) -> None:
        for s, p, o, g in quads:
            graph = self.dataset.graph(g) if g is not None else self.dataset.default_graph
            graph.add((s, p, o))
            self.count += 1

    def write_lines(self, lines: pl.DataFrame, graph: URIRef) -> None:
        buffer = io.BytesIO()
        count = write_columns(lines, buffer)
        if count:
            self.dataset.parse(data=buffer.getvalue().decode("utf-8"), format="nquads")
            self.count += count

    def close(self) -> None:
        from conflictkg.graph.serialize import serialize

        self._out.write(serialize(self.dataset, self._fmt))


def sink_for(fmt: RdfFormat, out: BinaryIO) -> QuadSink:
    """The sink that writes `fmt` to `out`."""
    if fmt is RdfFormat.NQUADS:
        return NQuadsSink(out)
    if fmt is RdfFormat.TRIG:
        return TrigSink(out)
    return DatasetSink(out, fmt)
