"""The query page and the report in headless Chromium (Debian's package, driven by Playwright).

Chromium is never downloaded: Playwright launches /usr/bin/chromium (`.ci/run` installs it; set
CONFLICTKG_CHROMIUM to use another binary). Every request outside 127.0.0.1, file: and data: is
blocked and recorded, so these tests also prove that the pages need no internet. Screenshots go
to docs/screenshots/ (shown in the README) when CONFLICTKG_SCREENSHOTS=1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from live_server import running_server
from playwright.sync_api import expect, sync_playwright

from conflictkg.stores.dataset import load_dataset
from conflictkg.views.report import collect, write_report

CHROMIUM = os.environ.get("CONFLICTKG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The README's screenshots are refreshed only on request (CONFLICTKG_SCREENSHOTS=1), so that a
# test run never changes files in the checkout; otherwise they go to a temporary folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("CONFLICTKG_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="conflictkg-screenshots-"))
)
STATIC_LAYOUT = "nav, table.claims th { position: static !important; }"


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, page errors and outside requests are recorded."""

    def __init__(self, browser, downloads: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=downloads)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("file:", "data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def check_clean(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.outside == [], f"requests outside this machine: {self.outside}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def server():
    with running_server() as live:
        yield live


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    write_report(load_dataset(), folder)
    return folder


def open_query_page(watched: Watched, server) -> None:
    watched.page.goto(server.url)
    watched.page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def table_rows(page) -> list[dict[str, str]]:
    headers = [h.inner_text().strip() for h in page.locator(".yasr table.dataTable thead th").all()]
    rows = []
    for row in page.locator(".yasr table.dataTable tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows.append(dict(zip(headers[-len(cells):], cells)))
    return rows


def test_run_a_saved_query_by_clicking(browser, server):
    watched = Watched(browser)
    page = watched.page
    open_query_page(watched, server)
    page.get_by_role("button", name="Who claims what about one kind of casualty").click()
    assert "casualty-claims" not in page.locator("#editor-title").inner_text()
    assert "Who claims what" in page.locator("#editor-title").inner_text()
    kind = page.locator("#param-casualty-claims-kind")
    assert kind.input_value() == "ckv:casualty/killed"
    item = page.locator(".saved-query[data-name=casualty-claims]")
    item.get_by_role("button", name="Run").click()
    page.wait_for_selector(".yasr table.dataTable tbody tr")
    rows = table_rows(page)
    assert len(rows) == 4
    assert {row["source"] for row in rows} == {"Jama'at Nasr al-Islam wal Muslimin", "RFI", "Wikipedia"}
    rfi = next(row for row in rows if row["source"] == "RFI")
    assert rfi["wording"] == "between thirty and thirty-two Malian soldiers were killed"
    assert (rfi["min"], rfi["max"]) == ("30", "32") and "confirmed by a party" in rfi["status"]
    assert "4 rows" in page.locator("#status").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "query-page.png"))

    # another parameter value, typed in
    kind.fill("ckv:casualty/wounded-or-missing")
    item.get_by_role("button", name="Run").click()
    expect(page.locator(".yasr table.dataTable tbody tr")).to_have_count(1)
    assert table_rows(page)[0]["source"] == "RFI"
    watched.check_clean()
    watched.close()


def test_editor_highlights_completes_runs_and_downloads(browser, server):
    watched = Watched(browser, downloads=True)
    page = watched.page
    open_query_page(watched, server)
    # syntax highlighting of the default query
    assert page.locator(".CodeMirror .cm-keyword", has_text="SELECT").count() >= 1
    # prefix completion offers the tool's own prefixes, from this server
    page.evaluate("() => { window.conflictkg.yasqe.setValue(''); window.conflictkg.yasqe.focus(); }")
    page.keyboard.type("PREFIX ck", delay=30)
    page.wait_for_selector(".CodeMirror-hints")
    hints = page.locator(".CodeMirror-hint").all_inner_texts()
    assert any(h.startswith("ckg: <https://w3id.org/conflictkg/ontology#>") for h in hints), hints
    page.keyboard.press("Escape")
    # run a query from the editor by clicking its button
    query = ("PREFIX ckg: <https://w3id.org/conflictkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?event ?label WHERE { ?event a ckg:Attack ; rdfs:label ?label } ORDER BY ?label")
    page.evaluate("q => window.conflictkg.yasqe.setValue(q)", query)
    page.locator(".yasqe_queryButton").click()
    expect(page.locator(".yasr table.dataTable tbody tr")).to_have_count(3)
    labels = [row["label"] for row in table_rows(page)]
    assert labels == ["2015 attack on Nara", "JNIM motorcycle suicide bombings on National Road 4 (December 2023)", "Kwala attack"]
    # downloads
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "results.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert [r["label"] for r in rows] == labels
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    document = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert len(document["results"]["bindings"]) == 3
    # an update typed into the editor is refused with the server's message
    page.evaluate("q => window.conflictkg.yasqe.setValue(q)", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    page.locator(".yasqe_queryButton").click()
    expect(page.locator("#status")).to_contain_text("refused")
    assert "read-only" in page.locator("#results").inner_text()
    watched.errors = [e for e in watched.errors if "403" not in e]  # Chromium logs the refused request itself
    watched.check_clean()
    watched.close()


def test_names_permalinks_and_local_resource_pages(browser, server):
    """The data files' prefixes work undeclared, a run query survives a reload, results open local pages."""
    watched = Watched(browser)
    page = watched.page
    open_query_page(watched, server)
    yasqe = "window.conflictkg.yasqe"
    page.evaluate(f"q => {yasqe}.setValue(q)", "SELECT ?claim ?source WHERE { ?claim prov:wasAttributedTo actor:rfi ; prov:wasAttributedTo ?source }")
    # the editor declares the prefixes the server knows, so it flags nothing
    expect(page.locator(".CodeMirror")).to_contain_text("PREFIX actor: <https://w3id.org/conflictkg/id/actor/>")
    assert page.locator(".CodeMirror .parseErrorIcon").count() == 0
    page.locator(".yasqe_queryButton").click()
    expect(page.locator(".yasr table.dataTable tbody tr").first).to_be_visible()
    cells = page.locator(".yasr table.dataTable tbody td a").all_inner_texts()
    assert "claim:rfi-killed" in cells and "actor:rfi" in cells  # names one can paste back
    assert all(not re.match(r"^[a-z]+:[^<]*/", c) for c in cells), cells  # never kid:actor/rfi
    # a permalink: the address holds the query; a reload brings it back
    assert "query=" in page.url and "actor%3Arfi" in page.url
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert "actor:rfi" in page.evaluate(f"() => {yasqe}.getValue()")
    page.locator(".yasqe_queryButton").click()
    link = page.locator(".yasr table.dataTable tbody td a", has_text="claim:rfi-killed").first
    assert link.get_attribute("href").startswith("/resource?iri=")
    link.click()
    page.wait_for_selector("h2")
    assert page.url.startswith(server.url + "resource?iri=")
    assert "Statements" in page.locator("main").inner_text() and "actor:rfi" in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "resource-page.png"))
    # a CONSTRUCT is counted in triples
    open_query_page(watched, server)
    page.evaluate(f"q => {yasqe}.setValue(q)", "CONSTRUCT { actor:rfi rdfs:label ?l } WHERE { actor:rfi rdfs:label ?l }")
    page.locator(".yasqe_queryButton").click()
    expect(page.locator("#status")).to_contain_text("1 triple")
    watched.check_clean()
    watched.close()


def test_report_renders_map_timeline_claims_and_actors(browser, report_dir):
    watched = Watched(browser)
    page = watched.page
    page.goto((report_dir / "index.html").as_uri())
    page.add_style_tag(content=STATIC_LAYOUT)

    countries = page.locator("#map path.country")
    assert countries.count() >= 10
    mali = page.locator("#map path.country.matched").first.bounding_box()
    assert mali["width"] > 100 and mali["height"] > 100
    region = page.locator("#map path.region.matched").bounding_box()
    assert 20 < region["width"] < mali["width"]
    before = page.locator("#map").get_attribute("viewBox")
    page.locator("button[data-map=in]").click()
    assert page.locator("#map").get_attribute("viewBox") != before
    page.locator("button[data-map=reset]").click()
    assert page.locator("#map").get_attribute("viewBox") == before
    page.locator("#map-section").screenshot(path=str(SCREENSHOTS / "report-map.png"))

    bars = page.locator("#timeline-detail g.event-bar")
    assert bars.count() >= 10
    month_bar = page.locator("#timeline-detail g.event-bar[data-precision=month] rect").first
    day_bar = page.locator("#timeline-detail g.event-bar[data-precision=day] rect").first
    # drawn widths (the 1 px outline makes the boxes a little wider than the time they cover)
    assert month_bar.bounding_box()["width"] > 20 * day_bar.bounding_box()["width"]
    assert 30 <= float(month_bar.get_attribute("width")) / float(day_bar.get_attribute("width")) <= 31.5
    page.locator("#timeline-section").screenshot(path=str(SCREENSHOTS / "report-timeline.png"))

    claims = collect(load_dataset()).claims
    assert page.locator("#claims-table tbody tr").count() == len(claims)
    # the article's figures overlap (RFI's 30-32, JNIM's "over thirty"): that group agrees, none disagrees
    agree = page.locator("tbody.claim-group.agree")
    assert agree.count() >= 1
    assert "sources agree" in agree.first.inner_text()
    assert page.locator("tbody.claim-group.disagree").count() == 0
    page.locator("#claims-section").screenshot(path=str(SCREENSHOTS / "report-claims.png"))
    page.locator("#only-disagreements").check()
    assert page.locator("tbody.claim-group.single").first.is_hidden()
    assert agree.first.is_hidden()
    page.locator("#only-disagreements").uncheck()
    assert agree.first.is_visible()

    assert page.locator("#actors path.affiliation").count() >= 3
    assert page.locator("#actors path.participation").count() >= 20
    page.locator("#actors-section").screenshot(path=str(SCREENSHOTS / "report-actors.png"))
    watched.check_clean()
    watched.close()


def test_ontology_page_renders(browser, report_dir):
    watched = Watched(browser)
    page = watched.page
    page.goto((report_dir / "ontology.html").as_uri())
    assert page.locator("#t-ckg-Event h3").inner_text().startswith("event")
    page.locator("a[href='#t-ckg-Claim']").first.click()
    assert page.evaluate("location.hash") == "#t-ckg-Claim"
    page.screenshot(path=str(SCREENSHOTS / "report-ontology.png"))
    watched.check_clean()
    watched.close()


def test_report_map_with_coordinates_draws_markers(browser, tmp_path):
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "coordinates.ttl"
    write_report(load_dataset([str(fixture)], with_builtin=True), tmp_path)
    watched = Watched(browser)
    page = watched.page
    page.goto((tmp_path / "index.html").as_uri())
    page.add_style_tag(content=STATIC_LAYOUT)
    markers = page.locator("#map circle.marker")
    assert markers.count() == 3
    frame = page.locator("#map").bounding_box()
    for index in range(markers.count()):
        box = markers.nth(index).bounding_box()
        assert frame["x"] <= box["x"] <= frame["x"] + frame["width"] and frame["y"] <= box["y"] <= frame["y"] + frame["height"]
    assert page.locator("#map text.marker-label", has_text="Nara").count() == 1
    page.locator("#map-section .figure").first.screenshot(path=str(SCREENSHOTS / "report-map-coordinates.png"))
    watched.check_clean()
    watched.close()


# --- the report at real size: merged data, 10,000 events, a phone's width ---------------------------

WIDTHS = (1280, 390)
KWALA = "https://w3id.org/conflictkg/id/event/kwala-attack"


@pytest.fixture(scope="module")
def merged_report(tmp_path_factory):
    """The report of the built-in graph merged with ACLED and UCDP rows, made with the command line."""
    from conflictkg.cli import main

    work = tmp_path_factory.mktemp("merged")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    steps = [
        ["import", "acled", str(fixtures / "acled" / "acled-export-constructed.csv"), "-o", str(work / "acled.trig"), "--no-progress"],
        ["import", "ucdp", str(fixtures / "ucdp" / "ged191-myanmar-bangladesh-slice.csv"), "-o", str(work / "ucdp.trig"), "--no-progress"],
        ["merge", "--with-builtin", str(work / "acled.trig"), str(work / "ucdp.trig"), "-o", str(work / "merged.trig"),
         "-r", str(work / "merge-report.txt")],
        ["report", "--data", str(work / "merged.trig"), "-o", str(work / "report")],
    ]
    for step in steps:
        assert main(step) == 0, step
    return work / "report"


@pytest.fixture(scope="module")
def generated_report(tmp_path_factory):
    """The report of 10,000 generated events (the data set parsed once; the report's own work timed)."""
    import time

    from conflictkg.exchange.generate import write_generated
    from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
    from conflictkg.graph.parse import load_ontology, new_dataset
    from conflictkg.stores import OxigraphStore

    work = tmp_path_factory.mktemp("generated")
    write_generated(work / "events.nq", 10_000, seed=1)
    store = OxigraphStore()  # in memory; read in place by the report, as `report --store oxigraph:PATH` does
    store.load_files([str(work / "events.nq")])
    ontology = new_dataset()
    ontology.graph(ONTOLOGY_GRAPH).__iadd__(load_ontology())
    store.load_dataset(ontology)
    started = time.monotonic()
    write_report(store, work / "report")
    print(f"report of 10,000 generated events ({store.size()} quads): {time.monotonic() - started:.1f} s, "
          f"{(work / 'report' / 'index.html').stat().st_size / 1e6:.1f} MB")
    store.close()
    return work / "report"


def open_report(browser, folder: Path, width: int) -> Watched:
    watched = Watched(browser)
    watched.page.set_viewport_size({"width": width, "height": 900})
    watched.page.goto((folder / "index.html").as_uri())
    watched.page.wait_for_selector("#explore-table tbody tr", timeout=30_000)
    watched.page.add_style_tag(content=STATIC_LAYOUT)  # no sticky bar over the screenshots
    return watched


def no_horizontal_overflow(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at a {width} px window"


def explorer_count(page) -> tuple[int, int]:
    words = page.locator("#explore-count").inner_text().split()
    return int(words[0]), int(words[2])


def dots_lie_on_the_base_map(page) -> None:
    """Every dot of the map is within reach of a drawn country (the base map is drawn where the dots are)."""
    far = page.evaluate("""() => {
        const boxes = [...document.querySelectorAll('#map path.country')].map(p => p.getBBox());
        return [...document.querySelectorAll('#map circle')].filter(c => {
            const x = +c.getAttribute('cx'), y = +c.getAttribute('cy');
            return !boxes.some(b => x >= b.x - 60 && x <= b.x + b.width + 60 && y >= b.y - 60 && y <= b.y + b.height + 60);
        }).length; }""")
    assert far == 0, f"{far} dots lie where no country is drawn"


@pytest.mark.parametrize("width", WIDTHS)
def test_report_of_the_builtin_graph_at_each_width(browser, report_dir, width):
    watched = open_report(browser, report_dir, width)
    page = watched.page
    no_horizontal_overflow(page, width)
    assert page.locator("#map path.country").count() >= 10
    shown, total = explorer_count(page)
    assert shown == total == len(collect(load_dataset()).events)
    # the timeline puts the car bombing that opened the attack before the seizure of the camp (ckg:after)
    labels = [t.strip().lstrip("↳ ") for t in page.locator("#timeline-overview text.row-label").all_text_contents()]
    def row(words: str) -> int:
        return next(i for i, label in enumerate(labels) if label.startswith(words))

    assert row("Suicide car bombing") < row("Seizure of the Kwala camp")
    if width == 390:
        page.screenshot(path=str(SCREENSHOTS / "report-phone.png"))
    watched.check_clean()
    watched.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_report_of_merged_data_shows_merged_events_once(browser, merged_report, width):
    watched = open_report(browser, merged_report, width)
    page = watched.page
    no_horizontal_overflow(page, width)
    dots_lie_on_the_base_map(page)
    assert page.locator("#map circle.marker.event").count() >= 10  # Myanmar and Bangladesh, Kwala from ACLED's point
    assert page.locator("#map g.markers title", has_text="Kwala").count() >= 1
    # linked places shown once: one Kwala and one Mali in the place hierarchy
    tree = page.locator("#place-tree text.tree-label").all_text_contents()
    assert sum(1 for t in tree if t.startswith("Kwala ")) == 1 and sum(1 for t in tree if t.startswith("Mali ")) == 1
    # the Kwala attack is one entry with ACLED's, JNIM's, RFI's and Wikipedia's figures side by side
    page.locator("#f-country").select_option(label="Mali")
    row = page.locator(f"#explore-table tr[data-entry='{KWALA}']")
    expect(row).to_have_count(1)
    text = row.inner_text()
    for source in ("ACLED", "RFI", "Jama'at Nasr al-Islam wal Muslimin", "Wikipedia"):
        assert source in text, source
    assert "30–32" in text and "= 2 records" in text
    row.locator("details summary").click()
    details = row.locator("details").inner_text()
    assert "Linked as the same" in details and "2024-02-28" in details
    if width == 1280:
        page.locator("#explore-section").screenshot(path=str(SCREENSHOTS / "report-merged.png"))
        page.locator("#map-section .figure").first.screenshot(path=str(SCREENSHOTS / "report-map-world.png"))
    # filters change what is shown. ACLED's 30 (all fatalities) is not set against JNIM's "over thirty"
    # (Malian soldiers): not the same quantity, so the entry is not marked as a disagreement
    page.locator("#f-country").select_option(value="")
    assert page.locator(f"#explore-table tr[data-entry='{KWALA}'].disagree").count() == 0
    page.locator("#f-disagree").check()
    flagged = page.evaluate("JSON.parse(document.getElementById('explore-data').textContent).entries.filter(e => e.x).length")
    assert explorer_count(page)[0] == flagged
    page.locator("#f-disagree").uncheck()
    page.locator("#f-country").select_option(label="Bangladesh")
    shown, total = explorer_count(page)
    assert 0 < shown < total
    assert all("Bangladesh" in t for t in page.locator("#explore-table td.place").all_inner_texts())
    watched.check_clean()
    watched.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_report_of_ten_thousand_events(browser, generated_report, width):
    size = (generated_report / "index.html").stat().st_size
    assert size < 6_000_000, f"the page is {size} bytes"
    watched = open_report(browser, generated_report, width)
    page = watched.page
    no_horizontal_overflow(page, width)
    assert page.locator("#map path.country.matched").count() >= 3  # Mali, Niger, ... shaded where the events are
    shown, total = explorer_count(page)
    assert shown == total >= 10_000
    assert page.locator("#explore-table tbody tr").count() == 25  # a page at a time
    assert page.locator("#chart rect.count-bar").count() >= 10 and page.locator("#chart polyline.deaths-line").count() >= 1
    page.locator("#f-disagree").check()
    disagreeing, _ = explorer_count(page)
    assert disagreeing == page.evaluate("JSON.parse(document.getElementById('explore-data').textContent).entries.filter(e => e.x).length")
    page.locator("#f-disagree").uncheck()
    page.locator("#f-from").fill("2020-01-01")
    page.locator("#f-to").fill("2020-12-31")
    page.locator("#f-to").dispatch_event("change")
    in_2020, _ = explorer_count(page)
    assert 0 < in_2020 < total
    assert all("2020" in t for t in page.locator("#explore-table td.date").all_inner_texts())
    page.locator("#f-source").select_option(index=1)
    assert explorer_count(page)[0] < in_2020
    page.locator("#p-next").click()
    assert "page 2 of" in page.locator("#p-info").inner_text() or page.locator("#p-next").is_disabled()
    if width == 1280:
        page.locator("#f-clear").click()
        page.locator("#explore-section").screenshot(path=str(SCREENSHOTS / "report-10000-events.png"))
    watched.check_clean()
    watched.close()
