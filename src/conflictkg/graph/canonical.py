"""Gives blank nodes canonical labels and puts quads in a fixed order, so that exports are byte-stable.

rdflib names blank nodes at random and its stores iterate in insertion order, so the same file
exported twice differs. `canonical_quads` relabels blank nodes with RDF Dataset Canonicalization
(RDFC-1.0, W3C Recommendation 2024) as Oxigraph implements it, and sorts the quads.

RDFC-1.0 is exponential on some blank-node structures (measured with pyoxigraph 0.5: a ring of
200 blank nodes 6.5 s, a 5x5 torus 2.8 s, an 8x8 grid 17 s, a list of 200 identical items 3 s;
rdflib's own `to_canonical_graph` takes 53 s for 12,000 ordinary triples). A hostile file must
not make an export hang, so a cheap analysis first finds the blank nodes RDFC-1.0 cannot tell
apart by their own triples (its "first-degree hash") and bounds the groups they form. Data past
that bound is labelled by colour refinement instead (`refinement_labels`): polynomial, the same
for the same input in practice, but not a standard and not guaranteed canonical for
adversarially symmetric structures. `last_method()` says which one was used.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from conflictkg.graph.oxigraph import rdfc_relabel

Quad = tuple[Node, Node, Node, Node | None]

# Groups of blank nodes that RDFC-1.0 must search (same first-degree hash, linked to each other)
# are allowed up to these sizes; the measured worst cases inside them take well under a second.
SMALL_GROUP, SMALL_GROUP_DEGREE = 16, 6
CHAIN_GROUP = 64  # chains and rings (no node linked to more than two others)
MAX_INDIVIDUALISATIONS = 2_000

_local = threading.local()


def last_method() -> str:
    """How the last `canonical_quads` call in this thread labelled blank nodes:
    "none" (there were none), "rdfc-1.0" or "refinement"."""
    return getattr(_local, "method", "none")


def canonical_quads(quads: Iterable[Quad], ordered: bool = True) -> list[Quad]:
    """The quads (graph None or rdflib's default-graph name = default graph) with canonical
    blank-node labels, without duplicates, sorted by their N-Quads terms (unless not `ordered`)."""
    unique = list(dict.fromkeys(_normalise(q) for q in quads))
    # Only the quads that mention blank nodes take part in canonicalisation (RDFC-1.0 hashes no others).
    plain = [q for q in unique if not any(isinstance(t, BNode) for t in q)]
    blank_quads = [q for q in unique if any(isinstance(t, BNode) for t in q)]
    _local.method = "none"
    if blank_quads:
        labelled = rdfc_relabel(blank_quads) if rdfc_is_bounded(blank_quads) else None
        _local.method = "rdfc-1.0"
        if labelled is None:
            blank = {t for q in blank_quads for t in q if isinstance(t, BNode)}
            labels = refinement_labels(blank_quads, blank)
            labelled = [tuple(BNode(labels[t]) if isinstance(t, BNode) else t for t in q) for q in blank_quads]  # type: ignore[misc]
            _local.method = "refinement"
        plain += labelled
    if not ordered:
        return plain
    texts: dict[Node, str] = {}
    return sorted(plain, key=lambda quad: sort_key(quad, texts))


def sort_key(quad: Quad, texts: dict[Node, str] | None = None) -> tuple[str, str, str, str]:
    """Graph first (default graph first of all), then subject, predicate, object, as N-Triples terms."""
    texts = {} if texts is None else texts
    s, p, o, g = quad
    return ("" if g is None else term_text(g, texts), term_text(s, texts), term_text(p, texts), term_text(o, texts))


def term_text(term: Node, texts: dict[Node, str]) -> str:
    """`term` as N-Triples writes it (memoised in `texts`)."""
    text = texts.get(term)
    if text is None:
        if isinstance(term, URIRef):
            text = f"<{term}>"
        elif isinstance(term, BNode):
            text = f"_:{term}"
        else:
            text = term.n3()
        texts[term] = text
    return text


def _normalise(quad: tuple) -> Quad:
    s, p, o = quad[:3]
    g = quad[3] if len(quad) > 3 else None
    g = getattr(g, "identifier", g)
    if g == DATASET_DEFAULT_GRAPH_ID:
        g = None
    return (s, p, o, g)


# --- the bound ------------------------------------------------------------------------------------


def first_degree_signatures(quads: list[Quad]) -> dict[BNode, str]:
    """RDFC-1.0's first-degree hash of each blank node (its quads, itself as _:a, others as _:z)."""
    lines: dict[BNode, list[str]] = defaultdict(list)
    texts: dict[Node, str] = {}
    for quad in quads:
        nodes = [t for t in quad if isinstance(t, BNode)]
        for node in set(nodes):
            lines[node].append(
                " ".join(
                    "" if t is None else ("_:a" if t == node else "_:z") if isinstance(t, BNode) else term_text(t, texts)
                    for t in quad
                )
            )
    return {node: _digest("\n".join(sorted(found))) for node, found in lines.items()}


def rdfc_is_bounded(quads: list[Quad]) -> bool:
    """Whether RDFC-1.0 finishes quickly: the blank nodes sharing a first-degree hash form small groups."""
    signatures = first_degree_signatures(quads)
    counts: dict[str, int] = defaultdict(int)
    for signature in signatures.values():
        counts[signature] += 1
    ambiguous = {node for node, signature in signatures.items() if counts[signature] > 1}
    if not ambiguous:
        return True
    neighbours: dict[BNode, set[BNode]] = defaultdict(set)
    for quad in quads:
        linked = [t for t in quad if t in ambiguous]
        for a in linked:
            neighbours[a].update(b for b in linked if b != a)
    seen: set[BNode] = set()
    for start in ambiguous:
        if start in seen:
            continue
        group, stack, degree = 0, [start], 0
        seen.add(start)
        while stack:
            node = stack.pop()
            group += 1
            degree = max(degree, len(neighbours[node]))
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        small = group <= SMALL_GROUP and degree <= SMALL_GROUP_DEGREE
        chain = degree <= 2 and group <= CHAIN_GROUP
        if not (small or chain):
            return False
    return True


# --- RDFC-1.0 through Oxigraph --------------------------------------------------------------------


# --- the fallback: colour refinement --------------------------------------------------------------


def refinement_labels(quads: list[Quad], blank: set[BNode]) -> dict[BNode, str]:
    """Labels from colour refinement (1-dimensional Weisfeiler-Leman) over the quads, with ties
    broken by individualising one node at a time. Tied nodes are usually interchangeable
    (symmetric), and then the choice does not change the output.

    Each round signs only the nodes next to a node whose colour changed, and when a class splits
    one part keeps its colour (the members none of whose neighbours changed, else the largest
    part), so the nodes next to it need no new look: a chain of n blank nodes takes n/2 rounds,
    and recolouring every node in every round cost n^2 (a 4,000-node chain took 70 s).""" 
    texts: dict[Node, str] = {}
    incident: dict[BNode, list[Quad]] = defaultdict(list)
    for quad in quads:
        for node in {t for t in quad if isinstance(t, BNode)}:
            incident[node].append(quad)
    neighbours = {node: {t for quad in incident[node] for t in quad if isinstance(t, BNode) and t != node} for node in blank}
    colour = {node: "" for node in blank}
    members: dict[str, set[BNode]] = defaultdict(set)
    members[""] = set(blank)

    def signature(node: BNode) -> str:
        around = sorted(
            "|".join(
                "" if t is None else ("*" if t == node else "_:" + colour[t]) if isinstance(t, BNode) else term_text(t, texts)
                for t in quad
            )
            for quad in incident[node]
        )
        return "\n".join(around)

    def recolour(node: BNode, value: str) -> None:
        members[colour[node]].discard(node)
        members[value].add(node)
        colour[node] = value

    def refine(dirty: set[BNode]) -> None:
        # A node none of whose neighbours changed colour has the signature it had when its class
        # last became stable, the same as every such member of its class, so only dirty nodes are
        # signed; every change of a round is made after all of its signatures are taken.
        while dirty:
            by_class: dict[str, list[BNode]] = defaultdict(list)
            for node in dirty:
                by_class[colour[node]].append(node)
            changes: dict[BNode, str] = {}
            for value, nodes in by_class.items():
                groups: dict[str, list[BNode]] = defaultdict(list)
                for node in nodes:
                    groups[signature(node)].append(node)
                unchanged = len(members[value]) - len(nodes)
                if unchanged == 0 and len(groups) == 1:
                    continue
                if unchanged == 0:  # the largest part keeps the colour (Hopcroft's "all but one part")
                    del groups[max(groups, key=lambda sign: (len(groups[sign]), sign))]
                for sign, group in groups.items():
                    fresh = _digest(value + "\n" + sign)
                    changes.update((node, fresh) for node in group)
            dirty = set()
            for node, value in changes.items():
                recolour(node, value)
                dirty |= neighbours[node]

    refine(set(blank))
    for _round in range(MAX_INDIVIDUALISATIONS):
        tied = [value for value, nodes in members.items() if len(nodes) > 1]
        if not tied:
            break
        value = min(tied, key=lambda v: (len(members[v]), v))
        chosen = min(members[value], key=str)
        recolour(chosen, _digest(value + "!"))
        refine(set(neighbours[chosen]))
    order = sorted(blank, key=lambda node: (colour[node], str(node)))
    return {node: f"b{index}" for index, node in enumerate(order)}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --- labels for skolemising: distinct, from the structure ----------------------------------------


def structural_labels(quads: Iterable[Quad], rounds: int = 32) -> dict[BNode, str]:
    """A label for every blank node, from what the quads say about it, never the same for two nodes.

    Colour refinement first: each node starts from the quads it is in (blank neighbours unlabelled)
    and takes in its neighbours' labels until the partition stops changing, so the labels do not
    depend on the parser's blank-node ids or the order of the quads. Nodes still tied (a 2-cycle
    `_:a p _:b . _:b p _:a`, a list of equal items, repeated structures) are then told apart one at
    a time inside their connected group: the node of the smallest tied class is marked and the group
    refined again. Tied nodes are usually interchangeable (an automorphism maps one to the other),
    and then which is marked first does not change the labelled quads; for the rare structures
    refinement cannot resolve that are not symmetric, the labels may depend on the parser's ids,
    but they stay distinct, so the labelled graph is always isomorphic to the input.
    """
    edges: dict[BNode, list[tuple[str, Node, Node, Node]]] = defaultdict(list)
    links: dict[BNode, set[BNode]] = defaultdict(set)
    for s, p, o, g in quads:
        blank = [t for t in (s, o, g) if isinstance(t, BNode)]
        if not blank:
            continue
        if isinstance(s, BNode):
            edges[s].append(("out", p, o, g))
        if isinstance(o, BNode):
            edges[o].append(("in", p, s, g))
        if isinstance(g, BNode):
            edges[g].append(("graph", p, s, o))
        for a in blank:
            links[a].update(b for b in blank if b != a)
    if not edges:
        return {}
    texts: dict[Node, str] = {}

    def key(term: Node, labels: dict[BNode, str]) -> str:
        if isinstance(term, BNode):
            return "_:" + labels.get(term, "")
        return "" if term is None else term_text(term, texts)

    def refine(labels: dict[BNode, str], nodes: list[BNode]) -> dict[BNode, str]:
        """Refines the labels of `nodes` in place (their blank neighbours are among them)."""
        classes = len({labels[n] for n in nodes})
        for _round in range(rounds):
            new = {}
            for node in nodes:
                parts = sorted("|".join((d, key(p, labels), key(a, labels), key(b, labels))) for d, p, a, b in edges[node])
                new[node] = _digest(labels[node] + "\n" + "\n".join(parts))[:20]
            labels.update(new)
            now = len({new[n] for n in nodes})
            if now == classes and _round > 0:
                break
            classes = now
        return labels

    labels = refine({node: "" for node in edges}, list(edges))
    # Ties are resolved group by group (blank nodes linked through shared quads).
    seen: set[BNode] = set()
    for start in sorted(edges, key=lambda n: labels[n]):
        if start in seen:
            continue
        group, stack = [], [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            for other in links[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        labels = _untie(labels, group, refine)
    # Separate groups with equal structure (two copies of one structure) share labels: number them.
    members: dict[str, list[BNode]] = defaultdict(list)
    for node, label in labels.items():
        members[label].append(node)
    if all(len(nodes) == 1 for nodes in members.values()):
        return labels
    return _number_copies(labels, members, links)


def _untie(labels: dict[BNode, str], group: list[BNode], refine) -> dict[BNode, str]:
    for _round in range(len(group)):
        members: dict[str, list[BNode]] = defaultdict(list)
        for node in group:
            members[labels[node]].append(node)
        tied = [value for value, nodes in members.items() if len(nodes) > 1]
        if not tied:
            break
        value = min(tied, key=lambda v: (len(members[v]), v))
        chosen = min(members[value], key=str)
        labels[chosen] = _digest(value + "!")[:20]
        labels = refine(labels, group)
    return labels


def _number_copies(labels: dict[BNode, str], members: dict[str, list[BNode]], links: dict[BNode, set[BNode]]) -> dict[BNode, str]:
    """Copies of one structure (groups whose labels are the same) get the copy's number: each group
    is named by its smallest label, and its copies are numbered in the order of their nodes' ids."""
    group_of: dict[BNode, int] = {}
    groups: list[list[BNode]] = []
    for start in sorted(labels, key=lambda n: (labels[n], str(n))):
        if start in group_of:
            continue
        group, stack = [], [start]
        group_of[start] = len(groups)
        while stack:
            node = stack.pop()
            group.append(node)
            for other in links[node]:
                if other not in group_of:
                    group_of[other] = len(groups)
                    stack.append(other)
        groups.append(group)
    copies: dict[tuple[str, ...], int] = defaultdict(int)
    result = {}
    for group in groups:
        signature = tuple(sorted(labels[n] for n in group))
        number = copies[signature]
        copies[signature] += 1
        for node in group:
            result[node] = labels[node] if number == 0 else f"{labels[node]}-{number}"
    return result
