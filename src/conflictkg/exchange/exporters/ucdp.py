"""Writes events as rows of UCDP GED's column layout, with low / best / high and per-side deaths derived from the claims by a documented rule."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from conflictkg.exchange.exporters.common import (
    GEO,
    KILLED,
    PRECISION,
    Facts,
    Figure,
    articles_of,
    casualty_figures,
    claimed_only_by,
    instances,
    is_a,
    label,
    local_name,
    parents,
    parties,
    side_key,
    state_of,
    top_level,
    when,
    where,
)
from conflictkg.graph.namespaces import CKG, SCHEMA

# UCDP GED's layout from version 20.1 on (the 23.1 file's 49 columns, in order).
COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id", "conflict_new_id",
    "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
    "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates", "where_description",
    "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
DATE_PREC = {
    PRECISION["day"]: "1", PRECISION["part-of-day"]: "1", PRECISION["few-days"]: "2", PRECISION["week"]: "3",
    PRECISION["month"]: "4", PRECISION["year"]: "5", PRECISION["part-of-decade"]: "5", PRECISION["open-ended"]: "5",
}
NOT_VIOLENCE = (CKG.Statement, CKG.Campaign, CKG.War, CKG.Presence)


@dataclass(frozen=True)
class Estimate:
    """The low, best and high death counts of one side, and the claims they were read from."""

    low: int
    best: int
    high: int
    figures: tuple[Figure, ...] = ()


def estimate(figures: list[Figure]) -> Estimate:
    """The rule (docs/evidence-and-interchange.md), for the killed-figures of one side:
    each claim allows the figures from its lower bound (0 when it has none) to its upper bound
    (unbounded when it has none);
    low  = the smallest lower bound;
    high = the largest upper bound, a claim without one counting with its lower bound (no source
           gives a higher figure);
    best = when every claim's range overlaps every other's, the lowest figure all of them allow
           (the largest lower bound); when they conflict, low (the conservative figure).
    A side no claim gives a number for counts 0 in all three."""
    numbered = [f for f in figures if f.has_number]
    if not numbered:
        return Estimate(0, 0, 0)
    intervals = [f.interval() for f in numbered]
    low = min(lo for lo, _hi in intervals)
    high = max(int(hi) if hi != float("inf") else lo for lo, hi in intervals)
    largest_low = max(lo for lo, _hi in intervals)
    smallest_high = min(hi for _lo, hi in intervals)
    best = largest_low if largest_low <= smallest_high else low
    high = max(high, best)
    return Estimate(low, best, high, tuple(numbered))


def stable_id(event: Node) -> str:
    """A whole number for GED's `id` column, stable for an event IRI: the first 8 hex digits of the
    IRI's SHA-256, read as a number (UCDP's own ids are UCDP's; relid carries ours)."""
    return str(int(hashlib.sha256(str(event).encode("utf-8")).hexdigest()[:8], 16))


def _ged_id(graph: Graph, event: Node) -> str:
    """An imported GED event's own id (its dcterms:identifier, a whole number), else `stable_id`."""
    value = str(graph.value(event, DCTERMS.identifier) or "")
    return value if value.isdigit() else stable_id(event)


def _relid(graph: Graph, event: Node) -> str:
    """An imported GED event's relid (its external identifier of that scheme), else ckg-<name>."""
    for node in graph.objects(event, CKG.externalIdentifier):
        if str(graph.value(node, CKG.identifierScheme) or "") == "UCDP GED relid":
            return str(graph.value(node, CKG.identifierValue))
    return f"ckg-{local_name(event)}"


def exportable(graph: Graph, skip: Iterable[Node] = ()) -> list[Node]:
    """Events GED would hold: organised violence (not a statement, campaign, war or presence) with
    a first and last possible day, for which at least one claim gives a number of dead; not a
    sub-event of another such event. Events in `skip` (imported GED rows, written as read) are left out."""
    skip = set(skip)
    events = []
    for event in instances(graph, CKG.Event):
        if event in skip:
            continue
        if any(is_a(graph, event, cls) for cls in NOT_VIOLENCE):
            continue
        moment = when(graph, event)
        if moment.first is None or moment.last is None or moment.precision not in DATE_PREC:
            continue
        if not [f for f in casualty_figures(graph, event, (KILLED,)) if f.kind == KILLED and f.has_number]:
            continue
        events.append(event)
    return top_level(graph, events)


def _sides(graph: Graph, event: Node) -> tuple[Node | None, Node | None]:
    """(side A, side B): side A the state side if there is one, side B the party it fought."""
    who = parties(graph, event)
    keys: list[Node] = []
    for actor in who.all():
        key = side_key(graph, actor)
        if key not in keys:
            keys.append(key)
    states = [k for k in keys if is_a(graph, k, CKG.State)]
    side_a = states[0] if states else (keys[0] if keys else None)
    others = [k for k in keys if k != side_a]
    return side_a, (others[0] if others else None)


def _side_name(graph: Graph, side: Node | None) -> str:
    if side is None:
        return ""
    name = label(graph, side)
    return f"Government of {name}" if is_a(graph, side, CKG.State) and not name.startswith("Government of") else name


def _type_of_violence(graph: Graph, side_a: Node | None, side_b: Node | None) -> str:
    if side_b is not None and label(graph, side_b).lower() == "civilians":
        return "3"
    if side_a is not None and is_a(graph, side_a, CKG.State):
        return "1"
    return "2"


# --- rows of an imported GED file, written back as published ------------------------------------

GED_ID = "UCDP GED id"
WHERE_PREFIX = "Location as described by UCDP: "
ORIGINAL_PREFIX = "Original source according to UCDP: "


def _identifiers(facts: Facts, node: Node | None, link: URIRef = CKG.externalIdentifier) -> dict[str, str]:
    found = {}
    for identifier in facts.objects(node, link):
        scheme, value = facts.value(identifier, CKG.identifierScheme), facts.value(identifier, CKG.identifierValue)
        if scheme is not None and value is not None:
            found[str(scheme)] = str(value)
    return found


def imported_events(facts: Facts) -> list[Node]:
    """Events imported from a UCDP GED file (they carry a "UCDP GED id"), in id order."""
    events = {
        event
        for identifier in facts.subjects(CKG.identifierScheme, Literal(GED_ID))
        for event in facts.subjects(CKG.externalIdentifier, identifier)
    }

    def key(event: Node) -> tuple[int, str]:
        value = str(facts.value(event, DCTERMS.identifier) or "")
        return (int(value) if value.isdigit() else -1, str(event))

    return sorted(events, key=key)


def _prefixed(facts: Facts, node: Node | None, predicate: URIRef, prefix: str) -> str:
    for value in facts.objects(node, predicate):
        if str(value).startswith(prefix):
            return str(value)[len(prefix):]
    return ""


def _actor_id(actor: Node | None) -> str:
    """UCDP's actor id, kept in the actor's IRI (kid:actor/ucdp-ged/<id>-<name>)."""
    if actor is None:
        return ""
    head = local_name(actor).split("-", 1)[0]
    return head if head.isdigit() else ""


def _figure(facts: Facts, node: Node | None, predicate: URIRef) -> str:
    value = facts.value(node, predicate)
    return str(value) if value is not None else ""


def imported_row(facts: Facts, event: Node) -> dict[str, str]:
    """The GED row an imported event was read from: every field the importer reads, as published
    (low / best / high as published even when unordered; sides, ids and precision codes as coded)."""
    row = dict.fromkeys(COLUMNS, "")
    ids = _identifiers(facts, event)
    coded = _identifiers(facts, event, CKG.sourceIdentifier)
    row["id"] = str(facts.value(event, DCTERMS.identifier) or ids.get(GED_ID, ""))
    row["relid"] = ids.get("UCDP GED relid", "")
    row["type_of_violence"] = facts.notation(facts.value(event, CKG.sourceEventType))
    row["date_prec"] = facts.notation(facts.value(event, CKG.sourceTimePrecision))
    row["where_prec"] = facts.notation(facts.value(event, CKG.locationPrecision))
    first = facts.value(event, CKG.beginDate) or facts.value(event, CKG.earliestBegin)
    last = facts.value(event, CKG.endDate) or facts.value(event, CKG.latestEnd)
    row["date_start"], row["date_end"] = str(first or ""), str(last or "")
    row["year"] = str(first)[:4] if first is not None else ""
    row["dyad_new_id"] = coded.get("UCDP dyad_new_id", "")
    row["dyad_dset_id"] = coded.get("UCDP dyad_dset_id", "")
    for war in facts.objects(event, CKG.subEventOf):
        if CKG.War in facts.objects(war, RDF.type):
            war_ids = _identifiers(facts, war)
            row["conflict_new_id"] = str(facts.value(war, DCTERMS.identifier) or war_ids.get("UCDP conflict_new_id", ""))
            row["conflict_name"] = facts.label(war)
            row["conflict_dset_id"] = war_ids.get("UCDP conflict_dset_id", "")
            break
    # The claims: the total and one per column (each names its column with ckg:sourceField).
    claims = facts.subjects(SCHEMA.about, event)
    by_column = {str(facts.value(c, CKG.sourceField)): c for c in claims if facts.value(c, CKG.sourceField) is not None}
    total = next((c for c in claims if local_name(c) == "deaths-total"), None)
    for column in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"):
        row[column] = _figure(facts, by_column.get(column), CKG.bestEstimate)
    row["best"] = _figure(facts, total, CKG.bestEstimate)
    row["low"] = _figure(facts, total, CKG.lowEstimate) or _figure(facts, total, SCHEMA.minValue)
    row["high"] = _figure(facts, total, CKG.highEstimate) or _figure(facts, total, SCHEMA.maxValue)
    for side, column in (("a", "deaths_a"), ("b", "deaths_b")):
        actor = facts.value(by_column.get(column), CKG.concernsActor)
        row[f"side_{side}"] = facts.label(actor) if actor is not None else ""
        row[f"side_{side}_new_id"] = _actor_id(actor)
    row["source_article"] = str(facts.value(total, DCTERMS.bibliographicCitation) or "")
    row["source_original"] = _prefixed(facts, total, RDFS.comment, ORIGINAL_PREFIX)
    row["source_office"] = ";".join(sorted(facts.label(a) for a in facts.objects(total, CKG.citesSource)))
    row["where_description"] = _prefixed(facts, event, SCHEMA.description, WHERE_PREFIX)
    # The place: the named location inside the publisher's divisions (admin levels 0, 1, 2).
    place = facts.value(event, CKG.hasPlace)
    levels: dict[int, Node] = {}
    node, seen = place, set()
    while node is not None and node not in seen:
        seen.add(node)
        level = facts.value(node, CKG.adminLevel)
        if level is not None:
            levels.setdefault(int(level), node)
        node = facts.value(node, CKG.containedIn)
    country = levels.get(0)
    row["country"] = facts.label(country) if country is not None else ""
    row["country_id"] = _identifiers(facts, country).get("Gleditsch-Ward state number", "")
    row["adm_1"] = facts.label(levels[1]) if 1 in levels else ""
    row["adm_2"] = facts.label(levels[2]) if 2 in levels else ""
    event_label = facts.label(event)
    span = row["date_start"] if row["date_start"] == row["date_end"] else f"{row['date_start']} to {row['date_end']}"
    # The importer labels the event "<dyad_name>, <where_coordinates or adm_1 or country> (<dates>)":
    # where_coordinates is the place's name when the label names it (else the row had none).
    place_name = facts.label(place) if place is not None else ""
    row["where_coordinates"] = place_name if event_label.endswith(f", {place_name} ({span})") else ""
    suffix = f", {row['where_coordinates'] or row['adm_1'] or row['country']} ({span})"
    row["dyad_name"] = event_label[: -len(suffix)] if event_label.endswith(suffix) else f"{row['side_a']} - {row['side_b']}"
    for geometry in facts.objects(event, URIRef(GEO + "hasGeometry")):
        text = str(facts.value(geometry, URIRef(GEO + "asWKT")) or "").strip()
        if text.upper().startswith("POINT") and "(" in text:
            inside = text[text.index("(") + 1 : text.rindex(")")].split()
            if len(inside) == 2:
                row["longitude"], row["latitude"] = inside
                row["geom_wkt"] = f"POINT ({inside[0]} {inside[1]})"
    return row


def imported_rows(triples: Iterable[tuple[Node, Node, Node]]) -> list[dict[str, str]]:
    """The GED rows of every imported GED event in `triples` (data and ontology), as published."""
    facts = triples if isinstance(triples, Facts) else Facts(triples)
    return [imported_row(facts, event) for event in imported_events(facts)]


def rows(graph: Graph) -> list[dict[str, str]]:
    """One GED row per exportable event: imported GED rows as they were read, then one derived row
    per other event (the rule of `estimate`)."""
    facts = Facts(graph)
    imported = imported_events(facts)
    result = [imported_row(facts, event) for event in imported]
    for event in exportable(graph, imported):
        moment = when(graph, event)
        place = where(graph, event)
        side_a, side_b = _sides(graph, event)
        figures = [f for f in casualty_figures(graph, event, (KILLED,)) if f.kind == KILLED]
        by_column: dict[str, list[Figure]] = {"deaths_a": [], "deaths_b": [], "deaths_civilians": [], "deaths_unknown": []}
        for figure in figures:
            key = side_key(graph, figure.side) if figure.side is not None else None
            if key is not None and key == side_a:
                by_column["deaths_a"].append(figure)
            elif key is not None and key == side_b:
                by_column["deaths_b"].append(figure)
            elif figure.side is not None and label(graph, figure.side).lower() == "civilians":
                by_column["deaths_civilians"].append(figure)
            else:
                by_column["deaths_unknown"].append(figure)
        estimates = {column: estimate(found) for column, found in by_column.items()}
        wars = [p for p in sorted(parents(graph, event), key=str) if is_a(graph, p, CKG.War)]
        regions = list(place.regions)
        articles = articles_of(graph, event)
        reporters = sorted({f.source for f in figures if f.source is not None}, key=lambda a: label(graph, a))
        original = []
        claimers = claimed_only_by(graph, event)
        if claimers:  # an event only a source claims is marked claimed, never given as fact
            original.append("claimed by " + ", ".join(label(graph, a) for a in claimers) + " (not stated as fact by the source)")
        for reporter in reporters:
            cited = sorted({c for f in figures if f.source == reporter for c in graph.objects(f.claim, CKG.citesSource)},
                           key=lambda a: label(graph, a))
            original.append(label(graph, reporter) + (f" (citing {', '.join(label(graph, c) for c in cited)})" if cited else ""))
        result.append(
            {
                "id": _ged_id(graph, event),
                "relid": _relid(graph, event),
                "year": str(moment.first.year),
                "active_year": "",
                "code_status": "",
                "type_of_violence": _type_of_violence(graph, side_a, side_b),
                "conflict_dset_id": "",
                "conflict_new_id": "",
                "conflict_name": label(graph, wars[0]) if wars else "",
                "dyad_dset_id": "",
                "dyad_new_id": "",
                "dyad_name": f"{_side_name(graph, side_a)} - {_side_name(graph, side_b)}" if side_a is not None and side_b is not None else "",
                "side_a_dset_id": "",
                "side_a_new_id": "",
                "side_a": _side_name(graph, side_a),
                "side_b_dset_id": "",
                "side_b_new_id": "",
                "side_b": _side_name(graph, side_b),
                "number_of_sources": str(len(articles)),
                "source_article": ";".join(_citation(graph, a) for a in articles),
                "source_office": ";".join(label(graph, graph.value(a, DCTERMS.publisher)) for a in articles),
                "source_date": ";".join("" for _a in articles),
                "source_headline": ";".join(str(graph.value(a, DCTERMS.title) or "") for a in articles),
                "source_original": "; ".join(original),
                "where_prec": _where_prec(graph, place.location, len(regions)),
                "where_coordinates": label(graph, place.location) if place.location is not None else "",
                "where_description": label(graph, place.detail) if place.detail is not None else "",
                "adm_1": label(graph, regions[0]) if len(regions) > 0 else "",
                "adm_2": label(graph, regions[1]) if len(regions) > 1 else "",
                "latitude": place.latitude,
                "longitude": place.longitude,
                "geom_wkt": f"POINT ({place.longitude} {place.latitude})" if place.latitude else "",
                "priogrid_gid": "",
                "country": label(graph, place.country) if place.country is not None else "",
                "country_id": "",
                "region": "",
                "event_clarity": "",
                "date_prec": DATE_PREC[moment.precision],
                "date_start": moment.first.isoformat(),
                "date_end": moment.last.isoformat(),
                "deaths_a": str(estimates["deaths_a"].best),
                "deaths_b": str(estimates["deaths_b"].best),
                "deaths_civilians": str(estimates["deaths_civilians"].best),
                "deaths_unknown": str(estimates["deaths_unknown"].best),
                "best": str(sum(e.best for e in estimates.values())),
                "high": str(sum(e.high for e in estimates.values())),
                "low": str(sum(e.low for e in estimates.values())),
                "gwnoa": "",
                "gwnob": "",
            }
        )
    return result


def _citation(graph: Graph, article: Node) -> str:
    """UCDP's source_article form, "publisher,date,headline" in quotes (no date is recorded)."""
    return '"' + ",".join((label(graph, graph.value(article, DCTERMS.publisher)), "", str(graph.value(article, DCTERMS.title) or ""))) + '"'


def _where_prec(graph: Graph, location: Node | None, depth: int) -> str:
    """1 a named village, town, base or place; 3 / 4 a second- / first-order division; 5 a road,
    forest or border (a larger or vaguer area); 6 the country."""
    if location is None:
        return "6"
    if is_a(graph, location, CKG.Country):
        return "6"
    if is_a(graph, location, CKG.Region):
        return "3" if depth > 1 else "4"
    for cls in (CKG.Road, CKG.Forest, CKG.Border):
        if is_a(graph, location, cls):
            return "5"
    return "1"


def write_csv(table: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue().encode("utf-8")


def export(graph: Graph) -> bytes:
    """The UCDP GED-layout CSV of every exportable event in `graph` (data + ontology)."""
    return write_csv(rows(graph))


__all__ = ["COLUMNS", "Estimate", "estimate", "export", "exportable", "rows", "stable_id", "state_of", "write_csv"]
