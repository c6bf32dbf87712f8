"""TODO: split from store.py."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from abc import ABC, abstractmethod
from contextlib import contextmanager
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node
from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from conflictkg.stores.base import DEFAULT_STORE, LoadReport, Store, _move_default_graph
from conflictkg.stores.memory import MemoryStore
from conflictkg.stores.oxigraph import OxigraphStore
from conflictkg.stores.remote import SparqlStore


# ---------------------------------------------------------------------------------------------
# Choosing a store


def open_store(spec: str | None) -> Store:
    """The store a `--store` value names."""
    spec = (spec or DEFAULT_STORE).strip()
    kind, sep, rest = spec.partition(":")
    if spec == "memory":
        return MemoryStore()
    if kind == "oxigraph" and sep:
        if not rest:
            raise UsageError("--store oxigraph:PATH needs the folder of the database")
        return OxigraphStore(rest)
    if kind == "sparql" and sep:
        return SparqlStore.from_spec(rest)
    raise UsageError(f"unknown store {spec!r}; use memory, oxigraph:PATH or sparql:URL")


def is_memory(spec: str | None) -> bool:
    """Whether a `--store` value names the in-memory rdflib store."""
    return (spec or DEFAULT_STORE).strip() == "memory"


def load_into(
    store: Store,
    locations: Iterable[str] = (),
    input_format: str | None = None,
    with_builtin: bool = False,
    graph: str | None = None,
    ontology: bool = True,
) -> LoadReport:
    """What `conflictkg load` does: the files (or the built-in data), then the ontology in `kgr:ontology`.

    Files go first so that an empty Oxigraph database takes them through its bulk loader.
    """
    from conflictkg.stores.memory import load_dataset
    from conflictkg.graph.parse import load_ontology, new_dataset

    locations = list(locations)
    report = LoadReport()
    with store.one_load():  # files and built-in data that share a graph all end up in it
        if locations:
            report.graphs += store.load_files(locations, input_format, graph).graphs
        if with_builtin or not locations:
            builtin = load_dataset()
            if graph:
                _move_default_graph(builtin, URIRef(graph))
            report.graphs += store.load_dataset(builtin).graphs
        if ontology:
            shipped = new_dataset()
            shipped.graph(ONTOLOGY_GRAPH).__iadd__(load_ontology())
            report.graphs += store.load_dataset(shipped).graphs
    if locations and isinstance(store, OxigraphStore):
        # Files went in through Oxigraph's own loader, not load_dataset: derive the claim
        # relations of everything now in the database, in the database (argument.py).
        from conflictkg.inference.claim_relations import RELATIONS_GRAPH
        from conflictkg.stores.rules import add_claim_relations_in_store

        derived = add_claim_relations_in_store(store.store)
        if derived:
            report.graphs.append((RELATIONS_GRAPH, derived))
    return report


_DISPLAY_PREFIXES = {
    "event": "id/event/", "actor": "id/actor/", "place": "id/place/", "claim": "id/claim/", "source": "id/source/",
    "et": "vocab/event-type/", "cas": "vocab/casualty/", "ck": "vocab/claim-kind/", "st": "vocab/status/",
    "prec": "vocab/precision/",
}


def display_namespaces():
    """A namespace manager for printing store answers: our prefixes plus the short ones the built-in data uses."""
    from conflictkg.graph.namespaces import bind_prefixes

    graph = bind_prefixes(Graph())
    for prefix, path in _DISPLAY_PREFIXES.items():
        graph.bind(prefix, "https://w3id.org/conflictkg/" + path, override=True, replace=True)
    return graph.namespace_manager
