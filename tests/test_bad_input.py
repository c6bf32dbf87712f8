"""The bad-input catalogue (tests/fixtures/bad-input/manifest.toml): each case gets its exit status,
one readable message on stderr and no traceback, and leaves every file as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conflictkg.cli import main

FOLDER = Path(__file__).parent / "fixtures" / "bad-input"
CASES = tomllib.loads((FOLDER / "manifest.toml").read_text("utf-8"))["case"]
PREVIOUS = "previous content: must survive a failed command\n"


def _expand(args: list[str], tmp: Path, output: Path) -> list[str]:
    return [a.replace("{fixtures}", str(FOLDER)).replace("{output}", str(output)).replace("{tmp}", str(tmp)) for a in args]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, tmp_path, capsys):
    output = tmp_path / "previous-output.ttl"
    output.write_text(PREVIOUS)
    status = main(_expand(case["args"], tmp_path, output))
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert status == case["exit"], err
    assert case["stderr"] in err, err
    assert "Traceback" not in err
    if case["exit"] == 2:
        assert len(err.splitlines()) == 1, err
        assert err.startswith("conflictkg: error: ")
        assert captured.out == ""
    assert output.read_text() == PREVIOUS
    assert [p.name for p in tmp_path.iterdir()] == [output.name]  # nothing new, no temporary file


def test_catalogue_covers_the_issue():
    """Each kind of bad input the issue lists for the existing commands has a case."""
    names = {c["name"] for c in CASES}
    for needed in (
        "turtle-syntax-error", "trig-syntax-error", "ntriples-syntax-error", "empty-file",
        "json-in-a-turtle-file", "not-utf8", "invalid-iri-space", "ill-typed-integer", "ill-typed-date",
        "jsonld-not-json", "jsonld-nested-deeply", "jsonld-remote-context", "rdfxml-billion-laughs",
        "unknown-saved-query", "unknown-parameter", "parameter-not-a-date", "query-syntax-error",
    ):
        assert needed in names, needed
    for case in CASES:
        for arg in case["args"]:
            if arg.startswith("{fixtures}/") and "no-such" not in arg:
                assert (FOLDER / arg.removeprefix("{fixtures}/")).exists(), arg


@pytest.mark.parametrize("name", ["turtle-syntax-error", "ill-typed-integer"])
def test_a_real_process_prints_no_traceback_or_log(name, tmp_path):
    """In a process of its own (as users run it) rdflib's logged tracebacks stay hidden too."""
    case = next(c for c in CASES if c["name"] == name)
    output = tmp_path / "previous-output.ttl"
    output.write_text(PREVIOUS)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    run = subprocess.run(
        [sys.executable, "-m", "conflictkg.cli", *_expand(case["args"], tmp_path, output)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert run.returncode == case["exit"], run.stderr
    assert case["stderr"] in run.stderr
    assert "Traceback" not in run.stderr and "Failed to convert" not in run.stderr
    if case["exit"] == 2:
        assert len(run.stderr.strip().splitlines()) == 1
    assert output.read_text() == PREVIOUS


def test_debug_shows_the_traceback(tmp_path):
    from conflictkg.errors import InputError

    with pytest.raises(InputError):
        main(["--debug", "export", "--data", str(FOLDER / "turtle-syntax-error.ttl"), "-o", str(tmp_path / "x.ttl")])
