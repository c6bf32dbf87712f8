"""Round trips on every real row: `import ucdp` -> `export --as ucdp` -> `import ucdp` gives back the
same graph (every field the importer reads), for the whole UCDP GED 19.1 extract (3,194 rows, the
19.1 layout) and the whole 23.1 sample (993 rows, the 23.1 layout), rows that break UCDP's own rules
(low > high) included.

The files are tests/fixtures/ucdp/*.csv.gz (real UCDP GED rows, CC BY 4.0; origin in the README there).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from conflictkg.exchange.exporters.common import Facts
from conflictkg.exchange.exporters.ucdp import imported_rows, write_csv
from conflictkg.exchange.importers import ImportOptions, import_csv, importer_for
from conflictkg.graph.oxigraph import from_ox
from conflictkg.graph.parse import load_ontology

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp"
OPTIONS = ImportOptions(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
KEY = re.compile(r"ucdp-ged-[0-9a-f]{12}")


def _import(source: Path, out: Path, strict: bool = False) -> None:
    result = import_csv(importer_for("ucdp"), source, str(out), strict=strict, options=OPTIONS)
    assert result.problems == []


def _triples(path: Path):
    """The file's triples as rdflib terms (parsed by Oxigraph: a few seconds for 300,000 quads)."""
    cache: dict = {}

    def term(value):
        found = cache.get(value)
        if found is None:
            found = cache[value] = from_ox(value)
        return found

    for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        yield term(q.subject), term(q.predicate), term(q.object)


def _data_lines(path: Path) -> set[str]:
    """The lines of the imported file's own graph, with its file key written KEY (the two imports
    are of two files, so their keys differ; everything else must be the same)."""
    found = set()
    for line in path.read_text("utf-8").splitlines():
        line = KEY.sub("KEY", line)
        if line.endswith("<https://w3id.org/conflictkg/graph/KEY> ."):
            found.add(line)
    return found


@pytest.mark.parametrize(("name", "rows", "layout_columns"), [("ged231-sample", 993, 49), ("ged191-myanmar-bangladesh", 3194, 42)])
def test_ucdp_round_trip_keeps_every_field_on_every_real_row(tmp_path, name, rows, layout_columns):
    source = tmp_path / f"{name}.csv"
    source.write_bytes(gzip.decompress((FIXTURES / f"{name}.csv.gz").read_bytes()))
    original = list(csv.DictReader(io.StringIO(source.read_text("utf-8"))))
    assert len(original) == rows and len(original[0]) == layout_columns
    first = tmp_path / "first.nq"
    _import(source, first)
    facts = Facts(list(_triples(first)) + list(load_ontology()))
    table = imported_rows(facts)
    assert len(table) == rows  # every row, the unordered ones too
    exported = tmp_path / "exported.csv"
    exported.write_bytes(write_csv(table))
    second = tmp_path / "second.nq"
    _import(exported, second, strict=True)
    before, after = _data_lines(first), _data_lines(second)
    assert len(before) > 30 * rows
    assert before == after, (sorted(before - after)[:5], sorted(after - before)[:5])
    # Field by field, against the published file: what the importer reads comes back as published.
    by_id = {row["id"].split(".")[0]: row for row in original}
    for row in table:
        published = by_id[row["id"]]
        for column in ("side_a", "side_b", "source_article", "where_prec", "date_prec", "type_of_violence",
                       "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "low", "high",
                       "adm_1", "adm_2", "country", "conflict_name"):
            assert row[column] == _number(published[column]), (row["id"], column)
        assert not row["side_a"].startswith("Government of Government of")
    unordered = [row for row in table if int(row["low"]) > int(row["high"])]
    if name == "ged231-sample":
        assert len(unordered) == 7  # kept as published, not dropped


def _number(value: str) -> str:
    value = value.strip()
    return value.split(".")[0] if re.fullmatch(r"\d+\.0+", value) else value


ACLED = Path(__file__).resolve().parents[1] / "fixtures" / "acled"
ACLED_KEY = re.compile(r"acled-[0-9a-f]{12}")


@pytest.mark.parametrize("name", ["acled-export-constructed.csv", "acled-api-constructed.csv"])
def test_acled_round_trip_keeps_every_column_the_importer_reads(tmp_path, name):
    """ACLED's export layout (rows CONSTRUCTED from ACLED's codebook, tests/fixtures/acled/README.md:
    ACLED's data cannot be redistributed): the same graph back, source and notes intact."""
    from conflictkg.exchange.exporters.acled import imported_rows as acled_rows
    from conflictkg.exchange.exporters.acled import write_csv as acled_csv

    original = list(csv.DictReader(io.StringIO((ACLED / name).read_text("utf-8"))))
    first, second, exported = tmp_path / "first.nq", tmp_path / "second.nq", tmp_path / "exported.csv"
    assert import_csv(importer_for("acled"), ACLED / name, str(first), options=OPTIONS).problems == []
    table = acled_rows(Facts(list(_triples(first)) + list(load_ontology())))
    assert len(table) == len(original)
    exported.write_bytes(acled_csv(table))
    assert import_csv(importer_for("acled"), exported, str(second), strict=True, options=OPTIONS).problems == []

    def lines(path: Path) -> set[str]:
        found = set()
        for line in path.read_text("utf-8").splitlines():
            line = ACLED_KEY.sub("KEY", line)
            if line.endswith("<https://w3id.org/conflictkg/graph/KEY> ."):
                found.add(line)
        return found

    assert lines(first) == lines(second)
    by_id = {row["event_id_cnty"]: row for row in original}
    for row in table:
        published = by_id[row["event_id_cnty"]]
        assert row["notes"] == published["notes"]
        assert sorted(s.strip() for s in row["source"].split(";")) == sorted(s.strip() for s in published["source"].split(";"))
        for column in ("actor1", "actor2", "location", "admin1", "admin2", "admin3", "country", "geo_precision",
                       "time_precision", "event_type", "sub_event_type", "fatalities"):
            assert row[column] == published[column], (row["event_id_cnty"], column)
        if published.get("iso"):
            assert row["iso"] == published["iso"].zfill(3)
