"""Nanopublications that nanopub tools accept: every one passes the `nanopub` package's own checks
(its structure validation and its trusty-URI verification), has a licence, and is the same every run.

The data are the built-in article graph and a real UCDP GED 23.1 slice (tests/fixtures/ucdp, CC BY 4.0).
Nothing here contacts a nanopub server: the package reads the files from disk.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from nanopub import Nanopub
from nanopub.sign_utils import verify_trusty
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from conflictkg.exchange.exporters import nanopub_files
from conflictkg.exchange.exporters.nanopub import read
from conflictkg.exchange.importers import ImportOptions, import_csv, importer_for
from conflictkg.stores.dataset import load_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC_BY_SA = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")


@pytest.fixture(scope="module")
def builtin():
    return load_dataset()


@pytest.fixture(scope="module")
def ucdp(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ucdp")
    rows = (FIXTURES / "ucdp" / "ged231-sample-slice.csv").read_text("utf-8").splitlines(keepends=True)
    source = folder / "ged231-first-rows.csv"
    source.write_text("".join(rows[:4]), "utf-8")  # the header and the first three real rows (one line each)
    out = folder / "ucdp.trig"
    import_csv(importer_for("ucdp"), source, str(out),
               options=ImportOptions(now=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)))
    return load_dataset([str(out)], with_builtin=False)


def checked_by_nanopub(files: dict[str, bytes], folder: Path) -> list[Nanopub]:
    """Each file read and checked by the nanopub package: structure (is_valid) and trusty URI."""
    found = []
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # its check builds IRIs with a space on purpose
    # The nanopub package turns rdflib's literal normalisation off when imported (a trusty hash is over
    # the lexical forms as written: "...Z" must not become "...+00:00"); pySHACL turns it back on when it
    # runs, so in a test process that validated anything before, the package's own setting is restored.
    import rdflib

    normalising, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return _checked(files, folder, found)
    finally:
        rdflib.NORMALIZE_LITERALS = normalising


def _checked(files: dict[str, bytes], folder: Path, found: list) -> list[Nanopub]:
    for name, data in sorted(files.items()):
        path = folder / name
        path.write_bytes(data)
        publication = Nanopub(rdf=path)
        assert publication.is_valid, name
        assert publication.source_uri and publication.metadata.trusty, name
        assert verify_trusty(publication.rdf, publication.source_uri, publication.metadata.namespace), name
        found.append(publication)
    return found


def test_every_builtin_nanopublication_passes_the_nanopub_package(builtin, tmp_path):
    files = nanopub_files(builtin)
    found = checked_by_nanopub(files, tmp_path)
    assert len(found) == 21
    for publication in found:
        assert str(publication.source_uri).startswith("https://w3id.org/conflictkg/id/np/")
        assert (URIRef(publication.source_uri), DCTERMS.license, CC_BY_SA) in publication.pubinfo
        # The article's data give no time: none is written (never the clock).
        assert not list(publication.pubinfo.objects(URIRef(publication.source_uri), DCTERMS.created))


def test_every_ucdp_nanopublication_passes_and_carries_ucdps_licence_and_time(ucdp, tmp_path):
    found = checked_by_nanopub(nanopub_files(ucdp), tmp_path)
    assert len(found) == 3 * 5  # each row: the total and the four per-side figures
    for publication in found:
        this = URIRef(publication.source_uri)
        assert (this, DCTERMS.license, CC_BY) in publication.pubinfo
        # The creation time is the import's (its provenance), not the clock.
        assert (this, DCTERMS.created, Literal("2026-01-02T03:04:05Z", datatype=XSD.dateTime, normalize=False)) in publication.pubinfo


def test_nanopublications_are_the_same_every_run_and_change_with_their_content(builtin, tmp_path):
    first, second = nanopub_files(builtin), nanopub_files(builtin)
    assert first == second
    later = nanopub_files(builtin, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not set(later) & set(first)  # another creation time is another nanopublication: another trusty URI
    for data in later.values():
        [publication] = read(data)
        created = publication.pubinfo.value(publication.iri, DCTERMS.created)  # its lexical form depends on rdflib's global normalising
        assert created.datatype == XSD.dateTime and created.toPython() == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    checked_by_nanopub(dict(sorted(later.items())[:3]), tmp_path)


def test_a_changed_nanopublication_fails_the_trusty_check(builtin, tmp_path):
    name, data = min(nanopub_files(builtin).items())
    changed = data.replace(b'"Nanopublication of the claim', b'"Changed nanopublication of the claim')
    path = tmp_path / name
    path.write_bytes(changed)
    publication = Nanopub(rdf=path)
    with pytest.raises(Exception, match="not valid"):
        verify_trusty(publication.rdf, publication.source_uri, publication.metadata.namespace)
    assert len(read(changed)) == 1  # still well formed: only the hash tells
