"""The Python API (`import conflictkg`): the examples of README.md and docs/api.md run, and the API keeps its promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import conflictkg
from conflictkg.errors import NetworkRefused

ROOT = Path(__file__).resolve().parents[1]


def python_examples(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), flags=re.DOTALL)


EXAMPLES = [(name, index, code) for name in ("README.md", "docs/api.md")
            for index, code in enumerate(python_examples(ROOT / name))]


def test_the_documents_have_python_examples():
    assert sum(1 for name, _i, _c in EXAMPLES if name == "README.md") >= 1
    assert sum(1 for name, _i, _c in EXAMPLES if name == "docs/api.md") >= 4


@pytest.mark.parametrize("name, index, code", EXAMPLES, ids=[f"{n}#{i}" for n, i, _c in EXAMPLES])
def test_python_example_runs(name, index, code, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name fixture files relative to the repository
    exec(compile(code, f"{name} example {index}", "exec"), {"__name__": "__example__"})  # noqa: S102 - the documents' own examples


def test_import_conflictkg_is_fast_and_lazy():
    code = "import sys, conflictkg; print('rdflib' in sys.modules, 'conflictkg.api' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
    assert callable(conflictkg.load) and "query" in dir(conflictkg)
    with pytest.raises(AttributeError):
        conflictkg.no_such_function  # noqa: B018


def test_query_on_a_data_set_without_the_ontology_still_answers():
    from conflictkg.stores.dataset import load_dataset

    bare = load_dataset()  # as a library user builds it: no ontology graph
    answer = conflictkg.query(bare, "SELECT (COUNT(?e) AS ?n) WHERE { ?e a/rdfs:subClassOf* ckg:Event }")
    assert int(answer.rows[0]["n"]) > 10


def test_query_answers_keep_columns_and_kinds():
    graph = conflictkg.load()
    select = conflictkg.query(graph, "SELECT ?zeta ?alpha WHERE { ?zeta rdfs:label ?alpha } LIMIT 2")
    assert select.columns == ["zeta", "alpha"] and len(select) == 2
    construct = conflictkg.query(graph, "CONSTRUCT { actor:rfi rdfs:label ?l } WHERE { actor:rfi rdfs:label ?l }")
    assert len(construct) == 1 and "actor:rfi" in construct.table()
    assert "claim:rfi-killed" in conflictkg.query(graph, "casualty-claims").table()


def test_service_and_remote_files_are_refused_as_on_the_command_line():
    with pytest.raises(NetworkRefused):
        conflictkg.query(None, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(NetworkRefused):
        conflictkg.query(None, "LOAD <http://127.0.0.1:9/data.ttl>")


def test_bad_input_raises_the_typed_error_with_file_and_line(tmp_path):
    from conflictkg.errors import InputError

    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl:2"):
        conflictkg.load(broken)
