"""Serialises a data set as Turtle, N-Triples, N-Quads, TriG, RDF/XML or (framed) JSON-LD.

Output is deterministic: blank nodes get canonical labels and triples are written in a fixed
order (see `conflictkg.graph.canonical`), and N-Triples / N-Quads lines are sorted, so that the same
data gives the same bytes on every run and diffs of exported data are meaningful.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rdflib import BNode, Dataset, Graph

from conflictkg.errors import UsageError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.parse import new_dataset
from conflictkg.graph.namespaces import bind_prefixes
from conflictkg.graph.resources import resource_file

CONTEXT_FILE = "context.jsonld"
FRAMES = {"event": "frame-event.jsonld"}


def serialize(dataset: Dataset, fmt: RdfFormat) -> bytes:
    """`dataset` in `fmt`; formats without named graphs get the union of all graphs.

    The same data always gives the same bytes (canonical blank-node labels, fixed order).
    """
    if fmt is RdfFormat.JSONLD:
        return serialize_jsonld(dataset)
    if fmt in (RdfFormat.NQUADS, RdfFormat.NTRIPLES):
        return _serialize_lines(dataset, with_graphs=fmt is RdfFormat.NQUADS)
    if fmt is RdfFormat.RDFXML:
        _check_xml_can_hold(dataset)
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) and blank_nesting_depth(dataset) > DEEPEST_NESTING:
        return _serialize_flat(dataset, fmt)
    if fmt is RdfFormat.TRIG:
        data = _serialize_trig(canonical_dataset(dataset))
    elif fmt.has_graphs:
        data = canonical_dataset(dataset).serialize(format=fmt.rdflib_name, encoding="utf-8")
    else:
        data = canonical_union(dataset).serialize(format=fmt.rdflib_name, encoding="utf-8")
    return data


# rdflib's Turtle and TriG writers put a blank node that is the object of one statement inside
# its subject's [ ... ], one recursion per level: a chain of 250 such nodes exhausts Python's stack
# and the cost grows about as n^2.5. Deeper nesting is written flat (_:labels) by Oxigraph's writer.
DEEPEST_NESTING = 64


def blank_nesting_depth(dataset: Dataset) -> int:
    """The longest chain of blank nodes each the object of exactly one statement of its graph
    (how deep rdflib's Turtle writer would nest them); a ring counts its whole length."""
    uses: dict[tuple, int] = {}
    parent: dict[tuple, tuple] = {}
    for s, _p, o, g in dataset.quads((None, None, None, None)):
        if isinstance(o, BNode):
            key = (g, o)
            uses[key] = uses.get(key, 0) + 1
            if isinstance(s, BNode):
                parent[key] = (g, s)
    depth: dict[tuple, int] = {}
    for start in uses:
        path, on_path, node = [], set(), start
        while node in uses and uses[node] == 1 and node not in depth and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent.get(node)
        if node in on_path:  # a ring (and whatever leads into it): its whole length
            depth.update((member, len(path)) for member in path)
            continue
        base = depth.get(node, 0)
        for index, member in enumerate(reversed(path)):
            depth[member] = base + index + 1
    return max(depth.values(), default=0)


def _serialize_flat(dataset: Dataset, fmt: RdfFormat) -> bytes:
    """Turtle or TriG with canonical labels and sorted statements, written by Oxigraph (no nesting)."""
    from conflictkg.graph.canonical import canonical_quads
    from conflictkg.graph.oxigraph import write_statements

    quads = dataset.quads((None, None, None, None))
    if not fmt.has_graphs:
        quads = ((s, p, o, None) for s, p, o, _g in quads)
    prefixes = {prefix: str(namespace) for prefix, namespace in sorted(_with_namespaces_of(new_dataset(), dataset).namespaces()) if prefix}
    return write_statements(canonical_quads(quads), fmt, prefixes)


def canonical_dataset(dataset: Dataset) -> Dataset:
    """A copy of `dataset` with canonically labelled blank nodes, its quads added in sorted order."""
    from conflictkg.graph.canonical import canonical_quads

    result = _with_namespaces_of(new_dataset(), dataset)
    graphs: dict = {None: result.default_graph}
    for s, p, o, g in canonical_quads(dataset.quads((None, None, None, None))):
        if g not in graphs:
            graphs[g] = result.graph(g)
        graphs[g].add((s, p, o))
    return result


def canonical_union(dataset: Dataset) -> Graph:
    """The union of `dataset`'s graphs, with canonically labelled blank nodes, in sorted order."""
    from conflictkg.graph.canonical import canonical_quads

    result = _with_namespaces_of(bind_prefixes(Graph(store="SimpleMemory")), dataset)
    for s, p, o, _g in canonical_quads((s, p, o, None) for s, p, o, _g in dataset.quads((None, None, None, None))):
        result.add((s, p, o))
    return result


def _with_namespaces_of(target, source):
    ours = {prefix for prefix, _ in target.namespaces()}
    for prefix, namespace in sorted(source.namespaces()):
        if prefix not in ours:
            target.bind(prefix, namespace, override=False)
    return target


_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_UCHAR = re.compile("[\x00-\x1f\x7f\"\\\\]")
_UCHAR_LINES = re.compile("[\x00-\x1f\x7f\"\\\\\x85\u2028\u2029]")


def nt_literal(literal, for_line_splitters: bool = False) -> str:
    """A literal as canonical N-Triples writes it (RDFC-1.0: \\b \\t \\n \\f \\r \\" \\\\ as
    ECHAR, other control characters as \\uXXXX; no datatype for xsd:string)."""
    pattern = _UCHAR_LINES if for_line_splitters else _UCHAR
    body = pattern.sub(lambda m: _ECHAR.get(m.group(0)) or f"\\u{ord(m.group(0)):04X}", str(literal))
    if literal.language:
        return f'"{body}"@{literal.language}'
    if literal.datatype is not None and str(literal.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{body}"^^<{literal.datatype}>'
    return f'"{body}"'


# Characters XML 1.0 cannot hold at all (rdflib would write a file no XML parser reads back).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _check_xml_can_hold(dataset: Dataset) -> None:
    for quad in dataset.quads((None, None, None, None)):
        for term in quad[:3]:
            found = _NOT_XML.search(str(term))
            if found:
                raise UsageError(
                    f"RDF/XML cannot hold the character U+{ord(found.group(0)):04X} in {term.n3()[:80]}; "
                    "export as Turtle, N-Triples, N-Quads, TriG or JSON-LD instead"
                )


def _serialize_trig(dataset: Dataset) -> bytes:
    """TriG with the graphs in a fixed order (rdflib's own order follows a set's)."""
    from io import BytesIO

    from rdflib.plugins.serializers.trig import TrigSerializer

    serializer = TrigSerializer(dataset)
    serializer.contexts.sort(key=lambda graph: (graph.identifier != dataset.default_graph.identifier, graph.identifier.n3()))
    out = BytesIO()
    serializer.serialize(out, encoding="utf-8")
    return out.getvalue()


def _serialize_lines(dataset: Dataset, with_graphs: bool, for_line_splitters: bool = False) -> bytes:
    """N-Quads (or, without graph names, N-Triples): one line per statement, lines sorted.

    Literals are escaped as canonical N-Quads (RDFC-1.0) escapes them; `for_line_splitters`
    also escapes U+0085, U+2028 and U+2029, which Python's `str.splitlines` takes for line ends.
    """
    from rdflib import Literal

    from conflictkg.graph.canonical import canonical_quads

    texts: dict = {}

    def text(term) -> str:
        found = texts.get(term)
        if found is None:
            found = texts[term] = nt_literal(term, for_line_splitters) if isinstance(term, Literal) else term.n3()
        return found

    quads = dataset.quads((None, None, None, None))
    if not with_graphs:
        quads = ((s, p, o, None) for s, p, o, _g in quads)
    lines = set()
    for s, p, o, g in canonical_quads(quads, ordered=False):
        graph = f" {text(g)}" if g is not None else ""
        lines.add(f"{text(s)} {text(p)} {text(o)}{graph} .\n".encode("utf-8"))
    return b"".join(sorted(lines))


def jsonld_context() -> dict[str, Any]:
    """The shipped JSON-LD context (`ontology/context.jsonld`) as a dict."""
    document = json.loads(resource_file("ontology", CONTEXT_FILE).read_text("utf-8"))
    return document.get("@context", document)


def serialize_jsonld(dataset: Dataset) -> bytes:
    """JSON-LD compacted with the shipped context; named graphs stay named graphs."""
    # pyld, not rdflib's serializer: rdflib 7.6 drops a "" literal that shares a property with an
    # IRI value (found by tests/graph/test_properties.py). The input is our sorted, canonical N-Quads.
    from pyld import jsonld

    context = jsonld_context()
    expanded = jsonld.from_rdf(_pyld_dataset(dataset))
    compacted = jsonld.compact(expanded, {"@context": context}, {"documentLoader": _refuse_remote_documents})
    return stable_json(compacted, _list_keys(context))


def _pyld_dataset(dataset: Dataset) -> dict[str, list[dict]]:
    """The data set as pyld's in-memory RDF data set (no N-Quads text: pyld's N-Quads reader
    splits lines with `str.splitlines` and does not read \\u escapes)."""
    from rdflib import BNode, Literal

    from conflictkg.graph.canonical import canonical_quads

    def term(node) -> dict[str, str]:
        if isinstance(node, BNode):
            return {"type": "blank node", "value": f"_:{node}"}
        if isinstance(node, Literal):
            if node.language:
                return {"type": "literal", "value": str(node), "datatype": str(RDF_LANGSTRING), "language": node.language}
            return {"type": "literal", "value": str(node), "datatype": str(node.datatype or XSD_STRING)}
        return {"type": "IRI", "value": str(node)}

    graphs: dict[str, list[dict]] = {}
    for s, p, o, g in canonical_quads(dataset.quads((None, None, None, None))):
        name = "@default" if g is None else (f"_:{g}" if isinstance(g, BNode) else str(g))
        graphs.setdefault(name, []).append({"subject": term(s), "predicate": term(p), "object": term(o)})
    return graphs


RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def stable_json(document: Any, list_keys: frozenset[str] = frozenset({"@list"})) -> bytes:
    """JSON-LD text in a fixed order: keys sorted, and arrays sorted too, as JSON-LD arrays are
    unordered sets, except the members of a list (`list_keys`) and the `@context` (left as is)."""

    def order(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: (v if k == "@context" else order(v, k)) for k, v in value.items()}
        if isinstance(value, list):
            items = [order(item) for item in value]
            if key in list_keys:
                return items
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
        return value

    return (json.dumps(order(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _list_keys(context: dict[str, Any]) -> frozenset[str]:
    """"@list", its aliases, and the terms whose container is @list, in a JSON-LD context."""
    keys = {"@list"}
    for term, definition in context.items():
        if definition == "@list":
            keys.add(term)
        elif isinstance(definition, dict):
            container = definition.get("@container")
            if container == "@list" or (isinstance(container, list) and "@list" in container):
                keys.add(term)
    return frozenset(keys)


def serialize_framed(dataset: Dataset, frame_name: str) -> bytes:
    """One nested JSON-LD document per framed node, using a frame shipped in `ontology/`."""
    from pyld import jsonld

    if frame_name not in FRAMES:
        raise UsageError(f"no frame named {frame_name!r}; known: {', '.join(sorted(FRAMES))}")
    frame = json.loads(resource_file("ontology", FRAMES[frame_name]).read_text("utf-8"))
    frame["@context"] = jsonld_context()  # the file names context.jsonld; pyld must not fetch it
    expanded = json.loads(canonical_union(dataset).serialize(format="json-ld"))
    framed = jsonld.frame(expanded, frame, options={"documentLoader": _refuse_remote_documents})
    return (json.dumps(framed, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _refuse_remote_documents(url: str, options: dict | None = None) -> dict:
    raise UsageError(f"refusing to fetch the remote JSON-LD document {url}")
