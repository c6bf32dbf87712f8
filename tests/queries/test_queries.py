"""Every saved query gives its expected answer; parameters are typed and bound by the engine."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from conflictkg.errors import QueryError, UsageError
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.parse import with_ontology
from conflictkg.queries.saved import bind_parameters, find_query, parse_saved_query, run_query, saved_queries

QUERIES = Path(__file__).resolve().parents[1] / "queries"
CASES = tomllib.loads((QUERIES / "cases.toml").read_text("utf-8"))["case"]


@pytest.fixture(scope="module")
def dataset():
    return with_ontology(load_dataset())


def _rows(result) -> list[list[str]]:
    text = result.serialize(format="csv").decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def _expected(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((QUERIES / "expected" / name).read_text("utf-8"))))


def test_there_are_at_least_twelve_saved_queries_with_headers():
    queries = saved_queries()
    assert len(queries) >= 12
    for name, query in queries.items():
        assert query.title, name
        assert query.description, name


def test_every_saved_query_has_a_case():
    assert set(saved_queries()) <= {case["query"] for case in CASES}


@pytest.fixture(scope="module")
def with_extra():
    """The built-in data with the extra files that cases name (`extra = "tests/fixtures/..."`)."""
    loaded: dict[str, object] = {}

    def get(extra: str):
        if extra not in loaded:
            loaded[extra] = with_ontology(load_dataset([str(QUERIES.parent / extra)], with_builtin=True))
        return loaded[extra]

    return get


@pytest.mark.parametrize("case", CASES, ids=[c["expected"].removesuffix(".csv") for c in CASES])
def test_saved_query_answer(dataset, with_extra, case):
    data = with_extra(case["extra"]) if "extra" in case else dataset
    rows = _rows(run_query(data, find_query(case["query"]), case.get("params", {})))
    expected = _expected(case["expected"])
    assert rows[0] == expected[0], "columns differ"
    if case.get("ordered"):
        assert rows[1:] == expected[1:]
    else:
        assert sorted(rows[1:]) == sorted(expected[1:])
    assert len(rows) > 1, "a saved query with no answer on the built-in data tests nothing"


def test_parameters_are_typed():
    query = find_query("events-on-road-before")
    bound = bind_parameters(query, {"before": "2023-11-01", "road": "kid:place/national-road-4"})
    assert bound["before"] == Literal("2023-11-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert bound["road"] == URIRef("https://w3id.org/conflictkg/id/place/national-road-4")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"before": "28 February 2024"}, "must be a date written YYYY-MM-DD"),
        ({"before": "2024-02-30"}, "must be a date"),
        ({"road": "not an iri"}, "must be an IRI"),
        ({"road": "<https://x> } ; DROP ALL ; {"}, "must be an IRI"),
        ({"colour": "red"}, "has no parameter 'colour'"),
    ],
)
def test_bad_parameter_values_are_usage_errors(values, message):
    with pytest.raises(UsageError, match=message):
        bind_parameters(find_query("events-on-road-before"), values)


def test_injection_through_a_string_parameter_is_just_a_string(dataset):
    query = parse_saved_query(
        "label-lookup",
        "# title: t\n# param: name string x\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }",
    )
    hostile = 'Kwala" ) } UNION { ?s ?p ?o } #'
    assert list(run_query(dataset, query, {"name": hostile})) == []
    assert len(list(run_query(dataset, query, {"name": "Kwala"}))) == 1


def test_a_query_with_a_syntax_error_is_a_query_error(dataset):
    with pytest.raises(QueryError, match="syntax error"):
        run_query(dataset, parse_saved_query("broken", "SELECT ?x WHERE { ?x ?y }"))


def test_a_bad_param_header_is_reported_with_its_line():
    with pytest.raises(QueryError, match="q.rq:2"):
        parse_saved_query("q", "# title: t\n# param: x colour\nSELECT * {}")
