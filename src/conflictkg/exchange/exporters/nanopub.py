"""Writes one nanopublication per claim (head, assertion, provenance and publication-info graphs in TriG) and reads them back."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from conflictkg.errors import InputError
from conflictkg.exchange.evidence import EVIDENCE_GRAPH
from conflictkg.exchange.exporters.common import local_name
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import CKG, KID, OA, bind_prefixes
from conflictkg.graph.serialize import serialize
from conflictkg.inference.claim_relations import RELATIONS_GRAPH

NP = Namespace("http://www.nanopub.org/nschema#")
NANOPUB = Namespace(str(KID) + "np/")
PROJECT = KID["actor/conflictkg"]
# Graphs whose triples about a claim are not the claim itself: derived links and evidence.
NOT_ASSERTED = (RELATIONS_GRAPH, EVIDENCE_GRAPH)
PARTS = ("Head", "assertion", "provenance", "pubinfo")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def nanopub_base(claim: Node) -> str:
    """kid:np/<claim name>/: the claim's own name when it is one of ours, else a name from its IRI.
    The nanopublication's IRI is this base followed by its trusty artefact (RA...)."""
    text = str(claim)
    prefix = str(KID) + "claim/"
    name = text[len(prefix):] if text.startswith(prefix) else local_name(claim)
    return f"{NANOPUB}{name.replace('/', '-')}/"


def nanopub_iri(claim: Node) -> URIRef:
    """The nanopublication's IRI before its trusty artefact is known (the base, see nanopub_base)."""
    return URIRef(nanopub_base(claim))


def claim_triples(dataset: Dataset, claim: Node) -> set[tuple[Node, Node, Node]]:
    """The claim's own statements: every triple with the claim as subject, from every graph except
    the derived links and the evidence; and what only this claim asserts, the triples of its
    ckg:assertionGraph (the claimed event with its time, place and participants: docs/MODEL.md)."""
    skip = {str(g) for g in NOT_ASSERTED}
    found = set()
    for s, p, o, graph in dataset.quads((claim, None, None, None)):
        name = graph.identifier if isinstance(graph, Graph) else graph
        if str(name) not in skip:
            found.add((s, p, o))
    for assertion in set(dataset.objects(claim, CKG.assertionGraph)):
        found |= set(dataset.graph(assertion).triples((None, None, None)))
    return found


Quad = tuple[Node, Node, Node, Node]


def _draft(dataset: Dataset, claim: Node, created: dt.datetime | None) -> tuple[str, list[Quad]]:
    """One nanopublication's quads under its base (before the trusty artefact), blank nodes named."""
    base = nanopub_base(claim)
    this = URIRef(base)
    head, assertion, provenance, pubinfo = (URIRef(base + part) for part in PARTS)
    quads: list[Quad] = [
        (this, RDF.type, NP.Nanopublication, head),
        (this, NP.hasAssertion, assertion, head),
        (this, NP.hasProvenance, provenance, head),
        (this, NP.hasPublicationInfo, pubinfo, head),
    ]
    quads += [(s, p, o, assertion) for s, p, o in claim_triples(dataset, claim)]
    for source in sorted(dataset.objects(claim, PROV.wasAttributedTo), key=str):
        quads.append((assertion, PROV.wasAttributedTo, source, provenance))
    for origin in _sources(dataset, claim):
        quads.append((assertion, PROV.wasDerivedFrom, origin, provenance))
    for annotation in sorted(set(dataset.subjects(OA.hasBody, claim)), key=str):
        quads.append((assertion, PROV.wasQuotedFrom, annotation, provenance))
        quads += [(s, p, o, provenance) for s, p, o in _annotation(dataset, annotation)]
    when = created or _provenance_time(dataset, claim)
    if when is not None:
        stamp = when.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        quads.append((this, DCTERMS.created, Literal(stamp, datatype=XSD.dateTime, normalize=False), pubinfo))
    quads.append((this, PROV.wasAttributedTo, PROJECT, pubinfo))
    quads.append((this, RDFS.label, Literal(f"Nanopublication of the claim {local_name(claim)}", lang="en"), pubinfo))
    licences = _licences(dataset, claim)
    for licence in licences:
        quads.append((this, DCTERMS.license, licence, pubinfo))
    if not licences:
        quads.append((this, DCTERMS.rights, Literal(
            "No licence is recorded for the data this claim comes from; see its publisher's terms.", lang="en"), pubinfo))
    return base, _named_blank_nodes(quads, base)


def _named_blank_nodes(quads: list[Quad], base: str) -> list[Quad]:
    """Blank nodes become IRIs in the nanopublication's own namespace (<base>_1 ...), numbered by
    their structure, so the same data always gives the same nanopublication."""
    if not any(isinstance(t, BNode) for q in quads for t in q):
        return quads
    from conflictkg.graph.canonical import structural_labels

    labels = structural_labels(quads)
    number = {node: n for n, node in enumerate(sorted(labels, key=lambda b: labels[b]), start=1)}
    return [tuple(URIRef(f"{base}_{number[t]}") if isinstance(t, BNode) else t for t in q) for q in quads]  # type: ignore[misc]


# --- trusty URIs (the RA module of Kuhn and Dumontier's Trusty URI specification) -------------------


def trusty_artefact(quads: list[Quad], base: str) -> str:
    """The artefact code ("RA" + the URL-safe base64 of a SHA-256) of a nanopublication's quads,
    whose IRIs under `base` are written with the artefact's place left blank: the normalisation of
    the RA module, as nanopub tools compute and check it."""
    lines = []
    for g, s, p, o in sorted(((_blank(g, base), _blank(s, base), _blank(p, base), _object(o, base)) for s, p, o, g in quads),
                             key=_statement_key):
        lines.append("".join(_text(t) for t in (g, s, p, o)))
    unique = [line for n, line in enumerate(lines) if n == 0 or line != lines[n - 1]]
    digest = hashlib.sha256("".join(unique).encode("utf-8")).digest()
    return "RA" + base64.b64encode(digest, b"-_").decode("ascii").rstrip("=")


def _blank(term: Node, base: str) -> Node:
    text = str(term)
    if text == base or text == base[:-1]:
        return URIRef(base + " ")
    if text.startswith(base):
        return URIRef(f"{base} #{text[len(base):]}")
    return term


def _object(term: Node, base: str) -> Node:
    return term if isinstance(term, Literal) else _blank(term, base)


def _statement_key(quad: tuple) -> tuple:
    g, s, p, o = quad
    if isinstance(o, Literal):
        datatype = None if o.language is not None else str(o.datatype or XSD_STRING)
        literal = (1, str(o).encode("utf-8"), (datatype is not None, datatype or ""), (o.language is not None, o.language or ""))
        return (str(g).encode("utf-8"), str(s).encode("utf-8"), str(p).encode("utf-8"), literal)
    return (str(g).encode("utf-8"), str(s).encode("utf-8"), str(p).encode("utf-8"), (0, str(o).encode("utf-8"), (False, ""), (False, "")))


def _text(term: Node) -> str:
    if isinstance(term, Literal):
        value = str(term).replace("\\", "\\\\").replace("\n", "\\n")
        if term.language is not None:
            return f"@{term.language.lower()} {value}\n"
        return f"^{term.datatype or XSD_STRING} {value}\n"
    return f"{term}\n"


def _with_artefact(term: Node, base: str, artefact: str) -> Node:
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(base):
        rest = text[len(base):]
        return URIRef(base + artefact + (f"#{rest}" if rest else ""))
    return term


def build(dataset: Dataset, created: dt.datetime | None = None) -> list[tuple[URIRef, list[Quad]]]:
    """Every claim's nanopublication with its trusty IRI, in claim order, as (IRI, quads):
    head       <np> a np:Nanopublication, and its assertion, provenance and pubinfo graphs;
    assertion  the claim's own statements;
    provenance the assertion prov:wasAttributedTo the claim's source, prov:wasDerivedFrom what its
               graph was derived from (the article, the imported file), and the evidence quoting it;
    pubinfo    when (`created`, else the latest time the data's provenance gives, never the clock)
               and by whom it was made, and its licence (its graph's or its source's).
    The IRI is kid:np/<claim>/RA... (a trusty URI: the hash of the nanopublication's own quads)."""
    found = []
    claims = sorted({s for s, _p, _o, _g in dataset.quads((None, RDF.type, CKG.Claim, None))}, key=str)
    for claim in claims:
        if not claim_triples(dataset, claim):
            continue
        base, quads = _draft(dataset, claim, created)
        artefact = trusty_artefact(quads, base)
        final = [tuple(_with_artefact(t, base, artefact) for t in q) for q in quads]
        found.append((URIRef(base + artefact), final))  # type: ignore[arg-type]
    return found


def _graphs_of(dataset: Dataset, claim: Node) -> set[Node]:
    return {g.identifier if isinstance(g, Graph) else g for _s, _p, _o, g in dataset.quads((claim, RDF.type, CKG.Claim, None))}


def _sources(dataset: Dataset, claim: Node) -> list[Node]:
    return sorted({a for g in _graphs_of(dataset, claim) for a in dataset.objects(g, PROV.wasDerivedFrom)}, key=str)


def _licences(dataset: Dataset, claim: Node) -> list[Node]:
    """The licence of the claim's graph, else that of what the graph was derived from (a data set)."""
    graphs = _graphs_of(dataset, claim)
    found = {lic for g in graphs for lic in dataset.objects(g, DCTERMS.license)}
    if not found:
        found = {lic for source in _sources(dataset, claim) for lic in dataset.objects(source, DCTERMS.license)}
    return sorted(found, key=str)


def _provenance_time(dataset: Dataset, claim: Node) -> dt.datetime | None:
    """The latest time the provenance of the claim's graph gives: when its import ended, when it or
    its source was generated or modified. None when the data give no time."""
    times = []
    for graph in _graphs_of(dataset, claim):
        nodes = {graph} | set(dataset.objects(graph, PROV.wasGeneratedBy)) | set(dataset.objects(graph, PROV.wasDerivedFrom))
        for node in nodes:
            for prop in (PROV.endedAtTime, PROV.generatedAtTime, DCTERMS.modified, DCTERMS.created):
                for value in dataset.objects(node, prop):
                    moment = value.toPython() if isinstance(value, Literal) else None
                    if isinstance(moment, dt.datetime):
                        times.append(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    return max(times) if times else None


def _annotation(dataset: Dataset, annotation: Node) -> set[tuple[Node, Node, Node]]:
    """The annotation, its target and its selector (the quote)."""
    found = set(dataset.triples((annotation, None, None)))
    for target in dataset.objects(annotation, OA.hasTarget):
        found |= set(dataset.triples((target, None, None)))
        for selector in dataset.objects(target, OA.hasSelector):
            found |= set(dataset.triples((selector, None, None)))
    return found


def trig(iri: URIRef, quads: list[Quad]) -> bytes:
    """One nanopublication as TriG (its own file: the layout nanopub tools read)."""
    single = bind_prefixes(Dataset())
    single.bind("np", NP)
    single.bind("this", Namespace(str(iri)))
    single.bind("sub", Namespace(f"{iri}#"))
    for s, p, o, g in quads:
        single.graph(g).add((s, p, o))
    return serialize(single, RdfFormat.TRIG)  # graphs and statements in a fixed order: the same bytes every run


def files(dataset: Dataset, created: dt.datetime | None = None) -> dict[str, bytes]:
    """Every claim's nanopublication as its own TriG file, named <claim>.<artefact>.trig."""
    out = {}
    for iri, quads in build(dataset, created):
        name, artefact = str(iri)[len(str(NANOPUB)):].split("/")
        out[f"{name}.{artefact}.trig"] = trig(iri, quads)
    return out


def export(dataset: Dataset, created: dt.datetime | None = None) -> bytes:
    """Every claim's nanopublication in one TriG stream (one block per nanopublication, in claim
    order), for reading with `read`; nanopub tools read one per file (`files`)."""
    return b"\n".join(trig(iri, quads) for iri, quads in build(dataset, created))


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
    except Exception as error:  # noqa: BLE001 - rdflib's parsers raise many kinds
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


__all__ = ["NP", "Nanopublication", "build", "claim_triples", "export", "files", "nanopub_base", "nanopub_iri", "read", "trig", "trusty_artefact"]
