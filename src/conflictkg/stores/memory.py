"""The in-memory store: an rdflib data set, validated with pySHACL or the compiled validator, reasoned with owlrl or the rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from conflictkg.errors import InputError, UsageError
from conflictkg.stores.base import (
    Conformance,
    LoadReport,
    Quad,
    Store,
    _as_saved_query,
    _non_empty_graphs,
    display_namespaces,
)


class MemoryStore(Store):
    """An rdflib Dataset (default graph = union of all graphs), alive as long as the process."""

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        self._dataset = dataset
        self._files: tuple[list[str], str | None, bool] | None = None

    @classmethod
    def from_files(cls, locations: Iterable[str] = (), input_format: str | None = None, with_builtin: bool = False) -> "MemoryStore":
        """A store of the named files (or the built-in data when none is named), read when first used."""
        store = cls()
        store._files = (list(locations), input_format, with_builtin)
        return store

    @property
    def dataset(self) -> Dataset:
        """The rdflib data set (default graph = union of all graphs), with the claim relations derived."""
        if self._dataset is None:
            from conflictkg.graph.parse import new_dataset
            from conflictkg.stores.dataset import load_dataset

            self._dataset = new_dataset() if self._files is None else load_dataset(*self._files)
        return self._dataset

    def describe(self) -> str:
        return "in-memory rdflib data set"

    def load_dataset(self, dataset: Dataset) -> LoadReport:
        report = LoadReport()
        for graph_name, graph in _non_empty_graphs(dataset):
            target = self.dataset.default_graph if graph_name is None else self.dataset.graph(graph_name)
            if not self._already_written(graph_name):
                target.remove((None, None, None))
            for triple in graph:
                target.add(triple)
            self._mark_written(graph_name)
            report.graphs.append((graph_name, len(graph)))
        return report

    def query(self, query, values: dict[str, str] | None = None) -> Result:
        from conflictkg.graph.parse import with_ontology
        from conflictkg.queries.saved import run_query

        from conflictkg.guard import network

        saved = _as_saved_query(query)
        network.check_sparql(saved.text, saved.name)  # the same refusal on every engine (rdflib's SERVICE SILENT would hide it)
        return run_query(with_ontology(self.dataset), saved, values)

    def quads(self) -> Iterator[Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            yield s, p, o, (None if name == DATASET_DEFAULT_GRAPH_ID else name)

    def in_memory(self) -> "MemoryStore":
        return self

    def to_dataset(self, include_ontology: bool = False) -> Dataset:
        """The data set itself (not a copy)."""
        return self.dataset

    def part(self, query, values: dict[str, str] | None = None) -> Dataset:
        """The whole data set, read in place (nothing to save by selecting a part of it)."""
        return self.dataset

    @property
    def namespace_manager(self):
        """The same prefixes as every store (`display_namespaces`), not whatever the input files bound:
        what the tool prints must be names the endpoint and the query page know."""
        return display_namespaces()

    def size(self) -> int:
        return len(self.dataset)

    def validate(self, extra_shapes: Iterable[str] = (), validator: str = "auto") -> Conformance:
        """pySHACL or the compiled `shacl` validator, chosen by `validator` (see docs/validators.md).
        Files not read yet and big enough for the fast validator are checked in a scratch Oxigraph
        store instead (`conflictkg.stores.oxigraph_shapes.validate_files`): no rdflib graph is built."""
        from conflictkg.checks.shapes import validate

        if validator == "queries":
            raise UsageError("--validator queries checks a database or a SPARQL server where the data is "
                             "(--store oxigraph:PATH or sparql:URL); files and the built-in data: auto, fast or pyshacl")
        if self._dataset is None and self._files is not None:
            from conflictkg.stores.oxigraph_shapes import validate_files

            fast = validate_files(*self._files, list(extra_shapes), validator)
            if fast is not None:
                return Conformance(fast.conforms, fast.text())

        extra_shapes = list(extra_shapes)
        try:
            report = validate(self.dataset, extra_shapes, validator)
        except (AttributeError, TypeError, KeyError, ValueError, IndexError, LookupError) as error:
            if not extra_shapes:
                raise
            # pySHACL fails this way on shapes it cannot run (a SPARQL constraint it cannot use)
            raise InputError(f"{', '.join(extra_shapes)}: the validator cannot run these shapes: "
                             f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from None
        return Conformance(report.conforms, report.text(self.dataset))

    def derive_claim_relations(self) -> int:
        from conflictkg.stores.rules import add_claim_relations

        return add_claim_relations(self.dataset)
