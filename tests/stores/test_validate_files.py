"""Validating files in a scratch Oxigraph store gives the results of the rdflib path, without building an rdflib graph."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rdflib import BNode

from conflictkg.checks.shapes import validate
from conflictkg.exchange.generate import write_generated
from conflictkg.stores.dataset import load_dataset
from conflictkg.stores.oxigraph_shapes import validate_files

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "broken"
CASES = tomllib.loads((BROKEN / "manifest.toml").read_text("utf-8"))["case"]


def _keys(report) -> list[tuple]:
    """Each result's focus, path, value, component and severity; blank nodes (labelled differently
    by each path) as one placeholder."""
    return sorted(
        tuple("_:b" if isinstance(term, BNode) else ("" if term is None else term.n3()) for term in
              (r.focus, r.path, r.value, r.component, r.severity))
        for r in report.results
    )


def test_the_broken_fixtures_give_the_rdflib_paths_results():
    """All broken fixtures at once against the rdflib path's compiled validator, and a sample of
    them one by one against pySHACL (the reference; it cannot take them all at once, some hold
    ill-typed dates): the same results."""
    files = [str(BROKEN / case["file"]) for case in CASES]
    scratch = validate_files(files, validator="fast")
    reference = validate(load_dataset(files), validator="fast")
    assert not reference.conforms and not scratch.conforms
    assert _keys(scratch) == _keys(reference)
    assert len(scratch.results) >= len(CASES) // 2
    for case in CASES[::24]:
        path = str(BROKEN / case["file"])
        assert _keys(validate_files([path], validator="fast")) == _keys(validate(load_dataset([path]), validator="pyshacl")), path


def test_built_in_and_generated_data_give_the_rdflib_paths_results(tmp_path):
    generated = tmp_path / "generated.nq"
    write_generated(generated, 60, seed=4)
    broken = [str(BROKEN / c["file"]) for c in CASES[:12]]
    files = [str(generated), *broken]
    scratch = validate_files(files, with_builtin=True, validator="fast")
    reference = validate(load_dataset(files, with_builtin=True), validator="fast")
    assert not scratch.conforms and len(scratch.results) >= 12
    assert _keys(scratch) == _keys(reference)
    assert scratch.text().splitlines()[0] == reference.text().splitlines()[0]


def test_auto_leaves_small_data_and_unreadable_files_to_the_rdflib_path(tmp_path):
    small = str(BROKEN / CASES[0]["file"])
    assert validate_files([small], validator="auto") is None  # pySHACL, the reference, takes it
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n", "utf-8")
    assert validate_files([str(bad)], validator="fast") is None  # rdflib names the line
    assert validate_files(["-"], validator="fast") is None


def test_the_cli_validates_generated_files_in_the_scratch_store(tmp_path, run_cli):
    generated = tmp_path / "generated.nt"
    write_generated(generated, 80, seed=2)
    result = run_cli("validate", "--data", str(generated))
    assert result.status == 0, result.stdout + result.stderr
    assert "scratch Oxigraph store" in result.stdout
