"""`conflictkg report`: the static HTML report's map, timeline, claims table, actors picture and ontology docs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.parse import load_ontology
from conflictkg.graph.namespaces import CKG
from conflictkg.views.report import collect, parse_point, safe_href, write_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "report"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    write_report(load_dataset(), folder)
    return folder, (folder / "index.html").read_text("utf-8")


def svg(html: str, element_id: str) -> ET.Element:
    """One SVG of the page, parsed as XML (so it must be well-formed)."""
    match = re.search(rf'<svg id="{element_id}".*?</svg>', html, re.S)
    assert match, f"no svg#{element_id}"
    return ET.fromstring(match.group(0))


def test_cli_writes_both_pages(run_cli, tmp_path):
    result = run_cli("report", "-o", str(tmp_path / "out"))
    assert result.status == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "ontology.html").is_file()
    assert "index.html" in result.stdout
    (tmp_path / "file").write_text("x")
    refused = run_cli("report", "-o", str(tmp_path / "file"))
    assert refused.status == 2 and "not a folder" in refused.stderr


def test_report_needs_nothing_from_the_network(report):
    folder, html = report
    for page in (html, (folder / "ontology.html").read_text("utf-8")):
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="https?:', page)
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_map_draws_the_base_map_and_shades_the_named_region(report):
    _folder, html = report
    drawing = svg(html, "map")
    countries = {p.findtext(f"{SVG}title") for p in drawing.iter(f"{SVG}path") if "country" in p.get("class", "")}
    assert {"Mali", "Mauritania", "Burkina Faso", "Niger"} <= countries
    matched = [p.findtext(f"{SVG}title") for p in drawing.iter(f"{SVG}path") if p.get("class") == "region matched"]
    assert matched == ["Koulikoro"]
    assert not list(drawing.iter(f"{SVG}circle")), "the built-in data has no coordinates, so no markers"
    assert "has no coordinates" in html


def test_place_hierarchy_is_drawn(report):
    _folder, html = report
    tree = svg(html, "place-tree")
    labels = [t.text for t in tree.iter(f"{SVG}text") if t.get("class") == "tree-label" and t.text]
    assert labels.index("Mali") < labels.index("Koulikoro Region") < labels.index("Kwala") < labels.index("Malian military camp in Kwala")
    xs = {t.text: float(t.get("x")) for t in tree.iter(f"{SVG}text") if t.get("class") == "tree-label" and t.text}
    assert xs["Mali"] < xs["Koulikoro Region"] < xs["Kwala"] < xs["Malian military camp in Kwala"]


def test_map_places_markers_from_coordinates(tmp_path):
    dataset = load_dataset([str(FIXTURES / "coordinates.ttl")], with_builtin=True)
    data = collect(dataset)
    assert data.places["https://w3id.org/conflictkg/id/place/nara"].point == (-7.29, 15.17)
    assert data.places["https://w3id.org/conflictkg/id/place/test-segou"].point == (-6.26, 13.45)  # EPSG:4326 is lat lon
    write_report(dataset, tmp_path)
    drawing = svg((tmp_path / "index.html").read_text("utf-8"), "map")
    circles = list(drawing.iter(f"{SVG}circle"))
    assert len(circles) == 3  # Nara, Ségou, and the camp inside Ségou placed at the town (hollow)
    classes = sorted(c.get("class") for c in circles)
    # all three have events (Nara's 2015 attack; the test attack at the camp, counted for the town too)
    assert classes == ["marker event", "marker event", "marker event approximate"]
    width = float(drawing.get("width"))
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= width


def test_timeline_draws_a_month_as_a_month_and_a_day_as_a_day(report):
    _folder, html = report
    detail = svg(html, "timeline-detail")
    widths = {}
    for group in detail.iter(f"{SVG}g"):
        if group.get("class") == "event-bar":
            title = group.findtext(f"{SVG}title")
            rect = group.find(f"{SVG}rect")
            widths[title.split(" — ")[0]] = (group.get("data-precision"), float(rect.get("width")))
    month_precision, month = widths["Claimed capture of a Malian and Wagner Group base on National Road 4 (October 2023)"]
    day_precision, day = widths["Kwala attack"]
    assert (month_precision, day_precision) == ("month", "day")
    assert 30 <= month / day <= 32, (month, day)
    december = widths["JNIM motorcycle suicide bombings on National Road 4 (December 2023)"][1]
    assert abs(december - month) < 0.05 * month
    overview = svg(html, "timeline-overview")
    labels = [t.text.lstrip("↳ ") for t in overview.iter(f"{SVG}text") if "row-label" in (t.get("class") or "")]
    # sub-events come right under their event, indented
    assert labels.index("Kwala attack") < labels.index("Raid on the Kwala base")
    assert "Mali War" in labels and "no date given" in html


def test_events_only_claimed_are_shown_as_claims_on_the_timeline_and_in_the_explorer(report):
    """The four events the article reports only as a party's claim never read as facts."""
    _folder, html = report
    data = collect(load_dataset())
    claimed = {data.label(e.iri): e.claimed_by for e in data.events.values() if e.claimed_by}
    assert claimed == {
        "Claimed capture of a Malian and Wagner Group base on National Road 4 (October 2023)": "Jama'at Nasr al-Islam wal Muslimin",
        "Taking of Malian prisoners in the Kwala attack": "Jama'at Nasr al-Islam wal Muslimin",
        "Malian pursuit of the jihadists after the Kwala attack": "Malian officials",
        "Destruction of JNIM bases near Fallou": "Malian officials",
    }
    overview = svg(html, "timeline-overview")
    seen = [(t.findtext(f"{SVG}title") or "", t.text or "") for t in overview.iter(f"{SVG}text") if "row-label" in (t.get("class") or "")]
    pursuit = [(title, text) for title, text in seen if "pursuit" in text]
    assert pursuit == [("claimed by Malian officials: Malian pursuit of the jihadists after the Kwala attack", pursuit[0][1])]
    assert pursuit[0][1].lstrip("↳ ").startswith("claimed: Malian pursuit")
    assert all(not text.lstrip("↳ ").startswith(("Destruction of JNIM bases", "Malian pursuit")) for _title, text in seen)
    assert '"n":"claimed by Malian officials: Destruction of JNIM bases near Fallou"' in html
    assert '"n":"Kwala attack"' in html


def test_claims_table_lists_every_claim_and_marks_the_disagreement(report):
    _folder, html = report
    data = collect(load_dataset())
    for iri in data.claims:
        assert f'data-claim="{iri}"' in html
    # the army's silence is not a figure: its group (RFI's 30-32 and JNIM's "over thirty") agrees
    group = re.search(r'<tbody class="claim-group (\w+)"[^>]*>(?:(?!</tbody>).)*data-claim="https://w3id.org/conflictkg/id/claim/malian-army-casualties-not-reported"', html, re.S)
    assert group and group.group(1) == "agree"
    assert '<tr class="conflict"' not in html
    assert "0 pair(s) of claims disagree" in html
    rfi = re.search(r'data-claim="https://w3id.org/conflictkg/id/claim/rfi-killed">(.*?)</tr>', html, re.S).group(1)
    assert "between thirty and thirty-two" in rfi and ">30<" in rfi and ">32<" in rfi
    assert "local medical and civilian sources" in rfi
    # the status shown is the claim's one standing from the derived statuses: JNIM, a party, agrees
    assert data.claims["https://w3id.org/conflictkg/id/claim/rfi-killed"].standing.startswith("one source, confirmed by a party")
    assert ">one source, confirmed by a party" in rfi
    assert data.claims["https://w3id.org/conflictkg/id/claim/jnim-captured-base-2023-10"].standing.startswith("one party's claim")


def test_actor_picture_shows_affiliations_and_participation(report):
    _folder, html = report
    drawing = svg(html, "actors")
    titles = [p.findtext(f"{SVG}title") for p in drawing.iter(f"{SVG}path") if p.findtext(f"{SVG}title")]
    assert "Jama'at Nasr al-Islam wal Muslimin — affiliate of — al-Qaeda" in titles
    assert "Malian armed forces — armed forces of — Mali" in titles
    assert "Jama'at Nasr al-Islam wal Muslimin — perpetrator — Kwala attack" in titles
    assert "Malian armed forces — target — Kwala attack" in titles


def test_entities_link_to_their_iris(report):
    _folder, html = report
    for iri in ("https://w3id.org/conflictkg/id/event/kwala-attack", "https://w3id.org/conflictkg/id/actor/rfi",
                "https://w3id.org/conflictkg/id/place/kwala", "https://w3id.org/conflictkg/id/claim/jnim-killed"):
        assert f'href="{iri}"' in html


def test_ontology_page_documents_every_class_property_and_scheme(report):
    folder, _html = report
    page = (folder / "ontology.html").read_text("utf-8")
    ontology: Graph = load_ontology()
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(str(CKG)):
            assert f'id="t-ckg-{str(cls)[len(str(CKG)):]}"' in page, cls
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        if str(prop).startswith(str(CKG)):
            assert f'id="t-ckg-{str(prop)[len(str(CKG)):]}"' in page, prop
    assert "ConflictKG event types" in page and "suicide vehicle bombing" in page


def test_hostile_labels_and_iris_are_escaped(tmp_path):
    dataset = load_dataset([str(FIXTURES / "hostile.ttl")], with_builtin=True)
    write_report(dataset, tmp_path)
    html = (tmp_path / "index.html").read_text("utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'onmouseover="alert' not in html
    svg(html, "actors")  # still well-formed
    svg(html, "timeline-overview")


@pytest.mark.parametrize("wkt, point", [
    ("POINT(-7.29 15.17)", (-7.29, 15.17)),
    ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> Point(2.5 48.1)", (2.5, 48.1)),
    ("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(15.17 -7.29)", (-7.29, 15.17)),
    ("POINT Z(1 2 3)", (1.0, 2.0)),
    ("LINESTRING(0 0, 1 1)", None),
    ("POINT(200 95)", None),
])
def test_parse_point(wkt, point):
    assert parse_point(wkt) == point


def test_safe_href():
    assert safe_href("https://w3id.org/x") == "https://w3id.org/x"
    assert safe_href("urn:uuid:1") == "urn:uuid:1"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,x") is None
    assert safe_href('https://x/"onclick=') is None


def test_report_queries_are_shipped_apart_from_the_saved_queries():
    from conflictkg.queries.saved import saved_queries
    from conflictkg.views.report import report_query

    names = ("labels", "events", "event-times", "links", "places", "claims", "actors")
    for name in names:
        query = report_query(name)
        assert query.title.startswith("Report:") and "SELECT" in query.text
    assert not any(name.startswith("report") for name in saved_queries())


def test_many_places_are_clustered_and_dots_grow_with_deaths(tmp_path):
    """600 places with coordinates (a grid over Mali and Niger): nearby ones share a dot; more deaths, bigger dots."""
    lines = ["@prefix ckg: <https://w3id.org/conflictkg/ontology#> .", "@prefix geo: <http://www.opengis.net/ont/geosparql#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .", "@prefix schema: <https://schema.org/> .",
             "@prefix prov: <http://www.w3.org/ns/prov#> .", "@prefix x: <https://example.org/> ."]
    for i in range(600):
        lon, lat = -10 + (i % 50) * 0.5, 11 + (i // 50) * 0.3
        dead = 200 if i < 50 else 1
        lines.append(f'x:p{i} a ckg:Place ; rdfs:label "P{i}" ; geo:hasGeometry [ geo:asWKT "POINT({lon} {lat})"^^geo:wktLiteral ] .')
        lines.append(f'x:e{i} a ckg:Attack ; rdfs:label "E{i}" ; ckg:hasPlace x:p{i} ; ckg:beginDate "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .')
        lines.append(f'x:c{i} a ckg:Claim ; schema:about x:e{i} ; prov:wasAttributedTo x:s ; '
                     f'ckg:casualtyKind <https://w3id.org/conflictkg/vocab/casualty/killed> ; schema:minValue {dead} ; schema:maxValue {dead} .')
    source = tmp_path / "many.ttl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from conflictkg.graph.parse import new_dataset, parse_into, source_for

    dataset = new_dataset()
    parse_into(dataset, source_for(str(source), None))
    write_report(dataset, tmp_path / "out")
    drawing = svg((tmp_path / "out" / "index.html").read_text("utf-8"), "map")
    dots = [c for c in drawing.iter(f"{SVG}circle") if "cluster" in (c.get("class") or "")]
    assert 10 < len(dots) < 600
    assert sum(int(c.get("data-places")) for c in dots) == 600  # every place is in one dot
    assert sum(int(c.get("data-deaths")) for c in dots) == 50 * 200 + 550
    heavy = max(dots, key=lambda c: int(c.get("data-deaths")) / int(c.get("data-places")))
    light = min(dots, key=lambda c: int(c.get("data-deaths")) / int(c.get("data-places")))
    assert float(heavy.get("r")) > float(light.get("r"))
