"""Nothing leaves the machine unless asked: a listening socket on 127.0.0.1 must receive nothing.

Each test points something at a local listener (a SPARQL SERVICE, LOAD, a remote JSON-LD
@context, owl:imports), runs the tool, and counts the connections the listener accepted.
The same attempt with --allow-network shows the listener would have seen a connection.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from conflictkg.guard import network as safety
from conflictkg.cli import main
from conflictkg.errors import NetworkRefused, UsageError
from conflictkg.queries.saved import find_query, run_query, saved_queries, to_term


class Listener:
    """A TCP socket on 127.0.0.1 that accepts and closes connections, counting them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def count(self) -> int:
        time.sleep(0.1)  # let the accept loop see anything in flight
        return self.connections

    def close(self) -> None:
        self._stop = True
        self._thread.join(1)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _run(capsys, *args: str) -> tuple[int, str, str]:
    if args[0] == "query" and "--data" not in args:  # a one-triple graph keeps the tests quick
        tiny = Path(__file__).parents[1] / "fixtures" / "bad-input" / "good.ttl"
        args = (*args, "--data", str(tiny))
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_service_in_a_query_file_is_refused(tmp_path, listener, capsys):
    query = tmp_path / "service.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}\n")
    status, out, err = _run(capsys, "query", str(query))
    assert status == 2
    assert "refusing to reach" in err and listener.url in err and "--allow-network" in err
    assert "Traceback" not in err and out == ""
    assert listener.count() == 0


def test_service_is_reached_with_allow_network(tmp_path, listener, capsys):
    query = tmp_path / "service.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}\n")
    _run(capsys, "query", str(query), "--allow-network")  # fails: the listener answers nothing
    assert listener.count() >= 1


def test_refused_service_leaves_the_output_file_alone(tmp_path, listener, capsys):
    query = tmp_path / "service.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}\n")
    output = tmp_path / "out.csv"
    output.write_text("previous\n")
    status, _out, _err = _run(capsys, "query", str(query), "--format", "csv", "-o", str(output))
    assert status == 2
    assert output.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "service.rq"]
    assert listener.count() == 0


def test_service_with_a_file_iri_is_refused(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    query = tmp_path / "file-service.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <{secret.as_uri()}> {{ ?s ?p ?o }} }}\n")
    status, _out, err = _run(capsys, "query", str(query))
    assert status == 2
    assert "refusing to read the local file" in err


def test_load_in_an_update_is_refused(listener):
    dataset = Dataset()
    with safety.policy(), pytest.raises(Exception) as caught:
        dataset.update(f"LOAD <{listener.url}/data.ttl>")
    # rdflib's LOAD swallows the refusal and says only "could not load"; the record keeps it
    recorded = safety.refusals()
    assert recorded and isinstance(recorded[0], NetworkRefused)
    assert listener.url in str(recorded[0])
    assert "Could not load" in str(caught.value) or isinstance(caught.value, NetworkRefused)
    assert listener.count() == 0


def test_load_through_reporting_refusals_becomes_the_refusal(listener):
    with safety.policy(), pytest.raises(NetworkRefused, match="refusing to reach"):
        with safety.reporting_refusals():
            Dataset().update(f"LOAD <{listener.url}/data.ttl>")
    assert listener.count() == 0


def test_load_is_reached_when_allowed(listener):
    with safety.policy(allow_network=True), pytest.raises(Exception):
        Dataset().update(f"LOAD <{listener.url}/data.ttl>")
    assert listener.count() >= 1


def test_remote_jsonld_context_is_refused(tmp_path, listener, capsys):
    data = tmp_path / "remote-context.jsonld"
    data.write_text(f'{{"@context": "{listener.url}/context.jsonld", "@id": "https://example.org/a", "name": "x"}}\n')
    status, out, err = _run(capsys, "export", "--data", str(data))
    assert status == 2
    assert "refusing to reach" in err and "context.jsonld" in err
    assert out == ""
    assert listener.count() == 0
    _run(capsys, "export", "--data", str(data), "--allow-network")
    assert listener.count() >= 1


@pytest.mark.parametrize("context", ["file:///etc/passwd", "context.jsonld"], ids=["file-iri", "relative"])
def test_local_jsonld_context_is_refused(tmp_path, monkeypatch, capsys, context):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "context.jsonld").write_text('{"@context": {"name": "https://example.org/name"}}\n')
    data = tmp_path / "local-context.jsonld"
    data.write_text(f'{{"@context": "{context}", "@id": "https://example.org/a", "name": "x"}}\n')
    status, out, err = _run(capsys, "export", "--data", str(data))
    assert status == 2
    assert "refusing to read" in err
    assert out == ""


@pytest.mark.parametrize(
    "command",
    [["validate"], ["export"], ["query", "graph-overview"]],
    ids=["validate", "export", "query"],
)
def test_owl_imports_is_not_followed(tmp_path, listener, capsys, command):
    data = tmp_path / "imports.ttl"
    data.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/onto> a owl:Ontology ; owl:imports <{listener.url}/ontology.ttl> , <file:///etc/passwd> .\n"
    )
    status, _out, err = _run(capsys, *command, "--data", str(data), "--allow-network")
    assert status in (0, 1), err  # allowed or not, nothing fetches owl:imports
    assert listener.count() == 0


def test_the_policy_ends_with_the_command(listener, capsys):
    _run(capsys, "queries")
    assert not safety.is_refusing()
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        pass
    assert listener.count() == 1


def test_policy_refuses_sockets_and_lookups_and_urllib(listener):
    import urllib.request

    with safety.policy():
        with pytest.raises(NetworkRefused):
            socket.create_connection(("127.0.0.1", listener.port), timeout=2)
        with pytest.raises(NetworkRefused, match="look up"):
            socket.getaddrinfo("example.org", 80)
        with pytest.raises(NetworkRefused):
            urllib.request.urlopen(f"{listener.url}/x", timeout=2)
        socket.getaddrinfo("127.0.0.1", 80)  # a numeric address needs no look-up
    assert listener.count() == 0


def test_permitted_url_is_reached(listener):
    safety.permit_url(listener.url + "/sparql")
    try:
        with safety.policy():
            with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
                pass
    finally:
        safety.clear_permissions()
    assert listener.count() == 1


def test_rdflib_may_not_open_unnamed_files_but_named_ones(tmp_path):
    data = tmp_path / "named.ttl"
    data.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    with safety.policy():
        with pytest.raises(NetworkRefused, match="local file"):
            Graph().parse(str(data), format="turtle")
        safety.permit_file(data)
        try:
            assert len(Graph().parse(str(data), format="turtle")) == 1
        finally:
            safety.clear_permissions()


# --- saved-query parameters are bound by the engine, never pasted into the text -----------------

INJECTIONS = [
    '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "> } UNION { ?s ?p ?o } #",
    "kid:x> } ; CLEAR ALL ; SELECT * { <a",
    "2024-01-01\"^^xsd:date) || true || (\"",
    "1 } UNION { ?s ?p ?o",
    "x' . ?s ?p ?o . FILTER('",
]


def _all_parameters():
    for name, query in sorted(saved_queries().items()):
        for parameter in query.parameters:
            yield pytest.param(name, parameter.name, id=f"{name}.{parameter.name}")


@pytest.mark.parametrize(("query_name", "parameter_name"), list(_all_parameters()))
def test_injection_through_every_parameter_has_no_effect(builtin_dataset, query_name, parameter_name):
    query = find_query(query_name)
    parameter = next(p for p in query.parameters if p.name == parameter_name)
    before = len(builtin_dataset)
    for payload in INJECTIONS:
        try:
            term = to_term(parameter, payload)
        except UsageError:  # the type check refuses it: nothing is run
            continue
        # Accepted only as a value of the parameter's type (a plain string): the query then
        # matches that literal text and nothing else, so it returns no rows.
        assert str(term) == payload
        rows = list(run_query(builtin_dataset, query, {parameter_name: payload}))
        assert rows == [] or query_name in _QUERIES_WHOSE_PARAMETER_ONLY_FILTERS
    assert len(builtin_dataset) == before


_QUERIES_WHOSE_PARAMETER_ONLY_FILTERS: set[str] = set()


def test_injection_cases_reach_every_parameter_type():
    types = {p.type for q in saved_queries().values() for p in q.parameters}
    assert types >= {"iri", "date"}, types


def test_owl_rl_reasoning_does_not_follow_owl_imports(listener):
    from conflictkg.inference.owl import entailments

    graph = Graph().parse(
        data="@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/onto> a owl:Ontology ; owl:imports <{listener.url}/ontology.ttl> .\n",
        format="turtle",
    )
    with safety.policy(allow_network=True):
        entailments(graph)
    assert listener.count() == 0
