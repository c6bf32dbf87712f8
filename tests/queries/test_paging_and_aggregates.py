"""Paged listings (--limit/--offset) are slices of the full answer on every store, and the aggregate queries count what the data file holds."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from rdflib import Graph
from rdflib.namespace import PROV, RDF, RDFS

from conflictkg.errors import QueryError
from conflictkg.graph.namespaces import CKG, SCHEMA
from conflictkg.graph.parse import with_ontology
from conflictkg.queries.binding import with_page
from conflictkg.queries.saved import find_query, paged, run_query, saved_queries
from conflictkg.stores.dataset import load_dataset
from conflictkg.stores.oxigraph import OxigraphStore


def _rows(result) -> list[tuple[str, ...]]:
    return [tuple("" if term is None else str(term) for term in row) for row in result]


def test_a_page_goes_after_the_modifiers_and_inside_a_window_of_the_querys_own():
    text = "SELECT ?s WHERE { ?s ?p ?o # LIMIT 99 in a comment\n } ORDER BY ?s"
    assert with_page(text, 10, 20).endswith("ORDER BY ?s\nLIMIT 10\nOFFSET 20\n")
    own = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5 OFFSET 2"
    assert with_page(own, 10, 1).endswith("ORDER BY ?s\nLIMIT 4\nOFFSET 3\n")
    assert with_page(own, 2).endswith("ORDER BY ?s\nLIMIT 2\nOFFSET 2\n")
    values = "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://example.org/a> }"
    assert with_page(values, 1).endswith("\nLIMIT 1\nVALUES ?s { <http://example.org/a> }")
    assert with_page(text) == text
    with pytest.raises(QueryError):
        with_page(text, -1)


@pytest.fixture(scope="module")
def oxigraph_builtin():
    store = OxigraphStore(None)
    store.load()
    return store


def test_every_ordered_listing_pages_as_a_slice_of_its_full_answer(oxigraph_builtin):
    checked = 0
    for name, query in sorted(saved_queries().items()):
        if "ORDER BY" not in query.text.upper() or not query.text.lstrip().upper().count("SELECT"):
            continue
        full = _rows(oxigraph_builtin.query(query))
        page = _rows(oxigraph_builtin.query(paged(query, 2, 1)))
        assert page == full[1:3], name
        checked += 1
    assert checked >= 15


def test_rdflib_pages_match_and_the_cli_takes_limit_and_offset(run_cli):
    dataset = with_ontology(load_dataset())
    query = find_query("timeline")
    full = _rows(run_query(dataset, query))
    assert _rows(run_query(dataset, query, limit=3, offset=2)) == full[2:5]
    result = run_cli("query", "timeline", "--limit", "2", "--offset", "1", "--format", "csv")
    assert result.status == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[0] for row in rows[1:]] == [row[0] for row in full[1:3]]


def test_aggregates_count_what_the_data_holds(oxigraph_builtin):
    """The expected counts are computed here from the built-in data itself, not from a query."""
    dataset = load_dataset()
    union = Graph()
    for triple in dataset.quads((None, None, None, None)):
        union.add(triple[:3])
    claims = set(union.subjects(RDF.type, CKG.Claim))
    per_source = Counter(source for claim in claims for source in union.objects(claim, PROV.wasAttributedTo))
    rows = _rows(oxigraph_builtin.query(find_query("claims-per-source")))
    assert {(row[0], int(row[2])) for row in rows} == {(str(source), count) for source, count in per_source.items()}
    assert [int(row[2]) for row in rows] == sorted((int(row[2]) for row in rows), reverse=True)

    ontology = with_ontology(dataset)
    event_classes = set(ontology.transitive_subjects(RDFS.subClassOf, CKG.Event))
    events = {node for cls in event_classes for node in union.subjects(RDF.type, cls)}
    months = Counter()
    for event in events:
        date = union.value(event, CKG.beginDate) or union.value(event, CKG.earliestBegin)
        months[str(date)[:7] if date is not None else ""] += 1
    rows = _rows(oxigraph_builtin.query(find_query("events-per-month")))
    assert {(row[0], int(row[1])) for row in rows} == set(months.items())

    countries = set(union.subjects(RDF.type, CKG.Country))
    per_country = Counter()
    for event in {e for e in union.subjects(CKG.hasPlace, None)}:
        reached = {node for place in union.objects(event, CKG.hasPlace) for node in union.transitive_objects(place, CKG.containedIn)}
        for country in reached & countries:
            per_country[country] += 1
    rows = _rows(oxigraph_builtin.query(find_query("events-per-country")))
    assert {(row[0], int(row[2])) for row in rows} == {(str(c), n) for c, n in per_country.items()}
    about = {event for claim in claims for event in union.objects(claim, SCHEMA.about)}
    claimed = {str(country): sum(1 for claim in claims for event in union.objects(claim, SCHEMA.about)
                                 if event in about and country in {n for p in union.objects(event, CKG.hasPlace)
                                                                    for n in union.transitive_objects(p, CKG.containedIn)})
               for country in per_country}
    assert {(row[0], int(row[3])) for row in rows} == set(claimed.items())
