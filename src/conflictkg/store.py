"""Keeps the graph in memory (rdflib), in an embedded Oxigraph database, or on a SPARQL server.

One option picks the store (`--store SPEC`):

- `memory` (default): an rdflib Dataset built from `--data` (or the built-in data) for one command.
- `oxigraph:PATH`: an embedded, persistent pyoxigraph Store in the folder PATH.
- `sparql:URL`: any server speaking the SPARQL 1.1 Protocol and the Graph Store Protocol.
  `sparql:http://host:7878` is read as an Oxigraph server (`/query`, `/update`, `/store`);
  other servers are named endpoint by endpoint, e.g. Fuseki
  `sparql:query=http://h:3030/ds/query,update=http://h:3030/ds/update,store=http://h:3030/ds/data`.
  An optional `union=` key (`auto`, `param`, `graphs`, `server`) says how queries see all
  graphs at once (see `SparqlStore`).

Every store offers the same small interface (`Store`): load a data set or files, graph by named
graph; run a (saved) query with its parameters bound by the engine; stream or dump the quads.
Loading replaces each named graph the input brings, and either replaces it whole or leaves it
as it was.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from abc import ABC, abstractmethod
from contextlib import contextmanager
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from .errors import InputError, QueryError, UsageError
from .formats import RdfFormat
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES

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


@dataclass
class LoadReport:
    """What a load did: the triples put into each graph (None = the default graph)."""

    graphs: list[tuple[Node | None, int]] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(count for _graph, count in self.graphs)


class Store(ABC):
    """The interface every store offers.

    Inside `with store.one_load():` (what `load_into` does) a graph is replaced only the first
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
        from .load import Source, load_dataset, source_for

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
        from .load import new_dataset

        dataset = new_dataset()
        graphs: dict[Node | None, Graph] = {}
        for s, p, o, g in self.quads():
            if g == ONTOLOGY_GRAPH and not include_ontology:
                continue
            if g not in graphs:
                graphs[g] = dataset.default_graph if g is None else dataset.graph(g)
            graphs[g].add((s, p, o))
        return dataset

    def close(self) -> None:
        """Release the store (files, connections)."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Choosing a store


def open_store(spec: str | None) -> Store:
    """The store a `--store` value names."""
    spec = (spec or DEFAULT_STORE).strip()
    kind, sep, rest = spec.partition(":")
    if spec == "memory":
        return MemoryStore()
    if kind == "oxigraph" and sep:
        if not rest:
            raise UsageError("--store oxigraph:PATH needs the folder of the database")
        return OxigraphStore(rest)
    if kind == "sparql" and sep:
        return SparqlStore.from_spec(rest)
    raise UsageError(f"unknown store {spec!r}; use memory, oxigraph:PATH or sparql:URL")


def is_memory(spec: str | None) -> bool:
    """Whether a `--store` value names the in-memory rdflib store."""
    return (spec or DEFAULT_STORE).strip() == "memory"


# ---------------------------------------------------------------------------------------------
# In memory (rdflib)


class MemoryStore(Store):
    """An rdflib Dataset (default graph = union of all graphs), alive as long as the process."""

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        from .load import new_dataset

        self.dataset = new_dataset() if dataset is None else dataset

    def describe(self) -> str:
        return "in-memory rdflib data set"

    def load_dataset(self, dataset: Dataset) -> LoadReport:
        report = LoadReport()
        for graph_name, graph in _non_empty_graphs(dataset):
            target = self.dataset.default_graph if graph_name is None else self.dataset.graph(graph_name)
            if not self._already_written(graph_name):
                target.remove((None, None, None))
            for triple in graph:
                target.add(triple)
            self._mark_written(graph_name)
            report.graphs.append((graph_name, len(graph)))
        return report

    def query(self, query, values: dict[str, str] | None = None) -> Result:
        from .load import with_ontology
        from .queries import run_query

        return run_query(with_ontology(self.dataset), _as_saved_query(query), values)

    def quads(self) -> Iterator[Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            yield s, p, o, (None if name == DATASET_DEFAULT_GRAPH_ID else name)


# ---------------------------------------------------------------------------------------------
# Embedded Oxigraph


class OxigraphStore(Store):
    """A pyoxigraph Store: persistent in a folder, or in memory when `path` is None.

    Queries see the union of all graphs as their default graph, like the in-memory store.
    Parameters are bound with pyoxigraph's `substitutions` (SEP-0007) when every parameter is
    projected by the query (pyoxigraph refuses others), and otherwise with a VALUES block
    (`conflictkg.sparqlbind`).
    """

    kind = "oxigraph"

    def __init__(self, path: str | Path | None = None) -> None:
        import pyoxigraph as ox

        self.path = None if path is None else str(path)
        try:
            self.store = ox.Store(self.path) if self.path else ox.Store()
        except OSError as error:
            hint = " (is it open in another conflictkg or oxigraph process?)" if "lock" in str(error).lower() else ""
            raise InputError(f"cannot open the Oxigraph database in {self.path}{hint}: {error}") from None

    def describe(self) -> str:
        return f"Oxigraph database in {self.path}" if self.path else "in-memory Oxigraph store"

    def is_empty(self) -> bool:
        return not self.store.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    # -- loading

    def load_dataset(self, dataset: Dataset) -> LoadReport:
        from .oxi import graph_quads

        report = LoadReport()
        for graph_name, graph in _non_empty_graphs(dataset):
            temporary = _temporary_graph()
            try:
                self.store.extend(graph_quads(graph, temporary))  # one transaction
                self._move(temporary, graph_name)  # one transaction
            except Exception as error:
                self._drop_quietly(temporary)
                raise InputError(_failed_graph_message(self, graph_name, report, error)) from None
            report.graphs.append((graph_name, len(graph)))
        return report

    def load_files(
        self,
        locations: Iterable[str],
        input_format: str | None = None,
        graph: str | None = None,
    ) -> LoadReport:
        """Load files with pyoxigraph's own parsers.

        Into an empty store, files go in with `Store.bulk_load` (the fast path; if one fails the
        store is emptied again, so it is left as it was). Into a store that holds data, each file
        is parsed first into a scratch store, then each graph is added under a temporary name and
        moved over its target with one SPARQL `MOVE` (a transaction), so each graph is replaced
        whole or left as it was.
        """
        import pyoxigraph as ox

        from .load import source_for
        from .oxi import OX_FORMATS

        sources = [source_for(location, input_format) for location in locations]
        target_graph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        with self.one_load():
            return self._load_sources(sources, target_graph)

    def _load_sources(self, sources, target_graph) -> LoadReport:
        import pyoxigraph as ox

        from .oxi import OX_FORMATS

        report = LoadReport()
        if self.is_empty():
            for source in sources:
                fmt = OX_FORMATS[source.format]
                to_graph = None if source.format.has_graphs else target_graph
                try:
                    if source.location == "-":
                        import sys

                        self.store.bulk_load(sys.stdin.buffer.read(), fmt, to_graph=to_graph)
                    else:
                        self.store.bulk_load(path=source.location, format=fmt, to_graph=to_graph)
                except (SyntaxError, OSError, ValueError) as error:
                    self.store.clear()
                    raise InputError(f"{source.display_name}: {_ox_error(error)}; the store was left empty, as it was") from None
            report.graphs = self._graph_sizes()
            for graph_name, _count in report.graphs:
                self._mark_written(graph_name)
            return report
        for source in sources:
            scratch = ox.Store()
            fmt = OX_FORMATS[source.format]
            try:
                data = _read_bytes(source)
                scratch.load(data, fmt, to_graph=None if source.format.has_graphs else target_graph)
            except (SyntaxError, ValueError) as error:
                raise InputError(f"{source.display_name}: {_ox_error(error)}; nothing was loaded from it") from None
            for graph_name in [ox.DefaultGraph(), *scratch.named_graphs()]:
                triples = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)
                if not triples:
                    continue
                name = _from_ox_graph(graph_name)
                temporary = _temporary_graph()
                try:
                    self.store.load(triples, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(temporary)))
                    self._move(temporary, name)
                except Exception as error:
                    self._drop_quietly(temporary)
                    raise InputError(_failed_graph_message(self, name, report, error)) from None
                report.graphs.append((name, triples.count(b"\n")))
        return report

    def bulk_load_path(self, path: str | Path, fmt: RdfFormat, graph: Node | None = None) -> None:
        """pyoxigraph's bulk loader on one file, as is (for benchmarks and big first loads)."""
        import pyoxigraph as ox

        from .oxi import OX_FORMATS, to_ox_graph

        to_graph = None if fmt.has_graphs else to_ox_graph(graph)
        self.store.bulk_load(path=str(path), format=OX_FORMATS[fmt], to_graph=to_graph)

    def _move(self, temporary: URIRef, graph_name: Node | None) -> None:
        """Replace (or, if this load wrote it already, add to) `graph_name` with the temporary
        graph, in one update (one transaction)."""
        target = "DEFAULT" if graph_name is None else f"GRAPH <{graph_name}>"
        if self._already_written(graph_name):
            self.store.update(f"ADD GRAPH <{temporary}> TO {target} ; DROP GRAPH <{temporary}>")
        else:
            self.store.update(f"MOVE GRAPH <{temporary}> TO {target}")
        self._mark_written(graph_name)

    def _drop_quietly(self, temporary: URIRef) -> None:
        try:
            self.store.update(f"DROP SILENT GRAPH <{temporary}>")
        except Exception:
            pass

    def _graph_sizes(self) -> list[tuple[Node | None, int]]:
        rows = self.store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
        )
        from .oxi import from_ox

        return [(from_ox(row["g"]), int(row["n"].value)) for row in rows]

    # -- querying

    def query_native(self, query, values: dict[str, str] | None = None):
        """The pyoxigraph answer (QuerySolutions, QueryBoolean or QueryTriples), unconverted."""
        import pyoxigraph as ox

        from .oxi import to_ox
        from .queries import bind_parameters
        from .sparqlbind import bind_with_values

        saved = _as_saved_query(query)
        bindings = bind_parameters(saved, values or {})
        substitutions = {ox.Variable(name): to_ox(term) for name, term in bindings.items()}
        try:
            try:
                return self.store.query(saved.text, prefixes=OX_PREFIXES, substitutions=substitutions or None, **self._dataset())
            except RuntimeError as error:
                if "SELECT projection" not in str(error):
                    raise
            text = bind_with_values(saved.text, bindings)
            return self.store.query(text, prefixes=OX_PREFIXES, **self._dataset())
        except SyntaxError as error:
            raise QueryError(f"{saved.name}: SPARQL syntax error: {error}") from None
        except (RuntimeError, OSError) as error:
            raise QueryError(f"{saved.name}: the query failed: {error}") from None

    def _dataset(self) -> dict:
        """What queries read: every graph, as in memory, but not `kgr:inferred` (which
        `conflictkg reason` writes), so saved queries give the same answers either way."""
        import pyoxigraph as ox

        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        if not self.store.contains_named_graph(inferred):
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.DefaultGraph(), *(g for g in self.store.named_graphs() if g != inferred)]}

    def query(self, query, values: dict[str, str] | None = None) -> Result:
        from .oxi import result_from_ox

        return result_from_ox(self.query_native(query, values))

    def update(self, text: str) -> None:
        """Run a SPARQL Update (one transaction)."""
        self.store.update(text, prefixes=OX_PREFIXES)

    # -- reading out

    def quads(self) -> Iterator[Quad]:
        from .oxi import from_ox

        for quad in self.store.quads_for_pattern(None, None, None, None):
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), _from_ox_graph(quad.graph_name)

    def dump(self, output, fmt: RdfFormat, graph: Node | None = None, exclude_ontology: bool = True) -> None:
        """Write the store with pyoxigraph's serialisers (fast); formats without graphs get the union."""
        import pyoxigraph as ox

        from .oxi import OX_FORMATS

        prefixes = OX_PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if not exclude_ontology and (fmt.has_graphs and fmt is not RdfFormat.JSONLD):
            self.store.dump(output, OX_FORMATS[fmt], prefixes=prefixes)
            return
        if fmt in (RdfFormat.NTRIPLES, RdfFormat.TURTLE):
            # one document per graph, written by pyoxigraph alone: N-Triples and Turtle documents
            # may follow each other in one file (a triple in two graphs is written twice)
            for graph_name in [ox.DefaultGraph(), *sorted(self.store.named_graphs(), key=str)]:
                if exclude_ontology and isinstance(graph_name, ox.NamedNode) and graph_name.value == str(ONTOLOGY_GRAPH):
                    continue
                self.store.dump(output, OX_FORMATS[fmt], from_graph=graph_name, prefixes=prefixes)
            return
        quads = (
            q for q in self.store.quads_for_pattern(None, None, None, None)
            if not (exclude_ontology and isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == str(ONTOLOGY_GRAPH))
        )
        if fmt.has_graphs:
            ox.serialize(quads, output, OX_FORMATS[fmt], prefixes=prefixes)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            ox.serialize(_unique(triples), output, OX_FORMATS[fmt], prefixes=prefixes)

    def close(self) -> None:
        try:
            self.store.flush()
        except Exception:
            pass
        self.store = None  # type: ignore[assignment]


def _unique(items):
    seen = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item


# ---------------------------------------------------------------------------------------------
# Any SPARQL 1.1 Protocol + Graph Store Protocol server


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a remote store and how queries see all of its graphs."""

    query: str
    update: str
    store: str
    union: str = "auto"


UNION_MODES = ("auto", "param", "graphs", "server")


def parse_sparql_spec(rest: str) -> Endpoints:
    """`URL[,union=MODE]` (Oxigraph layout: URL/query, URL/update, URL/store) or
    `query=URL,update=URL,store=URL[,union=MODE]`."""
    keys = ("query", "update", "store", "union")
    values: dict[str, str] = {}
    for number, part in enumerate(re.split(r",(?=(?:query|update|store|union)=)", rest.strip())):
        key, sep, value = part.partition("=")
        if sep and key in keys:
            if not value:
                raise UsageError(f"--store sparql: {key}= needs a value")
            values[key] = value
        elif number == 0 and part:
            base = part.rstrip("/")
            values.update(query=base + "/query", update=base + "/update", store=base + "/store")
        else:
            raise UsageError(f"--store sparql: cannot read {part!r}; write sparql:URL or sparql:query=URL,update=URL,store=URL")
    missing = [k for k in ("query", "update", "store") if k not in values]
    if missing:
        raise UsageError(f"--store sparql: missing {', '.join(m + '=URL' for m in missing)}")
    for key in ("query", "update", "store"):
        if urllib.parse.urlsplit(values[key]).scheme not in ("http", "https"):
            raise UsageError(f"--store sparql: the {key} endpoint must be an http(s) URL, not {values[key]!r}")
    union = values.get("union", "auto")
    if union not in UNION_MODES:
        raise UsageError(f"--store sparql: union= takes one of {', '.join(UNION_MODES)}")
    return Endpoints(values["query"], values["update"], values["store"], union)


class SparqlStore(Store):
    """A remote store reached over HTTP with the SPARQL 1.1 Protocol and Graph Store Protocol.

    Queries see all graphs at once, as with the other stores; how depends on `union`:
    `param` sends Oxigraph's `union-default-graph` parameter; `graphs` (standard protocol) names
    every named graph as a `default-graph-uri` and `named-graph-uri` (the server's unnamed
    default graph then stays out of sight, the protocol having no name for it); `server` sends
    the query as it is, for servers whose default graph is already the union (GraphDB, Virtuoso,
    Fuseki with `unionDefaultGraph`); `auto` picks `param` when the server says it is Oxigraph
    and `graphs` otherwise.

    Parameters are bound with a VALUES block of serialised terms (see `conflictkg.sparqlbind`).
    Loading PUTs each graph into a fresh temporary graph with the Graph Store Protocol, then
    moves it over its target with one SPARQL Update `MOVE` request, which stores run as one
    transaction; if the PUT or the MOVE fails, the temporary graph is deleted and the target
    graph is as it was.
    """

    kind = "sparql"
    timeout = 600.0

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self._union: str | None = None if endpoints.union == "auto" else endpoints.union

    @classmethod
    def from_spec(cls, rest: str) -> "SparqlStore":
        return cls(parse_sparql_spec(rest))

    def describe(self) -> str:
        return f"SPARQL server at {self.endpoints.query}"

    # -- HTTP

    def _request(self, method: str, url: str, body=None, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers={"User-Agent": "conflictkg", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:400].decode("utf-8", "replace").strip()
            raise RemoteError(f"{method} {_short_url(url)} answered {error.code} {error.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RemoteError(f"cannot reach {_short_url(url)}: {reason}") from None

    def union_mode(self) -> str:
        """How queries see all graphs (asks the server once when `auto`)."""
        if self._union is None:
            url = self.endpoints.query + "?" + urllib.parse.urlencode({"query": "ASK {}"})
            try:
                _status, headers, _body = self._request("GET", url, headers={"Accept": "application/sparql-results+json"})
            except RemoteError as error:
                raise InputError(str(error)) from None
            server = {k.lower(): v for k, v in headers.items()}.get("server", "")
            self._union = "param" if server.lower().startswith("oxigraph") else "graphs"
        return self._union

    # -- querying

    def query_text(self, text: str, all_graphs: bool = True) -> Result:
        """Run SPARQL text as it is (with our prefixes added where it lacks them)."""
        form: list[tuple[str, str]] = [("query", _with_prologue(text))]
        if all_graphs:
            mode = self.union_mode()
            if mode == "param":
                form.append(("union-default-graph", ""))
            elif mode == "graphs":
                for name in self.graph_names():
                    form += [("default-graph-uri", str(name)), ("named-graph-uri", str(name))]
        body = urllib.parse.urlencode(form).encode("ascii")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
        }
        try:
            _status, response_headers, payload = self._request("POST", self.endpoints.query, body, headers)
        except RemoteError as error:
            raise QueryError(str(error)) from None
        content_type = {k.lower(): v for k, v in response_headers.items()}.get("content-type", "")
        if "json" in content_type:
            return _parse_json_results(payload)
        result = Result("CONSTRUCT")
        result.graph = _parse_ntriples(payload)
        return result

    def query(self, query, values: dict[str, str] | None = None) -> Result:
        from .queries import bind_parameters
        from .sparqlbind import bind_with_values

        saved = _as_saved_query(query)
        bindings = bind_parameters(saved, values or {})
        try:
            return self.query_text(bind_with_values(saved.text, bindings))
        except QueryError as error:
            raise QueryError(f"{saved.name}: {error}") from None

    def update(self, text: str) -> None:
        """Send a SPARQL Update request."""
        self._request("POST", self.endpoints.update, _with_prologue(text).encode("utf-8"),
                      {"Content-Type": "application/sparql-update"})

    def graph_names(self) -> list[URIRef]:
        """The names of the server's non-empty named graphs."""
        result = self.query_text("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", all_graphs=False)
        return sorted(row[0] for row in result if isinstance(row[0], URIRef))

    # -- Graph Store Protocol

    def graph_url(self, graph_name: Node | None) -> str:
        separator = "&" if "?" in self.endpoints.store else "?"
        if graph_name is None:
            return self.endpoints.store + separator + "default"
        return self.endpoints.store + separator + urllib.parse.urlencode({"graph": str(graph_name)})

    def put_graph(self, graph_name: Node | None, body, content_type: str = "application/n-triples") -> None:
        """Replace one graph with the Graph Store Protocol (body: bytes or an iterable of chunks)."""
        self._request("PUT", self.graph_url(graph_name), body, {"Content-Type": content_type})

    def get_graph(self, graph_name: Node | None) -> bytes:
        _status, _headers, payload = self._request("GET", self.graph_url(graph_name), headers={"Accept": "application/n-triples"})
        return payload

    def delete_graph_quietly(self, graph_name: Node) -> None:
        try:
            self._request("DELETE", self.graph_url(graph_name))
        except RemoteError:
            pass

    def replace_graph(self, graph_name: Node | None, body, content_type: str = "application/n-triples") -> None:
        """Upload into a temporary graph, then MOVE it over `graph_name`; on failure clean up and raise."""
        temporary = _temporary_graph()
        try:
            self.put_graph(temporary, body, content_type)
            target = "DEFAULT" if graph_name is None else f"GRAPH <{graph_name}>"
            if self._already_written(graph_name):  # this load wrote it already: add, one request
                self.update(f"ADD GRAPH <{temporary}> TO {target} ; DROP GRAPH <{temporary}>")
            else:
                self.update(f"MOVE GRAPH <{temporary}> TO {target}")
        except RemoteError:
            self.delete_graph_quietly(temporary)
            raise
        self._mark_written(graph_name)

    # -- loading

    def load_dataset(self, dataset: Dataset) -> LoadReport:
        report = LoadReport()
        for graph_name, graph in _non_empty_graphs(dataset):
            body = _ntriples_bytes(graph)
            try:
                self.replace_graph(graph_name, body)
            except RemoteError as error:
                raise InputError(_failed_graph_message(self, graph_name, report, error)) from None
            report.graphs.append((graph_name, len(graph)))
        return report

    def load_files(
        self,
        locations: Iterable[str],
        input_format: str | None = None,
        graph: str | None = None,
    ) -> LoadReport:
        """Triple files are streamed to the server as they are (one PUT each, the server parses
        them); quad files (N-Quads, TriG, JSON-LD) are parsed here and sent graph by graph."""
        import pyoxigraph as ox

        from .load import source_for
        from .oxi import OX_FORMATS

        with self.one_load():
            return self._load_locations(locations, input_format, graph)

    def _load_locations(self, locations, input_format, graph) -> LoadReport:
        import pyoxigraph as ox

        from .load import source_for
        from .oxi import OX_FORMATS

        report = LoadReport()
        target = URIRef(graph) if graph else None
        for location in locations:
            source = source_for(location, input_format)
            if not source.format.has_graphs and source.location != "-":
                try:
                    self.replace_graph(target, _file_chunks(source.location), source.format.media_type)
                except RemoteError as error:
                    raise InputError(_failed_graph_message(self, target, report, error)) from None
                report.graphs.append((target, -1))
                continue
            scratch = ox.Store()
            try:
                scratch.load(_read_bytes(source), OX_FORMATS[source.format],
                             to_graph=None if source.format.has_graphs else ox.DefaultGraph())
            except (SyntaxError, ValueError) as error:
                raise InputError(f"{source.display_name}: {_ox_error(error)}; nothing was loaded from it") from None
            for graph_name in [ox.DefaultGraph(), *scratch.named_graphs()]:
                triples = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)
                if not triples:
                    continue
                name = _from_ox_graph(graph_name)
                try:
                    self.replace_graph(name, triples)
                except RemoteError as error:
                    raise InputError(_failed_graph_message(self, name, report, error)) from None
                report.graphs.append((name, triples.count(b"\n")))
        return report

    # -- reading out

    def quads(self) -> Iterator[Quad]:
        import pyoxigraph as ox

        from .oxi import from_ox

        for graph_name in [None, *self.graph_names()]:
            try:
                payload = self.get_graph(graph_name)
            except RemoteError as error:
                if graph_name is None and "404" in str(error):
                    continue
                raise InputError(str(error)) from None
            for triple in ox.parse(payload, ox.RdfFormat.N_TRIPLES):
                yield from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object), graph_name


class RemoteError(Exception):
    """An HTTP request to a remote store failed (internal; turned into InputError/QueryError)."""


# ---------------------------------------------------------------------------------------------
# Helpers


def _as_saved_query(query):
    from .queries import SavedQuery, parse_saved_query

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
    from .oxi import from_ox

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


def _file_chunks(location: str, size: int = 1 << 20) -> Iterator[bytes]:
    try:
        handle = open(location, "rb")
    except FileNotFoundError:
        raise InputError(f"{location}: no such file") from None
    except OSError as error:
        raise InputError(f"{location}: cannot read: {error.strerror}") from None

    def chunks() -> Iterator[bytes]:
        with handle:
            while True:
                chunk = handle.read(size)
                if not chunk:
                    return
                yield chunk

    return chunks()


def _ntriples_bytes(graph: Graph) -> bytes:
    import pyoxigraph as ox

    from .oxi import to_ox

    triples = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _with_prologue(text: str) -> str:
    """`text` with PREFIX lines for those of our prefixes it uses without declaring."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([A-Za-z][\w\-.]*)?\s*:", text)}
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", text)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def _short_url(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


def _parse_json_results(payload: bytes) -> Result:
    try:
        document = json.loads(payload)
    except ValueError as error:
        raise QueryError(f"the server's answer is not SPARQL JSON results: {error}") from None
    if "boolean" in document:
        result = Result("ASK")
        result.askAnswer = bool(document["boolean"])
        return result
    names = document.get("head", {}).get("vars", [])
    result = Result("SELECT")
    result.vars = [Variable(name) for name in names]
    rows = []
    for binding in document.get("results", {}).get("bindings", []):
        rows.append({Variable(name): _json_term(value) for name, value in binding.items()})
    result.bindings = rows
    return result


def _json_term(value: dict) -> Node:
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if language:
            return Literal(value["value"], lang=language)
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(value["value"], datatype=URIRef(datatype))
        return Literal(value["value"])
    raise QueryError(f"cannot read the term {value!r} in the server's answer")


def _parse_ntriples(payload: bytes) -> Graph:
    import pyoxigraph as ox

    from .oxi import from_ox

    graph = Graph()
    for triple in ox.parse(payload, ox.RdfFormat.N_TRIPLES):
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return graph


__all__ = [
    "DEFAULT_STORE",
    "Endpoints",
    "LoadReport",
    "MemoryStore",
    "OxigraphStore",
    "STORE_HELP",
    "SparqlStore",
    "Store",
    "is_memory",
    "open_store",
    "parse_sparql_spec",
]


def load_into(
    store: Store,
    locations: Iterable[str] = (),
    input_format: str | None = None,
    with_builtin: bool = False,
    graph: str | None = None,
    ontology: bool = True,
) -> LoadReport:
    """What `conflictkg load` does: the files (or the built-in data), then the ontology in `kgr:ontology`.

    Files go first so that an empty Oxigraph database takes them through its bulk loader.
    """
    from .load import load_dataset, load_ontology, new_dataset

    locations = list(locations)
    report = LoadReport()
    with store.one_load():  # files and built-in data that share a graph all end up in it
        if locations:
            report.graphs += store.load_files(locations, input_format, graph).graphs
        if with_builtin or not locations:
            builtin = load_dataset()
            if graph:
                _move_default_graph(builtin, URIRef(graph))
            report.graphs += store.load_dataset(builtin).graphs
        if ontology:
            shipped = new_dataset()
            shipped.graph(ONTOLOGY_GRAPH).__iadd__(load_ontology())
            report.graphs += store.load_dataset(shipped).graphs
    if locations and isinstance(store, OxigraphStore):
        # Files went in through Oxigraph's own loader, not load_dataset: derive the claim
        # relations of everything now in the database, in the database (argument.py).
        from .argument import RELATIONS_GRAPH, add_claim_relations_in_store

        derived = add_claim_relations_in_store(store.store)
        if derived:
            report.graphs.append((RELATIONS_GRAPH, derived))
    return report


_DISPLAY_PREFIXES = {
    "event": "id/event/", "actor": "id/actor/", "place": "id/place/", "claim": "id/claim/", "source": "id/source/",
    "et": "vocab/event-type/", "cas": "vocab/casualty/", "ck": "vocab/claim-kind/", "st": "vocab/status/",
    "prec": "vocab/precision/",
}


def display_namespaces():
    """A namespace manager for printing store answers: our prefixes plus the short ones the built-in data uses."""
    from .namespaces import bind_prefixes

    graph = bind_prefixes(Graph())
    for prefix, path in _DISPLAY_PREFIXES.items():
        graph.bind(prefix, "https://w3id.org/conflictkg/" + path, override=True, replace=True)
    return graph.namespace_manager
