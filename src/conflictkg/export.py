"""Serialises a data set as Turtle, N-Triples, N-Quads, TriG, RDF/XML or (framed) JSON-LD."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Dataset

from .errors import UsageError
from .formats import RdfFormat
from .load import union_graph
from .resources import resource_file

CONTEXT_FILE = "context.jsonld"
FRAMES = {"event": "frame-event.jsonld"}


def serialize(dataset: Dataset, fmt: RdfFormat) -> bytes:
    """`dataset` in `fmt`; formats without named graphs get the union of all graphs."""
    if fmt is RdfFormat.JSONLD:
        return serialize_jsonld(dataset)
    if fmt.has_graphs:
        return dataset.serialize(format=fmt.rdflib_name, encoding="utf-8")
    return union_graph(dataset).serialize(format=fmt.rdflib_name, encoding="utf-8")


def jsonld_context() -> dict[str, Any]:
    """The shipped JSON-LD context (`ontology/context.jsonld`) as a dict."""
    document = json.loads(resource_file("ontology", CONTEXT_FILE).read_text("utf-8"))
    return document.get("@context", document)


def serialize_jsonld(dataset: Dataset) -> bytes:
    """JSON-LD compacted with the shipped context; named graphs stay named graphs."""
    return dataset.serialize(format="json-ld", context=jsonld_context(), auto_compact=True, indent=2, encoding="utf-8")


def serialize_framed(dataset: Dataset, frame_name: str) -> bytes:
    """One nested JSON-LD document per framed node, using a frame shipped in `ontology/`."""
    from pyld import jsonld

    if frame_name not in FRAMES:
        raise UsageError(f"no frame named {frame_name!r}; known: {', '.join(sorted(FRAMES))}")
    frame = json.loads(resource_file("ontology", FRAMES[frame_name]).read_text("utf-8"))
    frame["@context"] = jsonld_context()  # the file names context.jsonld; pyld must not fetch it
    expanded = json.loads(union_graph(dataset).serialize(format="json-ld"))
    framed = jsonld.frame(expanded, frame, options={"documentLoader": _refuse_remote_documents})
    return (json.dumps(framed, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _refuse_remote_documents(url: str, options: dict | None = None) -> dict:
    raise UsageError(f"refusing to fetch the remote JSON-LD document {url}")
