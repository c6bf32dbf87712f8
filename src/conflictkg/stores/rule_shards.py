"""Splits what the claim-relation rules read into shards that no rule needs to join across.

A million generated events copy about 19 million triples out of the database for the rules; in an
in-memory Oxigraph store those take some 20 GB. The rules never join two claims except through a
link between them or to the event they are about, so the data falls apart into small groups (an
event, the claims and statements about it, and the claims those link to) that can be derived one
batch at a time, each batch in memory.

How a triple is placed (each copied N-Triples file holds one predicate):
- ATTRIBUTES (`rdf:type`, `prov:wasAttributedTo`, `ckg:claimKind`, ...) are properties of their
  subject. Their object, when it is a node (the source of a claim, the party to an event, a class,
  a status), is a *hub*: a hub's own triples (an actor's `ckg:armedForcesOf`, a class's
  `rdfs:subClassOf`) go into every shard, since a rule may follow an attribute from any group to it.
- Every other predicate (`schema:about`, `ckg:statedIn`, `ckg:corroborates`, ...) is a link that
  joins its subject and object into one group; groups are the connected components of the links.
  A predicate not named here is a link: that can only make a group larger, never part a join.
- The other triples go to the shard of their subject's group.

What this needs of a rule, and the shipped rules do: two claims are joined through a chain of
links or subjects they share, never only because they share an attribute's value (two claims are
paired when they are about the same event, a link, not because they concern the same side). The
tests derive the built-in data, hand-made cases and generated data in many shards and in one
store and compare.
"""

from __future__ import annotations

import os
from pathlib import Path

from rdflib.namespace import RDF, RDFS, SKOS, PROV

from conflictkg.graph.namespaces import CKG, SCHEMA

# predicates a rule reads as a property of their subject (the object, if a node, is a hub)
ATTRIBUTES = frozenset(str(p) for p in (
    RDF.type, RDFS.label, RDFS.subClassOf, SKOS.exactMatch, SKOS.narrowMatch, SKOS.inScheme, PROV.wasAttributedTo,
    SCHEMA.maxValue, SCHEMA.minValue, CKG.armedForcesOf, CKG.officialsOf, CKG.casualtyKind, CKG.citesSource,
    CKG.claimKind, CKG.claimStatus, CKG.combatant, CKG.perpetrator, CKG.target, CKG.concernsActor,
    CKG.derivedByRule, CKG.epistemicStatus, CKG.relationKind,
))


def split(copies: dict[str, Path], folder: Path, shards: int) -> tuple[Path, list[Path]]:
    """Write the triples of `copies` (predicate IRI -> an N-Triples file holding only triples with
    that predicate, as Oxigraph writes them) into one file of hub triples, which every shard
    needs, and `shards` files of the groups' triples. Returns (hub file, shard files)."""
    import polars as pl

    edges, hubs = [], []
    for predicate, path in copies.items():
        terms = _terms(path)
        if terms is None:
            continue
        if predicate in ATTRIBUTES:
            hubs.append(terms.select(node=pl.col("o")).drop_nulls().unique())
        else:
            edges.append(terms.filter(pl.col("o").is_not_null()).select(a="s", b="o"))
    group = _components(pl.concat(edges) if edges else pl.DataFrame(schema={"a": pl.UInt64, "b": pl.UInt64}))
    hub = pl.concat(hubs).unique() if hubs else pl.DataFrame(schema={"node": pl.UInt64})
    hub_path = folder / "hubs.nt"
    shard_paths = [folder / f"shard-{number}.nt" for number in range(shards)]
    outputs = [open(path, "ab") for path in [hub_path, *shard_paths]]
    try:
        for path in copies.values():
            terms = _terms(path, with_lines=True)
            if terms is None:
                continue
            placed = (
                terms.join(hub.with_columns(is_hub=pl.lit(True)), left_on="s", right_on="node", how="left")
                .join(group, left_on="s", right_on="node", how="left")
                .select(
                    "line",
                    where=pl.when(pl.col("is_hub")).then(pl.lit(0, pl.UInt64))
                    .otherwise(pl.coalesce("label", "s") % shards + 1),
                )
            )
            for (where,), lines in placed.partition_by("where", as_dict=True).items():
                lines.select("line").write_csv(outputs[where], include_header=False, quote_style="never")
            os.unlink(path)
    finally:
        for output in outputs:
            output.close()
    return hub_path, shard_paths


def _terms(path: Path, with_lines: bool = False):
    """The subject and object of each line of an N-Triples file as 64-bit hashes (the object
    null when it is a literal), with the line itself when asked; None for an empty file.
    Two nodes that share a hash are treated as one, which can only put more in one group."""
    import polars as pl

    if not os.path.getsize(path):
        return None
    # Oxigraph writes every control character in a literal escaped, so \x01 never occurs in a
    # line and the whole line is one column
    lines = pl.read_csv(path, has_header=False, new_columns=["line"], separator="\x01", quote_char=None,
                        schema={"line": pl.Utf8})
    parts = pl.col("line").str.splitn(" ", 3)
    obj = parts.struct.field("field_2").str.strip_suffix(" .")
    terms = lines.select(
        *(["line"] if with_lines else []),
        s=parts.struct.field("field_0").hash(),
        o=pl.when(obj.str.starts_with("<") | obj.str.starts_with("_:")).then(obj.hash()),
    )
    return terms


def _components(edges):
    """Each node of `edges` (columns a, b) with the smallest node hash of its connected
    component, as columns node and label: the smallest label spreads one link per round."""
    import polars as pl

    both = pl.concat([edges, edges.select(a="b", b="a")]).unique()
    labels = both.group_by("a").agg(label=pl.min("b")).select(node="a", label=pl.min_horizontal("a", "label"))
    while True:
        spread = (
            both.join(labels, left_on="b", right_on="node").group_by("a").agg(pl.min("label"))
            .select(node="a", offered="label")
        )
        updated = labels.join(spread, on="node", how="left").select(
            "node", label=pl.min_horizontal("label", "offered"), changed=pl.col("offered") < pl.col("label"),
        )
        if not updated["changed"].any():
            return labels
        labels = updated.select("node", "label")
