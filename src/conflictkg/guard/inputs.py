"""Checks input for what rdflib lets through: invalid or relative IRIs, and RDF/XML entity tricks.

rdflib's Turtle and JSON-LD parsers accept `<http://example.org/a b>` with only a log message,
resolve relative IRIs against the current folder (putting `file:///home/…` into the data), and
its RDF/XML parser expands entities: a "billion laughs" document makes it run for ever (its
text handler joins strings one piece at a time), and a `SYSTEM` entity names a file or URL.
`load.parse_into` parses with `RELATIVE_BASE` as the base IRI, so that relative references can be
recognised afterwards, and calls the two checks below.
"""

from __future__ import annotations

import os
import re
import xml.parsers.expat
from collections.abc import Iterable

from rdflib import URIRef
from rdflib.term import Node

from conflictkg.errors import InputError

# A base IRI that cannot be reached (RFC 6761 reserves .invalid): what relative references resolve to.
RELATIVE_BASE = "https://relative-iri.invalid/"
# Characters RFC 3987 does not allow in an IRI (Turtle's IRIREF excludes the same).
_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Entity expansion allowed in an RDF/XML document: this many characters, or its own size if larger.
MAX_ENTITY_EXPANSION = 1_000_000


def iri_problem(iri: str) -> str | None:
    """Why `iri` is not an absolute IRI we accept, or None if it is one."""
    if iri.startswith(RELATIVE_BASE):
        return "is a relative reference and the file sets no base IRI (@base / xml:base); write absolute IRIs"
    bad = _FORBIDDEN.search(iri)
    if bad:
        char = bad.group(0)
        name = "a space" if char == " " else f"the character {char!r}"
        return f"contains {name}, which IRIs may not contain"
    if not _SCHEME.match(iri):
        return "has no scheme (such as https:)"
    return None


def check_iris(terms: Iterable[Node], display_name: str, text: str) -> None:
    """Raise InputError naming file, line and column for the first bad IRI among `terms`."""
    seen: set[str] = set()
    for term in terms:
        if not isinstance(term, URIRef) or term in seen:
            continue
        seen.add(term)
        problem = iri_problem(str(term))
        if problem is not None:
            written = str(term).removeprefix(RELATIVE_BASE)
            line, column = _locate(text, written)
            shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group(0))[1:-1], written)
            raise InputError(f"{display_name}:{line}:{column}: invalid IRI <{shown}>: it {problem}")


def terms_of(quads: Iterable[tuple]) -> Iterable[Node]:
    """Every term of some quads (graph names included)."""
    for quad in quads:
        yield from quad[:3]
        graph = quad[3] if len(quad) > 3 else None
        identifier = getattr(graph, "identifier", graph)
        if identifier is not None:
            yield identifier


def check_xml_entities_file(path, display_name: str, chunk: int = 1 << 20) -> None:
    """`check_xml_entities` on a file read as a stream (for parsers that read the file themselves,
    such as Oxigraph's bulk loader): the scan stops at the first element when no entity is declared."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        _check_entities(iter(lambda: handle.read(chunk), b""), display_name, size)


def check_xml_entities(text: str, display_name: str) -> None:
    """Refuse RDF/XML whose DTD could make the parser expand entities without bound or fetch files.

    Refused: parameter entities, external entities (SYSTEM/PUBLIC), entities whose value refers
    to other entities (the "billion laughs" attack), and more than MAX_ENTITY_EXPANSION characters
    of expansion in total. A DTD that only abbreviates namespace IRIs (`<!ENTITY xsd "http://…">`)
    is fine. The scan stops at the first element when no entity is declared.
    """
    _check_entities([text.encode("utf-8")], display_name, len(text))


def _check_entities(chunks: Iterable[bytes], display_name: str, size: int) -> None:
    parser = xml.parsers.expat.ParserCreate()
    sizes: dict[str, int] = {}
    expanded = [0]
    budget = max(MAX_ENTITY_EXPANSION, size)

    class _Done(Exception):
        pass

    def where() -> str:
        return f"{display_name}:{parser.CurrentLineNumber}:{parser.CurrentColumnNumber + 1}"

    def entity(name, is_parameter, value, _base, system_id, public_id, _notation) -> None:
        if is_parameter:
            raise InputError(f"{where()}: RDF/XML declares the parameter entity %{name}; refused (entity expansion)")
        if system_id or public_id:
            raise InputError(
                f"{where()}: RDF/XML declares the external entity &{name}; ({system_id or public_id}); "
                "refused: it would read a file or URL that you did not name"
            )
        if value is not None and ("&" in value or "%" in value):
            raise InputError(
                f"{where()}: RDF/XML entity &{name}; refers to other entities; refused "
                "(nested entity expansion, the 'billion laughs' attack)"
            )
        sizes[name] = len(value or "")

    def first_element(*_args) -> None:
        if not sizes:
            raise _Done

    def reference(data: str) -> None:  # with a DefaultHandler, expat passes "&name;" on unexpanded
        if data.startswith("&") and data.endswith(";") and data[1:-1] in sizes:
            expanded[0] += sizes[data[1:-1]]
            if expanded[0] > budget:
                raise InputError(
                    f"{where()}: RDF/XML entity references would expand to more than {budget} characters; refused"
                )

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = first_element
    parser.DefaultHandler = reference
    try:
        for piece in chunks:
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except _Done:
        return
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code)
        raise InputError(f"{display_name}:{error.lineno}:{error.offset + 1}: RDF/XML error: {message}") from None


def _locate(text: str, fragment: str) -> tuple[int, int]:
    for candidate in (f"<{fragment}>", f'"{fragment}"', fragment):
        index = text.find(candidate)
        if index >= 0:
            before = text[:index]
            return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1
    return 1, 1
