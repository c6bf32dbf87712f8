"""Every node of the article graph is tied to the article's words, and every quote is found again, once."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from conflictkg.errors import UsageError
from conflictkg.exchange.evidence import (
    EVIDENCE_GRAPH,
    Quote,
    check_quotes,
    evidence_in,
    find_quote,
    node_evidence,
    quote_at,
    resolve_node,
    section_at,
    sentence_at,
)
from conflictkg.graph.parse import load_ontology
from conflictkg.graph.namespaces import CKG, KGR, KID, OA
from conflictkg.graph.resources import resource_file

ARTICLE_GRAPH = KGR["kwala-article"]
ARTICLE = KID["source/wikipedia-kwala-attack"]


@pytest.fixture(scope="module")
def text() -> str:
    return resource_file("data", "kwala-attack.txt").read_text("utf-8")


def _article_nodes(dataset, cls):
    graph = dataset.graph(ARTICLE_GRAPH)
    classes = set(load_ontology().transitive_subjects(RDFS.subClassOf, cls))
    return sorted({s for c in classes for s in graph.subjects(RDF.type, c)}, key=str)


def test_the_shipped_text_is_the_one_its_sidecar_describes(text):
    sidecar = resource_file("data", "kwala-attack.md").read_text("utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert digest in sidecar
    assert f"{len(text.encode('utf-8'))} bytes" in sidecar
    assert "CC BY-SA 4.0" in sidecar
    assert "no URL, no revision" in sidecar


def test_every_quote_is_found_exactly_once_in_the_shipped_text(builtin_dataset, text):
    checks = check_quotes(builtin_dataset)
    assert len(checks) >= 100
    for check in checks:
        assert check.evidence.source == ARTICLE
        quote = check.evidence.quote
        assert quote.exact and quote.prefix and quote.suffix, check.evidence.annotation
        assert len(find_quote(text, quote)) == 1, (check.evidence.annotation, quote)
        assert check.ok


def test_every_claim_has_a_quote(builtin_dataset):
    quoted = {e.body for e in evidence_in(builtin_dataset)}
    claims = _article_nodes(builtin_dataset, CKG.Claim)
    assert len(claims) == 21
    assert [c for c in claims if c not in quoted] == []


@pytest.mark.parametrize("cls", [CKG.Event, CKG.Actor, CKG.Place], ids=["events", "actors", "places"])
def test_every_event_actor_and_place_has_a_quote_or_says_why_not(builtin_dataset, cls):
    quoted = {e.body for e in evidence_in(builtin_dataset)}
    nodes = _article_nodes(builtin_dataset, cls)
    assert len(nodes) >= 9
    missing = [n for n in nodes if n not in quoted and builtin_dataset.value(n, CKG.unquotedBecause) is None]
    assert missing == []


def test_only_the_publisher_is_unquoted(builtin_dataset):
    unquoted = set(builtin_dataset.subjects(CKG.unquotedBecause, None))
    assert unquoted == {KID["actor/wikipedia"]}


def test_a_quote_for_a_property_is_about_a_property_the_node_has(builtin_dataset):
    for item in evidence_in(builtin_dataset):
        for prop in item.properties:
            assert next(iter(builtin_dataset.triples((item.body, prop, None))), None) is not None, (item.annotation, prop)


def test_evidence_lives_in_its_own_graph_with_provenance(builtin_dataset):
    graph = builtin_dataset.graph(EVIDENCE_GRAPH)
    annotations = set(graph.subjects(RDF.type, OA.Annotation))
    assert len(annotations) >= 100
    assert not set(builtin_dataset.graph(ARTICLE_GRAPH).subjects(RDF.type, OA.Annotation))
    prov = URIRef("http://www.w3.org/ns/prov#")
    assert (EVIDENCE_GRAPH, URIRef(prov + "wasDerivedFrom"), ARTICLE) in builtin_dataset


def test_the_quotes_still_resolve_in_a_corrected_article(builtin_dataset, text):
    """Quotes, not offsets: a sentence added near the top shifts every offset, not one quote."""
    corrected = text.replace("Infobox\n", "Infobox\n- Note: a line added by a later revision\n", 1)
    corrected = corrected.replace("== Background ==\n", "== Background ==\nA sentence added by a later revision.\n", 1)
    for item in evidence_in(builtin_dataset):
        assert len(find_quote(corrected, item.quote)) == 1, item.annotation


def test_find_quote_uses_prefix_and_suffix():
    text = "Mali and Mali and Mali."
    assert find_quote(text, Quote("Mali")) == [0, 9, 18]
    assert find_quote(text, Quote("Mali", prefix="and ", suffix=" and")) == [9]
    assert find_quote(text, Quote("Mali", suffix=".")) == [18]
    assert find_quote(text, Quote("Niger")) == []


def test_quote_at_keeps_context_on_the_line_and_widens_when_needed():
    text = "- Combatant1: Mali\n- Combatant2: JNIM\n"
    assert quote_at(text, text.index("Mali"), text.index("Mali") + 4) == Quote("Mali", "- Combatant1: ", "\n")
    assert quote_at(text, text.index("JNIM"), text.index("JNIM") + 4) == Quote("JNIM", "\n- Combatant2: ", "\n")
    repeated = "x. Over thirty. y. Over thirty. y. Over thirty."
    start = repeated.index("Over thirty", 20)
    quote = quote_at(repeated, start, start + len("Over thirty"), width=4)
    assert find_quote(repeated, quote) == [start]


def test_sentence_and_section_of_a_quote(text):
    start = text.index("between thirty and thirty-two")
    sentence = sentence_at(text, start, start + 10)
    assert sentence.startswith("RFI, citing local medical and civilian sources")
    assert sentence.endswith("were killed.")
    assert section_at(text, start) == "Aftermath"
    assert section_at(text, text.index("100+ fighters")) == "infobox"
    assert sentence_at(text, text.index("100+ fighters"), text.index("100+ fighters") + 3) == "Strength2: 100+ fighters"
    assert section_at(text, text.index("Over thirty Malian soldiers")) == "lead"
    assert section_at(text, text.index("The attack began")) == "Attack"
    assert section_at(text, 2) == "title"


@pytest.mark.parametrize(
    ("name", "iri"),
    [
        ("kid:claim/rfi-killed", "claim/rfi-killed"),
        ("claim:rfi-killed", "claim/rfi-killed"),
        ("<https://w3id.org/conflictkg/id/claim/rfi-killed>", "claim/rfi-killed"),
        ("https://w3id.org/conflictkg/id/event/kwala-attack", "event/kwala-attack"),
        ("Kwala attack", "event/kwala-attack"),  # the event's rdfs:label wins over the article's dcterms:title
        ("jnim", "actor/jnim"),  # an alternative name, any case
        ("RFI: 30 to 32 Malian soldiers killed", "claim/rfi-killed"),
    ],
)
def test_resolve_node(builtin_dataset, name, iri):
    assert resolve_node(builtin_dataset, name) == KID[iri]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Mali", "2 nodes are called 'Mali': actor:mali, place:mali"),
        ("Kwalla attack", "did you mean 'Kwala attack'"),
        ("kid:claim/nothing", "no statements about"),
        ("", "name a node"),
    ],
)
def test_resolve_node_refuses_unknown_and_ambiguous_names(builtin_dataset, name, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_node(builtin_dataset, name)


def test_node_evidence_puts_the_specific_quote_under_each_statement(builtin_dataset):
    found = node_evidence(builtin_dataset, KID["event/kwala-attack"])
    by_statement = {(str(s.predicate).rsplit("#", 1)[-1], str(s.object).rsplit("/", 1)[-1]): s for s in found.statements}
    combatant_mali = by_statement[("combatant", "mali")]
    assert combatant_mali.specific
    assert [q.evidence.quote.exact for q in combatant_mali.quotes] == ["Mali"]
    assert combatant_mali.quotes[0].sentence == "Combatant1: Mali"
    begin = by_statement[("beginDate", "2024-02-28")]
    assert begin.quotes[0].sentence == "Date: February 28, 2024"
    assert begin.quotes[0].section == "infobox"
    every = [s for s in found.statements if not s.quotes]
    assert every == []


def test_cli_evidence_prints_statements_with_their_sentences(run_cli):
    run = run_cli("evidence", "kid:claim/rfi-killed")
    assert run.status == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("claim:rfi-killed")
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("schema:minValue 30"))
    assert "\u27e6between thirty and thirty-two Malian soldiers were killed\u27e7" in lines[index + 1]
    assert lines[index + 1].rstrip().endswith("[Aftermath]")
    assert "consistent" in run.stdout and "overlapping-bounds" in run.stdout and "in-conflict" not in run.stdout
    assert "confirmed-by-party" in run.stdout


def test_cli_evidence_by_label_and_errors(run_cli):
    run = run_cli("evidence", "Over a hundred jihadists raided the base after the bombing")
    assert run.status == 2 and "no node" in run.stderr
    run = run_cli("evidence", "Raid on the Kwala base")
    assert run.status == 0
    assert "\u27e6Over a hundred jihadists raided the base after the bombing\u27e7" in run.stdout
    run = run_cli("evidence", "Mali")
    assert run.status == 2 and "actor:mali, place:mali" in run.stderr
