"""Exports in every format read back to the same graph; JSON-LD uses our context and frame."""

from __future__ import annotations

import json

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conflictkg.graph.serialize import serialize, serialize_framed
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.parse import union_graph


def _reparse_union(data: bytes, fmt: RdfFormat) -> Graph:
    dataset = Dataset(default_union=True)
    if fmt.has_graphs:
        dataset.parse(data=data.decode("utf-8"), format=fmt.rdflib_name)
    else:
        dataset.default_graph.parse(data=data.decode("utf-8"), format=fmt.rdflib_name)
    return union_graph(dataset)


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=[f.value for f in RdfFormat])
def test_every_format_round_trips(builtin_dataset, fmt):
    assert isomorphic(_reparse_union(serialize(builtin_dataset, fmt), fmt), union_graph(builtin_dataset))


def test_turtle_to_jsonld_to_turtle_is_isomorphic(builtin_dataset):
    turtle = serialize(builtin_dataset, RdfFormat.TURTLE)
    first = Graph().parse(data=turtle.decode(), format="turtle")
    jsonld = first.serialize(format="json-ld")
    back = Graph().parse(data=jsonld, format="json-ld").serialize(format="turtle")
    assert isomorphic(Graph().parse(data=back, format="turtle"), first)


def test_named_graphs_survive_trig_and_nquads(builtin_dataset):
    for fmt in (RdfFormat.TRIG, RdfFormat.NQUADS):
        dataset = Dataset()
        dataset.parse(data=serialize(builtin_dataset, fmt).decode(), format=fmt.rdflib_name)
        names = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert "https://w3id.org/conflictkg/graph/kwala-article" in names


def test_jsonld_uses_short_keys_from_the_context(builtin_dataset):
    document = json.loads(serialize(builtin_dataset, RdfFormat.JSONLD))
    text = json.dumps(document)
    assert "@context" in document
    assert '"label"' in text
    assert "http://www.w3.org/2000/01/rdf-schema#label" not in text


def test_framed_jsonld_nests_sub_events_place_actors_and_claims(builtin_dataset):
    document = json.loads(serialize_framed(builtin_dataset, "event"))
    text = json.dumps(document)
    assert "@context" in document
    nodes = document["graph"]  # the context aliases @graph and @id as graph and id
    assert len(nodes) == 21  # one document per event (19 the article narrates or its sources claim, 2 precedents)
    attack = [n for n in nodes if n["id"] == "kid:event/kwala-attack"]
    assert len(attack) == 1
    attack_text = json.dumps(attack[0])
    for fragment in ("place/kwala", "actor/jnim", "between thirty and thirty-two", "RFI"):
        assert fragment in attack_text, fragment
    sub_events = {n["id"] for n in attack[0]["subEvents"]}
    assert "kid:event/kwala-raid" in sub_events and "kid:event/malian-pursuit-of-jnim" in sub_events
