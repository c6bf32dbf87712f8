"""Applies the closed TBox's rules inside an Oxigraph store (the fast reasoner), and picks the reasoner for a reasoned export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from rdflib import Dataset, URIRef
from rdflib.namespace import OWL, RDF
from conflictkg import progress
from conflictkg.errors import UsageError
from conflictkg.graph.parse import copy_quads, load_ontology, new_dataset, union_graph
from conflictkg.graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from conflictkg.inference.owl import REASONERS, RulePlan, entailments, rule_plan


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
        from conflictkg.graph.oxigraph import load_ntriples_in_pieces

        for file in (self.now, self.last) if last else (self.now,):
            file.flush()
            file.seek(0)
            load_ntriples_in_pieces(self.store, file, self.graph, _LOAD_BYTES, lenient=True)
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

    from conflictkg.graph.oxigraph import graph_quads

    plan = plan or rule_plan()
    report = MaterializeReport()
    inferred = f"<{inferred_graph}>"
    target = ox.NamedNode(str(inferred_graph))
    writer = _Writer(store, target)

    def timed(name: str, action, load: bool = True) -> None:
        """Run one rule; `load`: its answers are loaded now (a later rule reads them), else at the end."""
        started = time.perf_counter()
        writer.deferring = not load
        with progress.stage(name):
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

    from conflictkg.graph.oxigraph import dataset_from_quads, graph_quads, store_from_dataset

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
