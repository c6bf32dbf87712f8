"""Writes one nanopublication per claim (head, assertion, provenance and publication-info graphs in TriG) and reads them back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from conflictkg.inference.claim_relations import RELATIONS_GRAPH
from conflictkg.errors import InputError
from conflictkg.exchange.evidence import EVIDENCE_GRAPH
from conflictkg.graph.namespaces import CKG, KID, OA, bind_prefixes
from conflictkg.exchange.exporters.common import local_name

NP = Namespace("http://www.nanopub.org/nschema#")
NANOPUB = Namespace(str(KID) + "np/")
PROJECT = KID["actor/conflictkg"]
# Graphs whose triples about a claim are not the claim itself: derived links and evidence.
NOT_ASSERTED = (RELATIONS_GRAPH, EVIDENCE_GRAPH)


def nanopub_iri(claim: Node) -> URIRef:
    """kid:np/<claim name>: the claim's own name when it is one of ours, else a name from its IRI."""
    text = str(claim)
    prefix = str(KID) + "claim/"
    name = text[len(prefix):] if text.startswith(prefix) else local_name(claim)
    return NANOPUB[name.replace("/", "-")]


def claim_triples(dataset: Dataset, claim: Node) -> set[tuple[Node, Node, Node]]:
    """The claim's own statements: every triple with the claim as subject, from every graph except
    the derived links and the evidence."""
    skip = {str(g) for g in NOT_ASSERTED}
    found = set()
    for s, p, o, graph in dataset.quads((claim, None, None, None)):
        name = graph.identifier if isinstance(graph, Graph) else graph
        if str(name) not in skip:
            found.add((s, p, o))
    return found


def build(dataset: Dataset, created: dt.datetime | None = None) -> Dataset:
    """A data set of nanopublications, four named graphs per claim:
    head       <np> a np:Nanopublication, and its assertion, provenance and pubinfo graphs;
    assertion  the claim's own statements;
    provenance the assertion prov:wasAttributedTo the claim's source, prov:wasDerivedFrom the source
               article (from its graph's provenance), and the evidence annotations quoting it;
    pubinfo    when and by whom the nanopublication was made, and its licence."""
    created = created or dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = Literal(created.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime, normalize=False)
    out = bind_prefixes(Dataset())
    out.bind("np", NP)
    claims = sorted({s for s, _p, _o, _g in dataset.quads((None, RDF.type, CKG.Claim, None))}, key=str)
    for claim in claims:
        triples = claim_triples(dataset, claim)
        if not triples:
            continue
        this = nanopub_iri(claim)
        head, assertion, provenance, pubinfo = (URIRef(f"{this}#{part}") for part in ("Head", "assertion", "provenance", "pubinfo"))
        graph = out.graph(head)
        graph.add((this, RDF.type, NP.Nanopublication))
        graph.add((this, NP.hasAssertion, assertion))
        graph.add((this, NP.hasProvenance, provenance))
        graph.add((this, NP.hasPublicationInfo, pubinfo))
        graph = out.graph(assertion)
        for triple in triples:
            graph.add(triple)
        graph = out.graph(provenance)
        for source in dataset.objects(claim, PROV.wasAttributedTo):
            graph.add((assertion, PROV.wasAttributedTo, source))
        for article in _articles(dataset, claim):
            graph.add((assertion, PROV.wasDerivedFrom, article))
        for annotation in sorted(set(dataset.subjects(OA.hasBody, claim)), key=str):
            graph.add((assertion, PROV.wasQuotedFrom, annotation))
            for triple in _annotation(dataset, annotation):
                graph.add(triple)
        graph = out.graph(pubinfo)
        graph.add((this, DCTERMS.created, stamp))
        graph.add((this, PROV.wasAttributedTo, PROJECT))
        graph.add((this, RDFS.label, Literal(f"Nanopublication of the claim {local_name(claim)}", lang="en")))
        for licence in _licences(dataset, claim):
            graph.add((this, DCTERMS.license, licence))
    return out


def _graphs_of(dataset: Dataset, claim: Node) -> set[Node]:
    return {g.identifier if isinstance(g, Graph) else g for _s, _p, _o, g in dataset.quads((claim, RDF.type, CKG.Claim, None))}


def _articles(dataset: Dataset, claim: Node) -> list[Node]:
    return sorted({a for g in _graphs_of(dataset, claim) for a in dataset.objects(g, PROV.wasDerivedFrom)}, key=str)


def _licences(dataset: Dataset, claim: Node) -> list[Node]:
    return sorted({lic for g in _graphs_of(dataset, claim) for lic in dataset.objects(g, DCTERMS.license)}, key=str)


def _annotation(dataset: Dataset, annotation: Node) -> set[tuple[Node, Node, Node]]:
    """The annotation, its target and its selector (the quote)."""
    found = set(dataset.triples((annotation, None, None)))
    for target in dataset.objects(annotation, OA.hasTarget):
        found |= set(dataset.triples((target, None, None)))
        for selector in dataset.objects(target, OA.hasSelector):
            found |= set(dataset.triples((selector, None, None)))
    return found


def export(dataset: Dataset, created: dt.datetime | None = None) -> bytes:
    """Every claim's nanopublication, as TriG: one block per nanopublication (its prefixes, then its
    head, assertion, provenance and pubinfo graphs), in claim order."""
    built = build(dataset, created)
    blocks = []
    for this in sorted({s for s, _p, _o, _g in built.quads((None, RDF.type, NP.Nanopublication, None))}, key=str):
        single = bind_prefixes(Dataset())
        single.bind("np", NP)
        single.bind("this", Namespace(f"{this}#"))
        for part in ("Head", "assertion", "provenance", "pubinfo"):
            name = URIRef(f"{this}#{part}")
            target = single.graph(name)
            for triple in built.graph(name):
                target.add(triple)
        blocks.append(single.serialize(format="trig"))
    return "\n".join(blocks).encode("utf-8")


@dataclass(frozen=True)
class Nanopublication:
    """One nanopublication read back: its IRI, graphs and the claim its assertion holds."""

    iri: URIRef
    assertion: Graph
    provenance: Graph
    pubinfo: Graph

    @property
    def claim(self) -> Node | None:
        claims = set(self.assertion.subjects(RDF.type, CKG.Claim))
        return next(iter(claims)) if len(claims) == 1 else None


def read(data: bytes | str) -> list[Nanopublication]:
    """Nanopublications from TriG, checked for the structure the nanopublication guidelines require:
    a head graph naming one assertion, provenance and pubinfo graph, each present and non-empty,
    provenance saying something about the assertion and pubinfo about the nanopublication."""
    dataset = Dataset()
    try:
        dataset.parse(data=data if isinstance(data, str) else data.decode("utf-8"), format="trig")
    except Exception as error:
        raise InputError(f"not TriG: {error}") from None
    found = []
    heads = {(s, g.identifier if isinstance(g, Graph) else g) for s, _p, _o, g in dataset.quads((None, RDF.type, NP.Nanopublication, None))}
    for this, head_name in sorted(heads, key=str):
        head = dataset.graph(head_name)
        parts = {}
        for predicate in (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo):
            values = list(head.objects(this, predicate))
            if len(values) != 1:
                raise InputError(f"<{this}> needs exactly one {predicate.n3()} in its head graph")
            graph = dataset.graph(values[0])
            if not len(graph):
                raise InputError(f"<{this}>: the graph <{values[0]}> is missing or empty")
            parts[predicate] = graph
        assertion, provenance, pubinfo = (parts[NP.hasAssertion], parts[NP.hasProvenance], parts[NP.hasPublicationInfo])
        if next(iter(provenance.triples((assertion.identifier, None, None))), None) is None:
            raise InputError(f"<{this}>: the provenance graph says nothing about the assertion")
        if next(iter(pubinfo.triples((this, None, None))), None) is None:
            raise InputError(f"<{this}>: the publication-info graph says nothing about the nanopublication")
        found.append(Nanopublication(this, assertion, provenance, pubinfo))
    return found


__all__ = ["NP", "Nanopublication", "build", "claim_triples", "export", "nanopub_iri", "read"]
