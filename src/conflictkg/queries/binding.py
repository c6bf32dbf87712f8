"""Binds query parameters for engines without rdflib's initBindings: a VALUES block of serialised terms.

Why this is safe (no value can change the query's structure):

- Each value is one RDF term, written by `term_to_sparql` in the SPARQL/N-Triples term syntax:
  an IRI is refused if it holds any character outside the IRIREF production (`<`, `>`, `"`,
  `{`, `}`, `|`, `^`, backquote, backslash, spaces and control characters), so it cannot close
  its `<...>` early; a literal's lexical form has every backslash, double quote, line feed,
  carriage return, tab and other control character escaped (ECHAR / UCHAR), so the string token
  ends only at the closing quote we write; a language tag must match BCP 47's letters-digits-
  hyphens shape; a datatype is an IRI checked as above; blank nodes are refused.
- The block `VALUES (?a ?b) { (term term) }` is inserted right after the opening brace of the
  query's top-level WHERE group, found by a small lexer that skips comments, strings and IRIs,
  so it joins the whole group: FILTERs and OPTIONALs of that group see the values bound, as with
  rdflib's initBindings. Variable names come from the saved query's own header and are checked
  against SPARQL's VARNAME production.

The test suite sends hostile values (quotes, braces, `#`, newlines, `DROP ALL`) through it and
checks that they come back unchanged as data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from conflictkg.errors import QueryError, UsageError

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRIREF_AT = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')
_WORD_AT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def iri_to_sparql(iri: str) -> str:
    """`<iri>`, or a UsageError when the IRI holds a character IRIs may not hold."""
    if _IRI_FORBIDDEN.search(iri):
        raise UsageError(f"not a usable IRI (it holds a space, quote, brace or similar): {iri!r}")
    return f"<{iri}>"


def escape_string(text: str) -> str:
    """`text` as the inside of a double-quoted SPARQL string, with every special character escaped."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def term_to_sparql(term: Node) -> str:
    """One rdflib term in SPARQL syntax, safe to place inside a VALUES block."""
    if isinstance(term, URIRef):
        return iri_to_sparql(str(term))
    if isinstance(term, Literal):
        body = f'"{escape_string(str(term))}"'
        if term.language:
            if not _LANG.match(term.language):
                raise UsageError(f"not a language tag: {term.language!r}")
            return f"{body}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{body}^^{iri_to_sparql(str(term.datatype))}"
        return body
    if isinstance(term, BNode):
        raise UsageError("a blank node cannot be a query parameter")
    raise UsageError(f"cannot use {term!r} as a query parameter")


def values_block(bindings: Mapping[str, Node]) -> str:
    """`VALUES (?a ?b) { (t1 t2) }` for the given variable -> term bindings."""
    names = list(bindings)
    for name in names:
        if not _VARNAME.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(term_to_sparql(bindings[name]) for name in names)
    return f"VALUES ({variables}) {{ ({terms}) }}"


def bind_with_values(query_text: str, bindings: Mapping[str, Node]) -> str:
    """`query_text` with a VALUES block for `bindings` at the start of its top-level WHERE group."""
    if not bindings:
        return query_text
    position = where_group_start(query_text)
    return query_text[:position] + "\n  " + values_block(bindings) + "\n" + query_text[position:]


def where_group_start(text: str) -> int:
    """The offset just after the `{` that opens the query's top-level WHERE group.

    Comments, strings and IRIs are skipped. The group is the one after the first top-level
    `WHERE` keyword; a SELECT, ASK or DESCRIBE query may leave `WHERE` out, and then it is the
    first top-level `{` outside parentheses. The short form `CONSTRUCT WHERE { ... }` (whose
    group is also the template) cannot take a VALUES block and is refused.
    """
    depth = parens = 0
    i, n = 0, len(text)
    saw_where = False
    first_word = None
    while i < n:
        skipped = skip_lexeme(text, i)
        if skipped != i:
            i = skipped
            continue
        char = text[i]
        if char in "?$":
            match = _WORD_AT.match(text, i + 1)
            i = match.end() if match else i + 1
            continue
        if char == "(":
            parens += 1
        elif char == ")":
            parens -= 1
        elif char == "{":
            if depth == 0 and parens == 0:
                if saw_where or (first_word in ("SELECT", "ASK", "DESCRIBE")):
                    if saw_where and first_word == "CONSTRUCT" and _constructs_short(text, i):
                        break
                    return i + 1
            depth += 1
        elif char == "}":
            depth -= 1
        elif char.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:-.")):
            match = _WORD_AT.match(text, i)
            word = match.group(0)
            end = match.end()
            if end < n and text[end] == ":":  # a prefixed name such as where:x
                i = end + 1
                continue
            upper = word.upper()
            if depth == 0 and parens == 0:
                if first_word is None and upper in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT"):
                    first_word = upper
                if upper == "WHERE":
                    saw_where = True
            i = end
            continue
        i += 1
    raise QueryError("cannot bind parameters in this query: no top-level WHERE group found (or the short CONSTRUCT WHERE form)")


def _constructs_short(text: str, brace: int) -> bool:
    """Whether the `{` at `brace` follows `CONSTRUCT WHERE` directly (the short form)."""
    before = re.sub(r"#[^\n]*", " ", text[:brace]).upper().split()
    return len(before) >= 2 and before[-1] == "WHERE" and before[-2] == "CONSTRUCT"


def skip_lexeme(text: str, i: int) -> int:
    """The offset just after the comment, string or IRI that starts at `i`; `i` if none does.
    (Inside those, brackets and keywords are not SPARQL's.)"""
    char = text[i]
    if char == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end + 1
    if char in "\"'":
        return _skip_string(text, i)
    if char == "<":
        match = _IRIREF_AT.match(text, i)
        if match:
            return match.end()
    return i


def closing_bracket(text: str, i: int, opening: str, closing: str) -> int | None:
    """The offset just after the bracket that closes the `opening` one at `i` (comments, strings
    and IRIs skipped); None if it is never closed."""
    depth, n = 0, len(text)
    while i < n:
        skipped = skip_lexeme(text, i)
        if skipped != i:
            i = skipped
            continue
        if text[i] == opening:
            depth += 1
        elif text[i] == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = i + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
                continue
            if text.startswith(quote * 3, end):
                return end + 3
            end += 1
        return len(text)
    end = i + 1
    while end < len(text):
        if text[end] == "\\":
            end += 2
            continue
        if text[end] == quote or text[end] == "\n":
            return end + 1
        end += 1
    return len(text)


def where_group_body(text: str) -> tuple[int, int]:
    """Offsets (start, end) of the inside of the top-level WHERE group: after its `{`, at its `}`."""
    start = where_group_start(text)
    end = closing_bracket(text, start - 1, "{", "}")
    if end is not None:
        return start, end - 1
    raise QueryError("unbalanced braces in the query")


_MODIFIER = re.compile(r"(?i)\b(LIMIT|OFFSET)\s+(\d+)")
_TRAILING_VALUES = re.compile(r"(?i)\bVALUES\b")


def with_page(query_text: str, limit: int | None = None, offset: int | None = None) -> str:
    """`query_text` answering only the rows from `offset` (0: the first) up to `limit` of them.

    The LIMIT and OFFSET go after the top-level WHERE group's solution modifiers (GROUP BY,
    ORDER BY...), before a trailing VALUES clause. A query with a LIMIT or OFFSET of its own
    keeps its window, and the page is taken inside it (OFFSET adds up, LIMIT is the smaller).
    Pages are stable only for a query with an ORDER BY that orders every row."""
    if limit is None and offset is None:
        return query_text
    if (limit is not None and limit < 0) or (offset is not None and offset < 0):
        raise QueryError("--limit and --offset take a number of rows, 0 or more")
    _start, end = where_group_body(query_text)
    head, tail = query_text[: end + 1], query_text[end + 1 :]
    code = _without_comments(tail)
    own = {word.upper(): int(number) for word, number in _MODIFIER.findall(code)}
    values_at = _TRAILING_VALUES.search(code)
    modifiers, trailing = (code[: values_at.start()], code[values_at.start() :]) if values_at else (code, "")
    modifiers = _MODIFIER.sub("", modifiers).rstrip()
    start = own.get("OFFSET", 0) + (offset or 0)
    rows = [n for n in (limit, None if "LIMIT" not in own else max(own["LIMIT"] - (offset or 0), 0)) if n is not None]
    page = (f"\nLIMIT {min(rows)}" if rows else "") + (f"\nOFFSET {start}" if start else "")
    return head + modifiers + page + ("\n" + trailing if trailing else "\n")


def _without_comments(text: str) -> str:
    """`text` with its comments removed (strings and IRIs kept as they are)."""
    out, i, n = [], 0, len(text)
    while i < n:
        skipped = skip_lexeme(text, i)
        if skipped != i:
            if text[i] != "#":
                out.append(text[i:skipped])
            i = skipped
            continue
        out.append(text[i])
        i += 1
    return "".join(out)
