"""The remote store: any SPARQL 1.1 Protocol and Graph Store Protocol server, reached over HTTP."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import ONTOLOGY_GRAPH, PREFIXES
from conflictkg.guard import network
from conflictkg.stores.base import (
    RELATION_KINDS_QUERY,
    LoadReport,
    Overview,
    Quad,
    Store,
    _as_saved_query,
    _failed_graph_message,
    _from_ox_graph,
    _graph_label,
    _non_empty_graphs,
    _ntriples_bytes,
    _ox_error,
    _read_bytes,
    _temporary_graph,
    disagreement_count,
    distinct_triples_query,
    relation_kinds,
)
from conflictkg.stores.memory import MemoryStore

# ---------------------------------------------------------------------------------------------
# Any SPARQL 1.1 Protocol + Graph Store Protocol server

# The most triples a command copies from a server into memory (an rdflib data set) for what
# needs the whole data set here: Turtle, TriG, RDF/XML and JSON-LD exports, frames, `--as`,
# `serve`. One COUNT query decides before anything is copied or written.
# rdflib takes about 2.5 KB a triple (1.0 GB for the 397,237 of 10,000 generated events), so
# this is about 2.5 GB: a small store is still copied (the built-in graph, a few ten thousand
# events, as before) and works in every format, a big one is refused with what to do instead
# rather than filling the machine's memory. N-Quads and N-Triples exports stream and are never
# limited.
MAX_COPY_TRIPLES = 1_000_000


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

    Parameters are bound with a VALUES block of serialised terms (see `conflictkg.queries.binding`).
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
    def from_spec(cls, rest: str) -> SparqlStore:
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
        """Run SPARQL text as it is (with our prefixes added where it lacks them); SERVICE is refused
        unless the network is allowed (the server would reach out on our behalf)."""
        network.check_sparql(text, f"the query sent to {self.describe()}")
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
        from conflictkg.queries.binding import bind_with_values
        from conflictkg.queries.saved import bind_parameters

        saved = _as_saved_query(query)
        bindings = bind_parameters(saved, values or {})
        try:
            return self.query_text(bind_with_values(saved.text, bindings))
        except QueryError as error:
            raise QueryError(f"{saved.name}: {error}") from None

    def update(self, text: str) -> None:
        """Send a SPARQL Update request (SERVICE and LOAD refused unless the network is allowed)."""
        network.check_sparql(text, f"the update sent to {self.describe()}")
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


        with self.one_load():
            return self._load_locations(locations, input_format, graph)

    def _load_locations(self, locations, input_format, graph) -> LoadReport:
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import OX_FORMATS
        from conflictkg.graph.parse import source_for

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

    # -- counting, on the server

    def count(self, text: str, all_graphs: bool = False) -> int:
        """The integer a `SELECT (COUNT(...) AS ?n)` query answers."""
        rows = list(self.query_text(text, all_graphs=all_graphs))
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def _default_graph_pattern(self) -> str:
        """The triples of the server's unnamed default graph, as a group pattern: the default graph
        of a query sent without a data set; with `union=server` that is the union, so the triples
        also in a named graph are left out (they are counted with their graph)."""
        if self.union_mode() == "server":
            return "{ ?s ?p ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } }"
        return "{ ?s ?p ?o }"

    def graph_sizes(self) -> list[tuple[Node | None, int]]:
        """The number of triples in each non-empty graph (None = the default graph), counted by the server."""
        rows = self.query_text("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", all_graphs=False)
        named = sorted((row[0], int(row[1])) for row in rows if isinstance(row[0], URIRef))
        default = self.count(f"SELECT (COUNT(*) AS ?n) WHERE {self._default_graph_pattern()}")
        return ([(None, default)] if default else []) + named

    def size(self) -> int:
        """The number of quads on the server (one COUNT per graph there, nothing read out)."""
        return sum(count for _graph, count in self.graph_sizes())

    def overview(self) -> Overview:
        """The counts of `conflictkg summary`, all answered by the server: the distinct triples
        of every graph but kgr:ontology, the non-empty graphs, the claim relations by kind
        (as `relation_counts`), and the pairs of claims in conflict from the saved query
        `disagreements` (as `disagreements`)."""
        graphs = sum(1 for name, count in self.graph_sizes() if count and name != ONTOLOGY_GRAPH)
        triples = self.count(distinct_triples_query(self._default_graph_pattern()))
        relations = relation_kinds(self.query_text(RELATION_KINDS_QUERY))
        return Overview(triples, graphs, relations, disagreement_count(self))

    # -- reading out

    def quads(self) -> Iterator[Quad]:
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import from_ox

        for graph_name in [None, *self.graph_names()]:
            try:
                payload = self.get_graph(graph_name)
            except RemoteError as error:
                if graph_name is None and "404" in str(error):
                    continue
                raise InputError(str(error)) from None
            for triple in ox.parse(payload, ox.RdfFormat.N_TRIPLES):
                yield from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object), graph_name


    def to_dataset(self, include_ontology: bool = False) -> Dataset:
        """A copy of the store in memory, for what needs the whole data set here (exports in
        rdflib's formats, frames, `--as`, `serve`): refused with what to do instead when the
        server holds more than `MAX_COPY_TRIPLES` triples (one COUNT query decides). A limit
        rather than no copy at all, so that small stores keep working in every format while a big
        one cannot fill the machine's memory; N-Quads stream instead (`write_graphs`)."""
        held = len(ServerEngine(self))
        if held > MAX_COPY_TRIPLES:
            raise UsageError(
                f"the {self.describe()} holds {held:,} triples; this needs all of them in memory here, which is "
                f"refused above {MAX_COPY_TRIPLES:,} (conflictkg.stores.remote.MAX_COPY_TRIPLES). Export N-Quads "
                "instead, which stream from the server graph by graph (`conflictkg export --store sparql:URL -o data.nq`), "
                "then run this command on the file (`--data data.nq`) or load it into an Oxigraph database "
                "(`conflictkg load --store oxigraph:PATH --data data.nq`); to query it, query the server itself")
        return super().to_dataset(include_ontology)

    def in_memory(self) -> MemoryStore:
        """A copy of every graph in memory (see `to_dataset`: refused above `MAX_COPY_TRIPLES`)."""
        return MemoryStore(self.to_dataset())

    def query_native(self, query, values: dict[str, str] | None = None):
        """The answer as pyoxigraph's QuerySolutions (or QueryBoolean), as `OxigraphStore.query_native`
        gives it: the report reads both stores the same way."""
        from conflictkg.queries.binding import bind_with_values
        from conflictkg.queries.saved import bind_parameters

        saved = _as_saved_query(query)
        network.check_sparql(saved.text, f"{saved.name} on the {self.describe()}")
        text = bind_with_values(saved.text, bind_parameters(saved, values or {}))
        try:
            return ServerEngine(self).query(text, use_default_graph_as_union=True)
        except QueryError as error:
            raise QueryError(f"{saved.name}: {error}") from None

    # -- export, streamed

    def write_graphs(self, sink: BinaryIO, with_graphs: bool = True) -> int:
        """Every graph but kgr:ontology as N-Quads (N-Triples without `with_graphs`; a triple in two
        graphs is written twice), streamed from the server one graph at a time with the Graph
        Store Protocol: each block of N-Triples is written to `sink` as it arrives, with the
        graph's name added to each line. Returns the lines written. Blank-node labels are the
        server's (Oxigraph keeps them the same in every graph and request)."""
        import pyoxigraph as ox

        engine = ServerEngine(self)
        lines = 0
        for name in [None, *self.graph_names()]:
            if name == ONTOLOGY_GRAPH:
                continue
            out = _GraphLines(sink, name if with_graphs else None)
            try:
                engine.dump(out, from_graph=None if name is None else ox.NamedNode(str(name)))
            except RemoteError as error:
                raise InputError(str(error)) from None
            except urllib.error.URLError as error:  # the server went away during the export
                raise InputError(f"cannot read {_graph_label(name)} from the {self.describe()}: {error.reason}") from None
            lines += out.close()
        return lines

    def export_stream(self, fmt: RdfFormat, reasoned: bool = False, reasoner: str = "rules",
                      frame: str | None = None) -> Callable[[BinaryIO], int] | None:
        """N-Quads and N-Triples stream from the server (`write_graphs`); other formats and frames
        are built from a copy by `export`, refused above `MAX_COPY_TRIPLES`."""
        if reasoned:
            self._refuse_reasoned()
        if frame or fmt not in (RdfFormat.NQUADS, RdfFormat.NTRIPLES):
            return None
        with_graphs = fmt is RdfFormat.NQUADS
        return lambda sink: self.write_graphs(sink, with_graphs)

    def export(self, fmt: RdfFormat, reasoned: bool = False, reasoner: str = "rules", frame: str | None = None) -> bytes:
        import io

        stream = self.export_stream(fmt, reasoned, reasoner, frame)
        if stream is None:
            return super().export(fmt, reasoned, reasoner, frame)
        buffer = io.BytesIO()
        stream(buffer)
        return buffer.getvalue()

    def shard_producer(self, with_graphs: bool = True, reasoned: bool = False, reasoner: str = "rules") -> Callable[[BinaryIO], None]:
        """The shards are written as the graphs stream from the server (`write_graphs`)."""
        if reasoned:
            self._refuse_reasoned()
        return lambda sink: self.write_graphs(sink, with_graphs) and None

    # -- the work, done by the server (see ServerEngine)

    def validate(self, extra_shapes: Iterable[str] = (), validator: str = "auto"):
        """Validated by the server: with `validator="auto"` (the default) every SHACL Core
        component of every shape is one SELECT there (`conflictkg.stores.sparql_shapes`) and every
        SHACL-SPARQL constraint one bulk query; only the violations come back, nothing is
        streamed or copied. `validator="fast"` keeps the older path: SHACL Core by the compiled
        `shacl` package reading every graph as the server streams it (it holds them all in its
        memory). `validator="pyshacl"` would need the whole store in memory and is refused."""
        from conflictkg.graph.parse import load_shapes
        from conflictkg.stores.base import Conformance
        from conflictkg.stores.oxigraph_shapes import validate_store
        from conflictkg.stores.sparql_shapes import validate_by_queries

        if validator == "pyshacl":
            raise UsageError(f"--validator pyshacl needs the whole store in memory; the {self.describe()} is validated "
                             "where it is (--validator auto: all as queries there; fast: SHACL Core by shacl reading a stream)")
        extra_shapes = list(extra_shapes)
        shapes = load_shapes(extra_shapes) if extra_shapes else None
        if shapes is not None:
            network.check_shapes_sparql(shapes)
        engine = ServerEngine(self)
        graphs = self._validated_graphs(engine)
        if validator == "fast":
            found = validate_store(engine, shapes, graphs=graphs)
            where = "on the server (SHACL-SPARQL constraints there, in bulk; SHACL Core by shacl reading the graphs streamed)"
        else:
            found = validate_by_queries(engine, shapes, graphs=graphs)
            where = "on the server (SHACL Core and SHACL-SPARQL constraints as queries there)"
        if len(graphs) <= len(engine.named_graphs()):
            where += "; the server holds kgr:inferred (from `conflictkg reason`), which its queries saw too"
        return Conformance(found.conforms, found.text(where))

    def _validated_graphs(self, engine: ServerEngine) -> list:
        import pyoxigraph as ox

        from conflictkg.graph.namespaces import INFERRED_GRAPH

        return [ox.DefaultGraph(), *(g for g in engine.named_graphs() if g.value != str(INFERRED_GRAPH))]

    def load(self, locations: Iterable[str] = (), input_format: str | None = None, with_builtin: bool = False,
             graph: str | None = None, ontology: bool = True) -> LoadReport:
        """`Store.load`, then, when files went in as they are, the claim relations of everything
        on the server, derived there (see `derive_claim_relations`)."""
        from conflictkg.inference.claim_relations import RELATIONS_GRAPH

        locations = list(locations)
        report = super().load(locations, input_format, with_builtin, graph, ontology)
        if locations:
            derived = self.derive_claim_relations()
            if derived:
                report.graphs.append((RELATIONS_GRAPH, derived))
        return report

    def derive_claim_relations(self) -> int:
        """The claim-relation rules, run by the server: each rule a CONSTRUCT there, its answer
        added to kgr:claim-relations there."""
        from conflictkg.stores.rules import add_claim_relations_in_store

        return add_claim_relations_in_store(ServerEngine(self))

    def reason(self):
        """The fast reasoner's rules run by the server, into kgr:inferred there (replaced)."""
        from conflictkg.graph.namespaces import INFERRED_GRAPH
        from conflictkg.stores.reasoner import materialize

        try:
            return materialize(ServerEngine(self))
        except BaseException:
            self.update(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
            raise

    def _exported_dataset(self, reasoned: bool, reasoner: str):
        if reasoned:
            self._refuse_reasoned()
        return super()._exported_dataset(reasoned, reasoner)

    def _refuse_reasoned(self) -> None:
        raise UsageError(f"export --reasoned would copy the whole {self.describe()} into memory; run "
                         f"`conflictkg reason --store sparql:...` (the server keeps the entailments in kgr:inferred) "
                         "and export the store")


class RemoteError(Exception):
    """An HTTP request to a remote store failed (internal; turned into InputError/QueryError)."""


class _GraphLines:
    """A binary sink that passes one graph's N-Triples on to `sink` line by line, as N-Quads of
    `graph` when one is given (` <graph> .` in place of the final ` .`), and counts the lines."""

    def __init__(self, sink: BinaryIO, graph: Node | None) -> None:
        self.sink = sink
        self.suffix = b" .\n" if graph is None else f" <{graph}> .\n".encode("utf-8")
        self.pending = b""
        self.lines = 0

    def write(self, data: bytes) -> int:
        chunk = self.pending + bytes(data)
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self.pending = chunk
        else:
            self.pending = chunk[cut + 1:]
            self._pass(chunk[:cut].split(b"\n"))
        return len(data)

    def _pass(self, lines: list[bytes]) -> None:
        statements = []
        for line in lines:
            text = line.strip()
            if not text or text.startswith(b"#"):
                continue
            if not text.endswith(b"."):
                raise InputError(f"the server sent a line that is not N-Triples: {text[:200]!r}")
            statements.append(text[:-1].rstrip() + self.suffix)
        self.sink.write(b"".join(statements))
        self.lines += len(statements)

    def close(self) -> int:
        """Pass on the last line (if it had no newline); the lines passed on."""
        if self.pending:
            self._pass([self.pending])
            self.pending = b""
        return self.lines


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

    from conflictkg.graph.oxigraph import from_ox

    graph = Graph()
    for triple in ox.parse(payload, ox.RdfFormat.N_TRIPLES):
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return graph


# ---------------------------------------------------------------------------------------------
# Work pushed to the server: the part of pyoxigraph's Store that the store validator
# (`stores.oxigraph_shapes`), the claim-relation rules (`stores.rules`) and the fast reasoner
# (`stores.reasoner`) use, answered by the server over HTTP. Every query and update runs there;
# what comes back is the answer (validation results, derived triples), never the store.


class _Triples:
    """A CONSTRUCT answer as the server sent it (N-Triples bytes), serialised as pyoxigraph's QueryTriples is."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def serialize(self, output=None, format=None) -> bytes | None:
        if output is None:
            return self.payload
        if hasattr(output, "write"):
            output.write(self.payload)
        else:
            with open(output, "ab") as out:
                out.write(self.payload)
        return None

    def __iter__(self):
        import pyoxigraph as ox

        return iter(ox.parse(self.payload, ox.RdfFormat.N_TRIPLES))


class ServerEngine:
    """What `stores.oxigraph_shapes`, `stores.rules` and `stores.reasoner` ask of a pyoxigraph
    Store, done by a SPARQL 1.1 Protocol and Graph Store Protocol server."""

    def __init__(self, remote: SparqlStore) -> None:
        self.remote = remote

    # reading
    def query(self, text: str, use_default_graph_as_union: bool = False, default_graph=None, **_ignored):
        import pyoxigraph as ox

        form: list[tuple[str, str]] = [("query", _with_prologue(text))]
        if default_graph is not None:
            # the protocol cannot name the server's unnamed default graph: a list that holds it is
            # read as all graphs (which may include kgr:inferred; `SparqlStore.validate` says so)
            if any(not isinstance(g, ox.NamedNode) for g in default_graph):
                use_default_graph_as_union = True
            else:
                form += [("default-graph-uri", g.value) for g in default_graph]
        if use_default_graph_as_union:
            mode = self.remote.union_mode()
            if mode == "param":
                form.append(("union-default-graph", ""))
            elif mode == "graphs":
                form += [("default-graph-uri", str(name)) for name in self.remote.graph_names()]
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
        try:
            _status, response_headers, payload = self.remote._request(
                "POST", self.remote.endpoints.query, urllib.parse.urlencode(form).encode("ascii"), headers)
        except RemoteError as error:
            raise QueryError(str(error)) from None
        content_type = {k.lower(): v for k, v in response_headers.items()}.get("content-type", "")
        if "json" in content_type:
            return ox.parse_query_results(payload, ox.QueryResultsFormat.JSON)
        return _Triples(payload)

    def named_graphs(self) -> list:
        import pyoxigraph as ox

        return [ox.NamedNode(str(name)) for name in self.remote.graph_names()]

    def contains_named_graph(self, graph) -> bool:
        return bool(self.query(f"ASK {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"))

    def quads_for_pattern(self, subject, predicate, obj, graph):
        import pyoxigraph as ox

        terms = [t if t is None else str(t) for t in (subject, predicate, obj)]
        pattern = " ".join(term or f"?{name}" for term, name in zip(terms, ("s", "p", "o")))
        where = f"GRAPH <{graph.value}> {{ {pattern} }}" if isinstance(graph, ox.NamedNode) else pattern
        for row in self.query(f"SELECT * WHERE {{ {where} }} LIMIT 1000"):
            yield ox.Quad(subject or row["s"], predicate or row["p"], obj or row["o"], graph or ox.DefaultGraph())

    def dump(self, output, format=None, from_graph=None) -> None:
        """Stream one graph's N-Triples from the server into `output` (nothing kept here)."""
        import pyoxigraph as ox

        name = None if from_graph is None or isinstance(from_graph, ox.DefaultGraph) else from_graph.value
        request = urllib.request.Request(self.remote.graph_url(name), headers={"Accept": "application/n-triples", "User-Agent": "conflictkg"})
        try:
            with urllib.request.urlopen(request, timeout=self.remote.timeout) as response:
                while chunk := response.read(1 << 20):
                    output.write(chunk)
        except urllib.error.HTTPError as error:
            if name is None and error.code == 404:
                return  # no default graph on this server
            raise RemoteError(f"GET {_short_url(self.remote.graph_url(name))} answered {error.code} {error.reason}") from None

    # writing
    def update(self, text: str, **_ignored) -> None:
        self.remote.update(text)

    def bulk_load(self, data: bytes, format=None, to_graph=None, lenient: bool = False) -> None:
        """Add N-Triples to one graph (Graph Store Protocol POST: the server parses them)."""
        import pyoxigraph as ox

        name = None if to_graph is None or isinstance(to_graph, ox.DefaultGraph) else to_graph.value
        self.remote._request("POST", self.remote.graph_url(name), data, {"Content-Type": "application/n-triples"})

    def extend(self, quads) -> None:
        import pyoxigraph as ox

        by_graph: dict = {}
        for quad in quads:
            by_graph.setdefault(quad.graph_name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        for graph, triples in by_graph.items():
            self.bulk_load(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def remove_graph(self, graph) -> None:
        self.remote.update(f"DROP SILENT GRAPH <{graph.value}>")

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        return int(rows[0]["n"].value)
