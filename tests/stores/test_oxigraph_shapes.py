"""Store-native validation (SHACL Core by `shacl`, SHACL-SPARQL in bulk) agrees with pySHACL's expectations."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from conflictkg.errors import UsageError
from conflictkg.graph.parse import load_shapes
from conflictkg.stores.oxigraph import OxigraphStore
from conflictkg.stores.oxigraph_shapes import split_shapes, validate_store

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
CASES = tomllib.loads((BROKEN / "manifest.toml").read_text("utf-8"))["case"]


def _validate(*files: str, builtin: bool = False):
    store = OxigraphStore(None)
    store.load(list(files), with_builtin=builtin)
    return validate_store(store.store)


@pytest.mark.parametrize("case", CASES, ids=[c["file"].removesuffix(".ttl") for c in CASES])
def test_each_broken_fixture_gives_pyshacls_results(case):
    """The manifest's expectations were written against pySHACL: same count, same shape and focus."""
    report = _validate(str(BROKEN / case["file"]))
    assert not report.conforms
    assert len(report.violations) == case["results"], report.violations
    assert any(v.shape == case["shape"] and v.focus == case["focus"] for v in report.violations), report.violations


def test_built_in_and_generated_data_conform(tmp_path):
    from conflictkg.exchange.generate import write_generated

    assert _validate(builtin=True).conforms
    path = tmp_path / "synthetic.nt"
    write_generated(path, 300, seed=6)
    report = _validate(str(path))
    assert report.conforms, report.violations[:5]


def test_constraints_that_cannot_run_in_bulk_are_refused():
    shapes = Graph()
    shapes.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?x . MINUS { $this ex:q ?x } }" ] .
    """, format="turtle")
    with pytest.raises(UsageError, match="in bulk"):
        split_shapes(shapes)


def test_every_shipped_sparql_constraint_is_run():
    shapes = load_shapes()
    _core, constraints = split_shapes(shapes)
    assert len(constraints) == len(set(shapes.objects(None, SH.sparql)))


def test_rewritten_constraints_find_what_the_written_ones_find(tmp_path):
    """Each SPARQL constraint, rewritten for bulk evaluation, has the same answers as written
    (targets joined in front, nothing else changed) on data that breaks every shape at once."""
    import pyoxigraph as ox

    from conflictkg.exchange.generate import write_generated

    path = tmp_path / "synthetic.nt"
    write_generated(path, 150, seed=8)
    store = OxigraphStore(None)
    store.load([str(path), *(str(BROKEN / case["file"]) for case in CASES)], with_builtin=True)
    shapes = load_shapes()
    _core, rewritten = split_shapes(shapes)
    _core, written = split_shapes(shapes, rewrite=False)
    graphs = [ox.DefaultGraph(), *store.store.named_graphs()]
    found_any = 0
    for (shape, fast, _m), (same_shape, slow, _n) in zip(rewritten, written):
        assert shape == same_shape
        answer = lambda text: sorted(tuple(str(t) for t in row) for row in store.store.query(text, default_graph=graphs))
        rows = answer(fast)
        assert rows == answer(slow), shape
        found_any += bool(rows)
    assert found_any >= 6, "the fixtures should break most SPARQL constraints"


def test_class_targets_reach_subclasses_also_blank_ones():
    """The class-target rewrite finds instances of named and blank-node subclasses alike."""
    import pyoxigraph as ox
    from rdflib import Graph

    from conflictkg.stores.oxigraph_shapes import validate_store

    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
           sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/bad> true }" ] .""")
    store = ox.Store()
    store.load(input="""
        @prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:D rdfs:subClassOf ex:C . _:b rdfs:subClassOf ex:D .
        ex:x a ex:D ; ex:bad true . ex:y a _:b ; ex:bad true . ex:z a ex:C ; ex:bad true . ex:w ex:bad true .""",
               format=ox.RdfFormat.TURTLE)
    report = validate_store(store, shapes)
    assert sorted(v.focus for v in report.violations) == ["http://example.org/x", "http://example.org/y", "http://example.org/z"]
    named_only = ox.Store()
    named_only.load(input="""
        @prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:D rdfs:subClassOf ex:C . ex:E rdfs:subClassOf ex:D .
        ex:x a ex:D ; ex:bad true . ex:y a ex:E ; ex:bad true . ex:v a ex:E . ex:w ex:bad true .""",
                    format=ox.RdfFormat.TURTLE)
    report = validate_store(named_only, shapes)
    assert sorted(v.focus for v in report.violations) == ["http://example.org/x", "http://example.org/y"]
