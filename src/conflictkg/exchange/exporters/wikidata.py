"""Writes events and their casualty figures in Wikidata's RDF statement model, and the same as QuickStatements for review."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from conflictkg.exchange.evidence import evidence_in
from conflictkg.graph.namespaces import CKG, KID
from conflictkg.exchange.exporters.common import (
    KILLED,
    MISSING,
    WOUNDED,
    Figure,
    casualty_figures,
    instances,
    label,
    parties,
    when,
    where,
)

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PSV = Namespace("http://www.wikidata.org/prop/statement/value/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PR = Namespace("http://www.wikidata.org/prop/reference/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
STATEMENT = Namespace(str(KID) + "wikidata/statement/")
VALUE = Namespace(str(KID) + "wikidata/value/")
REFERENCE = Namespace(str(KID) + "wikidata/reference/")

# Wikidata's property numbers.
DEATHS, INJURED, MISSING_PEOPLE = "P1120", "P1339", "P1446"
POINT_IN_TIME, LOCATION, COUNTRY, PARTICIPANT = "P585", "P276", "P17", "P710"
STATED_IN, QUOTATION = "P248", "P1683"
KIND_PROPERTY = {KILLED: DEATHS, WOUNDED: INJURED, MISSING: MISSING_PEOPLE}
# Wikidata's own model items: the unit "1" of a count, the Gregorian calendar.
UNIT_ONE = WD["Q199"]
GREGORIAN = WD["Q1985727"]
DAY, MONTH, YEAR = 11, 10, 9
WIKIDATA_SCHEMES = ("wikidata",)


def item_for(graph: Graph, node: Node) -> tuple[URIRef, str]:
    """(RDF item, QuickStatements item) for one of our nodes: its Wikidata item when the graph has a
    sourced Wikidata identifier for it (ckg:externalIdentifier with scheme Wikidata and
    prov:wasDerivedFrom), else a placeholder: our own IRI in RDF, {prefixed name} in QuickStatements."""
    for identifier in graph.objects(node, CKG.externalIdentifier):
        scheme = str(graph.value(identifier, CKG.identifierScheme) or "").strip().lower()
        value = str(graph.value(identifier, CKG.identifierValue) or "").strip()
        if scheme in WIKIDATA_SCHEMES and value[:1] == "Q" and value[1:].isdigit() and graph.value(identifier, PROV.wasDerivedFrom) is not None:
            return WD[value], value
    return URIRef(str(node)), "{" + _short(node) + "}"


def _short(node: Node) -> str:
    text = str(node)
    return "kid:" + text[len(str(KID)):] if text.startswith(str(KID)) else text


@dataclass
class Reference:
    """A Wikidata reference: stated in (an item) and a quotation."""

    stated_in: Node
    quote: str = ""


@dataclass
class Claim:
    """One Wikidata statement to write: property, value, reference (and the claim it comes from)."""

    property: str
    kind: str  # "item", "time", "quantity", "somevalue"
    value: object
    reference: Reference | None = None
    source: Node | None = None
    extra: dict = field(default_factory=dict)


def statements(graph: Graph, event: Node) -> list[Claim]:
    """The statements for one event: time, places, country, participants (referenced to the
    article, quoting its words where the evidence has them), and one statement per casualty claim
    of a kind Wikidata has a property for (referenced to the claim's source, quoting its wording)."""
    quotes = _quotes(graph, event)
    articles = [a for a in instances(graph, CKG.EncyclopediaArticle)]
    article = articles[0] if articles else None

    def ref(*properties: URIRef, about: Node | None = None) -> Reference | None:
        """The article as the reference, quoting the words that support the statement: a quote
        for one of `properties` (one that names `about` if any does), else the event's own quote."""
        if article is None:
            return None
        names = [str(n).casefold() for n in (list(graph.objects(about, RDFS.label)) + list(graph.objects(about, SKOS.altLabel)))] if about is not None else []
        candidates = [exact for prop in properties for exact in quotes.get(prop, [])]
        naming = [exact for exact in candidates if any(n in exact.casefold() for n in names)]
        chosen = (naming or candidates or quotes.get(None, []) or [""])[0]
        return Reference(article, chosen)

    found: list[Claim] = []
    moment = when(graph, event)
    time_value = _time_value(moment)
    if time_value is not None:
        found.append(Claim(POINT_IN_TIME, "time", time_value, ref(CKG.beginDate, CKG.earliestBegin)))
    place = where(graph, event)
    for location in sorted(graph.objects(event, CKG.hasPlace), key=str):
        found.append(Claim(LOCATION, "item", location, ref(CKG.hasPlace, about=location)))
    if place.country is not None:
        found.append(Claim(COUNTRY, "item", place.country, ref(CKG.hasPlace, about=place.country)))
    for actor in parties(graph, event).all():
        found.append(Claim(PARTICIPANT, "item", actor, ref(CKG.combatant, CKG.perpetrator, CKG.target, about=actor)))
    for figure in casualty_figures(graph, event, tuple(KIND_PROPERTY), sub_events=False):
        prop = KIND_PROPERTY.get(figure.kind)
        if prop is None or figure.silent or figure.source is None:
            continue  # a silence is no value; Wikidata has no property for "wounded or missing" or "captured"
        reference = Reference(figure.source, figure.wording)
        if figure.has_number:
            found.append(Claim(prop, "quantity", _quantity(figure), reference, figure.claim))
        else:
            found.append(Claim(prop, "somevalue", None, reference, figure.claim))
    return found


def _quotes(graph: Graph, event: Node) -> dict[Node | None, list[str]]:
    """The event's evidence quotes by the property they support (None: the event as a whole)."""
    quotes: dict[Node | None, list[str]] = {}
    for item in evidence_in(graph, event):
        for prop in sorted(item.properties, key=str) if item.properties else [None]:
            quotes.setdefault(prop, []).append(item.quote.exact)
    return quotes


def _time_value(moment) -> tuple[str, int] | None:
    """(Wikidata time, precision) when the event is dated to a day, a month or a year."""
    if moment.first is None or moment.last is None:
        return None
    if moment.first == moment.last:
        return f"+{moment.first.isoformat()}T00:00:00Z", DAY
    if (moment.first.year, moment.first.month) == (moment.last.year, moment.last.month) and moment.first.day == 1:
        return f"+{moment.first.year:04d}-{moment.first.month:02d}-00T00:00:00Z", MONTH
    if moment.first.year == moment.last.year and (moment.first.month, moment.first.day) == (1, 1) and (moment.last.month, moment.last.day) == (12, 31):
        return f"+{moment.first.year:04d}-00-00T00:00:00Z", YEAR
    return None


def _quantity(figure: Figure) -> dict[str, object]:
    """Amount and bounds: both bounds -> their middle as the amount, with the bounds; one bound ->
    that number as the amount, without bounds (Wikidata has no one-sided bound; the quotation keeps
    the words, e.g. "over thirty")."""
    if figure.low is not None and figure.high is not None:
        middle = (figure.low + figure.high) / 2
        amount = int(middle) if middle == int(middle) else middle
        return {"amount": amount, "lower": figure.low, "upper": figure.high}
    return {"amount": figure.low if figure.low is not None else figure.high}


def exportable(graph: Graph) -> list[Node]:
    """Events with at least one casualty claim of a kind Wikidata has a property for."""
    return [
        e
        for e in instances(graph, CKG.Event)
        if any(f.kind in KIND_PROPERTY and not f.silent for f in casualty_figures(graph, e, tuple(KIND_PROPERTY), sub_events=False))
    ]


# --- RDF ------------------------------------------------------------------------------------------

def _hash(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def to_rdf(graph: Graph) -> Graph:
    """Wikidata's RDF statement model (p:/ps:/psv:/pq:/pr:, wikibase:Statement, QuantityValue with
    quantityAmount / quantityLowerBound / quantityUpperBound, references with stated in and quotation)."""
    out = Graph()
    for prefix, namespace in (("wd", WD), ("wdt", WDT), ("p", P), ("ps", PS), ("psv", PSV), ("pq", PQ), ("pr", PR),
                              ("wikibase", WIKIBASE), ("schema", SDO), ("kid", KID), ("statement", STATEMENT),
                              ("value", VALUE), ("reference", REFERENCE), ("prov", PROV)):
        out.bind(prefix, namespace, override=True, replace=True)
    for event in exportable(graph):
        item, _qs = item_for(graph, event)
        out.add((item, RDF.type, WIKIBASE.Item))
        out.add((item, RDFS.label, Literal(label(graph, event), lang="en")))
        out.add((item, SDO.name, Literal(label(graph, event), lang="en")))
        for number, claim in enumerate(statements(graph, event)):
            statement = STATEMENT[_hash(event, number, claim.property, claim.value, claim.source)]
            out.add((item, P[claim.property], statement))
            out.add((statement, RDF.type, WIKIBASE.Statement))
            out.add((statement, WIKIBASE.rank, WIKIBASE.NormalRank))
            if claim.kind == "item":
                target, _qs = item_for(graph, claim.value)  # type: ignore[arg-type]
                out.add((statement, PS[claim.property], target))
                out.add((item, WDT[claim.property], target))
            elif claim.kind == "time":
                time, precision = claim.value  # type: ignore[misc]
                value = VALUE[_hash("time", time, precision)]
                stamp = _rdf_time(time)
                out.add((statement, PS[claim.property], stamp))
                out.add((statement, PSV[claim.property], value))
                out.add((value, RDF.type, WIKIBASE.TimeValue))
                out.add((value, WIKIBASE.timeValue, stamp))
                out.add((value, WIKIBASE.timePrecision, Literal(precision, datatype=XSD.integer)))
                out.add((value, WIKIBASE.timeTimezone, Literal(0, datatype=XSD.integer)))
                out.add((value, WIKIBASE.timeCalendarModel, GREGORIAN))
                out.add((item, WDT[claim.property], stamp))
            elif claim.kind == "quantity":
                quantity = claim.value  # type: ignore[assignment]
                value = VALUE[_hash("quantity", sorted(quantity.items()))]  # type: ignore[union-attr]
                amount = _decimal(quantity["amount"])  # type: ignore[index]
                out.add((statement, PS[claim.property], amount))
                out.add((statement, PSV[claim.property], value))
                out.add((value, RDF.type, WIKIBASE.QuantityValue))
                out.add((value, WIKIBASE.quantityAmount, amount))
                out.add((value, WIKIBASE.quantityUnit, UNIT_ONE))
                if "lower" in quantity:  # type: ignore[operator]
                    out.add((value, WIKIBASE.quantityLowerBound, _decimal(quantity["lower"])))  # type: ignore[index]
                    out.add((value, WIKIBASE.quantityUpperBound, _decimal(quantity["upper"])))  # type: ignore[index]
            else:  # somevalue: an unknown value (Wikidata's RDF writes a blank node)
                unknown = BNode()
                out.add((statement, PS[claim.property], unknown))
            if claim.source is not None:
                out.add((statement, RDFS.seeAlso, URIRef(str(claim.source))))  # the claim it comes from, for review
            if claim.reference is not None:
                reference = REFERENCE[_hash(statement, claim.reference.stated_in, claim.reference.quote)]
                out.add((statement, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), reference))
                out.add((reference, RDF.type, WIKIBASE.Reference))
                stated, _qs = item_for(graph, claim.reference.stated_in)
                out.add((reference, PR[STATED_IN], stated))
                if claim.reference.quote:
                    out.add((reference, PR[QUOTATION], Literal(claim.reference.quote, lang="en")))
    return out


def _rdf_time(time: str) -> Literal:
    """Wikidata's RDF form of a time value: "+2023-10-00T00:00:00Z" (month precision) is written
    2023-10-01T00:00:00Z, the precision saying which part counts."""
    day_part, clock = time.lstrip("+").split("T")
    year, month, day = day_part.split("-")
    return Literal(f"{year}-{month if month != '00' else '01'}-{day if day != '00' else '01'}T{clock}", datatype=XSD.dateTime, normalize=False)


def _decimal(number: object) -> Literal:
    text = str(number)
    return Literal(("+" if not text.startswith("-") else "") + text, datatype=XSD.decimal, normalize=False)


# --- QuickStatements --------------------------------------------------------------------------------

def to_quickstatements(graph: Graph) -> str:
    """The same statements as QuickStatements (version 1, tab-separated), for review before upload.
    Items without a sourced Wikidata identifier are placeholders written {kid:...}: find or create
    each item and put its Q-number there before running the batch."""
    lines: list[str] = []
    for event in exportable(graph):
        _item, subject = item_for(graph, event)
        if subject.startswith("{"):
            lines.append("CREATE")
            subject = "LAST"
            lines.append("\t".join((subject, "Len", _string(label(graph, event)))))
        for claim in statements(graph, event):
            if claim.kind == "item":
                value = item_for(graph, claim.value)[1]  # type: ignore[arg-type]
            elif claim.kind == "time":
                time, precision = claim.value  # type: ignore[misc]
                value = f"{time}/{precision}"
            elif claim.kind == "quantity":
                quantity = claim.value  # type: ignore[assignment]
                value = _number(quantity["amount"])  # type: ignore[index]
                if "lower" in quantity:  # type: ignore[operator]
                    value += "~" + _number(quantity["upper"] - quantity["amount"])  # type: ignore[index,operator]
            else:
                value = "somevalue"
            fields = [subject, claim.property, value]
            if claim.reference is not None:
                fields += ["S" + STATED_IN[1:], item_for(graph, claim.reference.stated_in)[1]]
                if claim.reference.quote:
                    fields += ["S" + QUOTATION[1:], "en:" + _string(claim.reference.quote)]
            lines.append("\t".join(fields))
    return "\n".join(lines) + ("\n" if lines else "")


def _string(text: str) -> str:
    """A QuickStatements string: in double quotes, which it cannot escape (they become single quotes)."""
    return '"' + " ".join(text.replace('"', "'").split()) + '"'


def _number(number: object) -> str:
    if isinstance(number, float) and number == int(number):
        number = int(number)
    return str(number)


def export_rdf(graph: Graph, rdflib_format: str = "turtle") -> bytes:
    return to_rdf(graph).serialize(format=rdflib_format, encoding="utf-8")


def export_quickstatements(graph: Graph) -> bytes:
    return to_quickstatements(graph).encode("utf-8")


__all__ = ["export_quickstatements", "export_rdf", "exportable", "item_for", "statements", "to_quickstatements", "to_rdf"]
