"""The row-by-row importers, kept as the test oracle of the vectorised ones (conflictkg.exchange.importers).

This is the implementation the importers had before they were vectorised (issue 15), with the place
model of issue 14 and the duplicate-id check of issue 17: one row at a time through the standard
library's csv module, each row's triples built in Python. The vectorised importers must write the
same quads. Only the date forms differ from that implementation: they are counted over the rows
imported, not over every row whose date could be read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Literal, URIRef

from conflictkg.errors import InputError
from conflictkg.exchange.importers import acled as _acled
from conflictkg.exchange.importers import ucdp as _ucdp
from conflictkg.exchange.importers.common import (
    CKG,
    DCTERMS,
    KID,
    PROV,
    RDF,
    RDFS,
    SDO,
    TRUE,
    XSD,
    Importer,
    ImportOptions,
    ImportResult,
    Triple,
    code,
    coordinate,
    date_literal,
    day_month_year,
    duplicate_id,
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
from conflictkg.exchange.importers.csvstream import (
    CsvStream,
    MalformedRow,
    Row,
    RowProblem,
    file_digest,
)
from conflictkg.exchange.importers.rdfout import QuadSink, sink_for
from conflictkg.graph.formats import RdfFormat

TYPE_SCHEME, DATE_PRECISION_SCHEME, WHERE_PRECISION_SCHEME = _ucdp.TYPE_SCHEME, _ucdp.DATE_PRECISION_SCHEME, _ucdp.WHERE_PRECISION_SCHEME
LICENCE, WAR, EVENT_TYPES, UNKNOWN_TIME, REQUIRED = _ucdp.LICENCE, _ucdp.WAR, _ucdp.EVENT_TYPES, _ucdp.UNKNOWN_TIME, _ucdp.REQUIRED
NEWER_COLUMNS, _VERSION_PATTERNS = _ucdp.NEWER_COLUMNS, _ucdp._VERSION_PATTERNS
SOURCE_IDENTIFIERS, CONFLICT_IDENTIFIERS, BREAKDOWN = _ucdp.SOURCE_IDENTIFIERS, _ucdp.CONFLICT_IDENTIFIERS, _ucdp.BREAKDOWN
place_kind, whole_id = _ucdp.place_kind, _ucdp.whole_id
ACLED_SCHEME, EVENT_TYPE_SCHEME, TIME_PRECISION_SCHEME, GEO_PRECISION_SCHEME = _acled.ACLED_SCHEME, _acled.EVENT_TYPE_SCHEME, _acled.TIME_PRECISION_SCHEME, _acled.GEO_PRECISION_SCHEME
INTER_CLASSES, CIVILIAN_CODES, _SAFE_ID, _FORCES_OF = _acled.INTER_CLASSES, _acled.CIVILIAN_CODES, _acled._SAFE_ID, _acled._FORCES_OF


class RowImporter(Importer):
    """The row loop: every row read, checked and converted on its own."""

    def run(self, path: str | Path, sink: QuadSink | None, on_bytes=None) -> ImportResult:
        """Read every row; write the good ones' triples to `sink` (None: only check)."""
        import time

        started = time.perf_counter()
        result = ImportResult(self.file_name, self.graph)
        imported_at = self.options.now or dt.datetime.now(dt.UTC).replace(microsecond=0)
        with CsvStream(path, self.file_name, on_bytes) as stream:
            self.start(stream.open(self.required, self.what))
            if sink is not None:
                sink.write(self._with_graph(self.publisher_triples()))
            ids: dict[str, tuple[int, int]] = {}
            for item in stream.rows():
                result.rows_read += 1
                if isinstance(item, RowProblem):
                    result.problems.append(item)
                    continue
                identifier = self.row_id(item)
                if identifier:
                    if identifier in ids:
                        raise duplicate_id(self.file_name, self.id_column, identifier, ids[identifier], (item.number, item.line))
                    ids[identifier] = (item.number, item.line)
                self._row_forms: set[str] = set()
                try:
                    triples = self.convert(item)
                except MalformedRow as error:
                    result.problems.append(RowProblem(item.number, item.line, error.messages))
                    continue
                result.rows_imported += 1
                self.date_forms |= self._row_forms
                if sink is not None:
                    sink.write(self._with_graph(triples))
        if sink is not None:
            sink.write((s, p, o, None) for s, p, o in self.provenance(result, imported_at))
            result.quads = sink.count
        result.seconds = time.perf_counter() - started
        return result

    def _with_graph(self, triples: Iterable[Triple]):
        graph = self.graph
        return ((s, p, o, graph) for s, p, o in triples)


class RowUcdp(RowImporter, _ucdp.UcdpImporter):
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
        self._row_forms.add("YYYY-MM-DD" if len(value) == 10 else "YYYY-MM-DD hh:mm:ss")
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


class RowAcled(RowImporter, _acled.AcledImporter):
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
    required = _acled.REQUIRED
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
        for column in ("inter1", "inter2"):
            value = text(row, column)
            if value:
                self._row_forms.add(_acled.NUMERIC_INTER if re.fullmatch(r"\d+(?:\.0+)?", value) else _acled.WORD_INTER)
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
        if upload is not None:
            stamp = dt.datetime.fromtimestamp(upload, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            triples.append((event, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
        tags = text(row, "tags")
        if tags:
            triples.append((event, SDO.keywords, Literal(tags)))
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
        region = text(row, "region")
        if region:
            country_node = self.place_node([country])
            triples += self.once(f"{country_node}|region|{region}", lambda: [(country_node, CKG.worldRegion, Literal(region))])

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
        for column, side in (("assoc_actor_1", CKG.associateOfActor1), ("assoc_actor_2", CKG.associateOfActor2)):
            for name in split_list(text(row, column)):
                node, t = self.actor(name, CKG.Actor)
                triples += t
                triples += [(event, CKG.hasActor, node), (event, side, node)]

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
        source, scale = text(row, "source"), text(row, "source_scale")
        if source:
            triples.append((claim, DCTERMS.bibliographicCitation, Literal(source)))
        if scale:
            triples.append((claim, CKG.sourceScale, Literal(scale)))
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
        kind = _acled.INTER_KINDS.get(inter)
        if kind is not None:
            triples += self.once(f"{node}|{kind}", lambda: [(node, RDF.type, kind)])
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
            self._row_forms.add("API dates (2024-02-28)")
            return day
        day = day_month_year(value)
        if day is not None:
            self._row_forms.add("export-tool dates (28 February 2024)")
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



def import_rows(publisher: str, path: str | Path, output: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import `path` row by row into the N-Quads file `output` (no strict mode, no stdout)."""
    cls = RowUcdp if publisher == "ucdp" else RowAcled
    importer = cls(Path(path).name, file_digest(path), options or ImportOptions())
    with open(output, "wb") as out:
        sink = sink_for(RdfFormat.NQUADS, out)
        result = importer.run(path, sink)
        sink.close()
    return result
