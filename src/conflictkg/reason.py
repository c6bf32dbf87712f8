"""Computes what OWL RL entails from the data and the ontology, with owlrl."""

from __future__ import annotations

from rdflib import Dataset, Graph
from rdflib.namespace import OWL

from .load import copy_quads, load_ontology, new_dataset, union_graph
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH


def entailments(asserted: Graph) -> Graph:
    """The triples OWL RL adds to `asserted` (which should hold the ontology too).

    owlrl's axiomatic and datatype triples are left out (they say nothing about the data),
    and so is `x owl:sameAs x`, which OWL RL states for every term.
    """
    import owlrl

    closure = Graph()
    closure += asserted
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    added = Graph()
    for s, p, o in closure:
        if (s, p, o) in asserted or (p == OWL.sameAs and s == o):
            continue
        added.add((s, p, o))
    return added


def reasoned_dataset(dataset: Dataset) -> Dataset:
    """The data's own graphs, the ontology in `kgr:ontology`, and the entailments in `kgr:inferred`."""
    ontology = load_ontology()
    result = new_dataset()
    copy_quads(dataset, result)
    ontology_graph = result.graph(ONTOLOGY_GRAPH)
    ontology_graph += ontology
    inferred_graph = result.graph(INFERRED_GRAPH)
    inferred_graph += entailments(union_graph(dataset, ontology))
    return result
