"""Imports an ACLED export (CSV from the export tool or the API) into events, places, actors and claims."""

from __future__ import annotations

import datetime as dt
import functools
import re

import polars as pl
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from conflictkg.errors import InputError
from conflictkg.exchange.importers.columnar import (
    DATE_TYPE,
    SeenKeys,
    cat,
    date,
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
    ADMIN_LEVEL,
    AS_WKT,
    BEGIN,
    CITES,
    CKG,
    CKV,
    COMBATANT,
    COMMENT,
    CONTAINED_IN,
    DCTERMS,
    DECIMAL,
    DERIVED,
    DESCRIPTION,
    EARLIEST_BEGIN,
    END,
    EVENT_TYPE,
    HAS_ACTOR,
    HAS_GEOMETRY,
    HAS_PLACE,
    IDENTIFIER,
    KID_TEXT,
    LABEL,
    LATEST_END,
    LOCATION_PRECISION,
    MAX,
    MIN,
    PERPETRATOR,
    REFERENCE_DATE,
    SOURCE_EVENT_TYPE,
    SOURCE_TIME_PRECISION,
    T_EVENT,
    T_GEOMETRY,
    TARGET,
    TIME_PRECISION,
    WKT_TEXT,
    XSD,
    A,
    Importer,
    Quads,
    Triple,
    code,
    coordinate,
    day_month_year,
    identifier_quads,
    iso_date,
    place_segment,
    require,
    slug,
    text,
    whole_number,
)
from conflictkg.exchange.importers.csvstream import Row

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
# The class that tells the codes apart, stated beside the one above (a rebel group is also a
# ckg:NonStateArmedGroup, civilians also a ckg:Actor): the export writes the code back from it.
INTER_KINDS: dict[str, URIRef] = {
    "2": CKG.RebelGroup, "rebel group": CKG.RebelGroup,
    "3": CKG.PoliticalMilitia, "political militia": CKG.PoliticalMilitia,
    "4": CKG.IdentityMilitia, "identity militia": CKG.IdentityMilitia,
    "5": CKG.Rioters, "rioters": CKG.Rioters,
    "6": CKG.Protesters, "protesters": CKG.Protesters,
    "7": CKG.Civilians, "civilians": CKG.Civilians,
}
CIVILIAN_CODES = ("7", "civilians")
# Which form the file gives the inter codes in (numbers in the export tool's files, words in the API's).
NUMERIC_INTER, WORD_INTER = "numeric inter codes", "inter codes as words"
ASSOCIATE_1, ASSOCIATE_2 = f"<{CKG.associateOfActor1}>", f"<{CKG.associateOfActor2}>"
SOURCE_SCALE = f"<{CKG.sourceScale}>"
MODIFIED = f"<{DCTERMS.modified}>"
KEYWORDS = "<https://schema.org/keywords>"
CITATION = f"<{DCTERMS.bibliographicCitation}>"
DATE_TIME = f"<{XSD.dateTime}>"

REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
)
# Every column a batch's lines read ('' for a column the file lacks), stripped once per batch.
READ = (
    *REQUIRED, "inter1", "inter2", "iso", "region", "source_scale", "tags", "timestamp",
)
A_TYPE = RDF.type
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
        self.memo: dict[str, dict] = {}
        self.places_written: dict[str, SeenKeys] = {}
        self.types = self.vocabulary.concepts(ACLED_SCHEME)
        self.time_codes = self.vocabulary.concepts(TIME_PRECISION_SCHEME)
        self.geo_codes = self.vocabulary.concepts(GEO_PRECISION_SCHEME)
        self.our_precision = {c: self.vocabulary.close_match(concept) for c, concept in self.time_codes.items()}
        self.broader = {concept: self.vocabulary.broader(concept) for concept in self.types.values()}
        self.date_forms: set[str] = set()
        self.latest_upload: int | None = None
        self._our_types: dict[URIRef, list[URIRef]] = {}

    def row_id(self, row: Row) -> str:
        return text(row, "event_id_cnty")

    def id_expression(self, frame: pl.DataFrame) -> pl.Expr:
        return stripped(frame, "event_id_cnty")

    # -- checking: the row by row messages, and the vectorised test that finds every row they would name

    def check(self, row: Row) -> list[str]:
        problems: list[str] = []
        require(row, "event_id_cnty", problems)
        self._date(row, problems)
        code(row, "time_precision", self.time_codes, problems)
        code(row, "geo_precision", self.geo_codes, problems)
        self._types(row, problems)
        require(row, "actor1", problems)
        require(row, "country", problems)
        require(row, "location", problems)
        latitude = coordinate(row, "latitude", 90, problems)
        longitude = coordinate(row, "longitude", 180, problems)
        if (latitude is None) != (longitude is None) and not any("itude" in p for p in problems):
            problems.append("latitude and longitude must be given together")
        whole_number(row, "fatalities", problems)
        if "timestamp" in self.columns:
            whole_number(row, "timestamp", problems, required=False)
        return problems

    def suspect(self, frame: pl.DataFrame) -> pl.Expr:
        T = functools.partial(stripped, frame)
        bad = _day(T("event_date"))[0].is_null()
        for column, codes in (("time_precision", self.time_codes), ("geo_precision", self.geo_codes)):
            bad = bad | ~T(column).str.strip_suffix(".0").is_in(list(codes))
        pairs = [f"{e}\x1f{s}" for e, e_concept in self.types.items() if not self.broader.get(e_concept)
                 for s, s_concept in self.types.items() if e_concept in self.broader.get(s_concept, ())]
        bad = bad | ~cat(T("event_type"), "\x1f", T("sub_event_type")).is_in(pairs)
        for column in ("event_id_cnty", "actor1", "country", "location"):
            bad = bad | (T(column) == "")
        for column, limit in (("latitude", 90), ("longitude", 180)):
            value = T(column)
            bad = bad | ((value != "") & (~value.str.contains(DECIMAL) | (value.cast(pl.Float64, strict=False).abs() >= limit)))
        bad = bad | ((T("latitude") == "") != (T("longitude") == ""))
        bad = bad | ~is_whole(T("fatalities"))
        if "timestamp" in frame.columns:
            bad = bad | ((T("timestamp") != "") & ~is_whole(T("timestamp")))
        return bad

    # -- the quads of a batch of good rows -------------------------------------

    def quads(self, frame: pl.DataFrame, end: str) -> Quads:
        # What many lines read (the cells, the event's IRI: in 30 lines), made once per batch.
        frame, T = strip_once(frame, READ)
        day, api = _day(T("event_date"))
        frame = frame.with_columns(
            T("event_id_cnty").str.replace_all(r"[^A-Za-z0-9._-]", "_").alias("_local"),
            day.alias("_day"), api.alias("_api"),
            whole(T("timestamp")).cast(pl.Int64, strict=False).alias("_upload"),
            whole(T("fatalities")).alias("_fatalities"),
            T("inter1").str.to_lowercase().alias("_inter1_code"), T("inter2").str.to_lowercase().alias("_inter2_code"),
            T("time_precision").str.strip_suffix(".0").alias("_time_code"), T("geo_precision").str.strip_suffix(".0").alias("_geo_code"),
        ).with_columns(
            iri(KID_TEXT, "event/", self.key, "/", pl.col("_local")).alias("_event"),
            iri(KID_TEXT, "claim/", self.key, "/", pl.col("_local"), "/fatalities").alias("_claim"),
            iri(KID_TEXT, "event/", self.key, "/", pl.col("_local"), "/geometry").alias("_geometry"),
            pl.col("_day").dt.strftime("%Y-%m-%d").alias("_day_text"),
        ).with_columns(
            cat('"', pl.col("_day_text"), '"', DATE_TYPE).alias("_day_literal"),  # `date(day)`, in three lines
        )
        once: list[Triple] = []
        dataset = f"<{self.dataset}>"
        event_id, event, day, api = T("event_id_cnty"), pl.col("_event"), pl.col("_day"), pl.col("_api")
        forms = frame.select(api.alias("api")).get_column("api").unique().to_list()
        self.date_forms |= {"API dates (2024-02-28)" if form else "export-tool dates (28 February 2024)" for form in forms}
        inter_forms = pl.concat([frame.select(T(c).alias("c")) for c in ("inter1", "inter2")]).filter(pl.col("c") != "")
        self.date_forms |= {NUMERIC_INTER if numeric else WORD_INTER for numeric in
                            inter_forms.select(pl.col("c").str.contains(r"^\d+(?:\.0+)?$").unique()).get_column("c").to_list()}
        upload = pl.col("_upload")
        if "timestamp" in frame.columns:
            uploads = frame.select(upload.max()).item()
            if uploads is not None:
                self.latest_upload = max(self.latest_upload or 0, uploads)
        time_code, geo_code = pl.col("_time_code"), pl.col("_geo_code")
        actor1, actor2, location, country = T("actor1"), T("actor2"), T("location"), T("country")

        def q(s, p, o) -> pl.Expr:
            return quad(s, p, o, end)

        def concepts(value: pl.Expr, table: dict[str, URIRef | None]) -> pl.Expr:
            return value.replace_strict({k: f"<{v}>" for k, v in table.items() if v is not None}, default=None, return_dtype=pl.String)

        ours = {name: self._ours(concept) for name, concept in self.types.items() if self.broader.get(concept)}
        second = pl.when(actor2 != "").then(cat(" – ", actor2)).otherwise(pl.lit(""))
        day_text = pl.col("_day_text")
        out: list[pl.Expr] = [
            q(event, A, T_EVENT),
            q(event, LABEL, english(T("sub_event_type"), ": ", actor1, second, ", ", location, " (", day_text, ")")),
            q(event, IDENTIFIER, plain(event_id)),
            q(event, DERIVED, dataset),
            q(event, EVENT_TYPE, concepts(T("sub_event_type"), ours)),
            q(event, SOURCE_EVENT_TYPE, concepts(T("sub_event_type"), self.types)),
        ]
        out += identifier_quads(event, "ACLED event_id_cnty", plain(event_id), dataset, end)
        notes, tags = T("notes"), T("tags")
        out.append(when(notes != "", q(event, DESCRIPTION, english(notes))))
        # The row's own upload time (ACLED's timestamp, Unix seconds) and its tags, as published.
        stamp = pl.from_epoch(upload, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")  # UTC
        out.append(when(upload.is_not_null(), q(event, MODIFIED, cat('"', stamp, '+00:00"^^', DATE_TIME))))
        out.append(when(tags != "", q(event, KEYWORDS, plain(tags))))
        # Time: the day; a week around it (precision 2); its month (precision 3).
        week, month = time_code == "2", time_code == "3"
        first = pl.when(week).then(day - pl.duration(days=3)).otherwise(day.dt.month_start())
        last = pl.when(week).then(day + pl.duration(days=3)).otherwise(day.dt.month_end())
        out += [
            q(event, SOURCE_TIME_PRECISION, concepts(time_code, self.time_codes)),
            q(event, TIME_PRECISION, concepts(time_code, self.our_precision)),
            when(time_code == "1", q(event, BEGIN, pl.col("_day_literal"))),
            when(time_code == "1", q(event, END, pl.col("_day_literal"))),
            when(week | month, q(event, REFERENCE_DATE, pl.col("_day_literal"))),
            when(week | month, q(event, EARLIEST_BEGIN, date(first))),
            when(week | month, q(event, LATEST_END, date(last))),
            q(event, LOCATION_PRECISION, concepts(geo_code, self.geo_codes)),
        ]

        # Places: country > admin1 > admin2 > admin3 > location, each named node written once
        # (ACLED's locations are many: built for the batch, not one by one); the row's point on the event.
        def segment(values: tuple[str, ...]) -> str:
            return place_segment(values[0])

        def country_code(values: tuple[str, ...]) -> str:
            once.extend(self.country_code(*values))
            return ""

        lookup(frame, [country, T("iso")], country_code, self.memo.setdefault("iso", {}))

        def world_region(values: tuple[str, ...]) -> str:
            once.extend(self.world_region(*values))
            return ""

        lookup(frame, [country, T("region")], world_region, self.memo.setdefault("region", {}))
        levels = [(country, CKG.Country, 0), (T("admin1"), CKG.Region, 1), (T("admin2"), CKG.Region, 2),
                  (T("admin3"), CKG.Region, 3), (location, CKG.Place, None)]
        # Each level's path a column read by the next (as one expression, the country's path would be
        # made again in both branches of every level below it: 31 times).
        segments = self.memo.setdefault("segment", {})
        frame = frame.with_columns(cat(f"{KID_TEXT}place/{self.publisher_key}/", lookup(frame, [country], segment, segments)).alias("_place0"))
        for k, (name, _cls, _level) in enumerate(levels[1:], start=1):
            above = pl.col(f"_place{k - 1}")
            step = cat(above, "/", lookup(frame, [name], segment, segments))
            frame = frame.with_columns(pl.when(name != "").then(step).otherwise(above).alias(f"_place{k}"))
        chain: list[tuple[pl.DataFrame, list[pl.Expr]]] = []
        for k, (name, cls, level) in enumerate(levels):
            found = frame.filter(name != "").select(
                pl.col(f"_place{k}").alias("node"), name.alias("name"), pl.col(f"_place{max(k - 1, 0)}").alias("parent")
            ).unique(subset=["node"], keep="first", maintain_order=True)
            found = self.new_places(found, f"{cls}|{level}")
            node = cat("<", pl.col("node"), ">")
            chain.append((found, [
                q(node, A, f"<{cls}>"),
                q(node, LABEL, english(pl.col("name"))),
                *([q(node, CONTAINED_IN, cat("<", pl.col("parent"), ">"))] if k else []),
                *([q(node, ADMIN_LEVEL, integer(pl.lit(str(level))))] if level is not None else []),
            ]))
        place = cat("<", pl.col(f"_place{len(levels) - 1}"), ">")
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

        # Actors: actor1/actor2 do not say who attacked whom, except that civilians are targets.
        def actor_of(values: tuple[str, ...]) -> str | None:
            if not values[0]:
                return None
            node, triples = self._actor(*values)
            once.extend(triples)
            return f"<{node}>"

        inter1, inter2 = pl.col("_inter1_code"), pl.col("_inter2_code")
        a = lookup(frame, [actor1, inter1, country], actor_of, self.memo.setdefault("actor", {}))
        b = lookup(frame, [actor2, inter2, country], actor_of, self.memo.setdefault("actor", {}))
        battle = concepts(T("event_type"), self.types) == f"<{self.types.get('Battles')}>"
        civilians = (actor2 != "") & inter2.is_in(CIVILIAN_CODES) & ~inter1.is_in(CIVILIAN_CODES)
        out += [
            q(event, pl.when(battle).then(pl.lit(COMBATANT)).when(civilians).then(pl.lit(PERPETRATOR)).otherwise(pl.lit(HAS_ACTOR)), a),
            when(actor2 != "", q(event, pl.when(battle).then(pl.lit(COMBATANT)).when(civilians).then(pl.lit(TARGET)).otherwise(pl.lit(HAS_ACTOR)), b)),
        ]

        def actors_in(namespace: str | None):
            def make(name: str) -> str:
                node, triples = self.actor(name, CKG.Actor, namespace=namespace)
                once.extend(triples)
                return f"<{node}>"
            return make

        # Associated actors: each on the side of the main actor its column goes with.
        fanned = [(lookup_items(frame, T(column), actors_in(None), self.memo.setdefault("associated", {})), [(event, HAS_ACTOR), (event, side)])
                  for column, side in (("assoc_actor_1", ASSOCIATE_1), ("assoc_actor_2", ASSOCIATE_2))]

        # The fatality figure: ACLED's claim, citing the row's sources.
        claim, fatalities = pl.col("_claim"), pl.col("_fatalities")
        out += self.claim_lines(claim, event, english("fatalities: ", fatalities), end)
        out += [
            q(claim, LABEL, english("ACLED: ", fatalities, " reported fatalities (", event_id, ")")),
            q(claim, MIN, integer(fatalities)),
            q(claim, MAX, integer(fatalities)),
            q(claim, IDENTIFIER, plain(event_id)),
            when(fatalities == "0", q(claim, COMMENT, '"ACLED records 0 also when its sources give no fatality figure."@en')),
        ]
        # The sources as published (their order kept), and the scale ACLED gives them.
        source, scale = T("source"), T("source_scale")
        out.append(when(source != "", q(claim, CITATION, plain(source))))
        out.append(when(scale != "", q(claim, SOURCE_SCALE, plain(scale))))
        fanned.append((lookup_items(frame, T("source"), actors_in("acled-source"), self.memo.setdefault("sources", {})), [(claim, CITES)]))
        return Quads(out, once, fanned, frame, chain)

    def country_code(self, country: str, iso: str) -> list[Triple]:
        """The country's ISO 3166-1 numeric code, when the row gives one."""
        if not iso.isdigit():
            return []
        country_node = self.place_node([country])
        return self.once(f"{country_node}|iso", lambda: self.external_identifier(country_node, "ISO 3166-1 numeric", iso.zfill(3)))

    def world_region(self, country: str, region: str) -> list[Triple]:
        """The world region ACLED puts the country in (its region column), when the row gives one."""
        if not region:
            return []
        country_node = self.place_node([country])
        return self.once(f"{country_node}|region|{region}", lambda: [(country_node, CKG.worldRegion, Literal(region))])

    def new_places(self, found: pl.DataFrame, kind: str) -> pl.DataFrame:
        """The rows of `found` whose node (of this kind) no earlier batch wrote; remembers them."""
        written = self.places_written.setdefault(kind, SeenKeys())
        hashes = SeenKeys.hashes(found.get_column("node"))
        fresh = ~written.contains(hashes)
        written.add(hashes.filter(fresh))
        return found.filter(fresh)

    def _actor(self, name: str, inter: str, country: str) -> tuple[URIRef, list[Triple]]:
        """A main actor typed by its inter code; state forces are the armed forces of the state
        their name gives ("Military Forces of Mali (2021-)"), else of the event's country."""
        cls = INTER_CLASSES.get(inter, CKG.Actor)
        node, triples = self.actor(name, cls)
        kind = INTER_KINDS.get(inter)
        if kind is not None:
            triples += self.once(f"{node}|{kind}", lambda: [(node, A_TYPE, kind)])
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
            return day
        day = day_month_year(value)
        if day is not None:
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

    def dataset_triples(self) -> list[Triple]:
        forms = " and ".join(sorted(self.date_forms)) or "no rows"
        triples: list[Triple] = [
            (self.dataset, CKG.fileLayout, Literal(f"ACLED export, {len(self.columns)} columns, {forms}")),
        ]
        if self.latest_upload is not None:
            stamp = dt.datetime.fromtimestamp(self.latest_upload, dt.UTC).isoformat()
            triples.append((self.dataset, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
        return triples



_MONTH_NUMBERS = {
    name: f"{number:02d}"
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"],
        start=1,
    )
}


def _day(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The day of an event_date in either of ACLED's forms (null if neither), and whether it was the API's."""
    api = value.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    parts = value.str.extract_groups(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
    month = parts.struct.field("2").str.to_lowercase().replace_strict(_MONTH_NUMBERS, default=None, return_dtype=pl.String)
    spelled = cat(parts.struct.field("3"), "-", month, "-", parts.struct.field("1").str.zfill(2))
    day = pl.when(api).then(value).otherwise(spelled).str.to_date("%Y-%m-%d", strict=False)
    return day, api
