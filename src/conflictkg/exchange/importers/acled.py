"""Imports an ACLED export (CSV from the export tool or the API) into events, places, actors and claims."""

from __future__ import annotations

import datetime as dt
import re

from rdflib import Literal, URIRef

from conflictkg.errors import InputError
from conflictkg.exchange.importers.common import (
    CKG,
    CKV,
    DCTERMS,
    KID,
    PROV,
    RDF,
    RDFS,
    SDO,
    XSD,
    Importer,
    Triple,
    code,
    coordinate,
    date_literal,
    day_month_year,
    en,
    integer,
    iso_date,
    month_bounds,
    require,
    slug,
    split_list,
    text,
    whole_number,
)
from conflictkg.exchange.importers.csvstream import MalformedRow, Row

ACLED_SCHEME = CKV["acled"]
EVENT_TYPE_SCHEME = CKV["event-type"]
TIME_PRECISION_SCHEME = CKV["acled/time-precision"]
GEO_PRECISION_SCHEME = CKV["acled/geo-precision"]

# The "inter" codes of the codebook (numbers in older exports, words in newer ones) and the
# class each kind of actor gets. Rioters, protesters and civilians are not organisations.
INTER_CLASSES: dict[str, URIRef] = {
    "1": CKG.StateArmedForce, "state forces": CKG.StateArmedForce,
    "2": CKG.NonStateArmedGroup, "rebel group": CKG.NonStateArmedGroup,
    "3": CKG.NonStateArmedGroup, "political militia": CKG.NonStateArmedGroup,
    "4": CKG.NonStateArmedGroup, "identity militia": CKG.NonStateArmedGroup,
    "5": CKG.Actor, "rioters": CKG.Actor,
    "6": CKG.Actor, "protesters": CKG.Actor,
    "7": CKG.Actor, "civilians": CKG.Actor,
    "8": CKG.Organization, "external/other forces": CKG.Organization,
}
CIVILIAN_CODES = ("7", "civilians")

REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]+$")
# "Military Forces of Mali (2021-)", "Police Forces of Burkina Faso (2022-) Gendarmerie"
_FORCES_OF = re.compile(r"^[A-Z][A-Za-z ]*? Forces of (.+?)(?: \(\d{4}-\d{0,4}\).*)?$")


class AcledImporter(Importer):
    """ACLED's data columns as its codebook defines them.

    - event_date: "28 February 2024" in exports from the export tool, "2024-02-28" from the API.
    - time_precision 1 (day), 2 (a week: event_date is the middle; bounds ±3 days), 3 (a month:
      the whole month); geo_precision 1-3. Any other code is a malformed row.
    - fatalities: the lowest reported figure ("0" also when nothing is known): a claim by ACLED
      with schema:minValue = schema:maxValue = the figure, citing the row's sources.
    """

    publisher_key = "acled"
    publisher_label = "ACLED (Armed Conflict Location & Event Data)"
    publisher_homepage = "https://acleddata.com/"
    what = "an ACLED export (see the ACLED codebook's data columns)"
    required = REQUIRED
    id_column = "event_id_cnty"

    def start(self, columns: list[str]) -> None:
        super().start(columns)
        self.types = self.vocabulary.concepts(ACLED_SCHEME)
        self.time_codes = self.vocabulary.concepts(TIME_PRECISION_SCHEME)
        self.geo_codes = self.vocabulary.concepts(GEO_PRECISION_SCHEME)
        self.our_precision = {c: self.vocabulary.close_match(concept) for c, concept in self.time_codes.items()}
        self.broader = {concept: self.vocabulary.broader(concept) for concept in self.types.values()}
        self.date_forms: set[str] = set()
        self.latest_upload: int | None = None
        self._our_types: dict[URIRef, list[URIRef]] = {}

    # -- one row ------------------------------------------------------------

    def convert(self, row: Row) -> list[Triple]:
        problems: list[str] = []
        event_id = require(row, "event_id_cnty", problems)
        day = self._date(row, problems)
        time_code = code(row, "time_precision", self.time_codes, problems)
        geo_code = code(row, "geo_precision", self.geo_codes, problems)
        event_type, sub_type = self._types(row, problems)
        actor1 = require(row, "actor1", problems)
        country = require(row, "country", problems)
        location = require(row, "location", problems)
        latitude = coordinate(row, "latitude", 90, problems)
        longitude = coordinate(row, "longitude", 180, problems)
        if (latitude is None) != (longitude is None) and not any("itude" in p for p in problems):
            problems.append("latitude and longitude must be given together")
        fatalities = whole_number(row, "fatalities", problems)
        upload = whole_number(row, "timestamp", problems, required=False) if "timestamp" in self.columns else None
        if problems:
            raise MalformedRow(problems)
        assert event_id and day and time_code and geo_code and event_type and sub_type and actor1 and country and location
        assert fatalities is not None

        if upload is not None:
            self.latest_upload = max(self.latest_upload or 0, upload)
        local = event_id if _SAFE_ID.match(event_id) else re.sub(r"[^A-Za-z0-9._-]", "_", event_id)
        event = KID[f"event/{self.key}/{local}"]
        actor2 = text(row, "actor2")
        label = f"{text(row, 'sub_event_type')}: {actor1}{' – ' + actor2 if actor2 else ''}, {location} ({day.isoformat()})"

        triples: list[Triple] = [
            (event, RDF.type, CKG.Event),
            (event, RDFS.label, en(label)),
            (event, DCTERMS.identifier, Literal(event_id)),
            (event, PROV.wasDerivedFrom, self.dataset),
            (event, CKG.eventType, self._ours(sub_type)),
            (event, CKG.sourceEventType, sub_type),
        ]
        triples += self.external_identifier(event, "ACLED event_id_cnty", event_id)
        notes = text(row, "notes")
        if notes:
            triples.append((event, SDO.description, en(notes)))
        triples += self._time(event, day, time_code[0])
        triples.append((event, CKG.locationPrecision, geo_code[1]))

        # Places: country > admin1 > admin2 > admin3 > location, with the location's coordinates.
        # ACLED's location is always a named place of its own (a town called as its district is not
        # the district), inside the innermost division the row names.
        place, place_triples = self.place_chain(
            [
                (text(row, "admin1"), CKG.Region, 1),
                (text(row, "admin2"), CKG.Region, 2),
                (text(row, "admin3"), CKG.Region, 3),
                (location, CKG.Place, None),
            ],
            country,
        )
        triples += place_triples
        triples.append((event, CKG.hasPlace, place))
        if latitude is not None and longitude is not None:
            triples += self.geometry(event, latitude, longitude)
        iso = text(row, "iso")
        if iso.isdigit():
            country_node = self.place_node([country])
            triples += self.once(f"{country_node}|iso", lambda: self.external_identifier(country_node, "ISO 3166-1 numeric", iso.zfill(3)))

        # Actors: actor1/actor2 do not say who attacked whom, except that civilians are targets.
        inter1, inter2 = text(row, "inter1").lower(), text(row, "inter2").lower()
        first, t = self._actor(actor1, inter1, country)
        triples += t
        second = None
        if actor2:
            second, t = self._actor(actor2, inter2, country)
            triples += t
        if event_type == self.types.get("Battles"):
            triples.append((event, CKG.combatant, first))
            if second is not None:
                triples.append((event, CKG.combatant, second))
        elif second is not None and inter2 in CIVILIAN_CODES and inter1 not in CIVILIAN_CODES:
            triples += [(event, CKG.perpetrator, first), (event, CKG.target, second)]
        else:
            triples.append((event, CKG.hasActor, first))
            if second is not None:
                triples.append((event, CKG.hasActor, second))
        for column in ("assoc_actor_1", "assoc_actor_2"):
            for name in split_list(text(row, column)):
                node, t = self.actor(name, CKG.Actor)
                triples += t
                triples.append((event, CKG.hasActor, node))

        # The fatality figure: ACLED's claim, citing the row's sources.
        claim = KID[f"claim/{self.key}/{local}/fatalities"]
        triples += self.claim_base(claim, event, f"fatalities: {fatalities}")
        triples += [
            (claim, RDFS.label, en(f"ACLED: {fatalities} reported fatalities ({event_id})")),
            (claim, SDO.minValue, integer(fatalities)),
            (claim, SDO.maxValue, integer(fatalities)),
            (claim, DCTERMS.identifier, Literal(event_id)),
        ]
        if fatalities == 0:
            triples.append((claim, RDFS.comment, en("ACLED records 0 also when its sources give no fatality figure.")))
        for name in split_list(text(row, "source")):
            node, t = self.actor(name, CKG.Actor, namespace="acled-source")
            triples += t
            triples.append((claim, CKG.citesSource, node))
        return triples

    def _actor(self, name: str, inter: str, country: str) -> tuple[URIRef, list[Triple]]:
        """A main actor typed by its inter code; state forces are the armed forces of the state
        their name gives ("Military Forces of Mali (2021-)"), else of the event's country."""
        cls = INTER_CLASSES.get(inter, CKG.Actor)
        node, triples = self.actor(name, cls)
        if cls == CKG.StateArmedForce:
            match = _FORCES_OF.match(name)
            state_name = match.group(1) if match else country
            state, state_triples = self.actor(state_name, CKG.State, local=slug(state_name), namespace="acled/state")
            triples += state_triples
            triples += self.once(f"{node}|forces-of", lambda: [(node, CKG.armedForcesOf, state)])
        return node, triples

    def _date(self, row: Row, problems: list[str]) -> dt.date | None:
        value = require(row, "event_date", problems)
        if value is None:
            return None
        day = iso_date(value)
        if day is not None and len(value) == 10:
            self.date_forms.add("API dates (2024-02-28)")
            return day
        day = day_month_year(value)
        if day is not None:
            self.date_forms.add("export-tool dates (28 February 2024)")
            return day
        problems.append(
            f"event_date {value!r} is in neither of ACLED's date forms "
            "(\"28 February 2024\" from the export tool, \"2024-02-28\" from the API)"
        )
        return None

    def _types(self, row: Row, problems: list[str]) -> tuple[URIRef | None, URIRef | None]:
        event_name = require(row, "event_type", problems)
        sub_name = require(row, "sub_event_type", problems)
        event_type = self.types.get(event_name) if event_name else None
        sub_type = self.types.get(sub_name) if sub_name else None
        if event_name and (event_type is None or self.broader.get(event_type)):
            problems.append(f"event_type {event_name!r} is not an ACLED event type")
            event_type = None
        if sub_name and (sub_type is None or not self.broader.get(sub_type)):
            problems.append(f"sub_event_type {sub_name!r} is not an ACLED sub-event type")
            sub_type = None
        if event_type and sub_type and event_type not in self.broader[sub_type]:
            problems.append(f"sub_event_type {sub_name!r} is not a kind of {event_name!r}")
        return event_type, sub_type

    def _ours(self, acled_concept: URIRef) -> URIRef:
        """Our event type for an ACLED sub-event type: its skos:exactMatch in ckv:event-type, else
        the one concept there that is its skos:closeMatch."""
        if acled_concept not in self._our_types:
            found = self.vocabulary.exact_matches(acled_concept, EVENT_TYPE_SCHEME)
            if not found:
                found = self.vocabulary.close_matches(acled_concept, EVENT_TYPE_SCHEME)
            if len(found) != 1:
                raise InputError(f"the shipped schemes map the ACLED type <{acled_concept}> to {len(found)} event types, not one")
            self._our_types[acled_concept] = found[0]
        return self._our_types[acled_concept]

    def _time(self, event: URIRef, day: dt.date, precision_code: str) -> list[Triple]:
        triples: list[Triple] = [
            (event, CKG.sourceTimePrecision, self.time_codes[precision_code]),
        ]
        ours = self.our_precision.get(precision_code)
        if ours is not None:
            triples.append((event, CKG.timePrecision, ours))
        if precision_code == "1":
            return triples + [(event, CKG.beginDate, date_literal(day)), (event, CKG.endDate, date_literal(day))]
        if precision_code == "2":
            first, last = day - dt.timedelta(days=3), day + dt.timedelta(days=3)
        else:
            first, last = month_bounds(day)
        return triples + [
            (event, CKG.referenceDate, date_literal(day)),
            (event, CKG.earliestBegin, date_literal(first)),
            (event, CKG.latestEnd, date_literal(last)),
        ]

    def dataset_triples(self) -> list[Triple]:
        forms = " and ".join(sorted(self.date_forms)) or "no rows"
        triples: list[Triple] = [
            (self.dataset, CKG.fileLayout, Literal(f"ACLED export, {len(self.columns)} columns, {forms}")),
        ]
        if self.latest_upload is not None:
            stamp = dt.datetime.fromtimestamp(self.latest_upload, dt.UTC).isoformat()
            triples.append((self.dataset, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
        return triples

