"""The epistemic model on the built-in article: what only one party says stays in that party's claim,
silences are never figures, corroboration names independence, one count of disagreements, and every
triple of the article is quoted or marked as the encoder's inference (docs/MODEL.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from conflictkg.exchange.evidence import EVIDENCE_GRAPH
from conflictkg.graph.namespaces import CKG, KGR, KID, OA, SCHEMA
from conflictkg.graph.parse import with_ontology
from conflictkg.inference.claim_relations import disagreements
from conflictkg.queries.saved import find_query, run_query
from conflictkg.stores.dataset import load_dataset
from conflictkg.views.report import collect, conflicts

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS.parent / "data"
CONFLICTING = TESTS / "fixtures" / "epistemic" / "conflicting-figure.trig"
ARTICLE = KGR["kwala-article"]
EP = "https://w3id.org/conflictkg/vocab/epistemic/"
ST = "https://w3id.org/conflictkg/vocab/status/"
IN_CONFLICT = URIRef("https://w3id.org/conflictkg/vocab/claim-relation/in-conflict")

# What the article attributes to one source only ("the group claimed", "Malian officials ... stated",
# "JNIM released images"), read from data/kwala-attack.txt: event -> (claim, source).
SINGLE_SOURCE_EVENTS = {
    "national-road-4-base-capture-2023-10": ("jnim-captured-base-2023-10", "jnim"),
    "malian-pursuit-of-jnim": ("malian-officials-pursuit", "malian-officials"),
    "destruction-of-jnim-bases-near-fallou": ("malian-officials-jnim-bases-destroyed", "malian-officials"),
    "kwala-taking-of-prisoners": ("jnim-prisoners", "jnim"),
}


def graph_name(graph) -> URIRef:
    return graph.identifier if hasattr(graph, "identifier") else graph


def content_graphs(dataset: Dataset) -> list:
    """The article graph and every claim assertion graph (the graphs whose triples say something about the world)."""
    assertions = set(dataset.subjects(RDF.type, CKG.ClaimAssertion))
    graphs = [g for g in dataset.graphs() if g.identifier == ARTICLE or g.identifier in assertions]
    assert len(graphs) == 1 + len(assertions)
    return graphs


@pytest.fixture(scope="module")
def with_conflict() -> Dataset:
    return load_dataset([str(CONFLICTING)], with_builtin=True)


def test_what_one_source_claims_lives_only_in_that_claims_graph(builtin_dataset):
    article = builtin_dataset.graph(ARTICLE)
    for event_name, (claim_name, source_name) in SINGLE_SOURCE_EVENTS.items():
        event, claim = KID[f"event/{event_name}"], KID[f"claim/{claim_name}"]
        assert (event, None, None) not in article, f"{event_name} is stated as fact in the article graph"
        graph = builtin_dataset.value(claim, CKG.assertionGraph)
        assert graph is not None and (claim, CKG.assertsEvent, event) in article
        content = builtin_dataset.graph(graph)
        assert (event, RDF.type, None) in content and (event, CKG.eventType, None) in content
        assert builtin_dataset.value(graph, PROV.wasAttributedTo) == KID[f"actor/{source_name}"]
        assert builtin_dataset.value(claim, PROV.wasAttributedTo) == KID[f"actor/{source_name}"]
        # the event's statements are in no other graph
        holding = {graph_name(g) for _s, _p, _o, g in builtin_dataset.quads((event, None, None, None))}
        assert holding == {graph}, (event_name, holding)
    # the bases near Fallou are known only from the officials' claim as well
    bases = KID["place/jnim-bases-near-fallou"]
    assert (bases, None, None) not in article


def test_every_claim_assertion_graph_names_its_claim_and_source(builtin_dataset):
    graphs = set(builtin_dataset.subjects(RDF.type, CKG.ClaimAssertion))
    assert len(graphs) == len(SINGLE_SOURCE_EVENTS)
    for graph in graphs:
        claim = builtin_dataset.value(graph, CKG.assertedBy)
        assert (claim, CKG.assertionGraph, graph) in builtin_dataset
        assert builtin_dataset.value(graph, PROV.wasAttributedTo) == builtin_dataset.value(claim, PROV.wasAttributedTo)


def test_figures_are_only_ever_claims(builtin_dataset):
    for graph in content_graphs(builtin_dataset):
        for prop in (SCHEMA.minValue, SCHEMA.maxValue):
            for subject in graph.subjects(prop, None):
                assert (subject, RDF.type, CKG.Claim) in builtin_dataset, subject


def test_the_timeline_road_and_sub_event_queries_say_who_says_it(builtin_dataset):
    data = with_ontology(builtin_dataset)
    for query, key, params in (("timeline", "event", {}), ("sub-events", "sub", {}), ("events-on-road-before", "event", {})):
        rows = {str(row[key]).rsplit("/", 1)[-1]: row for row in run_query(data, find_query(query), params)}
        for name, row in rows.items():
            if name in SINGLE_SOURCE_EVENTS:
                assert row["statedBy"] is None and row["claimedBy"] is not None, (query, name)
            else:
                assert str(row["statedBy"]) == "Wikipedia", (query, name)
    road = {str(row["event"]).rsplit("/", 1)[-1]: row for row in run_query(data, find_query("events-on-road-before"), {})}
    assert str(road["national-road-4-base-capture-2023-10"]["claimedBy"]) == "Jama'at Nasr al-Islam wal Muslimin"


def test_no_relation_puts_a_silence_or_an_unknown_against_a_figure(builtin_dataset, with_conflict):
    for data in (builtin_dataset, with_conflict):
        for relation in data.subjects(CKG.relationKind, IN_CONFLICT):
            for end in (data.value(relation, CKG.fromClaim), data.value(relation, CKG.toClaim)):
                assert data.value(end, CKG.claimStatus) not in (URIRef(ST + "not-reported"), URIRef(ST + "unknown"))
                assert (end, SCHEMA.minValue, None) in data or (end, SCHEMA.maxValue, None) in data
    silence = KID["claim/malian-army-casualties-not-reported"]
    assert builtin_dataset.value(silence, CKG.claimStatus) == URIRef(ST + "not-reported")
    assert (silence, CKG.epistemicStatus, URIRef(EP + "not-reported")) in builtin_dataset
    assert (KID["claim/afp-officials-no-longer-report-casualties"], CKG.explainsSilence, silence) in builtin_dataset
    for unknown in ("infobox-strength-mali", "infobox-casualties-jnim"):
        assert builtin_dataset.value(KID[f"claim/{unknown}"], CKG.claimStatus) == URIRef(ST + "unknown")
    rows = list(run_query(with_ontology(builtin_dataset), find_query("silences"), {}))
    assert sorted(str(row["gap"]) for row in rows) == ["not reported", "unknown", "unknown"]


def test_rfi_is_confirmed_by_a_party_not_independently_corroborated(builtin_dataset):
    rfi, jnim = KID["claim/rfi-killed"], KID["claim/jnim-killed"]
    statuses = set(builtin_dataset.objects(rfi, CKG.epistemicStatus))
    assert URIRef(EP + "corroborated") not in statuses
    assert URIRef(EP + "confirmed-by-party") in statuses
    justified = {builtin_dataset.value(a, CKG.justifiedBy) for a in builtin_dataset.subjects(CKG.assessedClaim, rfi)
                 if (a, CKG.epistemicStatus, URIRef(EP + "confirmed-by-party")) in builtin_dataset}
    assert justified == {jnim}
    assert URIRef(EP + "asserted-by-party") in set(builtin_dataset.objects(jnim, CKG.epistemicStatus))
    # in the whole article no claim is corroborated by an independent source
    assert not list(builtin_dataset.subjects(CKG.epistemicStatus, URIRef(EP + "corroborated")))
    # and no hand-set status says otherwise: the article's claims record only reported / not reported / unknown
    article = builtin_dataset.graph(ARTICLE)
    assert {str(o).rsplit("/", 1)[-1] for o in article.objects(None, CKG.claimStatus)} == {"reported", "not-reported", "unknown"}


def test_a_remark_weighs_on_all_its_claims_the_same_way(builtin_dataset):
    remark = KID["claim/afp-details-hard-to-corroborate"]
    weighed = set(builtin_dataset.objects(remark, CKG.limitsCorroborationOf))
    assert len(weighed) == 5
    uncorroborated = {c for c in builtin_dataset.subjects(CKG.epistemicStatus, URIRef(EP + "uncorroborated"))
                      if (c, RDF.type, CKG.Claim) in builtin_dataset}
    assert weighed == uncorroborated


def test_one_count_of_disagreements(builtin_dataset, with_conflict, run_cli):
    for data, expected in ((builtin_dataset, 0), (with_conflict, 4)):
        pairs = disagreements(data)
        assert len(pairs) == expected
        full = with_ontology(data)
        listed = {(str(r["claimA"]), str(r["claimB"])) for r in run_query(full, find_query("disagreements"), {})}
        in_conflict = {(str(r["claimA"]), str(r["claimB"])) for r in run_query(full, find_query("claims-in-conflict"), {})}
        assert listed == in_conflict == {(str(a), str(b)) for a, b in pairs}
        report = collect(data)
        report_pairs = [(row["claimA"], row["claimB"]) for row in report.disagreements]
        assert len(conflicts(list(report.claims.values()), report_pairs)) == expected
    run = run_cli("summary", "--data", str(CONFLICTING), "--with-builtin")
    assert re.search(r"Where sources disagree: 4 pair\(s\)", run.stdout), run.stdout
    # overlapping figures agree: RFI's 30-32 and JNIM's "over thirty" are consistent
    consistent = {(builtin_dataset.value(r, CKG.fromClaim), builtin_dataset.value(r, CKG.toClaim))
                  for r in builtin_dataset.subjects(CKG.derivedByRule, URIRef("https://w3id.org/conflictkg/vocab/claim-rule/overlapping-bounds"))}
    assert (KID["claim/jnim-killed"], KID["claim/rfi-killed"]) in consistent


def test_every_triple_of_the_article_is_quoted_or_marked_inferred(builtin_dataset):
    evidence = builtin_dataset.graph(EVIDENCE_GRAPH)
    quoted: set[tuple] = set()
    for annotation in evidence.subjects(RDF.type, OA.Annotation):
        body = evidence.value(annotation, OA.hasBody)
        quoted |= {(body, prop) for prop in evidence.objects(annotation, CKG.evidenceFor)}
    inferred = {
        (evidence.value(m, RDF.subject), evidence.value(m, RDF.predicate), evidence.value(m, RDF.object))
        for m in evidence.subjects(RDF.type, CKG.EncoderInference)
    }
    triples = [t for g in content_graphs(builtin_dataset) for t in g]
    assert len(triples) > 500
    missing = [t for t in triples if t not in inferred and (t[0], t[1]) not in quoted]
    assert missing == []
    # every marker names a triple the data holds, with its kind and a note
    held = set(triples)
    for marker in evidence.subjects(RDF.type, CKG.EncoderInference):
        triple = (evidence.value(marker, RDF.subject), evidence.value(marker, RDF.predicate), evidence.value(marker, RDF.object))
        assert triple in held, marker
        assert evidence.value(marker, CKG.inferenceRule) is not None and evidence.value(marker, CKG.inferenceRule)
        assert str(evidence.value(marker, PROV.wasAttributedTo)).endswith("actor/conflictkg")
    # the encoder's additions the issue names are among them
    for subject, prop in (("place/fallou", CKG.containedIn), ("place/nara", CKG.containedIn), ("place/nara", RDF.type),
                          ("place/national-road-4", CKG.containedIn), ("actor/afp", SKOS.altLabel),
                          ("actor/rfi", SKOS.altLabel), ("actor/wagner-group", RDF.type),
                          ("event/jnim-koulikoro-campaign", CKG.earliestBegin),
                          ("event/kwala-base-recapture", CKG.subEventOf)):
        assert any(t[0] == KID[subject] and t[1] == prop for t in inferred), (subject, prop)
    assert (KID["claim/afp-details-hard-to-corroborate"], CKG.limitsCorroborationOf, KID["claim/jnim-prisoners"]) in inferred


def test_evidence_shows_an_inference_not_a_quote(run_cli):
    run = run_cli("evidence", "kid:place/fallou")
    assert run.status == 0, run.stderr
    lines = run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("ckg:containedIn"))
    assert "inferred by the encoder (containment-from-context)" in lines[at + 1]
    assert "\u27e6" not in lines[at + 1]


def test_wording_is_the_sources_own_words_found_in_the_article(builtin_dataset):
    text = (DATA / "kwala-attack.txt").read_text("utf-8")
    article = builtin_dataset.graph(ARTICLE)
    for claim, wording in article.subject_objects(CKG.wording):
        assert str(wording) in text, claim
        assert not re.match(r"^(Casualties|Strength)\d:", str(wording)), claim
    # narrated claims keep their narration as evidence, not as wording
    for name in ("jnim-prisoners", "malian-army-casualties-not-reported", "malian-officials-confirm-attack"):
        assert (KID[f"claim/{name}"], CKG.wording, None) not in article
    hostages, prisoners = KID["claim/infobox-hostages"], KID["claim/jnim-prisoners"]
    assert str(article.value(hostages, CKG.casualtyKind)).endswith("/hostage")
    assert str(article.value(prisoners, CKG.casualtyKind)).endswith("/prisoner-of-war")
    assert (prisoners, SCHEMA.maxValue, None) not in article  # "images of two": at least two


def test_precedents_are_events_with_time_and_scope(builtin_dataset):
    expected = {
        "lead-first-suicide-car-bombing-since-2022": ("same-perpetrator", "2022-01-01", "2022-12-31"),
        "aftermath-first-suicide-vehicle-bombing-in-mali-since-2022-07": ("same-country", "2022-07-01", "2022-07-31"),
    }
    for name, (scope, earliest, latest) in expected.items():
        claim = KID[f"claim/{name}"]
        precedent = builtin_dataset.value(claim, CKG.precedentEvent)
        assert str(builtin_dataset.value(claim, CKG.precedentScope)).endswith(scope)
        assert builtin_dataset.value(precedent, CKG.earliestBegin) == Literal(earliest, datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
        assert str(builtin_dataset.value(precedent, CKG.latestEnd)) == latest


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_exports_mark_a_claimed_event_as_claimed(builtin_dataset):
    from conflictkg.exchange.exporters import export

    acled = {row["event_id_cnty"]: row for row in _csv_rows(export(builtin_dataset, "acled"))}
    capture = acled["ckg-national-road-4-base-capture-2023-10"]
    assert capture["notes"].startswith("Claimed by Jama'at Nasr al-Islam wal Muslimin: reported only as")
    assert not acled["ckg-kwala-attack"]["notes"].startswith("Claimed by")  # the article states the attack
    # UCDP exports events with a number of dead: give the claimed capture one (a made-up figure by a
    # made-up outlet, in memory only) and its source_original says the event is only claimed
    data = load_dataset()
    extra = data.graph(KGR["test-ucdp-hedge"])
    claim, event = KID["claim/test-capture-killed"], KID["event/national-road-4-base-capture-2023-10"]
    for p, o in ((RDF.type, CKG.Claim), (PROV.wasAttributedTo, KID["actor/rfi"]), (SCHEMA.about, event),
                 (CKG.claimKind, URIRef("https://w3id.org/conflictkg/vocab/claim-kind/casualties")),
                 (CKG.casualtyKind, URIRef("https://w3id.org/conflictkg/vocab/casualty/killed")),
                 (CKG.concernsActor, KID["actor/malian-armed-forces"]), (SCHEMA.minValue, Literal(3)), (SCHEMA.maxValue, Literal(3))):
        extra.add((claim, p, o))
    ucdp = {row["relid"]: row for row in _csv_rows(export(data, "ucdp"))}
    row = ucdp["ckg-national-road-4-base-capture-2023-10"]
    assert row["source_original"].startswith("claimed by Jama'at Nasr al-Islam wal Muslimin (not stated as fact")
    assert not ucdp["ckg-kwala-attack"]["source_original"].startswith("claimed by")


def test_a_claims_nanopublication_asserts_what_the_claim_asserts(builtin_dataset):
    from conflictkg.exchange.exporters.nanopub import claim_triples

    claim, event = KID["claim/jnim-captured-base-2023-10"], KID["event/national-road-4-base-capture-2023-10"]
    triples = claim_triples(builtin_dataset, claim)
    assert (claim, PROV.wasAttributedTo, KID["actor/jnim"]) in triples
    assert (event, CKG.perpetrator, KID["actor/jnim"]) in triples
    assert (event, CKG.earliestBegin, Literal("2023-10-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))) in triples
    # a claim of the article's own voice asserts no separate content
    assert not [t for t in claim_triples(builtin_dataset, KID["claim/rfi-killed"]) if t[0] != KID["claim/rfi-killed"]]
