"""Validation, claim relations and reasoning on a SPARQL server are done by the server (a real `oxigraph serve`),
with the same results as in an embedded Oxigraph database, and nothing that would copy the store is attempted."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from test_store import serving

from conflictkg.errors import UsageError
from conflictkg.exchange.generate import write_generated
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import INFERRED_GRAPH
from conflictkg.inference.claim_relations import RELATIONS_GRAPH
from conflictkg.stores import open_store

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pushdown")
    generated = folder / "generated.nt"
    write_generated(generated, 120, seed=9)
    return [str(generated), str(BROKEN / "event-end-before-begin.ttl"), str(BROKEN / "place-without-country.ttl")]


@pytest.fixture(scope="module")
def server(tmp_path_factory, files):
    with serving(tmp_path_factory.mktemp("pushdown-server")) as url:
        store = open_store(f"sparql:{url}", files, for_loading=True)
        store.load(files)  # the claim relations are derived by the server after the files go in
        yield store


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, files):
    store = open_store(f"oxigraph:{tmp_path_factory.mktemp('pushdown-db') / 'db'}", files, for_loading=True)
    store.load(files)
    return store


def _graph(store, name) -> set[str]:
    """One graph's triples as N-Triples lines (blank-node free here)."""
    if hasattr(store, "store"):
        data = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(name)))
    else:
        data = store.get_graph(name)
    return {line for line in data.decode("utf-8").splitlines() if line.strip()}


def _results(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("Note:")]


def test_the_server_derives_the_same_claim_relations(server, embedded):
    on_server = _graph(server, RELATIONS_GRAPH)
    assert len(on_server) > 100
    assert on_server == _graph(embedded, RELATIONS_GRAPH)


def test_the_server_validates_with_the_same_results(server, embedded):
    remote, local = server.validate(), embedded.validate()
    assert not remote.conforms and not local.conforms
    assert "validated on the server" in remote.text
    assert _results(remote.text) == _results(local.text)
    with pytest.raises(UsageError, match="whole store in memory"):
        server.validate(validator="pyshacl")


def test_the_server_reasons_with_the_same_inferences(server, embedded):
    remote, local = server.reason(), embedded.reason()
    assert remote.inferred == local.inferred > 1000
    assert _graph(server, INFERRED_GRAPH) == _graph(embedded, INFERRED_GRAPH)
    with pytest.raises(UsageError, match="conflictkg reason"):
        server.export(RdfFormat.NQUADS, reasoned=True)
