"""Discovers the saved SPARQL queries, binds their parameters through the engine, and runs them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from conflictkg.errors import InputError, QueryError, UsageError
from conflictkg.graph.namespaces import PREFIXES, sparql_prologue
from conflictkg.graph.resources import resource_files

PARAM_TYPES = ("iri", "date", "integer", "decimal", "string")
_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_IRI_SAFE = re.compile(r"^[^\s<>\"{}|\\^`]+$")


@dataclass(frozen=True)
class Parameter:
    """A `# param: NAME TYPE [default=VALUE] description` line of a saved query."""

    name: str
    type: str
    description: str = ""
    default: str | None = None


@dataclass(frozen=True)
class SavedQuery:
    """A SPARQL query file with the header lines the tool reads."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read the `# title:`, `# description:` and `# param:` header of a query's text."""
    title, description, parameters = "", [], []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        else:
            parameters.append(_parse_parameter(name, number, value))
    return SavedQuery(name, text, title, " ".join(description), tuple(parameters))


def _parse_parameter(query_name: str, line_number: int, spec: str) -> Parameter:
    words = spec.split()
    if len(words) < 2 or words[1] not in PARAM_TYPES:
        raise QueryError(
            f"{query_name}.rq:{line_number}: a param line reads '# param: NAME TYPE [default=VALUE] description' "
            f"with TYPE one of {', '.join(PARAM_TYPES)}"
        )
    default = None
    rest = words[2:]
    if rest and rest[0].startswith("default="):
        default = rest.pop(0)[len("default=") :]
    return Parameter(words[0], words[1], " ".join(rest), default)


def saved_queries() -> dict[str, SavedQuery]:
    """Every shipped query in `queries/`, by name (the file name without `.rq`)."""
    return {
        entry.name[: -len(".rq")]: parse_saved_query(entry.name[: -len(".rq")], entry.read_text("utf-8"))
        for entry in resource_files("queries", ".rq")
    }


def find_query(name_or_path: str) -> SavedQuery:
    """A saved query by name, or a query file the user names (ending in `.rq`/`.sparql`)."""
    if name_or_path.endswith((".rq", ".sparql")):
        path = Path(name_or_path)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{name_or_path}: cannot read the query file: {error}") from None
        return parse_saved_query(path.stem, text)
    queries = saved_queries()
    if name_or_path not in queries:
        raise UsageError(
            f"no saved query named {name_or_path!r}; `conflictkg queries` lists them: {', '.join(sorted(queries))}"
        )
    return queries[name_or_path]


def bind_parameters(query: SavedQuery, values: dict[str, str]) -> dict[str, Node]:
    """Typed rdflib terms for the query's parameters, from the user's strings and the defaults."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(values) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise UsageError(f"query {query.name!r} has no parameter {unknown[0]!r} (its parameters: {allowed})")
    bindings = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name, parameter.default)
        if raw is None:
            raise UsageError(f"query {query.name!r} needs --param {parameter.name}=<{parameter.type}>")
        bindings[parameter.name] = to_term(parameter, raw)
    return bindings


def to_term(parameter: Parameter, raw: str) -> Node:
    """The rdflib term for one parameter value, or a UsageError saying what type was wanted."""
    try:
        if parameter.type == "iri":
            return _to_iri(raw)
        if parameter.type == "date":
            return Literal(dt.date.fromisoformat(raw).isoformat(), datatype=XSD.date)
        if parameter.type == "integer":
            return Literal(int(raw), datatype=XSD.integer)
        if parameter.type == "decimal":
            return Literal(Decimal(raw), datatype=XSD.decimal)
        return Literal(raw)
    except (ValueError, InvalidOperation):
        raise UsageError(
            f"parameter {parameter.name!r} must be {_TYPE_HINTS[parameter.type]}, not {raw!r}"
        ) from None


_TYPE_HINTS = {
    "iri": "an IRI (https://…) or a prefixed name such as kid:place/kwala",
    "date": "a date written YYYY-MM-DD",
    "integer": "a whole number",
    "decimal": "a number",
    "string": "text",
}


def _to_iri(raw: str) -> URIRef:
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        value = str(PREFIXES[prefix]) + local
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or not _IRI_SAFE.match(value):
        raise ValueError(value)
    return URIRef(value)


def paged(query: SavedQuery, limit: int | None = None, offset: int | None = None) -> SavedQuery:
    """The query answering one page of its rows: at most `limit` rows, after skipping `offset`
    (see `conflictkg.queries.binding.with_page`). Every store runs the result as it runs the query."""
    from dataclasses import replace

    from conflictkg.queries.binding import with_page

    if limit is None and offset is None:
        return query
    return replace(query, text=with_page(query.text, limit, offset))


def run_query(
    dataset: Dataset,
    query: SavedQuery,
    values: dict[str, str] | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Result:
    """Run a saved query on `dataset` with its parameters bound by rdflib (never pasted in);
    with `limit`/`offset`, one page of its rows (see `paged`)."""
    from rdflib.plugins.sparql import prepareQuery

    query = paged(query, limit, offset)
    bindings = bind_parameters(query, values or {})
    try:
        prepared = prepareQuery(query.text, initNs={p: ns for p, ns in PREFIXES.items()})
    except Exception as error:
        raise QueryError(f"{query.name}: SPARQL syntax error: {_first_line(error)}") from None
    try:
        return dataset.query(prepared, initBindings=bindings)
    except Exception as error:
        raise QueryError(f"{query.name}: the query failed: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


__all__ = [
    "Parameter",
    "SavedQuery",
    "bind_parameters",
    "find_query",
    "paged",
    "parse_saved_query",
    "run_query",
    "saved_queries",
    "sparql_prologue",
]
