"""Merges graphs into one data set and links what stands for the same place, actor or event, with reasons."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL as _OWL
from rdflib.term import Node

from conflictkg import __version__
from conflictkg.errors import InputError, UsageError
from conflictkg.exchange.importers.common import (
    CKG,
    CKV,
    DCTERMS,
    GEO,
    KGR,
    KID,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    _Attributes,
)
from conflictkg.graph.formats import RdfFormat, format_for_path
from conflictkg.graph.namespaces import bind_prefixes

OWL = _Attributes(_OWL)
RECONCILIATION_GRAPH = KGR["reconciliation"]
GENID = "https://w3id.org/conflictkg/.well-known/genid/"
CONFLICTKG_AGENT = KID["actor/conflictkg"]
RULE = CKV["match-rule/"]
DISTANCE_BOUND_KM = 25.0
SAME_AS_FROM = 0.9
EXACT_MATCH_FROM = 0.6
LONGEST_EVENT_DAYS = 31
LONGEST_CONTAINER_DAYS = 366  # a year-precise event may contain a precise one (skos:closeMatch)
EVENT_ACTOR_PROPERTIES = (CKG.hasActor, CKG.perpetrator, CKG.target, CKG.combatant)
_ADMIN_WORDS = {
    "region", "province", "state", "district", "department", "governorate", "county", "prefecture", "division",
    "township", "municipality", "cercle", "commune", "town", "village", "city",
}
_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)
Quad = tuple[Node, Node, Node, Node]


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def normal_name(name: str) -> str:
    """A name for comparison: accents, case and punctuation removed, "&" read as "and"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


def normal_place_name(name: str) -> str:
    """A place name for comparison: also without words for the kind of division ("Koulikoro Region")."""
    words = [w for w in normal_name(name).split() if w not in _ADMIN_WORDS]
    return " ".join(words) or normal_name(name)


def kind_words(name: str) -> set[str]:
    """The words of a place name that say its kind of division ("Mopti Cercle" -> {"cercle"})."""
    return {w for w in normal_name(name).split() if w in _ADMIN_WORDS}


@dataclass(frozen=True)
class Alias:
    entry: str
    match: str  # "same" or "close"


class AliasTable:
    """The alias table: names that stand for the same actor or place, grouped under an entry."""

    def __init__(self, rows: Iterable[dict[str, str]], origin: str = "aliases.csv"):
        self.names: dict[tuple[str, str], list[Alias]] = defaultdict(list)
        for number, row in enumerate(rows, start=2):
            kind = (row.get("kind") or "").strip()
            entry = (row.get("entry") or "").strip()
            name = (row.get("name") or "").strip()
            match = (row.get("match") or "same").strip() or "same"
            if kind not in ("actor", "place") or not entry or not name or match not in ("same", "close"):
                raise InputError(
                    f"{origin}:{number}: an alias row needs kind (actor or place), entry, name and match (same or close)"
                )
            key = normal_place_name(name) if kind == "place" else normal_name(name)
            alias = Alias(entry, match)
            if alias not in self.names[(kind, key)]:
                self.names[(kind, key)].append(alias)

    @classmethod
    def load(cls, path: str | None = None) -> AliasTable:
        """The shipped table (data/aliases.csv) or the user's."""
        if path is None:
            from conflictkg.graph.resources import resource_file

            text = resource_file("data", "aliases.csv").read_text("utf-8")
            origin = "data/aliases.csv"
        else:
            try:
                text = Path(path).read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise InputError(f"{path}: cannot read the alias table: {error}") from None
            origin = path
        return cls(csv.DictReader(io.StringIO(text)), origin)

    def entries(self, kind: str, key: str) -> list[Alias]:
        return self.names.get((kind, key), [])


_DATED = re.compile(r"^(.*\S)\s*\((\d{4})\s*-\s*(\d{4})?\)$")


def dated_name(name: str) -> tuple[str, tuple[int, int | None] | None]:
    """ACLED's dated actor names: "Military Forces of Mali (2013-2020)" -> ("Military Forces of
    Mali", (2013, 2020)); "(2021-)" -> (2021, None); other names -> (name, None)."""
    match = _DATED.match(name.strip())
    if not match:
        return name, None
    return match.group(1), (int(match.group(2)), int(match.group(3)) if match.group(3) else None)


@dataclass(frozen=True)
class Step:
    """One row of the succession table: a group merged into or renamed as another, when, and the source."""

    predecessor: str
    successor: str
    relation: str  # "merged into" or "renamed as"
    date: dt.date
    source: str


class Succession:
    """The reviewed table of actors over time (data/actor-succession.csv): mergers and renamings
    with their date and source. Names are matched like actor names (and through the alias table)."""

    RELATIONS: ClassVar[dict[str, str]] = {"merged-into": "merged into", "renamed-as": "renamed as"}

    def __init__(self, rows: Iterable[dict[str, str]], aliases: AliasTable, origin: str = "actor-succession.csv"):
        self.steps: list[tuple[set[tuple[str, str]], set[tuple[str, str]], Step]] = []
        for number, row in enumerate(rows, start=2):
            values = {k: (row.get(k) or "").strip() for k in ("predecessor", "successor", "relation", "date", "source", "source_url")}
            try:
                day = dt.date.fromisoformat(values["date"])
            except ValueError:
                day = None
            if not values["predecessor"] or not values["successor"] or values["relation"] not in self.RELATIONS or day is None or not values["source"]:
                raise InputError(
                    f"{origin}:{number}: a succession row needs predecessor, successor, relation "
                    f"({' or '.join(self.RELATIONS)}), date (YYYY-MM-DD) and source"
                )
            step = Step(values["predecessor"], values["successor"], self.RELATIONS[values["relation"]], day, values["source"])
            self.steps.append((self._keys(values["predecessor"], aliases), self._keys(values["successor"], aliases), step))

    @staticmethod
    def _keys(name: str, aliases: AliasTable) -> set[tuple[str, str]]:
        key = normal_name(name)
        return {("name", key)} | {("alias", alias.entry) for alias in aliases.entries("actor", key)}

    @classmethod
    def load(cls, aliases: AliasTable) -> Succession:
        """The shipped table."""
        from conflictkg.graph.resources import resource_file

        text = resource_file("data", "actor-succession.csv").read_text("utf-8")
        return cls(csv.DictReader(io.StringIO(text)), aliases, "data/actor-succession.csv")

    def between(self, earlier: set[tuple[str, str]], later: set[tuple[str, str]]) -> list[Step]:
        """The steps that lead from an actor with keys `earlier` to one with keys `later`."""
        return [step for before, after, step in self.steps if before & earlier and after & later]


# ---------------------------------------------------------------------------
# Loading and skolemising the inputs
# ---------------------------------------------------------------------------


@dataclass
class Input:
    """One input: its name as given, the digest of its text, and its quads (blank nodes skolemised)."""

    name: str
    key: str
    quads: list[Quad]
    skolemised: int = 0

    @property
    def graphs(self) -> set[Node]:
        return {g for _s, _p, _o, g in self.quads}


def read_input(location: str, input_format: str | None = None) -> Input:
    """Parse one file into quads, with its blank nodes replaced by stable IRIs."""
    from conflictkg.graph.parse import new_dataset, parse_into, read_text, source_for
    from conflictkg.guard import inputs as inputcheck

    source = source_for(location, input_format)
    text = read_text(source)
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    name = Path(location).name if location != "-" else "<stdin>"
    if source.format in (RdfFormat.NQUADS, RdfFormat.NTRIPLES):
        quads = read_lines(text)
        if quads is not None:
            inputcheck.check_iris(inputcheck.terms_of(quads), source.display_name, text)
            return _skolemised_quads(name, key, quads)
    dataset = new_dataset()
    parse_into(dataset, source, text)
    return _skolemised(name, key, dataset)


_IRI_T = r"<([^<>\"{}|^`\\\x00-\x20]*)>"
_BNODE_T = r"_:([A-Za-z0-9_][A-Za-z0-9_.\-]*)"
_LITERAL_T = r'"((?:[^"\\\n\r]|\\.)*)"(?:@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^' + _IRI_T + ")?"
_LINE = re.compile(
    r"^[ \t]*(?:" + _IRI_T + "|" + _BNODE_T + r")[ \t]+" + _IRI_T + r"[ \t]+(?:" + _IRI_T + "|" + _BNODE_T + "|" + _LITERAL_T
    + r")(?:[ \t]+(?:" + _IRI_T + "|" + _BNODE_T + r"))?[ \t]*\.[ \t]*(?:#.*)?$"
)
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    if match.group(1) or match.group(2):
        return chr(int(match.group(1) or match.group(2), 16))
    return _SIMPLE_ESCAPES[match.group(3)]


def read_lines(text: str) -> list[Quad] | None:
    """N-Quads or N-Triples read line by line (many times faster than rdflib's parser); None when a
    line is not in the plain form this reader knows, so that rdflib reads the file instead."""
    quads: list[Quad] = []
    iris: dict[str, URIRef] = {}
    bnodes: dict[str, BNode] = {}

    def iri(value: str) -> URIRef:
        term = iris.get(value)
        if term is None:
            term = iris[value] = URIRef(value)
        return term

    def bnode(label: str) -> BNode:
        term = bnodes.get(label)
        if term is None:
            term = bnodes[label] = BNode()
        return term

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            return None
        (s_iri, s_bnode, p_iri, o_iri, o_bnode, lexical, language, datatype, g_iri, g_bnode) = match.groups()
        subject = iri(s_iri) if s_iri is not None else bnode(s_bnode)
        if o_iri is not None:
            obj: Node = iri(o_iri)
        elif o_bnode is not None:
            obj = bnode(o_bnode)
        else:
            if "\\" in lexical:
                try:
                    lexical = _UNESCAPE.sub(_unescape, lexical)
                except KeyError:
                    return None
            obj = Literal(lexical, lang=language) if language else Literal(lexical, datatype=iri(datatype) if datatype else None)
        graph: Node = iri(g_iri) if g_iri is not None else bnode(g_bnode) if g_bnode is not None else DATASET_DEFAULT_GRAPH_ID
        quads.append((subject, iri(p_iri), obj, graph))
    return quads


def builtin_input() -> Input:
    """The built-in article graph(s) as one input."""
    from conflictkg.graph.parse import add_builtin_data, new_dataset
    from conflictkg.graph.resources import resource_files

    dataset = new_dataset()
    add_builtin_data(dataset)
    digest = hashlib.sha256()
    for entry in resource_files("data", ".trig"):
        digest.update(entry.read_bytes())
    return _skolemised("built-in data", digest.hexdigest()[:12], dataset)


def _skolemised(name: str, key: str, dataset: Dataset) -> Input:
    quads = [(s, p, o, g) for s, p, o, g in dataset.quads((None, None, None, None))]
    quads = [(s, p, o, DATASET_DEFAULT_GRAPH_ID if g is None else _graph_name(g)) for s, p, o, g in quads]
    return _skolemised_quads(name, key, quads)


def _skolemised_quads(name: str, key: str, quads: list[Quad]) -> Input:
    quads = list(dict.fromkeys(quads))  # a set, in a fixed order
    if quads and all(g == DATASET_DEFAULT_GRAPH_ID for _s, _p, _o, g in quads):
        # An input without named graphs (Turtle, N-Triples, most JSON-LD) becomes a named graph of its
        # own, so that its nodes keep an origin apart from the other inputs' (also when merged again).
        graph = KGR[f"input-{key}"]
        quads = [(s, p, o, graph) for s, p, o, _g in quads]
        quads += [
            (graph, RDFS.label, Literal(f"Triples of the merged file {name}", lang="en"), DATASET_DEFAULT_GRAPH_ID),
            (graph, DCTERMS.source, Literal(name), DATASET_DEFAULT_GRAPH_ID),
        ]
    labels = blank_node_labels(quads)
    if not labels:
        return Input(name, key, quads)

    def sk(term: Node) -> Node:
        return URIRef(f"{GENID}{key}-{labels[term]}") if isinstance(term, BNode) else term

    return Input(name, key, [(sk(s), p, sk(o), sk(g)) for s, p, o, g in quads], len(labels))


def _graph_name(graph: Node) -> Node:
    return graph.identifier if hasattr(graph, "identifier") else graph  # type: ignore[union-attr]


def blank_node_labels(quads: list[Quad]) -> dict[BNode, str]:
    """A label for every blank node that depends only on what the input says about it, and is never
    shared by two blank nodes (`conflictkg.graph.canonical.structural_labels`).

    The labels do not depend on the parser's blank node ids or on the order of the input, so
    skolemising the same file twice gives the same IRIs (merging is idempotent); the input's digest
    in the IRI keeps blank nodes of different inputs apart. Blank nodes that nothing tells apart (a
    2-cycle, a list of equal items) still get labels of their own, so the merged graph is isomorphic
    to the union of its inputs.
    """
    from conflictkg.graph.canonical import structural_labels

    return structural_labels(quads)


# ---------------------------------------------------------------------------
# What the reconciler reads from the data
# ---------------------------------------------------------------------------


@dataclass
class Node_:
    """What the reconciler knows about one place, actor or event."""

    iri: URIRef
    origins: frozenset
    names: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)


class Index:
    """Lookups over the merged quads (every graph, the reconciliation graph left out)."""

    def __init__(self, quads: Iterable[Quad]):
        self.types: dict[Node, set[Node]] = defaultdict(set)
        self.typed_in: dict[Node, set[Node]] = defaultdict(set)
        self.out: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        derived: dict[Node, set[Node]] = defaultdict(set)
        for s, p, o, g in quads:
            self.out[s][p].add(o)
            if p == RDF.type:
                self.types[s].add(o)
                self.typed_in[s].add(g)
            elif p == PROV.wasDerivedFrom and g == DATASET_DEFAULT_GRAPH_ID:
                derived[s].add(o)
        # A graph's origin is what it was derived from (the article, the imported file), so that the
        # graphs of one source (an article's graph and its claims' assertion graphs) are one origin.
        self.origin_of_graph = {g: frozenset(str(o) for o in derived[g]) if derived.get(g) else frozenset([str(g)])
                                for gs in self.typed_in.values() for g in gs}
        self._origins: dict[Node, frozenset] = {}

    def values(self, node: Node, predicate: Node) -> set[Node]:
        found = self.out.get(node)
        return found.get(predicate, set()) if found else set()

    def value(self, node: Node, predicate: Node) -> Node | None:
        found = sorted(self.values(node, predicate), key=str)
        return found[0] if found else None

    def instances(self, classes: set[Node]) -> list[URIRef]:
        return sorted((n for n, types in self.types.items() if types & classes and isinstance(n, URIRef)), key=str)

    def origin(self, node: Node) -> frozenset:
        """The sources of the graphs that type the node (see origin_of_graph)."""
        found = self._origins.get(node)
        if found is None:
            found = frozenset().union(*(self.origin_of_graph[g] for g in self.typed_in.get(node, ())))
            self._origins[node] = found
        return found

    def label(self, node: Node) -> str:
        found = sorted(str(v) for v in self.values(node, RDFS.label))
        return found[0] if found else str(node)

    def names(self, node: Node) -> list[str]:
        return sorted(str(v) for v in self.values(node, RDFS.label) | self.values(node, SKOS.altLabel))


def subclasses(ontology_quads_or_graph, root: URIRef) -> set[URIRef]:
    """`root` and every class below it in the ontology."""
    found = {root}
    changed = True
    graph = ontology_quads_or_graph
    while changed:
        changed = False
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if sup in found and sub not in found:
                found.add(sub)
                changed = True
    return found


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


@dataclass
class Link:
    """One match: subject and object (ordered by IRI), the property, rule, score and fields compared."""

    subject: URIRef
    object: URIRef
    kind: str  # "place", "actor", "event"
    rule: str
    score: float
    fields: list[str]
    close: bool = False  # a weaker match (skos:closeMatch): never identity, never joins clusters

    @property
    def predicate(self) -> URIRef:
        if self.close:
            return SKOS.closeMatch
        return OWL.sameAs if self.score >= SAME_AS_FROM else SKOS.exactMatch

    @property
    def explanation(self) -> URIRef:
        digest = hashlib.sha256(f"{self.subject}|{self.object}".encode()).hexdigest()[:20]
        return KID[f"match/{digest}"]


@dataclass
class Candidate:
    """A match that was considered and not made: a tie between equally good candidates, or a link
    that would have put two records of one data set (or two ids of one scheme) in one cluster."""

    kind: str
    subject: URIRef
    objects: list[URIRef]
    rule: str
    score: float
    reason: str


class Clusters:
    """Union-find over linked nodes: two nodes are 'the same' once any link joins them."""

    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, node: Node) -> Node:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(node, node) != root:
            self.parent[node], node = root, self.parent[node]
        return root

    on_join = None

    def join(self, a: Node, b: Node) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            kept, joined = min(ra, rb, key=str), max(ra, rb, key=str)
            self.parent[joined] = kept
            if self.on_join is not None:
                self.on_join(kept, joined)

    def same(self, a: Node, b: Node) -> bool:
        return a == b or self.find(a) == self.find(b)


def _pair(a: URIRef, b: URIRef) -> tuple[URIRef, URIRef]:
    return (a, b) if str(a) < str(b) else (b, a)


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


class Reconciler:
    """Finds links between nodes of different origins (the graphs that type them)."""

    def __init__(self, index: Index, ontology, aliases: AliasTable, succession: Succession | None = None):
        self.index = index
        self.aliases = aliases
        self.place_classes = subclasses(ontology, CKG.Place)
        self.country_classes = subclasses(ontology, CKG.Country)
        self.actor_classes = subclasses(ontology, CKG.Actor)
        self.event_classes = subclasses(ontology, CKG.Event)
        self.state_classes = subclasses(ontology, CKG.State)
        self.succession = succession or Succession([], aliases)
        self.links: dict[tuple[URIRef, URIRef], Link] = {}
        self.clusters = Clusters()
        self.candidates: list[Candidate] = []
        self._members: dict[Node, set[Node]] = {}
        self.clusters.on_join = self._joined
        self.places = index.instances(self.place_classes)
        self.actors = index.instances(self.actor_classes)
        self.events = index.instances(self.event_classes)
        self._super: dict[URIRef, set[Node]] = {}

    # -- common ----------------------------------------------------------------

    def add(self, a: URIRef, b: URIRef, kind: str, rule: str, score: float, fields: list[str], close: bool = False) -> bool:
        if a == b or score < EXACT_MATCH_FROM:
            return False
        key = _pair(a, b)
        known = self.links.get(key)
        if known is not None and known.score >= score:
            return False
        if not close:
            clash = self.clash(a, b, records=kind == "event")
            if clash:
                candidate = Candidate(kind, key[0], [key[1]], rule, round(score, 2), clash)
                if candidate not in self.candidates:
                    self.candidates.append(candidate)
                return False
        self.links[key] = Link(key[0], key[1], kind, rule, round(score, 2), fields, close)
        if not close:
            self.clusters.join(a, b)
        return True

    def cluster_facts(self, node: Node) -> tuple[set[tuple[str, Node]], dict[str, set[str]]]:
        """The members' (origin graph, member) pairs and identifiers (scheme -> values) of node's cluster."""
        root = self.clusters.find(node)
        members = self._members.get(root, {node})
        origins = {(graph, m) for m in members for graph in self.index.origin(m)}
        identifiers: dict[str, set[str]] = defaultdict(set)
        for m in members:
            for scheme, value in self.identifiers_of(m):
                identifiers[scheme].add(value)
        return origins, identifiers

    def identifiers_of(self, node: Node) -> list[tuple[str, str]]:
        found = []
        for identifier in self.index.values(node, CKG.externalIdentifier):
            scheme, value = self.index.value(identifier, CKG.identifierScheme), self.index.value(identifier, CKG.identifierValue)
            if scheme is not None and value is not None:
                found.append((str(scheme), str(value)))
        return found

    def clash(self, a: URIRef, b: URIRef, records: bool = True) -> str:
        """Why joining a's and b's clusters would conflate records ('' when it would not): two values
        of one identifier scheme in one cluster, or (`records`: events) two different records of
        one source. Places and actors of one source may be one (two spellings of one division)."""
        if self.clusters.same(a, b):
            return ""
        origins_a, ids_a = self.cluster_facts(a)
        origins_b, ids_b = self.cluster_facts(b)
        graphs_b: dict[str, Node] = {graph: member for graph, member in origins_b} if records else {}
        for graph, member in sorted(origins_a, key=str):
            other = graphs_b.get(graph)
            if other is not None and other != member:
                return (
                    f"refused: {self.index.label(member)!r} and {self.index.label(other)!r} are two records of "
                    f"{_short(URIRef(graph))} and would be in one cluster"
                )
        for scheme in sorted(set(ids_a) & set(ids_b)):
            if ids_a[scheme] != ids_b[scheme]:
                return (
                    f"refused: {scheme} {', '.join(sorted(ids_a[scheme]))} and {', '.join(sorted(ids_b[scheme]))} "
                    "would be in one cluster"
                )
        return ""

    def _joined(self, kept: Node, joined: Node) -> None:
        members = self._members.pop(kept, {kept}) | self._members.pop(joined, {joined})
        self._members[kept] = members

    def different_origins(self, a: URIRef, b: URIRef) -> bool:
        oa, ob = self.index.origin(a), self.index.origin(b)
        return bool(oa) and bool(ob) and not (oa & ob)

    def run(self) -> list[Link]:
        self.by_identifier()
        self.link_places()
        self.link_actors()
        self.link_events()
        return sorted(self.links.values(), key=lambda link: (link.kind, str(link.subject), str(link.object)))

    # -- rule: same external identifier ----------------------------------------

    def by_identifier(self) -> None:
        index = self.index
        kinds = {**{n: "place" for n in self.places}, **{n: "actor" for n in self.actors}, **{n: "event" for n in self.events}}
        holders: dict[tuple[str, str], list[URIRef]] = defaultdict(list)
        for node in sorted(kinds, key=str):
            for identifier in index.values(node, CKG.externalIdentifier):
                scheme, value = index.value(identifier, CKG.identifierScheme), index.value(identifier, CKG.identifierValue)
                if scheme is not None and value is not None:
                    holders[(str(scheme), str(value))].append(node)
        for (scheme, value), nodes in sorted(holders.items()):
            for i, a in enumerate(nodes):
                for b in nodes[i + 1 :]:
                    if kinds[a] == kinds[b] and self.different_origins(a, b):
                        self.add(a, b, kinds[a], "external-identifier", 1.0, [f"identifier: {scheme} {value!r} on both"])

    # -- places ------------------------------------------------------------------

    def _place_facts(self) -> None:
        index = self.index
        self.parents: dict[URIRef, set[Node]] = {p: index.values(p, CKG.containedIn) for p in self.places}
        self.ancestors: dict[URIRef, set[Node]] = {}
        for place in self.places:
            seen: set[Node] = set()
            todo = list(self.parents.get(place, ()))
            while todo:
                node = todo.pop()
                if node in seen or node == place:
                    continue
                seen.add(node)
                todo.extend(index.values(node, CKG.containedIn))
            self.ancestors[place] = seen
        self.coordinates: dict[Node, list[tuple[float, float]]] = {}
        for place in self.places:
            points = []
            for geometry in index.values(place, GEO.hasGeometry):
                for wkt in index.values(geometry, GEO.asWKT):
                    match = _POINT.search(str(wkt))
                    if match:
                        points.append((float(match.group(2)), float(match.group(1))))
            if points:
                self.coordinates[place] = sorted(points)

    def is_country(self, node: Node) -> bool:
        return bool(self.index.types.get(node, set()) & self.country_classes)

    def place_keys(self, place: URIRef) -> set[tuple[str, str]]:
        """("name", normalised name) and ("alias", entry) keys of a place."""
        keys = set()
        for name in self.index.names(place):
            key = normal_place_name(name)
            keys.add(("name", key))
            for alias in self.aliases.entries("place", key):
                keys.add(("alias", alias.entry))
        return keys

    def link_places(self) -> None:
        self._place_facts()
        buckets: dict[tuple[str, str], list[URIRef]] = defaultdict(list)
        for place in self.places:
            for key in self.place_keys(place):
                buckets[key].append(place)
        candidates = set()
        for nodes in buckets.values():
            for i, a in enumerate(nodes):
                for b in nodes[i + 1 :]:
                    if self.different_origins(a, b) and self.is_country(a) == self.is_country(b):
                        candidates.add(_pair(a, b))
        # Outer places first: a child can only match once its parents have.
        depth = {p: len(self.ancestors.get(p, ())) for p in self.places}
        pending = sorted(candidates, key=lambda pair: (max(depth[pair[0]], depth[pair[1]]), str(pair[0]), str(pair[1])))
        changed = True
        while changed:
            changed = False
            for a, b in pending:
                if _pair(a, b) in self.links:
                    continue
                found = self.compare_places(a, b)
                if found is not None and self.add(a, b, "place", "place-name-in-parent", *found):
                    changed = True

    def place_level(self, place: Node) -> tuple[str, object]:
        """("division", level) for a country (0) or an administrative division (its ckg:adminLevel,
        else its depth below the country); ("location", its most specific kind) for anything else."""
        types = self.index.types.get(place, set())
        if types & self.country_classes:
            return "division", 0
        level = self.index.value(place, CKG.adminLevel)
        if level is not None:
            return "division", int(level)
        if CKG.Region in types:
            depth, current, seen = 0, place, {place}
            while not (self.index.types.get(current, set()) & self.country_classes):
                parents = sorted(self.index.values(current, CKG.containedIn), key=str)
                if not parents or parents[0] in seen:
                    break
                current = parents[0]
                seen.add(current)
                depth += 1
            return "division", depth
        kinds = sorted(str(t) for t in types if t in self.place_classes and t not in (CKG.Place, CKG.Region))
        return "location", kinds[0] if kinds else ""

    def incompatible(self, a: URIRef, b: URIRef) -> str:
        """Why two places of the same name cannot be one ('' when they can): a division and a named
        location (a town is not its cercle), divisions of different levels, locations of different
        kinds (a forest is not a village), or names whose kind words differ ("Mopti Region", "Mopti Cercle")."""
        (kind_a, level_a), (kind_b, level_b) = self.place_level(a), self.place_level(b)
        if kind_a != kind_b:
            return f"kind: {self.index.label(a)!r} is a {kind_a}, {self.index.label(b)!r} a {kind_b}"
        if kind_a == "division" and level_a != level_b:
            return f"level: {self.index.label(a)!r} is at level {level_a}, {self.index.label(b)!r} at level {level_b}"
        settlement = {str(CKG.Town), str(CKG.Village), ""}
        if kind_a == "location" and level_a != level_b and not (level_a in settlement and level_b in settlement):
            return f"kind: {self.index.label(a)!r} and {self.index.label(b)!r} are places of different kinds"
        words_a = {w for name in self.index.names(a) for w in kind_words(name)}
        words_b = {w for name in self.index.names(b) for w in kind_words(name)}
        if words_a and words_b and not (words_a & words_b):
            return f"kind: {self.index.label(a)!r} and {self.index.label(b)!r} name different kinds of division"
        return ""

    def compare_places(self, a: URIRef, b: URIRef) -> tuple[float, list[str]] | None:
        index = self.index
        if self.incompatible(a, b):
            return None
        shared = sorted(k for k in self.place_keys(a) & self.place_keys(b))
        fields = [f"name: {index.label(a)!r} and {index.label(b)!r} ({', '.join(f'{k[0]} {k[1]!r}' for k in shared)})"]
        if self.is_country(a):
            return 1.0, fields + ["kind: both countries"]
        ancestors_a, ancestors_b = self.ancestors.get(a, set()), self.ancestors.get(b, set())
        linked = sorted(
            ((pa, pb) for pa in ancestors_a for pb in ancestors_b if self.clusters.same(pa, pb)),
            key=lambda pair: (self.is_country(pair[0]), str(pair[0]), str(pair[1])),
        )
        if not linked:
            return None
        pa, pb = linked[0]
        # Only the country is shared: enough only for a place that is directly in the country.
        if self.is_country(pa) and not (
            self.parents.get(a, set()) & self.country_nodes(a) or self.parents.get(b, set()) & self.country_nodes(b)
        ):
            return None
        fields.append(f"parent: {index.label(pa)!r} and {index.label(pb)!r} are {'the same' if pa == pb else 'linked'}")
        points_a, points_b = self.coordinates.get(a), self.coordinates.get(b)
        if points_a and points_b:
            distance = min(_distance_km(p, q) for p in points_a for q in points_b)
            if distance > DISTANCE_BOUND_KM:
                return None
            return 1.0, fields + [f"distance: {distance:.1f} km (bound {DISTANCE_BOUND_KM:g} km)"]
        return 0.8, fields + ["distance: not compared (coordinates missing on one side)"]

    def country_nodes(self, place: URIRef) -> set[Node]:
        return {n for n in self.ancestors.get(place, set()) if self.is_country(n)}

    # -- actors ------------------------------------------------------------------

    def link_actors(self) -> None:
        buckets: dict[tuple[str, str], list[URIRef]] = defaultdict(list)
        for actor in self.actors:
            for key in sorted(self.actor_keys(actor)):
                if actor not in buckets[key]:
                    buckets[key].append(actor)
        pairs = set()
        for nodes in buckets.values():
            for i, a in enumerate(nodes):
                for b in nodes[i + 1 :]:
                    if a != b and self.different_origins(a, b):
                        pairs.add(_pair(a, b))
        for a, b in sorted(pairs):
            found = self.compare_actors(a, b)
            if found is not None:
                self.add(a, b, "actor", *found)

    def compare_actors(self, a: URIRef, b: URIRef) -> tuple[str, float, list[str]] | None:
        index = self.index
        best: tuple[str, float, list[str]] | None = None
        for name_a in index.names(a):
            for name_b in index.names(b):
                key_a, key_b = normal_name(name_a), normal_name(name_b)
                (base_a, period_a), (base_b, period_b) = dated_name(name_a), dated_name(name_b)
                dated = "".join(
                    f" ({name!r} read as {base!r}, ACLED's name for {period[0]}-{period[1] or ''})"
                    for name, base, period in ((name_a, base_a, period_a), (name_b, base_b, period_b)) if period
                )
                for alias_a in self.aliases.entries("actor", normal_name(base_a)):
                    for alias_b in self.aliases.entries("actor", normal_name(base_b)):
                        if alias_a.entry != alias_b.entry:
                            continue
                        score = 1.0 if alias_a.match == alias_b.match == "same" else 0.8
                        fields = [(f"name: {name_a!r} and {name_b!r} are both listed under {alias_a.entry!r} in the alias table"
                                  f" ({alias_a.match} / {alias_b.match}){dated}")]
                        if best is None or score > best[1]:
                            best = ("alias-table", score, fields)
                if key_a == key_b and key_a and (best is None or best[1] < 0.7):
                    best = ("same-name", 0.7, [f"name: {name_a!r} and {name_b!r} are the same after normalisation; no alias entry confirms it"])
        return best

    # -- events ------------------------------------------------------------------

    def window(self, event: URIRef) -> tuple[dt.date, dt.date] | None:
        """The earliest begin and latest end the event's dates allow; None if unbounded or undated."""
        def day(prop: URIRef) -> dt.date | None:
            values = sorted(v.toPython() for v in self.index.values(event, prop) if isinstance(v, Literal))
            values = [v for v in values if isinstance(v, dt.date)]
            return values[0] if values else None

        begin = day(CKG.beginDate) or day(CKG.earliestBegin)
        end = day(CKG.endDate) or day(CKG.latestEnd)
        if begin is None:
            return None
        if end is None:
            precision = self.index.value(event, CKG.timePrecision)
            if precision in (CKV["precision/day"], CKV["precision/part-of-day"]) and day(CKG.beginDate):
                end = begin
            else:
                return None
        if end < begin:
            return None
        return begin, end

    def event_places(self, event: URIRef) -> set[Node]:
        return self.index.values(event, CKG.hasPlace)

    def event_actors(self, event: URIRef) -> set[Node]:
        found: set[Node] = set()
        for prop in EVENT_ACTOR_PROPERTIES:
            found |= self.index.values(event, prop)
        return found

    def event_points(self, event: Node) -> list[tuple[float, float]]:
        """The event's own coordinates (an imported row's point: geo:hasGeometry on the event)."""
        points = []
        for geometry in self.index.values(event, GEO.hasGeometry):
            for wkt in self.index.values(geometry, GEO.asWKT):
                match = _POINT.search(str(wkt))
                if match:
                    points.append((float(match.group(2)), float(match.group(1))))
        return sorted(points)

    def place_relation(self, a: URIRef, b: URIRef) -> tuple[float, str] | None:
        best: tuple[float, str] | None = None
        index = self.index
        own_a, own_b = self.event_points(a), self.event_points(b)
        if own_a and own_b:
            distance = min(_distance_km(p, q) for p in own_a for q in own_b)
            if distance <= DISTANCE_BOUND_KM:
                best = (0.8, f"place: the rows' points are {distance:.1f} km apart")
        for pa in sorted(self.event_places(a), key=str):
            for pb in sorted(self.event_places(b), key=str):
                found: tuple[float, str] | None = None
                if self.clusters.same(pa, pb):
                    found = (1.0, f"place: {index.label(pa)!r} and {index.label(pb)!r} are {'the same' if pa == pb else 'linked'}")
                else:
                    points_a, points_b = self.coordinates.get(pa), self.coordinates.get(pb)
                    if points_a and points_b:
                        distance = min(_distance_km(p, q) for p in points_a for q in points_b)
                        if distance <= DISTANCE_BOUND_KM:
                            found = (0.8, f"place: {index.label(pa)!r} and {index.label(pb)!r} are {distance:.1f} km apart")
                    if found is None:
                        inside = self._contained(pa, pb) or self._contained(pb, pa)
                        if inside:
                            found = (0.6, f"place: {inside}")
                if found and (best is None or found[0] > best[0]):
                    best = found
        return best

    def _contained(self, inner: Node, outer: Node) -> str | None:
        for ancestor in sorted(self.ancestors.get(inner, set()), key=str):  # type: ignore[arg-type]
            if not self.is_country(ancestor) and self.clusters.same(ancestor, outer):
                return f"{self.index.label(inner)!r} lies in {self.index.label(ancestor)!r}, " + (
                    "the other event's place" if ancestor == outer else f"linked to {self.index.label(outer)!r}"
                )
        return None

    def compare_events(self, a: URIRef, b: URIRef, windows: dict) -> tuple[float, list[str]] | None:
        wa, wb = windows[a], windows[b]
        if wa[1] < wb[0] or wb[1] < wa[0]:
            return None
        longest = max((wa[1] - wa[0]).days, (wb[1] - wb[0]).days) + 1
        date_score = 1.0 if longest == 1 else 0.6 if longest <= 7 else 0.3
        place = self.place_relation(a, b)
        if place is None:
            return None
        actors_a, actors_b = self.event_actors(a), self.event_actors(b)
        relations: dict[Node, tuple[float, str]] = {}
        for x in sorted(actors_a, key=str):
            for y in sorted(actors_b, key=str):
                found = self.actor_relation(x, y, min(wa[0], wb[0]))
                if found is not None and (x not in relations or found[0] > relations[x][0]):
                    relations[x] = found
        if not relations:
            return None
        actor_score = sum(weight for weight, _text in relations.values()) / min(len(actors_a), len(actors_b))
        score = 0.35 * date_score + 0.35 * place[0] + 0.3 * min(1.0, actor_score)
        names = ", ".join(sorted(text for _weight, text in relations.values()))
        if longest > LONGEST_EVENT_DAYS:
            outer, inner = (wa, wb) if (wa[1] - wa[0]) > (wb[1] - wb[0]) else (wb, wa)
            date = f"date: {outer[0]}..{outer[1]} contains {inner[0]}..{inner[1]} (a weaker match: the longer range is {longest} days)"
        else:
            date = f"date: {wa[0]}..{wa[1]} overlaps {wb[0]}..{wb[1]} (longest range {longest} day{'s' if longest > 1 else ''})"
        fields = [date, place[1], f"actors: {len(relations)} of {min(len(actors_a), len(actors_b))} shared ({names})"]
        return score, fields

    def actor_relation(self, x: Node, y: Node, day: dt.date) -> tuple[float, str] | None:
        """How two events' actors relate: linked (1), one state's side (the government and its
        armed forces or officials, 1), or a predecessor and its successor in the succession table (0.5)."""
        label = self.index.label
        if self.clusters.same(x, y):
            return 1.0, f"{label(x)!r} = {label(y)!r}"
        sx, sy = self.state_side(x), self.state_side(y)
        if sx is not None and sy is not None and self.clusters.same(sx, sy):
            return 1.0, f"{label(x)!r} and {label(y)!r} are one state's side ({label(sx)!r})"
        for a, b in ((x, y), (y, x)):
            for step in self.succession.between(self.actor_keys(a), self.actor_keys(b)):
                when = "after" if day >= step.date else "before"
                return 0.5, (
                    f"{label(a)!r} {step.relation} {label(b)!r} on {step.date} ({step.source}); the event is {when} that"
                )
        return None

    def state_side(self, actor: Node) -> Node | None:
        """The state an actor is (a ckg:State) or acts for (ckg:armedForcesOf, ckg:officialsOf)."""
        if self.index.types.get(actor, set()) & self.state_classes:
            return actor
        for prop in (CKG.armedForcesOf, CKG.officialsOf):
            state = self.index.value(actor, prop)
            if state is not None:
                return state
        return None

    def actor_keys(self, actor: Node) -> set[tuple[str, str]]:
        """("name", normalised name) and ("alias", entry) keys of an actor (dated names by their base)."""
        keys = set()
        for name in self.index.names(actor):
            base, _period = dated_name(name)
            for key in {normal_name(name), normal_name(base)}:
                if key:
                    keys.add(("name", key))
                    keys |= {("alias", alias.entry) for alias in self.aliases.entries("actor", key)}
        return keys

    def link_events(self) -> None:
        windows, wide = {}, {}
        for event in self.events:
            window = self.window(event)
            if window is None:
                continue
            span = (window[1] - window[0]).days + 1
            if span <= LONGEST_EVENT_DAYS:
                windows[event] = window
            elif span <= LONGEST_CONTAINER_DAYS:
                wide[event] = window
        # Candidates share a day and come from another origin: index by day, then by origin.
        by_day: dict[dt.date, dict[frozenset, list[URIRef]]] = defaultdict(lambda: defaultdict(list))
        origin_of = {event: self.index.origin(event) for event in list(windows) + list(wide)}
        for event, (begin, end) in sorted(windows.items(), key=lambda item: str(item[0])):
            day = begin
            while day <= end:
                by_day[day][origin_of[event]].append(event)
                day += dt.timedelta(days=1)
        scores: dict[tuple[URIRef, URIRef], tuple[float, list[str]]] = {}
        tried: set[tuple[URIRef, URIRef]] = set()
        for event in sorted(windows, key=str):
            begin, end = windows[event]
            mine = origin_of[event]
            day = begin
            while day <= end:
                for origin, others in by_day[day].items():
                    if origin & mine:
                        continue
                    for other in others:
                        pair = _pair(event, other)
                        if pair in tried:
                            continue
                        tried.add(pair)
                        found = self.compare_events(event, other, windows)
                        if found is not None and found[0] >= EXACT_MATCH_FROM:
                            scores[pair] = found
                day += dt.timedelta(days=1)
        # Each event's best candidate in each other origin; a link needs the choice to be mutual.
        best: dict[tuple[URIRef, frozenset], URIRef | None] = {}
        candidates: dict[tuple[URIRef, frozenset], list[URIRef]] = defaultdict(list)
        for a, b in scores:
            candidates[(a, self.index.origin(b))].append(b)
            candidates[(b, self.index.origin(a))].append(a)
        for (event, origin), options in sorted(candidates.items(), key=lambda item: (str(item[0][0]), sorted(item[0][1]))):
            best[(event, origin)] = self.choose(event, options, lambda o, e=event: scores[_pair(e, o)][0], "event-overlap")
        for (a, b), (score, fields) in sorted(scores.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
            if best.get((a, self.index.origin(b))) == b and best.get((b, self.index.origin(a))) == a:
                self.add(a, b, "event", "event-overlap", score, fields)
        self.link_contained(wide, windows, by_day, origin_of)

    def choose(self, event: URIRef, options: list[URIRef], score_of, rule: str) -> URIRef | None:
        """The best of `options` for `event`; None (and the tie reported as a candidate) when two or
        more are equally good. Among equals, an event already linked to `event` (by identifier) or
        one that the others are sub-events of is preferred; string order never decides."""
        top = max(score_of(o) for o in options)
        tied = [o for o in options if score_of(o) == top]
        if len(tied) > 1:
            known = [o for o in tied if self.clusters.same(event, o)]
            tied = known or tied
        if len(tied) > 1:
            tied_set = set(tied)
            outer = [o for o in tied if not (self.super_events(o) & tied_set)]
            tied = outer or tied
        if len(tied) > 1:
            candidate = Candidate(
                "event", event, sorted(tied, key=str), rule, round(top, 2),
                f"ambiguous: {len(tied)} candidates score {top:.2f}; none linked",
            )
            if candidate not in self.candidates:
                self.candidates.append(candidate)
            return None
        return tied[0]

    def link_contained(self, wide: dict, windows: dict, by_day: dict, origin_of: dict) -> None:
        """A month- or year-precise event and a precise event of another origin that lies inside it,
        at the same place with a shared actor: a weaker match (skos:closeMatch), never identity."""
        for event in sorted(wide, key=str):
            begin, end = wide[event]
            mine = origin_of[event]
            inside: dict[frozenset, set[URIRef]] = defaultdict(set)
            day = begin
            while day <= end:
                for origin, others in by_day.get(day, {}).items():
                    if not (origin & mine):
                        inside[origin].update(o for o in others if begin <= windows[o][0] and windows[o][1] <= end)
                day += dt.timedelta(days=1)
            for origin, others in sorted(inside.items(), key=lambda item: sorted(item[0])):
                found = {}
                for other in others:
                    result = self.compare_events(event, other, {event: wide[event], other: windows[other]})
                    if result is not None and result[0] >= EXACT_MATCH_FROM:
                        found[other] = result
                if not found:
                    continue
                chosen = self.choose(event, sorted(found, key=str), lambda o, f=found: f[o][0], "event-contains")
                if chosen is not None:
                    score, fields = found[chosen]
                    self.add(event, chosen, "event", "event-contains", score, fields, close=True)

    def super_events(self, event: URIRef) -> set[Node]:
        cached = self._super.get(event)
        if cached is not None:
            return cached
        seen: set[Node] = set()
        todo = list(self.index.values(event, CKG.subEventOf) | self.index.values(event, CKG.partOfCampaign))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self.index.values(node, CKG.subEventOf) | self.index.values(node, CKG.partOfCampaign))
        self._super[event] = seen
        return seen


# ---------------------------------------------------------------------------
# The merge
# ---------------------------------------------------------------------------


@dataclass
class MergeResult:
    """The merged data set, the links made, and what the report says."""

    quads: set
    links: list[Link]
    inputs: list[Input]
    unmatched_events: dict[str, list[str]]
    conflicts: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    data: bytes = b""
    triples: int = 0
    _dataset: Dataset | None = None

    @property
    def dataset(self) -> Dataset:
        """The merged quads as an rdflib Dataset (built on first use: large merges are written
        from the quads without it)."""
        if self._dataset is None:
            from conflictkg.graph.parse import new_dataset

            dataset = new_dataset()
            for s, p, o, g in self.quads:
                graph = dataset.default_graph if g == DATASET_DEFAULT_GRAPH_ID else dataset.graph(g)
                graph.add((s, p, o))
            self._dataset = dataset
        return self._dataset

    def report_text(self) -> str:
        out = [
            (f"conflictkg merge: {len(self.inputs)} input(s), {self.triples} quads in "
            f"{len({q[3] for q in self.quads})} graph(s)")
        ]
        for item in self.inputs:
            graphs = ", ".join(sorted(_short(g) for g in item.graphs if g != DATASET_DEFAULT_GRAPH_ID)) or "default graph only"
            skolem = f"; {item.skolemised} blank node(s) skolemised" if item.skolemised else ""
            out.append(f"  {item.name} ({len(item.quads)} quads{skolem}): {graphs}")
        by_kind: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            by_kind[link.kind].append(link)
        same = sum(1 for link in self.links if link.predicate == OWL.sameAs)
        close = sum(1 for link in self.links if link.close)
        out.append(
            f"Matched (graph {_short(RECONCILIATION_GRAPH)}): {len(self.links)} link(s), {same} owl:sameAs, "
            f"{len(self.links) - same - close} skos:exactMatch, {close} skos:closeMatch"
        )
        names = {OWL.sameAs: "owl:sameAs", SKOS.exactMatch: "skos:exactMatch", SKOS.closeMatch: "skos:closeMatch"}
        for kind in ("event", "place", "actor"):
            links = by_kind.get(kind, [])
            out.append(f"  {kind}s: {len(links)}")
            for link in links:
                out.append(f"    {names[link.predicate]} {_short(link.subject)} {_short(link.object)} [{link.rule}, score {link.score:.2f}]")
                for line in link.fields:
                    out.append(f"        {line}")
        out.append("Candidates not linked (ties, and links that would put two records of one data set in one cluster):")
        if not self.candidates:
            out.append("  none")
        for candidate in self.candidates:
            others = ", ".join(_short(o) for o in candidate.objects)
            out.append(
                f"  {candidate.kind}: {_short(candidate.subject)} ~ {others} [{candidate.rule}, score {candidate.score:.2f}]: {candidate.reason}"
            )
        out.append("Not matched (events with no link, by graph):")
        if not self.unmatched_events:
            out.append("  none")
        for graph, events in sorted(self.unmatched_events.items()):
            shown = ", ".join(events[:5]) + (f", … ({len(events) - 5} more)" if len(events) > 5 else "")
            out.append(f"  {_short(URIRef(graph))}: {len(events)}: {shown}")
        out.append("Conflicts (linked events whose figures of the same kind cannot both be right):")
        out.extend(f"  {line}" for line in self.conflicts) if self.conflicts else out.append("  none")
        return "\n".join(out) + "\n"


def _short(term: Node) -> str:
    """`term` as a name SPARQL and Turtle read back (a prefix the endpoint knows, else <IRI>)."""
    from conflictkg.queries.tables import cell_text
    from conflictkg.stores.base import display_namespaces

    global _NAMES
    if _NAMES is None:
        _NAMES = display_namespaces()
    return cell_text(term, _NAMES) if isinstance(term, URIRef) else str(term)


_NAMES = None


def merge_inputs(inputs: list[Input], aliases: AliasTable | None = None) -> MergeResult:
    """Merge the inputs' quads into one data set and add the reconciliation graph."""
    from conflictkg.graph.parse import load_ontology

    aliases = aliases or AliasTable.load()
    # An earlier merge's links and its provenance are made again from scratch (idempotence).
    earlier = {s for s, p, o, g in (q for item in inputs for q in item.quads) if p == RDF.type and o == CKG.MergeActivity}
    earlier.add(RECONCILIATION_GRAPH)
    quads = {
        q
        for item in inputs
        for q in item.quads
        if q[3] != RECONCILIATION_GRAPH and q[0] not in earlier
    }
    ontology = load_ontology()
    index = Index(quads)
    reconciler = Reconciler(index, ontology, aliases, Succession.load(aliases))
    links = reconciler.run()

    graphs = sorted({str(g) for _s, _p, _o, g in quads if g != DATASET_DEFAULT_GRAPH_ID})
    activity = KID["activity/merge-" + hashlib.sha256("\n".join(graphs).encode("utf-8")).hexdigest()[:12]]
    added: set[Quad] = set()
    for link in links:
        node = link.explanation
        added |= {
            (link.subject, link.predicate, link.object, RECONCILIATION_GRAPH),
            (node, RDF.type, CKG.MatchExplanation, RECONCILIATION_GRAPH),
            (node, RDFS.label, Literal(f"{link.kind} match: {index.label(link.subject)} / {index.label(link.object)}", lang="en"), RECONCILIATION_GRAPH),
            (node, CKG.matchSubject, link.subject, RECONCILIATION_GRAPH),
            (node, CKG.matchObject, link.object, RECONCILIATION_GRAPH),
            (node, CKG.linkProperty, link.predicate, RECONCILIATION_GRAPH),
            (node, CKG.matchRule, URIRef(f"{RULE}{link.rule}"), RECONCILIATION_GRAPH),
            (node, CKG.matchScore, Literal(Decimal(f"{link.score:.2f}"), datatype=XSD.decimal), RECONCILIATION_GRAPH),
            (node, PROV.wasGeneratedBy, activity, RECONCILIATION_GRAPH),
        }
        added |= {(node, CKG.comparedField, Literal(text), RECONCILIATION_GRAPH) for text in link.fields}
    default = DATASET_DEFAULT_GRAPH_ID
    added |= {
        (RECONCILIATION_GRAPH, RDFS.label, Literal("Links between graphs made by conflictkg merge, with their explanations", lang="en"), default),
        (RECONCILIATION_GRAPH, PROV.wasGeneratedBy, activity, default),
        (RECONCILIATION_GRAPH, PROV.wasAttributedTo, CONFLICTKG_AGENT, default),
        (activity, RDF.type, CKG.MergeActivity, default),
        (activity, RDFS.label, Literal(f"conflictkg merge of {len(graphs)} graph(s)", lang="en"), default),
        (activity, PROV.wasAssociatedWith, CONFLICTKG_AGENT, default),
        (activity, CKG.toolVersion, Literal(f"conflictkg {__version__}"), default),
        (CONFLICTKG_AGENT, RDF.type, PROV.Organization, default),
        (CONFLICTKG_AGENT, RDFS.label, Literal("ConflictKG project", lang="en"), default),
    }
    added |= {(activity, PROV.used, URIRef(g), default) for g in graphs}
    all_quads = quads | added

    linked_events = {n for link in links if link.kind == "event" for n in (link.subject, link.object)}
    unmatched: dict[str, list[str]] = defaultdict(list)
    for event in reconciler.events:
        if event not in linked_events and reconciler.window(event) is not None:
            for graph in sorted(index.origin(event)):
                unmatched[graph].append(index.label(event))
    conflicts = find_conflicts(index, reconciler, links)
    result = MergeResult(all_quads, links, inputs, dict(unmatched), conflicts, reconciler.candidates)
    result.triples = len(all_quads)
    return result


def find_conflicts(index: Index, reconciler: Reconciler, links: list[Link]) -> list[str]:
    """The figures about linked events that the project's one definition of disagreement
    (`inference.claim_relations.disagreements`: the rules' in-conflict relations, figures for the
    same quantity with disjoint bounds) puts in conflict once the links are applied: each claim is
    read as about its cluster's event and concerning its cluster's actor."""
    from rdflib import Graph

    from conflictkg.inference.claim_relations import IN_CONFLICT, disagreements, shipped_rules

    clusters = reconciler.clusters
    members: dict[Node, set[URIRef]] = defaultdict(set)
    for link in links:
        if link.kind == "event":
            for node in (link.subject, link.object):
                members[clusters.find(node)].add(node)
    root_of = {event: root for root, events in members.items() for event in events}
    figures = Graph()
    for claim in index.instances({CKG.Claim}):
        roots = {root_of[e] for e in index.values(claim, SDO.about) if e in root_of}
        if not roots:
            continue
        figures.add((claim, RDF.type, CKG.Claim))
        figures += ((claim, SDO.about, root) for root in roots)
        figures += ((claim, CKG.concernsActor, clusters.find(a)) for a in index.values(claim, CKG.concernsActor))
        for prop in (CKG.claimKind, CKG.casualtyKind, SDO.minValue, SDO.maxValue):
            figures += ((claim, prop, value) for value in index.values(claim, prop))
    for rule in shipped_rules():
        if str(IN_CONFLICT) in rule.text:
            for triple in list(figures.query(rule.text)):
                figures.add(triple)
    lines = []
    for first, second in disagreements(figures):
        root = next(iter(figures.objects(first, SDO.about)))
        line = f"{min((index.label(e) for e in members[root]), key=lambda t: (len(t), t))}: " + " vs ".join(
            _figure(index, claim) for claim in (first, second)
        )
        if line not in lines:
            lines.append(line)
    return lines


def _figure(index: Index, claim: Node) -> str:
    low, high = index.value(claim, SDO.minValue), index.value(claim, SDO.maxValue)
    agent = index.value(claim, PROV.wasAttributedTo)
    who = index.label(agent) if agent is not None else _short(claim)
    bounds = _bounds(low.toPython() if low is not None else None, high.toPython() if high is not None else None)
    return f"{who} {bounds} ({_wording(index, claim)})"


def _bounds(low, high) -> str:
    if low is not None and high is not None:
        return str(low) if low == high else f"{low}-{high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _wording(index: Index, claim: Node) -> str:
    wording = index.value(claim, CKG.wording)
    return repr(str(wording)) if wording is not None else _short(claim)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def serialize_sorted(quads: Iterable[Quad], fmt: RdfFormat) -> bytes:
    """TriG or N-Quads with graphs and lines in a fixed order, so the same data gives the same bytes."""
    from conflictkg.exchange.importers.rdfout import check_iri, term_text

    def text(term: Node) -> str:
        return check_iri(term) if isinstance(term, URIRef) else term_text(term)

    by_graph: dict[Node, list[str]] = defaultdict(list)
    for s, p, o, g in quads:
        by_graph[g].append(f"{text(s)} {text(p)} {text(o)}")
    order = sorted(by_graph, key=lambda g: (g != DATASET_DEFAULT_GRAPH_ID, str(g)))
    out: list[str] = []
    for graph in order:
        lines = sorted(by_graph[graph])
        if fmt is RdfFormat.NQUADS:
            suffix = "" if graph == DATASET_DEFAULT_GRAPH_ID else f" {text(graph)}"
            out.extend(f"{line}{suffix} .\n" for line in lines)
        elif graph == DATASET_DEFAULT_GRAPH_ID:
            out.extend(f"{line} .\n" for line in lines)
            out.append("\n")
        else:
            out.append(f"{text(graph)} {{\n")
            out.extend(f"  {line} .\n" for line in lines)
            out.append("}\n\n")
    return "".join(out).encode("utf-8")


def merge_files(
    locations: list[str],
    with_builtin: bool = False,
    input_format: str | None = None,
    output: str | None = None,
    aliases: str | None = None,
) -> MergeResult:
    """Merge files (and the built-in graph); write the result to `output` (TriG/N-Quads/JSON-LD)."""
    from conflictkg.graph.serialize import serialize
    from conflictkg.guard.files import write_bytes_atomic

    fmt = RdfFormat.TRIG
    if output and output != "-":
        fmt = format_for_path(output)
        if fmt not in (RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD):
            raise UsageError(f"{output}: a merged data set keeps its named graphs: write .trig, .nq or .jsonld")
    inputs = ([builtin_input()] if with_builtin else []) + [read_input(location, input_format) for location in locations]
    result = merge_inputs(inputs, AliasTable.load(aliases))
    data = serialize(bind_prefixes(result.dataset), fmt) if fmt is RdfFormat.JSONLD else serialize_sorted(result.quads, fmt)
    if output and output != "-":
        write_bytes_atomic(output, data)
    else:
        result.data = data
    return result


__all__ = [
    "AliasTable",
    "Candidate",
    "Input",
    "Link",
    "MergeResult",
    "Reconciler",
    "Succession",
    "blank_node_labels",
    "builtin_input",
    "dated_name",
    "merge_files",
    "merge_inputs",
    "normal_name",
    "normal_place_name",
    "read_input",
    "serialize_sorted",
]
