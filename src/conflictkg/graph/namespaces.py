"""The namespaces of our ontology, vocabularies and individuals, and the prefixes we bind."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, GEO, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, TIME, XSD

from conflictkg.graph.ckg import CKG  # generated from ontology/ by scripts/generate_namespace.py

CKV = Namespace("https://w3id.org/conflictkg/vocab/")
KID = Namespace("https://w3id.org/conflictkg/id/")
KGR = Namespace("https://w3id.org/conflictkg/graph/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = SDO
OA = Namespace("http://www.w3.org/ns/oa#")  # W3C Web Annotation vocabulary (evidence quotes)

PREFIXES: dict[str, Namespace] = {
    "ckg": CKG,
    "ckv": CKV,
    "kid": KID,
    "kgr": KGR,
    "sem": SEM,
    "schema": SCHEMA,
    "prov": Namespace(str(PROV)),
    "time": Namespace(str(TIME)),
    "skos": Namespace(str(SKOS)),
    "geo": Namespace(str(GEO)),
    "dcterms": Namespace(str(DCTERMS)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "sh": Namespace(str(SH)),
    "oa": OA,
}

ONTOLOGY_GRAPH = KGR["ontology"]
INFERRED_GRAPH = KGR["inferred"]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes on `graph` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for every namespace we bind, for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
