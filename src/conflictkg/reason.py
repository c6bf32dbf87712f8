"""Computes what OWL RL entails from the data and the ontology: with owlrl, or fast with SPARQL rules.

Two reasoners give the same answers on the standard-vocabulary terms of the `--reasoned`
contract (the tests prove it on the built-in data and on generated data):

- `owlrl`: owlrl's full OWL RL closure of the data and the ontology together. Seconds on the
  built-in data, about 90 s on 10,000 synthetic events, hopeless at a million.
- `rules` (default): owlrl closes the ontology alone, once (`rule_plan`); what that closed TBox
  says about the data is then applied inside a pyoxigraph store with a handful of SPARQL
  CONSTRUCTs and path queries (`materialize`). Each rule reads the union of all graphs with
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

from .errors import UsageError
from .load import copy_quads, load_ontology, new_dataset, union_graph
from rdflib.namespace import PROV

from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, SCHEMA, SEM

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


def reasoned_dataset(dataset: Dataset, reasoner: str = "owlrl") -> Dataset:
    """The data's own graphs, the ontology in `kgr:ontology`, and the entailments in `kgr:inferred`.

    `reasoner` is "owlrl" (the full OWL RL closure; the reference) or "rules" (the fast path).
    """
    if reasoner == "rules":
        return fast_reasoned_dataset(dataset)
    if reasoner != "owlrl":
        raise UsageError(f"unknown reasoner {reasoner!r}; use one of {', '.join(REASONERS)}")
    ontology = load_ontology()
    result = new_dataset()
    copy_quads(dataset, result)
    ontology_graph = result.graph(ONTOLOGY_GRAPH)
    ontology_graph += ontology
    inferred_graph = result.graph(INFERRED_GRAPH)
    inferred_graph += entailments(union_graph(dataset, ontology))
    return result


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
# Applying the rules inside a pyoxigraph store

_OWL_SAME_AS = f"<{OWL.sameAs}>"
_RDF_TYPE = f"<{RDF.type}>"
_LOAD_BYTES = 64 << 20  # N-Triples per bulk load (about 800,000 triples): bounds the loader's memory


def _union(patterns: Iterable[str]) -> str:
    """A group matching any of the patterns (each an index look-up when its predicate is constant)."""
    return " UNION ".join(f"{{ {pattern} }}" for pattern in patterns)


def _new(pattern: str) -> str:
    """Keeps only solutions where `pattern` is not in the store yet (any graph). MINUS, not FILTER
    NOT EXISTS: Oxigraph evaluates MINUS as one hash anti-join, NOT EXISTS as a probe per row
    (several times slower here)."""
    return f"MINUS {{ {pattern} }}"


def _absent(pattern: str) -> str:
    """Keeps only solutions where `pattern` (with its variables bound) is not in the store: a
    look-up per row, for few rows whose pattern alone would match much of the store."""
    return f"FILTER NOT EXISTS {{ {pattern} }}"


@dataclass
class MaterializeReport:
    """What `materialize` did: the rules it ran with their times, and the inferred triple count."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    inferred: int = 0


class _Writer:
    """Collects the rules' answers as N-Triples in scratch files and writes them into the
    inferred graph with pyoxigraph's bulk loader (sorted files ingested whole: several times
    cheaper than transactional inserts, and it merges duplicates). Each load costs more than its
    size (the store's files are merged again), so answers that no later rule reads wait in a
    second file for one load at the end."""

    def __init__(self, store, graph) -> None:
        import tempfile

        self.store, self.graph = store, graph
        self.now, self.last = (tempfile.NamedTemporaryFile(prefix="conflictkg-inferred-", suffix=".nt") for _ in range(2))
        self.deferring = False  # whether answers wait for the last load

    def add(self, answer) -> None:
        import pyoxigraph as ox

        answer.serialize(self.last if self.deferring else self.now, ox.RdfFormat.N_TRIPLES)

    def load(self, last: bool = False) -> None:
        """Load what a later rule reads (and with `last`, everything), in pieces of at most
        `_LOAD_BYTES` (the bulk loader keeps a whole piece in memory)."""
        import pyoxigraph as ox

        for file in (self.now, self.last) if last else (self.now,):
            file.flush()
            file.seek(0)
            while piece := file.read(_LOAD_BYTES):
                piece += file.readline()  # to the end of the line
                self.store.bulk_load(piece, ox.RdfFormat.N_TRIPLES, to_graph=self.graph, lenient=True)
            file.seek(0)
            file.truncate()

    def close(self) -> None:
        self.now.close()
        self.last.close()


def materialize(store, plan: RulePlan | None = None, inferred_graph: URIRef = INFERRED_GRAPH) -> MaterializeReport:
    """Apply the ontology's rules to everything in `store` (a pyoxigraph Store); entailments go
    into `inferred_graph`, which is emptied first. The store should hold the ontology too (in
    `kgr:ontology`) when you want what the ontology says about its own terms.

    Every rule is a CONSTRUCT over the union of all graphs whose WHERE clause keeps only triples
    not in the store yet (an index look-up), so nothing asserted is ever inferred and nothing has
    to be removed afterwards; the answers go in with the bulk loader, before any rule that reads
    them and once at the end. The inferred graph is not written transactionally: if this fails part-way,
    run it again (it starts by emptying the graph)."""
    import time

    import pyoxigraph as ox

    from .oxi import graph_quads

    plan = plan or rule_plan()
    report = MaterializeReport()
    inferred = f"<{inferred_graph}>"
    target = ox.NamedNode(str(inferred_graph))
    writer = _Writer(store, target)

    def timed(name: str, action, load: bool = True) -> None:
        """Run one rule; `load`: its answers are loaded now (a later rule reads them), else at the end."""
        started = time.perf_counter()
        writer.deferring = not load
        action()
        if load:
            writer.load()
        report.steps.append((name, time.perf_counter() - started))

    def construct(query: str) -> None:
        writer.add(store.query(query, use_default_graph_as_union=True))

    if store.contains_named_graph(target):
        store.remove_graph(target)
    # the closed TBox's own entailments, less what the store asserts (a few hundred triples)
    store.extend(graph_quads(plan.tbox_entailments, inferred_graph))
    store.update(
        f"DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {inferred} {{ ?s ?p ?o }} "
        f"{{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {inferred}) }} }}"
    )

    # 0. owl:sameAs
    if store.query(f"ASK {{ ?x {_OWL_SAME_AS} ?y }}", use_default_graph_as_union=True):
        def same_as() -> None:
            construct(
                f"CONSTRUCT {{ ?x {_OWL_SAME_AS} ?y }} WHERE {{ ?x ({_OWL_SAME_AS}|^{_OWL_SAME_AS})+ ?y "
                f"FILTER(?x != ?y) {_new(f'?x {_OWL_SAME_AS} ?y')} }}"
            )
            writer.load()
            # copying triples to equal terms: one pass per position, each reading the closed sameAs
            # (the copies are new triples only; a triple is copied from each of its equals once)
            construct(f"CONSTRUCT {{ ?y ?p ?o }} WHERE {{ ?x {_OWL_SAME_AS} ?y . ?x ?p ?o {_absent('?y ?p ?o')} }}")
            construct(f"CONSTRUCT {{ ?s ?p ?y }} WHERE {{ ?x {_OWL_SAME_AS} ?y . ?s ?p ?x {_absent('?s ?p ?y')} }}")
            construct(f"CONSTRUCT {{ ?s ?y ?o }} WHERE {{ ?x {_OWL_SAME_AS} ?y . ?s ?x ?o {_absent('?s ?y ?o')} }}")

        timed("sameAs", same_as)

    # 2. property implications (subPropertyOf, inverseOf, SymmetricProperty together): one
    # CONSTRUCT per implied property, reading each property that implies it with an index look-up
    def implied_by(source: dict[URIRef, frozenset[tuple[URIRef, bool]]]) -> dict[URIRef, tuple[list, list]]:
        out: dict[URIRef, tuple[list, list]] = defaultdict(lambda: ([], []))
        for p, implied in source.items():
            for q, rev in implied:
                out[q][1 if rev else 0].append(p)
        return out

    def properties(transitive: bool) -> None:
        for q, (ahead, back) in sorted(implied_by(plan.implications).items()):
            if (q in plan.transitive) == transitive:
                sources = [f"?s <{p}> ?o" for p in sorted(ahead)] + [f"?o <{p}> ?s" for p in sorted(back)]
                construct(f"CONSTRUCT {{ ?s <{q}> ?o }} WHERE {{ {_union(sources)} {_new(f'?s <{q}> ?o')} }}")

    if plan.implications:
        # what step 3 reads (implied transitive properties) is loaded now, the rest at the end
        timed("subPropertyOf/inverseOf/symmetric (transitive)", lambda: properties(True))
        timed("subPropertyOf/inverseOf/symmetric", lambda: properties(False), load=False)

    # 3. transitive properties: the closures (read by what follows), then their implications
    def closures() -> None:
        for t in sorted(plan.transitive):
            construct(f"CONSTRUCT {{ ?x <{t}> ?z }} WHERE {{ ?x <{t}>+ ?z FILTER(?x != ?z) {_new(f'?x <{t}> ?z')} }}")
            construct(f"CONSTRUCT {{ ?x <{t}> ?x }} WHERE {{ ?x <{t}> ?y . ?y <{t}>+ ?x {_new(f'?x <{t}> ?x')} }}")

    def closure_implications() -> None:
        for t in sorted(plan.transitive):
            for q, rev in sorted(plan.implications.get(t, frozenset())):
                s, o = ("?o", "?s") if rev else ("?s", "?o")
                construct(
                    f"CONSTRUCT {{ {s} <{q}> {o} }} WHERE {{ GRAPH {inferred} {{ ?s <{t}> ?o }} {_new(f'{s} <{q}> {o}')} }}"
                )

    if plan.transitive:
        timed("transitive", closures)
        timed("transitive implications", closure_implications, load=False)

    # 1 and 4. types, one CONSTRUCT per class D: the nodes with an asserted type below D, or a
    # property whose domain (subject) or range (object) implies D, each once, unless typed D already
    def types() -> None:
        sources: dict[URIRef, list[str]] = defaultdict(list)
        for c, supers in plan.superclasses.items():
            for d in supers:
                sources[d].append(f"?n {_RDF_TYPE} <{c}>")
        for p, classes in plan.subject_types.items():
            for d in classes:
                sources[d].append(f"?n <{p}> ?x")
        for p, classes in plan.object_types.items():
            for d in classes:
                sources[d].append(f"?x <{p}> ?n FILTER(!isLiteral(?n))")
        for d, patterns in sorted(sources.items()):
            construct(
                f"CONSTRUCT {{ ?n {_RDF_TYPE} <{d}> }} WHERE {{ {{ SELECT DISTINCT ?n WHERE {{ {_union(sorted(patterns))} }} }} "
                f"{_new(f'?n {_RDF_TYPE} <{d}>')} }}"
            )

    if plan.superclasses or plan.subject_types or plan.object_types:
        timed("types (subClassOf, domain, range)", types, load=False)
    timed("bulk load", lambda: writer.load(last=True))

    # 5. `x owl:sameAs x` is not kept (OWL RL states it for every term)
    timed("drop reflexive sameAs", lambda: store.update(
        f"DELETE {{ GRAPH {inferred} {{ ?x {_OWL_SAME_AS} ?x }} }} WHERE {{ GRAPH {inferred} {{ ?x {_OWL_SAME_AS} ?x }} }}"
    ))
    writer.close()
    report.inferred = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {inferred} {{ ?s ?p ?o }} }}")))["n"].value)
    return report


def fast_reasoned_dataset(dataset: Dataset) -> Dataset:
    """`reasoned_dataset` through the rules: the same three parts, computed in a scratch pyoxigraph store."""
    import pyoxigraph as ox

    from .oxi import dataset_from_quads, graph_quads, store_from_dataset

    ontology = load_ontology()
    store = store_from_dataset(dataset)
    store.extend(graph_quads(ontology, ONTOLOGY_GRAPH))
    materialize(store)
    result = new_dataset()
    copy_quads(dataset, result)
    result.graph(ONTOLOGY_GRAPH).__iadd__(ontology)
    inferred = ox.NamedNode(str(INFERRED_GRAPH))
    dataset_from_quads(store.quads_for_pattern(None, None, None, inferred), result)
    return result


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


__all__ = [
    "REASONERS",
    "MaterializeReport",
    "RulePlan",
    "closure_triples",
    "entailments",
    "fast_reasoned_dataset",
    "is_standard_triple",
    "materialize",
    "reasoned_dataset",
    "rule_plan",
]
