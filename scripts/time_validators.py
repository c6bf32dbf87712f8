"""Times pySHACL and the fast validator on the built-in data and on generated data of growing size.

    python scripts/time_validators.py [EVENTS ...] [--pyshacl-up-to TRIPLES]

Each data set is validated as `conflictkg validate` does it (the data set plus the ontology,
against the shipped shapes), once per validator. The table gives the data set's size in triples
(what "auto" weighs), wall-clock seconds and CPU seconds (the process's, all threads: steadier than
wall-clock on a shared machine), and whether the two validators gave the same results.
docs/validators.md quotes its output.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from conflictkg.exchange.generate import write_generated
from conflictkg.stores.memory import load_dataset
from conflictkg.checks.shapes import FAST_THRESHOLD, validate


def timed(dataset, validator: str):
    wall, cpu = time.perf_counter(), time.process_time()
    report = validate(dataset, validator=validator)
    return report, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="*", type=int, default=[2, 5, 10, 20, 50, 100, 1000, 10000])
    parser.add_argument("--pyshacl-up-to", type=int, default=12_000, metavar="TRIPLES", help="skip pySHACL above this size")
    args = parser.parse_args()
    validate(load_dataset([]), validator="fast")  # parse the shapes and ontology once, outside the timings
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; auto threshold {FAST_THRESHOLD} triples\n")
    print("| data | triples | pySHACL wall s | pySHACL CPU s | fast wall s | fast CPU s | same results |")
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        sets = [("built-in", None)] + [(f"generated, {n} events", n) for n in args.events]
        for name, events in sets:
            if events is None:
                dataset = load_dataset()
            else:
                path = Path(folder) / f"{events}.nt"
                write_generated(path, events, seed=1)
                dataset = load_dataset([str(path)])
            fast, fast_wall, fast_cpu = timed(dataset, "fast")
            row = f"| {name} | {len(dataset)} |"
            if len(dataset) <= args.pyshacl_up_to:
                reference, wall, cpu = timed(dataset, "pyshacl")
                same = [r.key() for r in reference.results] == [r.key() for r in fast.results] and reference.conforms == fast.conforms
                row += f" {wall:.2f} | {cpu:.2f} | {fast_wall:.3f} | {fast_cpu:.3f} | {'yes' if same else 'NO'} |"
            else:
                row += f" - | - | {fast_wall:.3f} | {fast_cpu:.3f} | - |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
