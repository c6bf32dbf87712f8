"""Computes what OWL RL entails from the data and the ontology: with owlrl, and the closed TBox the fast rules apply.

Two reasoners give the same answers on the standard-vocabulary terms of the `--reasoned`
contract (the tests prove it on the built-in data and on generated data):

- `owlrl`: owlrl's full OWL RL closure of the data and the ontology together. Seconds on the
  built-in data, about 90 s on 10,000 synthetic events, hopeless at a million.
- `rules` (default): owlrl closes the ontology alone, once (`rule_plan`); what that closed TBox
  says about the data is then applied inside a pyoxigraph store with a handful of SPARQL
  CONSTRUCTs and path queries (`conflictkg.stores.reasoner.materialize`). Each rule reads the union of all graphs with
  constant-predicate index look-ups, keeps only triples the store does not hold yet (a MINUS
  anti-join), and its answers go into `kgr:inferred` with the bulk loader before the next rule
  runs. The rule set, in the order it runs:

  0. `owl:sameAs` (only when the data has any): close sameAs (symmetric, transitive), then copy
     every triple to each equal subject, object and predicate (OWL RL eq-sym, eq-trans,
     eq-rep-s/p/o). After this the data is closed under swapping equal individuals, so every
     later rule's output is too.
  1. Properties: for each property p, the closed TBox gives every property q that `x p y`
     implies, either as `x q y` or as `y q x`: the closure of subPropertyOf (prp-spo1,
     prp-eqp1/2), inverseOf (prp-inv1/2) and SymmetricProperty (prp-symp) taken together (a
     breadth-first walk over (property, direction) pairs, in Python). One CONSTRUCT per implied
     property q, reading every property that implies it; only the transitive q are loaded before
     step 2 (which reads them), the rest with everything else at the end.
  2. Transitive properties (prp-trp): the closure `x t+ z` over all graphs (including step 1's
     triples), then step 1's implications of t applied to the new triples.
  3. Types, one CONSTRUCT per class D, each node once: `x a C` => `x a D` for every superclass D
     of C in the closed TBox (cax-sco; equivalent classes are mutual subclasses there,
     cax-eqc1/2), and domain and range (prp-dom, prp-rng): for each property p, the classes its
     subject and its object get from the domains and ranges of every property p implies (in
     either direction), with their superclasses.
  4. `x owl:sameAs x` is removed from `kgr:inferred`; nothing else asserted is ever put there.

  The closed TBox's own new triples go into `kgr:inferred` too. Why one pass is enough without
  iterating to a fixpoint: step 1's implications are closed before they are applied; a
  transitive property's closure contains the closure of each of its sub-properties and
  inverses, and step 2 pushes it through step 1's implications; step 3's typing needs only
  asserted triples (it reads the derived ones too, harmlessly), because every derived `x q y`
  comes from an asserted `x p y` (or `y p x`) for which p's subject (object) classes already
  include q's domain (range), and the superclasses it adds are already closed.
  Ontologies with class expressions (restrictions, intersections, unions), property chains,
  keys or functional properties need rules this set does not have: `rule_plan` refuses them
  and asks for `--reasoner owlrl`. Consistency checks (disjointness and the like) are not rules
  that add data and are not performed by the fast path.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from conflictkg.errors import UsageError
from conflictkg.graph.parse import load_ontology
from rdflib.namespace import PROV
from conflictkg.graph.namespaces import SCHEMA, SEM

REASONERS = ("rules", "owlrl")
STANDARD_NAMESPACES = (str(SEM), str(SCHEMA), str(PROV))

# OWL constructs whose OWL RL rules add data facts that the rule set above does not produce.
_UNSUPPORTED = {
    OWL.someValuesFrom: "owl:someValuesFrom restrictions",
    OWL.allValuesFrom: "owl:allValuesFrom restrictions",
    OWL.hasValue: "owl:hasValue restrictions",
    OWL.maxCardinality: "owl:maxCardinality restrictions",
    OWL.maxQualifiedCardinality: "owl:maxQualifiedCardinality restrictions",
    OWL.intersectionOf: "owl:intersectionOf class expressions",
    OWL.unionOf: "owl:unionOf class expressions",
    OWL.oneOf: "owl:oneOf enumerations",
    OWL.propertyChainAxiom: "owl:propertyChainAxiom",
    OWL.hasKey: "owl:hasKey",
}
_UNSUPPORTED_TYPES = {
    OWL.FunctionalProperty: "owl:FunctionalProperty",
    OWL.InverseFunctionalProperty: "owl:InverseFunctionalProperty",
}


# ---------------------------------------------------------------------------------------------
# owlrl, the reference


def entailments(asserted: Graph) -> Graph:
    """The triples OWL RL adds to `asserted` (which should hold the ontology too).

    owlrl's axiomatic and datatype triples are left out (they say nothing about the data),
    and so is `x owl:sameAs x`, which OWL RL states for every term, and so are the triples
    owlrl makes with a literal as subject (`"2024-02-28"^^xsd:date rdf:type xsd:date`), which
    RDF cannot hold and N-Quads, TriG and N-Triples cannot write.
    """
    import owlrl

    closure = Graph()
    closure += asserted
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    added = Graph()
    for s, p, o in closure:
        if isinstance(s, Literal) or (s, p, o) in asserted or (p == OWL.sameAs and s == o):
            continue
        added.add((s, p, o))
    return added


# ---------------------------------------------------------------------------------------------
# The closed TBox and what it implies for data


@dataclass(frozen=True)
class RulePlan:
    """What the ontology's OWL RL closure says about data, ready to apply."""

    superclasses: dict[URIRef, frozenset[URIRef]]
    implications: dict[URIRef, frozenset[tuple[URIRef, bool]]]  # p -> {(q, reversed)}
    transitive: frozenset[URIRef]
    subject_types: dict[URIRef, frozenset[URIRef]]
    object_types: dict[URIRef, frozenset[URIRef]]
    tbox_entailments: Graph = field(compare=False)

    def describe(self) -> str:
        return (
            f"{sum(len(v) for v in self.superclasses.values())} subclass pairs, "
            f"{sum(len(v) for v in self.implications.values())} property implications, "
            f"{len(self.transitive)} transitive properties, "
            f"{len(self.subject_types) + len(self.object_types)} domain/range typings, "
            f"{len(self.tbox_entailments)} TBox entailments"
        )


def rule_plan(ontology: Graph | None = None) -> RulePlan:
    """Close `ontology` (default: the shipped one, cached) with owlrl and read off the rules."""
    if ontology is None:
        return _shipped_plan()
    return _plan(ontology)


@functools.lru_cache(maxsize=1)
def _shipped_plan() -> RulePlan:
    return _plan(load_ontology())


def _plan(ontology: Graph) -> RulePlan:
    problems = sorted({name for p, name in _UNSUPPORTED.items() if (None, p, None) in ontology}
                      | {name for t, name in _UNSUPPORTED_TYPES.items() if (None, RDF.type, t) in ontology})
    if problems:
        raise UsageError(
            "the fast reasoner has no rules for " + ", ".join(problems) + " in the ontology; use --reasoner owlrl"
        )
    added = entailments(ontology)
    closed = Graph()
    closed += ontology
    closed += added

    def named(term) -> bool:
        return isinstance(term, URIRef)

    superclasses: dict[URIRef, set[URIRef]] = defaultdict(set)
    for c, d in closed.subject_objects(RDFS.subClassOf):
        if named(c) and named(d) and c != d:
            superclasses[c].add(d)
    superproperties: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, q in closed.subject_objects(RDFS.subPropertyOf):
        if named(p) and named(q) and p != q:
            superproperties[p].add(q)
    inverses: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, q in closed.subject_objects(OWL.inverseOf):
        if named(p) and named(q):
            inverses[p].add(q)
            inverses[q].add(p)
    symmetric = {p for p in closed.subjects(RDF.type, OWL.SymmetricProperty) if named(p)}
    transitive = frozenset(p for p in closed.subjects(RDF.type, OWL.TransitiveProperty) if named(p))
    domains: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, c in closed.subject_objects(RDFS.domain):
        if named(p) and named(c):
            domains[p].add(c)
    ranges: dict[URIRef, set[URIRef]] = defaultdict(set)
    for p, c in closed.subject_objects(RDFS.range):
        if named(p) and named(c):
            ranges[p].add(c)

    properties = set(superproperties) | set(inverses) | symmetric | set(transitive) | set(domains) | set(ranges)
    implications: dict[URIRef, frozenset[tuple[URIRef, bool]]] = {}
    subject_types: dict[URIRef, frozenset[URIRef]] = {}
    object_types: dict[URIRef, frozenset[URIRef]] = {}

    def with_supers(classes: Iterable[URIRef]) -> set[URIRef]:
        out: set[URIRef] = set()
        for c in classes:
            out.add(c)
            out |= superclasses.get(c, set())
        return out

    for p in properties:
        reached = {(p, False)}
        stack = [(p, False)]
        while stack:
            q, reversed_ = stack.pop()
            steps = [(r, reversed_) for r in superproperties.get(q, ())]
            steps += [(r, not reversed_) for r in inverses.get(q, ())]
            if q in symmetric:
                steps.append((q, not reversed_))
            for step in steps:
                if step not in reached:
                    reached.add(step)
                    stack.append(step)
        subject_classes = with_supers(c for q, rev in reached for c in (ranges.get(q, ()) if rev else domains.get(q, ())))
        object_classes = with_supers(c for q, rev in reached for c in (domains.get(q, ()) if rev else ranges.get(q, ())))
        reached.discard((p, False))
        if reached:
            implications[p] = frozenset(reached)
        if subject_classes:
            subject_types[p] = frozenset(subject_classes)
        if object_classes:
            object_types[p] = frozenset(object_classes)

    tbox = Graph()
    for triple in added:
        if not isinstance(triple[0], Literal):  # owlrl also types literals; RDF has no literal subjects
            tbox.add(triple)
    return RulePlan(
        {c: frozenset(d) for c, d in superclasses.items()},
        implications,
        transitive,
        subject_types,
        object_types,
        tbox,
    )


# ---------------------------------------------------------------------------------------------
# Comparing the two


def is_standard_triple(triple: tuple) -> bool:
    """Whether a triple is about the contract's standard vocabularies (SEM, schema.org, PROV-O):
    its predicate is one of their properties, or it is `rdf:type` one of their classes."""
    _s, p, o = triple
    if p == RDF.type:
        return isinstance(o, URIRef) and str(o).startswith(STANDARD_NAMESPACES)
    return str(p).startswith(STANDARD_NAMESPACES) or p == RDFS.label


def closure_triples(dataset: Dataset) -> set[tuple]:
    """Every triple of every graph of a reasoned data set (asserted, ontology and inferred), leaving
    out triples with a blank node (their labels differ between runs) or a literal as subject."""
    return {
        (s, p, o)
        for s, p, o, _g in dataset.quads((None, None, None, None))
        if not isinstance(s, (BNode, Literal)) and not isinstance(o, BNode)
    }
