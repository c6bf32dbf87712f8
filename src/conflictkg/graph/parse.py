"""Parses RDF files into an rdflib Dataset, with errors that name the file, line and column."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from rdflib import Dataset, Graph
from conflictkg.errors import InputError, NetworkRefused
from conflictkg.graph.formats import RdfFormat, format_for_path, format_named
from conflictkg.graph.namespaces import ONTOLOGY_GRAPH, bind_prefixes
from conflictkg.graph.oxigraph import first_syntax_error, parse_into_dataset
from conflictkg.graph.resources import resource_files

SHAPES_PREFIX = "shapes"  # ontology/shapes*.ttl are SHACL shapes, not ontology
STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One input the user named: a path (or "-" for stdin) and the format to read it in."""

    location: str
    format: RdfFormat

    @property
    def display_name(self) -> str:
        return "<stdin>" if self.location == STDIN else self.location


def source_for(location: str, input_format: str | None = None) -> Source:
    """Pair a path (or "-") with its format: the one given, else the one its extension selects."""
    if input_format:
        try:
            return Source(location, format_named(input_format))
        except ValueError as error:
            raise InputError(str(error)) from None
    if location == STDIN:
        raise InputError("reading from stdin ('-') needs --input-format (ttl, nt, nq, trig, jsonld, rdf)")
    fmt = format_for_path(location)
    if fmt is None:
        raise InputError(
            f"{location}: cannot tell the RDF format from the extension; "
            "use .ttl, .nt, .nq, .trig, .jsonld or .rdf, or give --input-format"
        )
    return Source(location, fmt)


def read_text(source: Source) -> str:
    """The source's bytes decoded as UTF-8, or an InputError naming the file and line."""
    try:
        if source.location == STDIN:
            raw = sys.stdin.buffer.read()
        else:
            raw = Path(source.location).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source.display_name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source.display_name}: is a directory, not a file") from None
    except OSError as error:
        raise InputError(f"{source.display_name}: cannot read: {error.strerror}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(raw[: error.start].decode("utf-8", "replace"))
        raise InputError(
            f"{source.display_name}:{line}:{column}: not UTF-8 text (byte 0x{raw[error.start]:02x})"
        ) from None
    if not text.strip():
        raise InputError(f"{source.display_name}: the file is empty")
    return text


def parse_into(dataset: Dataset, source: Source, text: str | None = None) -> None:
    """Parse one source into `dataset`: triples into the default graph, quads into their graphs."""
    from conflictkg.guard import inputs as inputcheck, network as safety

    text = read_text(source) if text is None else text
    fmt = source.format
    if fmt is RdfFormat.RDFXML:
        inputcheck.check_xml_entities(text, source.display_name)
    base = inputcheck.RELATIVE_BASE  # relative references resolve here and are refused below
    try:
        if fmt in (RdfFormat.NTRIPLES, RdfFormat.NQUADS):
            # Oxigraph's reader: linear on long lines, where rdflib's is quadratic (a 10 MB literal > 200 s)
            parse_into_dataset(text.encode("utf-8"), fmt, dataset, base)
        elif fmt.has_graphs:
            dataset.parse(data=text, format=fmt.rdflib_name, publicID=base)
        else:
            dataset.default_graph.parse(data=text, format=fmt.rdflib_name, publicID=base)
    except NetworkRefused:
        raise
    except Exception as error:  # rdflib's parsers raise many unrelated types; all mean bad input
        refused = safety.find_refusal(error)
        if refused is not None:
            raise refused from None
        raise InputError(describe_parse_error(source, text, error)) from error
    inputcheck.check_iris(inputcheck.terms_of(dataset.quads((None, None, None, None))), source.display_name, text)


def new_dataset() -> Dataset:
    """An empty in-memory data set whose default graph, when queried, is the union of all graphs."""
    return bind_prefixes(Dataset(default_union=True))


def add_builtin_data(dataset: Dataset) -> None:
    """Parse the shipped article graph(s) from `data/` into `dataset`."""
    for entry in resource_files("data", ".trig"):
        parse_into(dataset, Source(f"data/{entry.name}", RdfFormat.TRIG), entry.read_text("utf-8"))


def load_ontology() -> Graph:
    """The shipped ontology and SKOS schemes (every `ontology/*.ttl` except `shapes*.ttl`)."""
    graph = bind_prefixes(Graph(identifier=ONTOLOGY_GRAPH))
    for entry in resource_files("ontology", ".ttl"):
        if not entry.name.startswith(SHAPES_PREFIX):
            _parse_resource(graph, entry.name, entry.read_text("utf-8"))
    return graph


def load_shapes(extra: Iterable[str] = ()) -> Graph:
    """The shipped SHACL shapes (every `ontology/shapes*.ttl`) plus any shapes files the user adds."""
    graph = bind_prefixes(Graph())
    for entry in resource_files("ontology", ".ttl"):
        if entry.name.startswith(SHAPES_PREFIX):
            _parse_resource(graph, entry.name, entry.read_text("utf-8"))
    for location in extra:
        source = source_for(location)
        text = read_text(source)
        try:
            graph.parse(data=text, format=source.format.rdflib_name)
        except Exception as error:
            raise InputError(describe_parse_error(source, text, error)) from error
    if extra:
        from conflictkg.guard import network

        network.check_shapes_sparql(graph)  # Oxigraph and pySHACL run sh:select; SERVICE in it is refused first
    return graph


def _parse_resource(graph: Graph, name: str, text: str) -> None:
    try:
        graph.parse(data=text, format="turtle")
    except Exception as error:
        source = Source(f"ontology/{name}", RdfFormat.TURTLE)
        raise InputError(describe_parse_error(source, text, error)) from error


def with_ontology(dataset: Dataset) -> Dataset:
    """`dataset` with the ontology added as its own named graph (for queries and reasoning)."""
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    if len(ontology) == 0:
        for triple in load_ontology():
            ontology.add(triple)
    return dataset


def describe_parse_error(source: Source, text: str, error: Exception) -> str:
    """One readable line: file:line:column: what is wrong, and the text around it (never raises)."""
    try:
        return one_line(_describe_parse_error(source, text, error))
    except Exception:  # describing must not hide the error it describes
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return one_line(f"{source.display_name}: cannot read as {source.format.value}: {message[:300]}")


def one_line(message: str) -> str:
    """`message` with line breaks and other control characters written as escapes (\\n, \\x07)."""
    return re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]", lambda m: repr(m.group(0))[1:-1], message)


def _describe_parse_error(source: Source, text: str, error: Exception) -> str:
    name, fmt = source.display_name, source.format
    if isinstance(error, RecursionError):
        return f"{name}: nested too deeply to read"
    if isinstance(error, MemoryError):
        return f"{name}: ran out of memory reading it (too big for this machine on this path: try `conflictkg load --store oxigraph:PATH`)"
    if fmt in (RdfFormat.NTRIPLES, RdfFormat.NQUADS):  # rdflib names neither line nor column
        located = first_syntax_error(text, fmt)
        if located is not None:
            line, column, why = located
            return f"{name}:{line}:{column}: {fmt.value} syntax error: {why} near {_excerpt(text, line, column)}"
    offset = getattr(error, "_i", None)
    document = getattr(error, "_str", None)
    if isinstance(offset, int) and isinstance(document, bytes):
        before = document[:offset].decode("utf-8", "replace")
        line, column = _line_and_column(before)
        why = getattr(error, "_why", "bad syntax")
        return f"{name}:{line}:{column}: {fmt.value} syntax error: {why} near {_excerpt(text, line, column)}"
    if isinstance(error, json.JSONDecodeError):
        return f"{name}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
    line_number = getattr(error, "getLineNumber", None)
    if callable(line_number):  # xml.sax.SAXParseException
        return f"{name}:{error.getLineNumber()}:{error.getColumnNumber() + 1}: RDF/XML error: {error.getMessage()}"
    located = first_syntax_error(text, fmt)
    if located is not None:
        line, column, why = located
        return f"{name}:{line}:{column}: {fmt.value} syntax error: {why} near {_excerpt(text, line, column)}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{name}: cannot read as {fmt.value}: {message[:300]}"


def _line_and_column(before: str) -> tuple[int, int]:
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column


def _find_line(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment and fragment in line:
            return number
    return 1


def _excerpt(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return "the end of the file"
    content = lines[line - 1]
    start = max(0, column - 30)
    return repr(content[start : column + 30])


def union_graph(dataset: Dataset, ontology: Graph | None = None) -> Graph:
    """One graph holding every triple of every graph in `dataset`, plus `ontology` if given.

    Validation runs on the union so that links across named graphs are seen (pySHACL on a
    Dataset would validate each named graph alone), and on the ontology so that
    `sh:targetClass` reaches instances of subclasses through `rdfs:subClassOf`.
    """
    union = bind_prefixes(Graph())
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    if ontology is not None:
        union += ontology
    return union


def copy_quads(source: Dataset, target: Dataset) -> None:
    """Add every quad of `source` to `target`, keeping each triple in its graph."""
    target.addN((s, p, o, target.graph(g)) for s, p, o, g in source.quads((None, None, None, None)))
