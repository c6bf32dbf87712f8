"""ACLED and UCDP GED importers: real UCDP rows, constructed ACLED rows, malformed rows, output, memory.

The ACLED fixtures are CONSTRUCTED from the ACLED codebook's column layout (ACLED's terms forbid
redistributing its rows); see tests/fixtures/acled/README.md. The UCDP fixtures are real rows of
UCDP GED 19.1 and 23.1 (CC BY 4.0); see tests/fixtures/ucdp/README.md.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, PROV, RDF, RDFS, SDO, XSD

from conflictkg.checks.shapes import validate
from conflictkg.errors import InputError, UsageError
from conflictkg.exchange.importers import ImportOptions, import_csv, importer_for
from conflictkg.graph.namespaces import CKG, CKV, KGR, KID
from conflictkg.stores.dataset import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

ACLED_EXPORT = FIXTURES / "acled" / "acled-export-constructed.csv"
ACLED_API = FIXTURES / "acled" / "acled-api-constructed.csv"
UCDP_191 = FIXTURES / "ucdp" / "ged191-myanmar-bangladesh-slice.csv"
UCDP_231 = FIXTURES / "ucdp" / "ged231-sample-slice.csv"
BAD = FIXTURES / "bad-input"
NOW = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.UTC)


def imported(publisher: str, path: Path, tmp_path: Path, name: str = "out.nq", **options) -> tuple[Dataset, object]:
    out = tmp_path / name
    result = import_csv(importer_for(publisher), path, str(out), options=ImportOptions(now=NOW, **options))
    return load_dataset([str(out)]), result


def event_by_id(dataset: Dataset, identifier: str) -> URIRef:
    events = [s for s in dataset.subjects(DCTERMS.identifier, Literal(identifier)) if (s, RDF.type, CKG.Event) in dataset]
    assert len(events) == 1, events
    return events[0]


def claims_about(dataset: Dataset, event: URIRef) -> list[URIRef]:
    return sorted(dataset.subjects(SDO.about, event))


# ---------------------------------------------------------------------------
# ACLED (constructed rows)
# ---------------------------------------------------------------------------


def test_acled_kwala_row_becomes_event_places_actors_and_claim(tmp_path):
    dataset, result = imported("acled", ACLED_EXPORT, tmp_path)
    assert (result.rows_read, result.rows_imported, result.problems) == (5, 5, [])
    event = event_by_id(dataset, "MLI990001")
    assert dataset.value(event, CKG.eventType) == CKV["event-type/armed-clash"]
    assert dataset.value(event, CKG.sourceEventType) == CKV["acled/armed-clash"]
    assert dataset.value(event, CKG.beginDate) == Literal("2024-02-28", datatype=XSD.date)
    assert dataset.value(event, CKG.endDate) == Literal("2024-02-28", datatype=XSD.date)
    assert dataset.value(event, CKG.timePrecision) == CKV["precision/day"]
    assert dataset.value(event, CKG.sourceTimePrecision) == CKV["acled/time-precision/1"]
    assert dataset.value(event, CKG.locationPrecision) == CKV["acled/geo-precision/1"]

    # Place: Kwala in Kolokani in Koulikoro in Mali, with its coordinates as a WKT point.
    place = dataset.value(event, CKG.hasPlace)
    chain = [place]
    while dataset.value(chain[-1], CKG.containedIn) is not None:
        chain.append(dataset.value(chain[-1], CKG.containedIn))
    assert [str(dataset.value(p, RDFS.label)) for p in chain] == ["Kwala", "Kolokani", "Koulikoro", "Mali"]
    assert (chain[-1], RDF.type, CKG.Country) in dataset
    assert [dataset.value(p, CKG.adminLevel) for p in chain] == [None, Literal(2), Literal(1), Literal(0)]
    assert place == KID["place/acled/Mali/Koulikoro/Kolokani/Kwala"]  # the names as published
    # The row's own point is the event's geometry, not the shared place's.
    assert dataset.value(place, GEO.hasGeometry) is None
    geometry = dataset.value(event, GEO.hasGeometry)
    assert dataset.value(geometry, GEO.asWKT) == Literal("POINT(-7.9 13.9)", datatype=GEO.wktLiteral)
    assert dataset.value(geometry, PROV.wasDerivedFrom) is not None

    # Actors: a battle, so both are combatants; state forces are the armed forces of Mali.
    combatants = {str(dataset.value(a, RDFS.label)) for a in dataset.objects(event, CKG.combatant)}
    assert combatants == {"JNIM: Group for Support of Islam and Muslims", "Military Forces of Mali (2021-)"}
    army = KID["actor/acled/military-forces-of-mali-2021"]
    assert (army, RDF.type, CKG.StateArmedForce) in dataset
    assert str(dataset.value(dataset.value(army, CKG.armedForcesOf), RDFS.label)) == "Mali"

    # The figure: ACLED's claim, derived from the data set, citing the row's two sources.
    [claim] = claims_about(dataset, event)
    assert dataset.value(claim, PROV.wasAttributedTo) == KID["actor/acled"]
    assert dataset.value(claim, CKG.casualtyKind) == CKV["casualty/killed"]
    assert (dataset.value(claim, SDO.minValue), dataset.value(claim, SDO.maxValue)) == (Literal(30), Literal(30))
    cited = {str(dataset.value(a, RDFS.label)) for a in dataset.objects(claim, CKG.citesSource)}
    assert cited == {"Radio France Internationale", "Agence France-Presse"}
    assert (dataset.value(claim, PROV.wasDerivedFrom), RDF.type, CKG.DataSet) in dataset


def test_acled_time_precision_2_and_3_become_bounds(tmp_path):
    dataset, _ = imported("acled", ACLED_EXPORT, tmp_path)
    week = event_by_id(dataset, "MLI990003")  # 14 February 2024, time precision 2
    assert dataset.value(week, CKG.timePrecision) == CKV["precision/week"]
    assert dataset.value(week, CKG.referenceDate) == Literal("2024-02-14", datatype=XSD.date)
    assert dataset.value(week, CKG.earliestBegin) == Literal("2024-02-11", datatype=XSD.date)
    assert dataset.value(week, CKG.latestEnd) == Literal("2024-02-17", datatype=XSD.date)
    assert dataset.value(week, CKG.beginDate) is None
    month = event_by_id(dataset, "MLI990004")  # 15 January 2024, time precision 3
    assert dataset.value(month, CKG.timePrecision) == CKV["precision/month"]
    assert dataset.value(month, CKG.earliestBegin) == Literal("2024-01-01", datatype=XSD.date)
    assert dataset.value(month, CKG.latestEnd) == Literal("2024-01-31", datatype=XSD.date)


def test_acled_civilians_are_targets_and_associated_actors_kept(tmp_path):
    dataset, _ = imported("acled", ACLED_EXPORT, tmp_path)
    event = event_by_id(dataset, "MLI990002")  # Violence against civilians: Attack
    assert dataset.value(event, CKG.eventType) == CKV["event-type/attack-on-civilians"]
    assert str(dataset.value(dataset.value(event, CKG.target), RDFS.label)) == "Civilians (Mali)"
    assert str(dataset.value(dataset.value(event, CKG.perpetrator), RDFS.label)) == "Unidentified Armed Group (Mali)"
    others = {str(dataset.value(a, RDFS.label)) for a in dataset.objects(event, CKG.hasActor)}
    assert others == {"Farmers (Mali)", "Women (Mali)"}
    description = str(dataset.value(event, SDO.description))
    assert "\nTwo killed." in description  # the line break inside the quoted field survives


def test_acled_export_and_api_dates_give_the_same_event(tmp_path):
    export, _ = imported("acled", ACLED_EXPORT, tmp_path, "export.nq")
    api, _ = imported("acled", ACLED_API, tmp_path, "api.nq")
    a, b = event_by_id(export, "MLI990001"), event_by_id(api, "MLI990001")
    assert a != b  # each import has its own IRIs ...
    for prop in (CKG.beginDate, CKG.endDate, CKG.eventType):  # ... and the same facts
        assert export.value(a, prop) == api.value(b, prop)
    army = KID["actor/acled/military-forces-of-mali-2021"]
    assert (army, RDF.type, CKG.StateArmedForce) in api  # the inter code written as words


def test_acled_import_graph_provenance(tmp_path):
    dataset, result = imported("acled", ACLED_EXPORT, tmp_path, downloaded=dt.date(2024, 3, 5), version="export 2024-03-05")
    graph = result.graph
    assert str(graph).startswith(str(KGR["acled-"]))
    assert len(dataset.graph(graph)) > 100
    data_set = dataset.value(graph, PROV.wasDerivedFrom)
    assert (data_set, RDF.type, CKG.DataSet) in dataset
    assert dataset.value(data_set, DCTERMS.publisher) == KID["actor/acled"]
    assert dataset.value(data_set, CKG.fileName) == Literal("acled-export-constructed.csv")  # a name, no path
    assert dataset.value(data_set, CKG.downloadDate) == Literal("2024-03-05", datatype=XSD.date)
    assert dataset.value(data_set, SDO.version) == Literal("export 2024-03-05")
    assert dataset.value(data_set, CKG.rowCount) == Literal(5)
    assert dataset.value(graph, CKG.rowCount) == Literal(5)
    assert "export-tool dates" in str(dataset.value(data_set, CKG.fileLayout))
    activity = dataset.value(graph, PROV.wasGeneratedBy)
    assert dataset.value(activity, PROV.endedAtTime) == Literal("2024-03-05T12:00:00+00:00", datatype=XSD.dateTime)
    assert str(dataset.value(activity, CKG.toolVersion)).startswith("conflictkg ")
    assert dataset.value(data_set, DCTERMS.modified) is not None  # the latest row timestamp
    # Provenance sits in the default graph, the rows' triples in the import graph.
    assert (graph, PROV.wasDerivedFrom, data_set) in dataset.default_graph
    event = event_by_id(dataset, "MLI990001")
    assert (event, RDF.type, CKG.Event) in dataset.graph(graph)
    assert str(ACLED_EXPORT.parent) not in (tmp_path / "out.nq").read_text("utf-8")  # no machine path


# ---------------------------------------------------------------------------
# UCDP GED (real rows, both layouts)
# ---------------------------------------------------------------------------


def test_ucdp_191_layout_real_rows(tmp_path):
    dataset, result = imported("ucdp", UCDP_191, tmp_path)
    assert (result.rows_read, result.rows_imported, result.problems) == (18, 18, [])
    # id 209406: Government of Myanmar (Burma) vs MNDAA, 2015-05-14..15, date_prec 2, where_prec 2,
    # low 0, best 2, high 24, four sources; its source_original holds line breaks.
    event = event_by_id(dataset, "209406")
    assert dataset.value(event, CKG.eventType) == CKV["event-type/armed-clash"]
    assert dataset.value(event, CKG.sourceEventType) == CKV["ucdp/type-of-violence/1"]
    assert dataset.value(event, CKG.sourceTimePrecision) == CKV["ucdp/date-prec/2"]
    assert dataset.value(event, CKG.timePrecision) == CKV["precision/few-days"]
    assert dataset.value(event, CKG.earliestBegin) == Literal("2015-05-14", datatype=XSD.date)
    assert dataset.value(event, CKG.latestEnd) == Literal("2015-05-15", datatype=XSD.date)
    assert dataset.value(event, CKG.locationPrecision) == CKV["ucdp/where-prec/2"]
    place = dataset.value(event, CKG.hasPlace)
    assert (place, RDF.type, CKG.Town) in dataset  # "Laukkaing Town"
    labels = []
    while place is not None:
        labels.append(str(dataset.value(place, RDFS.label)))
        place = dataset.value(place, CKG.containedIn)
    assert labels == ["Laukkaing Town", "Laukkaing District", "Shan State", "Myanmar (Burma)"]
    total = KID[f"claim/{result.graph.split('/')[-1]}/209406/deaths-total"]
    assert dataset.value(total, CKG.bestEstimate) == Literal(2)
    assert (dataset.value(total, SDO.minValue), dataset.value(total, SDO.maxValue)) == (Literal(0), Literal(24))
    assert len(set(dataset.objects(total, CKG.citesSource))) == 4
    assert "Myanmar says 24 rebels killed" in str(dataset.value(total, DCTERMS.bibliographicCitation))
    assert "\n" in str(dataset.value(total, RDFS.comment))  # source_original's line breaks kept
    breakdown = {str(dataset.value(c, CKG.wording)) for c in claims_about(dataset, event)}
    assert breakdown == {"best 2, low 0, high 24", "deaths_a: 2", "deaths_b: 0", "deaths_civilians: 0", "deaths_unknown: 0"}
    data_set = dataset.value(result.graph, PROV.wasDerivedFrom)
    assert str(dataset.value(data_set, CKG.fileLayout)).startswith("UCDP GED 19.1 layout (42 columns)")
    assert dataset.value(data_set, SDO.version) == Literal("19.1")  # from the file name
    assert dataset.value(data_set, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_ucdp_231_layout_real_rows(tmp_path):
    dataset, result = imported("ucdp", UCDP_231, tmp_path)
    assert (result.rows_read, result.rows_imported, result.problems) == (19, 19, [])
    data_set = dataset.value(result.graph, PROV.wasDerivedFrom)
    assert str(dataset.value(data_set, CKG.fileLayout)).startswith("UCDP GED 23.1 layout (49 columns)")
    # id 293114: JNIM against civilians (one-sided violence), Dibilou village, 2019-07-25, exact date.
    event = event_by_id(dataset, "293114")
    assert dataset.value(event, CKG.eventType) == CKV["event-type/attack-on-civilians"]
    assert str(dataset.value(dataset.value(event, CKG.perpetrator), RDFS.label)) == "JNIM"
    assert str(dataset.value(dataset.value(event, CKG.target), RDFS.label)) == "Civilians"
    assert dataset.value(event, CKG.beginDate) == Literal("2019-07-25", datatype=XSD.date)
    assert (dataset.value(event, CKG.hasPlace), RDF.type, CKG.Village) in dataset
    relid = {str(dataset.value(i, CKG.identifierValue)) for i in dataset.objects(event, CKG.externalIdentifier)}
    assert relid == {"293114", "MLI-2019-3-15136-44"}
    # id 21300: where_prec 4, the location is the province itself (its centroid).
    event = event_by_id(dataset, "21300")
    place = dataset.value(event, CKG.hasPlace)
    assert str(dataset.value(place, RDFS.label)) == "Lunda Sul province"
    assert dataset.value(place, CKG.adminLevel) == Literal(1)
    assert dataset.value(event, GEO.hasGeometry) is not None
    # id 236880 is published with low 3, best 2, high 3: kept as published, with a note.
    event = event_by_id(dataset, "236880")
    total = next(c for c in claims_about(dataset, event) if str(c).endswith("deaths-total"))
    assert dataset.value(total, CKG.bestEstimate) == Literal(2)
    assert (dataset.value(total, SDO.minValue), dataset.value(total, SDO.maxValue)) == (Literal(3), Literal(3))
    assert (dataset.value(total, CKG.lowEstimate), dataset.value(total, CKG.highEstimate)) == (Literal(3), Literal(3))
    assert dataset.value(total, CKG.unorderedEstimates) == Literal(True)
    assert "outside the low-high range" in str(dataset.value(total, RDFS.comment))


def test_imports_conform_to_the_shapes_with_the_builtin_graph(tmp_path):
    outputs = []
    for publisher, path in (("acled", ACLED_EXPORT), ("acled", ACLED_API), ("ucdp", UCDP_191), ("ucdp", UCDP_231)):
        out = tmp_path / f"{path.stem}.nq"
        import_csv(importer_for(publisher), path, str(out))
        outputs.append(str(out))
    dataset = load_dataset(outputs, with_builtin=True)
    report = validate(dataset)
    assert report.conforms, report.text(dataset)
    # The article graph keeps its provenance next to the imports' (N-Quads inputs used to empty it).
    assert (KGR["kwala-article"], PROV.wasDerivedFrom, KID["source/wikipedia-kwala-attack"]) in dataset


# ---------------------------------------------------------------------------
# Output formats, streaming, progress
# ---------------------------------------------------------------------------


def test_trig_and_jsonld_output_hold_the_same_quads_as_nquads(tmp_path):
    quads = {}
    for suffix in ("nq", "trig", "jsonld"):
        out = tmp_path / f"out.{suffix}"
        import_csv(importer_for("acled"), ACLED_EXPORT, str(out), options=ImportOptions(now=NOW))
        dataset = load_dataset([str(out)])
        quads[suffix] = {(s, p, o, str(g)) for s, p, o, g in dataset.quads((None, None, None, None))}
    assert quads["nq"] == quads["trig"] == quads["jsonld"]


def test_output_without_named_graphs_is_refused(tmp_path):
    with pytest.raises(UsageError, match="N-Quads"):
        import_csv(importer_for("acled"), ACLED_EXPORT, str(tmp_path / "out.ttl"))
    assert not (tmp_path / "out.ttl").exists()


def test_stdout_is_nquads(tmp_path):
    out = io.BytesIO()
    result = import_csv(importer_for("ucdp"), UCDP_191, None, stdout=out)
    lines = out.getvalue().decode("utf-8").splitlines()
    assert len(lines) == result.quads
    assert all(line.endswith(" .") for line in lines)


def test_cli_import_writes_file_and_summary(run_cli, tmp_path):
    out = tmp_path / "acled.trig"
    run = run_cli("import", "acled", str(ACLED_EXPORT), "-o", str(out), "--downloaded", "2024-03-05", "--no-progress")
    assert run.status == 0, run.stderr
    assert "imported 5 of 5 rows of acled-export-constructed.csv" in run.stderr
    assert "rows/s" in run.stderr
    assert set(load_dataset([str(out)]).objects(None, CKG.downloadDate)) == {Literal("2024-03-05", datatype=XSD.date)}


def test_cli_progress_bar_on_request(run_cli, tmp_path):
    run = run_cli("import", "ucdp", str(UCDP_231), "-o", str(tmp_path / "u.nq"), "--progress")
    assert run.status == 0
    assert "ged231-sample-slice.csv" in run.stderr and "B/s" in run.stderr  # tqdm's bar
    quiet = run_cli("import", "ucdp", str(UCDP_231), "-o", str(tmp_path / "u.nq"))
    assert "B/s" not in quiet.stderr  # stderr is not a terminal under pytest


def test_cli_bad_downloaded_date_is_usage_error(run_cli, tmp_path):
    run = run_cli("import", "acled", str(ACLED_EXPORT), "-o", str(tmp_path / "x.nq"), "--downloaded", "5 March")
    assert run.status == 2
    assert "YYYY-MM-DD" in run.stderr


# ---------------------------------------------------------------------------
# Malformed input (see tests/fixtures/bad-input/)
# ---------------------------------------------------------------------------

ROW_PROBLEMS = [
    ("acled", "csv-acled-bad-number.csv", "row 2 (line 3): fatalities is not a whole number: '3O'"),
    ("acled", "csv-acled-date-unknown-format.csv", "row 1 (line 2): event_date '02/28/2024' is in neither of ACLED's date forms"),
    ("acled", "csv-acled-missing-date.csv", "row 2 (line 3): event_date is empty"),
    ("acled", "csv-acled-unknown-precision.csv", "row 1 (line 2): geo_precision '4' is not a code the codebook defines"),
    ("ucdp", "csv-ucdp-unknown-precision.csv", "row 2 (line 3): where_prec '8' is not a code the codebook defines"),
    ("ucdp", "csv-ucdp-missing-date.csv", "row 1 (line 2): date_start is empty"),
    ("ucdp", "csv-ucdp-short-row.csv", "row 2 (line 3): has 30 fields but the header has 42 columns"),
]


@pytest.mark.parametrize("publisher, name, message", ROW_PROBLEMS, ids=[c[1] for c in ROW_PROBLEMS])
def test_malformed_row_is_skipped_and_reported(run_cli, tmp_path, publisher, name, message):
    out = tmp_path / "out.nq"
    run = run_cli("import", publisher, str(BAD / name), "-o", str(out))
    assert run.status == 0
    assert "imported 1 of 2 rows" in run.stderr
    assert f"{name}: {message}" in run.stderr
    dataset = load_dataset([str(out)])
    assert len(set(dataset.subjects(RDF.type, CKG.Event)) - set(dataset.subjects(RDF.type, CKG.War))) == 1
    assert validate(dataset).conforms


@pytest.mark.parametrize("publisher, name, message", ROW_PROBLEMS, ids=[c[1] for c in ROW_PROBLEMS])
def test_malformed_row_with_strict_rejects_the_file(run_cli, tmp_path, publisher, name, message):
    out = tmp_path / "out.nq"
    out.write_text("earlier content\n")
    run = run_cli("import", publisher, str(BAD / name), "-o", str(out), "--strict")
    assert run.status == 2
    assert message in run.stderr and "--strict rejects the file" in run.stderr
    assert out.read_text() == "earlier content\n"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out.nq"]  # no temporary file left


def test_strict_on_stdout_writes_nothing(run_cli):
    run = run_cli("import", "acled", str(BAD / "csv-acled-bad-number.csv"), "--strict")
    assert run.status == 2
    assert run.stdout == ""


def test_missing_column_rejects_the_file_in_any_mode(run_cli, tmp_path):
    run = run_cli("import", "acled", str(BAD / "csv-acled-missing-column.csv"), "-o", str(tmp_path / "x.nq"))
    assert run.status == 2
    assert "lacks the column(s) fatalities" in run.stderr
    assert not (tmp_path / "x.nq").exists()


def test_the_wrong_publisher_is_named_in_the_error(tmp_path):
    with pytest.raises(InputError, match="not an ACLED export"):
        import_csv(importer_for("acled"), UCDP_191, str(tmp_path / "x.nq"))


@pytest.mark.parametrize("name", ["csv-acled-quoted-newline.csv", "csv-acled-bom.csv"])
def test_valid_csv_variants_import_fully(tmp_path, name):
    dataset, result = imported("acled", BAD / name, tmp_path)
    assert (result.rows_imported, result.problems) == (2, [])
    event = event_by_id(dataset, "MLI990001")  # the first column is found despite a byte-order mark
    if "newline" in name:
        assert "over\nthree lines" in str(dataset.value(event, SDO.description))
        assert dataset.value(event_by_id(dataset, "MLI990002"), CKG.beginDate) is not None


def test_not_utf8_is_an_input_error(tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes(ACLED_EXPORT.read_bytes().replace("Ségou".encode(), b"S\xe9gou").replace(b"Kwala", b"Kw\xe9la"))
    with pytest.raises(InputError, match="not UTF-8"):
        import_csv(importer_for("acled"), source, str(tmp_path / "x.nq"))


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_csv(importer_for("ucdp"), tmp_path / "absent.csv", str(tmp_path / "x.nq"))
