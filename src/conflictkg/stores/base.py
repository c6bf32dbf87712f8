"""The store interface every command goes through (`Store`), with what all stores share.

A store is where the graph lives: in memory (rdflib), in an embedded Oxigraph database, or on a
SPARQL 1.1 server. The operations the commands need (load, query with bound parameters, update,
dump and export, validate, derive claim relations, reason, size) are methods here; each store
does each the best way it can and overrides the default, and where one cannot it raises a
UsageError that says so in one line. The defaults below work on an in-memory copy.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import ONTOLOGY_GRAPH, PREFIXES

if TYPE_CHECKING:
    from conflictkg.stores.memory import MemoryStore
    from conflictkg.stores.reasoner import MaterializeReport

def dataset_producer(dataset, with_graphs: bool = True) -> Callable[[BinaryIO], None]:
    """A `produce` for `write_shards` that writes an rdflib data set as N-Quads (or N-Triples)."""

    def produce(sink: BinaryIO) -> None:
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import dataset_quads

        if with_graphs:
            ox.serialize(dataset_quads(dataset), sink, ox.RdfFormat.N_QUADS)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in dataset_quads(dataset))
            ox.serialize(triples, sink, ox.RdfFormat.N_TRIPLES)

    return produce


DEFAULT_STORE = "memory"
STORE_HELP = (
    "where the graph lives: memory (default; rdflib, built from --data), oxigraph:PATH (embedded "
    "Oxigraph database in folder PATH) or sparql:URL (a SPARQL 1.1 Protocol + Graph Store Protocol "
    "server; http://host:port is read as Oxigraph's /query, /update, /store; or give "
    "query=URL,update=URL,store=URL)"
)
TEMPORARY_GRAPH_PREFIX = "urn:conflictkg:upload:"
OX_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

Quad = tuple[Node, Node, Node, Node | None]


@dataclass(frozen=True)
class Conformance:
    """What a validation found: whether the data conforms, and the report to print."""

    conforms: bool
    text: str


@dataclass(frozen=True)
class Overview:
    """What `conflictkg summary` counts: the data's distinct triples and non-empty graphs (the
    `kgr:ontology` graph left out), the claim relations of each kind and the disagreeing pairs."""

    triples: int
    graphs: int
    relations: dict[str, int]
    disagreements: int


@dataclass
class LoadReport:
    """What a load did: the triples put into each graph (None = the default graph)."""

    graphs: list[tuple[Node | None, int]] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(count for _graph, count in self.graphs)


class Store(ABC):
    """The interface every store offers.

    Inside `with store.one_load():` (what `load` does) a graph is replaced only the first
    time the load writes it; files or data sets that bring the same graph again are added to
    it, so `--data a.nt --data b.nt --with-builtin` ends with all of them in the default graph.
    """

    kind: str = "store"
    _written: set | None = None

    @contextmanager
    def one_load(self) -> Iterator[None]:
        """Treat every load inside the block as one input (see the class docstring)."""
        outer = self._written is None
        if outer:
            self._written = set()
        try:
            yield
        finally:
            if outer:
                self._written = None

    def _already_written(self, graph_name) -> bool:
        return self._written is not None and _graph_key(graph_name) in self._written

    def _mark_written(self, graph_name) -> None:
        if self._written is not None:
            self._written.add(_graph_key(graph_name))

    @abstractmethod
    def describe(self) -> str:
        """A short human description, e.g. 'Oxigraph database in data/kg'."""

    @abstractmethod
    def load_dataset(self, dataset: Dataset) -> LoadReport:
        """Put each non-empty graph of `dataset` into the store, replacing that graph there."""

    def load_files(
        self,
        locations: Iterable[str],
        input_format: str | None = None,
        graph: str | None = None,
    ) -> LoadReport:
        """Load RDF files (triples into the default graph or `graph`; quads into their graphs)."""
        from conflictkg.stores.dataset import load_dataset

        dataset = load_dataset(list(locations), input_format)
        if graph:
            _move_default_graph(dataset, URIRef(graph))
        return self.load_dataset(dataset)

    @abstractmethod
    def query(self, query, values: dict[str, str] | None = None) -> Result:
        """Run a SavedQuery (or query text) with its parameters bound by the engine."""

    @abstractmethod
    def quads(self) -> Iterator[Quad]:
        """Every quad in the store, as rdflib terms (graph None = the default graph)."""

    def to_dataset(self, include_ontology: bool = False) -> Dataset:
        """The store's content as an rdflib data set (without the `kgr:ontology` graph unless asked)."""
        from conflictkg.graph.parse import new_dataset

        dataset = new_dataset()
        graphs: dict[Node | None, Graph] = {}
        for s, p, o, g in self.quads():
            if g == ONTOLOGY_GRAPH and not include_ontology:
                continue
            if g not in graphs:
                graphs[g] = dataset.default_graph if g is None else dataset.graph(g)
            graphs[g].add((s, p, o))
        return dataset

    # -- the operations the commands call; a store overrides those it does better

    def load(
        self,
        locations: Iterable[str] = (),
        input_format: str | None = None,
        with_builtin: bool = False,
        graph: str | None = None,
        ontology: bool = True,
    ) -> LoadReport:
        """What `conflictkg load` does: the files (or the built-in data), then the ontology in `kgr:ontology`.

        Files go first so that an empty Oxigraph database takes them through its bulk loader.
        """
        from conflictkg.graph.parse import load_ontology, new_dataset
        from conflictkg.stores.dataset import load_dataset

        locations = list(locations)
        report = LoadReport()
        with self.one_load():  # files and built-in data that share a graph all end up in it
            if locations:
                report.graphs += self.load_files(locations, input_format, graph).graphs
            if with_builtin or not locations:
                builtin = load_dataset()
                if graph:
                    _move_default_graph(builtin, URIRef(graph))
                report.graphs += self.load_dataset(builtin).graphs
            if ontology:
                shipped = new_dataset()
                shipped.graph(ONTOLOGY_GRAPH).__iadd__(load_ontology())
                report.graphs += self.load_dataset(shipped).graphs
        return report

    @abstractmethod
    def in_memory(self) -> "MemoryStore":
        """The store itself if it is in memory, else an in-memory copy of it (without the ontology graph)."""

    def part(self, query, values: dict[str, str] | None = None) -> Dataset:
        """The part of the store a CONSTRUCT `query` selects, as an rdflib data set, for code
        written against rdflib that reads only that part (`conflictkg evidence`): the store answers
        the CONSTRUCT and only that part is copied. (The memory store gives its whole data set.)"""
        from conflictkg.graph.parse import new_dataset

        dataset = new_dataset()
        result = self.query(query, values)
        if result.graph is None:
            raise QueryError(f"{_as_saved_query(query).name}: a CONSTRUCT query was expected")
        for triple in result.graph:
            dataset.default_graph.add(triple)
        return dataset

    def export_stream(self, fmt: RdfFormat, reasoned: bool = False, reasoner: str = "rules",
                      frame: str | None = None) -> Callable[[BinaryIO], int] | None:
        """A writer that streams the export into a binary sink and returns the lines written, for
        stores that can write `fmt` without holding the export; None (this default) when the
        export is built whole by `export`."""
        return None

    def overview(self) -> Overview:
        """The counts `conflictkg summary` prints (see `Overview`); by default from the data set."""
        from conflictkg.inference.claim_relations import disagreements, relation_counts

        dataset = self.to_dataset()
        graphs = sum(1 for graph in dataset.graphs() if len(graph))
        return Overview(len(dataset), graphs, relation_counts(dataset), len(disagreements(dataset)))

    @property
    def namespace_manager(self):
        """The prefixes to print this store's answers with."""
        return display_namespaces()

    def size(self) -> int:
        """The number of quads in the store."""
        return sum(1 for _quad in self.quads())

    def validate(self, extra_shapes: Iterable[str] = (), validator: str = "auto") -> "Conformance":
        """Check the data against the shipped shapes (and `extra_shapes`); by default on an in-memory copy."""
        return self.in_memory().validate(extra_shapes, validator)

    def derive_claim_relations(self) -> int:
        """Replace the graph kgr:claim-relations with what the rules derive; returns its size."""
        raise UsageError(f"the {self.describe()} cannot run the claim-relation rules in place")

    def reason(self) -> "MaterializeReport":
        """Materialise what the ontology entails into the graph kgr:inferred, replacing it."""
        raise UsageError("conflictkg reason works in an Oxigraph database (--store oxigraph:PATH); "
                         "for other data use `conflictkg export --reasoned`")

    def export(self, fmt: RdfFormat, reasoned: bool = False, reasoner: str = "rules", frame: str | None = None) -> bytes:
        """The store's data (with the ontology and its entailments if `reasoned`) written in `fmt`,
        or nested with a shipped JSON-LD `frame`."""
        from conflictkg.graph import serialize as rdf_writer

        dataset = self._exported_dataset(reasoned, reasoner)
        return rdf_writer.serialize_framed(dataset, frame) if frame else rdf_writer.serialize(dataset, fmt)

    def shard_producer(self, with_graphs: bool = True, reasoned: bool = False, reasoner: str = "rules") -> Callable[[BinaryIO], None]:
        """A `produce` for `conflictkg.exchange.shards.write_shards` that writes the store as N-Quads (or N-Triples)."""
        return dataset_producer(self._exported_dataset(reasoned, reasoner), with_graphs)

    def _exported_dataset(self, reasoned: bool, reasoner: str) -> Dataset:
        """The data set an export writes: the store's data, or with `reasoned` the data, the
        ontology and what the chosen reasoner entails."""
        dataset = self.to_dataset()
        if not reasoned:
            return dataset
        from conflictkg.stores.reasoner import reasoned_dataset

        return reasoned_dataset(dataset, reasoner)

    def close(self) -> None:
        """Release the store (files, connections)."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Helpers


def _as_saved_query(query):
    from conflictkg.queries.saved import SavedQuery, parse_saved_query

    if isinstance(query, SavedQuery):
        return query
    return parse_saved_query("query", str(query))


def _non_empty_graphs(dataset: Dataset) -> list[tuple[Node | None, Graph]]:
    graphs = []
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        name = None if graph.identifier == DATASET_DEFAULT_GRAPH_ID else graph.identifier
        graphs.append((name, graph))
    return sorted(graphs, key=lambda item: "" if item[0] is None else str(item[0]))


def _move_default_graph(dataset: Dataset, target: URIRef) -> None:
    default = dataset.default_graph
    named = dataset.graph(target)
    for triple in list(default):
        named.add(triple)
    default.remove((None, None, None))


def _graph_key(graph_name) -> str:
    value = getattr(graph_name, "value", graph_name)
    return "" if value is None or graph_name.__class__.__name__ == "DefaultGraph" else str(value)


def _temporary_graph() -> URIRef:
    return URIRef(TEMPORARY_GRAPH_PREFIX + uuid.uuid4().hex)


def _graph_label(graph_name: Node | None) -> str:
    return "the default graph" if graph_name is None else f"graph <{graph_name}>"


def _failed_graph_message(store: Store, graph_name: Node | None, report: LoadReport, error: Exception) -> str:
    done = ", ".join(_graph_label(g) for g, _n in report.graphs)
    message = f"loading {_graph_label(graph_name)} into the {store.describe()} failed: {error}. {_graph_label(graph_name).capitalize()} was left as it was"
    if done:
        message += f"; already replaced before the failure: {done}"
    return message


def _from_ox_graph(graph_name) -> Node | None:
    from conflictkg.graph.oxigraph import from_ox

    return from_ox(graph_name)


def _ox_error(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _read_bytes(source) -> bytes:
    import sys

    if source.location == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source.location).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source.display_name}: no such file") from None
    except OSError as error:
        raise InputError(f"{source.display_name}: cannot read: {error.strerror}") from None


def _ntriples_bytes(graph: Graph) -> bytes:
    import pyoxigraph as ox

    from conflictkg.graph.oxigraph import to_ox

    triples = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


_DISPLAY_PREFIXES = {
    "event": "id/event/", "actor": "id/actor/", "place": "id/place/", "claim": "id/claim/", "source": "id/source/",
    "et": "vocab/event-type/", "cas": "vocab/casualty/", "ck": "vocab/claim-kind/", "st": "vocab/status/",
    "prec": "vocab/precision/",
}


def display_namespaces():
    """A namespace manager for printing store answers: our prefixes plus the short ones the built-in data uses."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in display_prefixes().items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph.namespace_manager


def display_prefixes() -> dict[str, str]:
    """Every prefix the tool writes and reads (`ckg:`, `kid:`, ... and the data files' own `actor:`,
    `claim:`, `event:`, ...): the endpoint, the query page's editor and every printed table share it."""
    from conflictkg.graph.namespaces import PREFIXES

    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    for prefix, path in _DISPLAY_PREFIXES.items():
        prefixes[prefix] = "https://w3id.org/conflictkg/" + path
    return prefixes


def expand_prefixed(value: str) -> str:
    """A parameter value written with one of the data files' prefixes (`cas:killed`, `actor:rfi`)
    as its full IRI; anything else unchanged (`conflictkg.queries.saved` reads `ckg:`, `kid:`, ...)."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in _DISPLAY_PREFIXES and not local.startswith("//"):
        return "https://w3id.org/conflictkg/" + _DISPLAY_PREFIXES[prefix] + local
    return value


def relation_kinds(rows) -> dict[str, int]:
    """How many claim relations there are of each kind (the last segment of its ckg:relationKind,
    "unknown" without one), from rows of (relation, kind) with one row per relation."""
    counts: dict[str, int] = {}
    for _relation, kind in rows:
        name = str(kind).rsplit("/", 1)[-1] if kind is not None else "unknown"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def distinct_triples_query(default_graph: str) -> str:
    """A COUNT of the distinct triples of every graph but kgr:ontology, `default_graph` being the
    group pattern that reads the store's own default graph."""
    return ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
            f"{default_graph} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_GRAPH}>) }} }} }}")


RELATION_KINDS_QUERY = ("SELECT ?relation (SAMPLE(?kind) AS ?k) WHERE { ?relation a ckg:ClaimRelation "
                        "OPTIONAL { ?relation ckg:relationKind ?kind } } GROUP BY ?relation")


def disagreement_count(store: Store) -> int:
    """The pairs of claims in conflict (the saved query `disagreements`, as `disagreements`)."""
    from conflictkg.queries.saved import find_query

    pairs = {(row["claimA"], row["claimB"]) for row in store.query(find_query("disagreements"))}
    return sum(1 for first, second in pairs if isinstance(first, URIRef) and isinstance(second, URIRef))
