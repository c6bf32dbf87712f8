"""Generates HTML documentation of the shipped ontology and SKOS schemes from the ontology graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from html import escape

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from conflictkg.graph.parse import load_ontology
from conflictkg.graph.namespaces import CKG, CKV, PREFIXES

PROPERTY_KINDS = (
    (OWL.ObjectProperty, "Object properties", "objprops"),
    (OWL.DatatypeProperty, "Datatype properties", "dataprops"),
    (OWL.AnnotationProperty, "Annotation properties", "annprops"),
)
CHARACTERISTICS = {
    OWL.TransitiveProperty: "transitive", OWL.SymmetricProperty: "symmetric", OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional", OWL.AsymmetricProperty: "asymmetric",
    OWL.IrreflexiveProperty: "irreflexive", OWL.ReflexiveProperty: "reflexive",
}
MATCHES = (
    (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"), (SKOS.broadMatch, "broad match"),
    (SKOS.narrowMatch, "narrow match"), (SKOS.relatedMatch, "related match"),
)
DOC_CSS = """
.term{background:#fff;border:1px solid #d8dee6;border-radius:6px;padding:8px 14px;margin:10px 0}
.term h3{margin:2px 0 4px;font-size:16px}.term .iri{font:12px ui-monospace,"DejaVu Sans Mono",monospace;color:#5b6675;word-break:break-all}
.term dl{display:grid;grid-template-columns:170px 1fr;gap:2px 12px;margin:6px 0}.term dt{color:#5b6675}.term dd{margin:0}
.toc{columns:3 260px;font-size:13px}.toc ul{margin:0;padding-left:18px}.concepts{margin:0;padding-left:20px}.concepts li{margin:4px 0}
.notation{font:12px ui-monospace,monospace;background:#eef1f5;padding:0 4px;border-radius:3px}
"""


class _Doc:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.local = {str(CKG), str(CKV)}

    def label(self, node: Node) -> str:
        for predicate in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
            values = list(self.g.objects(node, predicate))
            english = [v for v in values if isinstance(v, Literal) and (v.language or "").startswith("en")]
            if english or values:
                return str((english or values)[0])
        return self.qname(node)

    def qname(self, node: Node) -> str:
        text = str(node)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
            if text.startswith(str(namespace)) and len(text) > len(str(namespace)):
                return f"{prefix}:{text[len(str(namespace)):]}"
        return text

    def anchor(self, node: Node) -> str:
        return "t-" + "".join(c if c.isalnum() else "-" for c in self.qname(node))

    def is_ours(self, node: Node) -> bool:
        return isinstance(node, URIRef) and any(str(node).startswith(ns) for ns in self.local)

    def ref(self, node: Node) -> str:
        """A link: to the term's section when documented here, else to its IRI."""
        if isinstance(node, BNode):
            return self.describe_bnode(node)
        if isinstance(node, Literal):
            return escape(str(node))
        if self.is_ours(node) and self.documented(node):
            return f'<a href="#{self.anchor(node)}" title="{escape(str(node))}">{escape(self.qname(node))}</a>'
        href = str(node)
        if href.startswith(("http://", "https://")):
            return f'<a href="{escape(href)}">{escape(self.qname(node))}</a>'
        return escape(self.qname(node))

    def describe_bnode(self, node: BNode) -> str:
        members = list(self.g.objects(node, OWL.unionOf))
        if members:
            from rdflib.collection import Collection

            return " or ".join(self.ref(m) for m in Collection(self.g, members[0]))
        return "(anonymous)"

    def documented(self, node: Node) -> bool:
        return (node, RDF.type, None) in self.g

    def text(self, node: Node, *predicates: URIRef) -> str:
        values = []
        for predicate in predicates:
            values += [str(v) for v in self.g.objects(node, predicate) if isinstance(v, Literal)]
        return "".join(f"<p>{escape(v)}</p>" for v in values)

    def refs(self, nodes) -> str:
        items = sorted(set(nodes), key=lambda n: self.qname(n))
        return ", ".join(self.ref(n) for n in items) if items else ""


def render_ontology_body(graph: Graph | None = None) -> str:
    """The documentation as an HTML fragment: ontology metadata, classes, properties, concept schemes."""
    graph = graph if graph is not None else load_ontology()
    doc = _Doc(graph)
    parts: list[str] = []
    toc: list[str] = []
    for ontology in sorted(graph.subjects(RDF.type, OWL.Ontology), key=str):
        rows = []
        for predicate, name in ((OWL.versionIRI, "version IRI"), (OWL.versionInfo, "version"), (DCTERMS.license, "licence"),
                                (DCTERMS.created, "created"), (URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"), "prefix"),
                                (URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"), "namespace"), (RDFS.seeAlso, "see also")):
            values = list(graph.objects(ontology, predicate))
            if values:
                rows.append(f"<dt>{name}</dt><dd>{doc.refs(values)}</dd>")
        parts.append(f'<section class="term" id="{doc.anchor(ontology)}"><h2>{escape(doc.label(ontology))}</h2>'
                     f'<div class="iri">{escape(str(ontology))}</div>{doc.text(ontology, DCTERMS.description)}'
                     f'<dl>{"".join(rows)}</dl>{doc.text(ontology, RDFS.comment, SKOS.historyNote)}</section>')
    parts.append("<h2>Namespaces</h2><table class=\"claims\"><thead><tr><th>prefix</th><th>namespace</th></tr></thead><tbody>"
                 + "".join(f"<tr><td><code>{escape(p)}:</code></td><td><code>{escape(str(ns))}</code></td></tr>" for p, ns in PREFIXES.items())
                 + "</tbody></table>")

    # classes, in hierarchy order
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if doc.is_ours(c)}
    children: dict[Node | None, list[Node]] = defaultdict(list)
    for cls in classes:
        supers = [s for s in graph.objects(cls, RDFS.subClassOf) if s in classes]
        children[supers[0] if supers else None].append(cls)
    ordered: list[tuple[int, Node]] = []

    def walk(node: Node, depth: int) -> None:
        if any(node == n for _d, n in ordered):
            return
        ordered.append((depth, node))
        for child in sorted(children.get(node, []), key=doc.qname):
            walk(child, depth + 1)

    for root in sorted(children.get(None, []), key=doc.qname):
        walk(root, 0)
    class_sections = []
    for _depth, cls in ordered:
        rows = []
        supers = list(graph.objects(cls, RDFS.subClassOf))
        subs = list(graph.subjects(RDFS.subClassOf, cls))
        if supers:
            rows.append(f"<dt>subclass of</dt><dd>{doc.refs(supers)}</dd>")
        if subs:
            rows.append(f"<dt>superclass of</dt><dd>{doc.refs(subs)}</dd>")
        for predicate, name in ((OWL.equivalentClass, "equivalent to"), (OWL.disjointWith, "disjoint with")):
            values = list(graph.objects(cls, predicate))
            if values:
                rows.append(f"<dt>{name}</dt><dd>{doc.refs(values)}</dd>")
        domain = list(graph.subjects(RDFS.domain, cls))
        rng = list(graph.subjects(RDFS.range, cls))
        if domain:
            rows.append(f"<dt>in the domain of</dt><dd>{doc.refs(domain)}</dd>")
        if rng:
            rows.append(f"<dt>in the range of</dt><dd>{doc.refs(rng)}</dd>")
        class_sections.append(
            f'<div class="term" id="{doc.anchor(cls)}"><h3>{escape(doc.label(cls))} <small>({escape(doc.qname(cls))})</small></h3>'
            f'<div class="iri">{escape(str(cls))}</div>{doc.text(cls, RDFS.comment, SKOS.definition)}<dl>{"".join(rows)}</dl></div>')
    toc.append("<li><a href=\"#classes\">Classes</a><ul>" + "".join(
        f'<li style="margin-left:{d * 12}px"><a href="#{doc.anchor(c)}">{escape(doc.qname(c))}</a></li>' for d, c in ordered) + "</ul></li>")
    parts.append(f'<h2 id="classes">Classes ({len(ordered)})</h2>' + "".join(class_sections))

    for kind, heading, anchor in PROPERTY_KINDS:
        properties = sorted((p for p in graph.subjects(RDF.type, kind) if doc.is_ours(p)), key=doc.qname)
        if not properties:
            continue
        sections = []
        for prop in properties:
            rows = []
            for predicate, name in ((RDFS.subPropertyOf, "sub-property of"), (RDFS.domain, "domain"), (RDFS.range, "range"),
                                    (OWL.inverseOf, "inverse of"), (OWL.equivalentProperty, "equivalent to")):
                values = list(graph.objects(prop, predicate))
                if values:
                    rows.append(f"<dt>{name}</dt><dd>{doc.refs(values)}</dd>")
            subs = list(graph.subjects(RDFS.subPropertyOf, prop))
            if subs:
                rows.append(f"<dt>super-property of</dt><dd>{doc.refs(subs)}</dd>")
            traits = [word for cls, word in CHARACTERISTICS.items() if (prop, RDF.type, cls) in graph]
            if traits:
                rows.append(f"<dt>characteristics</dt><dd>{escape(', '.join(traits))}</dd>")
            sections.append(
                f'<div class="term" id="{doc.anchor(prop)}"><h3>{escape(doc.label(prop))} <small>({escape(doc.qname(prop))})</small></h3>'
                f'<div class="iri">{escape(str(prop))}</div>{doc.text(prop, RDFS.comment, SKOS.definition)}<dl>{"".join(rows)}</dl></div>')
        toc.append(f'<li><a href="#{anchor}">{heading}</a><ul>' + "".join(
            f'<li><a href="#{doc.anchor(p)}">{escape(doc.qname(p))}</a></li>' for p in properties) + "</ul></li>")
        parts.append(f'<h2 id="{anchor}">{heading} ({len(properties)})</h2>' + "".join(sections))

    schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=doc.qname)
    if schemes:
        scheme_parts = []
        for scheme in schemes:
            concepts = set(graph.subjects(SKOS.inScheme, scheme)) | set(graph.objects(scheme, SKOS.hasTopConcept))
            broader: dict[Node | None, list[Node]] = defaultdict(list)
            for concept in concepts:
                parents = [b for b in graph.objects(concept, SKOS.broader) if b in concepts]
                broader[parents[0] if parents else None].append(concept)

            def concept_list(parent: Node | None, seen: set, broader: dict = broader) -> str:
                items = []
                for concept in sorted(broader.get(parent, []), key=doc.label):
                    if concept in seen:
                        continue
                    seen.add(concept)
                    notation = "".join(f' <span class="notation">{escape(str(n))}</span>' for n in graph.objects(concept, SKOS.notation))
                    alt = ", ".join(str(a) for a in graph.objects(concept, SKOS.altLabel))
                    matches = "; ".join(f"{word}: {doc.refs(graph.objects(concept, predicate))}"
                                        for predicate, word in MATCHES if list(graph.objects(concept, predicate)))
                    extra = []
                    for predicate, word in ((OWL.sameAs, "same as"), (SKOS.related, "related")):
                        values = list(graph.objects(concept, predicate))
                        if values:
                            extra.append(f"{word}: {doc.refs(values)}")
                    details = "".join(f"<br><small>{x}</small>" for x in ([f"also: {escape(alt)}"] if alt else []) + ([matches] if matches else []) + extra)
                    items.append(f'<li id="{doc.anchor(concept)}"><b>{escape(doc.label(concept))}</b>{notation} '
                                 f'<code class="iri">{escape(doc.qname(concept))}</code>'
                                 f'{"".join(f"<br>{escape(str(d))}" for d in graph.objects(concept, SKOS.definition))}{details}'
                                 f'{concept_list(concept, seen)}</li>')
                return f'<ul class="concepts">{"".join(items)}</ul>' if items else ""

            scheme_parts.append(
                f'<div class="term" id="{doc.anchor(scheme)}"><h3>{escape(doc.label(scheme))} <small>({escape(doc.qname(scheme))}, {len(concepts)} concepts)</small></h3>'
                f'<div class="iri">{escape(str(scheme))}</div>{doc.text(scheme, SKOS.definition, RDFS.comment)}{concept_list(None, set())}</div>')
        toc.append('<li><a href="#schemes">Concept schemes</a><ul>' + "".join(
            f'<li><a href="#{doc.anchor(s)}">{escape(doc.label(s))}</a></li>' for s in schemes) + "</ul></li>")
        parts.append(f'<h2 id="schemes">Concept schemes ({len(schemes)})</h2>' + "".join(scheme_parts))

    external = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and not doc.is_ours(s)
                       and (s, RDF.type, OWL.Ontology) not in graph}, key=doc.qname)
    if external:
        rows = []
        for subject in external:
            statements = [f"{doc.ref(p)} {doc.ref(o)}" for p, o in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1])))
                          if p not in (RDFS.comment,)]
            rows.append(f"<li>{doc.ref(subject)}: {'; '.join(statements)}</li>")
        toc.append('<li><a href="#alignment">Axioms on other vocabularies</a></li>')
        parts.append('<h2 id="alignment">Axioms on other vocabularies</h2><ul>' + "".join(rows) + "</ul>")
    return f'<div class="toc-wrap"><h2>Contents</h2><ul class="toc">{"".join(toc)}</ul></div>' + "".join(parts)


def render_ontology_page(page: Callable[[str, str], str], graph: Graph | None = None) -> str:
    """The documentation as a page made by the report's `page(title, body)`."""
    body = render_ontology_body(graph)
    return page(
        "ConflictKG ontology and concept schemes",
        f'<header><h1>ConflictKG ontology and concept schemes</h1><p>Generated from <code>ontology/</code> by conflictkg; '
        f'<a href="index.html" style="color:#ffd9d6">back to the report</a>.</p></header>'
        f'<main><style>{DOC_CSS}</style>{body}</main>',
    )
