"""Validates a data set against the shipped SHACL shapes and reports each violation readably.

Two validators give the same normalised results: pySHACL (the reference, pure Python) and the
compiled `shacl` package (the fast path). `validate(..., validator="auto")` chooses between them;
docs/validators.md records how, and every case where they are known to differ.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from conflictkg.errors import InputError, UsageError
from conflictkg.graph.namespaces import bind_prefixes
from conflictkg.graph.parse import load_ontology, load_shapes, union_graph

VALIDATORS = ("auto", "pyshacl", "fast")


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One `sh:ValidationResult`, with terms kept as rdflib nodes (None where absent).

    `path` is the predicate IRI for a predicate path; a complex path is a literal holding it in
    SPARQL property-path syntax with full IRIs (see `path_text`), so that two validators, and
    an expected report, can be compared without their blank-node path structures.
    """

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
            _n3(term) for term in (self.focus, self.path, self.value, self.component, self.severity)
        )


def _n3(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"  # rdflib's n3() refuses an IRI with a space in it; a key must not
    return term.n3()


@dataclass
class ValidationReport:
    """Whether the data conforms, and every result."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    validator: str = "pyshacl"
    notes: list[str] = field(default_factory=list)

    def text(self, graph: Graph | None = None) -> str:
        """A report a person can read: one block per result, focus node first; notes last."""
        nm = (graph or bind_prefixes(Graph())).namespace_manager
        if self.conforms:
            lines = ["The data conforms to the shapes."]
        else:
            lines = [f"The data does not conform to the shapes: {len(self.results)} result(s)."]
        for result in sorted(self.results, key=lambda r: (str(r.focus), str(r.path), str(r.message))):
            lines.append(f"- focus: {_short(result.focus, nm)}")
            if result.path is not None:
                lines.append(f"  path: {_short_path(result.path, nm)}")
            if result.value is not None:
                lines.append(f"  value: {_short(result.value, nm)}")
            lines.append(f"  message: {result.message}")
            severity = _short(result.severity, nm) if result.severity is not None else "sh:Violation"
            lines.append(f"  severity: {severity}; shape: {_short(result.shape, nm)}")
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)


# "auto" validates a data set of fewer triples than this (the ontology, which `validate` adds,
# not counted) with pySHACL and a larger one with the fast validator, when the shapes hold
# SPARQL (where the two are known to differ). On our shapes pySHACL takes 7-12 s for the
# built-in data (567 triples) and 24 s for 1,061 triples of generated data, growing faster than
# the data; the fast validator takes about 0.1 s for either. docs/validators.md has the numbers.
FAST_THRESHOLD = 1_000


def validate(
    dataset: Dataset,
    extra_shapes: Iterable[str] = (),
    validator: str = "auto",
) -> ValidationReport:
    """Validate `dataset` (with the ontology) against the shipped shapes plus `extra_shapes`.

    `validator` is "pyshacl" (the reference), "fast" (the compiled `shacl` package) or "auto"
    (see `choose_validator`; the size it weighs is the data set's, without the ontology).
    """
    if validator not in VALIDATORS:
        raise UsageError(f"unknown validator {validator!r}; choose one of {', '.join(VALIDATORS)}")
    extra_shapes = list(extra_shapes)
    shapes = load_shapes(extra_shapes) if extra_shapes else _shipped_shapes()
    size = len(dataset)
    data = union_graph(dataset, _shipped_ontology())
    return run(data, shapes, validator, size)


# Parsed once per process: neither validator changes the graphs it is given.
@functools.cache
def _shipped_shapes() -> Graph:
    return load_shapes()


@functools.cache
def _shipped_ontology() -> Graph:
    return load_ontology()


def run(data: Graph, shapes: Graph, validator: str = "auto", size: int | None = None) -> ValidationReport:
    """Validate `data` against `shapes` with the named validator; "auto" chooses one by `size`,
    the number of triples the user gave (`len(data)` when not given)."""
    if validator not in VALIDATORS:
        raise UsageError(f"unknown validator {validator!r}; choose one of {', '.join(VALIDATORS)}")
    if validator == "pyshacl":
        return run_pyshacl(data, shapes)
    if validator == "fast":
        return run_fast(data, shapes)
    first = choose_validator(len(data) if size is None else size, shapes)
    runners = {"pyshacl": run_pyshacl, "fast": run_fast}
    try:
        return runners[first](data, shapes)
    except InputError as error:
        # One validator could not take what rdflib holds: pySHACL fails on some ill-typed
        # literals, the fast one cannot read an IRI with a space in it. The other may.
        other = "fast" if first == "pyshacl" else "pyshacl"
        try:
            report = runners[other](data, shapes)
        except InputError:
            raise error from None
        report.notes.insert(0, f"{error} The {other} validator was used instead.")
        return report


def choose_validator(size: int, shapes: Graph) -> str:
    """What "auto" runs on `size` triples: "fast" when the shapes hold no SPARQL (there the
    two validators agree on the W3C suite and on our fixtures) or from FAST_THRESHOLD triples
    up (where pySHACL takes too long); else "pyshacl", the reference."""
    if not sparql_queries(shapes) or size >= FAST_THRESHOLD:
        return "fast"
    return "pyshacl"


def sparql_queries(shapes: Graph) -> list[tuple[Node, str]]:
    """Every SPARQL query of the shapes graph (sh:select and sh:ask), with its node."""
    return [(node, str(query)) for predicate in (SH.select, SH.ask) for node, query in shapes.subject_objects(predicate)]


# Strings, IRIs and comments, which may hold "<" or ">", and the ordering operators themselves.
_SPARQL_TOKENS = re.compile(
    r'"""[\s\S]*?"""' r"|'''[\s\S]*?'''" r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>' r"|#[^\n]*" r"|(<=|>=|<|>)"
)


# A comparison of two STR(...) values orders strings, which both validators do alike.
_STRING_COMPARISON = re.compile(r"STR\(\s*\??\$?\w+\s*\)\s*(?:<=|>=|<|>)\s*STR\(\s*\??\$?\w+\s*\)", re.IGNORECASE)


def ordering_constraints(shapes: Graph) -> list[Node]:
    """The shapes (or query nodes) whose SPARQL orders values with <, <=, > or >= other than
    as strings. The fast validator's SPARQL engine orders numbers, strings and xsd:dateTime but
    not xsd:date, so there a comparison of two dates is never true."""
    found = set()
    for node, query in sparql_queries(shapes):
        query = _STRING_COMPARISON.sub("", query)
        if any(match.group(1) for match in _SPARQL_TOKENS.finditer(query)):
            owners = list(shapes.subjects(SH.sparql, node))
            found.update(owners or [node])
    return sorted(found)


def run_pyshacl(data: Graph, shapes: Graph) -> ValidationReport:
    """The reference validator: pySHACL with SHACL-SPARQL enabled and no inference."""
    from pyshacl import validate as pyshacl_validate

    # pySHACL adds a few RDFS/OWL axioms to the shapes graph it is given: hand it a copy.
    shapes_copy = Graph()
    for prefix, namespace in shapes.namespaces():
        shapes_copy.bind(prefix, namespace, override=True, replace=True)
    shapes_copy += shapes
    try:
        conforms, results_graph, _text = pyshacl_validate(
            data,
            shacl_graph=shapes_copy,
            inference="none",
            advanced=True,
            allow_warnings=False,
        )
    except Exception as error:  # pySHACL refuses some shapes and fails on some data: say which
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise InputError(f"pySHACL cannot validate this data against these shapes ({type(error).__name__}: {detail}).") from error
    return ValidationReport(bool(conforms), results_from_graph(results_graph), "pyshacl")


def run_fast(data: Graph, shapes: Graph) -> ValidationReport:
    """The fast validator: the compiled `shacl` package, with results normalised as pySHACL's.

    Both graphs go to it as N-Triples that we write ourselves, so that we know the order in
    which blank nodes first appear: `shacl` relabels blank nodes `_:<scope>_b<n>`, numbering
    them in that order across the shapes graph (scope 1) and then the data graph (scope 0),
    which is how its results are mapped back to the caller's own blank nodes.
    """
    shapes_nt, data_nt = NTriples(shapes), NTriples(data)
    return _fast(shapes, shapes_nt, data_nt.text, data_nt)


def validate_ntriples(data: str, extra_shapes: Iterable[str] = (), with_ontology: bool = True) -> ValidationReport:
    """The fast validator on data already written as N-Triples, say dumped from an Oxigraph
    store: no rdflib graph of the data is built, which is what makes a million events feasible.

    The shipped ontology is added (as `validate` adds it) unless `with_ontology` is false. Blank
    nodes of the data come back as `BNode("b<n>")`, numbered as the fast validator numbers them.
    """
    extra_shapes = list(extra_shapes)
    shapes = load_shapes(extra_shapes) if extra_shapes else _shipped_shapes()
    if with_ontology:
        data = data + ("" if not data or data.endswith("\n") else "\n") + _shipped_ontology_ntriples()
    return _fast(shapes, NTriples(shapes), data, None)


@functools.cache
def _shipped_ontology_ntriples() -> str:
    # Its blank node labels must not meet the data's in the one document they are joined into.
    return NTriples(_shipped_ontology(), bnode_prefix="conflictkgOntologyBlankNode").text


def _fast(shapes: Graph, shapes_nt: NTriples, data_text: str, data_nt: NTriples | None) -> ValidationReport:
    import shacl

    try:
        compiled = shacl.Shapes.from_text(shapes_nt.text, format="ntriples")
    except ValueError as error:
        raise InputError(f"the fast validator cannot read the shapes: {error}") from None
    try:
        report = compiled.validate_text(data_text, format="ntriples", inference="none", allow_warnings=False)
    except ValueError as error:
        raise InputError(f"the fast validator cannot validate the data: {error}") from None
    results = fast_results(report.results, shapes, shapes_nt, data_nt)
    notes = []
    ordering = ordering_constraints(shapes)
    if ordering:
        names = ", ".join(_short(node, _DefaultMessages(shapes).namespace_manager) for node in ordering)
        notes.append(
            "The fast validator checked this data. Its SPARQL engine does not order xsd:date values, so "
            f"these SPARQL constraints, which compare values, may miss violations: {names}. "
            "`conflictkg validate --validator pyshacl` checks them (slowly; see docs/validators.md)."
        )
    return ValidationReport(bool(report.conforms), results, "fast", notes)


def fast_results(found, shapes: Graph, shapes_nt: NTriples, data_nt: NTriples | None) -> list[ValidationResult]:
    """The `shacl` package's results (`report.results`) as our sorted `ValidationResult`s, with
    the shapes' own terms (`shapes_nt` is how the shapes were written for it) and the data's
    (`data_nt`, or None when the data was written by someone else: its blank nodes then come
    back as `BNode("b<n>")`)."""
    terms = _TermReader(shapes_nt, data_nt)
    messages = _DefaultMessages(shapes)
    results = []
    for result in found:
        focus = normal_term(terms.term(result.focus_node))
        value = normal_term(terms.term(result.value)) if result.value is not None else None
        shape = terms.term(result.source_shape) if result.source_shape is not None else None
        component = URIRef(result.component_iri)
        path = _fast_path(result.path)
        text = "; ".join(sorted(result.messages)) if result.messages else messages.message(component, shape, path, value)
        results.append(
            ValidationResult(
                focus=focus,
                path=path,
                value=value,
                component=component,
                severity=URIRef(result.severity_iri),
                shape=shape,
                message=text,
            )
        )
    results.sort(key=lambda r: r.key())
    return results


def results_from_graph(report: Graph) -> list[ValidationResult]:
    """The results of a SHACL report graph (its `sh:result`s, not the nested `sh:detail`s),
    as sorted dataclasses."""
    results = [
        result_from_node(report, node)
        for top in report.subjects(RDF.type, SH.ValidationReport)
        for node in report.objects(top, SH.result)
    ]
    return sorted(results, key=lambda r: r.key())


def result_from_node(report: Graph, node: Node) -> ValidationResult:
    """One `sh:ValidationResult` node of `report`, normalised."""
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    return ValidationResult(
        focus=normal_term(report.value(node, SH.focusNode)),
        path=_path_term(report, report.value(node, SH.resultPath)),
        value=normal_term(report.value(node, SH.value)),
        component=report.value(node, SH.sourceConstraintComponent),
        severity=report.value(node, SH.resultSeverity),
        shape=report.value(node, SH.sourceShape),
        message="; ".join(messages),
    )


def normal_term(term: Node | None) -> Node | None:
    """One spelling per RDF term: `"x"^^xsd:string` is `"x"`, language tags are lower case."""
    if isinstance(term, Literal):
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.language and term.language != term.language.lower():
            return Literal(str(term), lang=term.language.lower())
    return term


def _path_term(report: Graph, path: Node | None) -> Node | None:
    """A predicate path as its IRI; a complex path as a literal in SPARQL path syntax."""
    if path is None or isinstance(path, URIRef):
        return path
    return Literal(path_text(report, path))


def path_text(graph: Graph, path: Node, iri: Callable[[URIRef], str] = lambda node: f"<{node}>") -> str:
    """A SHACL property path (its RDF form in `graph`) in SPARQL property-path syntax, each IRI
    written by `iri`; `[unreadable path ...]` where it is not a SHACL path.

    Every part is bracketed the same way whatever its precedence, so equal paths give equal
    text: `(<p>/^<q>)`, `(<p>|(<q>)*)`, `(<p>)+`, `(<p>)?`.
    """
    if isinstance(path, URIRef):
        return iri(path)
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(path_text(graph, step, iri) for step in graph.items(path)) + ")"
    for predicate, operator in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"({path_text(graph, inner, iri)}){operator}"
    inner = graph.value(path, SH.inversePath)
    if inner is not None:
        return "^" + path_text(graph, inner, iri)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, step, iri) for step in graph.items(alternatives)) + ")"
    return f"[unreadable path {path.n3()}]"


# --- the fast validator's input and output ---------------------------------------------------

_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class NTriples:
    """`graph` written as N-Triples for the fast validator, remembering what was written.

    `bnodes` holds the graph's blank nodes in the order they first appear in `text` (subject
    before object, line by line), the i-th written `_:<bnode_prefix><i>`. `literals` maps what each literal
    was written as (lexical form, datatype, lower-case language) back to the graph's own term.
    """

    # rdflib rewrites some ill-typed literals to a valid lexical form while flagging them
    # (`"none"^^xsd:boolean` becomes `"false"`, ill_typed); written so, the fast validator would
    # see a valid literal where pySHACL sees an ill-typed one. Such a literal is written with this
    # suffix, which no datatype accepts, and mapped back to the graph's term.
    ILL_TYPED = " (ill-typed)"

    def __init__(self, graph: Graph, bnode_prefix: str = "b") -> None:
        spelled: dict[Node, str] = {}
        self.bnodes: list[BNode] = []
        self._literal_terms: list[Literal] = []
        self._literals: dict[tuple[str, str | None, str | None], Literal] | None = None

        def spell(term: Node) -> str:
            # rdflib's literals compare equal whether or not they are flagged ill-typed, so a
            # rewritten ill-typed literal bypasses the memo rather than share a valid one's text.
            if type(term) is Literal and term.ill_typed and term.value is not None:
                self._literal_terms.append(term)
                return self._spell_literal(term)
            text = spelled.get(term)
            if text is None:
                if isinstance(term, URIRef):
                    text = f"<{term}>"
                elif isinstance(term, BNode):
                    text = f"_:{bnode_prefix}{len(self.bnodes)}"
                    self.bnodes.append(term)
                elif isinstance(term, Literal):
                    text = self._spell_literal(term)
                    self._literal_terms.append(term)
                else:
                    raise InputError(f"the fast validator cannot take the term {term!r}")
                spelled[term] = text
            return text

        self.text = "".join([f"{spell(s)} {spell(p)} {spell(o)} .\n" for s, p, o in graph])

    @classmethod
    def _written(cls, term: Literal) -> tuple[str, str | None, str | None]:
        lexical = str(term)
        if term.ill_typed and term.value is not None:
            lexical += cls.ILL_TYPED
        datatype = None if term.datatype in (None, XSD.string) or term.language else str(term.datatype)
        return lexical, datatype, term.language.lower() if term.language else None

    def _spell_literal(self, term: Literal) -> str:
        lexical, datatype, language = self._written(term)
        quoted = '"' + lexical.translate(_LITERAL_ESCAPES) + '"'
        if language:
            return f"{quoted}@{term.language}"
        if datatype:
            return f"{quoted}^^<{datatype}>"
        return quoted

    def literal(self, lexical: str, datatype: str | None, language: str | None) -> Literal | None:
        """The graph's literal that was written with this lexical form, datatype and language."""
        if self._literals is None:
            self._literals = {self._written(term): term for term in self._literal_terms}
        return self._literals.get((lexical, datatype, language))


def to_ntriples(graph: Graph) -> tuple[str, list[BNode]]:
    """`graph` as N-Triples, and its blank nodes in the order they first appear in the text."""
    written = NTriples(graph)
    return written.text, written.bnodes


_BNODE_LABEL = re.compile(r"_:(\d+)_b(\d+)\Z")
_NT_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_DATA_SCOPE, _SHAPES_SCOPE = 0, 1


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        short, long, simple = match.groups()
        if short or long:
            return chr(int(short or long, 16))
        return _SIMPLE_ESCAPES.get(simple, simple)

    return _NT_ESCAPE.sub(one, text)


class _TermReader:
    """Reads the terms `shacl` reports (N-Triples syntax) back into the caller's rdflib terms."""

    def __init__(self, shapes: NTriples, data: NTriples | None) -> None:
        self._shapes = shapes
        self._data = data
        self._cache: dict[str, Node] = {}

    def term(self, text: str) -> Node:
        node = self._cache.get(text)
        if node is None:
            node = self._cache[text] = self._read(text)
        return node

    def _read(self, text: str) -> Node:
        if text.startswith("<") and text.endswith(">"):
            return URIRef(_unescape(text[1:-1]))
        if text.startswith("_:"):
            return self._bnode(text)
        if text.startswith('"'):
            end = text.rfind('"')
            lexical = _unescape(text[1:end])
            rest = text[end + 1 :]
            datatype = language = None
            if rest.startswith("@"):
                language = rest[1:].lower()
            elif rest.startswith("^^<") and rest.endswith(">"):
                datatype = _unescape(rest[3:-1])
                if datatype == str(XSD.string):
                    datatype = None
            elif rest:
                raise RuntimeError(f"the fast validator reported a term we cannot read: {text!r}")
            for written in (self._data, self._shapes):
                original = written.literal(lexical, datatype, language) if written is not None else None
                if original is not None:
                    return original
            if language:
                return Literal(lexical, lang=language)
            return Literal(lexical, datatype=URIRef(datatype) if datatype else None)
        raise RuntimeError(f"the fast validator reported a term we cannot read: {text!r}")

    def _bnode(self, text: str) -> BNode:
        match = _BNODE_LABEL.match(text)
        if match is None:
            raise RuntimeError(f"the fast validator reported a blank node we cannot place: {text}")
        scope, number = int(match.group(1)), int(match.group(2))
        offset = len(self._shapes.bnodes)
        if scope == _SHAPES_SCOPE and 0 <= number < offset:
            return self._shapes.bnodes[number]
        if scope == _DATA_SCOPE and self._data is None and number >= offset:
            return BNode(f"b{number - offset}")
        if scope == _DATA_SCOPE and self._data is not None and 0 <= number - offset < len(self._data.bnodes):
            return self._data.bnodes[number - offset]
        raise RuntimeError(
            f"the fast validator reported blank node {text}, outside the {offset} shapes and "
            f"{len(self._data.bnodes) if self._data else 'unknown'} data blank nodes given to it; "
            "its numbering has changed"
        )


_PATH_TOKEN = re.compile(r"\s*(<[^>]*>|[()/|^*+?])")


def _fast_path(text: str | None) -> Node | None:
    """`shacl`'s rendering of a result path as our path term (see `path_text`)."""
    if text is None:
        return None
    tokens = _PATH_TOKEN.findall(text)
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise RuntimeError(f"the fast validator reported a path we cannot read: {text!r}")
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal position
        token = peek()
        if token is None or (expected is not None and token != expected):
            raise RuntimeError(f"the fast validator reported a path we cannot read: {text!r}")
        position += 1
        return token

    def primary() -> tuple:
        token = take()
        if token.startswith("<"):
            return ("iri", _unescape(token[1:-1]))
        if token == "^":
            return ("inverse", primary())
        if token == "(":
            parts = [alternative()]
            take(")")
            node = parts[0]
            if peek() in ("*", "+", "?"):
                return ("repeat", take(), node)
            return ("group", node)
        raise RuntimeError(f"the fast validator reported a path we cannot read: {text!r}")

    def sequence() -> tuple:
        steps = [primary()]
        while peek() == "/":
            take("/")
            steps.append(primary())
        return ("seq", steps) if len(steps) > 1 else steps[0]

    def alternative() -> tuple:
        options = [sequence()]
        while peek() == "|":
            take("|")
            options.append(sequence())
        return ("alt", options) if len(options) > 1 else options[0]

    def render(node: tuple) -> str:
        kind = node[0]
        if kind == "iri":
            return f"<{node[1]}>"
        if kind == "inverse":
            return "^" + render(node[1])
        if kind == "repeat":
            return f"({render(node[2])}){node[1]}"
        if kind == "seq":
            return "(" + "/".join(render(step) for step in node[1]) + ")"
        if kind == "alt":
            return "(" + "|".join(render(step) for step in node[1]) + ")"
        return render(node[1])  # a group: every compound form brings its own brackets

    tree = alternative()
    if position != len(tokens):
        raise RuntimeError(f"the fast validator reported a path we cannot read: {text!r}")
    if tree[0] == "iri":
        return URIRef(tree[1])
    if tree[0] == "group" and tree[1][0] == "iri":
        return URIRef(tree[1][1])
    return Literal(render(tree))


# What a result says when its shape gives no sh:message: the component and its parameters.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "Class": ("class",), "Datatype": ("datatype",), "NodeKind": ("nodeKind",),
    "MinCount": ("minCount",), "MaxCount": ("maxCount",),
    "MinExclusive": ("minExclusive",), "MinInclusive": ("minInclusive",),
    "MaxExclusive": ("maxExclusive",), "MaxInclusive": ("maxInclusive",),
    "MinLength": ("minLength",), "MaxLength": ("maxLength",), "Pattern": ("pattern", "flags"),
    "LanguageIn": ("languageIn",), "UniqueLang": ("uniqueLang",), "Equals": ("equals",),
    "Disjoint": ("disjoint",), "LessThan": ("lessThan",), "LessThanOrEquals": ("lessThanOrEquals",),
    "Not": ("not",), "And": ("and",), "Or": ("or",), "Xone": ("xone",), "Node": ("node",),
    "QualifiedMinCount": ("qualifiedMinCount", "qualifiedValueShape"),
    "QualifiedMaxCount": ("qualifiedMaxCount", "qualifiedValueShape"),
    "Closed": ("closed", "ignoredProperties"), "HasValue": ("hasValue",), "In": ("in",),
}


class _DefaultMessages:
    """Readable messages for results whose shape has no sh:message (pySHACL writes its own)."""

    def __init__(self, shapes: Graph) -> None:
        self._shapes = shapes
        self._nm = self.namespace_manager = bind_prefixes(Graph()).namespace_manager
        for prefix, namespace in shapes.namespaces():
            self._nm.bind(prefix, namespace, override=False)

    def message(self, component: URIRef, shape: Node | None, path: Node | None, value: Node | None) -> str:
        name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        parameters = []
        if shape is not None and str(component).startswith(str(SH)):
            for parameter in _PARAMETERS.get(name, ()):
                for setting in self._shapes.objects(shape, SH[parameter]):
                    parameters.append(f"sh:{parameter} {self._describe(setting)}")
        text = f"{name} constraint not met"
        if parameters:
            text += " (" + ", ".join(parameters) + ")"
        if value is not None:
            text += f" by value {_short(value, self._nm)}"
        if path is not None:
            text += f" on path {_short_path(path, self._nm)}"
        return text

    def _describe(self, node: Node) -> str:
        if isinstance(node, BNode) and self._shapes.value(node, RDF.first) is not None:
            return "(" + " ".join(self._describe(item) for item in self._shapes.items(node)) + ")"
        if isinstance(node, BNode):
            return "[a shape]"
        if isinstance(node, Literal) and node.datatype in (XSD.integer, XSD.decimal, XSD.boolean):
            return str(node)
        return _short(node, self._nm)


def _short(term: Node | None, namespace_manager) -> str:
    if term is None:
        return "-"
    try:
        return term.n3(namespace_manager)
    except Exception:  # noqa: BLE001 - rdflib refuses to write some IRIs; show them as they are
        return str(term)


_PATH_IRI = re.compile(r"<([^>]*)>")


def _short_path(path: Node, namespace_manager) -> str:
    """A result path for people: a complex path's IRIs as prefixed names where we can."""
    if not isinstance(path, Literal):
        return _short(path, namespace_manager)
    return _PATH_IRI.sub(lambda match: _short(URIRef(match.group(1)), namespace_manager), str(path))
