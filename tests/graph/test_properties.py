"""Property-based tests (hypothesis) over generated graphs: every export format reads back to the
same graph, and validation does not depend on the order the data arrives in.

(Merge's idempotence and order-independence belong with the merge command's own tests.)
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from conflictkg.graph.canonical import canonical_quads
from conflictkg.errors import UsageError
from conflictkg.graph.serialize import serialize
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.parse import Source, parse_into
from conflictkg.graph.namespaces import CKG, CKV, KID, SCHEMA

EX = "https://example.org/"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with what trips serialisers: quotes, backslashes, newlines, tabs, non-ASCII, emoji.
# Control characters too: XML 1.0, and so RDF/XML, cannot hold most of them, and the RDF/XML
# export must then refuse (UsageError) rather than write a file nothing can read.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(['"', "'", "\\", "\n", "\t", "\r", "é", "\u0640", "😀", "<", "&", ">", "\x00", "\x07", "\x7f"]),
    max_size=20,
)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
IRIS = st.sampled_from([f"{EX}{name}" for name in ("a", "b", "event/1", "é", "x?y=1", "p%20q", "Ωmega", "frag#f")]).map(URIRef)
PREDICATES = st.sampled_from([f"{EX}{name}" for name in ("p", "q", "label", "value", "ünïcode")]).map(URIRef)
BLANKS = st.sampled_from([BNode(f"n{index}") for index in range(4)])
LITERALS = st.one_of(
    TEXT.map(Literal),
    st.tuples(TEXT, st.sampled_from(["en", "fr", "en-GB", "pt-BR"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-10**12, 10**12).map(Literal),
    st.booleans().map(Literal),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(lambda d: Literal(d, datatype=XSD.date)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**6, max_value=10**6).map(
        lambda d: Literal(Decimal(d), datatype=XSD.decimal)
    ),
)
GRAPHS = st.sampled_from([None, URIRef(f"{EX}graph/1"), URIRef(f"{EX}graph/2")])
QUADS = st.lists(
    st.tuples(st.one_of(IRIS, BLANKS), PREDICATES, st.one_of(IRIS, BLANKS, LITERALS), GRAPHS), min_size=1, max_size=25
)


def _dataset(quads) -> Dataset:
    dataset = Dataset()
    for s, p, o, g in quads:
        (dataset.default_graph if g is None else dataset.graph(g)).add((s, p, o))
    return dataset


def _normalised(quads, keep_graphs: bool) -> set:
    """Quads as canonical N-Quads terms; RDF 1.1 makes "x" and "x"^^xsd:string the same literal."""

    def plain(term):
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term))
        return term

    graphless = ((s, p, o, g if keep_graphs else None) for s, p, o, g in quads)
    return {tuple(plain(t) for t in quad) for quad in canonical_quads(graphless)}


def _read_back(data: bytes, fmt: RdfFormat, tmp_path_factory) -> Dataset:
    path = tmp_path_factory.mktemp("roundtrip") / f"data.{fmt.value}"
    path.write_bytes(data)
    dataset = Dataset(default_union=True)
    parse_into(dataset, Source(str(path), fmt))
    return dataset


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=[f.value for f in RdfFormat])
def test_every_format_round_trips_to_the_same_graph(fmt, tmp_path_factory):
    @SETTINGS
    @given(QUADS)
    def round_trip(quads):
        dataset = _dataset(quads)
        if fmt is RdfFormat.RDFXML and any(NOT_XML.search(str(o)) for _s, _p, o, _g in quads):
            with pytest.raises(UsageError, match="RDF/XML cannot hold"):
                serialize(dataset, fmt)
            return
        back = _read_back(serialize(dataset, fmt), fmt, tmp_path_factory)
        original = dataset.quads((None, None, None, None))
        assert _normalised(back.quads((None, None, None, None)), fmt.has_graphs) == _normalised(original, fmt.has_graphs)

    round_trip()


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=[f.value for f in RdfFormat])
def test_export_of_an_export_is_the_same_bytes(fmt, tmp_path_factory):
    @settings(max_examples=15, deadline=None)
    @given(QUADS)
    def stable(quads):
        if fmt is RdfFormat.RDFXML and any(NOT_XML.search(str(o)) for _s, _p, o, _g in quads):
            return
        first = serialize(_dataset(quads), fmt)
        assert serialize(_read_back(first, fmt, tmp_path_factory), fmt) == first

    stable()


# --- validation does not depend on input order --------------------------------------------------

CLAIM_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "label": st.sampled_from([Literal("a claim", lang="en"), Literal("no language")]),
        "source": st.sampled_from([KID["actor/jnim"], KID["actor/rfi"], URIRef(f"{EX}nobody")]),
        "about": st.sampled_from([KID["event/test"], URIRef(f"{EX}not-an-event")]),
        "min": st.sampled_from([Literal(31), Literal(-1), Literal("abc", datatype=XSD.integer), Literal("thirty")]),
        "status": st.sampled_from([CKV["status/reported"], CKV["status/no-such-status"]]),
        "wording": st.just(Literal("over thirty", lang="en")),
    },
)


def _claim_triples(index: int, parts: dict) -> list:
    claim = KID[f"claim/test-{index}"]
    triples = [(claim, RDF.type, CKG.Claim)]
    names = {"label": RDFS.label, "source": URIRef("http://www.w3.org/ns/prov#wasAttributedTo"),
             "about": SCHEMA.about, "min": SCHEMA.minValue, "status": CKG.claimStatus, "wording": CKG.wording}
    triples += [(claim, names[key], value) for key, value in parts.items()]
    return triples


@pytest.mark.parametrize("validator", ["pyshacl", "fast"])
def test_validation_does_not_depend_on_input_order(validator):
    from conflictkg.checks.shapes import validate

    # pySHACL takes about 2 s a validation here, the fast validator a tenth of that
    examples = 2 if validator == "pyshacl" else 10

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(CLAIM_PARTS, min_size=1, max_size=4), st.randoms(use_true_random=False))
    def same_results(claims, random):
        triples = [t for index, parts in enumerate(claims) for t in _claim_triples(index, parts)]
        triples.append((KID["event/test"], RDF.type, CKG.Attack))
        shuffled = list(triples)
        random.shuffle(shuffled)
        reports = []
        for order in (triples, shuffled):
            dataset = Dataset()
            graph = dataset.graph(URIRef(f"{EX}graph/claims"))
            for triple in order:
                graph.add(triple)
            reports.append(validate(dataset, validator=validator))
        first, second = reports
        assert first.conforms == second.conforms
        assert [r.key() for r in first.results] == [r.key() for r in second.results]
        assert not first.conforms  # the generated data always breaks some shape (no event label)

    same_results()


def test_rdfxml_refuses_what_xml_cannot_hold():
    """XML 1.0 has no way to write most control characters: rdflib writes an unreadable file."""
    dataset = _dataset([(URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("bell\x07"), None)])
    with pytest.raises(UsageError, match="RDF/XML cannot hold the character U\\+0007"):
        serialize(dataset, RdfFormat.RDFXML)
