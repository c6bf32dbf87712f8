"""The stores: a real `oxigraph serve` and an embedded Oxigraph database answer like the in-memory store."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.namespaces import KGR, ONTOLOGY_GRAPH
from conflictkg.queries.saved import find_query, parse_saved_query, saved_queries
from conflictkg.queries.binding import bind_with_values, term_to_sparql, where_group_start
from conflictkg.stores.base import TEMPORARY_GRAPH_PREFIX
from conflictkg.stores.memory import MemoryStore
from conflictkg.stores.oxigraph import OxigraphStore
from conflictkg.stores.remote import SparqlStore, parse_sparql_spec
from conflictkg.stores import open_store

TESTS = Path(__file__).resolve().parents[1]
CASES = tomllib.loads((TESTS / "queries" / "cases.toml").read_text("utf-8"))["case"]
ARTICLE = KGR["kwala-article"]


def oxigraph_binary() -> str:
    """The `oxigraph` command from the `oxigraph` package (test extra), beside this Python or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the `oxigraph` command is missing: pip install -e '.[test]' installs it"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"oxigraph serve exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("oxigraph serve did not answer within 20 s")


@contextlib.contextmanager
def serving(location: Path) -> Iterator[str]:
    """A real `oxigraph serve` of `location` on a free port of 127.0.0.1 (its URL), stopped at the end."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` on 127.0.0.1 with a temporary folder; stopped at the end."""
    with serving(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield url


@pytest.fixture(scope="module")
def remote(oxigraph_server):
    """The server, loaded with the built-in data through the command line."""
    from conflictkg.cli import main

    assert main(["load", "--store", f"sparql:{oxigraph_server}"]) == 0
    return open_store(f"sparql:{oxigraph_server}")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """An embedded Oxigraph database, loaded with the built-in data through the command line."""
    from conflictkg.cli import main

    path = tmp_path_factory.mktemp("oxigraph-embedded") / "db"
    assert main(["load", "--store", f"oxigraph:{path}"]) == 0
    return path


@pytest.fixture
def embedded_store(embedded):
    """The embedded database, open for one test (a database is open in one place at a time)."""
    store = open_store(f"oxigraph:{embedded}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def memory():
    return MemoryStore(load_dataset())


def cell(term) -> tuple:
    """A comparable form of one answer cell.

    Blank nodes compare as equal to each other (labels are the store's own). A GROUP_CONCAT of
    strings that all carry the same language tag keeps the tag in Oxigraph and drops it in
    rdflib; SPARQL 1.1 (section 18.5.1.7) allows both, so a literal is compared by its text and
    datatype and its language tag is compared only when both sides have one (see `same_rows`).
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, Literal):
        return ("literal", str(term), str(term.datatype or ""), term.language or "")
    if isinstance(term, URIRef):
        return ("iri", str(term))
    return ("bnode",)


def same_cell(a: tuple, b: tuple) -> bool:
    if a == b:
        return True
    return a[0] == b[0] == "literal" and a[1:3] == b[1:3] and (not a[3] or not b[3])


def rows_of(result) -> tuple[list[str], list[tuple]]:
    if result.type == "ASK":
        return [], [(("boolean", result.askAnswer),)]
    if result.type != "SELECT":
        return [], sorted((cell(s), cell(p), cell(o)) for s, p, o in result.graph)
    columns = [str(v) for v in result.vars]
    return columns, [tuple(cell(row[i]) for i in range(len(columns))) for row in result]


def same_rows(expected, actual, ordered: bool) -> bool:
    (columns_a, rows_a), (columns_b, rows_b) = expected, actual
    if columns_a != columns_b or len(rows_a) != len(rows_b):
        return False
    if not ordered:
        rows_a, rows_b = sorted(rows_a), sorted(rows_b, key=lambda row: tuple(c[:3] for c in row))
        rows_a = sorted(rows_a, key=lambda row: tuple(c[:3] for c in row))
    return all(all(same_cell(x, y) for x, y in zip(ra, rb)) for ra, rb in zip(rows_a, rows_b))


def case_id(case) -> str:
    return case["expected"].removesuffix(".csv")


def test_the_cases_cover_every_saved_query():
    assert set(saved_queries()) <= {case["query"] for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_remote_store_answers_every_saved_query_like_memory(remote, memory, case):
    query = find_query(case["query"])
    expected = rows_of(memory.query(query, case.get("params", {})))
    actual = rows_of(remote.query(query, case.get("params", {})))
    # a case with `extra` data has its answer only with that data; on the built-in data both stores
    # must agree that there is none (the article's figures never disagree)
    assert expected[1] or "extra" in case, "the case has no answer to compare"
    assert same_rows(expected, actual, bool(case.get("ordered"))), (expected, actual)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_embedded_oxigraph_answers_every_saved_query_like_memory(embedded_store, memory, case):
    query = find_query(case["query"])
    expected = rows_of(memory.query(query, case.get("params", {})))
    actual = rows_of(embedded_store.query(query, case.get("params", {})))
    assert same_rows(expected, actual, bool(case.get("ordered"))), (expected, actual)


def test_query_command_on_the_remote_store_prints_the_same_csv(oxigraph_server, remote, run_cli):
    on_remote = run_cli("query", "timeline", "--format", "csv", "--store", f"sparql:{oxigraph_server}")
    in_memory = run_cli("query", "timeline", "--format", "csv")
    assert on_remote.status == in_memory.status == 0
    assert on_remote.stdout == in_memory.stdout


def test_validate_and_summary_work_on_stores(oxigraph_server, remote, embedded, run_cli):
    for spec in (f"sparql:{oxigraph_server}", f"oxigraph:{embedded}"):
        result = run_cli("validate", "--store", spec)
        assert result.status == 0, result.stderr
        assert "conforms" in result.stdout
    summary = run_cli("summary", "--store", f"sparql:{oxigraph_server}")
    assert summary.status == 0
    assert "RFI" in summary.stdout


def test_export_from_each_store_is_the_same_graph(oxigraph_server, remote, embedded, run_cli):
    in_memory = run_cli("export", "--format", "nq").stdout
    assert in_memory
    for spec in (f"sparql:{oxigraph_server}", f"oxigraph:{embedded}"):
        exported = run_cli("export", "--format", "nq", "--store", spec)
        assert exported.status == 0, exported.stderr
        a, b = Dataset(), Dataset()
        a.parse(data=in_memory, format="nquads")
        b.parse(data=exported.stdout, format="nquads")
        assert set(a.quads()) and len(a) == len(b)
        for name in (ARTICLE,):
            assert isomorphic(a.graph(name), b.graph(name))
        assert ONTOLOGY_GRAPH not in {g.identifier for g in b.graphs() if len(g)}


def test_data_option_is_refused_with_a_store(oxigraph_server, run_cli):
    result = run_cli("validate", "--store", f"sparql:{oxigraph_server}", "--data", "x.ttl")
    assert result.status == 2
    assert "conflictkg load" in result.stderr


def test_load_into_memory_is_refused(run_cli):
    result = run_cli("load")
    assert result.status == 2
    assert "--store" in result.stderr


# --- parameters bound safely -----------------------------------------------------------------

HOSTILE = [
    '"} ; DROP ALL ; SELECT * WHERE { #',
    "line one\nline two\r\n\ttabbed",
    "back\\slash \\\" quote ' single ''' triple",
    "> <http://evil/> } INSERT DATA { <a> <b> <c> }",
    "unicode: Kwala — Mali ✓ \u0001 control",
]


def echo_query(tmp_path: Path) -> Path:
    path = tmp_path / "echo.rq"
    path.write_text(
        "# title: echo\n# description: gives back its parameter\n# param: text string some text\n"
        "SELECT ?echo WHERE { BIND(?text AS ?echo) }\n",
        "utf-8",
    )
    return path


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_parameter_values_come_back_as_data(tmp_path, remote, embedded_store, memory, value):
    query = find_query(str(echo_query(tmp_path)))
    before = len(list(remote.quads()))
    for store in (remote, embedded_store, memory):
        rows = list(store.query(query, {"text": value}))
        assert [str(row[0]) for row in rows] == [value], store.describe()
    assert len(list(remote.quads())) == before


def test_projected_parameters_use_oxigraph_substitutions(embedded_store, memory):
    query = parse_saved_query(
        "projected",
        "# param: claim iri a claim\nPREFIX schema: <https://schema.org/>\n"
        "SELECT ?claim ?min WHERE { ?claim schema:minValue ?min }",
    )
    values = {"claim": "kid:claim/rfi-killed"}
    assert [tuple(r) for r in embedded_store.query(query, values)] == [tuple(r) for r in memory.query(query, values)]
    assert len(list(embedded_store.query(query, values))) == 1


def test_values_block_goes_into_the_top_level_where_group():
    query = (
        'PREFIX where: <http://example.org/where#>\n# a comment with WHERE { in it\n'
        'SELECT ?x (COUNT(?y) AS ?n) WHERE { ?x where:p "WHERE {" . { SELECT ?y WHERE { ?y ?p ?o } } FILTER(?x < ?y) } GROUP BY ?x'
    )
    position = where_group_start(query)
    assert query[position - 1] == "{"
    assert query[:position].rstrip().endswith('SELECT ?x (COUNT(?y) AS ?n) WHERE {')
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert construct[: where_group_start(construct)] == "CONSTRUCT { ?s ?p ?o } WHERE {"
    assert where_group_start("ASK { ?s ?p ?o }") == 5
    with pytest.raises(QueryError):
        where_group_start("CONSTRUCT WHERE { ?s ?p ?o }")


def test_terms_are_serialised_safely():
    assert term_to_sparql(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert term_to_sparql(Literal("x", lang="en")) == '"x"@en'
    assert term_to_sparql(Literal(5)) == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    with pytest.raises(UsageError):
        term_to_sparql(URIRef("http://example.org/a> } DROP ALL {"))
    text = bind_with_values("SELECT ?x WHERE { ?x ?p ?o }", {"o": Literal("v")})
    assert 'VALUES (?o) { ("v") }' in text


# --- choosing a store ------------------------------------------------------------------------


def test_store_specs():
    oxigraph = parse_sparql_spec("http://localhost:7878/")
    assert (oxigraph.query, oxigraph.update, oxigraph.store, oxigraph.union) == (
        "http://localhost:7878/query", "http://localhost:7878/update", "http://localhost:7878/store", "auto")
    fuseki = parse_sparql_spec(
        "query=http://h:3030/ds/query,update=http://h:3030/ds/update,store=http://h:3030/ds/data,union=server"
    )
    assert fuseki.store == "http://h:3030/ds/data" and fuseki.union == "server"
    with pytest.raises(UsageError):
        parse_sparql_spec("query=http://h/q")
    with pytest.raises(UsageError):
        parse_sparql_spec("ftp://h")
    with pytest.raises(UsageError):
        open_store("postgres:db")
    assert isinstance(open_store("memory"), MemoryStore)


# --- failed uploads leave the graph as it was ------------------------------------------------


class _DroppingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the real server, except that it hangs up in the middle of every PUT."""

    target = ""

    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(self.target + self.path, data=body, method=self.command)
        for key in ("Content-Type", "Accept"):
            if self.headers.get(key):
                request.add_header(key, self.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, headers, payload = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, payload = error.code, error.headers, error.read()
        self.send_response(status)
        for key in ("Content-Type", "Server"):
            if headers.get(key):
                self.send_header(key, headers[key])
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _forward

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(max(1, length // 2))
        self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True


@pytest.fixture
def dropping_proxy(oxigraph_server):
    handler = type("Handler", (_DroppingProxy,), {"target": oxigraph_server})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _changed_article() -> Dataset:
    dataset = load_dataset()
    graph = dataset.graph(ARTICLE)
    graph.add((URIRef("https://w3id.org/conflictkg/id/event/new"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("new")))
    return dataset


def _article_triples(store) -> set:
    return {(s, p, o) for s, p, o, g in store.quads() if g == ARTICLE}


def _temporary_graphs(store) -> list:
    return [g for g in store.graph_names() if str(g).startswith(TEMPORARY_GRAPH_PREFIX)]


def test_upload_cut_off_midway_leaves_the_graph_as_it_was(remote, dropping_proxy, oxigraph_server):
    before = _article_triples(remote)
    assert before
    broken = SparqlStore(parse_sparql_spec(
        f"query={oxigraph_server}/query,update={oxigraph_server}/update,store={dropping_proxy}/store"))
    with pytest.raises(InputError) as failure:
        broken.load_dataset(_changed_article())
    assert "was left as it was" in str(failure.value)
    assert _article_triples(remote) == before
    assert _temporary_graphs(remote) == []


def test_failed_move_leaves_the_graph_as_it_was_and_no_temporary_graph(remote, oxigraph_server, run_cli):
    before = _article_triples(remote)
    spec = f"sparql:query={oxigraph_server}/query,update={oxigraph_server}/no-such-endpoint,store={oxigraph_server}/store"
    result = run_cli("load", "--store", spec)
    assert result.status == 2
    assert "was left as it was" in result.stderr
    assert _article_triples(remote) == before
    assert _temporary_graphs(remote) == []


def test_unreachable_server_is_a_clear_error(run_cli):
    result = run_cli("query", "timeline", "--store", f"sparql:http://127.0.0.1:{free_port()}")
    assert result.status == 2
    assert "cannot reach" in result.stderr


def test_loading_again_replaces_each_graph(tmp_path):
    store = OxigraphStore(tmp_path / "db")
    store.load_dataset(load_dataset())
    store.load_dataset(_changed_article())
    triples = _article_triples(store)
    assert (URIRef("https://w3id.org/conflictkg/id/event/new"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("new")) in triples
    assert len(triples) == len(load_dataset().graph(ARTICLE)) + 1
    store.close()


def test_bad_file_into_a_filled_embedded_store_leaves_it_as_it_was(tmp_path):
    good = tmp_path / "good.nt"
    good.write_text('<http://example.org/a> <http://example.org/p> "1" .\n', "utf-8")
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://example.org/a> <http://example.org/p> "2" .\n<http://example.org/b> <http://example.org/p> .\n', "utf-8")
    store = OxigraphStore(tmp_path / "db")
    store.load_files([str(good)])
    with pytest.raises(InputError) as failure:
        store.load_files([str(bad)])
    assert "bad.nt" in str(failure.value)
    assert [str(o) for _s, _p, o, _g in store.quads()] == ["1"]
    # into an empty store the bulk loader is used; a failure empties it again
    empty = OxigraphStore(tmp_path / "db2")
    with pytest.raises(InputError):
        empty.load_files([str(bad)])
    assert empty.is_empty()
    store.close()
    empty.close()


def test_one_load_keeps_every_file_that_shares_a_graph(tmp_path, oxigraph_server):
    """`load --data a.nt --data b.nt --with-builtin`: a graph is replaced once per load, then added to."""
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    a.write_text('<http://example.org/a> <http://example.org/p> "a" .\n', "utf-8")
    b.write_text('<http://example.org/b> <http://example.org/p> "b" .\n', "utf-8")
    builtin_default = {(s, p, o) for s, p, o, g in MemoryStore(load_dataset()).quads() if g is None}

    for store in (OxigraphStore(tmp_path / "db"), open_store(f"sparql:{oxigraph_server}")):
        for _ in range(2):  # the second load replaces what the first wrote, it does not pile up
            store.load([str(a), str(b)], with_builtin=True)
            default = {(s, p, o) for s, p, o, g in store.quads() if g is None}
            assert {str(o) for s, p, o in default if str(p) == "http://example.org/p"} == {"a", "b"}
            assert builtin_default <= default
            assert len(default) == len(builtin_default) + 2
        store.close()
