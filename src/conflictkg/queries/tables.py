"""Formats SPARQL SELECT results as an aligned text table, CSV or SPARQL JSON."""

from __future__ import annotations

import re

from rdflib.namespace import NamespaceManager
from rdflib.query import Result
from rdflib.term import Literal, Node

RESULT_FORMATS = ("table", "csv", "json", "tsv")


def format_result(result: Result, fmt: str, namespace_manager: NamespaceManager | None = None) -> bytes:
    """SELECT rows (or an ASK answer, or a CONSTRUCT graph as Turtle) in the chosen format."""
    if result.type == "ASK":
        return (("true" if result.askAnswer else "false") + "\n").encode()
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "table":
        return render_table(result, namespace_manager).encode("utf-8")
    return result.serialize(format=fmt)


def rows_as_text(result: Result, namespace_manager: NamespaceManager | None = None) -> tuple[list[str], list[list[str]]]:
    """Column names and each row's cells as short strings (prefixed names, plain literals)."""
    columns = [str(v) for v in result.vars or []]
    rows = [[cell_text(row[i], namespace_manager) for i in range(len(columns))] for row in result]
    return columns, rows


def cell_text(term: Node | None, namespace_manager: NamespaceManager | None = None) -> str:
    """How one term reads in a table: literals by value, IRIs as prefixed names where possible."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if namespace_manager is not None:
        try:
            text = term.n3(namespace_manager)
        except (ValueError, KeyError, TypeError):
            return str(term)
        if text.startswith(("<", "_:")) or is_prefixed_name(text):
            return text
        return f"<{term}>"  # rdflib wrote a name SPARQL and Turtle would not read (say, ending in '.')
    return str(term)


# SPARQL 1.1 / Turtle PNAME_LN without the rarely used %-escapes: what a pasted name must look like
_PN_CHARS_BASE = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
_PN_CHARS = _PN_CHARS_BASE + "_\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PREFIXED_NAME = re.compile(
    f"^(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:"
    f"(?:[{_PN_CHARS_BASE}_:0-9](?:[{_PN_CHARS}.:]*[{_PN_CHARS}:])?)?$"
)


def is_prefixed_name(text: str) -> bool:
    """Whether `text` is a prefixed name (`actor:rfi`) that SPARQL and Turtle both read."""
    return bool(_PREFIXED_NAME.match(text))


def render_table(result: Result, namespace_manager: NamespaceManager | None = None) -> str:
    """An aligned plain-text table with a header rule and a row count."""
    columns, rows = rows_as_text(result, namespace_manager)
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    def line(cells: list[str]) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()
    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
