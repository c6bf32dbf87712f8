"""`conflictkg validate` and `conflictkg reason` on an Oxigraph database work in the database."""

from __future__ import annotations

import tomllib

import pyoxigraph as ox
import pytest

from conflictkg.graph.namespaces import INFERRED_GRAPH
from conflictkg.queries.saved import saved_queries
from conflictkg.stores.oxigraph import OxigraphStore

from conftest import FIXTURES

BROKEN = FIXTURES / "broken"


def _answers(path) -> dict[str, list[str]]:
    store = OxigraphStore(path)
    try:
        out = {}
        for name, query in sorted(saved_queries().items()):
            answer = store.query_native(query, {})
            out[name] = sorted(str(row) for row in answer)
        return out
    finally:
        store.close()


@pytest.fixture
def builtin_db(tmp_path, run_cli):
    path = tmp_path / "kg.db"
    assert run_cli("load", "--store", f"oxigraph:{path}").status == 0
    return path


def test_validate_in_the_database_conforms(builtin_db, run_cli):
    run = run_cli("validate", "--store", f"oxigraph:{builtin_db}")
    assert run.status == 0, run.stderr
    assert run.stdout.startswith("The data conforms to the shapes.")
    assert "validated inside the Oxigraph database" in run.stdout


@pytest.mark.parametrize("case", [c for c in tomllib.loads((BROKEN / "manifest.toml").read_text("utf-8"))["case"]
                                  if c["file"] in ("subevent-outside-parent.ttl", "event-label-missing.ttl")],
                         ids=lambda c: c["file"])
@pytest.mark.parametrize("validator", ["auto", "queries"])
def test_validate_in_the_database_finds_a_broken_fixture(case, tmp_path, run_cli, validator):
    """The compiled validator reading a stream (auto) and SHACL Core as queries in the database
    (queries: little memory) report the same."""
    path = tmp_path / "broken.db"
    assert run_cli("load", "--store", f"oxigraph:{path}", "--data", str(BROKEN / case["file"])).status == 0
    run = run_cli("validate", "--store", f"oxigraph:{path}", "--validator", validator)
    assert run.status == 1
    assert f"- focus: <{case['focus']}>" in run.stderr  # the report reads as for in-memory data
    assert case["shape"] in run.stderr
    assert f"{case['results']} result(s)" in run.stderr


def test_validate_as_queries_in_the_database_conforms_and_needs_a_store(builtin_db, run_cli):
    run = run_cli("validate", "--store", f"oxigraph:{builtin_db}", "--validator", "queries")
    assert run.status == 0, run.stderr
    assert "SHACL Core and SPARQL constraints as queries" in run.stdout
    refused = run_cli("validate", "--validator", "queries")
    assert refused.status == 2 and "--store oxigraph:PATH or sparql:URL" in refused.stderr


def test_reason_fills_the_inferred_graph_and_leaves_saved_queries_alone(builtin_db, run_cli):
    before = _answers(builtin_db)
    run = run_cli("reason", "--store", f"oxigraph:{builtin_db}")
    assert run.status == 0, run.stderr
    count = int(run.stdout.split(":")[-1].split()[0])
    store = ox.Store(str(builtin_db))
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    assert count == len(list(store.quads_for_pattern(None, None, None, inferred))) > 0
    # the built-in Kwala attack is a sem:Event only by inference
    kwala_types = {q.object.value for q in store.quads_for_pattern(
        ox.NamedNode("https://w3id.org/conflictkg/id/event/kwala-attack"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, inferred)}
    assert "http://semanticweb.cs.vu.nl/2009/11/sem/Event" in kwala_types
    del store
    assert _answers(builtin_db) == before
    # run again: the graph is replaced, not added to
    assert run_cli("reason", "--store", f"oxigraph:{builtin_db}").stdout == run.stdout


def test_reason_needs_an_oxigraph_database(run_cli):
    run = run_cli("reason", "--store", "memory")
    assert run.status == 2
    assert "oxigraph:PATH" in run.stderr
