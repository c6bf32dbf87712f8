"""Runs the claim-relation rules inside an Oxigraph store: the database's own, or a scratch one for in-memory data."""

from __future__ import annotations

import functools
import os
import re

from rdflib import Dataset, Graph
from rdflib.namespace import PROV, RDF, RDFS

from conflictkg import progress
from conflictkg.errors import QueryError
from conflictkg.graph.namespaces import CKG, KGR, bind_prefixes
from conflictkg.graph.oxigraph import load_ntriples, load_ntriples_in_pieces
from conflictkg.inference.claim_relations import (
    DERIVATION,
    MAX_ROUNDS,
    RELATIONS_GRAPH,
    Rule,
    _claim_sources,
    _provenance,
    mentioned_iris,
    remove_claim_relations,
    shipped_rules,
    template_iris,
)


def derive(dataset: Dataset, ontology: Graph | None = None, rules: list[Rule] | None = None) -> set[tuple]:
    """What the rules derive from every graph of `dataset` together with `ontology` (the rules
    read the class hierarchy and the epistemic mappings; None: the shipped ontology), as rdflib
    triples, computed in a scratch in-memory Oxigraph store that holds only the triples whose
    predicate a rule names."""
    import pyoxigraph as ox

    from conflictkg.graph.oxigraph import from_ox, graph_quads

    rules = shipped_rules() if rules is None else rules
    store = ox.Store()
    store.extend(_quads_read_by(dataset, rules))
    store.extend(graph_quads(ontology, ontology.identifier) if ontology is not None else _shipped_ontology_quads())
    run_rules(store, rules)
    target = ox.NamedNode(str(RELATIONS_GRAPH))
    return {(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store.quads_for_pattern(None, None, None, target)}


def run_rules(store, rules: list[Rule]) -> int:
    """Run `rules` on a pyoxigraph store (its default graph read as the union of all graphs) to a
    fixpoint, adding what they derive to the store's graph kgr:claim-relations; returns the number
    of triples the rules built (counted with repeats, as they came).

    Each rule's CONSTRUCT answer goes from Oxigraph to Oxigraph as N-Triples bytes (no Python
    object per triple). The rules run in the order of what they read (`_dependencies`): the rules
    that read nothing another rule builds at once, then each rule after every rule it reads from.
    When no rule reads, directly or through others, what it builds itself, that one pass is the
    fixpoint; otherwise the rules on such a cycle run again, into a scratch graph, until a round
    derives nothing new. Raises QueryError if a rule builds a link that does not name it."""
    import pyoxigraph as ox

    target = ox.NamedNode(str(RELATIONS_GRAPH))
    scratch = ox.NamedNode(str(KGR["scratch-claim-relations"]))
    depends = _dependencies(rules)
    built = 0

    def construct(rule: Rule, graph) -> None:
        nonlocal built
        data = _construct_ntriples(store, rule)
        built += data.count(b"\n")
        if data:  # the bulk loader: several times faster than a transactional load for large answers, and
            # it does not hold the whole answer in a transaction (the graph is dropped before a new derivation)
            load_ntriples(store, data, graph)

    # the rules that read nothing another rule builds run at once (pyoxigraph releases the GIL
    # while it answers, so two cores answer two rules), then the others in dependency order
    independent = [rule for rule in rules if not depends[rule.name]]
    answers = _answers_at_once(store, independent)
    data = b"".join(answers[rule.name] for rule in independent)
    built += data.count(b"\n")
    if data:  # one bulk load for all of them: each load into an on-disk store merges its files again
        load_ntriples(store, data, target)
    for rule in _in_dependency_order([rule for rule in rules if rule not in independent], depends):
        construct(rule, target)
    cyclic = _on_a_cycle(rules, depends)
    reads = {rule.name: _reads(rule) for rule in rules}
    pending = list(cyclic)
    for _round in range(1, MAX_ROUNDS):
        if not pending:
            return built
        store.remove_graph(scratch) if store.contains_named_graph(scratch) else None
        for rule in pending:
            construct(rule, scratch)
        new = [
            (row["s"], row["p"], row["o"])
            for row in store.query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{scratch.value}> {{ ?s ?p ?o }} "
                f"MINUS {{ GRAPH <{target.value}> {{ ?s ?p ?o }} }} }}"  # one hash anti-join, not a probe per triple
            )
        ]
        store.remove_graph(scratch) if store.contains_named_graph(scratch) else None
        if not new:
            return built
        store.extend(ox.Quad(s, p, o, target) for s, p, o in new)
        new_terms = {p for _s, p, _o in new} | {o for _s, _p, o in new if isinstance(o, ox.NamedNode)}
        pending = [rule for rule in rules if reads[rule.name] & new_terms]
    raise QueryError(f"the rules did not reach a fixpoint in {MAX_ROUNDS} rounds")


def _dependencies(rules: list[Rule]) -> dict[str, set[str]]:
    """For each rule, the rules whose template builds something its WHERE clause reads. A rule
    that reads `ckg:derivedByRule <R>` reads what rule R builds, not every rule's links (each rule
    names itself on what it builds), so ckg:derivedByRule itself counts as read by no rule."""
    import pyoxigraph as ox

    naming = ox.NamedNode(str(CKG.derivedByRule))
    builds = {
        rule.name: ({ox.NamedNode(str(i)) for i in template_iris(rule)} - {naming}) | {ox.NamedNode(str(rule.iri))}
        for rule in rules
    }
    return {
        rule.name: {other.name for other in rules if (_reads(rule) - {naming}) & builds[other.name]}
        for rule in rules
    }


def _on_a_cycle(rules: list[Rule], depends: dict[str, set[str]]) -> list[Rule]:
    """The rules that read, directly or through other rules, what they build themselves."""
    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(depends[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(depends.get(name, ()))
        return seen

    return [rule for rule in rules if rule.name in reaches(rule.name)]


def _answers_at_once(store, rules: list[Rule]) -> dict[str, bytes]:
    """Each rule's CONSTRUCT answer as N-Triples, the rules run in two threads."""
    from concurrent.futures import ThreadPoolExecutor

    if len(rules) < 2:
        return {rule.name: _construct_ntriples(store, rule) for rule in rules}
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        futures = {rule.name: pool.submit(_construct_ntriples, store, rule) for rule in rules}
        return {name: future.result() for name, future in futures.items()}


_DERIVED_BY_LINE = re.compile(rb"^\S+ <" + str(CKG.derivedByRule).encode() + rb"> (.+) \.$", re.MULTILINE)


def _construct_ntriples(store, rule: Rule) -> bytes:
    """The triples `rule` builds on `store`, as N-Triples; QueryError if one of its links names
    another rule with ckg:derivedByRule."""
    import pyoxigraph as ox

    try:
        result = store.query(rule.text, use_default_graph_as_union=True)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):  # (a server's answer is not a QueryTriples)
            raise QueryError(f"rule {rule.name} is not a CONSTRUCT query")
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as error:
        raise QueryError(f"rule {rule.name}: {error}") from None
    naming = f" <{CKG.derivedByRule}> ".encode()
    if data.count(naming) != data.count(naming + f"<{rule.iri}> .\n".encode()) and set(
        _DERIVED_BY_LINE.findall(data)
    ) - {f"<{rule.iri}>".encode()}:  # counting first: a regular expression over every line is slow
        raise QueryError(f"rule {rule.name} derived a link that does not name it with ckg:derivedByRule")
    return data


def _reads(rule: Rule) -> set:
    """The IRIs of a rule's WHERE clause as pyoxigraph terms, but rdf:type (a derived `?x a
    ckg:ClaimRelation` matters to a rule only if it names ckg:ClaimRelation, which the objects of
    the derived triples show) and rdfs:label (the rules read labels only to name what they build,
    never to decide what to build), and the rule's own IRI (which it binds to name itself in what
    it builds)."""
    import pyoxigraph as ox

    return {ox.NamedNode(str(i)) for i in mentioned_iris(rule, where_only=True) if i not in (RDF.type, RDFS.label, rule.iri)}


def _in_dependency_order(rules: list[Rule], depends: dict[str, set[str]]) -> list[Rule]:
    """`rules` with each after the rules it reads from (such as disputed-by-conflicting-figure
    after disjoint-bounds); a cycle is broken in the given order (the later rounds finish it)."""
    placed: list[Rule] = []
    names = {rule.name for rule in rules}
    remaining = list(rules)
    while remaining:
        ready = [rule for rule in remaining
                 if not (depends[rule.name] & names) - {done.name for done in placed} - {rule.name}]
        chosen = ready[0] if ready else remaining[0]
        placed.append(chosen)
        remaining.remove(chosen)
    return placed


def add_claim_relations_in_store(store, on_disk: bool = False) -> int:
    """What `add_claim_relations` does, inside a pyoxigraph store (an Oxigraph database filled by
    `conflictkg load`): replace its graph kgr:claim-relations and that graph's provenance. The
    shipped ontology is added for the run in a scratch graph unless the store holds kgr:ontology.
    `on_disk`: the store is a database, and the rules run on an in-memory copy of what they read
    (`_derive_on_a_copy`), in shards when it is large. Returns the number of triples derived."""
    import pyoxigraph as ox

    from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
    from conflictkg.graph.oxigraph import from_ox, graph_quads

    store.update(f"DROP SILENT GRAPH <{RELATIONS_GRAPH}>")
    store.update(f"DELETE WHERE {{ <{RELATIONS_GRAPH}> ?p ?o }} ; DELETE WHERE {{ <{DERIVATION}> ?p ?o }}")
    if not store.query(f"ASK {{ ?c a <{CKG.Claim}> }}", use_default_graph_as_union=True):
        return 0
    claims = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c a <{CKG.Claim}> }} }}")
    holding = [row["g"] for row in claims]  # named graphs with claims, whose sources the derived graph names
    rules = shipped_rules()
    with_ontology = bool(store.query(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"))
    if on_disk:
        _derive_on_a_copy(store, rules, with_ontology)
    else:  # in memory, or on a server (nothing is copied out of one): the rules run where the data is
        scratch = None
        if not with_ontology:
            scratch = ox.NamedNode(str(KGR["scratch-ontology-for-rules"]))
            store.extend(ox.Quad(q.subject, q.predicate, q.object, scratch) for q in _shipped_ontology_quads())
        try:
            with progress.stage(f"deriving claim relations ({len(rules)} rules)"):
                progress.note(run_rules(store, rules), "triples built")
        finally:
            if scratch is not None:
                store.update(f"DROP SILENT GRAPH <{scratch.value}>")
    derived_count = int(next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{RELATIONS_GRAPH}> {{ ?s ?p ?o }} }}"
    )))["n"].value)
    sources = set()
    for graph in holding:
        for row in store.query(f"SELECT ?s WHERE {{ <{graph.value}> <{PROV.wasDerivedFrom}> ?s }}", use_default_graph_as_union=True):
            if isinstance(row["s"], ox.NamedNode):
                sources.add(from_ox(row["s"]))
    meta = bind_prefixes(Graph())
    _provenance(meta, sorted(sources, key=str), rules)
    store.extend(graph_quads(meta, None))
    return derived_count


# How much of what the rules read (as N-Triples) one in-memory store takes at a time. An in-memory
# Oxigraph store with the rules' answers and their working tables peaks at about 9 bytes of memory
# per byte of N-Triples (2.4 GB at 100,000 generated events, 267 MB copied); past this the copy is
# split into shards that no rule joins across (`rule_shards`), each derived on its own, so memory
# stays near 2.5 GB however large the database.
SHARD_BYTES = 256 << 20


def _derive_on_a_copy(store, rules: list[Rule], with_ontology: bool) -> None:
    """Derive into `store`'s kgr:claim-relations with the rules run on in-memory copies of only
    the triples whose predicate a rule names (the rules never use a variable as a predicate): on
    a database every rule's answer would otherwise be written to disk and merged again, and the
    anti-joins read from disk (4.7 times slower at 100,000 events, measured on one copy). The
    copy and the answer pass through temporary N-Triples files, engine to engine, and the answer
    goes into the database with the bulk loader, in pieces of WRITE_BACK_BYTES. A copy larger
    than SHARD_BYTES is derived in shards, one in memory at a time."""
    import math
    import tempfile
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    import pyoxigraph as ox

    from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
    from conflictkg.stores.rule_shards import split

    target = ox.NamedNode(str(RELATIONS_GRAPH))
    predicates = sorted({str(i) for rule in rules for i in mentioned_iris(rule)})
    with tempfile.TemporaryDirectory(prefix="conflictkg-rules-") as name:
        folder = Path(name)
        answer = folder / "derived.nt"

        def copy(number: int, predicate: str) -> Path:
            path = folder / f"read-{number}.nt"
            store.query(
                f"CONSTRUCT {{ ?s <{predicate}> ?o }} WHERE {{ ?s <{predicate}> ?o }}",
                use_default_graph_as_union=True,
            ).serialize(output=str(path), format=ox.RdfFormat.N_TRIPLES)
            return path

        with progress.stage("copying what the rules read"):
            # one index range per predicate, two at a time (the engine releases the GIL while it reads)
            with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
                copies = dict(zip(predicates, pool.map(copy, range(len(predicates)), predicates)))
            copied = sum(path.stat().st_size for path in copies.values())
            progress.note(copied >> 20, "MB")
        if with_ontology:  # the database's own ontology, for every shard (its terms are not all hubs)
            ontology = folder / "ontology.nt"
            store.dump(output=str(ontology), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
        shards = max(1, math.ceil(copied / SHARD_BYTES))
        if shards == 1:
            batches = [list(copies.values())]
        else:
            with progress.stage(f"splitting it into {shards} shards no rule joins across"):
                hubs, shard_paths = split(copies, folder, shards)
            batches = [[hubs, path] for path in shard_paths]
        with progress.stage(f"deriving claim relations ({len(rules)} rules)"), open(answer, "wb") as out:
            built = 0
            for batch in batches:
                work = ox.Store()
                for path in batch:
                    load_ntriples(work, path, ox.DefaultGraph())
                if with_ontology:
                    work.bulk_load(path=str(ontology), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
                else:
                    work.extend(_shipped_ontology_quads())
                built += run_rules(work, rules)
                work.dump(output=out, format=ox.RdfFormat.N_TRIPLES, from_graph=target)
                del work
            progress.note(built, "triples built")
        with progress.stage("writing the claim relations into the database"), open(answer, "rb") as derived:
            load_ntriples_in_pieces(store, derived, target, WRITE_BACK_BYTES)


# The bulk loader holds what it is given: at 100,000 events the process grew by about twice the
# answer's 150 MB while it went in, and at a million events (a 1.5 GB answer) derivation peaked
# at 5.1 GB; so the answer goes in in pieces.
WRITE_BACK_BYTES = 256 << 20


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
    graph.addN((s, p, o, graph) for s, p, o in derived)
    _provenance(dataset.default_graph, sources, rules)
    return len(derived)


def _quads_read_by(dataset: Dataset, rules: list[Rule]):
    """The quads whose predicate a rule names, as pyoxigraph quads in the default graph (the rules
    never use a variable as a predicate, so nothing else can match; converting only these keeps
    large data sets cheap)."""
    import pyoxigraph as ox

    from conflictkg.graph.oxigraph import to_ox

    memo: dict = {}

    def term(node):
        converted = memo.get(node)
        if converted is None:
            converted = memo[node] = to_ox(node)
        return converted

    default = ox.DefaultGraph()
    predicates = set().union(*(mentioned_iris(rule) for rule in rules)) if rules else set()
    for predicate in sorted(predicates, key=str):
        for s, p, o, _g in dataset.quads((None, predicate, None, None)):
            yield ox.Quad(term(s), term(p), term(o), default)


@functools.lru_cache(maxsize=1)
def _shipped_ontology_quads() -> tuple:
    """The shipped ontology as pyoxigraph quads in kgr:ontology, parsed once per process."""
    from conflictkg.graph.oxigraph import graph_quads
    from conflictkg.graph.parse import load_ontology

    ontology = load_ontology()
    return tuple(graph_quads(ontology, ontology.identifier))
