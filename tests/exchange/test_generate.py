"""`conflictkg generate`: ACLED-like synthetic data that conforms to the shapes, the same for the same seed."""

from __future__ import annotations

import csv

from rdflib import Graph

from conflictkg.exchange.generate import write_generated


def test_two_hundred_events_conform(tmp_path, run_cli):
    path = tmp_path / "synthetic.nt"
    made = run_cli("generate", "--events", "200", "--seed", "2", "-o", str(path))
    assert made.status == 0, made.stderr
    checked = run_cli("validate", "--data", str(path))
    assert checked.status == 0, checked.stdout + checked.stderr


def test_proportions_look_like_acled(tmp_path):
    path = tmp_path / "synthetic.nt"
    write_generated(path, 3000, seed=9)
    graph = Graph().parse(path, format="nt")
    ask = lambda q: int(next(iter(graph.query("PREFIX ckg: <https://w3id.org/conflictkg/ontology#>\n" + q)))[0])
    events = ask("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e ckg:hasPlace ?p FILTER NOT EXISTS { ?e a ckg:Campaign } }")
    claims = ask("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ckg:Claim }")
    places = ask("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?e ckg:hasPlace ?p }")
    actors = ask("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?e ckg:combatant|ckg:perpetrator|ckg:hasActor ?a }")
    assert events == 3000
    assert 1.2 * events < claims < 1.7 * events
    assert 100 < places < events
    assert 10 < actors < events / 10
    assert 20 < len(graph) / events < 35


def test_same_seed_same_bytes_and_acled_csv(tmp_path):
    a, b = tmp_path / "a.nq", tmp_path / "b.nq"
    write_generated(a, 150, seed=3)
    write_generated(b, 150, seed=3)
    assert a.read_bytes() == b.read_bytes()
    rows = tmp_path / "events.csv"
    assert write_generated(rows, 150, seed=3) == 150
    with rows.open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 150
    assert {"event_id_cnty", "event_date", "event_type", "sub_event_type", "fatalities"} <= set(records[0])
