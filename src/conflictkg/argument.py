"""Derives how claims stand to each other (consistent, in conflict, cites) and their epistemic status, by the SPARQL rules in ontology/rules."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from .errors import QueryError
from .namespaces import CKG, KGR, KID, bind_prefixes
from .resources import resource_dir

RELATIONS_GRAPH = KGR["claim-relations"]
DERIVATION = KID["activity/derive-claim-relations"]
PROJECT = KID["actor/conflictkg"]
RULE_NAMESPACE = "https://w3id.org/conflictkg/vocab/claim-rule/"
MAX_ROUNDS = 5  # the rules reach their fixpoint in two rounds (disputed-by-conflicting-figure reads derived conflicts)
_HEADER = re.compile(r"^#\s*(title|description|rule):\s*(.*)$")


@dataclass(frozen=True)
class Rule:
    """One rule file of ontology/rules: a SPARQL CONSTRUCT with a `# title:`, `# description:`
    and `# rule: IRI` header; every link it builds names that IRI with ckg:derivedByRule."""

    name: str
    iri: URIRef
    title: str
    description: str
    text: str


def parse_rule(name: str, text: str) -> Rule:
    """The rule in `text` (the contents of ontology/rules/`name`.rq)."""
    fields: dict[str, list[str]] = {"title": [], "description": [], "rule": []}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            fields[match.group(1)].append(match.group(2).strip())
    if len(fields["rule"]) != 1 or not fields["rule"][0].startswith(RULE_NAMESPACE):
        raise QueryError(f"ontology/rules/{name}.rq needs one '# rule: {RULE_NAMESPACE}<name>' header line")
    iri = URIRef(fields["rule"][0])
    if str(iri) != RULE_NAMESPACE + name:
        raise QueryError(f"ontology/rules/{name}.rq declares the rule <{iri}>; its file name must be the rule's name")
    if not fields["title"] or not fields["description"]:
        raise QueryError(f"ontology/rules/{name}.rq needs '# title:' and '# description:' header lines")
    return Rule(name, iri, fields["title"][0], " ".join(fields["description"]), text)


def shipped_rules() -> list[Rule]:
    """Every rule in ontology/rules, by file name."""
    folder = resource_dir("ontology") / "rules"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".rq")), key=lambda e: e.name)
    return [parse_rule(e.name[: -len(".rq")], e.read_text("utf-8")) for e in entries]


def derive(dataset: Dataset, ontology: Graph | None = None, rules: list[Rule] | None = None) -> Graph:
    """What the rules derive from every graph of `dataset` together with `ontology` (the rules
    read the class hierarchy and the epistemic mappings; None: the shipped ontology), run to a fixpoint in an in-memory
    Oxigraph store. Raises QueryError if a rule builds a link that does not name it."""
    import pyoxigraph as ox

    from .oxi import from_ox, graph_quads, store_from_dataset

    rules = shipped_rules() if rules is None else rules
    store = store_from_dataset(dataset)
    store.extend(graph_quads(ontology, ontology.identifier) if ontology is not None else _shipped_ontology_quads())
    target = ox.NamedNode(str(RELATIONS_GRAPH))
    derived = bind_prefixes(Graph())
    for _round in range(MAX_ROUNDS):
        added = 0
        for rule in rules:
            try:
                result = store.query(rule.text, use_default_graph_as_union=True)
            except (SyntaxError, ValueError, OSError) as error:
                raise QueryError(f"rule {rule.name}: {error}") from None
            for triple in result:
                subject, predicate, obj = from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)
                if predicate == CKG.derivedByRule and obj != rule.iri:
                    raise QueryError(f"rule {rule.name} derived a link naming <{obj}>, not itself")
                if (subject, predicate, obj) not in derived:
                    derived.add((subject, predicate, obj))
                    store.add(ox.Quad(triple.subject, triple.predicate, triple.object, target))
                    added += 1
        if not added:
            return derived
    raise QueryError(f"the rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def add_claim_relations(dataset: Dataset) -> int:
    """Replace the named graph kgr:claim-relations of `dataset` with what the rules derive from
    its other graphs and the ontology, with the graph's provenance in the default graph.
    Returns the number of triples derived (0, and no graph, when the data holds no claim)."""
    remove_claim_relations(dataset)
    sources = _claim_sources(dataset)
    if sources is None:
        return 0
    rules = shipped_rules()
    derived = derive(dataset, None, rules)
    graph = dataset.graph(RELATIONS_GRAPH)
    for triple in derived:
        graph.add(triple)
    meta = dataset.default_graph
    meta.add((RELATIONS_GRAPH, RDF.type, CKG.DerivedGraph))
    meta.add((RELATIONS_GRAPH, RDFS.label, Literal("Claim relations and epistemic statuses derived by the rules of ontology/rules", lang="en")))
    meta.add((RELATIONS_GRAPH, PROV.wasGeneratedBy, DERIVATION))
    meta.add((RELATIONS_GRAPH, PROV.wasAttributedTo, PROJECT))
    for source in sources:
        meta.add((RELATIONS_GRAPH, PROV.wasDerivedFrom, source))
    meta.add((DERIVATION, RDF.type, PROV.Activity))
    meta.add((DERIVATION, RDFS.label, Literal("Derivation of claim relations by the rules of ontology/rules", lang="en")))
    for rule in rules:
        meta.add((DERIVATION, PROV.used, rule.iri))
    return len(derived)


@functools.lru_cache(maxsize=1)
def _shipped_ontology_quads() -> tuple:
    """The shipped ontology as pyoxigraph quads in kgr:ontology, parsed once per process."""
    from .load import load_ontology
    from .oxi import graph_quads

    ontology = load_ontology()
    return tuple(graph_quads(ontology, ontology.identifier))


def remove_claim_relations(dataset: Dataset) -> None:
    """Drop kgr:claim-relations and its provenance (before deriving it again)."""
    dataset.remove_graph(dataset.graph(RELATIONS_GRAPH))
    meta = dataset.default_graph
    for subject in (RELATIONS_GRAPH, DERIVATION):
        meta.remove((subject, None, None))


def _claim_sources(dataset: Dataset) -> list[URIRef] | None:
    """What the graphs holding claims were derived from (None when no graph holds a claim)."""
    holding = set()
    for _s, _p, _o, graph in dataset.quads((None, RDF.type, CKG.Claim)):
        holding.add(graph.identifier if isinstance(graph, Graph) else graph)
    if not holding:
        return None
    sources = {o for g in holding for o in dataset.objects(g, PROV.wasDerivedFrom) if isinstance(o, URIRef)}
    return sorted(sources, key=str)


__all__ = ["RELATIONS_GRAPH", "Rule", "add_claim_relations", "derive", "parse_rule", "remove_claim_relations", "shipped_rules"]
