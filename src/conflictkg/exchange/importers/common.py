"""What the ACLED and UCDP importers share: value parsing, IRIs, places, provenance and the import loop."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import polars as pl
from rdflib import Literal, URIRef
from rdflib import namespace as _ns
from rdflib.term import Node

from conflictkg import __version__
from conflictkg.errors import InputError
from conflictkg.exchange.importers.columnar import (
    LINE,
    MEMO_LIMIT,
    NUMBER,
    Items,
    NeedsExactReading,
    SeenKeys,
    cat,
    exact_batches,
    fast_batches,
    quad,
    render,
    rows_of,
    spread_items,
)
from conflictkg.exchange.importers.csvstream import (
    CsvStream,
    MalformedRow,
    Row,
    RowProblem,
    file_digest,
)
from conflictkg.exchange.importers.rdfout import QuadSink, output_format, sink_for
from conflictkg.graph import namespaces as _ours
from conflictkg.guard.files import write_atomic

Triple = tuple[Node, Node, Node]


class _Attributes:
    """A namespace whose terms, once looked up, are plain attributes (rdflib's lookup is slow)."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, key: str) -> URIRef:
        return self._namespace[key]


# Namespaces as plain attributes: the importers look terms up millions of times.
CKG, CKV, KGR, KID = (_Attributes(n) for n in (_ours.CKG, _ours.CKV, _ours.KGR, _ours.KID))
DCTERMS, GEO, PROV, RDF, RDFS, SDO, SKOS, XSD = (
    _Attributes(n) for n in (_ns.DCTERMS, _ns.GEO, _ns.PROV, _ns.RDF, _ns.RDFS, _ns.SDO, _ns.SKOS, _ns.XSD)
)

CONFLICTKG_AGENT = KID["actor/conflictkg"]
PRECISION = CKV["precision/"]
STATUS_REPORTED = CKV["status/reported"]
CLAIM_CASUALTIES = CKV["claim-kind/casualties"]
KILLED = CKV["casualty/killed"]
WKT = GEO.wktLiteral
TRUE = Literal(True)

# Terms as N-Triples text, for the lines a batch is written as.
KID_TEXT = str(_ours.KID)
A = f"<{_ns.RDF.type}>"
LABEL = f"<{_ns.RDFS.label}>"
COMMENT = f"<{_ns.RDFS.comment}>"
IDENTIFIER = f"<{_ns.DCTERMS.identifier}>"
CITATION = f"<{_ns.DCTERMS.bibliographicCitation}>"
DERIVED = f"<{_ns.PROV.wasDerivedFrom}>"
ATTRIBUTED = f"<{_ns.PROV.wasAttributedTo}>"
ABOUT = f"<{_ns.SDO.about}>"
DESCRIPTION = f"<{_ns.SDO.description}>"
MIN = f"<{_ns.SDO.minValue}>"
MAX = f"<{_ns.SDO.maxValue}>"
HAS_GEOMETRY = f"<{_ns.GEO.hasGeometry}>"
AS_WKT = f"<{_ns.GEO.asWKT}>"
T_GEOMETRY = f"<{_ns.GEO.Geometry}>"
WKT_TEXT = f"<{_ns.GEO.wktLiteral}>"
TRUE_TEXT = f'"true"^^<{_ns.XSD.boolean}>'
_C = str(_ours.CKG)
T_EVENT, T_CLAIM, T_EXTERNAL_ID = f"<{_C}Event>", f"<{_C}Claim>", f"<{_C}ExternalIdentifier>"
(EVENT_TYPE, SOURCE_EVENT_TYPE, SOURCE_TIME_PRECISION, TIME_PRECISION, LOCATION_PRECISION, SUB_EVENT_OF, HAS_PLACE,
 HAS_ACTOR, PERPETRATOR, TARGET, COMBATANT, CLAIM_KIND, CASUALTY_KIND, CLAIM_STATUS, WORDING, CITES, CONCERNS, BEST,
 LOW, HIGH, UNORDERED, SOURCE_FIELD, EXTERNAL_ID, SOURCE_ID, SCHEME, VALUE, BEGIN, END, EARLIEST_BEGIN, LATEST_END,
 REFERENCE_DATE, CONTAINED_IN, ADMIN_LEVEL) = (
    f"<{_C}{name}>" for name in (
        "eventType", "sourceEventType", "sourceTimePrecision", "timePrecision", "locationPrecision", "subEventOf",
        "hasPlace", "hasActor", "perpetrator", "target", "combatant", "claimKind", "casualtyKind", "claimStatus",
        "wording", "citesSource", "concernsActor", "bestEstimate", "lowEstimate", "highEstimate",
        "unorderedEstimates", "sourceField", "externalIdentifier", "sourceIdentifier", "identifierScheme",
        "identifierValue", "beginDate", "endDate", "earliestBegin", "latestEnd", "referenceDate", "containedIn",
        "adminLevel",
    )
)
ISO_DATE = r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00(?:\.0+)?)?$"
DECIMAL = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"],
        start=1,
    )
}
_WHOLE = re.compile(r"^[+]?\d+(?:\.0+)?$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00:00(?:\.0+)?)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")


# ---------------------------------------------------------------------------
# Parsing values: each parser appends to `problems` and returns None when the value is bad
# ---------------------------------------------------------------------------


def text(row: Row, column: str) -> str:
    """The column's value with surrounding whitespace removed ('' when the column is absent)."""
    return row.values.get(column, "").strip()


def require(row: Row, column: str, problems: list[str]) -> str | None:
    value = text(row, column)
    if not value:
        problems.append(f"{column} is empty")
        return None
    return value


def whole_number(row: Row, column: str, problems: list[str], required: bool = True) -> int | None:
    """A count: a non-negative whole number ("12"; "12.0" as written by some exports)."""
    value = text(row, column)
    if not value:
        if required:
            problems.append(f"{column} is empty (a whole number is needed)")
        return None
    if not _WHOLE.match(value):
        problems.append(f"{column} is not a whole number: {value!r}")
        return None
    return int(Decimal(value))


def coordinate(row: Row, column: str, limit: int, problems: list[str]) -> Decimal | None:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees; None when empty."""
    value = text(row, column)
    if not value:
        return None
    if not _DECIMAL.match(value):
        problems.append(f"{column} is not a number: {value!r}")
        return None
    number = Decimal(value)
    if abs(number) > limit:
        problems.append(f"{column} {value} is outside -{limit}..{limit}")
        return None
    return number


def code(row: Row, column: str, allowed: dict[str, URIRef], problems: list[str]) -> tuple[str, URIRef] | None:
    """A publisher's precision code, which must be one the codebook defines."""
    value = text(row, column)
    if not value:
        problems.append(f"{column} is empty (one of {', '.join(allowed)} is needed)")
        return None
    normal = value.removesuffix(".0")
    if normal not in allowed:
        problems.append(f"{column} {value!r} is not a code the codebook defines ({', '.join(allowed)})")
        return None
    return normal, allowed[normal]


def iso_date(value: str) -> dt.date | None:
    """"2024-02-28" (also "2024-02-28 00:00:00.000", as UCDP's CSV writes dates); None if not that form."""
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def day_month_year(value: str) -> dt.date | None:
    """"28 February 2024" (ACLED's export tool); None if not that form."""
    match = _DAY_MONTH_YEAR.match(value)
    if not match or match.group(2).lower() not in _MONTHS:
        return None
    try:
        return dt.date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    except ValueError:
        return None


def date_literal(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


# ---------------------------------------------------------------------------
# Names and IRIs
# ---------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def slug(name: str) -> str:
    """A readable IRI path segment: ASCII letters and digits, lower case, joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if words:
        return "-".join(words)[:120]
    # A name with no Latin letters or digits: keep it distinct with its code points.
    return "u" + "-".join(f"{ord(c):x}" for c in name.strip())[:120]


_SEGMENT_KEEP = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.~()',;!$&*+=@:")


@lru_cache(maxsize=65536)
def place_segment(name: str) -> str:
    """An IRI path segment that spells a place's name exactly as the publisher gave it.

    Spaces become "_"; letters and digits of any script, and the punctuation IRIs allow in a path,
    stay; everything else ("_", "/", "#", "%", other symbols) is percent-encoded. So the name can be
    read back from the IRI, two spellings ("Kachin State", "Kachin state") never share a node, and a
    node's one rdfs:label is the same in every import that writes it."""
    out = []
    for char in name.strip():
        if char == " ":
            out.append("_")
        elif char in _SEGMENT_KEEP or (ord(char) > 127 and unicodedata.category(char)[0] in "LMN"):
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
    segment = "".join(out)
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def split_list(value: str) -> list[str]:
    """The items of a semicolon-separated cell, stripped, empty items dropped, order and duplicates kept once."""
    seen: dict[str, None] = {}
    for item in value.split(";"):
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def en(value: str) -> Literal:
    return Literal(value, lang="en")


@lru_cache(maxsize=4096)
def integer(value: int) -> Literal:
    return Literal(value)



def point_wkt(latitude: Decimal, longitude: Decimal) -> Literal:
    """A GeoSPARQL WKT point; WKT's default CRS (CRS84) puts the longitude first."""
    return Literal(f"POINT({_plain(longitude)} {_plain(latitude)})", datatype=WKT)


def _plain(number: Decimal) -> str:
    text_value = format(number.normalize(), "f")
    return text_value if text_value not in ("-0",) else "0"


# ---------------------------------------------------------------------------
# The concept schemes the importers look codes up in
# ---------------------------------------------------------------------------


class Vocabulary:
    """Concepts of our schemes found by the publisher's string (skos:notation) within a scheme."""

    def __init__(self) -> None:
        from conflictkg.graph.parse import load_ontology

        graph = load_ontology()
        self.graph = graph
        self._by_scheme: dict[URIRef, dict[str, URIRef]] = {}
        for concept, notation in graph.subject_objects(SKOS.notation):
            for scheme in graph.objects(concept, SKOS.inScheme):
                self._by_scheme.setdefault(scheme, {})[str(notation)] = concept

    def concepts(self, scheme: URIRef) -> dict[str, URIRef]:
        """notation -> concept for one scheme; an InputError if the ontology lacks the scheme."""
        found = self._by_scheme.get(scheme)
        if not found:
            raise InputError(f"the shipped ontology has no concepts with skos:notation in the scheme <{scheme}>")
        return dict(found)

    def broader(self, concept: URIRef) -> set[URIRef]:
        return set(self.graph.objects(concept, SKOS.broader))

    def exact_matches(self, concept: URIRef, scheme: URIRef) -> list[URIRef]:
        """Concepts of `scheme` that are skos:exactMatch of `concept` (either direction)."""
        found = set(self.graph.objects(concept, SKOS.exactMatch)) | set(self.graph.subjects(SKOS.exactMatch, concept))
        return sorted(c for c in found if (c, SKOS.inScheme, scheme) in self.graph)

    def close_matches(self, concept: URIRef, scheme: URIRef) -> list[URIRef]:
        """Concepts of `scheme` that are skos:closeMatch of `concept` (either direction)."""
        found = set(self.graph.objects(concept, SKOS.closeMatch)) | set(self.graph.subjects(SKOS.closeMatch, concept))
        return sorted(c for c in found if (c, SKOS.inScheme, scheme) in self.graph)

    def close_match(self, concept: URIRef) -> URIRef | None:
        """Our ckv:precision concept a publisher's time-precision code maps to."""
        for predicate in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch):
            for target in sorted(self.graph.objects(concept, predicate)):
                if str(target).startswith(str(PRECISION)):
                    return target
        return None


# ---------------------------------------------------------------------------
# The import loop
# ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did."""

    file_name: str
    graph: URIRef
    rows_read: int = 0
    rows_imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    quads: int = 0
    seconds: float = 0.0
    output_format: str = ""

    def problem_lines(self, limit: int | None = None) -> list[str]:
        lines = [p.text(self.file_name) for p in self.problems]
        if limit is not None and len(lines) > limit:
            rest = len(lines) - limit
            lines = lines[:limit] + [f"… and {rest} more malformed row(s)"]
        return lines


@dataclass
class Quads:
    """What a batch of rows becomes: `lines` (one expression per kind of quad), `once` (triples of what
    recurs, such as places and actors), `fanned` (a cell holding a list, as `Items`, and the
    (subject, predicate) pairs each item is the object of)."""

    lines: list[pl.Expr]
    once: list[Triple]
    fanned: list[tuple[Items, list[tuple[pl.Expr, str]]]]
    frame: pl.DataFrame | None = None  # the batch with columns the expressions share, made once
    tables: list[tuple[pl.DataFrame, list[pl.Expr]]] = field(default_factory=list)  # other frames and their lines


class _SeenIds:
    """The ids of the rows read so far, to reject a file in which two rows share one."""

    def __init__(self, file_name: str, column: str):
        self.file_name, self.column = file_name, column
        self.fast = SeenKeys()
        self.exact: dict[str, tuple[int, int]] = {}

    def add_fast(self, ids: pl.Series) -> None:
        ids = ids.filter(ids != "")
        hashes = SeenKeys.hashes(ids)
        if ids.is_duplicated().any() or self.fast.contains(hashes).any():
            raise NeedsExactReading("two rows share an id (or two ids share a hash: the exact reader tells)")
        self.fast.add(hashes)

    def add_exact(self, ids: pl.Series, numbers: pl.Series, lines: pl.Series) -> None:
        for identifier, number, line in zip(ids.to_list(), numbers.to_list(), lines.to_list()):
            if not identifier:
                continue
            if identifier in self.exact:
                raise duplicate_id(self.file_name, self.column, identifier, self.exact[identifier], (number, line))
            self.exact[identifier] = (number, line)


def identifier_quads(
    subject: pl.Expr, scheme: str, value: pl.Expr, dataset: str, end: str, link: str = EXTERNAL_ID
) -> list[pl.Expr]:
    """`Importer.external_identifier` as lines of a batch (`subject` an IRI term, `value` a literal)."""
    node = cat(subject.str.strip_suffix(">"), f"/id/{slug(scheme)}>")
    return [
        quad(subject, link, node, end),
        quad(node, A, T_EXTERNAL_ID, end),
        quad(node, SCHEME, f'"{scheme}"', end),
        quad(node, VALUE, value, end),
        quad(node, DERIVED, dataset, end),
    ]


@dataclass(frozen=True)
class ImportOptions:
    """What the user can tell an import beyond the file: the data set's version and download date."""

    version: str | None = None
    downloaded: dt.date | None = None
    now: dt.datetime | None = None


class Importer:
    """Base of a publisher's importer. Subclasses set the class attributes and `convert`."""

    publisher_key = ""  # "acled", "ucdp-ged": used in IRIs
    publisher_label = ""
    publisher_homepage = ""
    what = ""  # "an ACLED export" (for header errors)
    id_column = ""  # the column holding each row's identifier, which must be unique in the file
    required: tuple[str, ...] = ()
    licence: URIRef | None = None

    def __init__(self, file_name: str, digest: str, options: ImportOptions):
        self.file_name = file_name
        self.digest = digest
        self.key = f"{self.publisher_key}-{digest[:12]}"
        self.options = options
        self.graph = KGR[self.key]
        self.dataset = KID[f"dataset/{self.key}"]
        self.activity = KID[f"activity/import-{self.key}"]
        self.publisher = KID[f"actor/{self.publisher_key}"]
        self.vocabulary = Vocabulary()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._actor_nodes: dict[tuple[str | None, str | None, str], URIRef] = {}
        self.columns: list[str] = []

    # -- hooks -------------------------------------------------------------

    def start(self, columns: list[str]) -> None:
        """Called once the header is read (layout detection)."""
        self.columns = columns

    def check(self, row: Row) -> list[str]:
        """Everything wrong with one row, as the messages name it (empty: the row is good)."""
        raise NotImplementedError

    def suspect(self, frame: pl.DataFrame) -> pl.Expr:
        """True for every row of the batch `check` could find fault with (and perhaps a few more)."""
        raise NotImplementedError

    def id_expression(self, frame: pl.DataFrame) -> pl.Expr:
        """`row_id` of every row of a batch."""
        raise NotImplementedError

    def quads(self, frame: pl.DataFrame, end: str) -> Quads:
        """The quads of a batch of good rows: one expression per kind of line, the triples of what
        recurs (written once), and lists in one cell fanned out to one line per item."""
        raise NotImplementedError

    def dataset_triples(self) -> list[Triple]:
        """Extra triples describing the data set (layout, version, modification time)."""
        return []

    def row_id(self, row: Row) -> str:
        """The row's identifier as it keys the event's IRI ('' when the cell is empty)."""
        return text(row, self.id_column)

    # -- helpers for subclasses ---------------------------------------------

    def once(self, key: str, make: Callable[[], Iterable[Triple]]) -> list[Triple]:
        """The triples `make()` returns, unless they were written recently under the same key.

        Actors and places recur in many rows; a bounded memory of what was written keeps the
        output small without letting memory grow with the file (a repeat after eviction only
        writes the same triples again, which is harmless in RDF).
        """
        if key in self._seen:
            self._seen.move_to_end(key)
            return []
        self._seen[key] = None
        if len(self._seen) > 200_000:
            self._seen.popitem(last=False)
        return list(make())

    def geometry(self, event: URIRef, latitude: Decimal, longitude: Decimal) -> list[Triple]:
        """The row's own point as a GeoSPARQL geometry of the event (not of its named place, which many
        rows share), derived from this data set."""
        node = URIRef(f"{event}/geometry")
        return [
            (event, GEO.hasGeometry, node),
            (node, RDF.type, GEO.Geometry),
            (node, GEO.asWKT, point_wkt(latitude, longitude)),
            (node, PROV.wasDerivedFrom, self.dataset),
        ]

    def external_identifier(self, subject: URIRef, scheme: str, value: str, link: URIRef | None = None) -> list[Triple]:
        """An identifier the data set gives `subject` (`link` ckg:externalIdentifier: its own, which the
        merge links on; ckg:sourceIdentifier: of something the row codes it to, such as its dyad)."""
        node = URIRef(f"{subject}/id/{slug(scheme)}")
        return [
            (subject, link or CKG.externalIdentifier, node),
            (node, RDF.type, CKG.ExternalIdentifier),
            (node, CKG.identifierScheme, Literal(scheme)),
            (node, CKG.identifierValue, Literal(value)),
            (node, PROV.wasDerivedFrom, self.dataset),
        ]

    def place_node(self, path: list[str]) -> URIRef:
        """The place at `path` (the country's name, then each division's, then the named location's,
        as published) in this publisher's hierarchy."""
        return URIRef("/".join([f"{KID_TEXT}place/{self.publisher_key}", *(place_segment(name) for name in path)]))

    def _new(self, key: str) -> bool:
        """Whether `key` was not written recently (see `once`); remembers it."""
        seen = self._seen
        if key in seen:
            seen.move_to_end(key)
            return False
        seen[key] = None
        if len(seen) > 200_000:
            seen.popitem(last=False)
        return True

    def place_chain(
        self, names: list[tuple[str, URIRef, int | None]], country: str
    ) -> tuple[URIRef, list[Triple]]:
        """Places for a country and the publisher's divisions and named location within it (outermost
        first), each ckg:containedIn the one before. `names` are (name, class, admin level or None)
        below the country; empty names are skipped. The IRI of each is its path of names as published
        (`place_node`), so the same division is one node in every row and every import, and a
        named location equal in name to a division above it is still a place of its own.
        Returns the innermost place and the triples (written once per place and class)."""
        text_path = f"{KID_TEXT}place/{self.publisher_key}/{place_segment(country)}"
        parent = URIRef(text_path)
        triples: list[Triple] = []
        if self._new(f"{text_path}|{CKG.Country}|0"):
            triples += [(parent, RDF.type, CKG.Country), (parent, RDFS.label, en(country)), (parent, CKG.adminLevel, integer(0))]
        for name, cls, level in names:
            if not name:
                continue
            text_path = f"{text_path}/{place_segment(name)}"
            node = URIRef(text_path)
            if self._new(f"{text_path}|{cls}|{level}"):
                triples += [(node, RDF.type, cls), (node, RDFS.label, en(name)), (node, CKG.containedIn, parent)]
                if level is not None:
                    triples.append((node, CKG.adminLevel, integer(level)))
            parent = node
        return parent, triples

    def actor(self, name: str, cls: URIRef, local: str | None = None, namespace: str | None = None) -> tuple[URIRef, list[Triple]]:
        """The publisher's actor of this name (IRI from `local`, else from the name)."""
        # The IRI is kept: the importers ask again for every cell that names the actor, and
        # rdflib's term construction (which checks the IRI) is most of an actor's cost.
        nodes = self._actor_nodes
        node = nodes.get((namespace, local, name))
        if node is None:
            if len(nodes) > MEMO_LIMIT:
                nodes.clear()
            node = nodes[(namespace, local, name)] = KID[f"actor/{namespace or self.publisher_key}/{local or slug(name)}"]
        triples = self.once(
            f"{node}|{cls}",
            lambda: [(node, RDF.type, cls), (node, RDFS.label, en(name))],
        )
        return node, triples

    def claim_base(self, claim: URIRef, event: URIRef, wording: str) -> list[Triple]:
        """The triples every imported casualty claim has: attributed to the publisher, derived from
        the data set, about the event, status reported."""
        return [
            (claim, RDF.type, CKG.Claim),
            (claim, PROV.wasAttributedTo, self.publisher),
            (claim, PROV.wasDerivedFrom, self.dataset),
            (claim, SDO.about, event),
            (claim, CKG.claimKind, CLAIM_CASUALTIES),
            (claim, CKG.casualtyKind, KILLED),
            (claim, CKG.claimStatus, STATUS_REPORTED),
            (claim, CKG.wording, en(wording)),
        ]

    def claim_lines(self, claim: pl.Expr, event: pl.Expr, wording: pl.Expr, end: str) -> list[pl.Expr]:
        """`claim_base` as lines of a batch."""
        return [
            quad(claim, A, T_CLAIM, end),
            quad(claim, ATTRIBUTED, f"<{self.publisher}>", end),
            quad(claim, DERIVED, f"<{self.dataset}>", end),
            quad(claim, ABOUT, event, end),
            quad(claim, CLAIM_KIND, f"<{CLAIM_CASUALTIES}>", end),
            quad(claim, CASUALTY_KIND, f"<{KILLED}>", end),
            quad(claim, CLAIM_STATUS, f"<{STATUS_REPORTED}>", end),
            quad(claim, WORDING, wording, end),
        ]

    # -- the loop -----------------------------------------------------------

    def run(self, path: str | Path, sink: QuadSink | None, on_bytes: Callable[[int], None] | None, exact: bool = False) -> ImportResult:
        """Read every row; write the good ones' quads to `sink` (None: only check).

        Fast (`exact` False): pyarrow reads, and anything that needs a row named (a malformed row,
        an id seen before) raises NeedsExactReading, for the caller to start again exactly. Exact:
        the csv module reads, and such rows are named with their numbers and lines."""
        import time

        started = time.perf_counter()
        result = ImportResult(self.file_name, self.graph)
        imported_at = self.options.now or dt.datetime.now(dt.UTC).replace(microsecond=0)
        with CsvStream(path, self.file_name, on_bytes if exact else None) as stream:
            columns = stream.open(self.required, self.what)
            self.start(columns)
            if sink is not None:
                sink.write(self._with_graph(self.publisher_triples()))
            if exact:
                batches = exact_batches(stream, columns)
            else:
                stream.close()
                batches = fast_batches(Path(path), columns, on_bytes)
            seen = _SeenIds(self.file_name, self.id_column)
            for batch in batches:
                frame = batch.frame
                result.rows_read += frame.height + len(batch.problems)
                result.problems += batch.problems
                ids = frame.select(self.id_expression(frame).alias("id")).get_column("id")
                if exact:
                    seen.add_exact(ids, frame.get_column(NUMBER), frame.get_column(LINE))
                    bad: list[int] = []
                    for row in rows_of(frame.filter(self.suspect(frame)), columns):
                        messages = self.check(row)
                        if messages:
                            result.problems.append(RowProblem(row.number, row.line, messages))
                            bad.append(row.number)
                    good = frame.filter(~pl.col(NUMBER).is_in(bad)) if bad else frame
                    result.problems.sort(key=lambda problem: problem.number)
                else:
                    seen.add_fast(ids)
                    if frame.select(self.suspect(frame).any()).item():
                        raise NeedsExactReading("a row needs checking")
                    good = frame
                result.rows_imported += good.height
                if sink is not None and good.height:
                    self._write(good, sink)
        if sink is not None:
            sink.write((s, p, o, None) for s, p, o in self.provenance(result, imported_at))
            result.quads = sink.count
        result.seconds = time.perf_counter() - started
        return result

    def _write(self, frame: pl.DataFrame, sink: QuadSink) -> None:
        end = sink.line_end(self.graph)
        made = self.quads(frame, end)
        if made.frame is not None:
            frame = made.frame
        if made.once:
            sink.write(self._with_graph(made.once))
        sink.write_lines(render(frame, made.lines), self.graph)
        for table, lines in made.tables:
            sink.write_lines(render(table, lines), self.graph)
        for items, uses in made.fanned:
            spread = spread_items(frame, items, [subject for subject, _p in uses])
            lines = [quad(pl.col(f"s{i}"), predicate, pl.col("item"), end) for i, (_s, predicate) in enumerate(uses)]
            sink.write_lines(render(spread, lines), self.graph)

    def _with_graph(self, triples: Iterable[Triple]):
        graph = self.graph
        return ((s, p, o, graph) for s, p, o in triples)

    def publisher_triples(self) -> list[Triple]:
        """The publisher as an agent, in the import graph (claims are attributed to it)."""
        triples = [
            (self.publisher, RDF.type, CKG.Organization),
            (self.publisher, RDFS.label, en(self.publisher_label)),
        ]
        if self.publisher_homepage:
            triples.append((self.publisher, SDO.url, URIRef(self.publisher_homepage)))
        return triples

    def provenance(self, result: ImportResult, imported_at: dt.datetime) -> list[Triple]:
        """PROV metadata about the import graph, for the default graph."""
        g, ds, act = self.graph, self.dataset, self.activity
        triples: list[Triple] = [
            (g, RDF.type, PROV.Entity),
            (g, RDFS.label, en(f"{self.publisher_label} data imported from {self.file_name}")),
            (g, PROV.wasDerivedFrom, ds),
            (g, PROV.wasGeneratedBy, act),
            (g, PROV.wasAttributedTo, CONFLICTKG_AGENT),
            (g, CKG.rowCount, Literal(result.rows_imported)),
            (g, CKG.skippedRowCount, Literal(len(result.problems))),
            (ds, RDF.type, CKG.DataSet),
            (ds, RDFS.label, en(f"{self.publisher_label}: {self.file_name}")),
            (ds, DCTERMS.publisher, self.publisher),
            (ds, CKG.fileName, Literal(self.file_name)),
            (ds, CKG.sha256, Literal(self.digest)),
            (ds, CKG.rowCount, Literal(result.rows_read)),
            (act, RDF.type, CKG.ImportActivity),
            (act, RDFS.label, en(f"conflictkg import of {self.file_name}")),
            (act, PROV.used, ds),
            (act, PROV.wasAssociatedWith, CONFLICTKG_AGENT),
            (act, PROV.endedAtTime, Literal(imported_at.isoformat(), datatype=XSD.dateTime)),
            (act, CKG.toolVersion, Literal(f"conflictkg {__version__}")),
            (CONFLICTKG_AGENT, RDF.type, PROV.Organization),
            (CONFLICTKG_AGENT, RDFS.label, en("ConflictKG project")),
            (self.publisher, RDF.type, PROV.Organization),
            (self.publisher, RDFS.label, en(self.publisher_label)),
        ]
        if self.licence is not None:
            triples.append((ds, DCTERMS.license, self.licence))
        if self.options.version:
            triples.append((ds, SDO.version, Literal(self.options.version)))
        if self.options.downloaded:
            triples.append((ds, CKG.downloadDate, date_literal(self.options.downloaded)))
        triples += self.dataset_triples()
        return triples


def duplicate_id(file_name: str, column: str, identifier: str, first: tuple[int, int], second: tuple[int, int]) -> InputError:
    """The one-line error for two rows that share an identifier (their events would be merged)."""
    return InputError(
        f"{file_name}: row {first[0]} (line {first[1]}) and row {second[0]} (line {second[1]}) have the same "
        f"{column} {identifier!r}: each row must have its own, so the file is rejected and nothing is written"
    )


def import_csv(
    importer_class: type[Importer],
    path: str | Path,
    output: str | None = None,
    strict: bool = False,
    on_bytes: Callable[[int], None] | None = None,
    options: ImportOptions | None = None,
    stdout: BinaryIO | None = None,
) -> ImportResult:
    """Import one publisher CSV file and write it to `output` (by extension; N-Quads on stdout).

    Malformed rows are skipped and listed in the result; with `strict`, any malformed row makes
    this raise an InputError listing them all, and no output is written (a file output is written
    to a temporary file that is removed; on stdout the file is checked in a first pass).
    """
    fmt = output_format(output)
    options = options or ImportOptions()
    file_name = Path(path).name
    digest = file_digest(path)
    to_stdout = output is None or output == "-"

    def reject(result: ImportResult) -> None:
        # One line, as every error of the tool: the first problems, then how many more there are.
        shown = result.problems[:3]
        more = len(result.problems) - len(shown)
        raise InputError(
            f"{file_name}: {len(result.problems)} malformed row(s), so --strict rejects the file and writes nothing: "
            + " | ".join(problem.short() for problem in shown)
            + (f" | and {more} more (without --strict they are listed and skipped)" if more else "")
        )

    mode = {"exact": False}

    def attempt(sink: QuadSink | None) -> ImportResult:
        # Fast while the file is clean; from the start again, exactly, when a row must be named.
        if not mode["exact"]:
            try:
                return importer_class(file_name, digest, options).run(path, sink, on_bytes, exact=False)
            except NeedsExactReading:
                mode["exact"] = True
                if sink is not None:
                    raise
        return importer_class(file_name, digest, options).run(path, sink, on_bytes, exact=True)

    if to_stdout:
        # A first pass, so that a rejected file (a shared id; with --strict any malformed row) leaves
        # nothing on stdout.
        checked = attempt(None)
        if strict and checked.problems:
            reject(checked)

    holder: dict[str, ImportResult] = {}

    def write(out: BinaryIO) -> None:
        sink = sink_for(fmt, out)
        result = attempt(sink)
        if strict and result.problems:
            reject(result)
        sink.close()
        result.output_format = fmt.value
        holder["result"] = result

    if to_stdout:
        out = stdout or sys.stdout.buffer
        write(out)
        out.flush()
    else:
        try:
            write_atomic(output, write)
        except NeedsExactReading:
            write_atomic(output, write)
    return holder["result"]


__all__ = [
    "ImportOptions",
    "ImportResult",
    "Importer",
    "MalformedRow",
    "Row",
    "import_csv",
]
