"""The minimum contract of `conflictkg export --reasoned`, asked only in standard vocabularies."""

from __future__ import annotations

import pytest
from rdflib import Dataset

from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.serialize import serialize
from conflictkg.stores.reasoner import reasoned_dataset

PROLOGUE = """
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX ckg: <https://w3id.org/conflictkg/ontology#>
PREFIX kid: <https://w3id.org/conflictkg/id/>
"""


@pytest.fixture(scope="module")
def reasoned(builtin_dataset) -> Dataset:
    """The reasoned export, written as TriG and read back, as a user would get it."""
    text = serialize(reasoned_dataset(builtin_dataset), RdfFormat.TRIG)
    dataset = Dataset(default_union=True)
    dataset.parse(data=text.decode("utf-8"), format="trig")
    return dataset


def ask(dataset: Dataset, body: str) -> bool:
    return bool(dataset.query(PROLOGUE + body).askAnswer)


def select(dataset: Dataset, body: str) -> list:
    return list(dataset.query(PROLOGUE + body))


def test_every_event_is_a_sem_and_schema_event(reasoned):
    events = select(reasoned, "SELECT ?e WHERE { ?e a ckg:Event }")
    assert len(events) >= 10
    assert not select(reasoned, "SELECT ?e WHERE { ?e a ckg:Event FILTER NOT EXISTS { ?e a sem:Event, schema:Event } }")


def test_every_dated_event_has_a_time_in_sem_terms(reasoned):
    """Events the article dates carry SEM bounds; only those it gives no time for lack them."""
    missing = select(
        reasoned,
        """SELECT ?e WHERE { ?e a sem:Event ; ckg:timePrecision ?p
             FILTER(?p != <https://w3id.org/conflictkg/vocab/precision/unknown>)
             FILTER NOT EXISTS { ?e sem:hasBeginTimeStamp|sem:hasEarliestBeginTimeStamp|sem:hasLatestBeginTimeStamp|sem:hasLatestEndTimeStamp ?t } }""",
    )
    assert missing == []
    undated = select(reasoned, "SELECT ?e WHERE { ?e ckg:timePrecision <https://w3id.org/conflictkg/vocab/precision/unknown> }")
    assert {str(r.e).rsplit("/", 1)[1] for r in undated} == {"mali-war", "jnim-attacks-around-wagadou-forest"}


def test_the_attack_day_is_reachable_in_sem_and_schema(reasoned):
    assert ask(
        reasoned,
        """ASK { ?e a sem:Event ; rdfs:label "Kwala attack"@en ;
                   sem:hasBeginTimeStamp "2024-02-28"^^xsd:date ; sem:hasEndTimeStamp "2024-02-28"^^xsd:date ;
                   schema:startDate "2024-02-28"^^xsd:date }""",
    )


def test_the_attack_place_and_actors_are_reachable(reasoned):
    assert ask(
        reasoned,
        """ASK { ?e rdfs:label "Kwala attack"@en ; sem:hasPlace ?p ; schema:location ?p ; sem:hasActor ?jnim .
                 ?p a sem:Place, schema:Place ; schema:containedInPlace ?mali .
                 ?mali rdfs:label "Mali"@en .
                 ?jnim a sem:Actor, prov:Agent, schema:Organization ; rdfs:label ?name FILTER(CONTAINS(?name, "Nasr al-Islam")) }""",
    )


def test_containment_is_transitive_kwala_in_koulikoro_in_mali(reasoned):
    assert ask(
        reasoned,
        """ASK { ?kwala rdfs:label "Kwala"@en ; schema:containedInPlace ?region, ?mali .
                 ?region rdfs:label "Koulikoro Region"@en . ?mali rdfs:label "Mali"@en . ?mali a schema:Place }""",
    )


def test_sub_events_point_to_parents_in_sem_and_schema(reasoned):
    rows = select(
        reasoned,
        """SELECT ?sub WHERE { ?sub sem:subEventOf ?attack ; schema:superEvent ?attack .
                               ?attack rdfs:label "Kwala attack"@en }""",
    )
    assert len(rows) >= 5


def test_actors_are_sem_actors_and_prov_agents(reasoned):
    assert not select(reasoned, "SELECT ?a WHERE { ?e sem:hasActor ?a FILTER NOT EXISTS { ?a a sem:Actor, prov:Agent } }")


def test_every_claim_is_an_attributed_prov_entity_about_an_event(reasoned):
    claims = select(reasoned, "SELECT ?c WHERE { ?c a ckg:Claim }")
    assert len(claims) >= 10
    bad = select(
        reasoned,
        """SELECT ?c WHERE { ?c a ckg:Claim .
             FILTER NOT EXISTS { ?c a prov:Entity ; prov:wasAttributedTo ?agent ; schema:about ?event .
                                 ?agent a prov:Agent . ?event a sem:Event } }""",
    )
    assert bad == []
    # the source's own words, where the article gives them, are a schema:description
    assert not select(reasoned, "SELECT ?c WHERE { ?c ckg:wording ?w FILTER NOT EXISTS { ?c schema:description ?w } }")


def test_a_claim_is_about_the_event_it_asserts_and_that_event_has_its_time(reasoned):
    """What a claim asserts is reachable in standard terms: JNIM's claimed capture of October 2023
    (the claim is schema:about it; the event, in the claim's own graph, carries its SEM time bounds)."""
    rows = select(
        reasoned,
        """SELECT ?claim ?start ?end WHERE {
             ?claim ckg:assertsEvent ?event ; schema:about ?event .
             ?event a sem:Event ; sem:hasEarliestBeginTimeStamp ?start ; sem:hasLatestEndTimeStamp ?end .
             FILTER(?event = <https://w3id.org/conflictkg/id/event/national-road-4-base-capture-2023-10>) }""",
    )
    assert [(str(r.claim).rsplit("/", 1)[1], str(r.start), str(r.end)) for r in rows] == [
        ("jnim-captured-base-2023-10", "2023-10-01", "2023-10-31")
    ]
    pursuit = select(reasoned, "SELECT ?c WHERE { ?c ckg:assertsEvent ?e ; schema:about ?e . ?e schema:startDate ?d }")
    assert {str(r.c).rsplit("/", 1)[1] for r in pursuit} >= {"malian-officials-pursuit"}


def test_claim_bounds_are_integers(reasoned):
    values = select(reasoned, "SELECT ?v WHERE { ?c a ckg:Claim ; schema:minValue|schema:maxValue ?v }")
    assert values
    assert all(str(row.v.datatype) == "http://www.w3.org/2001/XMLSchema#integer" for row in values)


def test_rfi_death_toll_in_standard_terms(reasoned):
    rows = select(
        reasoned,
        """SELECT ?min ?max ?words WHERE { ?c prov:wasAttributedTo ?rfi ; schema:about ?e ;
              schema:minValue ?min ; schema:maxValue ?max ; schema:description ?words .
              ?rfi rdfs:label "RFI"@en . ?e rdfs:label "Kwala attack"@en }""",
    )
    assert [(int(r.min), int(r.max)) for r in rows] == [(30, 32)]


def test_labels_are_english(reasoned):
    assert not select(
        reasoned,
        """SELECT ?s ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } FILTER(?g != <https://w3id.org/conflictkg/graph/inferred>)
             FILTER(LANG(?l) != "en") }""",
    )
