"""A short fuzzing run of each parser entry point: random bytes, and valid documents with bytes
flipped, inserted or cut, go through `load.parse_into` for every format. Anything other than
success or an `InputError` (one line, naming the file) is a crash; crashes found become fixtures
in tests/fixtures/bad-input/ (see manifest.toml)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset

from conflictkg.guard import network as safety
from conflictkg.errors import InputError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.parse import Source, parse_into

SEEDS = {
    RdfFormat.TURTLE: b'@prefix ex: <https://example.org/> .\nex:a ex:p "x"@en , 3 , ( ex:b [ ex:q 1.5 ] ) ;\n  ex:r """long\ntext""" .\n',
    RdfFormat.TRIG: b'@prefix ex: <https://example.org/> .\nex:g { ex:a ex:p "x" . _:b ex:q ex:a . }\nex:a ex:p 2 .\n',
    RdfFormat.NTRIPLES: b'<https://example.org/a> <https://example.org/p> "x\\n\\u00e9"@fr .\n_:b <https://example.org/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    RdfFormat.NQUADS: b'<https://example.org/a> <https://example.org/p> "x" <https://example.org/g> .\n_:b <https://example.org/q> <https://example.org/a> .\n',
    RdfFormat.JSONLD: b'{"@context": {"ex": "https://example.org/", "name": "ex:name"}, "@id": "ex:a", "name": ["x", {"@value": "y", "@language": "en"}], "ex:list": {"@list": [1, 2]}, "@graph": [{"@id": "ex:b", "ex:p": {"@id": "ex:a"}}]}\n',
    RdfFormat.RDFXML: b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ex "https://example.org/">]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">\n<rdf:Description rdf:about="&ex;a"><ex:p xml:lang="en">x</ex:p><ex:q rdf:parseType="Resource"><ex:r>1</ex:r></ex:q></rdf:Description>\n</rdf:RDF>\n',
}


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        if action == "flip" and where < len(data):
            data[where] = draw(st.integers(0, 255))
        elif action == "insert":
            data[where:where] = draw(st.sampled_from([b"<", b">", b'"', b"{", b"}", b"[", b"]", b"(", b"@", b"&", b"\\", b"\x00", b"\xff", b"_:", b"^^", b".", b"\n", b"&ex;", b"<!ENTITY x \"&ex;&ex;\">"]))
        elif action == "delete" and where < len(data):
            del data[where]
        elif action == "cut":
            del data[where:]
    return bytes(data)


@pytest.mark.parametrize("fmt", list(SEEDS), ids=[f.value for f in SEEDS])
def test_parser_never_crashes(fmt, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fuzz-{fmt.value}")
    path = folder / f"input.{fmt.value}"

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(st.one_of(st.binary(max_size=300), mutated(SEEDS[fmt])))
    def fuzz(data: bytes):
        path.write_bytes(data)
        with safety.policy():
            try:
                parse_into(Dataset(default_union=True), Source(str(path), fmt))
            except InputError as error:
                message = str(error)
                assert message.startswith(str(path)), message
                assert "\n" not in message.strip(), message

    fuzz()


def test_the_seeds_themselves_parse():
    for fmt, seed in SEEDS.items():
        dataset = Dataset(default_union=True)
        parse_into(dataset, Source(f"seed.{fmt.value}", fmt), seed.decode("utf-8"))
        assert len(dataset) >= 2, fmt
