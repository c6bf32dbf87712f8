"""The network refusal holds for every engine: rdflib, Oxigraph (which runs SERVICE and LOAD in its
own Rust code, out of the audit hook's sight) and the checks in front of a SPARQL server.

A listener on 127.0.0.1 counts the connections it accepts; each refused case must leave it at
zero, and the same case with --allow-network must reach it (so the tests can fail).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph

from conflictkg.cli import main
from conflictkg.errors import NetworkRefused
from conflictkg.guard import network as safety
from conflictkg.stores.oxigraph import OxigraphStore

GOOD = Path(__file__).parents[1] / "fixtures" / "bad-input" / "good.ttl"


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
        time.sleep(0.1)
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


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guard") / "kg.db"
    assert main(["load", "--store", f"oxigraph:{folder}", "--data", str(GOOD), "--no-ontology"]) == 0
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


QUERIES = {
    "service": "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "service-silent": "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "service-escaped": "SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "service-lowercase-after-variable": "SELECT * WHERE {{ ?s ?p ?o.service silent <{url}/sparql> {{ ?a ?b ?c }} }}",
}


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_service_in_a_query_is_refused_on_every_store(tmp_path, listener, capsys, database, store, name):
    query = tmp_path / "service.rq"
    query.write_text(QUERIES[name].format(url=listener.url) + "\n")
    where = ["--data", str(GOOD)] if store == "memory" else ["--store", f"oxigraph:{database}"]
    status, out, err = _run(capsys, "query", str(query), *where)
    assert status == 2, err
    assert "refusing to" in err and "--allow-network" in err and "Traceback" not in err
    assert out == ""
    assert listener.count() == 0


def test_service_on_oxigraph_is_reached_with_allow_network(tmp_path, listener, capsys, database):
    query = tmp_path / "service.rq"
    query.write_text(QUERIES["service-silent"].format(url=listener.url) + "\n")
    status, _out, err = _run(capsys, "query", str(query), "--store", f"oxigraph:{database}", "--allow-network")
    assert status == 0, err
    assert listener.count() >= 1


def test_words_that_only_look_like_service_are_not_refused(tmp_path, capsys, database):
    query = tmp_path / "harmless.rq"
    query.write_text(
        'PREFIX service: <https://example.org/service#>\n'
        'SELECT ?s WHERE { ?s ?p ?o . OPTIONAL { ?s service:load "SERVICE LOAD" } } # SERVICE\n'
    )
    status, out, err = _run(capsys, "query", str(query), "--store", f"oxigraph:{database}")
    assert status == 0, err
    assert "(1 row)" in out


@pytest.mark.parametrize("update", [
    "LOAD <{url}/data.ttl>",
    "LOAD SILENT <{url}/data.ttl> INTO GRAPH <https://example.org/g>",
    "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
])
def test_load_and_service_in_an_oxigraph_update_are_refused(listener, update):
    store = OxigraphStore()
    with safety.policy(), pytest.raises(NetworkRefused):
        store.update(update.format(url=listener.url))
    assert listener.count() == 0
    with safety.policy(allow_network=True), contextlib.suppress(OSError, RuntimeError, ValueError):
        store.update(update.format(url=listener.url))  # the listener answers nothing; reaching it is what counts
    assert listener.count() >= 1


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:Shape a sh:NodeShape ; sh:targetNode ex:a ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE SILENT <{url}/sparql> {{ $this ?p ?o }} }}" ] .
"""


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_service_in_a_user_shape_is_refused_by_validate(tmp_path, listener, capsys, database, store):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPE.format(url=listener.url))
    where = ["--data", str(GOOD), "--validator", "pyshacl"] if store == "memory" else ["--store", f"oxigraph:{database}"]
    status, _out, err = _run(capsys, "validate", "--shapes", str(shapes), *where)
    assert status == 2, err
    assert "refusing to" in err
    assert listener.count() == 0


def test_service_in_a_user_shape_is_reached_on_oxigraph_with_allow_network(tmp_path, listener, capsys, database):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPE.format(url=listener.url))
    _run(capsys, "validate", "--shapes", str(shapes), "--store", f"oxigraph:{database}", "--allow-network")
    assert listener.count() >= 1


@pytest.mark.parametrize(("text", "words"), [
    ("SELECT * { ?s a.service <x> {} }", {"SELECT", "A", "SERVICE"}),
    ("SELECT * { ex:service ?p 'SERVICE' . :LOAD ?p <http://e/service> . _:service ?p ?o }", {"SELECT"}),
    ('SELECT * { ?s ?p """\nSERVICE""" , "x"@en-service } # LOAD', {"SELECT"}),
    ("SELECT * { \\u0053ERVICE <x> {} }", {"SELECT", "SERVICE"}),
])
def test_sparql_keywords(text, words):
    assert safety.sparql_keywords(text) == words


def test_shapes_check_reads_every_sparql_text():
    shapes = Graph().parse(data=SHAPE.format(url="http://127.0.0.1:9"), format="turtle")
    with safety.policy(), pytest.raises(NetworkRefused, match="SERVICE"):
        safety.check_shapes_sparql(shapes)
    with safety.policy(allow_network=True):
        safety.check_shapes_sparql(shapes)


def test_remote_jsonld_context_is_not_fetched_by_oxigraph_load(tmp_path, listener, capsys):
    data = tmp_path / "remote-context.jsonld"
    data.write_text(f'{{"@context": "{listener.url}/context.jsonld", "@id": "https://example.org/a", "name": "x"}}\n')
    for extra in ([], ["--allow-network"]):  # Oxigraph's JSON-LD reader has no loader for remote contexts
        status, _out, err = _run(capsys, "load", "--store", f"oxigraph:{tmp_path / 'kg.db'}", "--data", str(data), *extra)
        assert status == 2, err
        assert "remote context" in err
    assert listener.count() == 0
    assert not (tmp_path / "kg.db").exists()
