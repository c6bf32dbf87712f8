"""What every export reads from the graph: events, their time, places, parties, claims and the figures claims give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from conflictkg.exchange.evidence import evidence_in
from conflictkg.graph.namespaces import CKG, CKV, OA, SCHEMA
from conflictkg.graph.parse import load_ontology, union_graph

KILLED = CKV["casualty/killed"]
WOUNDED = CKV["casualty/wounded"]
MISSING = CKV["casualty/missing"]
CASUALTIES = CKV["claim-kind/casualties"]
NOT_REPORTED = CKV["status/not-reported"]
ACLED_SCHEME = CKV["acled"]
PRECISION = {name: CKV[f"precision/{name}"] for name in ("day", "part-of-day", "few-days", "week", "month", "year", "part-of-decade", "open-ended", "unknown")}
GEO = "http://www.opengis.net/ont/geosparql#"


class Facts:
    """A plain index of triples (subject -> predicate -> objects) for exporters that read many nodes:
    one pass over the graph, then look-ups without rdflib's per-call overhead."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]):
        self.out: dict[Node, dict[Node, list[Node]]] = {}
        self.back: dict[tuple[Node, Node], list[Node]] = {}
        for s, p, o in triples:
            self.out.setdefault(s, {}).setdefault(p, []).append(o)
            if p in self.BACK:
                self.back.setdefault((p, o), []).append(s)

    BACK = frozenset({SCHEMA.about, CKG.externalIdentifier, CKG.identifierScheme, RDF.type})

    def objects(self, node: Node | None, predicate: Node) -> list[Node]:
        found = self.out.get(node, {}).get(predicate, []) if node is not None else []
        return sorted(set(found), key=str) if len(found) > 1 else list(found)

    def value(self, node: Node | None, predicate: Node) -> Node | None:
        found = self.objects(node, predicate)
        return found[0] if found else None

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        return sorted(set(self.back.get((predicate, obj), [])), key=str)

    def label(self, node: Node | None) -> str:
        if node is None:
            return ""
        labels = self.objects(node, RDFS.label)
        for value in labels:
            if isinstance(value, Literal) and value.language == "en":
                return str(value)
        return str(labels[0]) if labels else str(node)

    def notation(self, concept: Node | None) -> str:
        value = self.value(concept, SKOS.notation)
        return str(value) if value is not None else self.label(concept)


def graph_for_export(dataset: Dataset) -> Graph:
    """One graph holding every triple of `dataset` plus the ontology (class hierarchy, mappings)."""
    return union_graph(dataset, load_ontology())


def label(graph: Graph, node: Node | None) -> str:
    """The node's English (or any) rdfs:label, else its IRI."""
    if node is None:
        return ""
    labels = list(graph.objects(node, RDFS.label))
    for value in labels:
        if isinstance(value, Literal) and value.language == "en":
            return str(value)
    return str(labels[0]) if labels else str(node)


def identifier(graph: Graph, event: Node, prefix: str = "ckg-") -> str:
    """The event's identifier for a row: its dcterms:identifier when it has one (an imported event
    keeps its publisher's id), else `prefix` + the last segment of its IRI."""
    value = graph.value(event, DCTERMS.identifier)
    return str(value) if value is not None else prefix + local_name(event)


def local_name(node: Node) -> str:
    """The last path segment of an IRI (kid:event/kwala-attack -> kwala-attack)."""
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def is_a(graph: Graph, node: Node, cls: URIRef) -> bool:
    """Whether `node` has `cls` or a subclass of it as a type (through the ontology in `graph`)."""
    return any(cls in set(graph.transitive_objects(t, RDFS.subClassOf)) for t in graph.objects(node, RDF.type))


def instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    """Every IRI typed `cls` or a subclass of it, sorted."""
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return sorted({s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}, key=str)


def parents(graph: Graph, event: Node) -> set[Node]:
    """Every event `event` is (transitively) a sub-event of (ckg:subEventOf, ckg:partOfCampaign)."""
    found: set[Node] = set()
    todo = [event]
    while todo:
        current = todo.pop()
        for parent in list(graph.objects(current, CKG.subEventOf)) + list(graph.objects(current, CKG.partOfCampaign)):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def with_sub_events(graph: Graph, event: Node) -> set[Node]:
    """`event` and every event that is (transitively) a sub-event of it."""
    found = {event}
    todo = [event]
    while todo:
        current = todo.pop()
        for child in list(graph.subjects(CKG.subEventOf, current)) + list(graph.subjects(CKG.partOfCampaign, current)):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def top_level(graph: Graph, events: list[URIRef]) -> list[URIRef]:
    """The events of `events` that are not sub-events of another one of them."""
    chosen = set(events)
    return [e for e in events if not (parents(graph, e) & chosen)]


# --- time ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """An event's time: its first and last possible days and our precision concept."""

    first: dt.date | None
    last: dt.date | None
    precision: Node | None
    description: str = ""

    @property
    def day(self) -> bool:
        return self.precision in (PRECISION["day"], PRECISION["part-of-day"]) and self.first is not None and self.first == self.last


def _date(value: Node | None) -> dt.date | None:
    if isinstance(value, Literal) and value.datatype == XSD.date:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    return None


def when(graph: Graph, event: Node) -> When:
    """The first and last possible days of `event` (ckg:beginDate / ckg:endDate, else the bounds)."""
    first = _date(graph.value(event, CKG.beginDate)) or _date(graph.value(event, CKG.earliestBegin))
    last = (
        _date(graph.value(event, CKG.endDate))
        or _date(graph.value(event, CKG.latestEnd))
        or _date(graph.value(event, CKG.earliestEnd))
    )
    if last is None and graph.value(event, CKG.timePrecision) == PRECISION["day"]:
        last = first  # a day-precise event with no end day given lasted that day
    description = graph.value(event, CKG.timeDescription)
    return When(first, last, graph.value(event, CKG.timePrecision), str(description or ""))


def month_of(moment: When) -> tuple[dt.date, dt.date] | None:
    """(first, last) day of the month when the event's bounds are exactly one calendar month."""
    if moment.first is None or moment.last is None or moment.first.day != 1:
        return None
    following = (moment.first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if moment.last != following - dt.timedelta(days=1):
        return None
    return moment.first, moment.last


# --- places -----------------------------------------------------------------------------------

def containers(graph: Graph, place: Node) -> list[Node]:
    """`place` then every place it lies in (ckg:containedIn), innermost first, ending at a country
    if one is reached."""
    chain = [place]
    current = place
    while not is_a(graph, current, CKG.Country):
        outer = sorted(graph.objects(current, CKG.containedIn), key=str)
        if not outer or outer[0] in chain:
            break
        current = outer[0]
        chain.append(current)
    return chain


@dataclass(frozen=True)
class Where:
    """Where an event was, as exports need it: the named location and its administrative chain."""

    location: Node | None  # the most specific place that is not a base or camp (a village, town, road ...)
    detail: Node | None  # the most specific place of all (may be the camp itself)
    country: Node | None
    regions: tuple[Node, ...]  # ckg:Region places between the location and the country, outermost first
    latitude: str = ""
    longitude: str = ""


def where(graph: Graph, event: Node) -> Where:
    """The event's places, read as location + regions + country."""
    places = sorted(graph.objects(event, CKG.hasPlace), key=str)
    if not places:
        return Where(None, None, None, ())
    chains = [containers(graph, p) for p in places]
    chains.sort(key=lambda chain: (-len(chain), str(chain[0])))
    deepest = chains[0]
    detail = deepest[0]
    location = next((p for p in deepest if not is_a(graph, p, CKG.MilitaryBase) and not is_a(graph, p, CKG.Region)
                     and not is_a(graph, p, CKG.Country)), None)
    country = deepest[-1] if is_a(graph, deepest[-1], CKG.Country) else None
    regions = tuple(reversed([p for p in deepest if is_a(graph, p, CKG.Region)]))
    latitude = longitude = ""
    for place in deepest:
        point = _point(graph, place)
        if point:
            longitude, latitude = point
            break
    return Where(location or (regions[-1] if regions else country), detail, country, regions, latitude, longitude)


def _point(graph: Graph, place: Node) -> tuple[str, str] | None:
    for geometry in graph.objects(place, URIRef(GEO + "hasGeometry")):
        for wkt in graph.objects(geometry, URIRef(GEO + "asWKT")):
            text = str(wkt)
            if text.startswith("<"):
                text = text.split(">", 1)[1]
            text = text.strip()
            if text.upper().startswith("POINT"):
                inside = text[text.index("(") + 1 : text.index(")")].split()
                if len(inside) == 2:
                    return inside[0], inside[1]
    return None


# --- parties ------------------------------------------------------------------------------------

def state_of(graph: Graph, actor: Node) -> Node | None:
    """The state an actor is or acts for (itself if a ckg:State; ckg:armedForcesOf / ckg:officialsOf)."""
    if is_a(graph, actor, CKG.State):
        return actor
    for predicate in (CKG.armedForcesOf, CKG.officialsOf):
        state = graph.value(actor, predicate)
        if state is not None:
            return state
    return None


def side_key(graph: Graph, actor: Node) -> Node:
    """Actors of one state count as one side (Mali, its armed forces, its officials)."""
    return state_of(graph, actor) or actor


@dataclass
class Parties:
    """Who took part: perpetrators, targets, combatants (and every party, in a stable order)."""

    perpetrators: list[Node] = field(default_factory=list)
    targets: list[Node] = field(default_factory=list)
    combatants: list[Node] = field(default_factory=list)

    def all(self) -> list[Node]:
        seen: list[Node] = []
        for actor in self.perpetrators + self.targets + self.combatants:
            if actor not in seen:
                seen.append(actor)
        return seen


def parties(graph: Graph, event: Node) -> Parties:
    return Parties(
        sorted(graph.objects(event, CKG.perpetrator), key=str),
        sorted(graph.objects(event, CKG.target), key=str),
        sorted(graph.objects(event, CKG.combatant), key=str),
    )


# --- claims and their figures ------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """A claim as exports need it: source, wording, quantity and bounds."""

    claim: Node
    source: Node | None
    wording: str
    kind: Node | None  # casualty kind
    side: Node | None  # concerned actor
    low: int | None
    high: int | None
    status: Node | None
    quote: str = ""

    @property
    def has_number(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def silent(self) -> bool:
        return self.status == NOT_REPORTED

    def interval(self) -> tuple[int, float]:
        """The figures the claim allows: from its lower bound (0 when none) to its upper bound (no limit when none)."""
        return (self.low if self.low is not None else 0, self.high if self.high is not None else float("inf"))

    def bounds_text(self) -> str:
        if self.low is not None and self.high is not None:
            return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        if self.low is not None:
            return f"{self.low} or more"
        if self.high is not None:
            return f"at most {self.high}"
        return "no figure" if self.silent else "no number"


def _int(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(value.toPython())
        except (TypeError, ValueError):
            return None
    return None


def casualty_figures(
    graph: Graph, event: Node, kinds: tuple[Node, ...] | None = None, sub_events: bool = True
) -> list[Figure]:
    """Every casualties claim about `event` (and, with `sub_events`, its sub-events) of the given
    casualty kinds, plus the silences that cover them, sorted by source label then wording."""
    events = with_sub_events(graph, event) if sub_events else {event}
    quotes = {}
    found = []
    for claim in sorted({c for e in events for c in graph.subjects(SCHEMA.about, e)}, key=str):
        if (claim, CKG.claimKind, CASUALTIES) not in graph:
            continue
        kind = graph.value(claim, CKG.casualtyKind)
        status = graph.value(claim, CKG.claimStatus)
        if kinds is not None and kind not in kinds and not (status == NOT_REPORTED and kind is None):
            continue
        if not quotes:
            # the quote that attributes the claim (or, in older data, covers it as a whole)
            quotes = {e.body: e.quote.exact for e in evidence_in(graph) if e.whole_node or PROV.wasAttributedTo in e.properties}
        sides = sorted(graph.objects(claim, CKG.concernsActor), key=str) or [None]
        for side in sides:
            found.append(
                Figure(
                    claim,
                    graph.value(claim, PROV.wasAttributedTo),
                    str(graph.value(claim, CKG.wording) or ""),
                    kind,
                    side,
                    _int(graph.value(claim, SCHEMA.minValue)),
                    _int(graph.value(claim, SCHEMA.maxValue)),
                    status,
                    quotes.get(claim, ""),
                )
            )
    found.sort(key=lambda f: (label(graph, f.source), f.wording, str(f.claim)))
    return found


def acled_types(graph: Graph, event: Node) -> tuple[Node, Node] | None:
    """(ACLED event type, ACLED sub-event type) for the event's type: the concept itself when it is
    ACLED's, else its skos:exactMatch, closeMatch or broadMatch in ckv:acled, in that order."""
    for concept in sorted(graph.objects(event, CKG.eventType), key=str):
        candidates = [concept] if (concept, SKOS.inScheme, ACLED_SCHEME) in graph else []
        for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch):
            candidates += sorted(graph.objects(concept, predicate), key=str)
            candidates += sorted(graph.subjects(predicate, concept), key=str) if predicate == SKOS.exactMatch else []
        for candidate in candidates:
            if (candidate, SKOS.inScheme, ACLED_SCHEME) not in graph:
                continue
            broader = graph.value(candidate, SKOS.broader)
            if broader is not None:
                return broader, candidate
    return None


def notation(graph: Graph, concept: Node | None) -> str:
    value = graph.value(concept, SKOS.notation) if concept is not None else None
    return str(value) if value is not None else label(graph, concept)


def claimed_only_by(graph: Graph, event: Node) -> list[Node]:
    """The sources whose claims alone assert `event`: it lives in their claim's assertion graph
    (ckg:assertionGraph), not in the voice of the article or data set; [] for a stated event. Exports
    mark such an event as claimed (docs/MODEL.md)."""
    agents = {
        agent
        for claim in graph.subjects(CKG.assertsEvent, event)
        if graph.value(claim, CKG.assertionGraph) is not None
        for agent in graph.objects(claim, PROV.wasAttributedTo)
    }
    return sorted(agents, key=lambda a: (label(graph, a), str(a)))


def sources_of(graph: Graph, event: Node) -> list[Node]:
    """Every agent that made a claim about the event or its sub-events, sorted by label."""
    events = with_sub_events(graph, event)
    agents = {a for e in events for c in graph.subjects(SCHEMA.about, e) for a in graph.objects(c, PROV.wasAttributedTo)}
    return sorted(agents, key=lambda a: (label(graph, a), str(a)))


def articles_of(graph: Graph, event: Node) -> list[Node]:
    """The source articles that tell of the event: those whose text the evidence quotes for the
    event, its sub-events or the claims about them (never another data set's article), sorted."""
    articles = set(instances(graph, CKG.EncyclopediaArticle))
    if not articles:
        return []
    nodes = with_sub_events(graph, event)
    nodes |= {c for e in set(nodes) for c in graph.subjects(SCHEMA.about, e)}
    found = set()
    for node in nodes:
        for annotation in graph.subjects(OA.hasBody, node):
            for target in graph.objects(annotation, OA.hasTarget):
                found |= {a for a in graph.objects(target, OA.hasSource) if a in articles}
    return sorted(found, key=str)
