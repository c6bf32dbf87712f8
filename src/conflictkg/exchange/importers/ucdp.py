"""Imports a UCDP GED file (CSV, the 19.1 and the 23.1 column layouts) into events, places, actors and claims."""

from __future__ import annotations

import datetime as dt
import functools
import re

import polars as pl
from rdflib import Literal, URIRef

from conflictkg.exchange.importers.columnar import (
    DATE_TYPE,
    Safe,
    at_most,
    cat,
    decimal_text,
    english,
    integer,
    iri,
    is_whole,
    lookup,
    lookup_items,
    plain,
    quad,
    strip_once,
    stripped,
    when,
    whole,
)
from conflictkg.exchange.importers.common import (
    AS_WKT,
    BEGIN,
    BEST,
    CITATION,
    CITES,
    CKG,
    CKV,
    COMBATANT,
    COMMENT,
    CONCERNS,
    DCTERMS,
    DECIMAL,
    DERIVED,
    DESCRIPTION,
    EARLIEST_BEGIN,
    END,
    EVENT_TYPE,
    HAS_GEOMETRY,
    HAS_PLACE,
    HIGH,
    IDENTIFIER,
    ISO_DATE,
    KID,
    KID_TEXT,
    LABEL,
    LATEST_END,
    LOCATION_PRECISION,
    LOW,
    MAX,
    MIN,
    PERPETRATOR,
    PROV,
    RDF,
    RDFS,
    SDO,
    SOURCE_EVENT_TYPE,
    SOURCE_FIELD,
    SOURCE_ID,
    SOURCE_TIME_PRECISION,
    SUB_EVENT_OF,
    T_EVENT,
    T_GEOMETRY,
    TARGET,
    TIME_PRECISION,
    TRUE_TEXT,
    UNORDERED,
    WKT_TEXT,
    A,
    Importer,
    Quads,
    Triple,
    code,
    coordinate,
    en,
    identifier_quads,
    iso_date,
    require,
    slug,
    text,
    whole_number,
)
from conflictkg.exchange.importers.csvstream import Row

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
# Every column a batch's lines read ('' for a column the file lacks), stripped once per batch.
READ = (
    *REQUIRED, "dyad_name", "relid", "dyad_new_id", "dyad_dset_id", "conflict_new_id", "conflict_dset_id",
    "conflict_name", "where_coordinates", "where_description", "country_id", "side_a_new_id", "side_b_new_id",
    "source_original", "source_office",
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

    def id_expression(self, frame: pl.DataFrame) -> pl.Expr:
        value = stripped(frame, "id")
        return pl.when(value.str.contains(r"^\d+(\.0+)?$")).then(value.str.replace(r"\..*$", "")).otherwise(value)

    def start(self, columns: list[str]) -> None:
        super().start(columns)
        self.memo: dict[str, dict] = {}
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

    # -- checking: the row by row messages, and the vectorised test that finds every row they would name

    def check(self, row: Row) -> list[str]:
        problems: list[str] = []
        event_id = require(row, "id", problems)
        if event_id and not re.match(r"^\d+(\.0+)?$", event_id):
            problems.append(f"id is not a whole number: {event_id!r}")
        code(row, "type_of_violence", self.violence, problems)
        require(row, "side_a", problems)
        require(row, "side_b", problems)
        start = self._date(row, "date_start", problems)
        end = self._date(row, "date_end", problems)
        code(row, "date_prec", self.date_codes, problems)
        code(row, "where_prec", self.where_codes, problems)
        require(row, "country", problems)
        latitude = coordinate(row, "latitude", 90, problems)
        longitude = coordinate(row, "longitude", 180, problems)
        if (latitude is None) != (longitude is None) and not any("itude" in p for p in problems):
            problems.append("latitude and longitude must be given together")
        for name in ("low", "best", "high", *BREAKDOWN):
            whole_number(row, name, problems)
        if start and end and start > end:
            problems.append(f"date_start {start} is after date_end {end}")
        return problems

    def suspect(self, frame: pl.DataFrame) -> pl.Expr:
        T = functools.partial(stripped, frame)
        bad = ~T("id").str.contains(r"^\d+(\.0+)?$")
        for column, codes in (("type_of_violence", self.violence), ("date_prec", self.date_codes), ("where_prec", self.where_codes)):
            bad = bad | ~T(column).str.strip_suffix(".0").is_in(list(codes))
        for column in ("side_a", "side_b", "country"):
            bad = bad | (T(column) == "")
        for column in ("date_start", "date_end"):
            bad = bad | ~T(column).str.contains(ISO_DATE) | _day(T(column)).is_null()
        bad = bad | (T("date_start").str.slice(0, 10) > T("date_end").str.slice(0, 10))
        for column, limit in (("latitude", 90), ("longitude", 180)):
            value = T(column)
            bad = bad | ((value != "") & (~value.str.contains(DECIMAL) | (value.cast(pl.Float64, strict=False).abs() >= limit)))
        bad = bad | ((T("latitude") == "") != (T("longitude") == ""))
        for column in ("low", "best", "high", *BREAKDOWN):
            bad = bad | ~is_whole(T(column))
        return bad

    def _date(self, row: Row, column: str, problems: list[str]) -> dt.date | None:
        value = require(row, column, problems)
        if value is None:
            return None
        day = iso_date(value)
        if day is None:
            problems.append(f"{column} {value!r} is not a date written YYYY-MM-DD (or YYYY-MM-DD 00:00:00.000)")
        return day

    # -- the quads of a batch of good rows -------------------------------------

    def quads(self, frame: pl.DataFrame, end: str) -> tuple[list[pl.Expr], list[Triple]]:
        once: list[Triple] = []
        key, dataset = self.key, f"<{self.dataset}>"
        # Columns many lines share, made once: the cells, the event's id and IRI, the claims' and the
        # point's IRIs, the figures, the codes and the ids the identifier lines read (each in five lines).
        figures = ("low", "best", "high", *BREAKDOWN)
        event_id_expression = self.id_expression(frame)
        frame, T = strip_once(frame, READ)
        frame = frame.with_columns(
            event_id_expression.alias("_id"),
            *(whole(T(column)).alias(f"_{column}") for column in figures),
            *(_whole_id(T(column)).alias(f"_{column}") for column in (*SOURCE_IDENTIFIERS, *CONFLICT_IDENTIFIERS)),
            *(T(column).str.strip_suffix(".0").alias(f"_{column}") for column in ("type_of_violence", "date_prec", "where_prec")),
            T("date_start").str.slice(0, 10).alias("_start"), T("date_end").str.slice(0, 10).alias("_end"),
        ).with_columns(
            iri(KID_TEXT, "event/", key, "/", pl.col("_id")).alias("_event"),
            *(cat("<", KID_TEXT, "claim/", key, "/", pl.col("_id"), "/", claim.replace("_", "-"), ">").alias(f"_claim_{claim}")
              for claim in ("deaths_total", *BREAKDOWN)),
            cat("<", KID_TEXT, "event/", key, "/", pl.col("_id"), "/geometry>").alias("_geometry"),
            cat('"', pl.col("_id"), '"').alias("_identifier"),
        )
        event_id, event, identifier = Safe(pl.col("_id")), pl.col("_event"), pl.col("_identifier")
        violence, date_code, where_code = pl.col("_type_of_violence"), pl.col("_date_prec"), pl.col("_where_prec")
        start, finish = pl.col("_start"), pl.col("_end")
        side_a, side_b, country = T("side_a"), T("side_b"), T("country")
        where, adm_1 = T("where_coordinates"), T("adm_1")
        self.date_forms |= _date_forms(frame, T)

        def q(s, p, o) -> pl.Expr:
            return quad(s, p, o, end)

        def concepts(value: pl.Expr, table: dict[str, URIRef | None]) -> pl.Expr:
            return value.replace_strict({k: f"<{v}>" for k, v in table.items() if v is not None}, default=None, return_dtype=pl.String)

        dyad = pl.when(T("dyad_name") != "").then(T("dyad_name")).otherwise(cat(side_a, " - ", side_b))
        located = pl.when(where != "").then(where).when(adm_1 != "").then(adm_1).otherwise(country)
        span = pl.when(start == finish).then(start).otherwise(cat(start, " to ", finish))
        out: list[pl.Expr] = [
            q(event, A, T_EVENT),
            q(event, LABEL, english(dyad, ", ", located, " (", span, ")")),
            q(event, IDENTIFIER, identifier),
            q(event, DERIVED, dataset),
            q(event, EVENT_TYPE, concepts(violence, EVENT_TYPES)),
            q(event, SOURCE_EVENT_TYPE, concepts(violence, self.violence)),
        ]
        out += identifier_quads(event, "UCDP GED id", identifier, dataset, end)
        relid = T("relid")
        out += [when(relid != "", line) for line in identifier_quads(event, "UCDP GED relid", plain(relid), dataset, end)]
        for column in SOURCE_IDENTIFIERS:
            value = pl.col(f"_{column}")
            out += [when(value != "", line) for line in identifier_quads(event, f"UCDP {column}", plain(value), dataset, end, SOURCE_ID)]
        # Time.
        day_precise = date_code == "1"
        out += [
            q(event, SOURCE_TIME_PRECISION, concepts(date_code, self.date_codes)),
            q(event, TIME_PRECISION, concepts(date_code, self.our_precision)),
            q(event, pl.when(day_precise).then(pl.lit(BEGIN)).otherwise(pl.lit(EARLIEST_BEGIN)), date_text(start)),
            q(event, pl.when(day_precise).then(pl.lit(END)).otherwise(pl.lit(LATEST_END)), date_text(finish)),
            q(event, LOCATION_PRECISION, concepts(where_code, self.where_codes)),
        ]
        # The conflict, as a war the event is part of (its triples once, from its first row).
        conflict_id, conflict_name = pl.col("_conflict_new_id"), T("conflict_name")
        has_conflict = conflict_id.str.contains(r"^\d+$") & (conflict_name != "")
        conflicts = frame.filter(has_conflict).select(
            conflict_id.alias("id"), conflict_name.alias("name"), *(pl.col(f"_{c}").alias(c) for c in CONFLICT_IDENTIFIERS)
        ).unique(subset=["id"], keep="first", maintain_order=True)
        for record in conflicts.iter_rows(named=True):
            once += self.conflict(record["id"], record["name"], [(c, record[c]) for c in CONFLICT_IDENTIFIERS])
        out.append(when(has_conflict, q(event, SUB_EVENT_OF, iri(KID_TEXT, "event/", key, "/conflict-", conflict_id))))
        # The named place, and the row's own point on the event.
        def place_of(values: tuple[str, ...]) -> str:
            node, triples = self.place(*values)
            once.extend(triples)
            return f"<{node}>"

        place = lookup(frame, [country, adm_1, T("adm_2"), where, T("country_id")], place_of, self.memo.setdefault("place", {}))
        out.append(q(event, HAS_PLACE, place))
        latitude, longitude = T("latitude"), T("longitude")
        has_point = (latitude != "") & (longitude != "")
        geometry = pl.col("_geometry")
        out += [when(has_point, line) for line in (
            q(event, HAS_GEOMETRY, geometry),
            q(geometry, A, T_GEOMETRY),
            q(geometry, AS_WKT, cat('"POINT(', decimal_text(longitude), " ", decimal_text(latitude), ')"^^', WKT_TEXT)),
            q(geometry, DERIVED, dataset),
        )]
        description = T("where_description")
        out.append(when(description != "", q(event, DESCRIPTION, english("Location as described by UCDP: ", description))))
        # Actors: only one-sided violence (type 3) says who acted on whom.
        def side_of(values: tuple[str, ...]) -> str:
            node, triples = self.side(*values)
            once.extend(triples)
            return f"<{node}>"

        a = lookup(frame, [side_a, T("side_a_new_id")], side_of, self.memo.setdefault("side", {}))
        b = lookup(frame, [side_b, T("side_b_new_id")], side_of, self.memo.setdefault("side", {}))
        one_sided = violence == "3"
        out += [
            q(event, pl.when(one_sided).then(pl.lit(PERPETRATOR)).otherwise(pl.lit(COMBATANT)), a),
            q(event, pl.when(one_sided).then(pl.lit(TARGET)).otherwise(pl.lit(COMBATANT)), b),
        ]
        # Claims: the total and the breakdown, each UCDP's, citing the row's sources.
        low, best, high = (pl.col(f"_{c}") for c in ("low", "best", "high"))
        total = pl.col("_claim_deaths_total")
        out += self.claim_lines(total, event, english("best ", Safe(best), ", low ", Safe(low), ", high ", Safe(high)), end)
        ordered = at_most(low, high)
        inside = at_most(low, best) & at_most(best, high)
        out += [
            q(total, LABEL, english("UCDP GED: ", Safe(best), " deaths (low ", Safe(low), ", high ", Safe(high), ") (event ", event_id, ")")),
            q(total, BEST, integer(best)),
            q(total, LOW, integer(low)),
            q(total, HIGH, integer(high)),
            q(total, IDENTIFIER, identifier),
            when(ordered, q(total, MIN, integer(low))),
            when(ordered, q(total, MAX, integer(high))),
            when(~(ordered & inside), q(total, UNORDERED, TRUE_TEXT)),
            when(ordered & ~inside, q(total, COMMENT, english(
                "As published, the best estimate ", Safe(best), " lies outside the low-high range ", Safe(low), "-", Safe(high), "."))),
            when(~ordered, q(total, COMMENT, english(
                "As published, the low estimate ", Safe(low), " exceeds the high estimate ", Safe(high), "; no bounds are recorded."))),
        ]
        citation, original = T("source_article"), T("source_original")
        out.append(when(citation != "", q(total, CITATION, plain(citation))))
        out.append(when(original != "", q(total, COMMENT, english("Original source according to UCDP: ", original))))
        civilians, civilian_triples = self.actor("Civilians", CKG.Actor, local="civilians")
        once += civilian_triples
        claims = [total]
        for column, whose in (("deaths_a", a), ("deaths_b", b), ("deaths_civilians", pl.lit(f"<{civilians}>")), ("deaths_unknown", None)):
            claim = pl.col(f"_claim_{column}")
            claims.append(claim)
            figure = pl.col(f"_{column}")
            out += self.claim_lines(claim, event, english(f"{column}: ", Safe(figure)), end)
            out += [
                q(claim, LABEL, english(f"UCDP GED: {column} ", Safe(figure), " (event ", event_id, ")")),
                q(claim, BEST, integer(figure)),
                q(claim, SOURCE_FIELD, f'"{column}"'),
                q(claim, IDENTIFIER, identifier),
            ]
            if whose is not None:
                out.append(q(claim, CONCERNS, whose))
        # The row's sources (a list in one cell): one line per claim and source.
        def source_of(name: str) -> str:
            node, triples = self.actor(name, CKG.Actor, namespace="ucdp-source")
            once.extend(triples)
            return f"<{node}>"

        sources = lookup_items(frame, T("source_office"), source_of, self.memo.setdefault("sources", {}))
        return Quads(out, once, [(sources, [(claim, CITES) for claim in claims])], frame)

    # -- what recurs: written once per node, in Python ------------------------------

    def conflict(self, conflict_id: str, name: str, codes: list[tuple[str, str]]) -> list[Triple]:
        """The UCDP conflict an event belongs to, as a war event (the first row's names and codes)."""
        node = KID[f"event/{self.key}/conflict-{conflict_id}"]
        return self.once(
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

    def place(self, country: str, adm_1: str, adm_2: str, where: str, country_id: str) -> tuple[URIRef, list[Triple]]:
        """The row's named location in UCDP's hierarchy: country > adm_1 > adm_2 > where_coordinates.
        A location spelled exactly as the country, adm_1 or adm_2 of its row is that place (where_prec
        6, 4, 3); any other is a place of its own inside the innermost division named, its kind read
        from its name ("Kawkareik Township" in "Kawkareik District" stays a township)."""
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
        country_id = whole_id(country_id)
        if country_id.isdigit():
            country_node = self.place_node([country])
            triples += self.once(
                f"{country_node}|gw",
                lambda: self.external_identifier(country_node, "Gleditsch-Ward state number", country_id),
            )
        return place, triples

    def side(self, name: str, actor_id: str) -> tuple[URIRef, list[Triple]]:
        """A side of the conflict: civilians, a government (a state) or an armed group, by UCDP's actor id."""
        if name == "Civilians":
            return self.actor("Civilians", CKG.Actor, local="civilians")
        cls = CKG.State if name.startswith("Government of") else CKG.NonStateArmedGroup
        actor_id = actor_id.split(".")[0]
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


def _whole_id(value: pl.Expr) -> pl.Expr:
    """`whole_id` on a column."""
    return pl.when(value.str.contains(r"^\d+(\.0+)?$")).then(value.str.replace(r"\..*$", "")).otherwise(value)


def _day(value: pl.Expr) -> pl.Expr:
    """The date a checked YYYY-MM-DD[ 00:00:00.000] value stands for (null if there is no such day)."""
    return value.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def date_text(value: pl.Expr) -> pl.Expr:
    return cat('"', value, '"', DATE_TYPE)


def _date_forms(frame: pl.DataFrame, T) -> set[str]:
    lengths = frame.select(pl.concat_list(T("date_start").str.len_chars(), T("date_end").str.len_chars()).explode().unique().alias("n"))
    return {"YYYY-MM-DD" if n == 10 else "YYYY-MM-DD hh:mm:ss" for n in lengths.get_column("n").to_list()}
