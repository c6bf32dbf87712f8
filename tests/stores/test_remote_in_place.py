"""With `--store sparql:URL` export, summary, evidence and report read the server in place (a real `oxigraph serve`):
the same output as the embedded path, nothing copied into memory, and a clear refusal where a copy would be too big."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic
from test_store import serving

import conflictkg.stores.remote as remote_module
from conflictkg.cli import main
from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
from conflictkg.stores.oxigraph import OxigraphStore
from conflictkg.stores.remote import RemoteError, ServerEngine, SparqlStore


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `oxigraph serve` on 127.0.0.1 holding the built-in data, loaded through the command line."""
    with serving(tmp_path_factory.mktemp("in-place-server")) as url:
        assert main(["load", "--store", f"sparql:{url}"]) == 0
        yield f"sparql:{url}"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """An embedded Oxigraph database with the same data, loaded the same way."""
    path = tmp_path_factory.mktemp("in-place-embedded") / "db"
    assert main(["load", "--store", f"oxigraph:{path}"]) == 0
    return f"oxigraph:{path}"


@pytest.fixture
def no_copy(monkeypatch):
    """Any attempt to copy the server's store, or the embedded database, into memory fails the test."""

    def forbidden(self, include_ontology=False):
        raise AssertionError("the whole store was copied into memory")

    monkeypatch.setattr(SparqlStore, "to_dataset", forbidden)
    monkeypatch.setattr(OxigraphStore, "to_dataset", forbidden)


def _dataset(text: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    return dataset


def _same_graphs(expected: Dataset, actual: Dataset) -> None:
    names = {g.identifier for g in expected.graphs() if len(g)}
    assert names == {g.identifier for g in actual.graphs() if len(g)}
    assert ONTOLOGY_GRAPH not in names and len(names) > 3
    for name in names:
        assert isomorphic(expected.graph(name), actual.graph(name)), name


def test_nquads_export_streams_from_the_server_with_the_embedded_answer(server, tmp_path, run_cli, no_copy):
    output = tmp_path / "out.nq"
    result = run_cli("export", "--store", server, "-o", str(output))
    assert result.status == 0, result.stderr
    _same_graphs(_dataset(run_cli("export", "--format", "nq").stdout), _dataset(output.read_text("utf-8")))
    assert not list(tmp_path.glob(".*.part"))
    triples = run_cli("export", "--store", server, "--format", "nt")
    assert triples.status == 0 and len(triples.stdout.splitlines()) == len(output.read_text("utf-8").splitlines())


def test_shards_stream_from_the_server(server, tmp_path, run_cli, no_copy):
    import gzip

    result = run_cli("export", "--store", server, "--shards", "2", "-o", str(tmp_path / "shards"))
    assert result.status == 0, result.stderr
    text = b"".join(gzip.decompress(p.read_bytes()) for p in sorted((tmp_path / "shards").glob("*.nq.gz"))).decode("utf-8")
    _same_graphs(_dataset(run_cli("export", "--format", "nq").stdout), _dataset(text))
    manifest = json.loads((tmp_path / "shards" / "manifest.json").read_text("utf-8"))
    assert sum(entry["lines"] for entry in manifest["files"]) == len(text.splitlines())


def test_a_server_failing_mid_export_leaves_the_file_as_it_was(server, tmp_path, run_cli, monkeypatch):
    output = tmp_path / "kept.nq"
    output.write_text("<urn:a> <urn:b> <urn:c> .\n")
    dump = ServerEngine.dump
    calls = []

    def failing(self, out, format=None, from_graph=None):
        calls.append(from_graph)
        if len(calls) == 3:
            raise RemoteError("GET /store answered 500 Internal Server Error")
        dump(self, out, format, from_graph)

    monkeypatch.setattr(ServerEngine, "dump", failing)
    result = run_cli("export", "--store", server, "-o", str(output))
    assert result.status == 2 and "500" in result.stderr
    assert output.read_text() == "<urn:a> <urn:b> <urn:c> .\n"
    assert not list(tmp_path.glob(".*.part"))


def test_an_empty_streamed_export_does_not_replace_a_file(server, tmp_path, run_cli, monkeypatch):
    output = tmp_path / "kept.nq"
    output.write_text("<urn:a> <urn:b> <urn:c> .\n")
    monkeypatch.setattr(SparqlStore, "graph_names", lambda self: [])
    monkeypatch.setattr(ServerEngine, "dump", lambda self, out, format=None, from_graph=None: None)
    result = run_cli("export", "--store", server, "-o", str(output))
    assert result.status == 2 and "holds no data" in result.stderr
    assert output.read_text() == "<urn:a> <urn:b> <urn:c> .\n"


@pytest.mark.parametrize("arguments", [
    ["export", "-o", "{dir}/out.ttl"],
    ["export", "--format", "jsonld", "--frame", "event", "-o", "{dir}/out.jsonld"],
    ["export", "--as", "ucdp", "-o", "{dir}/out.csv"],
    ["serve", "--port", "0"],
], ids=["turtle", "frame", "as-ucdp", "serve"])
def test_what_needs_a_copy_is_refused_above_the_threshold(server, tmp_path, run_cli, monkeypatch, arguments):
    monkeypatch.setattr(remote_module, "MAX_COPY_TRIPLES", 100)
    result = run_cli(*[a.format(dir=tmp_path) for a in arguments], "--store", server)
    assert result.status == 2
    assert "MAX_COPY_TRIPLES" in result.stderr and "-o data.nq" in result.stderr and "--data data.nq" in result.stderr
    assert list(tmp_path.iterdir()) == []
    streamed = run_cli("export", "--store", server, "-o", str(tmp_path / "out.nq"))  # N-Quads still stream
    assert streamed.status == 0 and (tmp_path / "out.nq").stat().st_size > 0


def test_a_small_store_is_still_copied_for_turtle(server, run_cli):
    result = run_cli("export", "--store", server, "--format", "ttl")
    assert result.status == 0 and "@prefix ckg:" in result.stdout


def _without_note(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("Note: validated")]


def test_summary_is_counted_on_the_server_with_the_embedded_answer(server, embedded, run_cli, no_copy):
    on_server = run_cli("summary", "--store", server)
    assert on_server.status == 0, on_server.stderr
    assert "Note: validated on the server" in on_server.stdout
    in_memory = run_cli("summary")
    in_database = run_cli("summary", "--store", embedded)
    assert _without_note(on_server.stdout) == _without_note(in_memory.stdout) == _without_note(in_database.stdout)
    assert "The graph holds 2939 triples in 8 graph(s)." in on_server.stdout
    assert "3 cites, 7 consistent" in on_server.stdout


@pytest.mark.parametrize("name", [
    "kid:claim/rfi-killed", "claim:jnim-killed", "<https://w3id.org/conflictkg/id/event/kwala-attack>", "RFI", "kwala",
    "Kwal", "kid:claim/nope", "",
])
def test_evidence_reads_only_the_node_with_the_embedded_answer(server, embedded, run_cli, no_copy, name):
    on_server = run_cli("evidence", name, "--store", server)
    in_database = run_cli("evidence", name, "--store", embedded)
    in_memory = run_cli("evidence", name)
    assert (on_server.status, on_server.stdout, on_server.stderr) == (in_memory.status, in_memory.stdout, in_memory.stderr)
    assert (in_database.status, in_database.stdout) == (in_memory.status, in_memory.stdout)
    if name in ("Kwal", "kid:claim/nope", ""):
        assert on_server.status == 2
    else:
        assert on_server.status == 0 and len(on_server.stdout.splitlines()) > 5


def test_evidence_sends_one_query_for_the_node(server, monkeypatch):
    """What comes back is the node's part of the store, not the store."""
    from conflictkg.exchange.evidence import store_node_evidence
    from conflictkg.stores import open_store

    store = open_store(server)
    parts = []
    part = SparqlStore.part

    def counted(self, query, values=None):
        found = part(self, query, values)
        parts.append(len(found))
        return found

    monkeypatch.setattr(SparqlStore, "part", counted)
    found = store_node_evidence(store, "kid:claim/rfi-killed")
    assert found.statements and len(parts) == 2
    assert sum(parts) < store.size() / 10


def test_report_reads_the_server_like_the_embedded_database(server, embedded, tmp_path, run_cli, no_copy):
    for spec, folder in ((server, "server"), (embedded, "embedded")):
        result = run_cli("report", "--store", spec, "-o", str(tmp_path / folder))
        assert result.status == 0, result.stderr
    for page in ("index.html", "ontology.html"):
        assert (tmp_path / "server" / page).read_bytes() == (tmp_path / "embedded" / page).read_bytes()
    assert b"Kwala attack" in (tmp_path / "server" / "index.html").read_bytes()


def test_a_server_store_counts_without_reading_out(server, embedded, no_copy):
    from conflictkg.stores import open_store

    on_server = open_store(server)
    with open_store(embedded) as in_database:
        assert on_server.size() == in_database.size() > 4000
    assert dict(on_server.graph_sizes())[ONTOLOGY_GRAPH] > 1000
