"""The bridge to pyoxigraph for the graph layer: terms, quads and results converted to and from rdflib, and its fast parser, writer and RDFC-1.0."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import bind_prefixes

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)

OX_FORMATS = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
    RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
}


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(_bnode_id(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def to_ox_graph(graph_name: Node | None) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    """The pyoxigraph graph name for an rdflib graph identifier (rdflib's default graph -> DefaultGraph)."""
    if graph_name is None or graph_name == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    return to_ox(graph_name)  # type: ignore[return-value]


def from_ox(term) -> Node | None:
    """The rdflib term for a pyoxigraph term (None stays None; xsd:string literals become plain)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def _bnode_id(value: str) -> str:
    return value if value.replace("_", "").isalnum() else "b" + value.encode("utf-8").hex()


def dataset_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """Every quad of an rdflib data set as pyoxigraph quads (rdflib's default graph -> DefaultGraph)."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph_name = g.identifier if isinstance(g, Graph) else g
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox_graph(graph_name))


def graph_quads(graph: Graph, graph_name: Node | None) -> Iterator[ox.Quad]:
    """Every triple of an rdflib graph as a pyoxigraph quad in `graph_name`."""
    target = to_ox_graph(graph_name)
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), target)


def store_from_dataset(dataset: Dataset, store: ox.Store | None = None) -> ox.Store:
    """A pyoxigraph store (new and in memory unless given) holding every quad of `dataset`."""
    store = ox.Store() if store is None else store
    store.extend(dataset_quads(dataset))
    return store


def dataset_from_quads(quads: Iterable[ox.Quad], dataset: Dataset | None = None) -> Dataset:
    """An rdflib data set (our usual kind: default graph = union) holding the given quads."""
    dataset = bind_prefixes(Dataset(default_union=True)) if dataset is None else dataset
    graphs: dict[object, Graph] = {}

    def graph_for(name) -> Graph:
        key = name.value if not isinstance(name, ox.DefaultGraph) else None
        if key not in graphs:
            graphs[key] = dataset.default_graph if key is None else dataset.graph(from_ox(name))
        return graphs[key]

    for quad in quads:
        graph_for(quad.graph_name).add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return dataset


def result_from_ox(answer) -> Result:
    """An rdflib query Result for a pyoxigraph answer (solutions, boolean or triples)."""
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    if isinstance(answer, ox.QueryTriples):
        result = Result("CONSTRUCT")
        graph = Graph()
        for triple in answer:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        result.graph = graph
        return result
    names = [variable.value for variable in answer.variables]
    variables = [Variable(name) for name in names]
    result = Result("SELECT")
    result.vars = variables
    rows = []
    for solution in answer:
        row = {}
        for index, variable in enumerate(variables):
            value = solution[index]
            if value is not None:
                row[variable] = from_ox(value)
        rows.append(row)
    result.bindings = rows
    return result


# --- parsing, writing and canonical labels with pyoxigraph's own code


def first_syntax_error(text: str, fmt: RdfFormat) -> tuple[int, int, str] | None:
    """Line, column and reason of the first syntax error Oxigraph's parser finds, if it finds one."""
    formats = {
        RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
        RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
        RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
        RdfFormat.TRIG: ox.RdfFormat.TRIG,
        RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
    }
    if fmt not in formats:
        return None
    try:
        for _quad in ox.parse(text.encode("utf-8"), formats[fmt], base_iri="https://relative-iri.invalid/"):
            pass
    except SyntaxError as error:
        why = str(error.msg).split(": ", 1)[-1] if error.msg else "bad syntax"
        return int(error.lineno or 1), int(error.offset or 1), why
    except Exception:
        return None
    return None


def parse_into_dataset(data: bytes, fmt: RdfFormat, dataset: Dataset, base_iri: str | None = None) -> None:
    """Add what Oxigraph's parser reads from `data` to an rdflib data set (triples into its default
    graph, quads into theirs), with fresh blank nodes for this document. Oxigraph's N-Triples and
    N-Quads readers take linear time on long lines, where rdflib's take quadratic time (a 10 MB
    literal: over 200 s). Raises SyntaxError as `ox.parse` does."""
    import re

    blanks: dict[str, BNode] = {}
    graphs: dict[object, Graph] = {}
    # Oxigraph lowercases language tags; rdflib (and our writers) keep them as written
    written = {tag.lower(): tag for tag in set(re.findall(rb'"@([A-Za-z]+(?:-[A-Za-z0-9]+)*)', data))}
    languages = {lower.decode(): tag.decode() for lower, tag in written.items() if lower != tag}

    def term(value) -> Node:
        if isinstance(value, ox.BlankNode):
            found = blanks.get(value.value)
            if found is None:
                found = blanks[value.value] = BNode()
            return found
        if languages and isinstance(value, ox.Literal) and value.language in languages:
            return Literal(value.value, lang=languages[value.language])
        return from_ox(value)  # type: ignore[return-value]

    def graph_for(name) -> Graph:
        key = None if isinstance(name, ox.DefaultGraph) else name
        graph = graphs.get(key)
        if graph is None:
            graph = graphs[key] = dataset.default_graph if key is None else dataset.graph(term(name))
        return graph

    for quad in ox.parse(data, OX_FORMATS[fmt], base_iri=base_iri):
        graph_name = getattr(quad, "graph_name", None)
        target = dataset.default_graph if graph_name is None else graph_for(graph_name)
        target.add((term(quad.subject), term(quad.predicate), term(quad.object)))


def rdfc_relabel(quads: list[tuple]) -> list[tuple] | None:
    """The quads relabelled by Oxigraph's RDFC-1.0, or None if Oxigraph cannot hold a term."""
    forward: dict[Node, object] = {}
    back: dict[object, Node] = {}
    blank_count = 0

    def to_ox(term: Node | None):
        nonlocal blank_count
        if term is None:
            return ox.DefaultGraph()
        found = forward.get(term)
        if found is not None:
            return found
        if isinstance(term, BNode):
            blank_count += 1
            made = ox.BlankNode(f"b{blank_count}")
        elif isinstance(term, URIRef):
            made = ox.NamedNode(str(term))
        elif isinstance(term, Literal):
            if term.language:
                made = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                made = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                made = ox.Literal(str(term))
        else:
            raise ValueError(f"unexpected term {term!r}")
        forward[term] = made
        back.setdefault(made, term)
        return made

    try:
        dataset = ox.Dataset(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads)
    except (ValueError, TypeError):
        return None
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def to_rdflib(term) -> Node | None:
        if isinstance(term, ox.DefaultGraph):
            return None
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        return back[term]

    return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name)) for q in dataset]  # type: ignore[misc]


def convert(data: bytes, has_graphs: bool, target: BinaryIO, fmt: RdfFormat, prefixes: dict[str, str] | None = None) -> None:
    """Write N-Quads (or N-Triples) `data` to `target` in `fmt` with pyoxigraph's parser and writer."""
    source = ox.RdfFormat.N_QUADS if has_graphs else ox.RdfFormat.N_TRIPLES
    ox.serialize(ox.parse(data, source), target, OX_FORMATS[fmt], prefixes=prefixes)


def write_statements(quads: Iterable[tuple], fmt: RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """rdflib quads (graph None = default graph) in `fmt` by Oxigraph's writer, in the order given;
    formats without graphs get the triples."""
    if fmt.has_graphs:
        statements = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox_graph(g)) for s, p, o, g in quads)
    else:
        statements = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _g in quads)
    return ox.serialize(statements, None, OX_FORMATS[fmt], prefixes=prefixes)


def load_ntriples(store, source, graph, lenient: bool = False) -> None:
    """Add N-Triples (bytes, or a file's path) to `graph` of a pyoxigraph store with its bulk
    loader, keeping blank nodes what they are: the loaders give every blank node of a load a new
    name, so a claim that is a blank node, copied out or named in a rule's answer, would no longer
    be the database's node. Text holding "_:" therefore goes in through the parser (which keeps
    the names) one triple at a time; slower, and only where there are blank nodes (or those
    characters in a literal). `lenient`: the bulk loader's (skips some checks of terms)."""
    import mmap
    import os

    if isinstance(source, bytes):
        if not source:
            return
        blank = source.find(b"_:") >= 0
    else:
        if not os.path.getsize(source):
            return
        with open(source, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            blank = data.find(b"_:") >= 0
    if not blank:
        if isinstance(source, bytes):
            store.bulk_load(source, ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=lenient)
        else:
            store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=lenient)
        return
    parsed = ox.parse(source, ox.RdfFormat.N_TRIPLES) if isinstance(source, bytes) else ox.parse(
        path=str(source), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)


def load_ntriples_in_pieces(store, file, graph, piece_bytes: int, lenient: bool = False) -> None:
    """`load_ntriples` of an open binary N-Triples file from where it stands, in pieces of at most
    `piece_bytes` each ending at the end of a line: the bulk loader holds a whole piece in memory."""
    while piece := file.read(piece_bytes):
        piece += file.readline()  # to the end of the line
        load_ntriples(store, piece, graph, lenient)
