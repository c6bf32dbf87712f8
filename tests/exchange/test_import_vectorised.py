"""The vectorised importers write the same quads as the row-by-row ones (tests/exchange/import_oracle.py)
on real UCDP rows (19.1 and 23.1, every row), constructed and generated ACLED rows, malformed files,
and files read in many batches; and their memory does not grow with the file.

UCDP rows are real (CC BY 4.0, tests/fixtures/ucdp/README.md); ACLED rows are constructed or generated
(tests/fixtures/acled/README.md, conflictkg.exchange.generate)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from import_oracle import import_rows

from conflictkg.errors import InputError
from conflictkg.exchange.generate import write_generated
from conflictkg.exchange.importers import (
    ImportOptions,
    columnar,
    import_csv,
    importer_for,
)
from conflictkg.exchange.importers.common import _plain

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.UTC)
CASES = [
    ("acled", FIXTURES / "acled" / "acled-export-constructed.csv"),
    ("acled", FIXTURES / "acled" / "acled-api-constructed.csv"),
    ("ucdp", FIXTURES / "ucdp" / "ged191-myanmar-bangladesh-slice.csv"),
    ("ucdp", FIXTURES / "ucdp" / "ged231-sample-slice.csv"),
    *(("ucdp" if "ucdp" in p.name else "acled", p) for p in sorted((FIXTURES / "bad-input").glob("csv-*.csv"))
      if "missing-column" not in p.name),
]


def quads(path: Path) -> set[str]:
    """The distinct lines of an N-Quads file (both importers write terms the same way), after
    checking that the file parses."""
    assert sum(1 for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)) > 0
    return set(path.read_text(encoding="utf-8").splitlines())


def same_as_oracle(publisher: str, source: Path, folder: Path) -> tuple[int, int]:
    """Import `source` both ways; assert the same quads and problems; return (rows, quads)."""
    options = ImportOptions(now=NOW)
    expected = import_rows(publisher, source, folder / "oracle.nq", options)
    result = import_csv(importer_for(publisher), source, str(folder / "vector.nq"), options=options)
    assert [p.short() for p in result.problems] == [p.short() for p in expected.problems]
    assert (result.rows_read, result.rows_imported) == (expected.rows_read, expected.rows_imported)
    want, got = quads(folder / "oracle.nq"), quads(folder / "vector.nq")
    assert not want - got and not got - want, (sorted(want - got)[:3], sorted(got - want)[:3])
    assert result.quads >= len(got)
    return result.rows_imported, len(got)


@pytest.mark.parametrize("publisher, source", CASES, ids=[c[1].name for c in CASES])
def test_fixtures_give_the_quads_of_the_row_by_row_importer(tmp_path, publisher, source):
    rows, count = same_as_oracle(publisher, source, tmp_path)
    assert rows >= 1 and count > 50


def test_every_real_ucdp_191_row_gives_the_quads_of_the_row_by_row_importer(tmp_path):
    """All 3,194 rows of 19.1 (the 23.1 sample's rows are compared in many batches below)."""
    source = tmp_path / "ged191-myanmar-bangladesh.csv"
    source.write_bytes(gzip.decompress((FIXTURES / "ucdp" / "ged191-myanmar-bangladesh.csv.gz").read_bytes()))
    rows, _count = same_as_oracle("ucdp", source, tmp_path)
    assert rows == 3194


def test_generated_acled_rows_in_many_batches(tmp_path, monkeypatch):
    source = tmp_path / "generated-acled.csv"
    write_generated(source, 1500, seed=7)
    monkeypatch.setattr(columnar, "BATCH_BYTES", 32 * 1024)  # about 140 rows a batch
    rows, _count = same_as_oracle("acled", source, tmp_path)
    assert rows == 1500


def _grown_ucdp(source: Path, target: Path, rows: int, repeat_id_at: int | None = None) -> None:
    """Real 23.1 rows repeated with new ids (optionally row `repeat_id_at` reusing row 1's id)."""
    with gzip.open(source, "rt", newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header, body = records[0], records[1:]
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for n in range(rows):
            record = list(body[n % len(body)])
            record[0] = str(5_000_000 + (0 if repeat_id_at is not None and n + 1 == repeat_id_at else n))
            writer.writerow(record)


def test_ucdp_rows_in_many_batches_and_an_id_repeated_across_batches(tmp_path, monkeypatch):
    source = FIXTURES / "ucdp" / "ged231-sample.csv.gz"
    grown = tmp_path / "ged231-grown.csv"
    _grown_ucdp(source, grown, 1000)  # every real 23.1 row, and 7 again
    monkeypatch.setattr(columnar, "BATCH_BYTES", 64 * 1024)  # about 100 rows a batch
    rows, _count = same_as_oracle("ucdp", grown, tmp_path)
    assert rows == 1000
    _grown_ucdp(source, grown, 600, repeat_id_at=550)  # in another batch than row 1
    with pytest.raises(InputError, match=r"row 1 \(line 2\) and row 550 \(line \d+\) have the same id '5000000'"):
        import_csv(importer_for("ucdp"), grown, str(tmp_path / "x.nq"))
    assert not (tmp_path / "x.nq").exists()


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-180, max_value=180, places=6),
       st.sampled_from(["", "+", "0", "00"]), st.sampled_from(["", "0", "000"]))
def test_coordinates_are_written_as_the_row_by_row_importer_writes_them(number, sign, zeros):
    text = format(number, "f")
    if not text.startswith("-"):
        text = sign + text
    if "." in text:
        text += zeros
    if text.lstrip("+-").startswith("0.") and zeros == "":
        text = text.replace("0.", ".", 1)  # ".5", as some exports write it
    written = pl.DataFrame({"v": [text]}).select(columnar.decimal_text(pl.col("v"))).item()
    assert written == _plain(Decimal(text)), text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet='ab "\\\n\r–é', max_size=8), min_size=1, max_size=3), st.integers(0, 99))
def test_literals_escape_each_value_as_the_row_by_row_importer_does(values, number):
    """`english` escapes the values and the plain text between them in one pass; the text is that of
    escaping each value on its own (the oracle's `term_text`), with a Safe part left as it is."""
    from rdflib import Literal

    from conflictkg.exchange.importers.rdfout import term_text

    frame = pl.DataFrame({f"v{i}": [value] for i, value in enumerate(values)} | {"n": [str(number)]})
    parts = [part for i in range(len(values)) for part in (pl.col(f"v{i}"), ", ")]
    written = frame.select(columnar.english("x: ", *parts, columnar.Safe(pl.col("n")), " (", parts[0], ")")).item()
    text = "x: " + "".join(f"{value}, " for value in values) + f"{number} ({values[0]})"
    assert written == term_text(Literal(text, lang="en"))


def test_list_cells_give_the_items_of_split_list_in_their_order():
    """Each row's items as `split_list` gives them (stripped by Python, empty ones and repeats
    dropped, order kept), and `make` called once per name in the order the names first appear."""
    from conflictkg.exchange.importers.common import split_list

    cells = ["b; a; b", "", " ; ;", "a;;c", " c ;a", "\u00a0d\u2003; b", "a", "e;e; e "]
    frame = pl.DataFrame({"cell": cells, "subject": [f"<s{i}>" for i in range(len(cells))]})
    made: list[str] = []

    def make(name: str) -> str:
        made.append(name)
        return f"<{name}>"

    items = columnar.lookup_items(frame, pl.col("cell"), make, {"a": "<a>"})
    spread = columnar.spread_items(frame, items, [pl.col("subject")])
    got = list(zip(spread.get_column("s0").to_list(), spread.get_column("item").to_list()))
    want = [(f"<s{i}>", f"<{name}>") for i, cell in enumerate(cells) for name in split_list(cell)]
    assert got == want
    first_seen = list(dict.fromkeys(name for cell in cells for name in split_list(cell)))
    assert made == [name for name in first_seen if name != "a"]  # "a" was made in an earlier batch


MEASURE = """
import json, resource, sys
from conflictkg.exchange.importers import columnar, import_csv, importer_for
columnar.BATCH_BYTES = 64 * 1024
result = import_csv(importer_for("ucdp"), sys.argv[1], sys.argv[2])
print(json.dumps([result.rows_imported, result.quads, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


def test_memory_does_not_grow_with_the_file(tmp_path):
    """Peak memory (RSS, in a fresh process) for 500 and 2,000 rows read 64 KB at a time: the
    N-Quads of the 1,500 more rows (about 40 MB) must not be held."""
    source = FIXTURES / "ucdp" / "ged231-sample.csv.gz"
    peaks, sizes = {}, {}
    for rows in (500, 2000):
        grown = tmp_path / f"ged231-{rows}.csv"
        _grown_ucdp(source, grown, rows)
        out = tmp_path / f"out-{rows}.nq"
        run = subprocess.run([sys.executable, "-c", MEASURE, str(grown), str(out)], capture_output=True, text=True, check=True)
        imported, _quads, peaks[rows] = json.loads(run.stdout)
        assert imported == rows
        sizes[rows] = out.stat().st_size
    grown_by = sizes[2000] - sizes[500]
    assert grown_by > 25_000_000
    assert (peaks[2000] - peaks[500]) * 1024 < grown_by / 4, (peaks, sizes)
