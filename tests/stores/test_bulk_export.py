"""`conflictkg export --shards`: gzip N-Quads shards that `oxigraph load` takes, holding the whole graph."""

from __future__ import annotations

import gzip
import json
import subprocess

import pytest
from rdflib import Dataset

from conflictkg.stores.dataset import load_dataset
from test_store import oxigraph_binary


def _quads(paths) -> set:
    dataset = Dataset()
    for path in paths:
        dataset.parse(data=gzip.decompress(path.read_bytes()).decode("utf-8"), format="nquads")
    return {(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))}


def test_shards_hold_the_whole_graph_and_oxigraph_load_takes_them(tmp_path, run_cli):
    data = tmp_path / "synthetic.nt"
    assert run_cli("generate", "--events", "300", "--seed", "4", "-o", str(data)).status == 0
    out = tmp_path / "shards"
    result = run_cli("export", "--data", str(data), "--with-builtin", "--shards", "3", "-o", str(out))
    assert result.status == 0, result.stderr
    parts = sorted(out.glob("part-*.nq.gz"))
    assert [p.name for p in parts] == [f"part-0000{i}-of-00003.nq.gz" for i in (1, 2, 3)]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [f["file"] for f in manifest["files"]] == [p.name for p in parts]
    assert all(f["lines"] > 0 for f in manifest["files"])

    expected = load_dataset([str(data)], with_builtin=True)
    assert sum(f["lines"] for f in manifest["files"]) == len(expected)

    database = tmp_path / "db"
    loaded = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(database), "--file", *map(str, parts)],
        capture_output=True, text=True, timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    counted = subprocess.run(
        [oxigraph_binary(), "query", "--location", str(database), "--results-format", "csv",
         "--query", "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"],
        capture_output=True, text=True, timeout=120,
    )
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.split()[1]) == len(expected)


def test_blank_nodes_all_go_to_the_first_shard(tmp_path):
    from conflictkg.exchange.shards import write_shards

    lines = [f"<http://e/s{i}> <http://e/p> \"{i}\" .\n".encode() for i in range(20000)]
    lines[5] = b"_:b1 <http://e/p> <http://e/o> .\n"
    lines[15000] = b"<http://e/x> <http://e/p> _:b1 .\n"

    def produce(sink) -> None:
        data = b"".join(lines)
        for start in range(0, len(data), 777):  # chunks that cut lines in the middle
            sink.write(data[start : start + 777])

    report = write_shards(tmp_path / "out", 4, produce, "nt", "application/n-triples")
    contents = [gzip.decompress((report.directory / name).read_bytes()).splitlines(keepends=True) for name in report.files]
    assert sorted(line for part in contents for line in part) == sorted(lines)
    assert lines[5] in contents[0] and lines[15000] in contents[0]
    assert all(b"_:" not in line for part in contents[1:] for line in part)
    assert max(report.lines) - min(report.lines) <= 4096 + 2


def test_shards_refuse_a_folder_with_files(tmp_path, run_cli):
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine", "utf-8")
    result = run_cli("export", "--shards", "2", "-o", str(out))
    assert result.status == 2
    assert (out / "keep.txt").read_text("utf-8") == "mine"


def test_shards_need_a_folder_and_a_line_format(run_cli):
    assert run_cli("export", "--shards", "2").status == 2
    assert run_cli("export", "--shards", "2", "--format", "ttl", "-o", "x").status == 2
