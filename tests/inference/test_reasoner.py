"""The fast reasoner (owlrl on the ontology, SPARQL rules on the data) equals owlrl's full closure."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conflictkg.errors import UsageError
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.parse import load_ontology
from conflictkg.graph.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH
from conflictkg.inference.owl import closure_triples, is_standard_triple, rule_plan
from conflictkg.stores.reasoner import materialize, reasoned_dataset


TAUTOLOGIES = {RDFS.subPropertyOf, OWL.equivalentProperty, RDFS.subClassOf, OWL.equivalentClass}


def _compare(dataset) -> tuple[set, set]:
    """Both closures, without `p rdfs:subPropertyOf p`-style tautologies: owlrl states those
    (rules scm-op/scm-dp/scm-cls) for a varying set of properties depending on the literals it
    meets in the data; they say nothing about any individual."""
    def clean(triples: set) -> set:
        return {(s, p, o) for s, p, o in triples if not (p in TAUTOLOGIES and s == o)}

    reference = clean(closure_triples(reasoned_dataset(dataset, "owlrl")))
    fast = clean(closure_triples(reasoned_dataset(dataset, "rules")))
    return reference, fast


def _assert_equal_on_standard_terms(reference: set, fast: set) -> None:
    standard_reference = {t for t in reference if is_standard_triple(t)}
    standard_fast = {t for t in fast if is_standard_triple(t)}
    assert standard_reference, "nothing to compare"
    assert standard_reference - standard_fast == set(), "owlrl entails more"
    assert standard_fast - standard_reference == set(), "the rules entail more"


def test_built_in_data_same_closure_as_owlrl(builtin_dataset):
    reference, fast = _compare(builtin_dataset)
    _assert_equal_on_standard_terms(reference, fast)
    # stronger than the contract asks: every triple of the closure (bar blank nodes) is the same
    assert reference == fast


def test_generated_data_same_closure_as_owlrl(tmp_path):
    from conflictkg.exchange.generate import write_generated

    path = tmp_path / "synthetic.nq"
    write_generated(path, 120, seed=5)
    text = path.read_text("utf-8")
    for needed in ("owl#sameAs", "ontology#near", "ontology#affiliatedWith", "ontology#containedIn", "ontology#corroborates"):
        assert needed in text, f"the generated data should exercise {needed}"
    dataset = load_dataset([str(path)], with_builtin=True)
    reference, fast = _compare(dataset)
    _assert_equal_on_standard_terms(reference, fast)
    assert reference == fast


def test_the_reasoned_export_uses_the_rules_by_default_and_keeps_its_parts(builtin_dataset):
    reasoned = reasoned_dataset(builtin_dataset, "rules")
    names = {g.identifier for g in reasoned.graphs() if len(g)}
    assert {ONTOLOGY_GRAPH, INFERRED_GRAPH} <= names
    assert len(reasoned.graph(INFERRED_GRAPH)) > 500


def test_materialize_in_a_persistent_store(tmp_path, builtin_dataset):
    from conflictkg.stores.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "db")
    store.load()
    report = materialize(store.store)
    assert report.inferred > 500
    # read with pyoxigraph over every graph, kgr:inferred included (saved queries may leave it out)
    answer = store.store.query(
        "PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> PREFIX schema: <https://schema.org/>\n"
        "ASK { ?kwala schema:containedInPlace ?mali . ?mali <http://www.w3.org/2000/01/rdf-schema#label> \"Mali\"@en . "
        "?kwala <http://www.w3.org/2000/01/rdf-schema#label> \"Kwala\"@en . ?e sem:hasPlace ?kwala ; a sem:Event }",
        use_default_graph_as_union=True,
    )
    assert bool(answer)
    # nothing asserted anywhere else is repeated in kgr:inferred, and `x owl:sameAs x` is not kept
    inferred = f"<{INFERRED_GRAPH}>"
    repeated = store.store.query(
        f"ASK {{ GRAPH {inferred} {{ ?s ?p ?o }} {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {inferred}) }} }}"
    )
    assert not bool(repeated)
    assert not bool(store.store.query(f"ASK {{ GRAPH {inferred} {{ ?x <{OWL.sameAs}> ?x }} }}"))
    again = materialize(store.store)  # idempotent: the inferred graph is rebuilt, not grown
    assert again.inferred == report.inferred
    store.close()


def test_unsupported_axioms_are_refused_not_ignored():
    ontology = load_ontology()
    ontology.add((URIRef("https://example.org/p"), OWL.propertyChainAxiom, URIRef("https://example.org/list")))
    with pytest.raises(UsageError, match="propertyChainAxiom"):
        rule_plan(ontology)
    functional = load_ontology()
    functional.add((URIRef("https://example.org/q"), RDF.type, OWL.FunctionalProperty))
    with pytest.raises(UsageError, match="FunctionalProperty"):
        rule_plan(functional)


def test_export_reasoned_cli_default_and_forced_owlrl_agree(run_cli):
    fast = run_cli("export", "--reasoned", "--format", "nq")
    slow = run_cli("export", "--reasoned", "--reasoner", "owlrl", "--format", "nq")
    assert fast.status == slow.status == 0
    a, b = Graph(), Graph()
    a.parse(data=fast.stdout, format="nquads")
    b.parse(data=slow.stdout, format="nquads")
    assert {t for t in a if is_standard_triple(t)} == {t for t in b if is_standard_triple(t)}


def test_what_is_inferred_about_a_blank_node_stays_on_it(tmp_path):
    """Oxigraph's bulk loader renames a load's blank nodes, so the types inferred for a blank
    node would have landed on a new, empty node: they must stay on the data's own node."""
    from conflictkg.stores.oxigraph import OxigraphStore

    data = tmp_path / "blank.ttl"
    data.write_text(
        "@prefix ckg: <https://w3id.org/conflictkg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '_:raid a ckg:Attack ; rdfs:label "An unnamed raid"@en .\n', "utf-8")
    store = OxigraphStore(tmp_path / "db")
    try:
        store.load([str(data)])
        materialize(store.store)
        typed = store.store.query(
            f'ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?raid a <https://w3id.org/conflictkg/ontology#Event> }} '
            f'?raid <{RDFS.label}> "An unnamed raid"@en }}', use_default_graph_as_union=True)
        assert bool(typed)
    finally:
        store.close()
