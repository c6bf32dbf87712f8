"""SHACL Core checked as SPARQL queries: one SELECT per (shape, component), run where the data is.

Why: on a SPARQL server (`--store sparql:URL`) the compiled `shacl` validator needs every graph
streamed to it and holds them all: a copy of the store. Here each constraint component of each
shape becomes one SELECT returning the focus nodes (`?this`) and values (`?value`) that break it,
answered by the server; only the violations come back. The queries read alike on a pyoxigraph
Store, which is how the tests compare them with the compiled validator (`validate_store`).

Targets: `sh:targetClass` (through `rdfs:subClassOf*`), implicit class targets, `sh:targetNode`
(also the lists `oxigraph_shapes._resolve_sparql_targets` makes of SPARQL-based targets),
`sh:targetSubjectsOf`, `sh:targetObjectsOf`; property shapes get the targets of every node shape
that names them with `sh:property`. Paths: predicate, inverse, sequence, alternative,
zero-or-more, one-or-more, zero-or-one, written as SPARQL property paths.

Components: class, datatype (with the lexical form checked by a cast for the XSD types SPARQL
can cast to), nodeKind, minCount, maxCount, in, hasValue, pattern, minLength, maxLength,
min/maxInclusive, min/maxExclusive, languageIn, uniqueLang, equals, disjoint, lessThan,
lessThanOrEquals, closed, and node/or/and/not/xone over shapes made of value constraints
(no paths). A SPARQL-based target the store could not list as sh:targetNode runs as a
sub-select. Anything else (sh:qualifiedValueShape, a nested shape with a path, a custom
target) is refused with a `UsageError` naming the shape and the component:
never skipped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from conflictkg.checks.shapes import path_text
from conflictkg.errors import UsageError
from conflictkg.queries.binding import escape_string, term_to_sparql

# metadata and structure a shape may carry that constrain nothing here
_NOT_COMPONENTS = {
    SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.deactivated,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.property, SH.path,
    SH.declare, SH.prefixes, SH.ignoredProperties, SH.flags, SH.sparql,
}
# cast functions SPARQL engines (Oxigraph, Jena) offer: a literal of these types is checked by one
_CASTABLE = {XSD[n] for n in ("integer", "decimal", "double", "float", "boolean", "dateTime", "date", "time",
                              "duration", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay",
                              "dayTimeDuration", "yearMonthDuration")}
_VALUE_COMPONENTS = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength,
                     SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn,
                     SH.node, SH["or"], SH["and"], SH["not"], SH.xone, SH.hasValue}
_OPERATORS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


@dataclass(frozen=True)
class CoreQuery:
    """One SELECT that finds the breaches of one component of one shape: rows of ?this (and ?value,
    ?path for sh:closed)."""

    shape: URIRef | BNode
    component: URIRef
    path: URIRef | BNode | None
    query: str
    has_value: bool


def _term(node) -> str:
    """A term of the shapes as SPARQL: an IRI that could close its `<...>` is refused, every
    special character of a literal escaped (`conflictkg.queries.binding`)."""
    if isinstance(node, BNode):
        raise UsageError(f"a blank node ({node}) cannot be written in a SPARQL query")
    return term_to_sparql(node)


def _string(text: str) -> str:
    return f'"{escape_string(text)}"'


def _component(parameter: URIRef) -> URIRef:
    name = str(parameter).rsplit("#", 1)[-1]
    return SH[name[0].upper() + name[1:] + "ConstraintComponent"]


def _refuse(shape, component, why: str = "") -> UsageError:
    return UsageError(f"shape {shape}: sh:{str(component).rsplit('#', 1)[-1]} cannot be checked as a SPARQL query on the "
                      f"server{': ' + why if why else ''}; validate an Oxigraph copy instead "
                      "(`conflictkg load --store oxigraph:PATH`, then `conflictkg validate --store oxigraph:PATH`)")


def path_sparql(shapes: Graph, path) -> str:
    """A SHACL property path as a SPARQL property path (`checks.shapes.path_text`, its IRIs checked)."""
    text = path_text(shapes, path, _term)
    if "[unreadable path" in text:
        raise UsageError(f"cannot read the SHACL path {path}")
    return text


class _Compiler:
    def __init__(self, shapes: Graph, subclasses=None) -> None:
        self.shapes, self.subclasses = shapes, subclasses
        self.prologue: dict[str, str] = {}  # prefixes of SPARQL-based targets, by name

    def active(self, shape) -> bool:
        return (shape, SH.deactivated, Literal(True)) not in self.shapes

    # -- targets

    def own_targets(self, shape) -> list[str]:
        g, targets = self.shapes, []
        for cls in g.objects(shape, SH.targetClass):
            targets.append(f"?this a/<{RDFS.subClassOf}>* {_term(cls)}")
        if (shape, RDF.type, RDFS.Class) in g and (shape, RDF.type, SH.NodeShape) in g or \
                (shape, RDF.type, RDFS.Class) in g and (shape, RDF.type, SH.PropertyShape) in g:
            targets.append(f"?this a/<{RDFS.subClassOf}>* {_term(shape)}")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            targets.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
        for predicate in g.objects(shape, SH.targetSubjectsOf):
            targets.append(f"?this {_term(predicate)} ?targetObject")
        for predicate in g.objects(shape, SH.targetObjectsOf):
            targets.append(f"?targetSubject {_term(predicate)} ?this")
        for target in g.objects(shape, SH.target):
            select = g.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in g or select is None:
                raise _refuse(shape, SH.target, "a custom target that is not an sh:SPARQLTarget")
            if re.search(r"(?i)^\s*(PREFIX|BASE)\b", str(select), re.MULTILINE) or "$" in str(select):
                raise _refuse(shape, SH.target, "its SELECT declares its own prefixes or uses pre-bound variables")
            from conflictkg.stores.oxigraph_shapes import _prefix_lines

            for line in _prefix_lines(g, target).splitlines():
                name = line.split()[1]
                if self.prologue.setdefault(name, line) != line:
                    raise _refuse(shape, SH.target, f"two targets declare the prefix {name} differently")
            targets.append(f"{{ {select} }}")  # run as a sub-select (SPARQL-based targets the store could not list)
        return targets

    def targets(self, shape) -> list[str]:
        """The focus-node patterns of `shape`: its own, and those of the node shapes naming it with sh:property."""
        found = self.own_targets(shape)
        for parent in self.shapes.subjects(SH.property, shape):
            if self.active(parent):
                found += [t for t in self.targets(parent) if t not in found]
        return found

    # -- value conditions (true when a value node conforms)

    def condition(self, shape, parameter, setting, v: str) -> str:
        g = self.shapes
        if parameter == SH["class"]:
            return f"EXISTS {{ {self.instances(setting, v)} }}"
        if parameter == SH.datatype:
            if setting == RDF.langString:
                return f"(isLiteral(?{v}) && LANG(?{v}) != \"\")"
            test = f"(isLiteral(?{v}) && DATATYPE(?{v}) = {_term(setting)} && LANG(?{v}) = \"\")"
            if setting in _CASTABLE:
                test = f"({test} && isLiteral({_term(setting)}(STR(?{v}))))"
            return test
        if parameter == SH.nodeKind:
            kinds = {SH.IRI: "isIRI({0})", SH.Literal: "isLiteral({0})", SH.BlankNode: "isBlank({0})",
                     SH.BlankNodeOrIRI: "(isBlank({0}) || isIRI({0}))", SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
                     SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))"}
            if setting not in kinds:
                raise _refuse(shape, parameter, f"unknown node kind {setting}")
            return kinds[setting].format(f"?{v}")
        if parameter == SH["in"]:
            members = list(g.items(setting))
            if any(isinstance(m, BNode) for m in members):
                raise _refuse(shape, parameter, "a blank node in the list")
            return "(" + " || ".join(f"sameTerm(?{v}, {_term(m)})" for m in members) + ")" if members else "false"
        if parameter == SH.hasValue:  # in a nested shape without a path: the value node itself
            return f"sameTerm(?{v}, {_term(setting)})"
        if parameter == SH.pattern:
            flags = g.value(shape, SH.flags)
            extra = f", {_string(str(flags))}" if flags is not None else ""
            return f"(!isBlank(?{v}) && REGEX(STR(?{v}), {_string(str(setting))}{extra}))"
        if parameter in (SH.minLength, SH.maxLength):
            operator = ">=" if parameter == SH.minLength else "<="
            return f"(!isBlank(?{v}) && STRLEN(STR(?{v})) {operator} {int(setting)})"
        if parameter in _OPERATORS:
            return f"(isLiteral(?{v}) && ?{v} {_OPERATORS[parameter]} {_term(setting)})"
        if parameter == SH.languageIn:
            tags = [str(t) for t in g.items(setting)]
            return "(" + " || ".join(f"langMatches(LANG(?{v}), {_string(t)})" for t in tags) + ")" if tags else "false"
        if parameter == SH.node:
            return self.conforms(setting, v, shape, parameter)
        if parameter in (SH["or"], SH["and"], SH.xone):
            members = [f"COALESCE({self.conforms(m, v, shape, parameter)}, false)" for m in g.items(setting)]
            if not members:
                return "false" if parameter in (SH["or"], SH.xone) else "true"
            if parameter == SH["or"]:
                return "(" + " || ".join(members) + ")"
            if parameter == SH["and"]:
                return "(" + " && ".join(members) + ")"
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"
        if parameter == SH["not"]:
            return f"!COALESCE({self.conforms(setting, v, shape, parameter)}, false)"
        raise _refuse(shape, parameter)

    def instances(self, setting, v: str) -> str:
        """A pattern binding ?v to the instances of class `setting` and its subclasses."""
        classes = self.subclasses(str(setting)) if self.subclasses and isinstance(setting, URIRef) else None
        if classes:  # the subclasses looked up once: one index look-up per value instead of a path
            return f"VALUES ?{v}Class {{ {' '.join(f'<{c}>' for c in classes)} }} ?{v} a ?{v}Class"
        return f"?{v} a/<{RDFS.subClassOf}>* {_term(setting)}"

    def conforms(self, member, v: str, outer, parameter) -> str:
        """True when value ?v conforms to the nested shape `member` (value constraints only)."""
        g = self.shapes
        if not self.active(member):
            return "true"
        parts = []
        for predicate, setting in sorted(g.predicate_objects(member)):
            if predicate in (SH.path, SH.property) or (predicate not in _VALUE_COMPONENTS and predicate not in _NOT_COMPONENTS
                                                         and str(predicate).startswith(str(SH))):
                raise _refuse(outer, parameter, f"its shape {member} uses sh:{str(predicate).rsplit('#', 1)[-1]}")
            if predicate in _VALUE_COMPONENTS:
                parts.append(f"COALESCE({self.condition(member, predicate, setting, v)}, false)")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    # -- one query per (shape, component)

    def queries(self) -> Iterator[CoreQuery]:
        g = self.shapes
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        shapes |= set(g.subjects(SH.path, None)) | set(g.objects(None, SH.property))
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            shapes |= set(g.subjects(predicate, None))
        for shape in sorted(shapes, key=str):
            if not self.active(shape):
                continue
            self.prologue = {}
            targets = self.targets(shape)
            if not targets:
                continue  # only reached through sh:node, sh:or ...: checked there
            prologue = "".join(line + "\n" for line in self.prologue.values())
            for check in self.shape_queries(shape, targets):
                yield replace(check, query=prologue + check.query)

    def shape_queries(self, shape, targets: list[str]) -> Iterator[CoreQuery]:
        g = self.shapes
        target = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {t} }}" for t in targets) + " } }"
        path_node = g.value(shape, SH.path)
        path = path_sparql(g, path_node) if path_node is not None else None
        values = f"{target} ?this {path} ?value ." if path else f"{target} BIND(?this AS ?value)"
        for parameter, setting in sorted(g.predicate_objects(shape)):
            if parameter in _NOT_COMPONENTS or not str(parameter).startswith(str(SH)) or parameter == SH.flags:
                continue
            component = _component(parameter)
            if parameter == SH["class"]:
                # the values of no class named, as one hash anti-join: the same rows as the
                # condition's EXISTS, which Oxigraph tests value by value (2-3 s a shape at 10,000 events)
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} MINUS {{ {self.instances(setting, 'value')} }} }}"
                yield CoreQuery(shape, component, path_node, query, True)
            elif parameter in _VALUE_COMPONENTS and parameter != SH.hasValue:
                v = "value"
                test = self.condition(shape, parameter, setting, v)
                query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER(!COALESCE({test}, false)) }}"
                yield CoreQuery(shape, component, path_node, query, True)
            elif parameter == SH.hasValue:
                if path:
                    query = (f"SELECT DISTINCT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?hv "
                             f"FILTER(sameTerm(?hv, {_term(setting)})) }} }}")
                    yield CoreQuery(shape, component, path_node, query, False)
                else:
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER(!sameTerm(?value, {_term(setting)})) }}"
                    yield CoreQuery(shape, component, path_node, query, True)
            elif parameter in (SH.minCount, SH.maxCount):
                if path is None:
                    raise _refuse(shape, parameter, "a node shape has no path to count")
                n = int(setting)
                if parameter == SH.minCount and n <= 0:
                    continue
                if parameter == SH.minCount and n == 1:
                    query = f"SELECT DISTINCT ?this WHERE {{ {target} MINUS {{ ?this {path} ?value }} }}"
                elif parameter == SH.minCount:
                    query = (f"SELECT DISTINCT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {n})")
                else:
                    query = (f"SELECT DISTINCT ?this WHERE {{ {target} ?this {path} ?value }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})")
                yield CoreQuery(shape, component, path_node, query, False)
            elif parameter == SH.uniqueLang:
                if setting != Literal(True) or path is None:
                    continue
                query = (f"SELECT DISTINCT ?this WHERE {{ {target} ?this {path} ?value . ?this {path} ?other . "
                         f"FILTER(LANG(?value) != \"\" && LCASE(LANG(?value)) = LCASE(LANG(?other)) && !sameTerm(?value, ?other)) }}")
                yield CoreQuery(shape, component, path_node, query, False)
            elif parameter in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
                other = _term(setting)
                if parameter == SH.disjoint:
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} ?this {other} ?value . }}"
                elif parameter == SH.equals:
                    query = (f"SELECT DISTINCT ?this ?value WHERE {{ {{ {values} FILTER NOT EXISTS {{ ?this {other} ?o FILTER(sameTerm(?o, ?value)) }} }} "
                             f"UNION {{ {target} ?this {other} ?value . FILTER NOT EXISTS {{ "
                             + (f"?this {path} ?o" if path else "BIND(?this AS ?o)") + " FILTER(sameTerm(?o, ?value)) } } }")
                else:
                    operator = "<" if parameter == SH.lessThan else "<="
                    # one result per pair of values, as the validators report it
                    query = f"SELECT DISTINCT ?this ?value ?o WHERE {{ {values} ?this {other} ?o . FILTER(!COALESCE(?value {operator} ?o, false)) }}"
                yield CoreQuery(shape, component, path_node, query, True)
            elif parameter == SH.closed:
                if setting != Literal(True):
                    continue
                allowed = {p for prop in g.objects(shape, SH.property) for p in [g.value(prop, SH.path)] if isinstance(p, URIRef)}
                ignored = g.value(shape, SH.ignoredProperties)
                if ignored is not None:
                    allowed |= set(g.items(ignored))
                keep = f"FILTER(?path NOT IN ({', '.join(_term(p) for p in sorted(allowed))}))" if allowed else ""
                query = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {target} ?this ?path ?value . {keep} }}"
                yield CoreQuery(shape, component, None, query, True)
            else:
                raise _refuse(shape, parameter)


def core_queries(shapes: Graph, subclasses=None) -> list[CoreQuery]:
    """Every (shape, component) of the SHACL Core shapes in `shapes` (SPARQL constraints already
    split off) as one SELECT; a `UsageError` names the first shape and component that cannot be.
    `subclasses(iri)`, when given, lists a class and its subclasses in the data (or None), which
    sh:class then checks against (`oxigraph_shapes._SubclassLookup.classes`)."""
    return list(_Compiler(shapes, subclasses).queries())


def validate_core(store, core: Graph, graphs, lookup=None, report=None, workers: int = 4):
    """Run `core_queries(core)` on `store` (a pyoxigraph Store or `remote.ServerEngine`) over
    `graphs`, adding each breach to `report` (an `oxigraph_shapes.StoreReport`) as a `Violation`
    and a `ValidationResult`, as `validate_store` does with the compiled validator's results."""
    from conflictkg.checks.shapes import (
        ValidationResult,
        _DefaultMessages,
        _path_term,
        normal_term,
    )
    from conflictkg.graph.oxigraph import from_ox
    from conflictkg.stores.oxigraph_shapes import (
        StoreReport,
        Violation,
        _SubclassLookup,
        _text,
    )

    report = StoreReport(True) if report is None else report
    lookup = _SubclassLookup(store, graphs) if lookup is None else lookup
    messages = _DefaultMessages(core)
    started = time.perf_counter()
    checks = core_queries(core, lookup.classes)  # all compiled (or one refused) before any is run
    texts = [lookup.expand(check.query) for check in checks]
    # a few queries in flight at once: a server answers them in parallel (and pyoxigraph releases the GIL)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = pool.map(lambda text: list(store.query(text, default_graph=graphs)), texts)
        done = list(zip(checks, answers))
    for check, answer in done:
        severity = core.value(check.shape, SH.severity) or SH.Violation
        written = sorted(str(m) for m in core.objects(check.shape, SH.message))
        for row in answer:
            focus = row["this"]
            if focus is None:
                continue
            value = row["value"] if check.has_value else None
            focus_term = normal_term(from_ox(focus))
            value_term = normal_term(from_ox(value)) if value is not None else None
            path = _path_term(core, check.path)
            if check.component == SH.ClosedConstraintComponent:
                path = from_ox(row["path"])
            text = "; ".join(written) if written else messages.message(check.component, check.shape, path, value_term)
            report.violations.append(Violation(_text(focus), str(check.shape), str(check.component), _text(value), text))
            report.results.append(ValidationResult(
                focus=focus_term, path=path, value=value_term, component=check.component,
                severity=severity, shape=check.shape, message=text,
            ))
    report.timings["core constraints as queries"] = time.perf_counter() - started
    return report


def validate_by_queries(store, shapes: Graph | None = None, graphs=None):
    """`oxigraph_shapes.validate_store` with SHACL Core as queries too: nothing is streamed or copied."""
    import pyoxigraph as ox

    from conflictkg import progress
    from conflictkg.graph.namespaces import INFERRED_GRAPH
    from conflictkg.graph.parse import load_shapes
    from conflictkg.stores.oxigraph_shapes import (
        StoreReport,
        _resolve_sparql_targets,
        _sparql_results,
        _SubclassLookup,
        split_shapes,
    )

    shapes = load_shapes() if shapes is None else shapes
    core, constraints = split_shapes(shapes)
    if graphs is None:
        graphs = [ox.DefaultGraph()] + [g for g in store.named_graphs()
                                        if not (isinstance(g, ox.NamedNode) and g.value == str(INFERRED_GRAPH))]
    report = StoreReport(True)
    with progress.stage(f"checking SHACL Core and {len(constraints)} SPARQL constraints as queries"):
        _resolve_sparql_targets(store, core, graphs)
        lookup = _SubclassLookup(store, graphs)
        validate_core(store, core, graphs, lookup, report)
        started = time.perf_counter()
        for shape, query, message in constraints:
            _sparql_results(report, shapes, shape, message, store.query(lookup.expand(query), default_graph=graphs))
        report.timings["sparql constraints"] = time.perf_counter() - started
    report.results.sort(key=lambda r: r.key())
    report.conforms = not report.violations
    progress.note(len(report.results), "validation results")
    return report


__all__ = ["CoreQuery", "core_queries", "path_sparql", "validate_by_queries", "validate_core"]
