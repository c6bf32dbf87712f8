"""Writes events and their casualty figures in Wikidata's RDF statement model, and the same as QuickStatements for review."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from conflictkg.exchange.evidence import evidence_in
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
from conflictkg.graph.namespaces import CKG, KID, OA

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
STATED_IN, QUOTATION, REFERENCE_URL, RETRIEVED = "P248", "P1683", "P854", "P813"
INSTANCE_OF = "P31"
KIND_PROPERTY = {KILLED: DEATHS, WOUNDED: INJURED, MISSING: MISSING_PEOPLE}
# Wikidata's own model items: the unit "1" of a count, the Gregorian calendar.
UNIT_ONE = WD["Q199"]
GREGORIAN = WD["Q1985727"]
DAY, MONTH, YEAR = 11, 10, 9
WIKIDATA_SCHEMES = ("wikidata",)


@functools.lru_cache(maxsize=1)
def reviewed_ids() -> dict[str, tuple[str, str]]:
    """The reviewed mapping table data/wikidata-ids.csv: our IRI (a node, a class or a concept) ->
    (Q-id, where it was found). Only Q-ids someone has checked go there; none is ever made up."""
    from conflictkg.graph.resources import resource_file

    table = {}
    for row in csv.DictReader(io.StringIO(resource_file("data", "wikidata-ids.csv").read_text("utf-8"))):
        qid, node, found = (row.get(k, "").strip() for k in ("qid", "node", "found_at"))
        if node and qid[:1] == "Q" and qid[1:].isdigit() and found:
            table[node] = (qid, found)
    return table


def same_as(graph: Graph, node: Node) -> list[Node]:
    """`node` and every node owl:sameAs it (either way, transitively: a merge's linked cluster), sorted."""
    seen, todo = {node}, [node]
    while todo:
        current = todo.pop()
        for other in list(graph.objects(current, OWL.sameAs)) + list(graph.subjects(OWL.sameAs, current)):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return sorted(seen, key=str)


def qid_of(graph: Graph, node: Node) -> str | None:
    """The node's Wikidata Q-id: a sourced Wikidata identifier in the data (ckg:externalIdentifier with
    scheme Wikidata and prov:wasDerivedFrom), else the reviewed table, on the node or any node
    owl:sameAs it; None when neither has one."""
    members = same_as(graph, node)
    for member in members:
        for identifier in graph.objects(member, CKG.externalIdentifier):
            scheme = str(graph.value(identifier, CKG.identifierScheme) or "").strip().lower()
            value = str(graph.value(identifier, CKG.identifierValue) or "").strip()
            if scheme in WIKIDATA_SCHEMES and value[:1] == "Q" and value[1:].isdigit() and graph.value(identifier, PROV.wasDerivedFrom) is not None:
                return value
    table = reviewed_ids()
    for member in members:
        if str(member) in table:
            return table[str(member)][0]
    return None


def item_for(graph: Graph, node: Node) -> tuple[URIRef, str]:
    """(RDF item, QuickStatements item) for one of our nodes: its Wikidata item when it has a Q-id
    (`qid_of`), else a placeholder: our own IRI in RDF, {prefixed name} in QuickStatements (the
    cluster's first IRI, so that linked nodes share one placeholder)."""
    qid = qid_of(graph, node)
    if qid is not None:
        return WD[qid], qid
    first = same_as(graph, node)[0]
    return URIRef(str(first)), "{" + _short(first) + "}"


def classes_of(graph: Graph, event: Node) -> list[str]:
    """P31 values for an event item: the Q-ids the reviewed table gives its types or event-type
    concepts (and those of the nodes owl:sameAs it), else that of ckg:Event ("event")."""
    table = reviewed_ids()
    found: list[str] = []
    for member in same_as(graph, event):
        for node in sorted(set(graph.objects(member, RDF.type)) | set(graph.objects(member, CKG.eventType)), key=str):
            if str(node) in table and str(node) != str(CKG.Event) and table[str(node)][0] not in found:
                found.append(table[str(node)][0])
    return found or [table[str(CKG.Event)][0]]


def _short(node: Node) -> str:
    text = str(node)
    return "kid:" + text[len(str(KID)):] if text.startswith(str(KID)) else text


@dataclass
class Reference:
    """A Wikidata reference: stated in (a publication: the article, the data set), a quotation, the
    reference URL and the retrieval date where the data give them."""

    stated_in: Node
    quote: str = ""
    url: str = ""
    retrieved: str = ""  # YYYY-MM-DD


@dataclass
class Claim:
    """One Wikidata statement to write: property, value, reference (and the claim it comes from)."""

    property: str
    kind: str  # "item", "time", "quantity", "somevalue"
    value: object
    reference: Reference | None = None
    source: Node | None = None
    extra: dict = field(default_factory=dict)


def publication_of(graph: Graph, node: Node) -> Node | None:
    """What a statement about `node` (an event or a claim) is stated in: the article whose text the
    evidence quotes for it, else the data set it was imported from; None when neither is known."""
    articles = set(instances(graph, CKG.EncyclopediaArticle))
    for annotation in sorted(graph.subjects(OA.hasBody, node), key=str):
        for target in graph.objects(annotation, OA.hasTarget):
            for source in graph.objects(target, OA.hasSource):
                if source in articles:
                    return source
    for source in sorted(graph.objects(node, PROV.wasDerivedFrom), key=str):
        if (source, RDF.type, CKG.DataSet) in graph:
            return source
    if (node, RDF.type, CKG.Claim) in graph:
        for event in graph.objects(node, SDO.about):
            found = publication_of(graph, event)
            if found is not None:
                return found
    if len(articles) == 1 and not list(graph.objects(node, PROV.wasDerivedFrom)):
        return next(iter(articles))  # a node of the one article's graph that no quote covers
    return None


def reference_to(graph: Graph, publication: Node | None, quote: str = "") -> Reference | None:
    """A reference to the publication, with its URL (schema:url) and retrieval date (ckg:downloadDate)
    where the data record them."""
    if publication is None:
        return None
    url = graph.value(publication, SDO.url)
    retrieved = graph.value(publication, CKG.downloadDate)
    return Reference(publication, quote, str(url) if url is not None else "", str(retrieved)[:10] if retrieved is not None else "")


def statements(graph: Graph, event: Node) -> list[Claim]:
    """The statements for one event: time, places, country, participants (referenced to the
    publication that states them, quoting its words where the evidence has them), and one
    statement per casualty claim of a kind Wikidata has a property for (referenced to the
    publication the claim is read from, quoting the claim's own wording)."""
    quotes = _quotes(graph, event)
    publication = publication_of(graph, event)

    def ref(*properties: URIRef, about: Node | None = None) -> Reference | None:
        """The publication as the reference, quoting the words that support the statement: a quote
        for one of `properties` (one that names `about` if any does), else the event's own quote."""
        names = [str(n).casefold() for n in (list(graph.objects(about, RDFS.label)) + list(graph.objects(about, SKOS.altLabel)))] if about is not None else []
        candidates = [exact for prop in properties for exact in quotes.get(prop, [])]
        naming = [exact for exact in candidates if any(n in exact.casefold() for n in names)]
        chosen = (naming or candidates or quotes.get(None, []) or [""])[0]
        return reference_to(graph, publication, chosen)

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
        if graph.value(figure.claim, CKG.sourceField) is not None:
            continue  # one column of a row's breakdown (UCDP's deaths_a ...): the row's total is the statement
        stated_in = publication_of(graph, figure.claim)
        # The quotation is the source's own words: an article's; a data set's row has none (the wording is ours).
        words = "" if stated_in is not None and (stated_in, RDF.type, CKG.DataSet) in graph else figure.wording or figure.quote
        reference = reference_to(graph, stated_in, words)
        note = _unknown_because(graph, figure)
        if note:
            found.append(Claim(prop, "somevalue", None, reference, figure.claim, {"note": note}))
        else:
            found.append(Claim(prop, "quantity", _quantity(graph, figure), reference, figure.claim))
    return found


def _unknown_because(graph: Graph, figure: Figure) -> str:
    """Why a figure is written as an unknown value (Wikidata's somevalue) rather than a number: no
    number; only a lower or an upper bound (Wikidata's quantities have both bounds or none, and "over
    thirty" is not exactly 31); ACLED's 0, which ACLED records also when its sources give no figure."""
    if not figure.has_number:
        return "the source gives no number"
    if figure.high is None:
        return f"the source gives a lower bound only ({figure.low} or more)"
    if figure.low is None:
        return f"the source gives an upper bound only (at most {figure.high})"
    if figure.low == figure.high == 0 and any("records 0 also when" in str(c) for c in graph.objects(figure.claim, RDFS.comment)):
        return "ACLED's 0: ACLED records 0 also when its sources give no fatality figure"
    return ""


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


def _quantity(graph: Graph, figure: Figure) -> dict[str, object]:
    """A count with both bounds: the amount is the source's best estimate when it gives one inside
    the bounds (UCDP's best), else the whole number at or below the middle (Wikidata's counts are
    whole numbers); the bounds as given. Equal bounds: that number."""
    low, high = figure.low, figure.high
    assert low is not None and high is not None
    best = graph.value(figure.claim, CKG.bestEstimate)
    if low == high:
        return {"amount": low, "lower": low, "upper": high}
    if best is not None and low <= int(best) <= high:
        return {"amount": int(best), "lower": low, "upper": high}
    return {"amount": (low + high) // 2, "lower": low, "upper": high}


def exportable(graph: Graph) -> list[Node]:
    """Events with at least one casualty claim of a kind Wikidata has a property for."""
    return [
        e
        for e in instances(graph, CKG.Event)
        if any(f.kind in KIND_PROPERTY and not f.silent for f in casualty_figures(graph, e, tuple(KIND_PROPERTY), sub_events=False))
    ]


def items(graph: Graph) -> list[tuple[Node, list[Node]]]:
    """One item per linked cluster of exportable events (owl:sameAs, as a merge links them): the
    cluster's representative (one with a Q-id, else one an article tells of, else the first IRI) and
    its members, whose statements the item gathers."""
    done: set[Node] = set()
    found = []
    chosen = set(exportable(graph))
    for event in sorted(chosen, key=str):
        if event in done:
            continue
        members = [m for m in same_as(graph, event) if m in chosen or m == event]
        done.update(members)
        with_qid = [m for m in members if qid_of(graph, m) is not None]
        told = [m for m in members if (publication_of(graph, m), RDF.type, CKG.EncyclopediaArticle) in graph]
        found.append(((with_qid or told or members)[0], members))
    return found


def item_statements(graph: Graph, members: list[Node]) -> list[Claim]:
    """The statements of a cluster's members, each once (the same property, value and reference)."""
    found, seen = [], set()
    for member in members:
        for claim in statements(graph, member):
            value = item_for(graph, claim.value)[1] if claim.kind == "item" else repr(claim.value)
            reference = (str(claim.reference.stated_in), claim.reference.quote) if claim.reference else None
            key = (claim.property, claim.kind, value, reference, str(claim.source))
            if key not in seen:
                seen.add(key)
                found.append(claim)
    return found


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
    for event, members in items(graph):
        item, _qs = item_for(graph, event)
        out.add((item, RDF.type, WIKIBASE.Item))
        out.add((item, RDFS.label, Literal(label(graph, event), lang="en")))
        out.add((item, SDO.name, Literal(label(graph, event), lang="en")))
        for number, qid in enumerate(classes_of(graph, event) if qid_of(graph, event) is None else []):
            statement = STATEMENT[_hash(event, "class", number, qid)]
            out.add((item, P[INSTANCE_OF], statement))
            out.add((item, WDT[INSTANCE_OF], WD[qid]))
            out.add((statement, RDF.type, WIKIBASE.Statement))
            out.add((statement, WIKIBASE.rank, WIKIBASE.NormalRank))
            out.add((statement, PS[INSTANCE_OF], WD[qid]))
        for number, claim in enumerate(item_statements(graph, members)):
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
                if claim.extra.get("note"):
                    out.add((statement, RDFS.comment, Literal(f"Unknown value: {claim.extra['note']}.", lang="en")))
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
                if claim.reference.url:
                    out.add((reference, PR[REFERENCE_URL], URIRef(claim.reference.url)))
                if claim.reference.retrieved:
                    out.add((reference, PR[RETRIEVED], _rdf_time(f"+{claim.reference.retrieved}T00:00:00Z")))
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
    for event, members in items(graph):
        _item, subject = item_for(graph, event)
        if subject.startswith("{"):
            lines.append("CREATE")
            subject = "LAST"
            lines.append("\t".join((subject, "Len", _string(label(graph, event)))))
            lines += [f"{subject}\t{INSTANCE_OF}\t{qid}" for qid in classes_of(graph, event)]  # an item already on Wikidata has its own
        for claim in item_statements(graph, members):
            if claim.kind == "item":
                value = item_for(graph, claim.value)[1]  # type: ignore[arg-type]
            elif claim.kind == "time":
                time, precision = claim.value  # type: ignore[misc]
                value = f"{time}/{precision}"
            elif claim.kind == "quantity":
                quantity = claim.value  # type: ignore[assignment]
                value = _number(quantity["amount"])  # type: ignore[index]
                below, above = quantity["amount"] - quantity["lower"], quantity["upper"] - quantity["amount"]  # type: ignore[index,operator]
                if below == above and above:  # QuickStatements writes symmetric bounds only (the RDF keeps any)
                    value += "~" + _number(above)
            else:
                value = "somevalue"
            fields = [subject, claim.property, value]
            if claim.reference is not None:
                fields += ["S" + STATED_IN[1:], item_for(graph, claim.reference.stated_in)[1]]
                if claim.reference.quote:
                    fields += ["S" + QUOTATION[1:], "en:" + _string(claim.reference.quote)]
                if claim.reference.url:
                    fields += ["S" + REFERENCE_URL[1:], _string(claim.reference.url)]
                if claim.reference.retrieved:
                    fields += ["S" + RETRIEVED[1:], f"+{claim.reference.retrieved}T00:00:00Z/11"]
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
