"""conflictkg merge keeps the meaning of its inputs: blank nodes stay distinct, so the merged graph
is isomorphic to the union of the inputs (issue 17, item 5). The graphs are made up for the test."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from conflictkg.exchange.merge import GENID, _skolemised_quads, merge_inputs

P = [URIRef(f"urn:test:p{n}") for n in range(3)]
IRIS = [URIRef(f"urn:test:s{n}") for n in range(3)]
GRAPH = URIRef("urn:test:graph")


def merged_graph(*inputs: list[tuple]) -> Graph:
    """Merge inputs (lists of triples, all in GRAPH) and read GRAPH back with skolem IRIs as blank nodes."""
    items = [
        _skolemised_quads(f"input{n}", f"{n:012x}", [(s, p, o, GRAPH) for s, p, o in triples])
        for n, triples in enumerate(inputs)
    ]
    result = merge_inputs(items)
    out = Graph()

    def back(term):
        return BNode(str(term)[len(GENID):]) if str(term).startswith(GENID) else term

    for s, p, o, g in result.quads:
        if g == GRAPH:
            out.add((back(s), p, back(o)))
    return out


def union(*inputs: list[tuple]) -> Graph:
    """The union of the inputs, each input's blank nodes its own."""
    out = Graph()
    for triples in inputs:
        fresh: dict = {}
        for s, p, o in triples:
            out.add(tuple(fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t for t in (s, p, o)))
    return out


def test_a_two_cycle_stays_two_nodes():
    a, b = BNode(), BNode()
    triples = [(a, P[0], b), (b, P[0], a)]
    merged = merged_graph(triples)
    assert len(merged) == 2 and isomorphic(merged, union(triples))
    assert not any(s == o for s, _p, o in merged)  # no self-loop


def test_a_list_of_a_hundred_equal_items_keeps_its_201_triples():
    graph = Graph()
    head = BNode()
    Collection(graph, head, [Literal("same")] * 100)
    graph.add((IRIS[0], P[0], head))
    triples = list(graph)
    assert len(triples) == 201
    merged = merged_graph(triples)
    assert len(merged) == 201 and isomorphic(merged, union(triples))
    # Still a list ending in rdf:nil, not a cycle.
    node, seen = merged.value(IRIS[0], P[0]), set()
    while node != RDF.nil:
        assert node not in seen
        seen.add(node)
        node = merged.value(node, RDF.rest)
    assert len(seen) == 100


def test_two_copies_of_one_structure_and_the_same_file_twice():
    a, b = BNode(), BNode()
    copy = [(a, P[0], b), (b, P[1], Literal("x")), (a, P[1], Literal("x"))]
    c, d = BNode(), BNode()
    again = [(c, P[0], d), (d, P[1], Literal("x")), (c, P[1], Literal("x"))]
    merged = merged_graph(copy + again)
    assert len(merged) == 6 and isomorphic(merged, union(copy + again))
    # Two inputs with the same text are two inputs: their blank nodes stay apart as well.
    assert isomorphic(merged_graph(copy, again), union(copy, again))


@st.composite
def graphs(draw) -> list[tuple]:
    """Random triples over a few blank nodes and IRIs: cycles, self-loops, lists of equal items and
    repeated structures come up often with so few terms."""
    blanks = [BNode() for _ in range(draw(st.integers(1, 8)))]
    nodes = st.sampled_from(blanks + IRIS)
    objects = st.one_of(nodes, st.sampled_from([Literal("x"), Literal("y")]))
    triples = draw(st.lists(st.tuples(nodes, st.sampled_from(P), objects), max_size=12))
    if draw(st.booleans()):  # a list of equal items
        graph = Graph()
        head = BNode()
        Collection(graph, head, [Literal("item")] * draw(st.integers(1, 4)))
        triples += list(graph) + [(draw(st.sampled_from(blanks + IRIS)), P[2], head)]
    if draw(st.booleans()):  # the same structure again, with new blank nodes
        fresh: dict = {}
        triples += [tuple(fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t for t in triple) for triple in triples]
    return triples


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(graphs(), min_size=1, max_size=3))
def test_merged_graph_is_isomorphic_to_the_union_of_its_inputs(inputs):
    assert isomorphic(merged_graph(*inputs), union(*inputs))
