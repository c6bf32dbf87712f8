"""Where the graph lives: one `Store` interface, with stores in memory (rdflib), in an embedded Oxigraph database and on a SPARQL 1.1 server.

One option picks the store (`--store SPEC`):

- `memory` (default): an rdflib Dataset built from `--data` (or the built-in data) for one command.
- `oxigraph:PATH`: an embedded, persistent pyoxigraph Store in the folder PATH.
- `sparql:URL`: any server speaking the SPARQL 1.1 Protocol and the Graph Store Protocol.
  `sparql:http://host:7878` is read as an Oxigraph server (`/query`, `/update`, `/store`);
  other servers are named endpoint by endpoint, e.g. Fuseki
  `sparql:query=http://h:3030/ds/query,update=http://h:3030/ds/update,store=http://h:3030/ds/data`.
  An optional `union=` key (`auto`, `param`, `graphs`, `server`) says how queries see all
  graphs at once (see `SparqlStore`).

Every store offers the same interface (`conflictkg.stores.base.Store`); the command line opens
one with `open_store` and calls its methods, never asking which kind it has. Loading replaces
each named graph the input brings, and either replaces it whole or leaves it as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conflictkg.errors import UsageError
from conflictkg.guard import network
from conflictkg.stores.base import (
    DEFAULT_STORE,
    STORE_HELP,
    Conformance,
    LoadReport,
    Store,
    display_namespaces,
    display_prefixes,
)
from conflictkg.stores.memory import MemoryStore
from conflictkg.stores.oxigraph import OxigraphStore
from conflictkg.stores.remote import Endpoints, SparqlStore, parse_sparql_spec


def open_store(
    spec: str | None,
    data: Iterable[str] = (),
    input_format: str | None = None,
    with_builtin: bool = False,
    for_loading: bool = False,
) -> Store:
    """The store a `--store` value names.

    The memory store is built from `data` (or the built-in data) when first read; the others
    hold their data already, so `data` belongs to `conflictkg load` (`for_loading`) there. A
    remote store's URLs are the network the user asked for, and are permitted.
    """
    spec = (spec or DEFAULT_STORE).strip()
    kind, sep, rest = spec.partition(":")
    data = list(data)
    if spec == "memory":
        if for_loading:
            raise UsageError("conflictkg load needs --store oxigraph:PATH or --store sparql:URL (the memory store ends with the command)")
        return MemoryStore.from_files(data, input_format, with_builtin)
    if (data or with_builtin) and not for_loading:
        raise UsageError("--data and --with-builtin work with --store memory; put files into a store with `conflictkg load --store SPEC`")
    if kind == "oxigraph" and sep:
        if not rest:
            raise UsageError("--store oxigraph:PATH needs the folder of the database")
        return OxigraphStore(rest, create=for_loading)  # only `load` makes a database; a typo elsewhere is an error
    if kind == "sparql" and sep:
        for url in re.findall(r"https?://[^\s,]+", rest):
            network.permit_url(url)
        return SparqlStore.from_spec(rest)
    raise UsageError(f"unknown store {spec!r}; use memory, oxigraph:PATH or sparql:URL")


__all__ = [
    "DEFAULT_STORE", "Conformance", "Endpoints", "LoadReport", "MemoryStore", "OxigraphStore", "STORE_HELP",
    "SparqlStore", "Store", "display_namespaces", "display_prefixes", "open_store", "parse_sparql_spec",
]
