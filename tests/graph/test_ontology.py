"""The ontology is well formed: versioned, every term labelled and explained, namespace class in step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conflictkg.graph.ckg import CKG
from conflictkg.graph.parse import load_ontology

ROOT = Path(__file__).resolve().parents[2]
OUR_PREFIXES = ("https://w3id.org/conflictkg/ontology#",)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


def _our_terms(graph):
    return sorted(
        {s for kind in TERM_KINDS for s in graph.subjects(RDF.type, kind) if str(s).startswith(OUR_PREFIXES)}
    )


def test_ontology_is_versioned(ontology):
    root = URIRef("https://w3id.org/conflictkg/ontology")
    assert (root, RDF.type, OWL.Ontology) in ontology
    version = ontology.value(root, OWL.versionIRI)
    assert version is not None and str(version).startswith("https://w3id.org/conflictkg/ontology/")


def test_every_term_has_an_english_label_and_comment(ontology):
    terms = _our_terms(ontology)
    assert len(terms) > 60
    missing = [
        str(term)
        for term in terms
        if not any(isinstance(v, Literal) and v.language == "en" for v in ontology.objects(term, RDFS.label))
        or not any(isinstance(v, Literal) and v.language == "en" for v in ontology.objects(term, RDFS.comment))
    ]
    assert missing == []


def test_every_concept_has_a_label_and_a_scheme(ontology):
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 40
    bad = [str(c) for c in concepts if ontology.value(c, SKOS.prefLabel) is None or ontology.value(c, SKOS.inScheme) is None]
    assert bad == []


def test_generated_namespace_matches_the_ontology():
    spec = importlib.util.spec_from_file_location("generate_namespace", ROOT / "scripts" / "generate_namespace.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render(module.ontology_terms())
    assert (ROOT / "src" / "conflictkg" / "graph" / "ckg.py").read_text("utf-8") == expected, (
        "run `python scripts/generate_namespace.py` after changing the ontology"
    )


def test_defined_namespace_rejects_typos():
    assert CKG.Claim == URIRef("https://w3id.org/conflictkg/ontology#Claim")
    with pytest.raises(AttributeError):
        CKG.Cliam  # noqa: B018
