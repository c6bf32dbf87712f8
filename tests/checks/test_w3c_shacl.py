"""The W3C SHACL test suite, run against both validators, full results compared.

Every entry of every manifest under tests/w3c-shacl/ is one test per validator. A case passes
when the validator's report matches the expected one: sh:conforms, and the multiset of
(focus node, path, value, source constraint component, severity) of its results. Blank nodes
are compared as the same node of the parsed test document (each file is parsed once and used as
data graph, shapes graph and expected report alike), and described for people by their
outgoing triples. A case expecting `sht:Failure` passes when the validator refuses to run.

Where a validator is known to differ, tests/w3c-shacl/known-differences.toml records the exact
difference and why; the test asserts that the difference is exactly that one, so a fix and a new
regression both fail it. `python tests/test_w3c_shacl.py` prints the differences as TOML.
"""

from __future__ import annotations

import functools
import json
import sys
import tomllib
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, Namespace
from rdflib.term import Node

from conflictkg.checks.shapes import ValidationResult, result_from_node, run_fast, run_pyshacl

SUITE = Path(__file__).resolve().parents[1] / "w3c-shacl"
KNOWN = SUITE / "known-differences.toml"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
VALIDATORS = {"pyshacl": run_pyshacl, "fast": run_fast}
_SUITE_IRI = SUITE.as_uri() + "/"


@dataclass(frozen=True)
class Case:
    """One manifest entry: its id (path under the suite, e.g. core/node/and-001) and files."""

    id: str
    label: str
    status: str
    data_file: Path
    shapes_file: Path
    manifest_file: Path
    entry: URIRef


@functools.cache
def parsed(path: Path) -> Graph:
    """Each test document parsed once, with its own IRI as base (for `<>`)."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    return graph


def _file_of(iri: Node) -> Path:
    return Path(str(iri).removeprefix("file://"))


def _relative(iri: str) -> str:
    return iri.removeprefix(_SUITE_IRI)


def collect_cases(manifest: Path = SUITE / "manifest.ttl") -> list[Case]:
    """Every entry reachable from the top manifest through mf:include, in order."""
    graph = parsed(manifest)
    cases: list[Case] = []
    top = URIRef(manifest.as_uri())
    for include in sorted(graph.objects(top, MF.include)):
        cases.extend(collect_cases(_file_of(include)))
    for entries in graph.objects(top, MF.entries):
        for entry in Collection(graph, entries):
            action = graph.value(entry, MF.action)
            cases.append(
                Case(
                    id=_relative(str(entry)),
                    label=str(graph.value(entry, RDFS.label) or ""),
                    status=_relative(str(graph.value(entry, MF.status))).rsplit("#", 1)[-1],
                    data_file=_file_of(graph.value(action, SHT.dataGraph)),
                    shapes_file=_file_of(graph.value(action, SHT.shapesGraph)),
                    manifest_file=manifest,
                    entry=entry,
                )
            )
    return cases


with warnings.catch_warnings():
    # or-datatypes-001 holds "none"^^xsd:boolean on purpose; rdflib warns as it parses it.
    warnings.filterwarnings("ignore", "Parsing weird boolean", UserWarning)
    CASES = collect_cases()


# --- describing terms and results in a stable, readable way ------------------------------------


def describe(term: Node | None, graph: Graph, depth: int = 0) -> str:
    """A term as prefixed text; a blank node by its sorted outgoing triples (two levels)."""
    if term is None:
        return "-"
    if isinstance(term, BNode):
        if depth >= 2:
            return "[]"
        if graph.value(term, RDF.first) is not None:
            return "(" + " ".join(describe(item, graph, depth + 1) for item in Collection(graph, term)) + ")"
        pairs = sorted(f"{describe(p, graph, depth + 1)} {describe(o, graph, depth + 1)}" for p, o in graph.predicate_objects(term))
        return "[" + " ; ".join(pairs) + "]"
    if isinstance(term, URIRef) and str(term).startswith(_SUITE_IRI):
        return f"<{_relative(str(term))}>"
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return json.dumps(str(term), ensure_ascii=False)
    try:
        return term.n3(graph.namespace_manager)
    except Exception:  # noqa: BLE001 - a prefixed name may not fit; the full IRI always does
        return term.n3()


def describe_result(result: ValidationResult, graph: Graph) -> str:
    component = describe(result.component, graph).removesuffix("ConstraintComponent")
    path = result.path
    if isinstance(path, Literal):  # a complex path, already in SPARQL syntax with full IRIs
        path_text = str(path)
    else:
        path_text = describe(path, graph)
    return (
        f"focus={describe(result.focus, graph)} path={path_text} value={describe(result.value, graph)} "
        f"component={component} severity={describe(result.severity, graph)}"
    )


# --- running a case -------------------------------------------------------------------------------


def expected_outcome(case: Case) -> tuple[str, bool | None, Counter]:
    """("failure", None, {}) or ("report", conforms, multiset of result keys)."""
    graph = parsed(case.manifest_file)
    result = graph.value(case.entry, MF.result)
    if result == SHT.Failure:
        return "failure", None, Counter()
    conforms = graph.value(result, SH.conforms)
    results = [result_from_node(graph, node) for node in graph.objects(result, SH.result)]
    return "report", bool(conforms.toPython()), Counter(r.key() for r in results)


def observed_difference(case: Case, validator: str) -> dict:
    """How `validator`'s outcome on `case` differs from the expected one ({} when it does not)."""
    data, shapes = parsed(case.data_file), parsed(case.shapes_file)
    kind, conforms, expected = expected_outcome(case)
    try:
        report = VALIDATORS[validator](data, shapes)
    except Exception as error:  # noqa: BLE001 - a refusal to run is the expected outcome of a failure case
        if kind == "failure":
            return {}
        return {"error": f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200] if str(error).strip() else ''}"}
    if kind == "failure":
        return {"error": f"returned a report (conforms={str(report.conforms).lower()}, {len(report.results)} results) instead of failing"}
    difference: dict = {}
    if report.conforms != conforms:
        difference["conforms"] = {"expected": conforms, "actual": report.conforms}
    actual = Counter(r.key() for r in report.results)
    by_key = {r.key(): r for r in report.results}
    graph = parsed(case.manifest_file)
    for node in graph.objects(graph.value(case.entry, MF.result), SH.result):
        expected_result = result_from_node(graph, node)
        by_key.setdefault(expected_result.key(), expected_result)
    missing = sorted(describe_result(by_key[k], data) for k in (expected - actual).elements())
    unexpected = sorted(describe_result(by_key[k], data) for k in (actual - expected).elements())
    if missing:
        difference["missing"] = missing
    if unexpected:
        difference["unexpected"] = unexpected
    return difference


def known_differences() -> dict[tuple[str, str], dict]:
    entries = tomllib.loads(KNOWN.read_text("utf-8")).get("difference", [])
    known = {}
    for entry in entries:
        key = (entry["validator"], entry["case"])
        assert key not in known, f"{key} is listed twice in {KNOWN.name}"
        assert entry.get("why", "").strip(), f"{key} in {KNOWN.name} does not say why"
        known[key] = {k: v for k, v in entry.items() if k not in ("validator", "case", "why")}
    return known


KNOWN_DIFFERENCES = known_differences()


# --- the tests --------------------------------------------------------------------------------


def test_the_suite_is_all_there():
    """The copy holds the whole suite: 98 Core and 22 SHACL-SPARQL cases (7 of them expect a
    failure), ids unique."""
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert sum(1 for i in ids if i.startswith("core/")) == 98
    assert sum(1 for i in ids if i.startswith("sparql/")) == 22


def test_known_differences_name_real_cases():
    ids = {case.id for case in CASES}
    for validator, case in KNOWN_DIFFERENCES:
        assert validator in VALIDATORS, validator
        assert case in ids, case


@pytest.mark.parametrize("validator", sorted(VALIDATORS))
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_w3c_case(case: Case, validator: str):
    observed = observed_difference(case, validator)
    known = KNOWN_DIFFERENCES.get((validator, case.id), {})
    assert observed == known, (
        f"{validator} on {case.id} ({case.label}): the difference from the expected report is not the "
        f"one recorded in {KNOWN.name}.\nobserved: {json.dumps(observed, indent=1, ensure_ascii=False)}\n"
        f"recorded: {json.dumps(known, indent=1, ensure_ascii=False)}"
    )


# --- `python tests/test_w3c_shacl.py`: print the current differences as TOML ------------------------


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[\n" + "".join(f"    {_toml_value(v)},\n" for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def main() -> None:
    passed = Counter()
    for validator in sorted(VALIDATORS):
        for case in CASES:
            difference = observed_difference(case, validator)
            suite = case.id.split("/", 1)[0]
            if not difference:
                passed[(validator, suite)] += 1
                continue
            why = "TODO"
            print("[[difference]]")
            print(f'validator = "{validator}"')
            print(f'case = "{case.id}"')
            print(f"why = {_toml_value(why)}")
            for key, value in difference.items():
                print(f"{key} = {_toml_value(value)}")
            print()
    total = Counter(case.id.split("/", 1)[0] for case in CASES)
    for (validator, suite), count in sorted(passed.items()):
        print(f"# {validator} {suite}: {count} of {total[suite]} cases match the expected report", file=sys.stderr)


if __name__ == "__main__":
    main()
