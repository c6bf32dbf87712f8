"""The command line: help, listing, queries, exports, exit statuses and stdin."""

from __future__ import annotations

import json
import subprocess
import sys

from rdflib import Graph


def test_help_lists_every_command(run_cli, capsys):
    try:
        run_cli("--help")
    except SystemExit as exit_:
        assert exit_.code == 0
    out = capsys.readouterr().out
    for command in ("summary", "validate", "queries", "query", "export"):
        assert command in out


def test_validate_builtin_exits_0(run_cli):
    run = run_cli("validate")
    assert run.status == 0, run.stderr
    assert "conforms" in run.stdout


def test_summary_shows_who_claims_what(run_cli):
    run = run_cli("summary")
    assert run.status == 0, run.stderr
    for source in ("RFI", "JNIM"):
        assert source in run.stdout
    assert "between thirty and thirty-two" in run.stdout
    assert "conforms" in run.stdout


def test_queries_lists_titles(run_cli):
    run = run_cli("queries")
    assert run.status == 0
    assert run.stdout.count("\n    ") >= 12


def test_unknown_query_is_exit_2(run_cli):
    run = run_cli("query", "no-such-query")
    assert run.status == 2
    assert "no saved query named 'no-such-query'" in run.stderr


def test_bad_usage_is_exit_2(run_cli):
    run = run_cli("export", "--format", "docx")
    assert run.status == 2
    assert "docx" in run.stderr


def test_export_to_file_picks_format_from_extension(run_cli, tmp_path):
    out = tmp_path / "kwala.nt"
    run = run_cli("export", "-o", str(out))
    assert run.status == 0, run.stderr
    graph = Graph().parse(out, format="nt")
    assert len(graph) > 100
    assert list(tmp_path.iterdir()) == [out]


def test_query_json_output(run_cli):
    run = run_cli("query", "casualty-claims", "--format", "json")
    assert run.status == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["results"]["bindings"]


def test_stdin_input(tmp_path):
    turtle = (
        "@prefix ckg: <https://w3id.org/conflictkg/ontology#> .\n"
        "<https://example.org/x> a ckg:Country .\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "conflictkg.cli", "export", "--data", "-", "--input-format", "ttl", "--format", "nt"],
        input=turtle.encode(), capture_output=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert b"<https://example.org/x>" in run.stdout


def test_installed_package_works_from_another_directory(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "conflictkg.cli", "validate"], cwd=tmp_path, capture_output=True, check=False
    )
    assert run.returncode == 0, run.stderr
