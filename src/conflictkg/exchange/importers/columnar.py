"""Reads a publisher's CSV file in batches of columns and turns them into N-Quads text in large blocks.

Two readers give the same batches. The fast one is pyarrow's streaming CSV reader (a block of
megabytes at a time, so memory stays flat): it is used while every row is well formed. The exact
one is the standard library's `csv` module, row by row, which knows each row's number and file line;
it takes over, from the start of the file, as soon as anything needs a row or a line named (a
malformed row, a row that repeats an id, bytes that are not UTF-8). Batches are polars DataFrames
of strings; the publisher's importer turns a batch into polars expressions, one per kind of quad,
each the N-Quads line of that quad for every row (null where the row has none), and `Lines` writes
them out column by column.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from conflictkg.exchange.importers.csvstream import BOM, CsvStream, Row, RowProblem

# Input read at once by the fast reader: each UCDP row gives about 45 times its size in N-Quads.
BATCH_BYTES = 2 * 1024 * 1024
EXACT_BATCH_ROWS = 20_000
NUMBER, LINE = "__row", "__line"
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPE = f"^^<{XSD}integer>"
DATE_TYPE = f"^^<{XSD}date>"


class NeedsExactReading(Exception):
    """The fast reader met something only the exact reader can name (a row, a line, a byte)."""


@dataclass
class Batch:
    """Rows of the file as a DataFrame of strings (the header's columns); with the exact reader also
    each row's number and line (columns NUMBER and LINE) and the rows that could not be split."""

    frame: pl.DataFrame
    problems: list[RowProblem]
    exact: bool


class _CountingFile(io.RawIOBase):
    """A binary file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None):
        self._file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = self._file.readinto(buffer)
        if count and self._on_bytes is not None:
            self._on_bytes(count)
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


def fast_batches(path: Path, columns: list[str], on_bytes: Callable[[int], None] | None) -> Iterator[Batch]:
    """The rows in batches read by pyarrow; raises NeedsExactReading at the first row it cannot take as it is."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def refuse(_row) -> str:
        return "error"  # the exact reader names it

    names = [f"c{i}" for i in range(len(columns))]
    source = _CountingFile(path, on_bytes)
    try:
        with open(path, "rb") as peek:
            start = peek.read(3)
        if start == BOM:
            source.read(3)
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=BATCH_BYTES, skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=refuse),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
        for record_batch in reader:
            frame = pl.from_arrow(record_batch)
            assert isinstance(frame, pl.DataFrame)
            frame.columns = columns
            yield Batch(frame, [], exact=False)
    except NeedsExactReading:
        raise
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError) as error:
        raise NeedsExactReading(str(error)) from None
    finally:
        source.close()


def exact_batches(stream: CsvStream, columns: list[str]) -> Iterator[Batch]:
    """The rows of an opened CsvStream in batches, with their numbers, lines and problems."""
    values: list[list[str]] = [[] for _ in columns]
    numbers: list[int] = []
    lines: list[int] = []
    problems: list[RowProblem] = []

    def flush() -> Batch:
        data: dict[str, pl.Series] = {name: pl.Series(name, values[i], dtype=pl.String) for i, name in enumerate(columns)}
        data[NUMBER] = pl.Series(NUMBER, numbers, dtype=pl.Int64)
        data[LINE] = pl.Series(LINE, lines, dtype=pl.Int64)
        return Batch(pl.DataFrame(data), list(problems), exact=True)

    for item in stream.rows():
        if isinstance(item, RowProblem):
            problems.append(item)
        else:
            assert isinstance(item, Row)
            for i, name in enumerate(columns):
                values[i].append(item.values[name])
            numbers.append(item.number)
            lines.append(item.line)
        if len(numbers) + len(problems) >= EXACT_BATCH_ROWS:
            yield flush()
            values = [[] for _ in columns]
            numbers, lines, problems = [], [], []
    if numbers or problems:
        yield flush()


def rows_of(frame: pl.DataFrame, columns: list[str]) -> Iterator[Row]:
    """The rows of an exact batch as Row objects (for the row-by-row checks that name what is wrong)."""
    for record in frame.select([*columns, NUMBER, LINE]).iter_rows():
        yield Row(record[-2], record[-1], dict(zip(columns, record[:-2])))


# ---------------------------------------------------------------------------
# N-Quads text as polars expressions
# ---------------------------------------------------------------------------

class Safe:
    """An expression whose values need no escaping in a literal (digits, codes, checked ids)."""

    def __init__(self, expr: pl.Expr):
        self.expr = expr


Part = str | pl.Expr | Safe


def cat(*parts: Part) -> pl.Expr:
    """The parts one after another (neighbouring strings joined); null when any part is null."""
    merged: list[str | pl.Expr] = []
    for part in parts:
        part = part.expr if isinstance(part, Safe) else part
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(part)
    return pl.concat_str([part if isinstance(part, pl.Expr) else _literal(part) for part in merged])


@functools.lru_cache(maxsize=4096)
def _literal(text: str) -> pl.Expr:
    """`pl.lit(text)`, kept: each batch builds its few hundred lines again, and polars' `lit` checks
    its argument's type at length (expressions are immutable, so one serves every line)."""
    return pl.lit(text)


def iri(*parts: Part) -> pl.Expr:
    """An IRI term in N-Triples syntax from its parts (checked or made from checked pieces)."""
    return cat("<", *parts, ">")


def escaped(value: pl.Expr) -> pl.Expr:
    """A string's characters as an N-Triples string literal's body (backslash, quote, CR and LF escaped)."""
    return (
        value.str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all("\n", "\\n", literal=True)
        .str.replace_all("\r", "\\r", literal=True)
    )


def _body(parts: tuple[Part, ...]) -> list[Part]:
    """A literal's body: each run of expressions and plain strings between Safe parts joined and
    escaped once (escaping works character by character, and plain strings need none, so this is
    the same text as escaping each expression; one pass over the joined text costs less)."""
    body: list[Part] = []
    run: list[Part] = []

    def flush() -> None:
        if any(isinstance(part, pl.Expr) for part in run):
            body.append(escaped(cat(*run) if len(run) > 1 else run[0]))  # type: ignore[arg-type]
        else:
            body.extend(run)
        run.clear()

    for part in parts:
        if isinstance(part, Safe):
            flush()
            body.append(part)
        else:
            run.append(part)
    flush()
    return body


def english(*parts: Part) -> pl.Expr:
    """An @en literal; expression parts are escaped, plain strings must need no escaping."""
    return cat('"', *_body(parts), '"@en')


def plain(*parts: Part) -> pl.Expr:
    """An xsd:string literal (escaped as `english`)."""
    return cat('"', *_body(parts), '"')


def integer(value: pl.Expr) -> pl.Expr:
    """An xsd:integer literal from a normalised whole number."""
    return cat('"', value, '"', INTEGER_TYPE)


def date(value: pl.Expr) -> pl.Expr:
    """An xsd:date literal from a polars Date."""
    return cat('"', value.dt.strftime("%Y-%m-%d"), '"', DATE_TYPE)


def stripped(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column's values with surrounding whitespace removed ('' when the file has no such column)."""
    if column not in frame.columns:
        return pl.lit("", dtype=pl.String)
    return pl.col(column).str.strip_chars()


def strip_once(frame: pl.DataFrame, columns: Iterable[str]) -> tuple[pl.DataFrame, Callable[[str], pl.Expr]]:
    """`frame` with each of `columns` stripped (as `stripped`) into a column of its own, and the
    function that names those columns by the original name.

    An eager `select` evaluates a sub-expression again in every expression that holds it, so a value
    many lines read (a stripped cell, an IRI) is made once per batch as a column and read from there."""
    frame = frame.with_columns(stripped(frame, column).alias(f"_s_{column}") for column in columns)
    return frame, lambda column: pl.col(f"_s_{column}")


def whole(value: pl.Expr) -> pl.Expr:
    """A whole number as published ("+12", "012", "12.0") in its plain form ("12")."""
    return value.str.strip_prefix("+").str.replace(r"\.0+$", "").str.replace(r"^0+(\d)", "${1}")


def is_whole(value: pl.Expr) -> pl.Expr:
    return value.str.contains(r"^[+]?\d+(?:\.0+)?$")


def at_most(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """a <= b for plain whole numbers of any length (compared as digit strings)."""
    return (a.str.len_bytes() < b.str.len_bytes()) | ((a.str.len_bytes() == b.str.len_bytes()) & (a <= b))


def decimal_text(value: pl.Expr) -> pl.Expr:
    """A checked decimal ("+012.3400", "-.5") as `common._plain` writes it ("12.34", "-0.5"; "-0" is "0").

    One chain of replacements, each reading the one before once: a `when` whose condition and branches
    all read the value evaluates it once per reference, so nested ones cost exponentially."""
    value = value.str.strip_prefix("+")
    value = value.str.replace(r"(\.\d*?)0+$", "${1}").str.strip_suffix(".")  # trailing zeros of a fraction
    value = value.str.replace(r"^(-?)0+", "${1}")  # leading zeros
    value = value.str.replace(r"^(-?)\.", "${1}0.")  # ".5" is "0.5"
    return value.str.replace(r"^-?$", "0")  # nothing left (or a sign alone) is zero


def quad(subject: Part, predicate: Part, obj: Part, end: str) -> pl.Expr:
    """One quad's line (without the line break); null when a part is null."""
    return cat(subject, " ", predicate, " ", obj, end)


def when(condition: pl.Expr, line: pl.Expr) -> pl.Expr:
    """`line` where `condition` holds, else null (no quad)."""
    return pl.when(condition).then(line)


def render(frame: pl.DataFrame, expressions: list[pl.Expr]) -> pl.DataFrame:
    """Evaluate the quad expressions on `frame`: one column of lines per expression (null: no quad)."""
    if frame.height == 0 or not expressions:
        return pl.DataFrame()
    return frame.select([e.alias(f"q{i}") for i, e in enumerate(expressions)])


def write_columns(lines: pl.DataFrame, out: BinaryIO) -> int:
    """Write every non-null line of every column of `lines` to `out`, each ended by a line break;
    return how many were written. Written by polars straight to `out`."""
    if not lines.width:
        return 0
    column = pl.concat([lines.get_column(name) for name in lines.columns], how="vertical", rechunk=False).drop_nulls()
    if column.len():
        column.to_frame().write_csv(out, include_header=False, quote_style="never", line_terminator="\n")
    return column.len()


class SeenKeys:
    """Keys seen so far, kept as sorted runs of their 64-bit hashes (8 bytes a key; a few runs, merged
    as they grow, so each batch is checked by binary search, not against every earlier batch)."""

    def __init__(self) -> None:
        self.runs: list[pl.Series] = []

    @staticmethod
    def hashes(keys: pl.Series) -> pl.Series:
        return keys.hash(seed=20260101)

    def contains(self, hashes: pl.Series) -> pl.Series:
        """For each hash: whether it was added before."""
        found = pl.Series([False] * hashes.len(), dtype=pl.Boolean)
        for run in self.runs:
            index = run.search_sorted(hashes, side="left").clip(upper_bound=run.len() - 1)
            found = found | (run.gather(index) == hashes)
        return found

    def add(self, hashes: pl.Series) -> None:
        if hashes.len() == 0:
            return
        self.runs.append(hashes.unique().sort())
        while len(self.runs) > 1 and self.runs[-1].len() * 2 >= self.runs[-2].len():
            last = self.runs.pop()
            self.runs[-1] = pl.concat([self.runs[-1], last]).unique().sort()


MEMO_LIMIT = 100_000


def lookup(
    frame: pl.DataFrame, keys: list[pl.Expr], make: Callable[[tuple[str, ...]], str | None], memo: dict | None = None
) -> pl.Expr:
    """A column made by calling `make` once per distinct combination of the `keys` (names, ids: few
    distinct values), in the order of their first rows, and mapping every row to its result. With
    `memo` (kept by the caller across batches), a combination seen in an earlier batch is not made again."""
    separator = "\x1f"
    joined = pl.concat_str(keys, separator=separator)
    distinct = frame.select(joined.alias("k")).get_column("k").unique(maintain_order=True).to_list()
    memo = {} if memo is None else memo
    if len(memo) > MEMO_LIMIT:
        memo.clear()  # made again when met again (what recurs is still written once, see Importer.once)
    mapping = {}
    for key in distinct:
        if key not in memo:
            memo[key] = make(tuple(key.split(separator)))
        mapping[key] = memo[key]
    return joined.replace_strict(mapping, default=None, return_dtype=pl.String)


@dataclass
class Items:
    """A cell holding a list ("a; b; a") and what its items stand for: `names` maps each distinct item,
    as split at ";", to its name (stripped; empty items are not in it), `terms` each name to the
    N-Triples term `make` gave it (see `lookup_items`)."""

    cell: pl.Expr
    names: dict[str, str]
    terms: dict[str, str]


def lookup_items(frame: pl.DataFrame, cell: pl.Expr, make: Callable[[str], str], memo: dict | None = None) -> Items:
    """The items of a cell holding a list, split at ";" and stripped as `common.split_list` does (in
    Python, on each distinct item), and the term `make` returns for each name. `make` is called once
    per distinct name, in the order the names first appear, so it meets them in the order a call per
    distinct cell would: lists of a few names combine into many distinct cells (30,000 source lists
    in 100,000 generated ACLED rows, of a few hundred sources)."""
    found = frame.select(cell.str.split(";").explode().unique(maintain_order=True).alias("i")).get_column("i").to_list()
    memo = {} if memo is None else memo
    if len(memo) > MEMO_LIMIT:
        memo.clear()
    names: dict[str, str] = {}
    terms: dict[str, str] = {}
    for item in found:
        name = item.strip() if item is not None else ""
        if name:
            names[item] = name
            if name not in memo:
                memo[name] = make(name)
            terms[name] = memo[name]
    return Items(cell, names, terms)


def spread_items(frame: pl.DataFrame, items: Items, subjects: list[pl.Expr]) -> pl.DataFrame:
    """One row per row of `frame` and name in its cell (repeats and empty items dropped, order kept):
    column "item", the name's term, and "s0", "s1", ... the `subjects` of that row. (Exploded and
    looked up as plain columns: polars' list operations took three times as long.)"""
    row = "__item_row"
    spread = frame.select(
        pl.int_range(pl.len()).alias(row), items.cell.str.split(";").alias("raw"),
        *(subject.alias(f"s{i}") for i, subject in enumerate(subjects)),
    ).explode("raw")
    spread = spread.with_columns(
        pl.col("raw").replace_strict(items.names, default=None, return_dtype=pl.String).alias("name")
    ).drop_nulls("name").unique(subset=[row, "name"], keep="first", maintain_order=True)
    return spread.with_columns(pl.col("name").replace_strict(items.terms, default=None, return_dtype=pl.String).alias("item"))


__all__ = [
    "LINE",
    "NUMBER",
    "Batch",
    "Items",
    "NeedsExactReading",
    "Safe",
    "SeenKeys",
    "at_most",
    "cat",
    "date",
    "decimal_text",
    "english",
    "escaped",
    "exact_batches",
    "fast_batches",
    "integer",
    "iri",
    "is_whole",
    "lookup",
    "lookup_items",
    "plain",
    "quad",
    "render",
    "rows_of",
    "spread_items",
    "strip_once",
    "stripped",
    "when",
    "whole",
    "write_columns",
]
