"""Places as the publisher gave them, on every real row of UCDP GED 19.1 (Myanmar, Bangladesh) and
the 23.1 sample: the named location of each row, its divisions and its own point; and rows sharing
an id are an error in both importers (ACLED rows constructed, see tests/fixtures/acled/README.md)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pyoxigraph
import pytest

from conflictkg.errors import InputError
from conflictkg.exchange.importers import ImportOptions, import_csv, importer_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GED191 = FIXTURES / "ucdp" / "ged191-myanmar-bangladesh.csv.gz"
GED231 = FIXTURES / "ucdp" / "ged231-sample.csv.gz"
ACLED_EXPORT = FIXTURES / "acled" / "acled-export-constructed.csv"
UCDP_191_SLICE = FIXTURES / "ucdp" / "ged191-myanmar-bangladesh-slice.csv"

CKG = "https://w3id.org/conflictkg/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = f"""PREFIX ckg: <{CKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def unpacked(path: Path, folder: Path) -> Path:
    target = folder / path.name.removesuffix(".gz")
    target.write_bytes(gzip.decompress(path.read_bytes()))
    return target


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[pyoxigraph.Store, dict[str, dict[str, str]]]:
    """Both real files imported and loaded into one store (as when two versions meet), and their rows."""
    folder = tmp_path_factory.mktemp("ged")
    store = pyoxigraph.Store()
    rows = {}
    for packed in (GED191, GED231):
        source = unpacked(packed, folder)
        out = folder / f"{source.stem}.nq"
        result = import_csv(importer_for("ucdp"), source, str(out), options=ImportOptions())
        assert result.problems == [] and result.rows_imported == result.rows_read
        store.bulk_load(path=str(out), format=pyoxigraph.RdfFormat.N_QUADS)
        for identifier, row in rows_of(source).items():
            rows[f"{result.graph}|{identifier}"] = row
    return store, rows


def _events(store: pyoxigraph.Store) -> dict[str, dict[str, str]]:
    query = PREFIXES + """
        SELECT ?g ?id ?placeLabel ?parentLabel ?wkt WHERE { GRAPH ?g {
            ?event a ckg:Event ; dcterms:identifier ?id ; ckg:hasPlace ?place .
            FILTER NOT EXISTS { ?event a ckg:War }
            ?place rdfs:label ?placeLabel .
            OPTIONAL { ?place ckg:containedIn/rdfs:label ?parentLabel }
            OPTIONAL { ?event geo:hasGeometry/geo:asWKT ?wkt }
        } }"""
    found = {}
    for solution in store.query(query):
        key = f"{solution['g'].value}|{solution['id'].value}"
        assert key not in found, f"{key}: more than one place, parent or point"
        found[key] = {name: (solution[name].value if solution[name] is not None else "") for name in ("placeLabel", "parentLabel", "wkt")}
    return found


def test_every_row_keeps_its_named_location_and_its_own_point(both):
    store, rows = both
    events = _events(store)
    assert len(events) == len(rows) == 3194 + 993
    for key, row in rows.items():
        found = events[key]
        named = row["where_coordinates"] or row["adm_2"] or row["adm_1"] or row["country"]
        assert found["placeLabel"] == named, (key, found, named)
        # The point is the row's, on the event: never another row's point on a shared place.
        assert _same_point(found["wkt"], row), (key, found["wkt"], row["longitude"], row["latitude"])


def _same_point(wkt: str, row: dict[str, str]) -> bool:
    lon, lat = wkt.removeprefix("POINT(").removesuffix(")").split()
    return float(lon) == float(row["longitude"]) and float(lat) == float(row["latitude"])


def test_a_township_named_as_its_district_stays_a_township(both):
    store, rows = both
    events = _events(store)
    kawkareik = [events[k] for k, row in rows.items() if row["where_coordinates"] == "Kawkareik Township"]
    assert kawkareik and all(e["parentLabel"] == "Kawkareik District" for e in kawkareik)
    grozny = [events[k] for k, row in rows.items() if row["where_coordinates"] == "Grozny"]
    assert grozny and all(e["parentLabel"] == "Grozny municipality" for e in grozny)
    # How many rows the old word-stripping rule folded into a division: they now keep their place.
    folded = [k for k, row in rows.items() if row["where_coordinates"] and row["adm_2"]
              and row["where_coordinates"] != row["adm_2"] and events[k]["placeLabel"] == row["where_coordinates"]
              and row["where_coordinates"].split()[0].lower() == row["adm_2"].split()[0].lower()]
    assert len(folded) >= 90, len(folded)


def test_no_place_carries_a_point_and_each_has_one_label_and_one_kind(both):
    store, _rows = both
    assert not store.query(PREFIXES + "ASK { GRAPH ?g { ?p ckg:hasPlace ?place } GRAPH ?h { ?place geo:hasGeometry ?x } }")
    assert store.query(PREFIXES + "ASK { GRAPH ?g { ?event ckg:hasPlace ?place ; geo:hasGeometry ?x } }")
    labels = PREFIXES + """
        SELECT ?place (COUNT(DISTINCT ?label) AS ?n) WHERE { GRAPH ?g { ?place a ?kind ; rdfs:label ?label }
          VALUES ?kind { ckg:Country ckg:Region ckg:Town ckg:Village ckg:Place } } GROUP BY ?place HAVING (COUNT(DISTINCT ?label) > 1)"""
    assert list(store.query(labels)) == []  # 19.1's "Kyaukme Township" and "Kyaukme township" are two nodes
    kinds = PREFIXES + """
        SELECT ?place WHERE { GRAPH ?g { ?place a ?one } GRAPH ?h { ?place a ?other }
          VALUES ?one { ckg:Country ckg:Region ckg:Town ckg:Village ckg:Place }
          VALUES ?other { ckg:Country ckg:Region ckg:Town ckg:Village ckg:Place } FILTER (?one != ?other) }"""
    assert list(store.query(kinds)) == []
    spellings = PREFIXES + 'SELECT ?place WHERE { GRAPH ?g { ?place rdfs:label ?l FILTER (LCASE(STR(?l)) = "kyaukme township") } }'
    assert len({s["place"] for s in store.query(spellings)}) == 2


def test_divisions_carry_their_admin_level(both):
    store, _rows = both
    query = PREFIXES + """SELECT ?level (COUNT(DISTINCT ?place) AS ?n) WHERE { GRAPH ?g { ?place ckg:adminLevel ?level } }
        GROUP BY ?level ORDER BY ?level"""
    levels = {int(s["level"].value): int(s["n"].value) for s in store.query(query)}
    assert set(levels) == {0, 1, 2} and levels[0] >= 2 and levels[2] > levels[1] > 10


# ---------------------------------------------------------------------------
# Rows that share an id
# ---------------------------------------------------------------------------


def _with_duplicate(source: Path, target: Path, column: str, copy_to: int, copy_from: int) -> tuple[int, int]:
    """`source` with row `copy_to`'s id replaced by row `copy_from`'s; returns the two rows' file lines."""
    with open(source, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records, lines = [], []
        for record in reader:
            records.append(record)
            lines.append(reader.line_num - record_lines(record) + 1)
    index = header.index(column)
    records[copy_to - 1][index] = records[copy_from - 1][index]
    with open(target, "w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows([header, *records])
    return lines[copy_from - 1], lines[copy_to - 1]


def record_lines(record: list[str]) -> int:
    return 1 + sum(value.count("\n") for value in record)


@pytest.mark.parametrize("publisher, source, column", [("ucdp", UCDP_191_SLICE, "id"), ("acled", ACLED_EXPORT, "event_id_cnty")])
def test_rows_sharing_an_id_reject_the_file(run_cli, tmp_path, publisher, source, column):
    bad = tmp_path / "shared-id.csv"
    first_line, second_line = _with_duplicate(source, bad, column, 4, 2)
    out = tmp_path / "out.nq"
    out.write_text("earlier content\n")
    for strict in ((), ("--strict",)):
        run = run_cli("import", publisher, str(bad), "-o", str(out), *strict)
        assert run.status == 2, run.stderr
        assert f"shared-id.csv: row 2 (line {first_line}) and row 4 (line {second_line}) have the same {column}" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
        assert out.read_text() == "earlier content\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nq", "shared-id.csv"]
    on_stdout = run_cli("import", publisher, str(bad))
    assert on_stdout.status == 2 and on_stdout.stdout == ""
    with pytest.raises(InputError, match="have the same"):
        import_csv(importer_for(publisher), bad, str(tmp_path / "x.nq"))
