"""TODO: split from load.py."""

from __future__ import annotations

from collections.abc import Iterable
from rdflib import Dataset, Graph


from collections.abc import Iterator
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from conflictkg.graph.parse import add_builtin_data, new_dataset, parse_into, source_for
from conflictkg.stores.base import LoadReport, Quad, Store, _as_saved_query, _non_empty_graphs


def load_dataset(
    locations: Iterable[str] = (),
    input_format: str | None = None,
    with_builtin: bool = False,
) -> Dataset:
    """The data set to work on: the named files (or the built-in data when none is named), with
    the claim relations the rules of ontology/rules derive from them in the graph
    kgr:claim-relations (see `argument.add_claim_relations`)."""
    from conflictkg.stores.rules import add_claim_relations

    locations = list(locations)
    dataset = new_dataset()
    if with_builtin or not locations:
        add_builtin_data(dataset)
    for location in locations:
        parse_into(dataset, source_for(location, input_format))
    add_claim_relations(dataset)
    return dataset




# ---------------------------------------------------------------------------------------------
# In memory (rdflib)


class MemoryStore(Store):
    """An rdflib Dataset (default graph = union of all graphs), alive as long as the process."""

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        from conflictkg.graph.parse import new_dataset

        self.dataset = new_dataset() if dataset is None else dataset

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

        return run_query(with_ontology(self.dataset), _as_saved_query(query), values)

    def quads(self) -> Iterator[Quad]:
        for s, p, o, g in self.dataset.quads((None, None, None, None)):
            name = g.identifier if isinstance(g, Graph) else g
            yield s, p, o, (None if name == DATASET_DEFAULT_GRAPH_ID else name)
