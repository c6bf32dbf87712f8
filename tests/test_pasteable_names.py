"""Every prefixed name the tool prints can be pasted into SPARQL and Turtle, with a prefix the endpoint knows."""

from __future__ import annotations

import re

import pytest
from pyparsing import ParseException
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from conflictkg.queries.saved import saved_queries
from conflictkg.queries.tables import cell_text, is_prefixed_name
from conflictkg.stores import display_namespaces, display_prefixes

# a token that reads as a prefixed name: a short lower-case prefix, a colon, a local part
NAME = re.compile(r"(?<![\w:/<\"'.@-])([a-z][a-z0-9]{0,11}):([^\s|,;()\[\]{}<>\"'“”]+)")
NOT_NAMES = {"http", "https", "urn", "mailto", "file"}


def printed_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = re.sub(r"\"[^\"]*\"|“[^”]*”|<[^>\s]*>", " ", line)  # literals and full IRIs are not names
        for match in NAME.finditer(line):
            if match.group(1) in NOT_NAMES:
                continue
            name = match.group(0)
            names.add(name.rstrip(".") if name.endswith(".") and not is_prefixed_name(name) else name)  # a sentence's full stop
    return names


def assert_pasteable(names: set[str]) -> None:
    prefixes = display_prefixes()
    turtle_head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items())
    for name in sorted(names):
        assert name.split(":")[0] in prefixes, f"{name}: the endpoint does not know this prefix"
        prepareQuery(f"SELECT * WHERE {{ {name} ?p ?o }}", initNs=prefixes)  # raises on a name SPARQL cannot read
        Graph().parse(data=turtle_head + f"{name} <urn:x:p> <urn:x:o> .\n", format="turtle")


def test_the_check_finds_names_and_rejects_bad_ones():
    assert printed_names("claim:rfi-killed | 30 | actor:rfi\nkid:actor/rfi") == {"claim:rfi-killed", "actor:rfi", "kid:actor/rfi"}
    with pytest.raises(ParseException):
        assert_pasteable({"kid:actor/rfi"})
    with pytest.raises(AssertionError):
        assert_pasteable({"foaf:name"})


def test_every_prefixed_name_printed_by_the_command_line_parses(run_cli, builtin_dataset):
    """Every saved query (with its defaults) as `conflictkg query` prints it, summary and evidence."""
    from conflictkg.queries.tables import format_result
    from conflictkg.stores import MemoryStore

    store = MemoryStore(builtin_dataset)  # what `conflictkg query NAME` formats, without reloading per query
    names = set()
    for name, query in sorted(saved_queries().items()):
        names |= printed_names(format_result(store.query(query, {}), "table", store.namespace_manager).decode("utf-8"))
    for command in (["summary"], ["evidence", "claim:rfi-killed"], ["evidence", "event:kwala-attack"], ["query", "casualty-claims"]):
        result = run_cli(*command)
        assert result.status in (0, 1), (command, result.stderr)
        names |= printed_names(result.stdout)
    assert {"claim:rfi-killed", "actor:rfi", "event:kwala-attack"} <= names
    assert_pasteable(names)


def test_names_of_imported_and_odd_iris_are_written_whole():
    from rdflib import URIRef

    names = display_namespaces()
    for iri in ("https://w3id.org/conflictkg/id/event/acled-2381ffbdcc5d/MLI990001",
                "https://w3id.org/conflictkg/id/claim/ends-with-a-dot.",
                "https://w3id.org/conflictkg/id/actor/rfi"):
        text = cell_text(URIRef(iri), names)
        assert text == f"<{iri}>" or is_prefixed_name(text)
        if not text.startswith("<"):
            assert_pasteable({text})
