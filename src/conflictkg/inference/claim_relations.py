"""The claim-relation rules of ontology/rules (consistent, in conflict, cites, epistemic status): reading them, the derived graph's provenance and counts, and the one definition of disagreement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS
from conflictkg.errors import QueryError
from conflictkg.graph.namespaces import CKG, KGR, KID
from conflictkg.graph.resources import resource_dir

RELATIONS_GRAPH = KGR["claim-relations"]
DERIVATION = KID["activity/derive-claim-relations"]
PROJECT = KID["actor/conflictkg"]
RULE_NAMESPACE = "https://w3id.org/conflictkg/vocab/claim-rule/"
IN_CONFLICT = URIRef("https://w3id.org/conflictkg/vocab/claim-relation/in-conflict")
DISAGREEMENT_QUERY = "disagreements"  # the saved query that lists the same pairs as disagreements()
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


def _provenance(meta: Graph, sources: list, rules: list[Rule]) -> None:
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


def relation_counts(graph: Graph | Dataset) -> dict[str, int]:
    """How many claim relations of each kind (by the kind's last IRI segment) `graph` holds."""
    counts: dict[str, int] = {}
    for relation in set(graph.subjects(RDF.type, CKG.ClaimRelation)):
        kind = graph.value(relation, CKG.relationKind)
        name = str(kind).rsplit("/", 1)[-1] if kind is not None else "unknown"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def disagreements(graph: Graph | Dataset) -> list[tuple[URIRef, URIRef]]:
    """The one definition of disagreement: the pairs of claims (from, to) that the rules put in
    conflict (ckg:relationKind in-conflict in kgr:claim-relations: figures for the same quantity
    with disjoint bounds). A silence or an "Unknown" is never one; overlapping figures agree.
    The saved queries `disagreements` and `claims-in-conflict` list the same pairs, and
    `conflictkg summary`, the report and the merge report count them with this function."""
    pairs = set()
    for relation in graph.subjects(CKG.relationKind, IN_CONFLICT):
        first, second = graph.value(relation, CKG.fromClaim), graph.value(relation, CKG.toClaim)
        if isinstance(first, URIRef) and isinstance(second, URIRef):
            pairs.add((first, second))
    return sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1])))


_PREFIX_LINE = re.compile(r"PREFIX\s+([\w-]*):\s*<([^>]+)>", re.IGNORECASE)
_IRI = re.compile(r"<([^<>\s]+)>")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def mentioned_iris(rule: Rule, where_only: bool = False) -> set[URIRef]:
    """Every IRI a rule's text names (full or with the prefixes the rule declares), and rdf:type;
    with `where_only`, those of its WHERE clause (what it reads, not what it builds)."""
    return _iris_in(rule, "where" if where_only else "all")


def template_iris(rule: Rule) -> set[URIRef]:
    """The IRIs of a rule's CONSTRUCT template (what it builds), and rdf:type."""
    return _iris_in(rule, "template")


def _iris_in(rule: Rule, part: str) -> set[URIRef]:
    prefixes = dict(_PREFIX_LINE.findall(rule.text))
    body = _PREFIX_LINE.sub("", "\n".join(line for line in rule.text.splitlines() if not line.lstrip().startswith("#")))
    if part != "all":
        pieces = re.split(r"\bWHERE\b", body, maxsplit=1, flags=re.IGNORECASE)
        body = pieces[-1] if part == "where" else pieces[0]
    found = {URIRef(iri) for iri in _IRI.findall(body)}
    # prefixed names outside IRIs and strings (a name in a property path follows a "/": a/rdfs:subClassOf*)
    names = _STRING.sub(" ", _IRI.sub(" ", body))
    for prefix, namespace in prefixes.items():
        for local in re.findall(rf"(?<![\w.-]){re.escape(prefix)}:([A-Za-z_][\w-]*)", names):
            found.add(URIRef(namespace + local))
    found.add(RDF.type)
    return found


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
