"""The embedded Oxigraph store: bulk loading, queries, validation, claim relations and reasoning inside the database."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rdflib import Dataset, URIRef
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.errors import InputError, QueryError
from conflictkg.graph.formats import RdfFormat
from conflictkg.graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from conflictkg.guard import network
from conflictkg.stores.base import (
    OX_PREFIXES,
    RELATION_KINDS_QUERY,
    Conformance,
    LoadReport,
    Overview,
    Quad,
    Store,
    _as_saved_query,
    _failed_graph_message,
    _from_ox_graph,
    _non_empty_graphs,
    _ox_error,
    _read_bytes,
    _temporary_graph,
    disagreement_count,
    distinct_triples_query,
    relation_kinds,
)
from conflictkg.stores.memory import MemoryStore
from conflictkg.stores.reasoner import MaterializeReport

# the formats pyoxigraph's own writers produce straight from the database (fast on big stores)
_DUMPED_AS_IS = (RdfFormat.NQUADS, RdfFormat.TRIG, RdfFormat.NTRIPLES, RdfFormat.TURTLE)


class OxigraphStore(Store):
    """A pyoxigraph Store: persistent in a folder, or in memory when `path` is None.

    Queries see the union of all graphs as their default graph, like the in-memory store.
    Parameters are bound with pyoxigraph's `substitutions` (SEP-0007) when every parameter is
    projected by the query (pyoxigraph refuses others), and otherwise with a VALUES block
    (`conflictkg.queries.binding`).
    """

    kind = "oxigraph"

    def __init__(self, path: str | Path | None = None, create: bool = True) -> None:
        """Open the database in the folder `path` (None: a store in memory).

        Without `create`, the folder must hold a database already (a misspelt path is an error,
        not a new empty database). With it, a missing database is made by the first write, in a
        staging folder switched into place when complete (`conflictkg.stores.staging`), so a
        failed first load leaves no folder behind. The folder is locked against other conflictkg
        processes, and what an interrupted write left beside it is finished or removed first
        (`notices` says what was done).
        """
        self.path = None if path is None else str(path)
        self.notices: list[str] = []
        self._ox = None
        self._lock = None
        if self.path is None:
            import pyoxigraph as ox

            self._ox = ox.Store()
            return
        import conflictkg.stores.staging as staged_writes

        folder = Path(self.path).absolute()
        self._folder = folder
        exists = staged_writes.is_database(folder) or staged_writes.interrupted_switch(folder)
        if not exists:
            if not create:
                raise InputError(
                    f"{self.path}: there is no Oxigraph database there (is the path misspelt?); "
                    f"`conflictkg load --store oxigraph:{self.path}` makes one"
                )
            if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
                raise InputError(f"{self.path}: this is not an Oxigraph database, and not empty; refusing to write into it")
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InputError(f"{self.path}: cannot make the folder: {error.strerror or error}") from None
        self._lock = staged_writes.DatabaseLock(folder)
        self._lock.acquire(self.describe())
        try:
            self.notices += staged_writes.recover(folder)
            if staged_writes.is_database(folder):
                self._open()
        except BaseException:
            self._lock.release()
            raise

    def _open(self) -> None:
        import pyoxigraph as ox

        try:
            self._ox = ox.Store(str(self._folder))
        except OSError as error:
            hint = " (is it open in another conflictkg or oxigraph process?)" if "lock" in str(error).lower() else ""
            raise InputError(f"cannot open the Oxigraph database in {self.path}{hint}: {error}") from None

    @property
    def store(self):
        """The pyoxigraph Store (a database not made yet is made now, in place)."""
        if self._ox is None and self.path is not None:
            self._open()
        return self._ox

    @store.setter
    def store(self, value) -> None:
        self._ox = value

    @contextmanager
    def staged(self) -> Iterator[None]:
        """Inside the block, `self.store` is a staging copy of the database; when the block ends
        without error the copy replaces the database (one rename), else it is removed, so a write
        of many steps completes or leaves the database as it was, even after `kill -9`.
        A store in memory is written directly."""
        if self.path is None or getattr(self, "_staging", None) is not None:
            yield
            return
        import gc

        import pyoxigraph as ox

        import conflictkg.stores.staging as staged_writes

        target = staged_writes.new_staging_path(self._folder)
        with staged_writes.pending(target):
            original = self._ox
            with staged_writes.creating:  # a stop (Ctrl-C) waits for the folder to be made, then removes it
                if original is not None:
                    original.flush()
                    original.backup(str(target))  # hard links to the database's immutable files
                work = ox.Store(str(target))
            self._ox, self._staging = work, target
            try:
                yield
                work.flush()
            except BaseException:
                self._ox = original
                raise
            finally:
                self._staging = None
            del work
            self._ox = None
            original = None
            gc.collect()  # every handle on both databases is gone: RocksDB closes them
            staged_writes.switch(target, self._folder)
        self._open()

    def describe(self) -> str:
        return f"Oxigraph database in {self.path}" if self.path else "in-memory Oxigraph store"

    def is_empty(self) -> bool:
        return not self.store.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    # -- loading

    def load_dataset(self, dataset: Dataset) -> LoadReport:
        from conflictkg.graph.oxigraph import graph_quads

        report = LoadReport()
        for graph_name, graph in _non_empty_graphs(dataset):
            temporary = _temporary_graph()
            try:
                self.store.extend(graph_quads(graph, temporary))  # one transaction
                self._move(temporary, graph_name)  # one transaction
            except Exception as error:
                self._drop_quietly(temporary)
                raise InputError(_failed_graph_message(self, graph_name, report, error)) from None
            report.graphs.append((graph_name, len(graph)))
        return report

    def load_files(
        self,
        locations: Iterable[str],
        input_format: str | None = None,
        graph: str | None = None,
    ) -> LoadReport:
        """Load files with pyoxigraph's own parsers.

        Into an empty store, files go in with `Store.bulk_load` (the fast path; if one fails the
        store is emptied again, so it is left as it was). Into a store that holds data, each file
        is parsed first into a scratch store, then each graph is added under a temporary name and
        moved over its target with one SPARQL `MOVE` (a transaction), so each graph is replaced
        whole or left as it was.
        """
        import pyoxigraph as ox

        from conflictkg.graph.parse import source_for

        sources = [source_for(location, input_format) for location in locations]
        target_graph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        with self.one_load():
            return self._load_sources(sources, target_graph)

    def _load_sources(self, sources, target_graph) -> LoadReport:
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import OX_FORMATS

        report = LoadReport()
        if self.is_empty():
            for source in sources:
                fmt = OX_FORMATS[source.format]
                to_graph = None if source.format.has_graphs else target_graph
                try:
                    if source.location == "-":
                        import sys

                        data = sys.stdin.buffer.read()
                        if source.format is RdfFormat.RDFXML:
                            from conflictkg.guard.inputs import check_xml_entities

                            check_xml_entities(data.decode("utf-8", "replace"), source.display_name)
                        self.store.bulk_load(data, fmt, to_graph=to_graph)
                    else:
                        self.store.bulk_load(path=source.location, format=fmt, to_graph=to_graph)
                except (SyntaxError, OSError, ValueError) as error:
                    self.store.clear()
                    raise InputError(f"{source.display_name}: {_ox_error(error)}; the store was left empty, as it was") from None
            report.graphs = self._graph_sizes()
            for graph_name, _count in report.graphs:
                self._mark_written(graph_name)
            return report
        for source in sources:
            scratch = ox.Store()
            fmt = OX_FORMATS[source.format]
            try:
                data = _read_bytes(source)
                if source.location == "-" and source.format is RdfFormat.RDFXML:
                    from conflictkg.guard.inputs import check_xml_entities

                    check_xml_entities(data.decode("utf-8", "replace"), source.display_name)
                scratch.load(data, fmt, to_graph=None if source.format.has_graphs else target_graph)
            except (SyntaxError, ValueError) as error:
                raise InputError(f"{source.display_name}: {_ox_error(error)}; nothing was loaded from it") from None
            for graph_name in [ox.DefaultGraph(), *scratch.named_graphs()]:
                triples = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)
                if not triples:
                    continue
                name = _from_ox_graph(graph_name)
                temporary = _temporary_graph()
                try:
                    self.store.load(triples, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(temporary)))
                    self._move(temporary, name)
                except Exception as error:
                    self._drop_quietly(temporary)
                    raise InputError(_failed_graph_message(self, name, report, error)) from None
                report.graphs.append((name, triples.count(b"\n")))
        return report

    def bulk_load_path(self, path: str | Path, fmt: RdfFormat, graph: Node | None = None) -> None:
        """pyoxigraph's bulk loader on one file, as is (for benchmarks and big first loads)."""

        from conflictkg.graph.oxigraph import OX_FORMATS, to_ox_graph

        to_graph = None if fmt.has_graphs else to_ox_graph(graph)
        self.store.bulk_load(path=str(path), format=OX_FORMATS[fmt], to_graph=to_graph)

    def _move(self, temporary: URIRef, graph_name: Node | None) -> None:
        """Replace (or, if this load wrote it already, add to) `graph_name` with the temporary
        graph, in one update (one transaction)."""
        target = "DEFAULT" if graph_name is None else f"GRAPH <{graph_name}>"
        if self._already_written(graph_name):
            self.store.update(f"ADD GRAPH <{temporary}> TO {target} ; DROP GRAPH <{temporary}>")
        else:
            self.store.update(f"MOVE GRAPH <{temporary}> TO {target}")
        self._mark_written(graph_name)

    def _drop_quietly(self, temporary: URIRef) -> None:
        try:
            self.store.update(f"DROP SILENT GRAPH <{temporary}>")
        except Exception:
            pass

    def _graph_sizes(self) -> list[tuple[Node | None, int]]:
        rows = self.store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
        )
        from conflictkg.graph.oxigraph import from_ox

        return [(from_ox(row["g"]), int(row["n"].value)) for row in rows]

    def overview(self) -> Overview:
        """The counts of `conflictkg summary`, answered by the database (nothing copied): the
        distinct triples of every graph but kgr:ontology, the non-empty graphs, the claim
        relations by kind and the pairs of claims in conflict (the saved query `disagreements`)."""
        from conflictkg.graph.oxigraph import from_ox

        graphs = sum(1 for name, count in self._graph_sizes() if count and name != ONTOLOGY_GRAPH)
        triples = int(next(iter(self.store.query(distinct_triples_query("{ ?s ?p ?o }"))))["n"].value)
        kinds = self.store.query(RELATION_KINDS_QUERY, prefixes=OX_PREFIXES, **self._dataset())
        relations = relation_kinds((from_ox(row[0]), from_ox(row[1]) if row[1] is not None else None) for row in kinds)
        return Overview(triples, graphs, relations, disagreement_count(self))

    # -- querying

    def query_native(self, query, values: dict[str, str] | None = None):
        """The pyoxigraph answer (QuerySolutions, QueryBoolean or QueryTriples), unconverted."""
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import to_ox
        from conflictkg.queries.saved import bind_parameters
        from conflictkg.queries.binding import bind_with_values

        saved = _as_saved_query(query)
        network.check_sparql(saved.text, f"{saved.name} on the {self.describe()}")  # Oxigraph's SERVICE is not Python's
        bindings = bind_parameters(saved, values or {})
        substitutions = {ox.Variable(name): to_ox(term) for name, term in bindings.items()}
        try:
            try:
                return self.store.query(saved.text, prefixes=OX_PREFIXES, substitutions=substitutions or None, **self._dataset())
            except RuntimeError as error:
                if "SELECT projection" not in str(error):
                    raise
            text = bind_with_values(saved.text, bindings)
            return self.store.query(text, prefixes=OX_PREFIXES, **self._dataset())
        except SyntaxError as error:
            raise QueryError(f"{saved.name}: SPARQL syntax error: {error}") from None
        except (RuntimeError, OSError) as error:
            raise QueryError(f"{saved.name}: the query failed: {error}") from None

    def _dataset(self) -> dict:
        """What queries read: every graph, as in memory, but not `kgr:inferred` (which
        `conflictkg reason` writes), so saved queries give the same answers either way."""
        import pyoxigraph as ox

        inferred = ox.NamedNode(str(INFERRED_GRAPH))
        if not self.store.contains_named_graph(inferred):
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.DefaultGraph(), *(g for g in self.store.named_graphs() if g != inferred)]}

    def query(self, query, values: dict[str, str] | None = None) -> Result:
        from conflictkg.graph.oxigraph import result_from_ox

        return result_from_ox(self.query_native(query, values))

    def update(self, text: str) -> None:
        """Run a SPARQL Update (one transaction); SERVICE and LOAD are refused unless the network is allowed."""
        network.check_sparql(text, f"the update on the {self.describe()}")
        self.store.update(text, prefixes=OX_PREFIXES)

    # -- reading out

    def quads(self) -> Iterator[Quad]:
        from conflictkg.graph.oxigraph import from_ox

        for quad in self.store.quads_for_pattern(None, None, None, None):
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), _from_ox_graph(quad.graph_name)

    def dump(self, output, fmt: RdfFormat, graph: Node | None = None, exclude_ontology: bool = True) -> None:
        """Write the store with pyoxigraph's serialisers (fast); formats without graphs get the union."""
        import pyoxigraph as ox

        from conflictkg.graph.oxigraph import OX_FORMATS

        prefixes = OX_PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if not exclude_ontology and (fmt.has_graphs and fmt is not RdfFormat.JSONLD):
            self.store.dump(output, OX_FORMATS[fmt], prefixes=prefixes)
            return
        if fmt in (RdfFormat.NTRIPLES, RdfFormat.TURTLE):
            # one document per graph, written by pyoxigraph alone: N-Triples and Turtle documents
            # may follow each other in one file (a triple in two graphs is written twice)
            for graph_name in [ox.DefaultGraph(), *sorted(self.store.named_graphs(), key=str)]:
                if exclude_ontology and isinstance(graph_name, ox.NamedNode) and graph_name.value == str(ONTOLOGY_GRAPH):
                    continue
                self.store.dump(output, OX_FORMATS[fmt], from_graph=graph_name, prefixes=prefixes)
            return
        quads = (
            q for q in self.store.quads_for_pattern(None, None, None, None)
            if not (exclude_ontology and isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == str(ONTOLOGY_GRAPH))
        )
        if fmt.has_graphs:
            ox.serialize(quads, output, OX_FORMATS[fmt], prefixes=prefixes)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            ox.serialize(_unique(triples), output, OX_FORMATS[fmt], prefixes=prefixes)

    def close(self) -> None:
        if self._ox is not None:
            try:
                self._ox.flush()
            except OSError:
                pass
        self._ox = None
        if self._lock is not None:
            import gc

            gc.collect()  # RocksDB's own lock goes with the last handle
            import conflictkg.stores.staging as staged_writes

            if not staged_writes.is_database(self._folder):  # nothing was made: leave nothing behind
                self._lock.file.unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    # -- the command operations, inside the database

    def load(self, locations: Iterable[str] = (), input_format: str | None = None, with_builtin: bool = False,
             graph: str | None = None, ontology: bool = True) -> LoadReport:
        """`Store.load`, then, when files went in through Oxigraph's own loader (not
        `load_dataset`), the claim relations of everything now in the database, derived in it."""
        from conflictkg.inference.claim_relations import RELATIONS_GRAPH

        locations = list(locations)
        check_sources(locations, input_format)  # before anything is made or written
        with self.staged():  # all of it, or the database as it was
            report = super().load(locations, input_format, with_builtin, graph, ontology)
            if locations:
                derived = self.derive_claim_relations()
                if derived:
                    report.graphs.append((RELATIONS_GRAPH, derived))
        return report

    def in_memory(self) -> MemoryStore:
        return MemoryStore(self.to_dataset())

    def size(self) -> int:
        return len(self.store)

    def validate(self, extra_shapes: Iterable[str] = (), validator: str = "auto") -> Conformance:
        """Validated where it is (`conflictkg.stores.oxigraph_shapes`: the graphs streamed to the
        compiled validator, which holds them), not copied into rdflib; `validator="queries"`: SHACL
        Core as queries in the database too (`conflictkg.stores.sparql_shapes`), nothing held;
        `validator="pyshacl"` (the reference) validates an in-memory copy."""
        if validator == "pyshacl":
            return super().validate(extra_shapes, validator)
        from conflictkg.graph.parse import load_shapes
        from conflictkg.stores.oxigraph_shapes import validate_store

        extra_shapes = list(extra_shapes)
        shapes = load_shapes(extra_shapes) if extra_shapes else None
        if shapes is not None:
            network.check_shapes_sparql(shapes)  # Oxigraph runs sh:select itself, out of the audit hook's sight
        if validator == "queries":
            from conflictkg.stores.sparql_shapes import validate_by_queries

            report = validate_by_queries(self.store, shapes)
            return Conformance(report.conforms, report.text("inside the Oxigraph database (SHACL Core and SPARQL constraints as queries)"))
        report = validate_store(self.store, shapes)
        return Conformance(report.conforms, report.text())

    def derive_claim_relations(self) -> int:
        from conflictkg.stores.rules import add_claim_relations_in_store

        return add_claim_relations_in_store(self.store, on_disk=self.path is not None)

    def reason(self) -> MaterializeReport:
        """The fast rules (`conflictkg.stores.reasoner.materialize`) into kgr:inferred, in a
        staging copy switched in when complete: if they fail or the process is stopped, the
        database keeps the kgr:inferred it had (none is half made)."""
        from conflictkg.stores.reasoner import materialize

        with self.staged():
            if self.path is None:
                try:
                    return materialize(self.store)  # empties kgr:inferred first
                except BaseException:
                    self.store.update(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
                    raise
            report = materialize(self.store)
        return report

    def export(self, fmt: RdfFormat, reasoned: bool = False, reasoner: str = "rules", frame: str | None = None) -> bytes:
        if reasoned or frame or fmt not in _DUMPED_AS_IS:
            return super().export(fmt, reasoned, reasoner, frame)
        buffer = io.BytesIO()
        self.dump(buffer, fmt)
        return buffer.getvalue()

    def shard_producer(self, with_graphs: bool = True, reasoned: bool = False, reasoner: str = "rules") -> Callable[[BinaryIO], None]:
        if reasoned:
            return super().shard_producer(with_graphs, reasoned, reasoner)
        return store_producer(self, with_graphs)


def check_sources(locations: Iterable[str], input_format: str | None = None) -> None:
    """Refuse, before a database is made or touched, input files that are missing, not files or
    empty, and RDF/XML whose entities would expand without bound (checked as a stream)."""
    from conflictkg.graph.parse import source_for
    from conflictkg.guard.inputs import check_xml_entities_file

    for location in locations:
        source = source_for(location, input_format)
        if location == "-":
            continue
        path = Path(location)
        if not path.exists():
            raise InputError(f"{source.display_name}: no such file")
        if path.is_dir():
            raise InputError(f"{source.display_name}: is a directory, not a file")
        try:
            size = path.stat().st_size
            if size == 0 or (size < 65536 and not path.read_bytes().strip()):
                raise InputError(f"{source.display_name}: the file is empty")
        except OSError as error:
            raise InputError(f"{source.display_name}: cannot read: {error.strerror or error}") from None
        if source.format is RdfFormat.RDFXML:
            check_xml_entities_file(path, source.display_name)


def store_producer(store, with_graphs: bool = True) -> Callable[[BinaryIO], None]:
    """A `produce` that dumps an Oxigraph store (without its ontology graph) with pyoxigraph's writer."""
    from conflictkg.graph.formats import RdfFormat

    return lambda sink: store.dump(sink, RdfFormat.NQUADS if with_graphs else RdfFormat.NTRIPLES)


def _unique(items):
    seen = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item
