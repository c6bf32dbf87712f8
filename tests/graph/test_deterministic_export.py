"""The same input gives byte-identical exports on every run, in separate processes whose
PYTHONHASHSEED differs (rdflib's set-ordered stores and random blank-node names would show)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from conflictkg.graph import canonical
from conflictkg.graph.serialize import DEEPEST_NESTING, blank_nesting_depth, serialize
from conflictkg.graph.formats import RdfFormat

ROOT = Path(__file__).parents[2]
BLANK_NODES = ROOT / "tests" / "fixtures" / "deterministic" / "blank-nodes.trig"

_SCRIPT = """
import sys
from conflictkg.graph.serialize import serialize
from conflictkg.graph.formats import RdfFormat
from conflictkg.stores.dataset import load_dataset
dataset = load_dataset(sys.argv[1:] or ())
for fmt in RdfFormat:
    sys.stdout.buffer.write(fmt.value.encode() + b"\\n" + serialize(dataset, fmt) + b"\\n")
"""


def _export_in_a_process(seed: int, *data: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run([sys.executable, "-c", _SCRIPT, *data], capture_output=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr.decode()
    return run.stdout


@pytest.mark.parametrize("data", [(), (str(BLANK_NODES),)], ids=["builtin", "blank-nodes"])
def test_every_format_is_byte_identical_across_processes(data):
    first = _export_in_a_process(1, *data)
    second = _export_in_a_process(2, *data)
    assert first == second
    assert len(first) > 1000


def test_turtle_and_nquads_do_not_depend_on_input_order():
    quads = list(_sample().quads((None, None, None, None)))
    forward, backward = Dataset(), Dataset()
    for s, p, o, g in quads:
        forward.graph(g).add((s, p, o))
    rename: dict = {}  # fresh blank-node names, as another parse of the same file would give

    def fresh(term):
        return rename.setdefault(term, BNode()) if isinstance(term, BNode) else term

    for s, p, o, g in reversed(quads):
        backward.graph(g).add((fresh(s), p, fresh(o)))
    for fmt in (RdfFormat.TURTLE, RdfFormat.NQUADS, RdfFormat.TRIG, RdfFormat.NTRIPLES):
        assert serialize(forward, fmt) == serialize(backward, fmt), fmt


def test_nquads_lines_are_sorted_and_blank_nodes_canonical():
    lines = serialize(_sample(), RdfFormat.NQUADS).decode().splitlines()
    assert lines == sorted(lines)
    assert any("_:c14n" in line for line in lines)
    assert canonical.last_method() == "rdfc-1.0"


def test_symmetric_blank_nodes_beyond_the_bound_use_refinement_and_stay_stable():
    """A ring of 150 blank nodes would keep RDFC-1.0 busy for minutes; it is labelled by refinement."""
    def ring(order):
        graph = Graph()
        nodes = [BNode() for _ in range(150)]
        edges = [(nodes[i], URIRef("https://example.org/next"), nodes[(i + 1) % 150]) for i in range(150)]
        for index in order(range(150)):
            graph.add(edges[index])
        return graph

    dataset_a, dataset_b = Dataset(), Dataset()
    dataset_a.default_graph += ring(list)
    dataset_b.default_graph += ring(lambda r: list(reversed(r)))
    first = serialize(dataset_a, RdfFormat.NTRIPLES)
    assert canonical.last_method() == "refinement"
    assert first == serialize(dataset_b, RdfFormat.NTRIPLES)
    # still one ring of 150 (rdflib's isomorphism test would itself take minutes on it)
    successor = {s: o for s, _p, o in Graph().parse(data=first.decode(), format="nt")}
    assert len(successor) == 150 and len(set(successor.values())) == 150
    node, steps = next(iter(successor)), 0
    while True:
        node, steps = successor[node], steps + 1
        if node == next(iter(successor)):
            break
    assert steps == 150


def _sample() -> Dataset:
    dataset = Dataset()
    ex = "https://example.org/"
    graph = dataset.graph(URIRef(ex + "g"))
    claim, bounds = BNode(), BNode()
    graph.add((claim, URIRef(ex + "bounds"), bounds))
    graph.add((bounds, URIRef(ex + "min"), Literal(30)))
    graph.add((bounds, URIRef(ex + "max"), Literal(32)))
    graph.add((URIRef(ex + "event"), URIRef(ex + "claim"), claim))
    for index in range(3):  # three interchangeable blank nodes
        node = BNode()
        dataset.default_graph.add((URIRef(ex + "event"), URIRef(ex + "tag"), node))
        dataset.default_graph.add((node, URIRef(ex + "value"), Literal("same")))
    return dataset


def _chain(length: int, reverse: bool) -> Dataset:
    dataset = Dataset()
    nodes = [BNode() for _ in range(length)]
    edges = [(nodes[i], URIRef("https://example.org/next"), nodes[i + 1]) for i in range(length - 1)]
    for edge in reversed(edges) if reverse else edges:
        dataset.default_graph.add(edge)
    return dataset


def test_nesting_depth_counts_chains_and_rings():
    assert blank_nesting_depth(_chain(100, reverse=False)) == 99
    ring = Dataset()
    nodes = [BNode() for _ in range(5)]
    for i in range(5):
        ring.add((nodes[i], URIRef("https://example.org/next"), nodes[(i + 1) % 5]))
    assert blank_nesting_depth(ring) == 5


def test_a_long_blank_node_chain_exports_whole_and_stable_in_turtle_and_trig():
    """rdflib's writers nest such a chain one recursion per node (250 nodes overflowed the stack);
    past DEEPEST_NESTING it is written flat, labelled by refinement, the same bytes for either order."""
    length = 3000
    assert length > DEEPEST_NESTING
    for fmt, ox_format in ((RdfFormat.TURTLE, pyoxigraph.RdfFormat.TURTLE), (RdfFormat.TRIG, pyoxigraph.RdfFormat.TRIG)):
        first = serialize(_chain(length, reverse=False), fmt)
        assert canonical.last_method() == "refinement"
        assert first == serialize(_chain(length, reverse=True), fmt)
        successor = {q.subject: q.object for q in pyoxigraph.parse(first, ox_format)}
        assert len(successor) == length - 1 and len(set(successor.values())) == length - 1
        (start,) = set(successor) - set(successor.values())
        node, steps = start, 0
        while node in successor:
            node, steps = successor[node], steps + 1
        assert steps == length - 1
