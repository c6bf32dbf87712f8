"""Writes survive being killed: real `conflictkg` processes are stopped with SIGINT, SIGTERM and
SIGKILL in the middle of `load`, `reason` and `import`, and the database and files are checked.

A load or reason into an Oxigraph database either completes or leaves it as it was: the same
quads in the same graphs, no upload or staging graph, and the next command finds and removes
what the killed one left (and says so). Temporary `.part` files of a killed writer are removed
by the next write of the same file. The moment of the kill is observed, not guessed: the
staging folder (or `.part` file) must exist and the process must still be running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "fixtures" / "bad-input" / "good.ttl"
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def conflictkg(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "conflictkg.cli", *args], cwd=cwd, env=ENV,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finished(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conflictkg.cli", *args], env=ENV, capture_output=True, text=True,
                          timeout=300, check=False)


def contents(database: Path) -> dict[str, int]:
    """Quads per graph, read with pyoxigraph itself (no recovery, no conflictkg code)."""
    import pyoxigraph as ox

    store = ox.Store(str(database))
    try:
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g")
        return {(row["g"].value if row["g"] is not None else ""): int(row["n"].value) for row in rows}
    finally:
        del store


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".old-" in p.name or p.name.endswith(".part"))


def wait_for(condition, process: subprocess.Popen, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, f"the process ended before the moment to kill it: {process.communicate()}"
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    small, big = folder / "small.nt", folder / "big.nt"
    assert finished("generate", "--events", "40", "--seed", "3", "-o", str(small)).returncode == 0
    assert finished("generate", "--events", "1500", "--seed", "4", "-o", str(big)).returncode == 0
    base = folder / "base.db"
    run = finished("load", "--store", f"oxigraph:{base}", "--data", str(small))
    assert run.returncode == 0, run.stderr
    return {"small": small, "big": big, "base": base}


@pytest.fixture
def database(tmp_path, inputs):
    copy = tmp_path / "kg.db"
    shutil.copytree(inputs["base"], copy)
    return copy


def staging_exists(database: Path):
    return lambda: any(".staging-" in p.name and not p.name.endswith(".ready") for p in database.parent.iterdir())


def ready_exists(database: Path) -> bool:
    return any(p.name.endswith(".ready") for p in database.parent.iterdir())


MOMENTS = {"at-once": 0.0, "later": 0.6}
SIGNALS = {"SIGINT": (signal.SIGINT, 130), "SIGTERM": (signal.SIGTERM, 143), "SIGKILL": (signal.SIGKILL, -9)}


def _kill_during(process: subprocess.Popen, database: Path, signum: int, delay: float) -> None:
    wait_for(staging_exists(database), process)
    time.sleep(delay)
    assert process.poll() is None and not ready_exists(database), "killed too late to prove anything"
    process.send_signal(signum)
    process.communicate(timeout=60)


@pytest.mark.parametrize(("name", "moment"), [
    ("SIGINT", "at-once"), ("SIGTERM", "later"), ("SIGKILL", "later"),
])
def test_killed_load_leaves_the_database_as_it_was(database, inputs, name, moment):
    signum, status = SIGNALS[name]
    before = contents(database)
    process = conflictkg("load", "--store", f"oxigraph:{database}", "--data", str(inputs["big"]))
    _kill_during(process, database, signum, MOMENTS[moment])
    assert process.returncode == status
    if signum != signal.SIGKILL:  # stopped, not killed: it cleaned up itself
        assert leftovers(database.parent) == []
    assert contents(database) == before
    assert not any(g.startswith("urn:conflictkg:upload:") for g in contents(database))

    # the next command finds what the killed one left, says so, removes it, and works
    query = finished("query", "graph-overview", "--store", f"oxigraph:{database}", "--format", "csv")
    assert query.returncode == 0, query.stderr
    if signum == signal.SIGKILL:
        assert "removed" in query.stderr and "interrupted write" in query.stderr
    assert leftovers(database.parent) == []
    if signum != signal.SIGKILL:
        return
    again = finished("load", "--store", f"oxigraph:{database}", "--data", str(GOOD), "--no-ontology")
    assert again.returncode == 0, again.stderr
    after = contents(database)
    assert after[""] == 1  # the default graph was replaced by the one triple of good.ttl
    assert leftovers(database.parent) == []


@pytest.fixture(scope="module")
def reasoned(inputs, tmp_path_factory):
    """A database with the big input loaded and reasoned once: kgr:inferred holds thousands of triples."""
    import pyoxigraph as ox

    folder = tmp_path_factory.mktemp("reasoned") / "kg.db"
    shutil.copytree(inputs["base"], folder)
    store = ox.Store(str(folder))  # the engine's own loader: no claim-relation rules (not what is tested here)
    more = folder.parent / "more.nt"
    assert finished("generate", "--events", "700", "--seed", "5", "-o", str(more)).returncode == 0
    store.bulk_load(path=str(more), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("https://example.org/more"))
    store.flush()
    del store
    run = finished("reason", "--store", f"oxigraph:{folder}")
    assert run.returncode == 0, run.stderr
    return folder


@pytest.mark.parametrize("name", ["SIGKILL"])
def test_killed_reason_keeps_the_inferred_graph_it_had(reasoned, tmp_path, name):
    signum, status = SIGNALS[name]
    database = tmp_path / "kg.db"
    shutil.copytree(reasoned, database)
    before = contents(database)
    assert before["https://w3id.org/conflictkg/graph/inferred"] > 1000
    process = conflictkg("reason", "--store", f"oxigraph:{database}")
    _kill_during(process, database, signum, 0.3)  # reasoning has begun: it empties kgr:inferred first
    assert process.returncode == status
    assert contents(database) == before  # the earlier kgr:inferred, whole; nothing half made
    query = finished("query", "graph-overview", "--store", f"oxigraph:{database}")
    assert query.returncode == 0, query.stderr
    assert leftovers(database.parent) == []


def test_a_ready_staging_copy_is_switched_in_by_the_next_open(database, tmp_path):
    """Killed between 'the copy is complete' and the renames: the next open finishes the switch."""
    import pyoxigraph as ox

    staged = database.parent / f".{database.name}.staging-abc123"
    store = ox.Store(str(database))
    store.backup(str(staged))
    del store
    copy = ox.Store(str(staged))
    copy.update("INSERT DATA { <https://example.org/new> <https://example.org/p> 1 }")
    copy.flush()
    del copy
    (database.parent / f"{staged.name}.ready").touch()
    before = contents(staged)
    run = finished("query", "graph-overview", "--store", f"oxigraph:{database}")
    assert run.returncode == 0, run.stderr
    assert "finished switching in" in run.stderr
    assert contents(database) == before
    assert leftovers(database.parent) == []


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """An ACLED-style CSV file big enough that its import writes for a second or two."""
    path = tmp_path_factory.mktemp("rows") / "events.csv"
    assert finished("generate", "--events", "5000", "-o", str(path)).returncode == 0
    return path


def test_a_killed_writer_s_part_file_is_removed_by_the_next_write(tmp_path, rows):
    output = tmp_path / "events.nq"
    process = conflictkg("import", "acled", str(rows), "-o", str(output))
    wait_for(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(left) == 1 and left[0].startswith(f".events.nq.{process.pid}.")
    assert not output.exists()
    # a live writer's temporary file is not touched; a dead one's is
    again = finished("import", "acled", str(rows), "-o", str(output))
    assert again.returncode == 0, again.stderr
    assert output.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stopped_writer_removes_its_part_file(tmp_path, rows, name, status):
    output = tmp_path / "events.nq"
    output.write_text("previous\n")
    process = conflictkg("import", "acled", str(rows), "-o", str(output))
    wait_for(lambda: any(p.name.endswith(".part") for p in tmp_path.iterdir()), process)
    process.send_signal(SIGNALS[name][0])
    _out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "no output file was changed" in err
    assert output.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_killed_shard_export_s_folder_is_removed_by_the_next_one(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that no longer runs
    stale = tmp_path / f".shards.{dead.pid}.k2j4h5g6.part"
    stale.mkdir()
    (stale / "part-00001-of-00002.nq.gz").write_bytes(b"half written")
    live = tmp_path / f".shards.{os.getpid()}.a1b2c3d4.part"  # a running writer's: left alone
    live.mkdir()
    run = finished("export", "--data", str(GOOD), "--shards", "2", "-o", str(tmp_path / "shards"))
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "shards"]
