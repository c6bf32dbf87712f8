"""Exports the graph in the forms of the systems users merge with: Wikidata, QuickStatements, UCDP GED, ACLED and nanopublications."""

from __future__ import annotations

import datetime as dt

from rdflib import Dataset

from conflictkg.errors import UsageError
from conflictkg.graph.formats import RdfFormat

NAMES = ("wikidata", "quickstatements", "ucdp", "acled", "nanopub")
DESCRIPTIONS = {
    "wikidata": "events and casualty figures in Wikidata's RDF statement model (Turtle unless --format)",
    "quickstatements": "the same statements as QuickStatements v1 text, for review before upload",
    "ucdp": "one CSV row per event in UCDP GED's column layout (low / best / high by the documented rule)",
    "acled": "one CSV row per event in ACLED's export layout (the lowest reported figure; all figures in notes)",
    "nanopub": "one nanopublication per claim (head, assertion, provenance, pubinfo graphs) with a trusty URI, one TriG file each in the folder -o",
}


def export(dataset: Dataset, name: str, fmt: RdfFormat | None = None, created: dt.datetime | None = None) -> bytes:
    """`dataset` in the interchange form `name` (one of NAMES). `fmt` chooses the RDF syntax of the
    Wikidata export; `created` the publication time written into nanopublications (default: the
    latest time the data's provenance gives; never the clock). Nanopublications come as one TriG
    stream here; `nanopub_files` gives them one per file, as nanopub tools read them."""
    if name not in NAMES:
        raise UsageError(f"no export named {name!r}; choose one of {', '.join(NAMES)}")
    if fmt is not None and name != "wikidata" and not (name == "nanopub" and fmt is RdfFormat.TRIG):
        raise UsageError(f"--format does not apply to --as {name} (it writes {_written(name)})")
    if name == "nanopub":
        from conflictkg.exchange.exporters.nanopub import export as nanopub_export

        return nanopub_export(dataset, created)
    from conflictkg.exchange.exporters.common import graph_for_export

    graph = graph_for_export(dataset)
    if name == "wikidata":
        from conflictkg.exchange.exporters.wikidata import export_rdf

        if fmt is not None and fmt.has_graphs and fmt is not RdfFormat.JSONLD:
            raise UsageError("the Wikidata export is one graph: use ttl, nt, jsonld or rdf")
        return export_rdf(graph, (fmt or RdfFormat.TURTLE).rdflib_name)
    if name == "quickstatements":
        from conflictkg.exchange.exporters.wikidata import export_quickstatements

        return export_quickstatements(graph)
    if name == "ucdp":
        from conflictkg.exchange.exporters.ucdp import export as ucdp_export

        return ucdp_export(graph)
    from conflictkg.exchange.exporters.acled import export as acled_export

    return acled_export(graph)


def nanopub_files(dataset: Dataset, created: dt.datetime | None = None) -> dict[str, bytes]:
    """Every claim's nanopublication as its own TriG file (name -> bytes)."""
    from conflictkg.exchange.exporters.nanopub import files

    return files(dataset, created)


def _written(name: str) -> str:
    return {"quickstatements": "QuickStatements text", "ucdp": "CSV", "acled": "CSV", "nanopub": "TriG"}[name]


__all__ = ["DESCRIPTIONS", "NAMES", "export", "nanopub_files"]
