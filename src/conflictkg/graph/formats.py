"""The RDF formats we read and write, and how a file name's extension selects one."""

from __future__ import annotations

from enum import Enum
from pathlib import PurePath


class RdfFormat(Enum):
    """An RDF serialisation: value is the short name users type; `rdflib_name` is rdflib's."""

    TURTLE = "ttl"
    NTRIPLES = "nt"
    NQUADS = "nq"
    TRIG = "trig"
    JSONLD = "jsonld"
    RDFXML = "rdf"

    @property
    def rdflib_name(self) -> str:
        return _RDFLIB_NAMES[self]

    @property
    def has_graphs(self) -> bool:
        """Whether the format carries named graphs (otherwise a data set is flattened)."""
        return self in (RdfFormat.NQUADS, RdfFormat.TRIG, RdfFormat.JSONLD)

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_RDFLIB_NAMES = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.NTRIPLES: "nt",
    RdfFormat.NQUADS: "nquads",
    RdfFormat.TRIG: "trig",
    RdfFormat.JSONLD: "json-ld",
    RdfFormat.RDFXML: "xml",
}

_MEDIA_TYPES = {
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.NTRIPLES: "application/n-triples",
    RdfFormat.NQUADS: "application/n-quads",
    RdfFormat.TRIG: "application/trig",
    RdfFormat.JSONLD: "application/ld+json",
    RdfFormat.RDFXML: "application/rdf+xml",
}

_SUFFIXES = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".nt": RdfFormat.NTRIPLES,
    ".ntriples": RdfFormat.NTRIPLES,
    ".nq": RdfFormat.NQUADS,
    ".nquads": RdfFormat.NQUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSONLD,
    ".json": RdfFormat.JSONLD,
    ".rdf": RdfFormat.RDFXML,
    ".owl": RdfFormat.RDFXML,
    ".xml": RdfFormat.RDFXML,
}

_ALIASES = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.NTRIPLES,
    "n-triples": RdfFormat.NTRIPLES,
    "nquads": RdfFormat.NQUADS,
    "n-quads": RdfFormat.NQUADS,
    "json-ld": RdfFormat.JSONLD,
    "json": RdfFormat.JSONLD,
    "xml": RdfFormat.RDFXML,
    "rdfxml": RdfFormat.RDFXML,
}


def format_named(name: str) -> RdfFormat:
    """The format a user named ("ttl", "turtle", "jsonld", …); ValueError if none."""
    key = name.strip().lower()
    for fmt in RdfFormat:
        if fmt.value == key:
            return fmt
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown RDF format {name!r}; known: {', '.join(f.value for f in RdfFormat)}")


def format_for_path(path: str | PurePath) -> RdfFormat | None:
    """The format a file name's extension selects (ignoring a trailing .gz), or None."""
    name = PurePath(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return _SUFFIXES.get(PurePath(name).suffix)
