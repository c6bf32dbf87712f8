"""Claim relations and epistemic statuses are derived by the shipped rules, and each names its rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from conflictkg.inference.claim_relations import RELATIONS_GRAPH, parse_rule, shipped_rules
from conflictkg.stores.rules import add_claim_relations
from conflictkg.errors import QueryError
from conflictkg.stores.dataset import load_dataset
from conflictkg.graph.parse import load_ontology, new_dataset
from conflictkg.graph.namespaces import CKG, CKV, KID
from conflictkg.checks.shapes import validate

REL = "https://w3id.org/conflictkg/vocab/claim-relation/"
RULE = "https://w3id.org/conflictkg/vocab/claim-rule/"
REPO = Path(__file__).resolve().parents[2]
EP = "https://w3id.org/conflictkg/vocab/epistemic/"


def _relations(dataset):
    graph = dataset.graph(RELATIONS_GRAPH)
    found = set()
    for relation in graph.subjects(RDF.type, CKG.ClaimRelation):
        found.add(
            (
                str(graph.value(relation, CKG.relationKind))[len(REL):],
                str(graph.value(relation, CKG.fromClaim)).rsplit("/", 1)[-1],
                str(graph.value(relation, CKG.toClaim)).rsplit("/", 1)[-1],
                str(graph.value(relation, CKG.derivedByRule))[len(RULE):],
            )
        )
    return found


def _statuses(dataset, claim):
    return {str(s)[len(EP):] for s in dataset.graph(RELATIONS_GRAPH).objects(KID[f"claim/{claim}"], CKG.epistemicStatus)}


def test_the_army_silence_is_in_no_relation(builtin_dataset):
    # "did not report any casualties" is a practice, not a claim of zero: it agrees and conflicts with nothing
    assert not [r for r in _relations(builtin_dataset) if "malian-army-casualties-not-reported" in r]


def test_jnim_over_thirty_is_consistent_with_rfi_thirty_to_thirty_two(builtin_dataset):
    assert ("consistent", "jnim-killed", "rfi-killed", "overlapping-bounds") in _relations(builtin_dataset)


def test_the_infobox_cites_rfi_and_jnim(builtin_dataset):
    relations = _relations(builtin_dataset)
    assert ("cites", "infobox-killed", "rfi-killed", "cites-claim") in relations
    assert ("cites", "infobox-killed", "jnim-killed", "cites-claim") in relations
    assert ("cites", "infobox-wounded", "rfi-wounded-or-missing", "cites-claim") in relations


def test_the_builtin_relations_are_exactly_these(builtin_dataset):
    by_kind: dict[str, int] = {}
    for kind, *_rest in _relations(builtin_dataset):
        by_kind[kind] = by_kind.get(kind, 0) + 1
    # re-derived from the article: the four death tolls (30-32, over thirty, 30-32, over thirty) overlap
    # pairwise (6 pairs, one of them within Wikipedia), the two JNIM strengths (100+, over a hundred)
    # overlap; the infobox's 2 hostages and JNIM's two prisoners of war are different kinds; nothing is
    # in conflict
    assert by_kind == {"consistent": 7, "cites": 3}
    consistent = {frozenset((a, b)) for kind, a, b, _r in _relations(builtin_dataset) if kind == "consistent"}
    killed = ["infobox-killed", "lead-killed", "rfi-killed", "jnim-killed"]
    assert consistent == {frozenset((a, b)) for i, a in enumerate(killed) for b in killed[i + 1:]} | {
        frozenset(("attack-strength-jnim", "infobox-strength-jnim"))}


def test_no_link_between_different_quantities(builtin_dataset):
    relations = _relations(builtin_dataset)
    pairs = {frozenset((a, b)) for _k, a, b, _r in relations}
    assert frozenset(("rfi-killed", "rfi-wounded-or-missing")) not in pairs  # killed vs wounded or missing
    assert frozenset(("infobox-strength-jnim", "infobox-killed")) not in pairs  # strength vs casualties
    assert not [r for r in relations if "infobox-casualties-jnim" in r]  # JNIM's casualties: nobody gives a figure


def test_every_derived_link_names_a_documented_rule(builtin_dataset):
    ontology = load_ontology()
    graph = builtin_dataset.graph(RELATIONS_GRAPH)
    rules = set(graph.objects(None, CKG.derivedByRule))
    assert rules
    for rule in rules:
        assert (rule, RDF.type, CKG.DerivationRule) in ontology
        assert ontology.value(rule, RDFS.comment) is not None
        name = str(ontology.value(rule, CKG.ruleFile))
        assert name == str(rule)[len(RULE):] + ".rq"
    linked = set(graph.subjects(RDF.type, CKG.ClaimRelation)) | set(graph.subjects(RDF.type, CKG.EpistemicAssessment))
    assert linked and all(len(set(graph.objects(node, CKG.derivedByRule))) == 1 for node in linked)


def test_every_rule_file_is_documented_and_defined():
    ontology = load_ontology()
    rules = shipped_rules()
    assert {r.name for r in rules} == {
        "overlapping-bounds", "disjoint-bounds", "cites-claim",
        "epistemic-from-status", "party-to-the-conflict", "disputed-by-conflicting-figure",
        "uncorroborated-by-remark", "confirmed-by-party", "corroborated-by-independent-source",
    }
    for rule in rules:
        assert rule.title and len(rule.description) > 60
        assert "CONSTRUCT" in rule.text
        assert (rule.iri, RDF.type, CKG.DerivationRule) in ontology
        assert str(ontology.value(rule.iri, CKG.ruleFile)) == rule.name + ".rq"
    defined = set(ontology.subjects(RDF.type, CKG.DerivationRule))
    assert defined == {r.iri for r in rules}


def test_a_rule_file_without_its_header_is_refused():
    with pytest.raises(QueryError, match="# rule:"):
        parse_rule("mine", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="file name"):
        parse_rule("mine", f"# title: t\n# description: d\n# rule: {RULE}other\nCONSTRUCT {{}} WHERE {{}}")


def test_epistemic_statuses(builtin_dataset):
    assert _statuses(builtin_dataset, "jnim-killed") == {"reported", "asserted-by-party", "uncorroborated"}
    assert _statuses(builtin_dataset, "rfi-killed") == {"reported", "confirmed-by-party"}
    assert _statuses(builtin_dataset, "jnim-prisoners") == {"reported", "asserted-by-party", "uncorroborated"}
    assert _statuses(builtin_dataset, "malian-officials-pursuit") == {"reported", "uncorroborated", "asserted-by-party"}
    assert _statuses(builtin_dataset, "malian-army-casualties-not-reported") == {"not-reported", "asserted-by-party"}
    assert _statuses(builtin_dataset, "infobox-strength-mali") == {"unknown"}
    assert _statuses(builtin_dataset, "afp-details-hard-to-corroborate") == {"reported"}
    assert _statuses(builtin_dataset, "infobox-killed") == {"reported"}


def test_the_epistemic_scheme_follows_aif_and_maps_to_claim_status():
    ontology = load_ontology()
    scheme = CKV["epistemic"]
    concepts = set(ontology.subjects(SKOS.inScheme, scheme))
    assert {str(c)[len(EP):] for c in concepts} == {
        "reported", "asserted-by-party", "corroborated", "confirmed-by-party", "uncorroborated", "disputed",
        "retracted", "not-reported", "unknown",
    }
    status = "https://w3id.org/conflictkg/vocab/status/"
    mapped = {str(o)[len(status):] for c in concepts for p in (SKOS.exactMatch, SKOS.narrowMatch) for o in ontology.objects(c, p)}
    assert mapped == {"reported", "not-reported", "unknown", "corroborated", "uncorroborated", "disputed"}
    for concept in concepts:  # categories only: no number anywhere
        assert not [o for _p, o in ontology.predicate_objects(concept) if isinstance(o, Literal) and o.datatype is not None]


def test_relations_carry_provenance(builtin_dataset):
    from rdflib.namespace import PROV

    assert (RELATIONS_GRAPH, RDF.type, CKG.DerivedGraph) in builtin_dataset
    assert (RELATIONS_GRAPH, PROV.wasDerivedFrom, KID["source/wikipedia-kwala-attack"]) in builtin_dataset
    activity = builtin_dataset.value(RELATIONS_GRAPH, PROV.wasGeneratedBy)
    used = set(builtin_dataset.objects(activity, PROV.used))
    assert used == {r.iri for r in shipped_rules()}


def test_deriving_again_gives_the_same_graph(builtin_dataset):
    dataset = load_dataset()
    before = set(dataset.graph(RELATIONS_GRAPH))
    add_claim_relations(dataset)
    assert set(dataset.graph(RELATIONS_GRAPH)) == before


TWO_SOURCES = """
@prefix ckg: <https://w3id.org/conflictkg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <https://w3id.org/conflictkg/id/test/> .
@prefix cas: <https://w3id.org/conflictkg/vocab/casualty/> .
@prefix ck: <https://w3id.org/conflictkg/vocab/claim-kind/> .
@prefix st: <https://w3id.org/conflictkg/vocab/status/> .
@prefix et: <https://w3id.org/conflictkg/vocab/event-type/> .
@prefix prec: <https://w3id.org/conflictkg/vocab/precision/> .

t:event a ckg:Attack ; rdfs:label "Test attack"@en ; ckg:eventType et:attack ; ckg:timePrecision prec:day ;
    ckg:beginDate "2024-01-01"^^xsd:date ; ckg:target t:army .
t:army a ckg:NonStateArmedGroup ; rdfs:label "Test army"@en .
t:paper a ckg:MediaOutlet ; rdfs:label "Test paper"@en .
t:agency a ckg:MediaOutlet ; rdfs:label "Test agency"@en .
t:low a ckg:Claim ; rdfs:label "Paper: 3 to 5 killed"@en ; prov:wasAttributedTo t:paper ; schema:about t:event ;
    ckg:claimKind ck:casualties ; ckg:casualtyKind cas:killed ; ckg:concernsActor t:army ; ckg:wording "three to five"@en ;
    schema:minValue 3 ; schema:maxValue 5 ; ckg:claimStatus st:reported ; ckg:articleLocation "lead" .
t:high a ckg:Claim ; rdfs:label "Agency: at least 40 killed"@en ; prov:wasAttributedTo t:agency ; schema:about t:event ;
    ckg:claimKind ck:casualties ; ckg:casualtyKind cas:killed ; ckg:concernsActor t:army ; ckg:wording "at least forty"@en ;
    schema:minValue 40 ; ckg:claimStatus st:reported ; ckg:articleLocation "lead" .
t:wounded a ckg:Claim ; rdfs:label "Agency: 50 wounded"@en ; prov:wasAttributedTo t:agency ; schema:about t:event ;
    ckg:claimKind ck:casualties ; ckg:casualtyKind cas:wounded ; ckg:concernsActor t:army ; ckg:wording "fifty wounded"@en ;
    schema:minValue 50 ; schema:maxValue 50 ; ckg:claimStatus st:reported ; ckg:articleLocation "lead" .
t:silent a ckg:Claim ; rdfs:label "Army: killed not reported"@en ; prov:wasAttributedTo t:army ; schema:about t:event ;
    ckg:claimKind ck:casualties ; ckg:casualtyKind cas:killed ; ckg:concernsActor t:army ; ckg:wording "no figure for the dead"@en ;
    ckg:claimStatus st:not-reported ; ckg:articleLocation "lead" .
"""


def test_disjoint_figures_conflict_and_are_disputed(tmp_path):
    path = tmp_path / "two-sources.ttl"
    path.write_text(TWO_SOURCES, "utf-8")
    dataset = load_dataset([str(path)])
    relations = _relations(dataset)
    assert ("in-conflict", "high", "low", "disjoint-bounds") in relations
    assert not [r for r in relations if r[0] == "consistent"]
    # a silence about the dead is not a figure: in conflict with neither
    assert not [r for r in relations if "silent" in r[1:3]]
    assert not [r for r in relations if r[1] == "wounded"]
    graph = dataset.graph(RELATIONS_GRAPH)
    disputed = set(graph.subjects(CKG.epistemicStatus, URIRef(EP + "disputed")))
    assert {str(c).rsplit("/", 1)[-1] for c in disputed if "claim-relation" not in str(c) and "assessment" not in str(c)} == {"low", "high"}
    assert "asserted-by-party" in {str(s)[len(EP):] for s in graph.objects(URIRef("https://w3id.org/conflictkg/id/test/silent"), CKG.epistemicStatus)}
    report = validate(dataset)
    assert report.conforms, report.text(dataset)


def test_data_without_claims_gets_no_relations_graph():
    dataset = new_dataset()
    dataset.default_graph.add((KID["x"], RDFS.label, Literal("x")))
    assert add_claim_relations(dataset) == 0
    assert len(dataset.graph(RELATIONS_GRAPH)) == 0
    assert (RELATIONS_GRAPH, RDF.type, CKG.DerivedGraph) not in dataset


def test_summary_and_queries_see_the_relations(run_cli):
    fixture = str(Path(__file__).parents[1] / "fixtures" / "epistemic" / "conflicting-figure.trig")
    run = run_cli("query", "claims-in-conflict", "--format", "csv", "--data", fixture, "--with-builtin")
    assert run.status == 0
    rows = [line for line in run.stdout.splitlines()[1:] if line]
    assert len(rows) == 4
    rfi = [r for r in rows if r.startswith("Kwala attack,RFI,between thirty and thirty-two")]
    assert rfi and rfi[0].endswith(
        "claim-rule/disjoint-bounds,https://w3id.org/conflictkg/id/claim/rfi-killed,"
        "https://w3id.org/conflictkg/id/claim/test-outlet-killed"
    )


def test_files_loaded_into_an_oxigraph_database_get_their_relations_there(tmp_path):
    """`conflictkg load --store oxigraph:PATH FILE` bypasses load_dataset (Oxigraph's own loader);
    the rules then run inside the database, with the same result as in memory."""
    import pyoxigraph as ox

    from conflictkg.stores.oxigraph import OxigraphStore

    path = tmp_path / "two-sources.ttl"
    path.write_text(TWO_SOURCES, "utf-8")
    store = OxigraphStore(tmp_path / "db")
    try:
        report = store.load([str(path)])
        assert (RELATIONS_GRAPH, len(load_dataset([str(path)]).graph(RELATIONS_GRAPH))) in report.graphs
        rows = store.store.query(
            "SELECT ?from ?to ?rule WHERE { GRAPH <https://w3id.org/conflictkg/graph/claim-relations> {"
            " ?r <https://w3id.org/conflictkg/ontology#fromClaim> ?from ;"
            " <https://w3id.org/conflictkg/ontology#toClaim> ?to ; <https://w3id.org/conflictkg/ontology#derivedByRule> ?rule } }"
        )
        found = {(r["from"].value.rsplit("/", 1)[-1], r["to"].value.rsplit("/", 1)[-1], r["rule"].value[len(RULE):]) for r in rows}
        assert found == {r[1:] for r in _relations(load_dataset([str(path)]))}
        assert ("high", "low", "disjoint-bounds") in found
        assert not list(store.store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/conflictkg/graph/scratch-ontology-for-rules")))
    finally:
        store.close()


def test_rules_rerun_only_when_they_read_what_was_derived():
    """The shortcut of run_rules (later rounds run only the rules that read derived terms) gives
    what running every rule every round gives."""
    import pyoxigraph as ox

    from conflictkg.stores.rules import _quads_read_by, _shipped_ontology_quads, run_rules

    dataset = new_dataset()
    copy = load_dataset()
    for s, p, o, g in copy.quads((None, None, None, None)):
        if str(g.identifier if hasattr(g, "identifier") else g) != str(RELATIONS_GRAPH):
            dataset.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
    rules = shipped_rules()
    store = ox.Store()
    store.extend(_quads_read_by(dataset, rules))
    store.extend(_shipped_ontology_quads())
    run_rules(store, rules)
    target = ox.NamedNode(str(RELATIONS_GRAPH))
    shortcut = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, target)}
    naive = ox.Store()
    naive.extend(_quads_read_by(dataset, rules))
    naive.extend(_shipped_ontology_quads())
    total: set = set()
    while True:
        before = len(total)
        for rule in rules:
            for t in naive.query(rule.text, use_default_graph_as_union=True):
                total.add((t.subject, t.predicate, t.object))
        naive.extend(ox.Quad(s, p, o, ox.NamedNode(str(RELATIONS_GRAPH))) for s, p, o in total)
        if len(total) == before:
            break
    assert shortcut == total


def test_summary_counts_the_relations(run_cli):
    run = run_cli("summary")
    assert run.status == 0
    assert "3 cites, 7 consistent;" in run.stdout
    assert "Where sources disagree: 0 pair(s)" in run.stdout


def _rules_before() -> list:
    from pathlib import Path

    folder = Path(__file__).parents[1] / "fixtures" / "rules-before-linear"
    return [parse_rule(p.stem, p.read_text("utf-8")) for p in sorted(folder.glob("*.rq"))]


SUBCLASS_AND_STRENGTH = TWO_SOURCES + """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
t:FigureClaim rdfs:subClassOf ckg:Claim .
t:strengthLow a t:FigureClaim ; rdfs:label "Paper: 100 fighters"@en ; prov:wasAttributedTo t:paper ; schema:about t:event ;
    ckg:claimKind ck:strength ; ckg:concernsActor t:army ; schema:minValue 100 ; schema:maxValue 100 ; ckg:claimStatus st:reported .
t:strengthHigh a ckg:Claim ; prov:wasAttributedTo t:agency ; schema:about t:event ;
    ckg:claimKind ck:strength ; ckg:concernsActor t:army ; schema:minValue 300 ; ckg:claimStatus st:reported .
t:strengthSilent a ckg:Claim ; prov:wasAttributedTo t:army ; schema:about t:event ;
    ckg:claimKind ck:strength ; ckg:concernsActor t:army ; ckg:claimStatus st:not-reported .
t:citing a ckg:Claim ; prov:wasAttributedTo t:paper ; schema:about t:event ; ckg:citesClaim t:high, t:low ;
    ckg:claimKind ck:casualties ; ckg:concernsActor t:army ; schema:maxValue 4 ; ckg:claimStatus st:corroborated .
t:nokind a ckg:Claim ; prov:wasAttributedTo t:agency ; schema:about t:event ;
    ckg:claimKind ck:casualties ; ckg:concernsActor t:army ; schema:minValue 1 ; ckg:claimStatus st:disputed .
t:notaclaim prov:wasAttributedTo t:paper ; schema:about t:event ; ckg:claimKind ck:casualties ; ckg:concernsActor t:army ;
    schema:minValue 1000 ; ckg:claimStatus st:reported .
"""


def _derived_in_store(dataset, rules) -> set:
    """What `rules` derive in an Oxigraph store holding every quad of `dataset` and the ontology
    (as `conflictkg load --store` runs them)."""
    import pyoxigraph as ox

    from conflictkg.stores.rules import _shipped_ontology_quads, run_rules
    from conflictkg.graph.oxigraph import dataset_quads

    store = ox.Store()
    store.extend(dataset_quads(dataset))
    store.extend(_shipped_ontology_quads())
    run_rules(store, rules)
    target = ox.NamedNode(str(RELATIONS_GRAPH))
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, target)}


def test_rewritten_rules_derive_what_the_rules_before_derived(tmp_path):
    """The shipped rules (joined through the event, hash joins on scans) derive exactly what the rules
    before the rewrite (tests/fixtures/rules-before-linear) derive, in the rdflib path and in a store:
    on a generated data set, and on the built-in data with hand-made cases (a subclass of ckg:Claim,
    strength figures and silences, citing claims, a claim without a casualty kind, a node that is
    not a claim)."""
    from collections import Counter

    from conflictkg.stores.rules import derive
    from conflictkg.exchange.generate import generate

    chunks: list[bytes] = []
    generate(300, 7, chunks.append)
    generated = tmp_path / "generated.nt"
    generated.write_bytes(b"".join(chunks))
    cases = tmp_path / "cases.ttl"
    cases.write_text(SUBCLASS_AND_STRENGTH, "utf-8")
    before = _rules_before()
    assert {r.name for r in before} == {r.name for r in shipped_rules()}
    expected_rules = {
        "generated": {"epistemic-from-status", "overlapping-bounds", "disjoint-bounds",
                      "corroborated-by-independent-source", "disputed-by-conflicting-figure"},
        "cases": {r.name for r in before},
    }
    for label, paths, with_builtin in (("generated", [str(generated)], False), ("cases", [str(cases)], True)):
        dataset = load_dataset(paths, with_builtin=with_builtin)
        dataset.remove_graph(dataset.graph(RELATIONS_GRAPH))
        now = derive(dataset)
        assert now == derive(dataset, None, before)
        stored = _derived_in_store(dataset, shipped_rules())
        assert stored == _derived_in_store(dataset, before)
        by_rule = Counter(o.value[len(RULE):] for _s, p, o in stored if p.value == str(CKG.derivedByRule))
        assert set(by_rule) == expected_rules[label], by_rule
        if label == "generated":
            assert by_rule["overlapping-bounds"] > 20 and by_rule["disjoint-bounds"] > 5
        else:  # the strength figures of a subclass of ckg:Claim are in conflict
            strength = URIRef("https://w3id.org/conflictkg/id/test/strengthLow")
            assert any(p.value in (str(CKG.fromClaim), str(CKG.toClaim)) and o.value == str(strength) for _s, p, o in stored)


def test_a_rule_whose_links_name_another_rule_is_refused():
    import pyoxigraph as ox

    from conflictkg.stores.rules import run_rules

    text = (
        f"# title: t\n# description: d\n# rule: {RULE}mine\n"
        "PREFIX ckg: <https://w3id.org/conflictkg/ontology#>\n"
        f"CONSTRUCT {{ ?s ckg:derivedByRule <{RULE}other> }} WHERE {{ ?s a ckg:Claim }}"
    )
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(str(KID["claim/x"])), ox.NamedNode(str(RDF.type)), ox.NamedNode(str(CKG.Claim))))
    with pytest.raises(QueryError, match="does not name it"):
        run_rules(store, [parse_rule("mine", text)])
    fine = text.replace(f"{RULE}other", f"{RULE}mine")
    run_rules(store, [parse_rule("mine", fine)])


@pytest.mark.parametrize("data", ["generated", "cases"])
@pytest.mark.parametrize("shard_bytes", ["default", "tiny"])
def test_a_database_derives_what_memory_derives(tmp_path, monkeypatch, data, shard_bytes):
    """In a database the rules run on an in-memory copy of what they read, and the answer is
    bulk-loaded back; past SHARD_BYTES the copy is split into shards derived one at a time. Either
    way the relations are exactly those derived from the same file in memory: on generated data,
    and on the built-in data with hand-made cases (a subclass of ckg:Claim, strength figures,
    silences, citing claims) and a conflicting figure, where every rule derives something."""
    import pyoxigraph as ox

    import conflictkg.stores.rule_shards as shards_module
    import conflictkg.stores.rules as rules_module
    from conflictkg.exchange.generate import write_generated
    from conflictkg.graph.oxigraph import from_ox
    from conflictkg.stores.oxigraph import OxigraphStore

    split: list[int] = []
    if shard_bytes == "tiny":
        monkeypatch.setattr(rules_module, "SHARD_BYTES", 20_000)
        monkeypatch.setattr(rules_module, "WRITE_BACK_BYTES", 5_000)  # the answer goes in in many pieces
        original = shards_module.split
        monkeypatch.setattr(shards_module, "split", lambda c, f, n: split.append(n) or original(c, f, n))
    if data == "generated":
        files = [tmp_path / "generated.nt"]
        write_generated(files[0], 300, seed=5)
        with_builtin = False
    else:
        files = [tmp_path / "cases.ttl", REPO / "tests" / "fixtures" / "epistemic" / "conflicting-figure.trig"]
        files[0].write_text(SUBCLASS_AND_STRENGTH, "utf-8")
        with_builtin = True
    expected = set(load_dataset([str(f) for f in files], with_builtin=with_builtin).graph(RELATIONS_GRAPH))
    assert len(expected) > 200
    if data == "cases":
        rules_seen = {o for _s, p, o in expected if p == CKG.derivedByRule}
        assert {URIRef(RULE + r.name) for r in shipped_rules()} <= rules_seen
    store = OxigraphStore(tmp_path / "db")
    try:
        store.load([str(f) for f in files], with_builtin=with_builtin)
        found = {
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
            for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(str(RELATIONS_GRAPH)))
        }
    finally:
        store.close()
    assert found == expected
    assert split == ([] if shard_bytes == "default" else [split[0]]) and (shard_bytes == "default" or split[0] > 3)


@pytest.mark.parametrize("shard_bytes", ["default", "tiny"])
def test_claims_that_are_blank_nodes_keep_their_statuses_in_a_database(tmp_path, monkeypatch, shard_bytes):
    """Oxigraph's loaders rename every blank node of a load, so a claim that is a blank node
    lost what the rules derive about it (in memory too, where each rule's answer is loaded into
    a scratch store): its statuses must land on the data's own nodes, in a database as in memory."""
    import pyoxigraph as ox

    import conflictkg.stores.rules as rules_module
    from conflictkg.stores.oxigraph import OxigraphStore

    if shard_bytes == "tiny":
        monkeypatch.setattr(rules_module, "SHARD_BYTES", 2_000)
    data = tmp_path / "blank-claims.ttl"
    data.write_text(TWO_SOURCES.replace("\nt:low a", "\n_:low a").replace("\nt:high a", "\n_:high a"), "utf-8")
    statuses = (f"SELECT ?label ?status WHERE {{ GRAPH <{RELATIONS_GRAPH}> {{ ?claim <{CKG.epistemicStatus}> ?status }} "
                f"?claim <{RDFS.label}> ?label }}")
    memory = load_dataset([str(data)])
    expected = {(str(row[0]), str(row[1])) for row in memory.query(statuses)}
    assert {"Paper: 3 to 5 killed", "Agency: at least 40 killed"} <= {label for label, _status in expected}
    # (relations between them are not derived: their IRIs are minted from the claims' IRIs)
    assert ("Paper: 3 to 5 killed", str(CKV["epistemic/reported"])) in expected
    store = OxigraphStore(tmp_path / "db")
    try:
        store.load([str(data)])
        found = {(row["label"].value, row["status"].value)
                 for row in store.store.query(statuses, use_default_graph_as_union=True)}
        blank = list(store.store.query(f"SELECT ?c WHERE {{ ?c <{RDFS.label}> \"Paper: 3 to 5 killed\"@en }}",
                                       use_default_graph_as_union=True))
    finally:
        store.close()
    assert isinstance(blank[0]["c"], ox.BlankNode)
    assert found == expected
