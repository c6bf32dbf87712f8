"""Ties graph nodes to the words of their source text (W3C Web Annotation quotes) and finds those words again."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from conflictkg.errors import InputError, UsageError
from conflictkg.graph.namespaces import CKG, KGR, OA, PREFIXES
from conflictkg.graph.resources import resource_dir

EVIDENCE_GRAPH = KGR["kwala-evidence"]
CONTEXT = 32  # characters of oa:prefix / oa:suffix written by `quote_at`
_HEADING = re.compile(r"^==+\s*(.*?)\s*==+\s*$")
_TITLE = re.compile(r"^=\s*(.*?)\s*=\s*$")
_LABEL_TIERS = ((RDFS.label,), (SKOS.prefLabel, SKOS.altLabel), (DCTERMS.title,))


# --- quotes in a text ------------------------------------------------------------------------

@dataclass(frozen=True)
class Quote:
    """An oa:TextQuoteSelector: the exact words, with the words just before and after them."""

    exact: str
    prefix: str = ""
    suffix: str = ""


def find_quote(text: str, quote: Quote) -> list[int]:
    """Every offset in `text` where `quote.exact` starts with `quote.prefix` before it and
    `quote.suffix` after it (the W3C TextQuoteSelector's matching rule)."""
    if not quote.exact:
        return []
    starts = []
    position = text.find(quote.exact)
    while position != -1:
        end = position + len(quote.exact)
        if text[:position].endswith(quote.prefix) and text.startswith(quote.suffix, end):
            starts.append(position)
        position = text.find(quote.exact, position + 1)
    return starts


def quote_at(text: str, start: int, end: int, width: int = CONTEXT) -> Quote:
    """The selector for `text[start:end]`: up to `width` characters of context either side, cut
    after the last line break before the words and after the first one following them (the line
    break itself is kept), widened until the quote occurs exactly once."""
    for reach in (width, 2 * width, 4 * width, len(text)):
        prefix = text[max(0, start - reach) : start]
        suffix = text[end : end + reach]
        if reach == width:
            cut = prefix.rfind("\n")
            prefix = prefix[cut:] if cut != -1 else prefix
            cut = suffix.find("\n")
            suffix = suffix[: cut + 1] if cut != -1 else suffix
        quote = Quote(text[start:end], prefix, suffix)
        if len(find_quote(text, quote)) == 1:
            return quote
    raise InputError(f"cannot select {text[start:end]!r} uniquely: the text repeats it with its whole context")


def locate(text: str, exact: str, anchor: str | None = None) -> tuple[int, int]:
    """Where `exact` is in `text`: its only occurrence, or its only occurrence inside the only
    occurrence of `anchor` (a longer passage that contains it)."""
    if anchor is not None:
        places = find_quote(text, Quote(anchor))
        inner = anchor.find(exact)
        if len(places) != 1 or inner == -1:
            raise InputError(f"the anchor {anchor!r} must occur once in the text and contain {exact!r}")
        start = places[0] + inner
        return start, start + len(exact)
    places = find_quote(text, Quote(exact))
    if len(places) != 1:
        raise InputError(f"{exact!r} occurs {len(places)} times in the text; give an anchor")
    return places[0], places[0] + len(exact)


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (or infobox line) holding `text[start:end]`, whole sentences if it spans several."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    begin = line_start
    for match in re.finditer(r"[.!?]\s+", text[line_start:start]):
        begin = line_start + match.end()
    if end > start and text[end - 1] in ".!?":
        finish = end
    else:
        match = re.search(r"[.!?](?=\s|$)", text[end:line_end])
        finish = end + match.end() if match else line_end
    sentence = text[begin:finish].strip()
    return sentence.removeprefix("- ")


def section_at(text: str, start: int) -> str:
    """The part of the article at `start`: "title", "infobox", "lead" or the section heading."""
    section = "lead"
    in_infobox = False
    offset = 0
    for line in text.splitlines(keepends=True):
        if offset > start:
            break
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        if heading:
            section, in_infobox = heading.group(1), False
        elif _TITLE.match(stripped) and section == "lead" and not in_infobox:
            if offset + len(line) > start:
                return "title"
        elif stripped == "Infobox":
            in_infobox = True
        elif in_infobox and not stripped.startswith("- "):
            in_infobox = False
        offset += len(line)
    return "infobox" if in_infobox else section


# --- evidence in a graph ----------------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    """One oa:Annotation: its body node, the source it quotes, the quote and what it supports."""

    annotation: Node
    body: Node
    source: Node
    quote: Quote
    properties: frozenset[Node] = frozenset()

    @property
    def whole_node(self) -> bool:
        """True when the annotation supports the node as a whole (no ckg:evidenceFor)."""
        return not self.properties


def evidence_in(graph: Graph | Dataset, body: Node | None = None) -> list[Evidence]:
    """Every quoted annotation in `graph` (a Dataset is read as the union of its graphs), or
    those whose oa:hasBody is `body`."""
    found = []
    for annotation in sorted(set(graph.subjects(RDF.type, OA.Annotation)), key=str):
        bodies = set(graph.objects(annotation, OA.hasBody))
        if body is not None and body not in bodies:
            continue
        properties = frozenset(graph.objects(annotation, CKG.evidenceFor))
        for target in graph.objects(annotation, OA.hasTarget):
            source = graph.value(target, OA.hasSource)
            for selector in graph.objects(target, OA.hasSelector):
                if (selector, RDF.type, OA.TextQuoteSelector) not in graph:
                    continue
                quote = Quote(
                    str(graph.value(selector, OA.exact) or ""),
                    str(graph.value(selector, OA.prefix) or ""),
                    str(graph.value(selector, OA.suffix) or ""),
                )
                for each in sorted(bodies, key=str) if body is None else [body]:
                    found.append(Evidence(annotation, each, source, quote, properties))
    return found


def source_texts(graph: Graph | Dataset) -> dict[Node, str]:
    """The shipped plain text of every source that names one with ckg:textFile (a file name in
    the package's data folder; a name with a folder in it is refused)."""
    texts = {}
    folder = resource_dir("data")
    for source, name in graph.subject_objects(CKG.textFile):
        name = str(name)
        if "/" in name or "\\" in name or name.startswith("."):
            raise InputError(f"ckg:textFile of {source} must be a file name in data/, not {name!r}")
        entry = folder / name
        if not entry.is_file():
            raise InputError(f"ckg:textFile of {source} names {name!r}, which is not in the package's data folder")
        texts[source] = entry.read_text("utf-8")
    return texts


@dataclass(frozen=True)
class QuoteCheck:
    """Where one annotation's quote is found in its source's text (`matches` offsets)."""

    evidence: Evidence
    matches: tuple[int, ...]
    has_text: bool

    @property
    def ok(self) -> bool:
        return self.has_text and len(self.matches) == 1


def check_quotes(graph: Graph | Dataset) -> list[QuoteCheck]:
    """Every annotation's quote looked up in its source's shipped text."""
    texts = source_texts(graph)
    checks = []
    for item in evidence_in(graph):
        text = texts.get(item.source)
        matches = tuple(find_quote(text, item.quote)) if text is not None else ()
        checks.append(QuoteCheck(item, matches, text is not None))
    return checks


# --- one node and its statements ---------------------------------------------------------------

def resolve_node(dataset: Dataset, name: str, all_labels: Callable[[], Graph | Dataset] | None = None) -> URIRef:
    """The node a user names: an IRI (<…> or https://…), a prefixed name (kid:claim/rfi-killed,
    claim:rfi-killed), or a label that exactly one node has (case is ignored). When no node has
    the label, the close ones are suggested from `dataset`, or from `all_labels()` if given (when
    `dataset` holds only the labels that match)."""
    text = name.strip()
    if not text:
        raise UsageError("name a node: an IRI, a prefixed name such as kid:claim/rfi-killed, or a label")
    candidate = _as_iri(dataset, text)
    if candidate is not None:
        if next(iter(dataset.triples((candidate, None, None))), None) is None:
            raise UsageError(f"no statements about <{candidate}> in the graph")
        return candidate
    wanted = text.casefold()
    matches: dict[URIRef, str] = {}
    labels: set[str] = set()
    for tier in _LABEL_TIERS:  # a node's own name (rdfs:label) wins over other names and titles
        for predicate in tier:
            for subject, label in dataset.subject_objects(predicate):
                if not isinstance(subject, URIRef) or not isinstance(label, Literal):
                    continue
                labels.add(str(label))
                if str(label).casefold() == wanted:
                    matches.setdefault(subject, str(label))
        if matches:
            break
    if len(matches) == 1:
        return next(iter(matches))
    if matches:
        listed = ", ".join(sorted(_short(dataset, node) for node in matches))
        raise UsageError(f"{len(matches)} nodes are called {text!r}: {listed}; name one by its IRI")
    if all_labels is not None:
        labels = {str(label) for tier in _LABEL_TIERS for predicate in tier
                  for subject, label in all_labels().subject_objects(predicate)
                  if isinstance(subject, URIRef) and isinstance(label, Literal)}
    close = difflib.get_close_matches(text, sorted(labels), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"no node with the IRI or label {text!r}{hint}")


def _as_iri(dataset: Dataset, text: str) -> URIRef | None:
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if re.match(r"^(https?|urn|file):", text):
        return URIRef(text)
    prefix, colon, local = text.partition(":")
    if not colon or " " in text or local.startswith("//"):
        return None
    namespaces = {p: str(ns) for p, ns in dataset.namespace_manager.namespaces()}
    namespaces.update({p: str(ns) for p, ns in PREFIXES.items()})
    if prefix in namespaces:
        return URIRef(namespaces[prefix] + local)
    return None


def _short(dataset: Dataset, node: Node) -> str:
    try:
        return node.n3(dataset.namespace_manager)
    except Exception:
        return str(node)


@dataclass(frozen=True)
class QuotedEvidence:
    """An annotation with where its quote is in the text: the sentence and the article section."""

    evidence: Evidence
    sentence: str = ""
    section: str = ""
    found: int = 0  # how many times the quote occurs in the source text (1 when all is well)


@dataclass
class StatementEvidence:
    """One statement about the node, with the quotes that support it or how it was derived."""

    predicate: Node
    object: Node
    quotes: list[QuotedEvidence] = field(default_factory=list)
    specific: bool = False  # the quotes name this statement's property (else they cover the whole node)
    derived_by: list[Node] = field(default_factory=list)
    inferred: list[tuple[Node, str]] = field(default_factory=list)  # (kind of inference, note): the encoder added it


@dataclass
class RelationEvidence:
    """A derived claim relation that involves the node."""

    relation: Node
    kind: Node | None
    other: Node | None
    role: str
    rule: Node | None


@dataclass
class NodeEvidence:
    """What `conflictkg evidence NODE` prints."""

    node: URIRef
    label: str
    statements: list[StatementEvidence]
    relations: list[RelationEvidence]
    unquoted_because: str = ""


_FIRST = {RDF.type: 0, RDFS.label: 1}


def node_evidence(dataset: Dataset, node: URIRef) -> NodeEvidence:
    """The node's statements (from every graph), each with the quotes that support it."""
    texts = source_texts(dataset)
    quoted = [_quoted(item, texts) for item in evidence_in(dataset, node)]
    general = [q for q in quoted if q.evidence.whole_node]
    statements = []
    seen = set()
    triples = sorted(
        ((p, o) for _s, p, o in dataset.triples((node, None, None))),
        key=lambda po: (_FIRST.get(po[0], 2), _short(dataset, po[0]), str(po[1])),
    )
    for predicate, obj in triples:
        if (predicate, obj) in seen:
            continue
        seen.add((predicate, obj))
        specific = _naming(dataset, obj, [q for q in quoted if predicate in q.evidence.properties])
        statement = StatementEvidence(predicate, obj, specific or general, bool(specific))
        statement.inferred = _inferences(dataset, node, predicate, obj)
        if statement.inferred:
            statement.quotes = []  # a marked inference is never shown as quoted, whatever quotes the node has
        if predicate == CKG.epistemicStatus:
            statement.quotes = []
            statement.derived_by = sorted(
                {
                    rule
                    for assessment in dataset.subjects(CKG.assessedClaim, node)
                    if (assessment, CKG.epistemicStatus, obj) in dataset
                    for rule in dataset.objects(assessment, CKG.derivedByRule)
                },
                key=str,
            )
        statements.append(statement)
    relations = []
    for role, predicate, other_predicate in (("from", CKG.fromClaim, CKG.toClaim), ("to", CKG.toClaim, CKG.fromClaim)):
        for relation in sorted(set(dataset.subjects(predicate, node)), key=str):
            relations.append(
                RelationEvidence(
                    relation,
                    dataset.value(relation, CKG.relationKind),
                    dataset.value(relation, other_predicate),
                    role,
                    dataset.value(relation, CKG.derivedByRule),
                )
            )
    label = dataset.value(node, RDFS.label)
    reason = dataset.value(node, CKG.unquotedBecause)
    return NodeEvidence(node, str(label) if label is not None else "", statements, relations, str(reason or ""))


# What `node_evidence` and `resolve_node` read, as CONSTRUCT queries, so that a store can send
# only that (`Store.part`: a server answers them; a store in memory gives its data set). Every
# branch of the UNION names ?node, so that servers evaluate each with the node bound (one branch
# without it made Oxigraph join the others unbound: 4 s instead of 0.01 s at 10,000 events).
_LABEL_VALUES = "VALUES ?p { rdfs:label skos:prefLabel skos:altLabel dcterms:title }"
_LABELLED = f"""# param: name string
CONSTRUCT {{ ?s ?p ?label }} WHERE {{
  {_LABEL_VALUES} ?s ?p ?label
  FILTER(isIRI(?s) && isLiteral(?label) && LCASE(STR(?label)) = LCASE(?name))
}}"""
_ALL_LABELS = f"""CONSTRUCT {{ ?s ?p ?label }} WHERE {{ {_LABEL_VALUES} ?s ?p ?label FILTER(isIRI(?s) && isLiteral(?label)) }}"""
_ABOUT_NODE = """# param: node iri
CONSTRUCT { ?s ?p ?o } WHERE {
  { ?node ?p ?o BIND(?node AS ?s) }
  UNION { ?annotation oa:hasBody ?node ; oa:hasTarget/oa:hasSource ?s . ?s ckg:textFile ?o BIND(ckg:textFile AS ?p) }
  UNION { ?node ?q ?s . ?s ?p ?o FILTER(?p = rdfs:label || ?p = skos:altLabel) }
  UNION { ?s oa:hasBody ?node ; ?p ?o }
  UNION { ?annotation oa:hasBody ?node ; oa:hasTarget ?s . ?s ?p ?o }
  UNION { ?annotation oa:hasBody ?node ; oa:hasTarget/oa:hasSelector ?s . ?s ?p ?o }
  UNION { ?s rdf:subject ?node ; ?p ?o }
  UNION { ?s ckg:assessedClaim ?node ; ?p ?o }
  UNION { ?s ckg:fromClaim ?node ; ?p ?o }
  UNION { ?s ckg:toClaim ?node ; ?p ?o }
}"""


def store_node_evidence(store, name: str) -> NodeEvidence:
    """`node_evidence` of the node `name` names (`resolve_node`), reading from `store` only
    what concerns that node (`Store.part` of the queries above): a server sends the labels that
    match the name, then the node's statements, its annotations, its objects' names, the
    assessments, relations and inference markers about it, and the text files of the sources
    its annotations quote. With
    the same data the answer is the same as on the whole data set; the name is matched on the
    server with LCASE, then here with casefold (so a label that only casefold equates, such as
    "ß" and "ss", is not found there)."""
    from conflictkg.queries.saved import parse_saved_query
    from conflictkg.stores.base import expand_prefixed

    text = name.strip()
    labelled = store.part(parse_saved_query("evidence-labels", _LABELLED), {"name": text}) if text else Dataset()
    candidate = _as_iri(labelled, text)
    if candidate is None and " " not in text and expand_prefixed(text) != text:
        candidate = URIRef(expand_prefixed(text))  # a name as printed (claim:rfi-killed), whatever the store binds
    every_label = parse_saved_query("evidence-all-labels", _ALL_LABELS)
    node = candidate or resolve_node(labelled, name, all_labels=lambda: store.part(every_label))
    about = store.part(parse_saved_query("evidence-node", _ABOUT_NODE), {"node": str(node)})
    if candidate is not None:
        resolve_node(about, f"<{candidate}>")  # refused, as on the whole data set, when nothing is said about it
    return node_evidence(about, node)


def _inferences(dataset: Dataset, node: Node, predicate: Node, obj: Node) -> list[tuple[Node, str]]:
    """The encoder's inference markers (ckg:EncoderInference) for one statement: (kind, note)."""
    found = []
    for marker in dataset.subjects(RDF.subject, node):
        if (marker, RDF.predicate, predicate) in dataset and (marker, RDF.object, obj) in dataset \
                and (marker, RDF.type, CKG.EncoderInference) in dataset:
            found.append((dataset.value(marker, CKG.inferenceRule), str(dataset.value(marker, RDFS.comment) or "")))
    return sorted(found, key=lambda item: (str(item[0]), item[1]))


def _naming(dataset: Dataset, obj: Node, quotes: list[QuotedEvidence]) -> list[QuotedEvidence]:
    """Of several quotes for one property, those that name the statement's object (by a label of
    it, or its text), when any does: "Combatant1: Mali" for the combatant Mali, not JNIM's line."""
    if len(quotes) < 2:
        return quotes
    names = [str(obj)] if isinstance(obj, Literal) else [str(v) for p in (RDFS.label, SKOS.altLabel) for v in dataset.objects(obj, p)]
    names = [n.casefold() for n in names if n]
    naming = [q for q in quotes if any(n in q.evidence.quote.exact.casefold() for n in names)]
    return naming or quotes


def _quoted(item: Evidence, texts: dict[Node, str]) -> QuotedEvidence:
    text = texts.get(item.source)
    if text is None:
        return QuotedEvidence(item)
    matches = find_quote(text, item.quote)
    if not matches:
        return QuotedEvidence(item)
    start = matches[0]
    end = start + len(item.quote.exact)
    return QuotedEvidence(item, sentence_at(text, start, end), section_at(text, start), len(matches))


__all__ = [
    "CONTEXT",
    "EVIDENCE_GRAPH",
    "Evidence",
    "NodeEvidence",
    "Quote",
    "QuoteCheck",
    "QuotedEvidence",
    "RelationEvidence",
    "StatementEvidence",
    "check_quotes",
    "evidence_in",
    "find_quote",
    "locate",
    "node_evidence",
    "quote_at",
    "resolve_node",
    "section_at",
    "sentence_at",
    "source_texts",
    "store_node_evidence",
]


def render_node_evidence(found: NodeEvidence, namespace_manager) -> str:
    """`found` as text for people: each statement, with the sentence it comes from under it (the
    quoted words in [brackets]) and the part of the article, or the rule that derived it."""

    def short(node: Node | None) -> str:
        if node is None:
            return "?"
        if isinstance(node, Literal) and node.datatype is not None:
            return node.n3(namespace_manager) if node.datatype != XSD.integer else str(node)
        if isinstance(node, Literal):
            text = str(node)
            text = text if len(text) <= 100 else text[:97] + "..."
            return f'"{text}"' + (f"@{node.language}" if node.language else "")
        from conflictkg.queries.tables import cell_text

        return cell_text(node, namespace_manager)  # a name SPARQL and Turtle read, else <IRI>

    lines = [f"{short(found.node)}" + (f"  ({found.label})" if found.label else "")]
    if found.unquoted_because:
        lines.append(f"  no quotation: {found.unquoted_because}")
    for statement in found.statements:
        lines.append(f"  {short(statement.predicate)} {short(statement.object)}")
        if statement.derived_by:
            lines.extend(f"      derived by rule {_last(rule)}" for rule in statement.derived_by)
            continue
        if statement.inferred:
            lines.extend(f"      inferred by the encoder ({_last(kind)}): {note}" for kind, note in statement.inferred)
            continue
        if not statement.quotes:
            lines.append("      (no quotation)")
            continue
        for quoted in statement.quotes:
            lines.append("      " + _marked(quoted) + (f"  [{quoted.section}]" if quoted.section else ""))
    if found.relations:
        lines.append("  claim relations (derived):")
        for relation in found.relations:
            direction = "->" if relation.role == "from" else "<-"
            lines.append(f"    {_last(relation.kind)} {direction} {short(relation.other)}  (rule {_last(relation.rule)})")
    return "\n".join(lines)


def _last(node: Node | None) -> str:
    """A vocabulary term by its last path segment (in-conflict, figure-against-silence)."""
    return "?" if node is None else str(node).rstrip("/").rsplit("/", 1)[-1]


def _marked(quoted: QuotedEvidence) -> str:
    """The sentence with the quoted words in ⟦…⟧, or the bare quote when its text is not shipped."""
    exact = quoted.evidence.quote.exact
    if not quoted.sentence:
        return f"\u201c\u2026{exact}\u2026\u201d (not found in a shipped text)"
    sentence = quoted.sentence
    at = sentence.find(exact)
    if at == -1:
        return f"\u201c{sentence}\u201d"
    return f"\u201c{sentence[:at]}\u27e6{exact}\u27e7{sentence[at + len(exact):]}\u201d"
