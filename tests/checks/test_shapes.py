"""The shipped data conforms to the shapes, and each broken fixture makes its shape fire."""

from __future__ import annotations

import tomllib

import pytest
from rdflib import URIRef

from conflictkg.stores.dataset import load_dataset
from conflictkg.checks.shapes import validate

from conftest import FIXTURES

BROKEN = FIXTURES / "broken"
CASES = tomllib.loads((BROKEN / "manifest.toml").read_text("utf-8"))["case"]


def test_builtin_data_conforms(builtin_dataset):
    report = validate(builtin_dataset)
    assert report.conforms, report.text()
    assert report.results == []


def test_every_shape_has_a_broken_fixture():
    from rdflib.namespace import RDF, SH

    from conflictkg.graph.parse import load_shapes

    shapes = load_shapes()
    named = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    named |= {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    covered = {URIRef(case["shape"]) for case in CASES}
    # A node shape that only groups property shapes fires through them.
    covered |= {node for node in named if any(p in covered for p in shapes.objects(node, SH.property))}
    assert named - covered == set()


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_broken_fixture_fires_its_shape(case):
    dataset = load_dataset([str(BROKEN / case["file"])])
    report = validate(dataset)
    assert not report.conforms
    assert len(report.results) == case["results"], report.text()
    hits = [
        r
        for r in report.results
        if str(r.focus) == case["focus"] and case["message"] in r.message and str(r.shape) == case["shape"]
    ]
    assert hits, report.text()


@pytest.mark.parametrize("case", CASES[:3], ids=[c["file"] for c in CASES[:3]])
def test_cli_reports_broken_fixture_with_exit_1(run_cli, case):
    run = run_cli("validate", "--data", str(BROKEN / case["file"]))
    assert run.status == 1
    assert case["message"] in run.stderr
    assert "focus:" in run.stderr
