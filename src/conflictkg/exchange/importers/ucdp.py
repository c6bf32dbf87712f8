"""Imports a UCDP GED file (CSV, the 19.1 and the 23.1 column layouts) into events, places, actors and claims."""

from __future__ import annotations

import datetime as dt
import re

from rdflib import Literal, URIRef

from conflictkg.exchange.importers.common import (
    CKG,
    CKV,
    DCTERMS,
    KID,
    PROV,
    RDF,
    RDFS,
    SDO,
    TRUE,
    Importer,
    Triple,
    code,
    coordinate,
    date_literal,
    en,
    integer,
    iso_date,
    require,
    slug,
    split_list,
    text,
    whole_number,
)
from conflictkg.exchange.importers.csvstream import MalformedRow, Row

TYPE_SCHEME = CKV["ucdp/type-of-violence"]
DATE_PRECISION_SCHEME = CKV["ucdp/date-prec"]
WHERE_PRECISION_SCHEME = CKV["ucdp/where-prec"]
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
WAR = CKV["event-type/war"]
# UCDP's type of violence says who fought whom, not how: state-based (1) and non-state (2) events
# are armed clashes between organised actors, one-sided violence (3) is an attack on civilians.
EVENT_TYPES = {"1": CKV["event-type/armed-clash"], "2": CKV["event-type/armed-clash"], "3": CKV["event-type/attack-on-civilians"]}
UNKNOWN_TIME = CKV["precision/unknown"]

REQUIRED = (
    "id", "type_of_violence", "side_a", "side_b",
    "date_prec", "date_start", "date_end",
    "where_prec", "country", "adm_1", "adm_2", "latitude", "longitude",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high",
    "source_article",
)
# Columns of the 23.1 layout that the 19.1 layout lacks (UCDP GED codebooks 19.1 and 23.1).
NEWER_COLUMNS = ("relid", "code_status", "conflict_dset_id", "dyad_dset_id", "side_a_dset_id", "side_b_dset_id", "where_description")
_VERSION_PATTERNS = (
    re.compile(r"ged[_-]?(\d{2})(\d)(?!\d)", re.IGNORECASE),
    re.compile(r"v(\d{2})[._](\d)(?!\d)", re.IGNORECASE),
)
# The kind of a named location, from the last word of its name as UCDP writes it ("Laukkaing Town",
# "Dibilou village", "Kawkareik Township"); any other name is a ckg:Place.
KIND_WORDS = {
    "village": CKG.Village, "town": CKG.Town, "city": CKG.Town,
    **{word: CKG.Region for word in (
        "township", "district", "sub-district", "division", "province", "state", "region", "governorate",
        "municipality", "department", "county", "prefecture", "oblast", "commune", "territory", "zone",
        "republic",
    )},
}
# Row-level identifiers of what the event is coded to (not the event's own id, so never merged on).
SOURCE_IDENTIFIERS = ("dyad_new_id", "dyad_dset_id")
CONFLICT_IDENTIFIERS = ("conflict_new_id", "conflict_dset_id")
BREAKDOWN = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")


def place_kind(name: str) -> URIRef:
    """The class of a named location, by the kind word its name ends with."""
    words = name.lower().split()
    return KIND_WORDS.get(words[-1], CKG.Place) if words else CKG.Place


def whole_id(value: str) -> str:
    """A UCDP id as written in IRIs and identifiers: "123.0" (some exports) is "123"."""
    return value.split(".")[0] if re.match(r"^\d+(\.0+)?$", value) else value


class UcdpImporter(Importer):
    """UCDP GED's columns as its codebook defines them.

    - date_start / date_end are the earliest and latest possible dates; date_prec 1 (exact:
      ckg:beginDate / ckg:endDate), 2-5 (bounds ckg:earliestBegin / ckg:latestEnd).
    - where_prec 1-7 tells what the coordinates stand for: a place, the area around it, the
      centroid of adm_2 (3), of adm_1 (4), of the country (6), water (7).
    - best / low / high: one claim by UCDP with the best estimate and the bounds; deaths_a,
      deaths_b, deaths_civilians, deaths_unknown: one claim each (best estimates).
    """

    publisher_key = "ucdp-ged"
    publisher_label = "UCDP (Uppsala Conflict Data Program)"
    publisher_homepage = "https://ucdp.uu.se/"
    what = "a UCDP GED file (see the UCDP GED codebook)"
    required = REQUIRED
    licence = LICENCE
    id_column = "id"

    def row_id(self, row: Row) -> str:
        return whole_id(text(row, "id"))

    def start(self, columns: list[str]) -> None:
        super().start(columns)
        self.violence = self.vocabulary.concepts(TYPE_SCHEME)
        self.date_codes = self.vocabulary.concepts(DATE_PRECISION_SCHEME)
        self.where_codes = self.vocabulary.concepts(WHERE_PRECISION_SCHEME)
        self.our_precision = {c: self.vocabulary.close_match(concept) for c, concept in self.date_codes.items()}
        self.newer_layout = all(name in columns for name in NEWER_COLUMNS)
        self.date_forms: set[str] = set()
        self.version_from_name = None
        if not self.options.version:
            for pattern in _VERSION_PATTERNS:
                match = pattern.search(self.file_name)
                if match:
                    self.version_from_name = f"{int(match.group(1))}.{match.group(2)}"
                    break

    def convert(self, row: Row) -> list[Triple]:
        problems: list[str] = []
        event_id = require(row, "id", problems)
        if event_id and not re.match(r"^\d+(\.0+)?$", event_id):
            problems.append(f"id is not a whole number: {event_id!r}")
        violence = code(row, "type_of_violence", self.violence, problems)
        side_a = require(row, "side_a", problems)
        side_b = require(row, "side_b", problems)
        start = self._date(row, "date_start", problems)
        end = self._date(row, "date_end", problems)
        date_code = code(row, "date_prec", self.date_codes, problems)
        where_code = code(row, "where_prec", self.where_codes, problems)
        country = require(row, "country", problems)
        latitude = coordinate(row, "latitude", 90, problems)
        longitude = coordinate(row, "longitude", 180, problems)
        if (latitude is None) != (longitude is None) and not any("itude" in p for p in problems):
            problems.append("latitude and longitude must be given together")
        figures = {name: whole_number(row, name, problems) for name in ("low", "best", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")}
        if start and end and start > end:
            problems.append(f"date_start {start} is after date_end {end}")
        low, best, high = figures["low"], figures["best"], figures["high"]
        if problems:
            raise MalformedRow(problems)
        assert event_id and violence and side_a and side_b and start and end and date_code and where_code and country
        assert low is not None and best is not None and high is not None
        event_id = event_id.split(".")[0]

        event = KID[f"event/{self.key}/{event_id}"]
        dyad = text(row, "dyad_name") or f"{side_a} - {side_b}"
        where = text(row, "where_coordinates")
        span = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
        triples: list[Triple] = [
            (event, RDF.type, CKG.Event),
            (event, RDFS.label, en(f"{dyad}, {where or text(row, 'adm_1') or country} ({span})")),
            (event, DCTERMS.identifier, Literal(event_id)),
            (event, PROV.wasDerivedFrom, self.dataset),
            (event, CKG.eventType, EVENT_TYPES[violence[0]]),
            (event, CKG.sourceEventType, violence[1]),
        ]
        triples += self.external_identifier(event, "UCDP GED id", event_id)
        relid = text(row, "relid")
        if relid:
            triples += self.external_identifier(event, "UCDP GED relid", relid)
        for column in SOURCE_IDENTIFIERS:
            value = whole_id(text(row, column))
            if value:
                triples += self.external_identifier(event, f"UCDP {column}", value, CKG.sourceIdentifier)
        triples += self._time(event, start, end, date_code[0])
        triples.append((event, CKG.locationPrecision, where_code[1]))
        triples += self._conflict(row, event)

        place, place_triples = self._place(row, country, where)
        triples += place_triples
        triples.append((event, CKG.hasPlace, place))
        if latitude is not None and longitude is not None:
            triples += self.geometry(event, latitude, longitude)
        where_description = text(row, "where_description")
        if where_description:
            triples.append((event, SDO.description, en(f"Location as described by UCDP: {where_description}")))

        # Actors. Only one-sided violence (type 3) says who acted on whom.
        a, t = self._side(row, "a", side_a, violence[0])
        triples += t
        b, t = self._side(row, "b", side_b, violence[0])
        triples += t
        if violence[0] == "3":
            triples += [(event, CKG.perpetrator, a), (event, CKG.target, b)]
        else:
            triples += [(event, CKG.combatant, a), (event, CKG.combatant, b)]

        # Claims: the total (best, low, high) and the breakdown, each UCDP's, citing the row's sources.
        cited = []
        for name in split_list(text(row, "source_office")):
            node, t = self.actor(name, CKG.Actor, namespace="ucdp-source")
            triples += t
            cited.append(node)
        total = KID[f"claim/{self.key}/{event_id}/deaths-total"]
        triples += self.claim_base(total, event, f"best {best}, low {low}, high {high}")
        triples += [
            (total, RDFS.label, en(f"UCDP GED: {best} deaths (low {low}, high {high}) (event {event_id})")),
            (total, CKG.bestEstimate, integer(best)),
            (total, CKG.lowEstimate, integer(low)),
            (total, CKG.highEstimate, integer(high)),
            (total, DCTERMS.identifier, Literal(event_id)),
        ]
        # Published rows do not always order their estimates (e.g. low 3, best 2, high 3). The
        # figures are kept as published; bounds that contradict each other are not stated as bounds.
        if low <= high:
            triples += [(total, SDO.minValue, integer(low)), (total, SDO.maxValue, integer(high))]
            if not low <= best <= high:
                triples.append((total, CKG.unorderedEstimates, TRUE))
                triples.append((total, RDFS.comment, en(f"As published, the best estimate {best} lies outside the low-high range {low}-{high}.")))
        else:
            triples.append((total, CKG.unorderedEstimates, TRUE))
            triples.append((total, RDFS.comment, en(f"As published, the low estimate {low} exceeds the high estimate {high}; no bounds are recorded.")))
        triples += [(total, CKG.citesSource, node) for node in cited]
        citation = text(row, "source_article")
        if citation:
            triples.append((total, DCTERMS.bibliographicCitation, Literal(citation)))
        original = text(row, "source_original")
        if original:
            triples.append((total, RDFS.comment, en(f"Original source according to UCDP: {original}")))
        civilians = None
        for column, whose in (("deaths_a", a), ("deaths_b", b), ("deaths_civilians", None), ("deaths_unknown", None)):
            if column == "deaths_civilians":
                if civilians is None:
                    civilians, t = self.actor("Civilians", CKG.Actor, local="civilians")
                    triples += t
                whose = civilians
            claim = KID[f"claim/{self.key}/{event_id}/{column.replace('_', '-')}"]
            triples += self.claim_base(claim, event, f"{column}: {figures[column]}")
            triples += [
                (claim, RDFS.label, en(f"UCDP GED: {column} {figures[column]} (event {event_id})")),
                (claim, CKG.bestEstimate, integer(figures[column])),
                (claim, CKG.sourceField, Literal(column)),
                (claim, DCTERMS.identifier, Literal(event_id)),
            ]
            if whose is not None:
                triples.append((claim, CKG.concernsActor, whose))
            triples += [(claim, CKG.citesSource, node) for node in cited]
        return triples

    def _date(self, row: Row, column: str, problems: list[str]) -> dt.date | None:
        value = require(row, column, problems)
        if value is None:
            return None
        day = iso_date(value)
        if day is None:
            problems.append(f"{column} {value!r} is not a date written YYYY-MM-DD (or YYYY-MM-DD 00:00:00.000)")
            return None
        self.date_forms.add("YYYY-MM-DD" if len(value) == 10 else "YYYY-MM-DD hh:mm:ss")
        return day

    def _time(self, event: URIRef, start: dt.date, end: dt.date, precision_code: str) -> list[Triple]:
        triples: list[Triple] = [(event, CKG.sourceTimePrecision, self.date_codes[precision_code])]
        ours = self.our_precision.get(precision_code)
        if ours is not None:
            triples.append((event, CKG.timePrecision, ours))
        if precision_code == "1":
            return triples + [(event, CKG.beginDate, date_literal(start)), (event, CKG.endDate, date_literal(end))]
        return triples + [(event, CKG.earliestBegin, date_literal(start)), (event, CKG.latestEnd, date_literal(end))]

    def _conflict(self, row: Row, event: URIRef) -> list[Triple]:
        """The UCDP conflict the event belongs to, as a war event it is a sub-event of."""
        conflict_id = whole_id(text(row, "conflict_new_id"))
        name = text(row, "conflict_name")
        if not conflict_id.isdigit() or not name:
            return []
        node = KID[f"event/{self.key}/conflict-{conflict_id}"]
        codes = [(column, whole_id(text(row, column))) for column in CONFLICT_IDENTIFIERS]
        triples = self.once(
            str(node),
            lambda: [
                (node, RDF.type, CKG.War),
                (node, RDFS.label, en(name)),
                (node, CKG.eventType, WAR),
                (node, CKG.timePrecision, UNKNOWN_TIME),
                (node, DCTERMS.identifier, Literal(conflict_id)),
                (node, PROV.wasDerivedFrom, self.dataset),
                (node, RDFS.comment, en("A UCDP conflict (conflict_new_id); its dates are not in the event file.")),
                *(t for column, value in codes if value for t in self.external_identifier(node, f"UCDP {column}", value)),
            ],
        )
        return triples + [(event, CKG.subEventOf, node)]

    def _place(self, row: Row, country: str, where: str) -> tuple[URIRef, list[Triple]]:
        """The row's named location in UCDP's hierarchy: country > adm_1 > adm_2 > where_coordinates.
        A location spelled exactly as the country, adm_1 or adm_2 of its row is that place (where_prec
        6, 4, 3); any other is a place of its own inside the innermost division named, its kind read
        from its name ("Kawkareik Township" in "Kawkareik District" stays a township)."""
        adm_1, adm_2 = text(row, "adm_1"), text(row, "adm_2")
        chain: list[tuple[str, URIRef, int | None]] = [(adm_1, CKG.Region, 1), (adm_2, CKG.Region, 2)]
        if not where or where == adm_2 or (where == adm_1 and not adm_2):
            pass  # the innermost division named
        elif where == adm_1:
            chain = [(adm_1, CKG.Region, 1)]
        elif where == country:
            chain = []  # the country itself
        else:
            chain.append((where, place_kind(where), None))
        place, triples = self.place_chain(chain, country)
        country_id = whole_id(text(row, "country_id"))
        if country_id.isdigit():
            country_node = self.place_node([country])
            triples += self.once(
                f"{country_node}|gw",
                lambda: self.external_identifier(country_node, "Gleditsch-Ward state number", country_id),
            )
        return place, triples

    def _side(self, row: Row, side: str, name: str, violence: str) -> tuple[URIRef, list[Triple]]:
        if name == "Civilians":
            return self.actor("Civilians", CKG.Actor, local="civilians")
        if name.startswith("Government of"):
            cls = CKG.State
        else:
            cls = CKG.NonStateArmedGroup
        actor_id = text(row, f"side_{side}_new_id").split(".")[0]
        local = f"{actor_id}-{slug(name)}" if actor_id.isdigit() else slug(name)
        return self.actor(name, cls, local=local)

    def dataset_triples(self) -> list[Triple]:
        layout = (
            "UCDP GED 23.1 layout" if self.newer_layout else "UCDP GED 19.1 layout"
        ) + f" ({len(self.columns)} columns), dates {' and '.join(sorted(self.date_forms)) or 'none'}"
        triples: list[Triple] = [(self.dataset, CKG.fileLayout, Literal(layout))]
        if self.version_from_name:
            triples += [
                (self.dataset, SDO.version, Literal(self.version_from_name)),
                (self.dataset, RDFS.comment, en("The version is read from the file name.")),
            ]
        triples.append((self.dataset, DCTERMS.bibliographicCitation, Literal(
            "Sundberg, Ralph and Erik Melander (2013), Introducing the UCDP Georeferenced Event Dataset, "
            "Journal of Peace Research 50(4); Davies, Shawn, Therese Pettersson and Magnus Öberg (2023), "
            "Organized violence 1989-2022, Journal of Peace Research 60(4)."
        )))
        return triples
