"""Answers SPARQL queries read-only: refuses updates and SERVICE, negotiates the result format, caps results."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.plugins.sparql.sparql import SPARQLError
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.errors import NetworkRefused, QueryError, UsageError
from conflictkg.stores.base import display_prefixes

MAX_QUERY_CHARS = 100_000

# Media types offered, most preferred first, for each kind of answer; value: (format key, content type sent)
RESULT_TYPES: dict[str, tuple[str, str]] = {
    "application/sparql-results+json": ("json", "application/sparql-results+json"),
    "application/sparql-results+xml": ("xml", "application/sparql-results+xml; charset=utf-8"),
    "text/csv": ("csv", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("tsv", "text/tab-separated-values; charset=utf-8"),
    "application/json": ("json", "application/sparql-results+json"),
}
BOOLEAN_TYPES = {k: v for k, v in RESULT_TYPES.items() if v[0] in ("json", "xml")}
GRAPH_TYPES: dict[str, tuple[str, str]] = {
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/n-triples": ("nt", "application/n-triples"),
    "application/rdf+xml": ("xml", "application/rdf+xml"),
    "application/ld+json": ("json-ld", "application/ld+json"),
    "text/plain": ("nt", "text/plain; charset=utf-8"),
}
# `format=` short names (they override the Accept header)
RESULT_FORMAT_NAMES = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
}
GRAPH_FORMAT_NAMES = {
    "ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "xml": "application/rdf+xml", "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json", "json": "application/ld+json",
}
FILE_EXTENSIONS = {
    "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "nt": "nt", "json-ld": "jsonld",
    "trig": "trig", "nquads": "nq",
}


class RefusedQuery(QueryError):
    """A request this read-only endpoint will not carry out (an update, SERVICE, LOAD)."""


class NotAcceptable(QueryError):
    """No format this endpoint can write is acceptable to the client."""


class TooManyResults(QueryError):
    """The answer has more rows (or triples) than the configured limit."""


class UnknownQuery(UsageError):
    """No saved query has this name."""


@dataclass(frozen=True)
class Limits:
    """How long a query may run (seconds) and how many rows or triples an answer may hold."""

    timeout: float = 10.0
    max_results: int = 10_000
    max_bytes: int = 64 << 20  # of the written answer: a few rows can be huge (a string doubled 28 times is 537 MB)


@dataclass
class Answer:
    """An HTTP answer: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def as_tuple(self) -> tuple[int, str, bytes, dict[str, str]]:
        return self.status, self.content_type, self.body, self.headers


def error_answer(status: int, message: str) -> Answer:
    """A plain-text error answer (what SPARQL endpoints commonly send)."""
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# --- content negotiation -----------------------------------------------------------------------


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q values, best first (stable for ties)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, specificity, position))
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(media, q) for media, q, _s, _p in ranges]


def negotiate(accept: str | None, fmt: str | None, kind: str) -> tuple[str, str]:
    """(format key, content type) for an answer of `kind` ("bindings", "boolean" or "graph").

    `fmt` (the `format` request parameter) wins over the Accept header; NotAcceptable if neither
    names something this endpoint writes.
    """
    offered = {"bindings": RESULT_TYPES, "boolean": BOOLEAN_TYPES, "graph": GRAPH_TYPES}[kind]
    if fmt:
        names = GRAPH_FORMAT_NAMES if kind == "graph" else RESULT_FORMAT_NAMES
        media = names.get(fmt.strip().lower(), fmt.strip().lower())
        if media in offered:
            return offered[media]
        raise NotAcceptable(
            f"format {fmt!r} is not available for this kind of result; use one of: {', '.join(_names_for(kind))}"
        )
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in offered:
            return offered[media]
        if media == "*/*":
            return next(iter(offered.values()))
        if media.endswith("/*"):
            major = media[:-1]
            for candidate, value in offered.items():
                if candidate.startswith(major):
                    return value
    raise NotAcceptable(
        f"none of the requested media types ({accept}) can be written for this result; "
        f"available: {', '.join(dict.fromkeys(offered))}"
    )


def _names_for(kind: str) -> list[str]:
    offered = {"bindings": RESULT_TYPES, "boolean": BOOLEAN_TYPES, "graph": GRAPH_TYPES}[kind]
    names = GRAPH_FORMAT_NAMES if kind == "graph" else RESULT_FORMAT_NAMES
    return sorted(name for name, media in names.items() if media in offered)


# --- checking a query ----------------------------------------------------------------------------

_FORBIDDEN_NODES = {
    "ServiceGraphPattern": "SERVICE (federated query) is refused: this endpoint answers from its own graph only",
}


def parse_checked(text: str) -> Any:
    """The rdflib algebra of a read-only query, or RefusedQuery / QueryError saying what is wrong."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if not text.strip():
        raise QueryError("the query is empty")
    try:
        parsed = parseQuery(text)
    except ParseException as error:
        if _is_update(text, parseUpdate):
            raise RefusedQuery(
                "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) is refused: "
                "this endpoint is read-only"
            ) from None
        raise QueryError(f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to parse") from None
    except Exception as error:  # pyparsing and rdflib raise assorted types on odd input
        raise QueryError(f"SPARQL syntax error: {_first_line(error)}") from None
    _refuse_forbidden(parsed)
    try:
        query = translateQuery(parsed, initNs=display_prefixes())
    except RecursionError:
        raise QueryError("the query is nested too deeply to run") from None
    except Exception as error:
        raise QueryError(f"the query cannot be run: {_first_line(error)}") from None
    _refuse_forbidden(query.algebra)
    _stable_star_columns(text, query.algebra)
    return query


_SELECT_STAR = re.compile(r"(?is)\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*")


def _stable_star_columns(text: str, algebra: Any) -> None:
    """`SELECT *` columns in the order their variables first appear in the text (rdflib takes them
    from a set, so the order would change between processes)."""
    if not _SELECT_STAR.search(text) or "PV" not in algebra:
        return

    def first_seen(variable: Any) -> tuple[int, str]:
        found = re.search(r"[?$]" + re.escape(str(variable)) + r"\b", text)
        return (found.start() if found else len(text), str(variable))

    node, lists = algebra, []
    while node is not None and hasattr(node, "get"):
        if isinstance(node.get("PV"), list) and not any(node["PV"] is seen for seen in lists):
            lists.append(node["PV"])
        node = node.get("p")
    for variables in lists:
        variables.sort(key=first_seen)


def _is_update(text: str, parse_update: Any) -> bool:
    try:
        parse_update(text)
    except Exception:
        return bool(re.search(r"(?i)\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b\s", text)) and not re.search(
            r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text
        )
    return True


def _refuse_forbidden(tree: Any) -> None:
    """Walk a parse tree or algebra (CompValue / ParseResults / lists / dicts) for refused nodes."""
    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        name = getattr(node, "name", None)
        if isinstance(name, str) and name in _FORBIDDEN_NODES:
            raise RefusedQuery(_FORBIDDEN_NODES[name])
        if isinstance(node, (str, bytes, Node)):
            continue
        if isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set)):
            stack.extend(node)
        elif hasattr(node, "asList") or hasattr(node, "__iter__") and type(node).__name__ == "ParseResults":
            stack.extend(list(node))


# --- answering ------------------------------------------------------------------------------------


def answer_query(dataset: Dataset, text: str, accept: str | None, fmt: str | None, limits: Limits) -> Answer:
    """Run one SPARQL query read-only and write its result in the negotiated format."""
    from rdflib.plugins.sparql.evaluate import evalQuery
    from rdflib.plugins.sparql.processor import SPARQLResult

    try:
        query = parse_checked(text)
        kind = _answer_kind(query.algebra.name)
        key, content_type = negotiate(accept, fmt, kind)  # before running: a 406 costs nothing
        _check_dataset_clause(dataset, query.algebra)
        raw = evalQuery(dataset, query)
        result = SPARQLResult(raw)
        if result.type == "SELECT":
            rows = list(islice(raw["bindings"], limits.max_results + 1))
            if len(rows) > limits.max_results:
                raise TooManyResults(_too_many(limits, "rows"))
            result.bindings = rows
        return _write(result, key, content_type, limits)
    except Exception as error:
        return answer_for_error(error)


def answer_saved(
    dataset: Dataset, name: str, params: Mapping[str, str], accept: str | None, fmt: str | None, limits: Limits,
    saved: Mapping[str, Any] | None = None,
) -> Answer:
    """Run a saved query by name, its parameters bound by `queries.run_query` (never pasted in)."""
    from conflictkg.queries.saved import run_query, saved_queries

    try:
        catalogue = saved if saved is not None else saved_queries()
        if name not in catalogue:
            raise UnknownQuery(f"no saved query named {name!r}; GET /api/queries lists them")
        result = run_query(dataset, catalogue[name], dict(params))
        kind = _answer_kind(result.type)
        key, content_type = negotiate(accept, fmt, kind)
        if result.type == "SELECT" and len(result.bindings) > limits.max_results:
            raise TooManyResults(_too_many(limits, "rows"))
        return _write(result, key, content_type, limits)
    except Exception as error:
        return answer_for_error(error)


def answer_resource(dataset: Dataset, name: str) -> Answer:
    """The local HTML page of one resource (`views.resource`), or 404 when the graph says nothing about it."""
    from conflictkg.views.resource import render_resource, resolve

    try:
        page = render_resource(dataset, resolve(dataset, name))
    except LookupError as error:
        return error_answer(404, str(error))
    except Exception as error:  # noqa: BLE001 - a page that fails is an error answer, never a dead worker
        return answer_for_error(error)
    return Answer(200, "text/html; charset=utf-8", page.encode("utf-8"))


SD_FORMATS = {
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/ld+json": ("json-ld", "application/ld+json"),
    "application/rdf+xml": ("xml", "application/rdf+xml"),
    "application/n-triples": ("nt", "application/n-triples"),
}


def service_description(endpoint: str, graphs: list[tuple[str, int]], accept: str | None, limits: Limits) -> Answer:
    """A SPARQL 1.1 Service Description of this endpoint (what GET /sparql without a query returns):
    the language, result formats, the union default graph, and each named graph with its size (VoID)."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import RDF, XSD

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = Namespace("http://rdfs.org/ns/void#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    wanted = [media for media, _q in parse_accept(accept)] or ["text/turtle"]
    chosen = next((SD_FORMATS[m] for m in wanted if m in SD_FORMATS), None)
    if chosen is None:
        chosen = SD_FORMATS["text/turtle"] if any(m in ("*/*", "text/*", "application/*") for m in wanted) else None
    if chosen is None:
        return error_answer(406, "the service description is offered as " + ", ".join(SD_FORMATS))
    g = Graph(bind_namespaces="none")
    g.bind("sd", sd)
    g.bind("void", void)
    g.bind("formats", formats)
    g.bind("rdfs", "http://www.w3.org/2000/01/rdf-schema#")
    service = URIRef(endpoint + "#service")
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, URIRef(endpoint)))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
        g.add((service, sd.resultFormat, formats[name]))
    g.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), Literal(
        f"Read-only: SPARQL Update, LOAD and SERVICE are refused; queries stop after {limits.timeout:g} s; "
        f"answers hold at most {limits.max_results} rows or triples.", lang="en")))
    dataset_node = BNode()
    g.add((service, sd.defaultDataset, dataset_node))
    g.add((dataset_node, RDF.type, sd.Dataset))
    default = BNode()
    g.add((dataset_node, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    g.add((default, void.triples, Literal(sum(n for _g, n in graphs), datatype=XSD.integer)))
    for name, count in graphs:
        named, inner = BNode(), BNode()
        g.add((dataset_node, sd.namedGraph, named))
        g.add((named, sd.name, URIRef(name)))
        g.add((named, sd.graph, inner))
        g.add((inner, RDF.type, sd.Graph))
        g.add((inner, void.triples, Literal(count, datatype=XSD.integer)))
    return Answer(200, chosen[1], g.serialize(format=chosen[0], encoding="utf-8"))


def _check_dataset_clause(dataset: Dataset, algebra: Any) -> None:
    """FROM / FROM NAMED may name only graphs this data set holds: the endpoint fetches nothing."""
    known = {graph.identifier for graph in dataset.graphs()}
    for clause in algebra.get("datasetClause") or []:
        iri = dict.get(clause, "default") or dict.get(clause, "named")
        if iri is not None and iri not in known:
            raise RefusedQuery(
                f"FROM/FROM NAMED <{iri}>: this data set has no such graph, and the endpoint does not fetch graphs"
            )


def _answer_kind(query_type: str) -> str:
    query_type = query_type.upper()
    if "ASK" in query_type:
        return "boolean"
    if "CONSTRUCT" in query_type or "DESCRIBE" in query_type:
        return "graph"
    return "bindings"


def _too_many(limits: Limits, what: str) -> str:
    return (
        f"the result has more than {limits.max_results} {what}, this server's limit: "
        f"add LIMIT to the query (or start the server with a larger --max-results)"
    )


def _write(result: Result, key: str, content_type: str, limits: Limits) -> Answer:
    answer = _write_unchecked(result, key, content_type, limits)
    if len(answer.body) > limits.max_bytes:
        raise TooManyResults(
            f"the answer is larger than {limits.max_bytes} bytes, this server's limit: select fewer or shorter values "
            "(or start the server with a larger --max-bytes)"
        )
    return answer


def _write_unchecked(result: Result, key: str, content_type: str, limits: Limits) -> Answer:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        if len(graph) > limits.max_results:
            raise TooManyResults(_too_many(limits, "triples"))
        for prefix, namespace in display_prefixes().items():
            graph.bind(prefix, namespace, override=True, replace=True)
        body = graph.serialize(format=key, encoding="utf-8")
        return Answer(200, content_type, body)
    if key == "tsv":
        return Answer(200, content_type, serialize_tsv(result))
    if key == "csv" and result.type == "SELECT":
        return Answer(200, content_type, serialize_csv(result))
    stream = io.BytesIO()
    result.serialize(stream, format=key, encoding="utf-8")
    return Answer(200, content_type, stream.getvalue())


def serialize_csv(result: Result) -> bytes:
    """SPARQL 1.1 CSV results: a header of variable names, then values (IRIs, lexical forms)."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    variables = list(result.vars or [])
    writer.writerow([str(v) for v in variables])
    for row in result.bindings:
        writer.writerow([_csv_value(row.get(v)) for v in variables])
    return out.getvalue().encode("utf-8")


def _csv_value(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def serialize_tsv(result: Result) -> bytes:
    """SPARQL 1.1 TSV results: a `?var` header, then terms in Turtle/N-Triples syntax."""
    variables = list(result.vars or [])
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result.bindings:
        lines.append("\t".join(_tsv_term(row.get(v)) for v in variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, (URIRef, BNode, Literal)):
        text = term.n3()
    else:
        text = str(term)
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def answer_for_error(error: BaseException) -> Answer:
    """The HTTP answer for an error raised while checking, running or writing a query."""
    if isinstance(error, RefusedQuery):
        return error_answer(403, str(error))
    if isinstance(error, NotAcceptable):
        return error_answer(406, str(error))
    if isinstance(error, TooManyResults):
        return error_answer(413, str(error))
    if isinstance(error, UnknownQuery):
        return error_answer(404, str(error))
    if isinstance(error, (QueryError, UsageError)):
        return error_answer(400, str(error))
    if isinstance(error, (SPARQLError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError)):
        return error_answer(400, f"the query failed: {_first_line(error)}")
    if isinstance(error, RecursionError):
        return error_answer(400, "the query is nested too deeply to run")
    if isinstance(error, MemoryError):
        return error_answer(503, "the query needed more memory than the server has")
    return error_answer(500, f"internal error while answering the query: {type(error).__name__}: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:500] if text else type(error).__name__


# --- the worker process ----------------------------------------------------------------------------


def refuse_network() -> None:
    """Make this process refuse every outgoing connection and name lookup (an audit hook)."""
    import sys

    blocked = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request", "socket.sendto"}

    def hook(event: str, _args: tuple) -> None:
        if event in blocked:
            raise NetworkRefused(f"network access is refused in the query worker ({event})")

    sys.addaudithook(hook)


def _cap_memory(limits: Limits) -> None:
    """Bound this worker's address space to what it holds now plus room for one query (1 GiB, or 8
    answers of the largest size allowed): a runaway query then fails with MemoryError (503) instead
    of taking the machine's memory."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            now = int(statm.read().split()[0]) * resource.getpagesize()
        room = max(1 << 30, 8 * limits.max_bytes)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = now + room if hard == resource.RLIM_INFINITY else min(hard, now + room)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):  # not Linux: the time limit still holds
        return


def worker_main(connection: Any, snapshot: str, limits: Limits) -> None:
    """Body of a query worker process: load the snapshot, then answer jobs until the pipe closes."""
    import logging
    import signal

    import rdflib.plugins.sparql as sparql_options

    from conflictkg.graph.parse import new_dataset
    from conflictkg.queries.saved import saved_queries

    logging.disable(logging.CRITICAL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then stops its workers
    sparql_options.SPARQL_LOAD_GRAPHS = False  # FROM <iri> never fetches anything
    dataset = new_dataset()
    dataset.parse(snapshot, format="nquads")
    catalogue = saved_queries()
    _warm_up(dataset)
    _cap_memory(limits)
    refuse_network()
    connection.send(("ready", len(dataset)))
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if job["op"] == "sparql":
                answer = answer_query(dataset, job["query"], job.get("accept"), job.get("format"), limits)
            elif job["op"] == "resource":
                answer = answer_resource(dataset, job["iri"])
            elif job["op"] == "saved":
                answer = answer_saved(
                    dataset, job["name"], job.get("params") or {}, job.get("accept"), job.get("format"), limits, catalogue
                )
            else:
                answer = error_answer(400, f"unknown job {job.get('op')!r}")
        except BaseException as error:  # never let one query end the worker quietly
            answer = answer_for_error(error)
        connection.send(answer.as_tuple())


def _warm_up(dataset: Dataset) -> None:
    """Load rdflib's lazily imported parts once, before the network is closed off."""
    result = dataset.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    for fmt in ("json", "xml", "csv"):
        result.serialize(format=fmt)
    from rdflib import Graph

    graph = Graph()
    for fmt in ("turtle", "nt", "xml", "json-ld"):
        graph.serialize(format=fmt)
