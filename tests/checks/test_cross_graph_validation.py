"""Validation sees links across named graphs: evidence in one graph about a claim in another.

Validated graph by graph (as pySHACL did with a Dataset, RDFLib/pySHACL issues 26 and 152, and as
anyone looping over named graphs does), a claim in one graph and its evidence or links in another
never meet. `validate.validate` validates the union of every graph plus the ontology
(load.union_graph) instead; these tests show both behaviours.
"""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from conflictkg.exchange.evidence import EVIDENCE_GRAPH
from conflictkg.graph.parse import copy_quads, load_ontology, load_shapes, new_dataset, union_graph
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.namespaces import KGR, KID, OA
from conflictkg.checks.shapes import run, validate

EVIDENCE_SHAPE = URIRef("https://w3id.org/conflictkg/shapes#ClaimEvidenceShape")
RELATION_FROM_SHAPE = URIRef("https://w3id.org/conflictkg/shapes#RelationFromShape")
CLAIMS_GRAPH = KGR["test-claims"]
QUOTES_GRAPH = KGR["test-quotes"]

PREFIXES = """
@prefix ckg: <https://w3id.org/conflictkg/ontology#> .
@prefix et: <https://w3id.org/conflictkg/vocab/event-type/> .
@prefix ck: <https://w3id.org/conflictkg/vocab/claim-kind/> .
@prefix st: <https://w3id.org/conflictkg/vocab/status/> .
@prefix prec: <https://w3id.org/conflictkg/vocab/precision/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/conflictkg/id/test/> .
@prefix kgr: <https://w3id.org/conflictkg/graph/> .
"""

CLAIMS = """
kgr:test-claims {
  ex:actor a ckg:NonStateArmedGroup ; rdfs:label "Test armed group"@en .
  ex:event a ckg:Attack ; rdfs:label "Test event"@en ; ckg:eventType et:attack ; ckg:timePrecision prec:day ;
      ckg:beginDate "2024-02-28"^^xsd:date .
  ex:quoted a ckg:Claim ; rdfs:label "Quoted claim"@en ; prov:wasAttributedTo ex:actor ; schema:about ex:event ;
      ckg:wording "the attack happened"@en ; ckg:claimStatus st:reported ; ckg:claimKind ck:occurrence ;
      ckg:assertsEvent ex:event ; ckg:articleLocation "lead" .
  ex:unquoted a ckg:Claim ; rdfs:label "Unquoted claim"@en ; prov:wasAttributedTo ex:actor ; schema:about ex:event ;
      ckg:wording "it really happened"@en ; ckg:claimStatus st:reported ; ckg:claimKind ck:occurrence ;
      ckg:assertsEvent ex:event ; ckg:articleLocation "lead" .
}
"""

QUOTES = """
kgr:test-quotes {
  ex:annotation a oa:Annotation ; oa:hasBody ex:quoted ; oa:hasTarget ex:target .
  ex:target a oa:SpecificResource ; oa:hasSource ex:text ; oa:hasSelector ex:selector .
  ex:selector a oa:TextQuoteSelector ; oa:exact "the attack happened" ; oa:prefix "that " ; oa:suffix "." .
}
"""


def _dataset(*parts: str) -> Dataset:
    dataset = new_dataset()
    dataset.parse(data=PREFIXES + "".join(parts), format="trig")
    return dataset


def _evidence_failures(report) -> set[str]:
    return {str(r.focus).rsplit("/", 1)[-1] for r in report.results if r.shape == EVIDENCE_SHAPE}


def test_evidence_in_another_graph_is_seen():
    dataset = _dataset(CLAIMS, QUOTES)
    assert {g.identifier for g in dataset.graphs() if len(g)} >= {CLAIMS_GRAPH, QUOTES_GRAPH}
    report = validate(dataset)
    # the quoted claim's evidence sits in the other graph and counts; the unquoted one is caught
    assert _evidence_failures(report) == {"unquoted"}
    assert len(report.results) == 1, report.text(dataset)


def test_evidence_for_both_claims_conforms():
    second = QUOTES.replace("ex:annotation ", "ex:annotation2 ").replace("ex:quoted", "ex:unquoted").replace(
        "ex:target", "ex:target2"
    ).replace("ex:selector", "ex:selector2")
    report = validate(_dataset(CLAIMS, QUOTES, second))
    assert report.conforms, report.text()


LINKS = """
kgr:test-links {
  ex:link a ckg:ClaimRelation ; ckg:relationKind <https://w3id.org/conflictkg/vocab/claim-relation/consistent> ;
      ckg:fromClaim ex:quoted ; ckg:toClaim ex:unquoted ;
      ckg:derivedByRule <https://w3id.org/conflictkg/vocab/claim-rule/overlapping-bounds> .
}
"""


def test_graph_by_graph_validation_gets_cross_graph_links_wrong_and_the_union_right():
    """The trap: checked graph by graph (as pySHACL before 0.2x did with a Dataset, and as a user
    looping over named graphs does), a link to claims typed in another graph is a false alarm, and
    a claim whose data quotes its source elsewhere is let through. `validate` checks the union."""
    dataset = _dataset(CLAIMS, QUOTES, LINKS)
    per_graph = set()
    for name in (CLAIMS_GRAPH, QUOTES_GRAPH, KGR["test-links"]):
        alone = new_dataset()
        for triple in dataset.graph(name):
            alone.graph(name).add(triple)
        per_graph |= {r.shape for r in run(union_graph(alone, load_ontology()), load_shapes(), "pyshacl").results}
    assert RELATION_FROM_SHAPE in per_graph  # false alarm: ex:quoted is a claim, in the other graph
    assert EVIDENCE_SHAPE not in per_graph  # missed: no single graph holds both a claim and a quote
    report = validate(dataset)
    assert RELATION_FROM_SHAPE not in {r.shape for r in report.results}
    assert _evidence_failures(report) == {"unquoted"}
    assert len(report.results) == 1, report.text(dataset)


def test_builtin_claims_are_quoted_from_the_evidence_graph(builtin_dataset):
    claim = KID["claim/rfi-killed"]
    article = builtin_dataset.graph(KGR["kwala-article"])
    evidence = builtin_dataset.graph(EVIDENCE_GRAPH)
    assert (claim, RDF.type, URIRef("https://w3id.org/conflictkg/ontology#Claim")) in article
    assert set(evidence.subjects(OA.hasBody, claim)) and not set(article.subjects(OA.hasBody, claim))
    assert validate(builtin_dataset).conforms


def test_removing_a_quote_from_the_evidence_graph_is_caught():
    dataset = new_dataset()
    copy_quads(load_dataset(), dataset)
    evidence = dataset.graph(EVIDENCE_GRAPH)
    claim = KID["claim/rfi-killed"]
    for annotation in list(evidence.subjects(OA.hasBody, claim)):
        evidence.remove((annotation, None, None))
    report = validate(dataset)
    assert _evidence_failures(report) == {"rfi-killed"}


def test_relations_in_their_graph_point_to_claims_in_the_article_graph(builtin_dataset):
    """The derived graph holds links whose claims are typed in another graph; only the union conforms."""
    relations = builtin_dataset.graph(KGR["claim-relations"])
    assert len(relations) > 100
    assert validate(builtin_dataset).conforms
    alone = new_dataset()
    for triple in relations:
        alone.graph(KGR["claim-relations"]).add(triple)
    report = validate(alone, validator="pyshacl")
    assert RELATION_FROM_SHAPE in {r.shape for r in report.results}
