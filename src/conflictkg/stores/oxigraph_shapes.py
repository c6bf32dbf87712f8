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
  data (and the ontology graph) written as N-Triples by pyoxigraph into a named pipe that
  `shacl` reads while the SPARQL constraints run (three threads: both libraries release the GIL).

The test suite checks it against pySHACL on every broken fixture and on the built-in data.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from conflictkg import progress
from conflictkg.errors import UsageError
from conflictkg.graph.namespaces import INFERRED_GRAPH
from conflictkg.queries.binding import closing_bracket, skip_lexeme, where_group_body

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
    results: list = field(default_factory=list)  # the same as `conflictkg.checks.shapes.ValidationResult`s

    def text(self, where: str = "inside the Oxigraph database") -> str:
        """The report as `conflictkg.checks.shapes.ValidationReport.text` writes it (the same
        lines as for in-memory data), with a last note saying where it was validated and how long
        each part took."""
        from conflictkg.checks.shapes import ValidationReport

        timing = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.timings.items())
        return ValidationReport(self.conforms, self.results, "fast", [f"validated {where} ({timing})."]).text()


def split_shapes(shapes: Graph, rewrite: bool = True) -> tuple[Graph, list[tuple[URIRef | BNode, str, str]]]:
    """The shapes without SPARQL constraints, and each SPARQL constraint as (shape, query, message).

    With `rewrite=False` the targets are only joined in front of each query, without the
    rewrites below (the tests compare the two)."""
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
        query = _prefix_lines(shapes, constraint) + _bound_to_targets(shapes, shape, str(select), rewrite)
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


def _bound_to_targets(shapes: Graph, shape, select: str, rewrite: bool = True) -> str:
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
    start, end = where_group_body(select)
    if not rewrite:
        return select[:start] + "\n  " + target + "\n" + select[start:]
    body = rewrite_group(select[start:end], target, select[:start] + select[end:])
    return select[:start] + "\n  " + body + "\n" + select[end:]


# --- two rewrites that keep the answers and avoid cross products in bulk evaluation ----------
#
# Run per focus node (pre-binding), a constraint's patterns are all anchored at $this. Run once
# for all focus nodes, an engine that evaluates each UNION branch or NOT EXISTS pattern on its
# own meets joins with nothing bound, which grow with the square of the data. Two algebraic
# identities of SPARQL put the anchor back:
# - Join(T, Union(B1, ..., Bn)) = Union(Join(T, B1), ..., Join(T, Bn)), and a group's FILTERs
#   distribute over the union too: a group made only of triple patterns T, one UNION chain and
#   FILTERs F becomes { T B1 F } UNION ... UNION { T Bn F } (T includes the targets).
# - FILTER NOT EXISTS { P } = MINUS { P } when P is triple patterns only (so each of its solutions
#   binds all its variables), P mentions ?this (always bound here), and no other variable of P
#   occurs anywhere else in the query: then the two remove exactly the same solutions.
# Anything else is left as written.

_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORD = re.compile(r"(?i)(FILTER|OPTIONAL|MINUS|BIND|VALUES|GRAPH|SERVICE|UNION)\b")
_NOT_EXISTS = re.compile(r"(?i)FILTER\s+NOT\s+EXISTS\s*\{")
_EXISTS = re.compile(r"(?i)FILTER\s+EXISTS\s*\{")


def _balanced(text: str, i: int, opening: str, closing: str) -> int:
    """The offset just after the bracket that closes the one at `i` (strings, IRIs, comments skipped)."""
    end = closing_bracket(text, i, opening, closing)
    if end is None:
        raise UsageError("unbalanced brackets in a SPARQL constraint")
    return end


def _segments(body: str) -> list[tuple[str, str]] | None:
    """The top-level elements of a group: ("triples", text), ("union", [branch bodies]),
    ("filter", text), ("not-exists", inner text); None if it holds anything else."""
    out: list[tuple[str, str]] = []
    i, n, triples = 0, len(body), []
    while i < n:
        rest = body[i:]
        skipped = skip_lexeme(body, i)
        if skipped != i or body[i] == "<":  # a comment (dropped), string or IRI; or a less-than sign
            end = skipped if skipped != i else i + 1
            if body[i] != "#":
                triples.append(body[i:end])
            i = end
            continue
        keyword = _KEYWORD.match(rest) if (i == 0 or not (body[i - 1].isalnum() or body[i - 1] in "_:?$")) else None
        if body[i] == "{":
            branches = []
            while True:
                end = _balanced(body, i, "{", "}")
                branches.append(body[i + 1 : end - 1])
                following = re.match(r"\s*UNION\s*\{", body[end:], re.IGNORECASE)
                if not following:
                    break
                i = end + following.end() - 1
            i = end
            out.append(("union", branches))  # type: ignore[arg-type]
            continue
        if keyword:
            word = keyword.group(1).upper()
            if word != "FILTER":
                return None
            not_exists = _NOT_EXISTS.match(rest)
            if not_exists:
                start = i + not_exists.end() - 1
                end = _balanced(body, start, "{", "}")
                out.append(("not-exists", body[start + 1 : end - 1]))
                i = end
                continue
            exists = _EXISTS.match(rest)
            if exists:  # kept as written, a filter like any other
                end = _balanced(body, i + exists.end() - 1, "{", "}")
                out.append(("filter", body[i:end]))
                i = end
                continue
            paren = body.find("(", i)
            if paren < 0 or body[i + 6 : paren].strip():
                return None
            end = _balanced(body, paren, "(", ")")
            out.append(("filter", body[i:end]))
            i = end
            continue
        triples.append(body[i])
        i += 1
        at_word = i < n and not (body[i - 1].isalnum() or body[i - 1] in "_:?$-")
        if i == n or body[i] in "{#" or (at_word and _KEYWORD.match(body[i:])):
            text = "".join(triples).strip()
            if text:
                out.append(("triples", text))
            triples = []
    text = "".join(triples).strip()
    if text:
        out.append(("triples", text))
    return out


def _statements(triples: str) -> list[str]:
    """A triples block split at its top-level dots; [] when it uses `;` or `,` (not split here)."""
    pieces, current, i, n = [], [], 0, len(triples)
    while i < n:
        skipped = skip_lexeme(triples, i)
        if skipped != i:  # a string or IRI (the segments hold no comments)
            current.append(triples[i:skipped])
            i = skipped
            continue
        char = triples[i]
        if char in ";,":
            return []
        if char == "." and (i + 1 == n or not triples[i + 1].isalnum()):
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    if "".join(current).strip():
        pieces.append("".join(current).strip())
    return [p for p in pieces if p]


def _as_minus(pattern: str, elsewhere: set[str], outer_statements: list[str]) -> str | None:
    """`FILTER NOT EXISTS { pattern }` as the inside of an equal `MINUS { ... }`, or None.

    The pattern must be triple patterns with at most plain FILTERs and mention ?this. Its other
    variables that also occur outside (S) must each be bound by outer triple patterns that use
    only ?this and S: those patterns are copied into the MINUS, so that each MINUS solution
    carries the same values of ?this and S as the outer solution it removes, which is what
    NOT EXISTS's substitution gives."""
    segments = _segments(pattern)
    if segments is None or any(kind not in ("triples", "filter") for kind, _text in segments):
        return None
    if any(kind == "filter" and _EXISTS.match(text) for kind, text in segments):
        return None  # an EXISTS inside sees the outer solution's values, which a MINUS would not give it
    own = set(_VAR.findall(pattern))
    if "this" not in own:
        return None
    shared = (own - {"this"}) & elsewhere
    if not shared:
        return pattern
    allowed = shared | {"this"}
    copied = [st for st in outer_statements if set(_VAR.findall(st)) & shared and set(_VAR.findall(st)) <= allowed]
    if {v for st in copied for v in _VAR.findall(st)} & shared != shared:
        return None
    return " . ".join(copied) + " . " + pattern


def _inlined(branch: str) -> str:
    """A UNION branch's patterns without their braces when that changes nothing: the branch is
    triple patterns and FILTERs whose variables all occur in those patterns (a FILTER in a
    group sees only that group's variables; inlined, it would see the outer ones too)."""
    segments = _segments(branch)
    if segments is None or any(kind not in ("triples", "filter") for kind, _text in segments):
        return f"{{ {branch} }}"
    bound = {v for kind, text in segments if kind == "triples" for v in _VAR.findall(text)}
    if any(set(_VAR.findall(text)) - bound for kind, text in segments if kind == "filter"):
        return f"{{ {branch} }}"
    return " ".join(text if kind == "filter" or text.rstrip().endswith(".") else text + " ." for kind, text in segments)


def rewrite_group(body: str, target: str, elsewhere: str) -> str:
    """The group body with the targets joined in front, rewritten as described above where it applies."""
    segments = _segments(body)
    if segments is None:
        return target + "\n" + body
    unions = [s for s in segments if s[0] == "union" and len(s[1]) > 1]
    groups = [s for s in segments if s[0] == "union" and len(s[1]) == 1]
    if groups:
        return target + "\n" + body
    rest_text = lambda skip: elsewhere + " ".join(
        (s[1] if isinstance(s[1], str) else " ".join(s[1])) for s in segments if s is not skip)
    outer_statements = [st for kind, text in segments if kind == "triples" for st in _statements(text)]
    parts = []
    for segment in segments:
        kind, text = segment
        if kind == "not-exists":
            minus = _as_minus(text, set(_VAR.findall(rest_text(segment))), outer_statements)
            if minus is not None:
                parts.append(("minus", minus))
                continue
        parts.append(segment)
    if len(unions) == 1:
        triples = " ".join(t if t.rstrip().endswith(".") else t + " ." for k, t in parts if k == "triples")
        filters = " ".join(t for k, t in parts if k == "filter")
        others = " ".join(f"MINUS {{ {t} }}" if k == "minus" else f"FILTER NOT EXISTS {{ {t} }}"
                          for k, t in parts if k in ("minus", "not-exists"))
        branches = [f"{{ {target} {triples} {_inlined(branch)} {filters} {others} }}" for branch in unions[0][1]]
        return "\n  UNION ".join(branches)
    text = []
    for kind, value in parts:
        if kind == "minus":
            text.append(f"MINUS {{ {value} }}")
        elif kind == "not-exists":
            text.append(f"FILTER NOT EXISTS {{ {value} }}")
        elif kind == "union":
            text.append(" UNION ".join(f"{{ {b} }}" for b in value))
        else:
            text.append(value if kind != "triples" or value.rstrip().endswith(".") else value + " .")
    return target + "\n  " + "\n  ".join(text)


def validate_store(store, shapes: Graph | None = None, graphs=None) -> StoreReport:
    """Validate every graph of a pyoxigraph Store except `kgr:inferred` (the ontology graph included),
    or the `graphs` named.

    Three things run at once, since pyoxigraph and `shacl` both release the GIL: pyoxigraph writes
    the graphs as N-Triples into a named pipe, `shacl` reads that pipe and checks SHACL Core, and
    the SPARQL constraints run over the store. Nothing is written to disk. The report holds each
    result twice: as a `Violation` of strings and as a `ValidationResult` of rdflib terms (what
    `conflictkg.checks.shapes` gives for in-memory data, so reports read alike)."""
    import threading
    import time

    import pyoxigraph as ox
    import shacl

    from conflictkg.checks.shapes import NTriples, fast_results
    from conflictkg.graph.parse import load_shapes

    shapes = load_shapes() if shapes is None else shapes
    core, constraints = split_shapes(shapes)
    report = StoreReport(True)
    if graphs is None:
        graphs = [ox.DefaultGraph()] + [g for g in store.named_graphs() if not (isinstance(g, ox.NamedNode) and g.value == str(INFERRED_GRAPH))]
    _resolve_sparql_targets(store, core, graphs)
    core_nt = NTriples(core)
    compiled = shacl.Shapes.from_text(core_nt.text, format="ntriples")

    folder = tempfile.mkdtemp(prefix="conflictkg-validate-")
    pipe = os.path.join(folder, "data.nt")
    os.mkfifo(pipe)
    outcome: dict[str, object] = {}

    def write() -> None:
        started = time.perf_counter()
        try:
            with open(pipe, "wb") as out:
                for graph in graphs:
                    store.dump(out, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        except BrokenPipeError:
            pass  # the validator stopped reading; its own error says why
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread below
            outcome["write error"] = error
        report.timings["write N-Triples"] = time.perf_counter() - started

    def check_core() -> None:
        started = time.perf_counter()
        try:
            outcome["core"] = compiled.validate_file(pipe, inference="none", allow_warnings=False)
        except BaseException as error:  # noqa: BLE001
            outcome["core error"] = error
            try:  # let a writer blocked on the pipe finish
                with open(pipe, "rb") as drain:
                    while drain.read(1 << 20):
                        pass
            except OSError:
                pass
        report.timings["core constraints"] = time.perf_counter() - started

    workers = [threading.Thread(target=write, daemon=True), threading.Thread(target=check_core, daemon=True)]
    for worker in workers:
        worker.start()
    stage = progress.stage(f"checking SHACL Core ({len(graphs)} graphs streamed to shacl) and {len(constraints)} SPARQL constraints in bulk")
    stage.__enter__()
    try:
        started = time.perf_counter()
        subclasses = _SubclassLookup(store, graphs)
        for shape, query, message in constraints:
            answer = store.query(subclasses.expand(query), default_graph=graphs)
            _sparql_results(report, shapes, shape, message, answer)
        report.timings["sparql constraints"] = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.join()
        os.unlink(pipe)
        os.rmdir(folder)
        stage.__exit__(None, None, None)
    for key in ("write error", "core error"):
        if key in outcome:
            raise outcome[key]  # type: ignore[misc]
    found = outcome["core"].results  # type: ignore[attr-defined]
    for item in found:
        report.violations.append(Violation(
            _strip(item.focus_node), _strip(item.source_shape) if item.source_shape else "", str(item.component_iri),
            _strip(item.value) if item.value is not None else "", "; ".join(sorted(item.messages or [])),
        ))
    report.results += fast_results(found, core, core_nt, None)
    report.results.sort(key=lambda r: r.key())
    report.conforms = not report.violations
    progress.note(len(report.results), "validation results")
    return report


def _resolve_sparql_targets(store, core: Graph, graphs) -> None:
    """Replace each SPARQL-based target (sh:target of an sh:SPARQLTarget) of `core` by the nodes it
    selects, as sh:targetNode: Oxigraph selects them in one query (its FILTER NOT EXISTS written as
    MINUS where the two are equal), where the compiled validator evaluated the NOT EXISTS per
    claim from the data set's side, the square of a data set's claims (133 s for the two real
    UCDP files; it refuses MINUS in a target). A target that selects a blank node is left to the
    validator (a blank node cannot be named across documents)."""
    import pyoxigraph as ox

    for shape, target in list(core.subject_objects(SH.target)):
        select = core.value(target, SH.select)
        if (target, RDF.type, SH.SPARQLTarget) not in core or select is None:
            continue
        select = str(select)
        start, end = where_group_body(select)  # FILTER NOT EXISTS as MINUS where equal (see above)
        select = select[:start] + rewrite_group(select[start:end], "", select[:start] + select[end:]) + select[end:]
        try:
            rows = store.query(_prefix_lines(core, target) + select, default_graph=graphs)
            nodes = [row["this"] for row in rows]
        except (SyntaxError, ValueError, OSError):
            continue  # the validator reports the query as it would have
        if any(not isinstance(node, ox.NamedNode) for node in nodes if node is not None):
            continue
        core.remove((shape, SH.target, target))
        core.remove((target, None, None))
        for node in nodes:
            if node is not None:
                core.add((shape, SH.targetNode, URIRef(node.value)))


def _sparql_results(report: StoreReport, shapes: Graph, shape, message: str, answer) -> None:
    """Each answer row of a bulk SPARQL constraint as a violation of `shape` (focus ?this, value ?value)."""
    from conflictkg.checks.shapes import ValidationResult, _path_term, normal_term
    from conflictkg.graph.oxigraph import from_ox

    names = {v.value for v in answer.variables}
    severity = shapes.value(shape, SH.severity) or SH.Violation
    path = _path_term(shapes, shapes.value(shape, SH.path))
    for row in answer:
        focus = row["this"]
        if focus is None:
            continue
        value = row["value"] if "value" in names else None
        report.violations.append(Violation(_text(focus), str(shape), str(SPARQL_COMPONENT), _text(value), message))
        focus_term = from_ox(focus)
        # no ?value: a node shape's value is its focus node (SHACL 5.3.2, as pySHACL reports it)
        value_term = normal_term(from_ox(value)) if value is not None else (focus_term if path is None else None)
        text = _MESSAGE_VARIABLE.sub(lambda m, row=row: _filled(m.group(1), row, names), message) if message else "SPARQL constraint not met"
        report.results.append(ValidationResult(
            focus=focus_term, path=path, value=value_term, component=SPARQL_COMPONENT,
            severity=severity, shape=shape, message=text,
        ))


_MESSAGE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _filled(name: str, row, names) -> str:
    """A message's `{?name}` as the row's value, as pySHACL fills it in."""
    if name not in names or row[name] is None:
        return "{?" + name + "}"
    term = row[name]
    import pyoxigraph as ox

    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def validate_files(
    locations: list[str],
    input_format: str | None = None,
    with_builtin: bool = False,
    extra_shapes: list[str] | tuple = (),
    validator: str = "auto",
):
    """Validate RDF files as the in-memory store does (files, claim relations, ontology), but
    inside a scratch in-memory Oxigraph store: pyoxigraph parses the files (no rdflib graph, no
    union copy), the rules derive the claim relations in it, and `validate_store` checks it.

    Returns a `conflictkg.checks.shapes.ValidationReport`, or None where this path does not
    apply and the caller should take the rdflib one: standard input, a file pyoxigraph cannot
    parse (rdflib's parser then gives the error with its line and column), or `validator="auto"`
    on data smaller than `FAST_THRESHOLD` (which goes to pySHACL, the reference)."""
    import pyoxigraph as ox

    from conflictkg.checks.shapes import (
        FAST_THRESHOLD,
        ValidationReport,
        choose_validator,
    )
    from conflictkg.graph.namespaces import ONTOLOGY_GRAPH
    from conflictkg.graph.oxigraph import OX_FORMATS, dataset_quads
    from conflictkg.graph.parse import (
        add_builtin_data,
        load_shapes,
        new_dataset,
        source_for,
    )
    from conflictkg.stores.rules import (
        _shipped_ontology_quads,
        add_claim_relations_in_store,
    )

    locations = list(locations)
    if not locations or "-" in locations or validator == "pyshacl":
        return None
    sources = [source_for(location, input_format) for location in locations]
    store = ox.Store()
    for source in sources:
        with progress.stage(f"reading {source.display_name}"):
            try:
                store.bulk_load(path=source.location, format=OX_FORMATS[source.format],
                                to_graph=None if source.format.has_graphs else ox.DefaultGraph())
            except (SyntaxError, ValueError, OSError):
                return None
    if with_builtin:
        builtin = new_dataset()
        add_builtin_data(builtin)
        store.extend(dataset_quads(builtin))
    size = len(store)
    progress.note(size, "quads")
    shapes = load_shapes(list(extra_shapes)) if extra_shapes else None
    if validator == "auto" and size < FAST_THRESHOLD and choose_validator(size, shapes or load_shapes()) == "pyshacl":
        return None
    store.extend(_shipped_ontology_quads())
    add_claim_relations_in_store(store)
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    if not store.contains_named_graph(ontology):
        store.extend(_shipped_ontology_quads())
    found = validate_store(store, shapes)
    timing = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in found.timings.items())
    return ValidationReport(found.conforms, found.results, "fast",
                            [f"Validated in a scratch Oxigraph store (SHACL-SPARQL constraints in bulk; {timing})."])


class _SubclassLookup:
    """Rewrites a class target `?this a/rdfs:subClassOf* <C>` as `?this a ?class` over the classes
    that are `rdfs:subClassOf*` C in the same graphs, looked up first: the same focus nodes, but
    one index look-up per class instead of a path over every typed node."""

    _TARGET = re.compile(r"\?this a/<" + re.escape(str(RDFS.subClassOf)) + r">\* <([^<>\s]+)>")

    def __init__(self, store, graphs) -> None:
        self.store, self.graphs, self.known = store, graphs, {}

    def classes(self, cls: str) -> list[str] | None:
        import pyoxigraph as ox

        if cls not in self.known:
            rows = self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}", default_graph=self.graphs)
            found = [row["c"] for row in rows]
            named = all(isinstance(c, ox.NamedNode) for c in found)
            # a blank-node subclass cannot be written in VALUES: keep the path then
            self.known[cls] = sorted({c.value for c in found} | {cls}) if named else None
        return self.known[cls]

    def expand(self, query: str) -> str:
        def values(match: re.Match) -> str:
            classes = self.classes(match.group(1))
            if classes is None:
                return match.group(0)
            listed = " ".join(f"<{c}>" for c in classes)
            return f"VALUES ?conflictkgTargetClass {{ {listed} }} ?this a ?conflictkgTargetClass"

        return self._TARGET.sub(values, query)


def _text(term) -> str:
    if term is None:
        return ""
    import pyoxigraph as ox

    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _strip(text) -> str:
    value = str(text)
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


__all__ = ["StoreReport", "Violation", "split_shapes", "validate_files", "validate_store"]
