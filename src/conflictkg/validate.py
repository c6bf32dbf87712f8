"""Validates a data set against the shipped SHACL shapes and reports each violation readably."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .load import load_ontology, load_shapes, union_graph
from .namespaces import bind_prefixes


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One `sh:ValidationResult`, with terms kept as rdflib nodes (None where absent)."""

    focus: Node
    path: Node | None
    value: Node | None
    component: Node | None
    severity: Node | None
    shape: Node | None
    message: str = ""

    def key(self) -> tuple[str, str, str, str, str]:
        """What two validators must agree on: focus, path, value, component, severity."""
        return tuple(  # type: ignore[return-value]
            "" if term is None else term.n3() for term in (self.focus, self.path, self.value, self.component, self.severity)
        )


@dataclass
class ValidationReport:
    """Whether the data conforms, and every result."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    validator: str = "pyshacl"

    def text(self, graph: Graph | None = None) -> str:
        """A report a person can read: one block per result, focus node first."""
        if self.conforms:
            return "The data conforms to the shapes."
        nm = (graph or bind_prefixes(Graph())).namespace_manager
        lines = [f"The data does not conform to the shapes: {len(self.results)} result(s)."]
        for result in sorted(self.results, key=lambda r: (str(r.focus), str(r.path), str(r.message))):
            lines.append(f"- focus: {_short(result.focus, nm)}")
            if result.path is not None:
                lines.append(f"  path: {_short(result.path, nm)}")
            if result.value is not None:
                lines.append(f"  value: {_short(result.value, nm)}")
            lines.append(f"  message: {result.message}")
            severity = _short(result.severity, nm) if result.severity is not None else "sh:Violation"
            lines.append(f"  severity: {severity}; shape: {_short(result.shape, nm)}")
        return "\n".join(lines)


def validate(
    dataset: Dataset,
    extra_shapes: Iterable[str] = (),
    validator: str = "pyshacl",
) -> ValidationReport:
    """Validate `dataset` (with the ontology) against the shipped shapes plus `extra_shapes`."""
    shapes = load_shapes(extra_shapes)
    data = union_graph(dataset, load_ontology())
    return run_pyshacl(data, shapes)


def run_pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    """The reference validator: pySHACL with SHACL-SPARQL enabled and no inference."""
    from pyshacl import validate as pyshacl_validate

    conforms, results_graph, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return ValidationReport(bool(conforms), results_from_graph(results_graph), "pyshacl")


def results_from_graph(report: Graph) -> list[ValidationResult]:
    """The `sh:ValidationResult`s of a SHACL report graph, as sorted dataclasses."""
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        results.append(
            ValidationResult(
                focus=report.value(node, SH.focusNode),
                path=_path_term(report, report.value(node, SH.resultPath)),
                value=report.value(node, SH.value),
                component=report.value(node, SH.sourceConstraintComponent),
                severity=report.value(node, SH.resultSeverity),
                shape=report.value(node, SH.sourceShape),
                message="; ".join(messages),
            )
        )
    return sorted(results, key=lambda r: r.key())


def _path_term(report: Graph, path: Node | None) -> Node | None:
    """A predicate path as its IRI; a complex path (blank node) as a readable literal."""
    if path is None or isinstance(path, URIRef):
        return path
    triples = sorted(f"{p.n3(report.namespace_manager)} {o.n3(report.namespace_manager)}" for p, o in report.predicate_objects(path))
    return Literal(" ; ".join(triples))


def _short(term: Node | None, namespace_manager) -> str:
    if term is None:
        return "-"
    try:
        return term.n3(namespace_manager)
    except Exception:
        return str(term)
