"""SHACL Core as SPARQL queries on a real `oxigraph serve` gives the compiled validator's results.

One server for the module: the ontology and every broken fixture (and the built-in data) each in
their own named graph, put there once; each case validates the ontology and one graph, as queries
on the server and with the compiled validator (`validate_store`) on an in-memory pyoxigraph copy
of the same graphs. The same fixtures are compared with pySHACL in test_oxigraph_shapes.py.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph
from test_store import serving

from conflictkg.errors import UsageError
from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
from conflictkg.graph.parse import load_shapes
from conflictkg.stores import open_store
from conflictkg.stores.oxigraph_shapes import split_shapes, validate_store
from conflictkg.stores.remote import ServerEngine
from conflictkg.stores.sparql_shapes import core_queries, validate_by_queries

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
FIXTURES = sorted(p.name for p in BROKEN.glob("*.ttl"))
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))


def _name(fixture: str) -> ox.NamedNode:
    return ox.NamedNode(f"urn:conflictkg:test-fixture:{fixture}")


@pytest.fixture(scope="module")
def local():
    """Every case in its own graph of one in-memory pyoxigraph store, beside the ontology."""
    from conflictkg.graph.oxigraph import dataset_quads
    from conflictkg.graph.parse import add_builtin_data, new_dataset
    from conflictkg.stores.rules import _shipped_ontology_quads

    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY) for q in _shipped_ontology_quads())
    for fixture in FIXTURES:
        store.load(path=str(BROKEN / fixture), format=ox.RdfFormat.TURTLE, to_graph=_name(fixture))
    builtin = new_dataset()
    add_builtin_data(builtin)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, _name("builtin"))
                 for q in dataset_quads(builtin) if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name == ONTOLOGY))
    return store


@pytest.fixture(scope="module")
def server(tmp_path_factory, local):
    """A real `oxigraph serve` holding the same graphs (sent once, graph by graph)."""
    with serving(tmp_path_factory.mktemp("sparql-shapes-server")) as url:
        remote = open_store(f"sparql:{url}")
        for graph in local.named_graphs():
            remote.put_graph(str(graph.value), local.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
        yield remote


def _keys(report) -> set[tuple]:
    """(focus, component, shape, path, value, severity, message); blank nodes (labelled differently
    by the server) all read as one."""
    def show(term):
        return "_:b" if isinstance(term, BNode) else "" if term is None else term.n3()
    return {(show(r.focus), show(r.component), show(r.shape), show(r.path), show(r.value), show(r.severity), r.message)
            for r in report.results}


@pytest.mark.parametrize("fixture", [*FIXTURES, "builtin"])
def test_core_as_queries_on_the_server_gives_the_compiled_validators_results(fixture, server, local):
    graphs = [ONTOLOGY, _name(fixture)]
    on_server = validate_by_queries(ServerEngine(server), graphs=graphs)
    compiled = validate_store(local, graphs=graphs)
    assert _keys(on_server) == _keys(compiled)
    assert on_server.conforms == (fixture == "builtin")


def test_validate_on_the_server_streams_nothing_by_default(server, monkeypatch):
    fast = server.validate(validator="fast")

    def refuse(*_args, **_kwargs):
        raise AssertionError("a graph was streamed from the server")

    monkeypatch.setattr(ServerEngine, "dump", refuse)
    default = server.validate()
    assert "as queries there" in default.text
    assert not default.conforms and not fast.conforms

    def results(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("Note:")]

    assert results(default.text) == results(fast.text)


def test_shipped_components_all_compile_and_others_are_refused():
    core, _constraints = split_shapes(load_shapes())
    used = {str(q.component).rsplit("#", 1)[1] for q in core_queries(core)}
    assert {"ClassConstraintComponent", "DatatypeConstraintComponent", "MinCountConstraintComponent",
            "OrConstraintComponent", "PatternConstraintComponent", "UniqueLangConstraintComponent"} <= used
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P .
        ex:P sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 .
    """)
    with pytest.raises(UsageError, match=r"http://example.org/P: sh:qualified\w+ cannot be checked as a SPARQL query.*Oxigraph copy"):
        core_queries(shapes)


# Components and paths the shipped shapes do not use, checked the same way (in memory: no server needed).
OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:targetNode ex:n9 ;
  sh:property ex:P1, ex:P2, ex:P3, ex:P4, ex:P5, ex:P6, ex:P7, ex:P8, ex:P9 .
ex:P1 sh:path ex:p ; sh:hasValue ex:v .
ex:P2 sh:path ex:name ; sh:maxLength 3 ; sh:pattern "^a" ; sh:flags "i" .
ex:P3 sh:path ex:age ; sh:maxInclusive 10 ; sh:minExclusive 0 .
ex:P4 sh:path ex:a ; sh:equals ex:b ; sh:disjoint ex:c .
ex:P5 sh:path ex:lo ; sh:lessThan ex:hi .
ex:P6 sh:path [ sh:inversePath ex:knows ] ; sh:node ex:N ; sh:minCount 1 .
ex:P7 sh:path ( ex:p ex:q ) ; sh:xone ( [ sh:datatype xsd:integer ] [ sh:minInclusive 5 ] ) .
ex:P8 sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:not [ sh:hasValue ex:bad ] ; sh:and ( [ sh:nodeKind sh:IRI ] ) .
ex:P9 sh:path [ sh:oneOrMorePath ex:parent ] ; sh:class ex:C .
ex:N a sh:NodeShape ; sh:class ex:Person .
ex:Closed a sh:NodeShape ; sh:targetSubjectsOf ex:tag ; sh:closed true ; sh:ignoredProperties ( ex:tag ) ;
  sh:property [ sh:path ex:label ; sh:datatype xsd:string ] .
"""
OTHER_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . ex:Sub rdfs:subClassOf ex:C .
ex:n1 a ex:C ; ex:p ex:w ; ex:name "bcde", "Ab" ; ex:age 0, 11, 5, "x" ; ex:a 1, 2 ; ex:b 2, 3 ; ex:c 2 ; ex:lo 5, 1 ; ex:hi 3 ;
  ex:parent ex:n2 .
ex:n2 a ex:Sub ; ex:p ex:v, ex:m ; ex:parent ex:bad, ex:n3 .
ex:m ex:q 7, 3, "z" .
ex:k ex:knows ex:n1 . ex:k2 a ex:Person ; ex:knows ex:n2 .
ex:t1 ex:tag 1 ; ex:label "x" ; ex:other 3 . ex:t2 ex:tag 2 ; ex:label 5 .
"""


def test_components_the_shipped_shapes_do_not_use_give_the_compiled_validators_results():
    store = ox.Store()
    graph = ox.NamedNode("urn:conflictkg:test-other")
    store.load(OTHER_DATA.encode(), ox.RdfFormat.TURTLE, to_graph=graph)
    shapes = Graph().parse(data=OTHER_SHAPES, format="turtle")
    on_store = validate_by_queries(store, shapes, graphs=[graph])
    compiled = validate_store(store, shapes, graphs=[graph])
    assert sorted(r.key() for r in on_store.results) == sorted(r.key() for r in compiled.results)
    assert _keys(on_store) == _keys(compiled)
    assert {str(r.component).rsplit("#", 1)[1].removesuffix("ConstraintComponent") for r in on_store.results} >= {
        "Closed", "Disjoint", "Equals", "HasValue", "LessThan", "MaxInclusive", "MaxLength", "MinExclusive",
        "Node", "Not", "Pattern", "Xone"}
