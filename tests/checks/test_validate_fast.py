"""The fast validation path: how "auto" chooses, falls back and says so, and how the fast
validator's output is mapped back onto the caller's own terms."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from conflictkg.errors import InputError, UsageError
from conflictkg.exchange.generate import write_generated
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.parse import load_shapes
from conflictkg.checks.shapes import (
    FAST_THRESHOLD,
    choose_validator,
    ordering_constraints,
    run,
    run_fast,
    run_pyshacl,
    validate,
    validate_ntriples,
)

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
CKS = "https://w3id.org/conflictkg/shapes#"
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SHAPES_WITHOUT_SPARQL = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:name ; sh:datatype xsd:integer ; sh:maxLength 3 ] ;
  sh:property [ sh:path ( ex:q [ sh:inversePath ex:r ] ) ; sh:maxCount 0 ] ;
  sh:property [ sh:path [ sh:alternativePath ( ex:a [ sh:zeroOrMorePath ex:b ] ) ] ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path [ sh:oneOrMorePath ex:child ] ; sh:class ex:C ] .
"""


def _bad_date_fixture(tmp_path):
    """An event whose beginDate is no date and which also has an endDate: pySHACL fails on it."""
    text = (BROKEN / "event-end-before-begin.ttl").read_text("utf-8")
    assert '"2024-03-01"^^xsd:date' in text
    path = tmp_path / "bad-date.ttl"
    path.write_text(text.replace('"2024-03-01"^^xsd:date', '"2024-13-01"^^xsd:date'), "utf-8")
    return path


def test_auto_uses_pyshacl_below_the_threshold_when_the_shapes_hold_sparql():
    shapes = load_shapes()
    assert choose_validator(FAST_THRESHOLD - 1, shapes) == "pyshacl"
    assert choose_validator(FAST_THRESHOLD, shapes) == "fast"
    assert choose_validator(1, Graph().parse(data=SHAPES_WITHOUT_SPARQL, format="turtle")) == "fast"


def test_auto_on_a_fixture_runs_pyshacl_and_on_generated_data_runs_fast(tmp_path):
    small = validate(load_dataset([str(BROKEN / "claim-two-sources.ttl")]))
    assert small.validator == "pyshacl" and not small.conforms
    path = tmp_path / "generated.nt"
    write_generated(path, 40, seed=3)
    dataset = load_dataset([str(path)])
    assert len(dataset) >= FAST_THRESHOLD
    large = validate(dataset)
    assert large.validator == "fast"
    assert large.conforms, large.text()
    assert large.notes == []  # the shipped SPARQL constraints compare strings, which it orders


def test_an_unknown_validator_is_a_usage_error(builtin_dataset):
    with pytest.raises(UsageError):
        validate(builtin_dataset, validator="quick")


def test_auto_falls_back_to_fast_when_pyshacl_fails_and_says_so(tmp_path):
    dataset = load_dataset([str(_bad_date_fixture(tmp_path))])
    with pytest.raises(InputError, match="pySHACL cannot validate"):
        validate(dataset, validator="pyshacl")
    report = validate(dataset)
    assert report.validator == "fast" and not report.conforms
    assert "pySHACL cannot validate" in report.notes[0] and "fast validator was used" in report.notes[0]
    components = sorted(str(r.component).rsplit("#", 1)[1] for r in report.results)
    assert components == ["DatatypeConstraintComponent", "LessThanOrEqualsConstraintComponent"]
    assert "Note: pySHACL cannot validate" in report.text()


def test_auto_falls_back_to_pyshacl_when_the_fast_validator_cannot_read_the_data():
    shapes = Graph().parse(data=SHAPES_WITHOUT_SPARQL, format="turtle")
    data = Graph()
    data.add((URIRef(EX + "an item"), RDF.type, URIRef(EX + "C")))  # rdflib takes it; N-Triples does not
    with pytest.raises(InputError, match="fast validator"):
        run_fast(data, shapes)
    report = run(data, shapes)
    assert report.validator == "pyshacl" and not report.conforms
    assert "pyshacl validator was used instead" in report.notes[0]
    assert [str(r.focus) for r in report.results] == [EX + "an item"]


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
def test_fast_results_are_the_callers_own_blank_nodes_literals_and_paths():
    """Blank nodes (in any order), awkward literals and complex paths come back as pySHACL gives them."""
    shapes = Graph().parse(data=SHAPES_WITHOUT_SPARQL, format="turtle")
    data = Graph()
    C, ex = URIRef(EX + "C"), lambda name: URIRef(EX + name)
    nodes = [BNode() for _ in range(300)]
    random.Random(7).shuffle(nodes)
    awkward = [
        Literal("tab\there, \"quoted\" \\ back\nslash\r"),
        Literal("Grüße 🌍", lang="DE-at"),
        Literal("a string", datatype=URIRef(XSD + "string")),
        Literal("12x", datatype=URIRef(XSD + "integer")),
        Literal("none", datatype=URIRef(XSD + "boolean")),  # ill-typed, rewritten to "false" by rdflib
        Literal("1234", datatype=URIRef(XSD + "integer")),
    ]
    for i, node in enumerate(nodes):
        data.add((node, RDF.type, C))
        if i % 3:
            data.add((node, ex("p"), Literal(i)))
        data.add((node, ex("name"), awkward[i % len(awkward)]))
        data.add((node, ex("a"), nodes[(i + 1) % len(nodes)]))  # a blank node where an IRI is wanted
        data.add((node, ex("child"), ex(f"not-a-C-{i % 5}")))
        if i % 7 == 0:
            middle = BNode()
            data.add((node, ex("q"), middle))
            data.add((ex("r-subject"), ex("r"), middle))
    reference, fast = run_pyshacl(data, shapes), run_fast(data, shapes)
    assert len(reference.results) > 900
    assert [r.key() for r in fast.results] == [r.key() for r in reference.results]
    by_key = {r.key(): r.shape for r in reference.results}
    assert all(by_key[r.key()] == r.shape for r in fast.results), "sourceShape maps to the same blank node"
    focus_nodes = {r.focus for r in fast.results}
    assert focus_nodes <= set(nodes)
    paths = {str(r.path) for r in fast.results}
    assert {f"(<{EX}q>/^<{EX}r>)", f"(<{EX}a>|(<{EX}b>)*)", f"(<{EX}child>)+"} <= paths


def test_date_ordering_sparql_constraints_are_found_unless_they_compare_strings():
    # The shipped sub-event shape compares STR(...) of its dates, which both validators order.
    assert ordering_constraints(load_shapes()) == []
    dates = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:sparql [ sh:select "SELECT $this WHERE { $this ex:a ?x ; ex:b ?y FILTER (?x < ?y) FILTER (STR(?x) < STR(?y)) }" ] .""",
        format="turtle",
    )
    assert [str(node) for node in ordering_constraints(dates)] == ["http://example.org/S"]
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:sparql [ sh:select "SELECT $this WHERE { $this <http://ex/p> ?v . FILTER (?v != '<a>') } # a > b" ] .""",
        format="turtle",
    )
    assert ordering_constraints(shapes) == []


def test_cli_validator_option(run_cli):
    fixture = str(BROKEN / "claim-two-sources.ttl")
    for name in ("fast", "pyshacl"):
        result = run_cli("validate", "--data", fixture, "--validator", name)
        assert result.status == 1
        assert "exactly one source agent" in result.stderr
    result = run_cli("validate", "--validator", "fast")
    assert result.status == 0
    assert result.stdout.startswith("The data conforms to the shapes.")
    assert "Note:" not in result.stdout
    assert run_cli("validate", "--validator", "quick").status == 2


def test_validate_ntriples_agrees_with_validate_without_an_rdflib_graph(tmp_path):
    dataset = load_dataset([str(_bad_date_fixture(tmp_path))])
    text = dataset.serialize(format="nt")
    direct, through_rdflib = validate_ntriples(text), validate(dataset, validator="fast")
    assert not direct.conforms
    assert [r.key() for r in direct.results] == [r.key() for r in through_rdflib.results]
    blank = validate_ntriples(text.replace("<https://w3id.org/conflictkg/id/test/event>", "_:someEvent"))
    assert {str(r.focus) for r in blank.results} == {"b0"}
