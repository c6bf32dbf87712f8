"""A small run of benchmarks/run.py (1,000 events): every stage of the fast path gives a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_smoke_run_times_every_stage(tmp_path):
    markdown = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--smoke", "--work", str(tmp_path), "--no-cli",
         "--rdflib-stages", "load", "export-ttl", "--query-timeout", "120", "--markdown", str(markdown)],
        capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text("utf-8").splitlines()]
    fast = {r["stage"]: r for r in records if r["path"] == "fast"}
    for stage in ("load", "bulk-load-reference", "derive-claim-relations", "validate", "export-ttl", "export-jsonld", "reason-plan", "reason-rules"):
        assert fast[stage]["wall"] > 0, stage
        assert fast[stage]["peak_mb"] > 0, stage
    assert fast["validate-conforms"]["conforms"] is True
    assert fast["reason-steps"]["inferred"] > 10_000
    queries = [s for s in fast if s.startswith("query:")]
    from conflictkg.queries.saved import saved_queries

    assert len(queries) == len(saved_queries())
    rdflib = {r["stage"]: r for r in records if r["path"] == "rdflib"}
    assert rdflib["load"]["wall"] > 0 and rdflib["export-ttl"]["wall"] > 0
    text = markdown.read_text("utf-8")
    assert "| load |" in text and "| end-to-end |" in text and " cores, " in text
    end_to_end = next(line for line in text.splitlines() if line.startswith("| end-to-end |"))
    assert end_to_end.split("|")[3].strip().endswith("MB") or "GB" in end_to_end.split("|")[3]  # the fast path finished
