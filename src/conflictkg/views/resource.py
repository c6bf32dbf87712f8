"""Writes the local page of one resource for `conflictkg serve`: its statements, mentions, claims, links and evidence.

The query page links every IRI here (`/resource?iri=...`) instead of out to w3id.org, so the graph
can be browsed with no internet. Names are written with the prefixes the endpoint knows
(`display_prefixes`), so each one can be pasted into a query.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDFS, SKOS
from rdflib.term import Node

from conflictkg.errors import UsageError
from conflictkg.graph.namespaces import CKG, SCHEMA
from conflictkg.queries.tables import cell_text
from conflictkg.stores.base import display_namespaces, display_prefixes

MAX_ROWS = 500
LINK_PROPERTIES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)

PAGE_CSS = """
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2733;background:#fbfbfc}
header{background:#1d2733;color:#fff;padding:12px 20px}header a{color:#cfe3ff}header h1{margin:0;font-size:20px;overflow-wrap:anywhere}
main{padding:8px 20px 30px;max-width:1100px}h2{font-size:16px;border-bottom:2px solid #1d2733;padding-bottom:3px;margin-top:22px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}td,th{border-top:1px solid #d8dee6;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef1f5}code{font-size:12.5px;overflow-wrap:anywhere}.muted{color:#5b6675}.quote{font-style:italic}.graph{color:#5b6675;font-size:12px}
"""


def resolve(dataset: Dataset, name: str) -> URIRef:
    """An IRI from `name`: a full IRI, `<IRI>`, or a prefixed name with a prefix the endpoint knows."""
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if "://" in text or text.startswith("urn:"):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    prefixes = display_prefixes()
    if sep and prefix in prefixes:
        return URIRef(prefixes[prefix] + local.replace("\\", ""))
    raise UsageError(f"{name!r} is not an IRI or a prefixed name with a known prefix ({', '.join(sorted(prefixes))})")


def resource_href(iri: str) -> str:
    """The local page of a resource."""
    return "/resource?iri=" + quote(iri, safe="")


def render_resource(dataset: Dataset, iri: URIRef) -> str:
    """The HTML page of `iri`: what it says, who mentions it, the claims about it and where they come from."""
    names = display_namespaces()

    def name(node: Node) -> str:
        if isinstance(node, URIRef):
            return f'<a href="{escape(resource_href(str(node)))}"><code>{escape(cell_text(node, names))}</code></a>'
        if isinstance(node, BNode):
            return f"<code>_:{escape(str(node))}</code>"
        if isinstance(node, Literal):
            extra = f"@{node.language}" if node.language else ""
            return escape(str(node)) + (f' <span class="muted">{escape(extra)}</span>' if extra else "")
        return escape(str(node))

    def graph_name(graph: Node) -> str:
        return f'<span class="graph">{escape(cell_text(graph, names))}</span>' if isinstance(graph, URIRef) else ""

    outgoing = sorted(dataset.quads((iri, None, None, None)), key=lambda q: (str(q[1]), str(q[2])))
    incoming = sorted(dataset.quads((None, None, iri, None)), key=lambda q: (str(q[1]), str(q[0])))
    if not outgoing and not incoming:
        raise LookupError(f"the graph says nothing about {iri}")
    label = next((str(o) for _s, _p, o, _g in outgoing if _p in (RDFS.label, SKOS.prefLabel)), "")
    pasted = cell_text(iri, names)
    parts = [(f"<header><h1>{escape(label or pasted)}</h1><p><code>{escape(pasted)}</code> · "
              f'<a href="/?query={quote(f"DESCRIBE {pasted}", safe="")}">query it</a> · <a href="/">query page</a> · '
              f'<a href="/ontology">ontology</a></p></header><main>')]

    rows = "".join(f"<tr><td>{name(p)}</td><td>{name(o)}</td><td>{graph_name(g)}</td></tr>" for _s, p, o, g in outgoing[:MAX_ROWS])
    parts.append(f"<h2>Statements ({len(outgoing)})</h2><table><tr><th>property</th><th>value</th><th>graph</th></tr>{rows}</table>")

    links = []
    for prop in LINK_PROPERTIES:
        for other in set(dataset.objects(iri, prop)) | set(dataset.subjects(prop, iri)):
            links.append((prop, other))
    if links:
        items = []
        for prop, other in sorted(links, key=lambda item: (str(item[0]), str(item[1]))):
            why = _explanations(dataset, iri, other)
            verdict = "the same" if prop == OWL.sameAs else "possibly the same" if prop == SKOS.closeMatch else "matches"
            items.append(f"<tr><td>{verdict} ({name(prop)})</td><td>{name(other)}</td><td>{why}</td></tr>")
        parts.append("<h2>Linked by the merge</h2><table><tr><th>link</th><th>other</th><th>why</th></tr>" + "".join(items) + "</table>")

    claims = sorted(set(dataset.subjects(SCHEMA.about, iri)), key=str)
    if claims:
        items = []
        for claim in claims[:MAX_ROWS]:
            source = next(iter(dataset.objects(claim, URIRef("http://www.w3.org/ns/prov#wasAttributedTo"))), None)
            wording = next(iter(dataset.objects(claim, CKG.wording)), None)
            low = next(iter(dataset.objects(claim, SCHEMA.minValue)), None)
            high = next(iter(dataset.objects(claim, SCHEMA.maxValue)), None)
            figure = "" if low is None and high is None else f"{low if low is not None else '?'}–{high if high is not None else '…'}"
            items.append(f"<tr><td>{name(claim)}</td><td>{name(source) if source is not None else ''}</td>"
                         f"<td class=\"quote\">{escape(str(wording or ''))}</td><td>{escape(figure)}</td></tr>")
        parts.append(f"<h2>Claims about it ({len(claims)})</h2><table><tr><th>claim</th><th>source</th><th>wording</th><th>figure</th></tr>"
                     + "".join(items) + "</table>")

    parts.append(_evidence_section(dataset, iri, name))

    rows = "".join(f"<tr><td>{name(s)}</td><td>{name(p)}</td><td>{graph_name(g)}</td></tr>" for s, p, _o, g in incoming[:MAX_ROWS])
    parts.append(f"<h2>Mentioned by ({len(incoming)})</h2><table><tr><th>subject</th><th>property</th><th>graph</th></tr>{rows}</table>")
    if len(outgoing) > MAX_ROWS or len(incoming) > MAX_ROWS:
        parts.append(f'<p class="muted">Only the first {MAX_ROWS} rows of each table are shown; query for the rest.</p>')
    parts.append("</main>")
    title = escape(label or pasted)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{PAGE_CSS}</style></head><body>{''.join(parts)}</body></html>\n")


def _explanations(dataset: Dataset, one: Node, other: Node) -> str:
    """The merge's reasons for linking `one` and `other` (ckg:MatchExplanation), as HTML."""
    found = []
    for explanation in set(dataset.subjects(CKG.matchSubject, one)) | set(dataset.subjects(CKG.matchSubject, other)):
        ends = set(dataset.objects(explanation, CKG.matchSubject)) | set(dataset.objects(explanation, CKG.matchObject))
        if {one, other} <= ends:
            score = next(iter(dataset.objects(explanation, CKG.matchScore)), None)
            fields = sorted(str(f) for f in dataset.objects(explanation, CKG.comparedField))
            head = f"score {score}" if score is not None else ""
            found.append(escape(head) + "".join(f"<br>{escape(f)}" for f in fields))
    return "".join(found) or '<span class="muted">no explanation recorded</span>'


def _evidence_section(dataset: Dataset, iri: URIRef, name) -> str:
    """The sentence of the article behind each statement, where the graph records one."""
    from conflictkg.exchange.evidence import node_evidence

    try:
        found = node_evidence(dataset, iri)
    except (UsageError, LookupError, ValueError):
        return ""
    rows = []
    for statement in found.statements:
        for quoted in statement.quotes:
            sentence = quoted.sentence or quoted.evidence.quote.exact
            rows.append(f"<tr><td>{name(statement.predicate)}</td><td>{name(statement.object)}</td>"
                        f"<td class=\"quote\">{escape(sentence)}</td><td>{escape(quoted.section or '')}</td></tr>")
        for rule in statement.derived_by:
            rows.append(f"<tr><td>{name(statement.predicate)}</td><td>{name(statement.object)}</td>"
                        f"<td>derived by rule {name(rule)}</td><td></td></tr>")
    if not rows:
        return ""
    return ("<h2>Evidence</h2><table><tr><th>property</th><th>value</th><th>from the article</th><th>where</th></tr>"
            + "".join(rows[:MAX_ROWS]) + "</table>")


__all__ = ["render_resource", "resolve", "resource_href"]
