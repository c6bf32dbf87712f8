"""Writes events as rows of ACLED's export layout, with ACLED's conservative fatality figure and the disagreeing figures in `notes`."""

from __future__ import annotations

import csv
import io

from rdflib import Graph
from rdflib.term import Node

from conflictkg.graph.namespaces import CKG, SCHEMA
from conflictkg.exchange.exporters.common import (
    KILLED,
    PRECISION,
    Figure,
    acled_types,
    casualty_figures,
    identifier,
    instances,
    is_a,
    label,
    month_of,
    notation,
    parties,
    sources_of,
    top_level,
    when,
    where,
)

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


def exportable(graph: Graph) -> list[Node]:
    """Events ACLED would code: of a type mapped to an ACLED sub-event type, dated to a day or a
    month, and not a sub-event of another such event (whose row covers it)."""
    events = []
    for event in instances(graph, CKG.Event):
        if acled_types(graph, event) is None:
            continue
        moment = when(graph, event)
        if not (moment.day or month_of(moment) or moment.precision == PRECISION["week"]):
            continue
        events.append(event)
    return top_level(graph, events)


def rows(graph: Graph) -> list[dict[str, str]]:
    """One ACLED row per exportable event."""
    result = []
    for event in exportable(graph):
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
                "location": label(graph, location) if location is not None and location not in regions and location != place.country else "",
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
    description = graph.value(event, SCHEMA.description)
    if description is not None:
        parts.append(str(description).rstrip(".") + ".")
    if figures:
        listed = "; ".join(
            f"{label(graph, f.source)}: \"{f.wording}\" ({f.bounds_text()}"
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


__all__ = ["COLUMNS", "conservative_fatalities", "export", "exportable", "rows", "write_csv"]
