"""Writes events as rows of ACLED's export layout, with ACLED's conservative fatality figure and the disagreeing figures in `notes`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS
from rdflib.term import Node

from conflictkg.exchange.exporters.common import (
    GEO,
    KILLED,
    PRECISION,
    Facts,
    Figure,
    acled_types,
    casualty_figures,
    claimed_only_by,
    identifier,
    instances,
    is_a,
    label,
    local_name,
    month_of,
    notation,
    parties,
    sources_of,
    top_level,
    when,
    where,
)
from conflictkg.graph.namespaces import CKG, SCHEMA

# ACLED's export tool layout ("ACLED Data Columns at a Glance"): 31 columns.
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# ACLED's actor "inter" codes for the kinds of actor our ontology has.
INTER = (
    (CKG.StateArmedForce, "1"), (CKG.State, "1"), (CKG.GovernmentOfficials, "1"),
    (CKG.NonStateArmedGroup, "2"), (CKG.PrivateMilitaryCompany, "8"),
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def conservative_fatalities(figures: list[Figure]) -> tuple[int, list[Figure]]:
    """ACLED's rule: record the most conservative reported figure. For each side, the lowest
    number any claim gives ("between thirty and thirty-two" gives 30, "over thirty" 31), summed over
    the sides; 0 when no claim gives a number. Returns the figure and the claims it was read from."""
    by_side: dict[Node | None, list[Figure]] = {}
    for figure in figures:
        if figure.kind == KILLED and figure.has_number:
            by_side.setdefault(figure.side, []).append(figure)
    total = 0
    used = []
    for side_figures in by_side.values():
        lowest = min(f.low if f.low is not None else f.high for f in side_figures)
        total += lowest
        used += [f for f in side_figures if (f.low if f.low is not None else f.high) == lowest]
    return total, used


def _inter(graph: Graph, actor: Node | None) -> str:
    if actor is None:
        return ""
    return next((code for cls, code in INTER if is_a(graph, actor, cls)), "")


def _date_text(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


ACLED_ID = "ACLED event_id_cnty"
# The class an imported actor's inter code gave it, most specific first.
INTER_CODES = ((CKG.StateArmedForce, "1"), (CKG.RebelGroup, "2"), (CKG.PoliticalMilitia, "3"), (CKG.IdentityMilitia, "4"),
               (CKG.Rioters, "5"), (CKG.Protesters, "6"), (CKG.Civilians, "7"), (CKG.NonStateArmedGroup, "2"),
               (CKG.Organization, "8"))
# The inter codes as words (ACLED's API), for files that gave them so.
INTER_WORDS = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia", "5": "Rioters",
               "6": "Protesters", "7": "Civilians", "8": "External/Other forces"}
EVENT_ACTORS = (CKG.combatant, CKG.perpetrator, CKG.target, CKG.hasActor)


def imported_events(facts: Facts) -> list[Node]:
    """Events imported from an ACLED file (they carry an "ACLED event_id_cnty"), in id order."""
    events = {
        event
        for identifier in facts.subjects(CKG.identifierScheme, Literal(ACLED_ID))
        for event in facts.subjects(CKG.externalIdentifier, identifier)
    }
    return sorted(events, key=lambda e: (str(facts.value(e, DCTERMS.identifier) or ""), str(e)))


def imported_row(facts: Facts, event: Node) -> dict[str, str]:
    """The ACLED row an imported event was read from: every column the importer reads, as read
    (actor1 and actor2 in their order, the row's own sources and notes, its codes and its point)."""
    row = dict.fromkeys(COLUMNS, "")
    row["event_id_cnty"] = str(facts.value(event, DCTERMS.identifier) or "")
    precision = facts.value(event, CKG.sourceTimePrecision)
    row["time_precision"] = facts.notation(precision)
    day = facts.value(event, CKG.beginDate) if row["time_precision"] == "1" else facts.value(event, CKG.referenceDate)
    day = day if day is not None else facts.value(event, CKG.beginDate) or facts.value(event, CKG.referenceDate)
    moment = day.toPython() if isinstance(day, Literal) else None
    # The forms the file wrote dates and inter codes in (the data set's layout names them).
    layout = str(facts.value(facts.value(event, PROV.wasDerivedFrom), CKG.fileLayout) or "")
    api_dates = "API dates" in layout and "export-tool dates" not in layout
    inter_words = "inter codes as words" in layout and "numeric inter codes" not in layout
    if isinstance(moment, dt.date):
        row["event_date"], row["year"] = (moment.isoformat() if api_dates else _date_text(moment)), str(moment.year)
    sub_type = facts.value(event, CKG.sourceEventType)
    event_type = facts.value(sub_type, SKOS.broader)
    row["sub_event_type"], row["event_type"] = facts.notation(sub_type), facts.notation(event_type)
    row["disorder_type"] = DISORDER.get(row["event_type"], "")
    # The places: the named location inside country > admin1 > admin2 > admin3.
    place = facts.value(event, CKG.hasPlace)
    levels: dict[int, Node] = {}
    node, seen = place, set()
    while node is not None and node not in seen:
        seen.add(node)
        level = facts.value(node, CKG.adminLevel)
        if level is not None:
            levels.setdefault(int(level), node)
        node = facts.value(node, CKG.containedIn)
    for level, column in ((0, "country"), (1, "admin1"), (2, "admin2"), (3, "admin3")):
        row[column] = facts.label(levels[level]) if level in levels else ""
    row["location"] = facts.label(place) if place is not None else ""
    for code_node in facts.objects(levels.get(0), CKG.externalIdentifier):
        if str(facts.value(code_node, CKG.identifierScheme)) == "ISO 3166-1 numeric":
            row["iso"] = str(facts.value(code_node, CKG.identifierValue))
    row["region"] = str(facts.value(levels.get(0), CKG.worldRegion) or "")
    for geometry in facts.objects(event, URIRef(GEO + "hasGeometry")):
        text = str(facts.value(geometry, URIRef(GEO + "asWKT")) or "").strip()
        if text.upper().startswith("POINT") and "(" in text:
            inside = text[text.index("(") + 1 : text.rindex(")")].split()
            if len(inside) == 2:
                row["longitude"], row["latitude"] = (_four_places(n) for n in inside)
    row["geo_precision"] = facts.notation(facts.value(event, CKG.locationPrecision))
    # The actors: actor1 and actor2 in the order the event's label gives them, the others associated.
    actors = {a for prop in EVENT_ACTORS for a in facts.objects(event, prop)}
    targets = set(facts.objects(event, CKG.target))
    first, second = _main_actors(facts, event, row, actors)
    row["actor1"], row["actor2"] = facts.label(first), facts.label(second) if second is not None else ""
    row["inter1"], row["inter2"] = _inter_code(facts, first, targets), _inter_code(facts, second, targets)
    codes = sorted(c for c in (row["inter1"], row["inter2"]) if c)
    if inter_words:
        row["inter1"], row["inter2"] = INTER_WORDS.get(row["inter1"], row["inter1"]), INTER_WORDS.get(row["inter2"], row["inter2"])
        words = [INTER_WORDS.get(c, c) for c in codes]
        row["interaction"] = "-".join(words) if len(words) == 2 else (words[0] + " only" if words else "")
    else:
        row["interaction"] = "".join(codes) if len(codes) == 2 else (codes[0] + "0" if codes else "")
    # Associated actors on the side the row gave them (graphs from before sides were kept: all with actor1).
    side1, side2 = set(facts.objects(event, CKG.associateOfActor1)), set(facts.objects(event, CKG.associateOfActor2))
    rest = actors - {first, second} - side1 - side2
    row["assoc_actor_1"] = "; ".join(sorted(facts.label(a) for a in side1 | rest))
    row["assoc_actor_2"] = "; ".join(sorted(facts.label(a) for a in side2))
    row["civilian_targeting"] = "Civilian targeting" if targets else ""
    # The row's fatality figure, its sources and notes.
    claim = next((c for c in facts.subjects(SCHEMA.about, event) if local_name(c) == "fatalities"), None)
    figure = facts.value(claim, SCHEMA.minValue)
    row["fatalities"] = str(figure) if figure is not None else ""
    # The sources as the row listed them (else the sources cited, in name order), and their scale.
    listed = facts.value(claim, DCTERMS.bibliographicCitation)
    row["source"] = str(listed) if listed is not None else "; ".join(sorted(facts.label(a) for a in facts.objects(claim, CKG.citesSource)))
    row["source_scale"] = str(facts.value(claim, CKG.sourceScale) or "")
    row["notes"] = str(facts.value(event, SCHEMA.description) or "")
    row["tags"] = str(facts.value(event, SCHEMA.keywords) or "")
    # The row's own upload time (else the data set's latest, from graphs imported before it was kept).
    modified = facts.value(event, DCTERMS.modified)
    if modified is None:
        modified = facts.value(facts.value(event, PROV.wasDerivedFrom), DCTERMS.modified)
    stamp = modified.toPython() if isinstance(modified, Literal) else None
    if isinstance(stamp, dt.datetime):
        row["timestamp"] = str(int((stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).timestamp()))
    return row


def imported_rows(triples: Iterable[tuple[Node, Node, Node]]) -> list[dict[str, str]]:
    """The ACLED rows of every imported ACLED event in `triples` (data and ontology), as read."""
    facts = triples if isinstance(triples, Facts) else Facts(triples)
    return [imported_row(facts, event) for event in imported_events(facts)]


def _main_actors(facts: Facts, event: Node, row: dict[str, str], actors: set[Node]) -> tuple[Node | None, Node | None]:
    """actor1 and actor2: the importer labels the event "<sub-event type>: <actor1>[ – <actor2>],
    <location> (<date>)"; the actors whose names fill that place, in that order."""
    event_label = facts.label(event)
    head = f"{row['sub_event_type']}: "
    tail = f", {row['location']} ("
    middle = event_label[len(head) : event_label.rfind(tail)] if event_label.startswith(head) and tail in event_label else ""
    named = sorted(actors, key=lambda a: (-len(facts.label(a)), str(a)))
    for a in named:
        name = facts.label(a)
        if middle == name:
            return a, None
        if middle.startswith(name + " – "):
            rest = middle[len(name) + 3 :]
            second = next((b for b in named if b != a and facts.label(b) == rest), None)
            if second is None and rest == name:
                second = a  # one actor on both sides (a group's factions clashing, rioters against rioters)
            if second is not None:
                return a, second
    ordered = sorted(actors, key=str)
    return (ordered[0] if ordered else None), (ordered[1] if len(ordered) > 1 else None)


def _four_places(number: str) -> str:
    """A coordinate as ACLED writes it: at least four decimal places ("13.9" -> "13.9000")."""
    whole, _dot, fraction = number.partition(".")
    return f"{whole}.{fraction.ljust(4, '0')}" if len(fraction) < 4 else number


def _inter_code(facts: Facts, actor: Node | None, targets: set[Node]) -> str:
    if actor is None:
        return ""
    types = set(facts.objects(actor, RDF.type))
    for cls, code in INTER_CODES:
        if cls in types:
            return code
    return "7" if actor in targets else "5"


def exportable(graph: Graph, skip: Iterable[Node] = ()) -> list[Node]:
    """Events ACLED would code: of a type mapped to an ACLED sub-event type, dated to a day, a week
    or a month, with at least one actor (ACLED's actor1 is never empty), and not a sub-event of
    another such event (whose row covers it). Events in `skip` (imported ACLED rows) are left out."""
    skip = set(skip)
    events = []
    for event in instances(graph, CKG.Event):
        if event in skip or not parties(graph, event).all():
            continue
        if acled_types(graph, event) is None:
            continue
        moment = when(graph, event)
        if not (moment.day or month_of(moment) or moment.precision == PRECISION["week"]):
            continue
        events.append(event)
    return top_level(graph, events)


def rows(graph: Graph) -> list[dict[str, str]]:
    """One ACLED row per exportable event: imported ACLED rows as they were read, then one derived
    row per other event."""
    facts = Facts(graph)
    imported = imported_events(facts)
    result = [imported_row(facts, event) for event in imported]
    for event in exportable(graph, imported):
        event_type, sub_type = acled_types(graph, event)  # type: ignore[misc]
        moment = when(graph, event)
        if moment.day:
            day, precision = moment.first, "1"
        elif month_of(moment):
            first, last = month_of(moment)  # type: ignore[misc]
            day, precision = first + (last - first) / 2, "3"
        else:  # a week: ACLED records its middle day
            day, precision = moment.first + (moment.last - moment.first) / 2, "2"
        place = where(graph, event)
        who = parties(graph, event)
        first_side = who.perpetrators or who.combatants[:1]
        second_side = [a for a in (who.targets or who.combatants) if a not in first_side]
        actor1 = first_side[0] if first_side else None
        actor2 = second_side[0] if second_side else None
        assoc1 = [a for a in first_side[1:]]
        assoc2 = [a for a in second_side[1:]]
        inter1, inter2 = _inter(graph, actor1), _inter(graph, actor2)
        codes = sorted(c for c in (inter1, inter2) if c)
        interaction = "".join(codes) if len(codes) == 2 else (codes[0] + "0" if codes else "")
        figures = casualty_figures(graph, event, (KILLED,))
        fatalities, used = conservative_fatalities(figures)
        regions = list(place.regions)
        location = place.location
        result.append(
            {
                "event_id_cnty": identifier(graph, event),
                "event_date": _date_text(day),
                "year": str(day.year),
                "time_precision": precision,
                "disorder_type": DISORDER.get(notation(graph, event_type), ""),
                "event_type": notation(graph, event_type),
                "sub_event_type": notation(graph, sub_type),
                "actor1": label(graph, actor1) if actor1 is not None else "",
                "assoc_actor_1": "; ".join(label(graph, a) for a in assoc1),
                "inter1": inter1,
                "actor2": label(graph, actor2) if actor2 is not None else "",
                "assoc_actor_2": "; ".join(label(graph, a) for a in assoc2),
                "inter2": inter2,
                "interaction": interaction,
                "civilian_targeting": "",
                "iso": "",
                "region": "",
                "country": label(graph, place.country) if place.country is not None else "",
                "admin1": label(graph, regions[0]) if len(regions) > 0 else "",
                "admin2": label(graph, regions[1]) if len(regions) > 1 else "",
                "admin3": label(graph, regions[2]) if len(regions) > 2 else "",
                # ACLED always names a location: the most specific place the event has.
                "location": label(graph, location) if location is not None else label(graph, place.detail),
                "latitude": place.latitude,
                "longitude": place.longitude,
                "geo_precision": _geo_precision(graph, location),
                "source": "; ".join(label(graph, s) for s in sources_of(graph, event)),
                "source_scale": "",
                "notes": notes(graph, event, figures, fatalities, used),
                "fatalities": str(fatalities),
                "tags": "",
                "timestamp": "",
            }
        )
    return result


def _geo_precision(graph: Graph, location: Node | None) -> str:
    """1: a named village, town, base or place; 3: only a road, forest, border, region or country."""
    if location is None:
        return "3"
    for cls in (CKG.Road, CKG.Forest, CKG.Border, CKG.Region, CKG.Country):
        if is_a(graph, location, cls):
            return "3"
    return "1"


def notes(graph: Graph, event: Node, figures: list[Figure], fatalities: int, used: list[Figure]) -> str:
    """The event's description, then every source's figure for the dead (with its words and bounds,
    silences included), then which figure was coded and why."""
    parts = []
    claimers = claimed_only_by(graph, event)
    if claimers:
        names = ", ".join(label(graph, a) for a in claimers)
        parts.append(f"Claimed by {names}: reported only as {names}'s claim, not as fact, by the source.")
    description = graph.value(event, SCHEMA.description)
    if description is not None:
        parts.append(str(description).rstrip(".") + ".")
    if figures:
        listed = "; ".join(
            f"{label(graph, f.source)}: \"{f.wording or f.quote}\" ({f.bounds_text()}"
            + (f", about {label(graph, f.side)}" if f.side is not None else "")
            + ")"
            for f in figures
        )
        parts.append(f"Reported figures for the dead: {listed}.")
    chosen = ", ".join(sorted({label(graph, f.source) for f in used}))
    if used:
        parts.append(f"Fatalities coded: {fatalities}, the lowest reported figure (ACLED's conservative rule), given by {chosen}.")
    else:
        parts.append("Fatalities coded: 0, as no source gives a number.")
    parts.append(f"Exported by conflictkg from <{event}>.")
    return " ".join(parts)


def write_csv(table: list[dict[str, str]]) -> bytes:
    """The rows as ACLED's CSV (a header line, every field quoted where needed, UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue().encode("utf-8")


def export(graph: Graph) -> bytes:
    """The ACLED-layout CSV of every exportable event in `graph` (data + ontology)."""
    return write_csv(rows(graph))


__all__ = ["COLUMNS", "conservative_fatalities", "export", "exportable", "imported_rows", "rows", "write_csv"]
