"""Differential test: pySHACL and the fast validator give the same results on our own data.

Both validators run, through `validate(..., validator=...)`, on the built-in data and on every
broken fixture in tests/fixtures/broken/. They must agree on sh:conforms and on the multiset of
(focus node, path, value, source constraint component, severity) of the results. Where they are
known to differ, tests/validator-differences.toml records the exact difference and why; the
test asserts that exactly those differ, so a fix and a new disagreement both fail it.
`python tests/checks/test_validators_agree.py` prints the current differences as TOML.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.term import Node

from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.namespaces import bind_prefixes
from conflictkg.checks.shapes import ValidationReport, ValidationResult, validate

TESTS = Path(__file__).resolve().parents[1]
BROKEN = TESTS / "fixtures" / "broken"
KNOWN = TESTS / "validator-differences.toml"
BUILTIN = "builtin"


def fixture_names() -> list[str]:
    """Every broken fixture: the files the manifest names and any other Turtle file there."""
    names = {path.name for path in BROKEN.glob("*.ttl")}
    manifest = BROKEN / "manifest.toml"
    if manifest.exists():
        names |= {case["file"] for case in tomllib.loads(manifest.read_text("utf-8")).get("case", [])}
    return sorted(names)


CASES = [BUILTIN, *fixture_names()]

_NM = bind_prefixes(Graph())
_NM.bind("ex", "https://w3id.org/conflictkg/id/test/")
_NM.bind("cks", "https://w3id.org/conflictkg/shapes#")


def _describe(term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, Literal) and term.datatype is None and not term.language and term.value is not None:
        return json.dumps(str(term), ensure_ascii=False)
    return term.n3(_NM.namespace_manager)


def describe_result(result: ValidationResult) -> str:
    path = str(result.path) if isinstance(result.path, Literal) else _describe(result.path)
    component = _describe(result.component).removesuffix("ConstraintComponent")
    return (
        f"focus={_describe(result.focus)} path={path} value={_describe(result.value)} "
        f"component={component} severity={_describe(result.severity)}"
    )


def reports(case: str) -> tuple[ValidationReport, ValidationReport]:
    dataset = load_dataset() if case == BUILTIN else load_dataset([str(BROKEN / case)])
    return validate(dataset, validator="pyshacl"), validate(dataset, validator="fast")


def difference(pyshacl: ValidationReport, fast: ValidationReport) -> dict:
    """How the fast validator's report differs from pySHACL's ({} when they agree)."""
    found: dict = {}
    if pyshacl.conforms != fast.conforms:
        found["conforms"] = {"pyshacl": pyshacl.conforms, "fast": fast.conforms}
    reference, other = Counter(r.key() for r in pyshacl.results), Counter(r.key() for r in fast.results)
    by_key = {r.key(): r for r in [*pyshacl.results, *fast.results]}
    only_pyshacl = sorted(describe_result(by_key[k]) for k in (reference - other).elements())
    only_fast = sorted(describe_result(by_key[k]) for k in (other - reference).elements())
    if only_pyshacl:
        found["only_pyshacl"] = only_pyshacl
    if only_fast:
        found["only_fast"] = only_fast
    return found


def known_differences() -> dict[str, dict]:
    known = {}
    for entry in tomllib.loads(KNOWN.read_text("utf-8")).get("difference", []):
        assert entry["case"] not in known, f"{entry['case']} is listed twice in {KNOWN.name}"
        assert entry.get("why", "").strip(), f"{entry['case']} in {KNOWN.name} does not say why"
        known[entry["case"]] = {k: v for k, v in entry.items() if k not in ("case", "why")}
    return known


KNOWN_DIFFERENCES = known_differences()


def test_there_are_fixtures_and_the_known_differences_name_them():
    assert len(CASES) > 40, "the broken fixtures are missing"
    assert set(KNOWN_DIFFERENCES) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_validators_agree(case: str):
    pyshacl, fast = reports(case)
    assert (pyshacl.validator, fast.validator) == ("pyshacl", "fast")
    observed = difference(pyshacl, fast)
    known = KNOWN_DIFFERENCES.get(case, {})
    assert observed == known, (
        f"on {case} the validators differ otherwise than {KNOWN.name} records.\n"
        f"observed: {json.dumps(observed, indent=1, ensure_ascii=False)}\n"
        f"recorded: {json.dumps(known, indent=1, ensure_ascii=False)}"
    )
    if case != BUILTIN:
        assert not pyshacl.conforms, f"the broken fixture {case} conforms (pySHACL)"


def test_fast_messages_are_the_shapes_own():
    """Where a shape has sh:message, both validators report it, word for word."""
    pyshacl, fast = reports("claim-two-sources.ttl")
    assert [r.message for r in fast.results] == [r.message for r in pyshacl.results]
    assert all("exactly one source agent" in r.message for r in fast.results)


def main() -> None:
    for case in CASES:
        found = difference(*reports(case))
        if found:
            print("[[difference]]")
            print(f"case = {json.dumps(case)}")
            print('why = "TODO"')
            for key, value in found.items():
                print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            print()


if __name__ == "__main__":
    main()
