"""Validates what an Oxigraph store holds without rdflib: SHACL Core by `shacl`, SPARQL constraints in bulk.

Why: the `shacl` package checks SHACL Core fast, but runs each SHACL-SPARQL constraint once
per focus node, and on our shapes that grows with the square of the data (10,000 synthetic
events: about 3 s for all Core constraints, about 200 s for `SubEventWithinParentShape` alone).
Here every `sh:sparql` constraint runs once over the whole store instead:

- the constraint's SELECT gets its shape's targets (`sh:targetClass C` as
  `?this rdf:type/rdfs:subClassOf* C`, and `sh:targetNode`, `sh:targetSubjectsOf`,
  `sh:targetObjectsOf`) as the first pattern of its top-level WHERE group, so `$this` (which
  *is* `?this` in SPARQL) is bound before the group's patterns and FILTERs, as pre-binding
  demands (SHACL 1.0, 5.3.1); each answer row is a violation with `?this` as focus node (and
  `?value` when projected). Constraints using `$currentShape`, `$shapesGraph`, MINUS, VALUES or
  sub-SELECTs that mention `$this`, where this rewriting is not the same as pre-binding, are
  refused rather than run wrongly.
- the shapes without their `sh:sparql` constraints go to the `shacl` package, with the store's
  data (and the ontology graph) written as N-Triples into a temporary file by pyoxigraph.

The test suite checks it against pySHACL on every broken fixture and on the built-in data.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .errors import UsageError
from .namespaces import INFERRED_GRAPH
from .sparqlbind import where_group_start

SPARQL_COMPONENT = SH.SPARQLConstraintComponent


@dataclass(frozen=True)
class Violation:
    """One result: focus node, value (if any), source shape and constraint component, as strings."""

    focus: str
    shape: str
    component: str
    value: str = ""
    message: str = ""


@dataclass
class StoreReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def split_shapes(shapes: Graph) -> tuple[Graph, list[tuple[URIRef | BNode, str, str]]]:
    """The shapes without SPARQL constraints, and each SPARQL constraint as (shape, query, message)."""
    core = Graph()
    core += shapes
    constraints = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        core.remove((shape, SH.sparql, constraint))
        if (constraint, SH.deactivated, Literal(True)) in shapes or (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise UsageError(f"SPARQL constraint of {shape} has no sh:select")
        message = str(shapes.value(constraint, SH.message) or "")
        query = _prefix_lines(shapes, constraint) + _bound_to_targets(shapes, shape, str(select))
        constraints.append((shape, query, message))
    return core, constraints


def _prefix_lines(shapes: Graph, constraint) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


_REFUSED = re.compile(r"\$currentShape|\$shapesGraph|\bMINUS\b|\bVALUES\b", re.IGNORECASE)


def _bound_to_targets(shapes: Graph, shape, select: str) -> str:
    if _REFUSED.search(select) or re.search(r"\{\s*SELECT[^}]*\$this", select, re.IGNORECASE | re.DOTALL):
        raise UsageError(f"the SPARQL constraint of {shape} cannot be run in bulk (it uses $currentShape, "
                         "$shapesGraph, MINUS, VALUES or $this in a sub-select)")
    targets = []
    for cls in shapes.objects(shape, SH.targetClass):
        targets.append(f"{{ ?this a/<{RDFS.subClassOf}>* <{cls}> }}")
    if (shape, RDF.type, RDFS.Class) in shapes:
        targets.append(f"{{ ?this a/<{RDFS.subClassOf}>* <{shape}> }}")
    for node in shapes.objects(shape, SH.targetNode):
        targets.append(f"{{ BIND(<{node}> AS ?this) }}")
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        targets.append(f"{{ ?this <{predicate}> ?targetObject }}")
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        targets.append(f"{{ ?targetSubject <{predicate}> ?this }}")
    if (shape, SH.target, None) in shapes:
        raise UsageError(f"{shape} has a SPARQL-based target; the bulk validator does not run those")
    if not targets:
        return "SELECT ?this WHERE { FILTER(false) }"
    target = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(targets) + " } }"
    position = where_group_start(select)
    return select[:position] + "\n  " + target + "\n" + select[position:]


def validate_store(store, shapes: Graph | None = None) -> StoreReport:
    """Validate every graph of a pyoxigraph Store except `kgr:inferred` (the ontology graph included)."""
    import time

    import pyoxigraph as ox
    import shacl

    from .load import load_shapes

    shapes = load_shapes() if shapes is None else shapes
    core, constraints = split_shapes(shapes)
    report = StoreReport(True)
    graphs = [ox.DefaultGraph()] + [g for g in store.named_graphs() if not (isinstance(g, ox.NamedNode) and g.value == str(INFERRED_GRAPH))]

    started = time.perf_counter()
    for shape, query, message in constraints:
        answer = store.query(query, default_graph=graphs)
        names = {v.value for v in answer.variables}
        for row in answer:
            focus = row["this"]
            if focus is None:
                continue
            value = row["value"] if "value" in names else None
            report.violations.append(Violation(_text(focus), str(shape), str(SPARQL_COMPONENT), _text(value), message))
    report.timings["sparql constraints"] = time.perf_counter() - started

    started = time.perf_counter()
    handle, path = tempfile.mkstemp(prefix="conflictkg-validate-", suffix=".nt")
    try:
        with os.fdopen(handle, "wb") as out:
            for graph in graphs:
                store.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        report.timings["write N-Triples"] = time.perf_counter() - started
        started = time.perf_counter()
        compiled = shacl.Shapes.from_text(core.serialize(format="nt"), format="ntriples")
        result = compiled.validate_file(path, inference="none", allow_warnings=False)
    finally:
        os.unlink(path)
    for item in result.results:
        report.violations.append(Violation(
            _strip(item.focus_node), _strip(item.source_shape) if item.source_shape else "", str(item.component_iri),
            _strip(item.value) if item.value is not None else "", "; ".join(sorted(item.messages or [])),
        ))
    report.timings["core constraints"] = time.perf_counter() - started
    report.conforms = not report.violations
    return report


def _text(term) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, __import__("pyoxigraph").NamedNode) else str(term)


def _strip(text) -> str:
    value = str(text)
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


__all__ = ["StoreReport", "Violation", "split_shapes", "validate_store"]
