"""The Python API: load, validate, query, export, import, merge and report, returning values instead of printing.

    import conflictkg
    graph = conflictkg.load()                      # the built-in Kwala graph, ontology included
    rows = conflictkg.query(graph, "casualty-claims")

Every function runs under the same network guard as the command line: SPARQL SERVICE and LOAD,
remote JSON-LD contexts and files named inside data are refused (`NetworkRefused`) unless the
call says `allow_network=True`. Errors are the typed errors of `conflictkg.errors` (`InputError`,
`UsageError`, `QueryError`, `NetworkRefused`), each with the one-line message the command line prints.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.term import Node

PathLike = str | os.PathLike[str]


@contextmanager
def _guarded(allow_network: bool = False) -> Iterator[None]:
    """The command line's guard: refuse the network and unnamed files inside the block."""
    from conflictkg.guard import network

    with network.policy(allow_network=allow_network), network.reporting_refusals():
        yield


def _dataset(data: Dataset | PathLike | None, allow_network: bool = False) -> Dataset:
    """A data set with the ontology in it, from a data set, a file, or the built-in graph (None)."""
    from conflictkg.graph.parse import with_ontology

    if isinstance(data, Dataset):
        return with_ontology(data)
    return load(*(() if data is None else (data,)), allow_network=allow_network)


def load(*paths: PathLike, input_format: str | None = None, with_builtin: bool = False,
         allow_network: bool = False) -> Dataset:
    """The graph of the named RDF files (or the built-in Kwala graph when none is named), with the
    claim relations the rules derive and the ontology as the graph kgr:ontology, so saved
    queries (which follow subclasses) answer on it."""
    from conflictkg.graph.parse import with_ontology
    from conflictkg.stores.dataset import load_dataset

    with _guarded(allow_network):
        return with_ontology(load_dataset([os.fspath(p) for p in paths], input_format, with_builtin))


def validate(data: Dataset | PathLike | None = None, shapes: tuple[PathLike, ...] = (), allow_network: bool = False):
    """Check the data against the shipped SHACL shapes (and `shapes`); the report has `.conforms`,
    `.results` (one per problem) and `.text()`."""
    from conflictkg.checks.shapes import validate as run_validation

    with _guarded(allow_network):
        return run_validation(_without_ontology(_dataset(data, allow_network)), [os.fspath(s) for s in shapes])


def queries() -> dict[str, str]:
    """The saved queries: name -> title."""
    from conflictkg.queries.saved import saved_queries

    return {name: saved.title for name, saved in saved_queries().items()}


@dataclass
class Answer:
    """What a query answered: rows (SELECT: one dict per row, columns in the query's order),
    a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE)."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Node]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def __len__(self) -> int:
        return len(self.graph) if self.graph is not None else len(self.rows)

    def __iter__(self):
        return iter(self.graph if self.graph is not None else self.rows)

    def table(self) -> str:
        """The rows as the command line prints them (prefixed names SPARQL and Turtle read)."""
        from conflictkg.queries.tables import cell_text
        from conflictkg.stores.base import display_namespaces, display_prefixes

        names = display_namespaces()
        if self.graph is not None:
            for prefix, namespace in display_prefixes().items():
                self.graph.bind(prefix, namespace, override=True, replace=True)
            return self.graph.serialize(format="turtle")
        if self.boolean is not None:
            return str(self.boolean).lower()
        cells = [[cell_text(row.get(c), names) for c in self.columns] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        lines = [" | ".join(c.ljust(w) for c, w in zip(self.columns, widths)).rstrip()]
        lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
        return "\n".join(lines)


def query(data: Dataset | PathLike | None, text_or_name: str, params: Mapping[str, str] | None = None,
          allow_network: bool = False) -> Answer:
    """Run a saved query by name (`"casualty-claims"`), a query file (`"my.rq"`) or SPARQL text on
    the data (a data set, a file, or None for the built-in graph). Parameters of saved queries are
    bound by the engine, never pasted into the text; prefixes the tool prints (`actor:`, `claim:`,
    `ckg:`, ...) may be used without PREFIX lines."""
    from conflictkg.guard import network
    from conflictkg.queries.saved import find_query, parse_saved_query, run_query
    from conflictkg.stores.base import display_prefixes

    with _guarded(allow_network):
        if any(ch.isspace() for ch in text_or_name.strip()) or "{" in text_or_name:
            if not allow_network:
                network.check_sparql(text_or_name)
            prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in display_prefixes().items())
            saved = parse_saved_query("ad hoc", prologue + text_or_name)
        else:
            saved = find_query(text_or_name)
        result = run_query(_dataset(data, allow_network), saved, _expanded(params or {}))
        if result.type == "ASK":
            return Answer(boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return Answer(graph=result.graph)
        columns = [str(v) for v in result.vars or []]
        rows = [{c: row[i] for i, c in enumerate(columns) if row[i] is not None} for row in result]
        return Answer(columns=columns, rows=rows)


def _expanded(params: Mapping[str, str]) -> dict[str, str]:
    """Parameter values written with a prefix the tool prints (`cas:killed`, `actor:rfi`) as full IRIs."""
    from conflictkg.stores.base import expand_prefixed

    return {name: expand_prefixed(str(value)) for name, value in params.items()}


def export(data: Dataset | PathLike | None = None, fmt: str = "ttl", allow_network: bool = False) -> bytes:
    """The data serialised as `fmt` (ttl, nt, nq, trig, jsonld, rdf); the same data gives the same bytes.
    The ontology graph is left out, as `conflictkg export` does."""
    from conflictkg.graph.formats import RdfFormat
    from conflictkg.graph.serialize import serialize

    formats = {f.value: f for f in RdfFormat}
    chosen = formats.get(fmt) or next((f for f in RdfFormat if f.name.lower() == fmt.lower()), None)
    if chosen is None:
        from conflictkg.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(sorted(formats))}")
    with _guarded(allow_network):
        return serialize(_without_ontology(_dataset(data, allow_network)), chosen)


def _without_ontology(dataset: Dataset) -> Dataset:
    """A copy of the data set without the graph kgr:ontology (the data as the user gave it)."""
    from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
    from conflictkg.graph.parse import new_dataset

    copy = new_dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if getattr(g, "identifier", g) != ONTOLOGY_GRAPH:
            copy.add((s, p, o, g))
    return copy


@dataclass
class Imported:
    """A publisher's CSV file in our ontology: the data set, its named graph, and the rows skipped."""

    dataset: Dataset
    graph: str
    rows_imported: int
    problems: list[str]


def import_csv(publisher: str, path: PathLike, strict: bool = False, allow_network: bool = False) -> Imported:
    """Import an ACLED export (`publisher="acled"`) or a UCDP GED CSV file (`"ucdp"`) into one named
    graph with provenance. Malformed rows are skipped and listed in `.problems` (with `strict`, any
    malformed row raises `InputError` naming its row)."""
    from conflictkg.exchange.importers import import_csv as run_import
    from conflictkg.exchange.importers import importer_for
    from conflictkg.graph.parse import new_dataset, parse_into, source_for

    with _guarded(allow_network), tempfile.TemporaryDirectory(prefix="conflictkg-import-") as folder:
        output = str(Path(folder) / "imported.nq")
        result = run_import(importer_for(publisher), os.fspath(path), output, strict=strict)
        dataset = new_dataset()
        parse_into(dataset, source_for(output, "nq"))
        return Imported(dataset, str(result.graph), result.rows_imported, result.problem_lines())


@dataclass
class Merged:
    """Merged graphs: the data set, the links made (owl:sameAs, skos:exactMatch, skos:closeMatch), the report text."""

    dataset: Dataset
    links: list
    report: str


def merge(*inputs: Dataset | PathLike, with_builtin: bool = False, allow_network: bool = False) -> Merged:
    """Combine data sets or RDF files (and the built-in graph) and link what stands for the same
    event, actor or place, each link with its explanation in the graph kgr:reconciliation."""
    from conflictkg.exchange.merge import merge_files
    from conflictkg.graph.formats import RdfFormat
    from conflictkg.graph.serialize import serialize

    with _guarded(allow_network), tempfile.TemporaryDirectory(prefix="conflictkg-merge-") as folder:
        locations = []
        for number, item in enumerate(inputs):
            if isinstance(item, Dataset):
                location = Path(folder) / f"input-{number}.nq"
                location.write_bytes(serialize(item, RdfFormat.NQUADS))
                locations.append(str(location))
            else:
                locations.append(os.fspath(item))
        result = merge_files(locations, with_builtin=with_builtin, output=str(Path(folder) / "merged.trig"))
        return Merged(result.dataset, list(result.links), result.report_text())


def report(data: Dataset | PathLike | None, folder: PathLike, title: str | None = None, allow_network: bool = False) -> Path:
    """Write the static HTML report (map, timeline, claims, actors, ontology) into `folder`; return
    the path of its index.html."""
    from conflictkg.views.report import write_report

    with _guarded(allow_network):
        return write_report(_dataset(data, allow_network), folder, title=title)


__all__ = ["Answer", "Imported", "Merged", "export", "import_csv", "load", "merge", "queries", "query", "report", "validate"]
