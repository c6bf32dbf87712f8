"""Long commands show their stages on a terminal, and nothing of the kind when stderr is a pipe or --quiet is given."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from conflictkg import progress
from conflictkg.exchange.generate import write_generated


def _run(args: list[str], terminal: bool) -> tuple[int, str, str]:
    """Run the command line in a child process, stderr a pseudo-terminal or a pipe."""
    command = [sys.executable, "-c", "import sys; from conflictkg.cli import main; sys.exit(main(sys.argv[1:]))", *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr
    main_end, child_end = os.openpty()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=child_end, text=True)
    os.close(child_end)
    chunks = []
    while True:
        try:
            chunk = os.read(main_end, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = child.stdout.read()
    status = child.wait(timeout=120)
    os.close(main_end)
    return status, out, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_stages_and_counts_on_a_terminal_and_none_in_a_pipe(tmp_path):
    data = tmp_path / "events.nt"
    write_generated(data, 60, seed=5)
    db = f"oxigraph:{tmp_path / 'db'}"
    status, _out, err = _run(["load", "--store", db, "--data", str(data)], terminal=True)
    assert status == 0, err
    assert "conflictkg: loading into the Oxigraph database" in err
    assert "deriving claim relations" in err and "triples built" in err
    assert "triples in " in err  # the stage's end line: its count and time
    status, out, err = _run(["validate", "--data", str(data)], terminal=True)
    assert status == 0, out + err
    assert "conflictkg: validating" in err and "checking SHACL Core" in err
    status, out, err = _run(["validate", "--data", str(data), "--quiet"], terminal=True)
    assert status == 0 and "conflictkg:" not in err
    status, out, err = _run(["validate", "--data", str(data)], terminal=False)
    assert status == 0 and err == "" and out.startswith("The data conforms")


def test_stages_nest_and_a_failed_stage_says_it_stopped():
    stream = io.StringIO()
    progress.show(stream)
    try:
        with progress.stage("outer"):
            progress.note(3, "files")
            try:
                with progress.stage("inner"):
                    raise ValueError("no")
            except ValueError:
                pass
    finally:
        progress.show(None)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "conflictkg: outer ..."
    assert lines[1] == "conflictkg:   inner ..."
    assert lines[2] == "conflictkg:   inner: stopped"
    assert lines[3].startswith("conflictkg: outer: 3 files in ")
    with progress.stage("silent"):
        progress.note(1, "thing")
    assert len(stream.getvalue().splitlines()) == 4
