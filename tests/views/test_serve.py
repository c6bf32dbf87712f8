"""The SPARQL endpoint of `conflictkg serve`, over real HTTP: protocol, content negotiation, safety, load."""

from __future__ import annotations

import csv
import io
import json
import socket
import statistics
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Graph

from conflictkg.queries.saved import saved_queries
from live_server import running_server

TIMEOUT = 3.0
MAX_RESULTS = 500
EVENTS = """PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label WHERE { ?event a ckg:Attack ; rdfs:label ?label } ORDER BY ?label"""
CONSTRUCT = """PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?event rdfs:label ?label } WHERE { ?event a ckg:Attack ; rdfs:label ?label }"""
ASK = "ASK { ?event a <https://w3id.org/conflictkg/ontology#Attack> }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    with running_server("--timeout", str(TIMEOUT), "--max-results", str(MAX_RESULTS), "--workers", "2") as live:
        yield live
        assert live.alive(), "the server must survive every test of this module"


# --- protocol and content negotiation ---------------------------------------------------------------


def test_select_defaults_to_sparql_json(server):
    reply = server.query(EVENTS)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/sparql-results+json")
    document = reply.json()
    assert document["head"]["vars"] == ["event", "label"]
    labels = [b["label"]["value"] for b in document["results"]["bindings"]]
    assert "Kwala attack" in labels and len(labels) == 3


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("text/html,application/xhtml+xml,text/tab-separated-values;q=0.9,*/*;q=0.8", "text/tab-separated-values"),
])
def test_select_negotiates_each_results_format(server, accept, media):
    reply = server.query(EVENTS, accept=accept)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].split(";")[0] == media
    labels = _labels(reply, media)
    assert sorted(labels) == ["2015 attack on Nara", "JNIM motorcycle suicide bombings on National Road 4 (December 2023)", "Kwala attack"]


def _labels(reply, media):
    if media == "application/sparql-results+json":
        return [b["label"]["value"] for b in reply.json()["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(reply.body)
        return [b.find("s:literal", ns).text for b in root.iterfind(".//s:binding[@name='label']", ns)]
    if media == "text/csv":
        assert reply.body.startswith(b"event,label\r\n")
        return [row["label"] for row in csv.DictReader(io.StringIO(reply.text))]
    if media == "text/tab-separated-values":
        lines = reply.text.splitlines()
        assert lines[0] == "?event\t?label"
        assert all(line.split("\t")[0].startswith("<https://") for line in lines[1:])
        return [line.split("\t")[1].rsplit("@", 1)[0].strip('"') for line in lines[1:]]
    raise AssertionError(media)


@pytest.mark.parametrize("accept, media, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("*/*", "text/turtle", "turtle"),
    ("application/n-triples,*/*;q=0.9", "application/n-triples", "nt"),
])
def test_construct_negotiates_rdf_formats(server, accept, media, rdflib_format):
    reply = server.query(CONSTRUCT, accept=accept)
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=reply.body, format=rdflib_format)
    assert len(graph) == 3


def test_ask_answers_json_and_xml_and_refuses_csv(server):
    assert server.query(ASK).json()["boolean"] is True
    assert b"<boolean>true</boolean>" in server.query(ASK, accept="application/sparql-results+xml").body
    refused = server.query(ASK, accept="text/csv")
    assert refused.status == 406 and "available" in refused.text


def test_unacceptable_media_type_is_406(server):
    for query in (EVENTS, CONSTRUCT):
        reply = server.query(query, accept="image/png")
        assert reply.status == 406
        assert "none of the requested media types" in reply.text
    assert server.query(CONSTRUCT, accept="application/sparql-results+json").status == 406


def test_format_parameter_overrides_accept_and_download_names_the_file(server):
    reply = server.query(EVENTS, accept="application/sparql-results+json", format="csv", download="events")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"] == 'attachment; filename="events.csv"'
    assert server.query(EVENTS, format="nonsense").status == 406


def test_post_form_and_post_direct_give_the_same_answer(server):
    by_get = server.query(EVENTS, accept="text/csv").body
    by_form = server.query(EVENTS, accept="text/csv", method="POST").body
    by_body = server.request("POST", "/sparql", EVENTS, {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert by_get == by_form == by_body.body


def test_queries_may_use_the_tools_prefixes_without_declaring_them(server):
    reply = server.query("SELECT ?l WHERE { kid:event/kwala-attack rdfs:label ?l }".replace("kid:event/kwala-attack", "<https://w3id.org/conflictkg/id/event/kwala-attack>"))
    assert reply.json()["results"]["bindings"][0]["l"]["value"] == "Kwala attack"
    reply = server.query("SELECT (COUNT(?e) AS ?n) WHERE { ?e a ckg:Attack }")
    assert reply.json()["results"]["bindings"][0]["n"]["value"] == "3"


# --- safety -------------------------------------------------------------------------------------------


def _attack_count(server) -> str:
    return server.query("SELECT (COUNT(?e) AS ?n) WHERE { ?e a ckg:Attack }").json()["results"]["bindings"][0]["n"]["value"]


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:x:a> a <https://w3id.org/conflictkg/ontology#Attack> }",
    "DELETE WHERE { ?e a <https://w3id.org/conflictkg/ontology#Attack> }",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/conflictkg/graph/kwala-article>",
])
def test_updates_are_refused_every_way_they_can_arrive(server, update):
    before = _attack_count(server)
    as_query = server.query(update)
    assert as_query.status == 403 and "read-only" in as_query.text
    as_form = server.request("POST", "/sparql", f"update={update}", {"Content-Type": "application/x-www-form-urlencoded"})
    assert as_form.status == 403 and "read-only" in as_form.text
    as_body = server.request("POST", "/sparql", update, {"Content-Type": "application/sparql-update"})
    assert as_body.status == 403 and "read-only" in as_body.text
    assert _attack_count(server) == before == "3"


def test_load_is_refused(server):
    reply = server.query("LOAD <http://127.0.0.1:9/evil.ttl>")
    assert reply.status == 403 and "LOAD" in reply.text


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?q ?r } } } LIMIT 1",
    "ASK { { SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } } }",
])
def test_service_is_refused(server, query):
    reply = server.query(query)
    assert reply.status == 403
    assert "SERVICE" in reply.text and "refused" in reply.text


def test_from_a_graph_the_data_set_lacks_is_refused_not_fetched(server):
    reply = server.query("SELECT * FROM <http://127.0.0.1:9/remote.ttl> WHERE { ?s ?p ?o } LIMIT 1")
    assert reply.status == 403 and "does not fetch" in reply.text
    local = server.query("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/conflictkg/graph/kwala-article> WHERE { ?s ?p ?o }")
    assert local.status == 200 and int(local.json()["results"]["bindings"][0]["n"]["value"]) > 300


def test_result_size_limit(server):
    reply = server.query("SELECT * WHERE { ?s ?p ?o }")
    assert reply.status == 413
    assert f"more than {MAX_RESULTS} rows" in reply.text and "LIMIT" in reply.text
    assert server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 10").status == 200
    graph = server.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 600")
    assert graph.status == 413 and "triples" in graph.text


def test_timeout_stops_the_query_and_the_server_carries_on(server):
    started = time.monotonic()
    reply = server.query(SLOW)
    took = time.monotonic() - started
    assert reply.status == 503
    assert f"longer than {TIMEOUT:g} s" in reply.text
    assert took < TIMEOUT + 3
    assert server.query(ASK).json()["boolean"] is True
    deadline = time.monotonic() + 60
    while server.get("/health").json()["restarts"] < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.get("/health").json()["restarts"] >= 1


@pytest.mark.parametrize("path, status, words", [
    ("/resource", 400, "name the resource"),
    ("/resource?iri=nope:x", 400, "known prefix"),
    ("/resource?iri=actor:nobody-at-all", 404, "says nothing about"),
    ("/sparql?query=%ZZ", 400, "syntax error"),
    ("/sparql?query=%FF%FE", 400, "UTF-8"),
    ("/sparql?query=SELECT&query=ASK", 400, "one query"),
    ("/sparql?query=SELEC%20*%20WHERE%20%7B%7D", 400, "syntax error"),
    ("/sparql?query=ASK%7B%7D&default-graph-uri=x", 400, "not supported"),
    ("/api/queries/no-such-query", 404, "no saved query"),
    ("/api/queries/casualty-claims?kind=not%20an%20iri", 400, "must be an IRI"),
    ("/api/queries/casualty-claims?nope=1", 400, "no parameter"),
    ("/api/queries/events-on-road-before?before=yesterday", 400, "YYYY-MM-DD"),
    ("/no/such/page", 404, ""),
])
def test_malformed_requests_get_clear_4xx_answers(server, path, status, words):
    reply = server.request("GET", path)
    assert reply.status == status, reply.text
    assert words in reply.text


def test_post_without_a_query_is_400(server):
    reply = server.request("POST", "/sparql", "", {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 400 and "no query" in reply.text


# --- what a browsing user finds: service description, resource pages, ontology, prefixes -----------


def test_get_sparql_without_a_query_is_the_service_description(server):
    reply = server.get("/sparql")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=reply.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = list(graph.query(f"""PREFIX sd: <{sd}> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?endpoint ?name ?n WHERE {{ ?s a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage sd:SPARQL11Query ;
          sd:defaultDataset/sd:namedGraph [ sd:name ?name ; sd:graph/void:triples ?n ] }}"""))
    assert {str(r.endpoint) for r in rows} == {server.url + "sparql"}
    sizes = {str(r.name): int(r.n) for r in rows}
    assert sizes["https://w3id.org/conflictkg/graph/kwala-article"] > 100
    as_jsonld = server.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.status == 200 and as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert server.get("/sparql", {"format": "ttl"}, headers={"Accept": "text/html"}).status == 200
    assert server.get("/sparql", headers={"Accept": "image/png"}).status == 406


def test_resource_page_shows_statements_claims_and_evidence(server):
    reply = server.get("/resource", {"iri": "event:kwala-attack"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "<h1>Kwala attack</h1>" in page
    assert "/resource?iri=https%3A%2F%2Fw3id.org%2Fconflictkg%2Fid%2Fclaim%2Frfi-killed" in page  # links stay local
    assert "<code>claim:rfi-killed</code>" in page  # pasteable names
    assert "between thirty and thirty-two" in page  # a claim about it, in the source's words
    assert "<h2>Evidence</h2>" in page
    by_iri = server.get("/resource", {"iri": "https://w3id.org/conflictkg/id/event/kwala-attack"})
    assert by_iri.text == page
    rfi = server.get("/resource", {"iri": "actor:rfi"}).text
    assert "Mentioned by" in rfi and "claim:rfi-killed" in rfi


def test_ontology_documentation_is_served(server):
    reply = server.get("/ontology")
    assert reply.status == 200 and "ConflictKG ontology and concept schemes" in reply.text
    assert "ckg:Claim" in reply.text or "Claim" in reply.text


def test_prefixes_are_the_data_files_own(server):
    prefixes = server.get("/api/prefixes").json()
    assert prefixes["actor"] == "https://w3id.org/conflictkg/id/actor/"
    assert prefixes["claim"] == "https://w3id.org/conflictkg/id/claim/"
    reply = server.query("SELECT ?l WHERE { actor:rfi rdfs:label ?l }")
    assert reply.json()["results"]["bindings"][0]["l"]["value"] == "RFI"
    assert "RFI" in server.query("DESCRIBE actor:rfi").text
    saved = server.get("/api/queries/casualty-claims", {"kind": "cas:wounded-or-missing"}).json()  # a name as printed
    assert [r["source"]["value"] for r in saved["results"]["bindings"]] == ["RFI"]


def test_select_star_columns_keep_the_order_of_the_text(server):
    query = "SELECT * WHERE { ?zeta a ckg:Attack ; rdfs:label ?alpha . OPTIONAL { ?zeta ckg:hasPlace ?mid } } LIMIT 3"
    heads = {tuple(server.query(query).json()["head"]["vars"]) for _ in range(6)}  # two workers, several answers
    assert heads == {("zeta", "alpha", "mid")}
    assert server.query(query, "text/csv").text.splitlines()[0] == "zeta,alpha,mid"


def test_a_port_in_use_is_a_usage_error_in_one_line(server):
    import subprocess
    import sys

    port = server.url.rstrip("/").rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-m", "conflictkg.cli", "serve", "--port", port], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0], result.stderr


def test_malformed_posts(server):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert server.request("POST", "/sparql", "query=ASK%7B%7D", {"Content-Type": "text/plain"}).status == 415
    assert server.request("POST", "/sparql", b"\xff\xfe", {"Content-Type": "application/sparql-query"}).status == 400
    big = server.request("POST", "/sparql", "query=" + "x" * 300_000, form)
    assert big.status == 413
    assert server.request("PUT", "/sparql", "x", form).status == 405
    nested = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    assert server.query(nested).status == 400
    assert server.request("POST", "/api/queries/casualty-claims", "{not json", {"Content-Type": "application/json"}).status == 400
    assert server.request("POST", "/api/queries/casualty-claims", '{"params": {"kind": ["a"]}}', {"Content-Type": "application/json"}).status == 400


def test_garbage_on_the_socket_does_not_hurt(server):
    for payload in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
                    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(40), b"POST /sparql HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
        with socket.create_connection((server.host, server.port), timeout=5) as sock:
            sock.sendall(payload)
            try:
                answer = sock.recv(200)
            except (ConnectionResetError, socket.timeout):
                answer = b""
        # a broken request gets a 4xx or a closed connection; the long header is within h11's limits
        assert answer == b"" or answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 200"))
        if payload.startswith((b"GARBAGE", b"\x16")):
            assert not answer.startswith(b"HTTP/1.1 2")
    assert server.alive()


def test_foreign_host_header_is_refused(server):
    reply = server.request("GET", "/health", headers={"Host": "attacker.example"})
    assert reply.status == 421
    assert server.request("GET", "/health", headers={"Host": f"localhost:{server.port}"}).status == 200


# --- saved queries and the page -------------------------------------------------------------------


def test_saved_queries_are_listed_with_their_parameters(server):
    listing = server.get("/api/queries").json()
    assert [q["name"] for q in listing] == sorted(saved_queries())
    casualty = next(q for q in listing if q["name"] == "casualty-claims")
    assert casualty["parameters"][0]["name"] == "kind" and casualty["parameters"][0]["type"] == "iri"
    assert casualty["title"] and "SELECT" in casualty["text"]


def test_saved_query_runs_with_parameters_bound_by_the_engine(server):
    reply = server.get("/api/queries/casualty-claims", {"kind": "ckv:casualty/wounded-or-missing"})
    rows = reply.json()["results"]["bindings"]
    assert [r["source"]["value"] for r in rows] == ["RFI"]
    by_json = server.request("POST", "/api/queries/casualty-claims", json.dumps({"params": {"kind": "ckv:casualty/killed"}}),
                             {"Content-Type": "application/json", "Accept": "text/csv"})
    assert by_json.headers["content-type"].startswith("text/csv")
    assert {row["source"] for row in csv.DictReader(io.StringIO(by_json.text))} == {"RFI", "Wikipedia", "Jama'at Nasr al-Islam wal Muslimin"}
    # a value that would change the query if it were pasted into the text is refused as not an IRI
    injected = server.get("/api/queries/casualty-claims", {"kind": "ckv:casualty/killed> . ?s ?p ?o . <urn:x"})
    assert injected.status == 400 and "must be an IRI" in injected.text


def test_saved_query_download_as_csv(server):
    reply = server.get("/api/queries/strengths", {"format": "csv", "download": "strengths"})
    assert reply.status == 200
    assert reply.headers["content-disposition"] == 'attachment; filename="strengths.csv"'
    assert reply.text.startswith("side,source,wording")


def test_query_page_and_assets_are_served_locally(server):
    page = server.get("/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "/static/vendor/yasgui/yasgui.min.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    for asset in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css", "/static/query/app.js"):
        assert server.get(asset).status == 200
    assert server.get("/static/../../pyproject.toml").status == 404
    assert set(server.get("/api/prefixes").json()) >= {"ckg", "kid", "ckv", "schema", "prov"}
    terms = server.get("/api/terms").json()
    assert "https://w3id.org/conflictkg/ontology#Attack" in terms["classes"]
    assert "https://w3id.org/conflictkg/ontology#perpetrator" in terms["properties"]


# --- load -------------------------------------------------------------------------------------------


def test_concurrent_clients(server):
    """200 queries from 20 clients at once: none fails, the server stays up (numbers in README)."""
    jobs = []
    for i in range(200):
        if i % 3 == 0:
            jobs.append(("GET", "/api/queries/casualty-claims?kind=ckv%3Acasualty%2Fkilled", None, {}))
        elif i % 3 == 1:
            jobs.append(("POST", "/sparql", EVENTS, {"Content-Type": "application/sparql-query", "Accept": "text/csv"}))
        else:
            jobs.append(("GET", "/api/queries/actors-and-affiliations", None, {"Accept": "application/sparql-results+json"}))

    def run(job):
        method, path, body, headers = job
        started = time.perf_counter()
        reply = server.request(method, path, body, headers, timeout=60)
        return reply.status, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(run, jobs))
    elapsed = time.perf_counter() - started
    statuses = [status for status, _ in results]
    latencies = sorted(latency for _, latency in results)
    print(f"\nconcurrency: {len(jobs)} queries from 20 clients in {elapsed:.2f} s = {len(jobs) / elapsed:.1f} queries/s; "
          f"latency median {statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")
    assert statuses == [200] * len(jobs)
    assert server.alive()


def test_query_workers_refuse_outgoing_connections():
    """Belt and braces under the SERVICE/LOAD refusals: a worker process cannot open a connection."""
    import subprocess
    import sys

    code = ("import socket, sys\n"
            "from conflictkg.views.endpoint import refuse_network\n"
            "refuse_network()\n"
            "try:\n"
            "    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
            "except Exception as error:\n"
            "    print(type(error).__name__, error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("NetworkRefused network access is refused"), result.stdout + result.stderr
