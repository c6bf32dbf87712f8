"""Measures `conflictkg import` against the engine's own work: rows per second of the importer, and
the time pyoxigraph's bulk loader takes for the quads the import wrote, on the same machine in the
same run; and, for the choice of library, pyarrow against polars at the two steps the importer
uses them for (reading the CSV, building N-Quads lines).

    python benchmarks/import_rate.py                      # 100,000 and 1,000,000 generated ACLED rows
    python benchmarks/import_rate.py --rows 100000 --publisher ucdp   # real UCDP 23.1 rows, repeated
    python benchmarks/import_rate.py --no-bulk-load-above 100000      # import only for bigger files

ACLED rows come from `conflictkg.exchange.generate` (synthetic, ACLED's columns); UCDP rows are the
993 real rows of tests/fixtures/ucdp/ged231-sample.csv.gz repeated with new ids. Each import and each
bulk load runs in a child process, so its peak memory (RSS) and CPU time are its own. Prints a
Markdown table and appends one JSON line per measurement to benchmarks/import_rate.jsonl.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UCDP_SAMPLE = ROOT / "tests" / "fixtures" / "ucdp" / "ged231-sample.csv.gz"
RESULTS = Path(__file__).resolve().parent / "import_rate.jsonl"

IMPORT = """
import json, resource, sys, time
from conflictkg.exchange.importers import import_csv, importer_for
wall, cpu = time.perf_counter(), time.process_time()
result = import_csv(importer_for(sys.argv[1]), sys.argv[2], sys.argv[3])
print(json.dumps({"rows": result.rows_imported, "quads": result.quads, "wall": time.perf_counter() - wall,
                  "cpu": time.process_time() - cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BULK_LOAD = """
import json, resource, sys, time
import pyoxigraph
wall, cpu = time.perf_counter(), time.process_time()
store = pyoxigraph.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=pyoxigraph.RdfFormat.N_QUADS)
store.flush()
count = len(store)
print(json.dumps({"quads": count, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"child failed: {run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def ucdp_rows(target: Path, rows: int) -> None:
    with gzip.open(UCDP_SAMPLE, "rt", newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    header, body = records[0], records[1:]
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for n in range(rows):
            record = list(body[n % len(body)])
            record[0] = str(10_000_000 + n)
            writer.writerow(record)


def source_file(publisher: str, rows: int, folder: Path) -> Path:
    target = folder / f"{publisher}-{rows}.csv"
    if publisher == "acled":
        from conflictkg.exchange.generate import write_generated

        write_generated(target, rows, seed=1)
    else:
        ucdp_rows(target, rows)
    return target


def compare_libraries(source: Path, rows: int) -> dict:
    """Reading the CSV and building lines, each with pyarrow and with polars (in this process)."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    found: dict[str, float] = {}
    started = time.perf_counter()
    with open(source, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=2 << 20, skip_rows=1, column_names=header),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}, strings_can_be_null=False),
    )
    batches = list(reader)
    found["read_pyarrow_s"] = time.perf_counter() - started
    started = time.perf_counter()
    frame = pl.read_csv(source, infer_schema=False)
    found["read_polars_s"] = time.perf_counter() - started
    # Ten lines per row, the shape of the importer's: constant IRI parts around two columns.
    id_column, text_column = header[0], header[-3]
    end = " <https://w3id.org/conflictkg/graph/bench> .\n"
    started = time.perf_counter()
    for batch in batches:
        ids, texts = batch.column(id_column), batch.column(text_column)
        for k in range(10):
            pc.binary_join_element_wise(
                "<https://w3id.org/conflictkg/id/event/bench/", ids, f"> <https://w3id.org/conflictkg/ontology#p{k}> \"",
                texts, '"@en' + end, "",
            )
    found["lines_pyarrow_s"] = time.perf_counter() - started
    started = time.perf_counter()
    frame.select([
        pl.concat_str([pl.lit("<https://w3id.org/conflictkg/id/event/bench/"), pl.col(id_column),
                       pl.lit(f"> <https://w3id.org/conflictkg/ontology#p{k}> \""), pl.col(text_column), pl.lit('"@en' + end)]).alias(f"q{k}")
        for k in range(10)
    ])
    found["lines_polars_s"] = time.perf_counter() - started
    return {key: round(value, 3) for key, value in found.items()} | {"rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--publisher", choices=("acled", "ucdp"), default="acled")
    parser.add_argument("--no-bulk-load-above", type=int, default=None, help="skip the bulk load for more rows than this")
    parser.add_argument("--compare-libraries-at", type=int, default=100_000, help="rows for the pyarrow/polars comparison (0: none)")
    parser.add_argument("--folder", help="where to write the files (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    folder = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="import-rate-"))
    folder.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()[0]}
    table = ["| publisher | rows | quads | N-Quads | import wall | rows/s (wall) | import CPU | rows/s (CPU) | peak RSS | bulk load wall | bulk load CPU | import / bulk load (wall) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    try:
        for rows in args.rows:
            source = source_file(args.publisher, rows, folder)
            output = folder / f"{args.publisher}-{rows}.nq"
            imported = child(IMPORT, args.publisher, str(source), str(output))
            size = output.stat().st_size
            loaded = None
            if args.no_bulk_load_above is None or rows <= args.no_bulk_load_above:
                database = folder / f"db-{rows}"
                loaded = child(BULK_LOAD, str(output), str(database))
                shutil.rmtree(database, ignore_errors=True)
            record = {"publisher": args.publisher, "rows": rows, "csv_bytes": source.stat().st_size, "nquads_bytes": size,
                      "import": imported, "bulk_load": loaded, "machine": machine, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            if args.compare_libraries_at and rows == args.compare_libraries_at:
                record["libraries"] = compare_libraries(source, rows)
            with open(RESULTS, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
            output.unlink()
            source.unlink()
            ratio = f"{imported['wall'] / loaded['wall']:.2f}" if loaded else "-"
            table.append(
                f"| {args.publisher} | {rows:,} | {imported['quads']:,} | {size / 1e9:.1f} GB | {imported['wall']:.1f} s | "
                f"{rows / imported['wall']:,.0f} | {imported['cpu']:.1f} s | {rows / imported['cpu']:,.0f} | {imported['rss_mb']:.0f} MB | "
                + (f"{loaded['wall']:.1f} s | {loaded['cpu']:.1f} s | {ratio} |" if loaded else "- | - | - |")
            )
            print(table[-1], file=sys.stderr, flush=True)
            if "libraries" in record:
                print(f"libraries at {rows:,} rows: {record['libraries']}", file=sys.stderr, flush=True)
    finally:
        if not args.folder:
            shutil.rmtree(folder, ignore_errors=True)
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
