"""Reads RDF files (or the built-in data) into an rdflib data set, with the claim relations the rules derive from them."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset

from conflictkg.graph.parse import add_builtin_data, new_dataset, parse_into, source_for


def load_dataset(
    locations: Iterable[str] = (),
    input_format: str | None = None,
    with_builtin: bool = False,
) -> Dataset:
    """The data set to work on: the named files (or the built-in data when none is named), with
    the claim relations the rules of ontology/rules derive from them in the graph
    kgr:claim-relations (see `conflictkg.stores.rules.add_claim_relations`)."""
    from conflictkg.stores.rules import add_claim_relations

    locations = list(locations)
    dataset = new_dataset()
    if with_builtin or not locations:
        add_builtin_data(dataset)
    for location in locations:
        parse_into(dataset, source_for(location, input_format))
    add_claim_relations(dataset)
    return dataset
