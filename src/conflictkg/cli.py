"""The `conflictkg` command line: a thin layer that parses options, calls the library, prints."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from conflictkg import __version__
from conflictkg.errors import ConflictKGError, UsageError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as a UsageError, so every error leaves the same way."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input")
    group.add_argument(
        "--data", action="append", default=[], metavar="FILE",
        help="RDF file to load instead of the built-in data (repeatable; format from the extension; '-' for stdin)",
    )
    group.add_argument("--input-format", metavar="FMT", help="format of --data files: ttl, nt, nq, trig, jsonld, rdf")
    group.add_argument("--with-builtin", action="store_true", help="load the built-in Kwala article data as well as --data")
    group.add_argument("--store", default="memory", metavar="SPEC", help=_STORE_HELP)


_STORE_HELP = (
    "where the graph lives: memory (default: rdflib, built from --data), oxigraph:PATH (embedded Oxigraph "
    "database, filled with `conflictkg load`) or sparql:URL (SPARQL 1.1 Protocol + Graph Store Protocol server; "
    "http://host:port means Oxigraph's /query, /update, /store; else query=URL,update=URL,store=URL)"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="conflictkg",
        description="A knowledge graph of armed-conflict events: validate, query and export it. "
        "With no --data, commands work on the built-in graph of the 28 February 2024 Kwala attack.",
    )
    parser.add_argument("--version", action="version", version=f"conflictkg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and library log messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    summary = commands.add_parser("summary", help="load, validate and print what the graph holds and who claims what about the death toll")
    _add_data_options(summary)
    summary.set_defaults(handler=_summary)

    validate = commands.add_parser("validate", help="check the data against the SHACL shapes (exit 1 if it does not conform)")
    _add_data_options(validate)
    validate.add_argument("--shapes", action="append", default=[], metavar="FILE", help="extra SHACL shapes file (repeatable)")
    validate.add_argument(
        "--validator", choices=("auto", "pyshacl", "fast", "queries"), default="auto",
        help="pyshacl (the reference), fast (the compiled shacl package) or auto (default: chosen by "
        "the data's size, see docs/validators.md); on a SPARQL server auto checks everything as queries there "
        "and fast streams the graphs to shacl; queries (a database or server): SHACL Core as queries where the "
        "data is, in little memory but slower than fast, which holds the graph (7 GB at a million events)",
    )
    validate.set_defaults(handler=_validate)

    reasoning = commands.add_parser(
        "reason", help="materialise what the ontology entails from the data inside an Oxigraph database (graph kgr:inferred)",
        description="Apply the ontology's OWL RL closure to the data in an Oxigraph database with the fast rules "
        "(see docs/scale.md, 'Reasoning that scales') and keep the result in the named graph "
        "https://w3id.org/conflictkg/graph/inferred, replacing what was there. Saved queries then see it.",
    )
    reasoning.add_argument("--store", required=True, metavar="oxigraph:PATH", help="the Oxigraph database to reason in")
    reasoning.set_defaults(handler=_reason, data=[], with_builtin=False, input_format=None)

    listing = commands.add_parser("queries", help="list the saved queries with their titles and parameters")
    listing.set_defaults(handler=_queries)

    query = commands.add_parser("query", help="run a saved query by name, or a .rq file")
    query.add_argument("name", metavar="NAME|FILE.rq", help="saved query name (see `conflictkg queries`) or a query file")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter (repeatable)")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table", help="result format (default: table)")
    query.add_argument("-o", "--output", metavar="FILE", help="write the results here instead of stdout")
    query.add_argument("--limit", type=int, metavar="N", help="answer at most N rows (a page; the queries' ORDER BY keeps pages stable)")
    query.add_argument("--offset", type=int, metavar="N", help="skip the first N rows (with --limit: the next page)")
    _add_data_options(query)
    query.set_defaults(handler=_query)

    evidence = commands.add_parser("evidence", help="print a node's statements, each with the sentence of the article it comes from")
    evidence.add_argument("node", metavar="NODE", help="an IRI, a prefixed name (kid:claim/rfi-killed, claim:rfi-killed) or a label only one node has")
    _add_data_options(evidence)
    evidence.set_defaults(handler=_evidence)

    export = commands.add_parser("export", help="write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML")
    export.add_argument("--format", metavar="FMT", help="ttl, nt, nq, trig, jsonld or rdf (default: from -o's extension, else ttl)")
    export.add_argument("--reasoned", action="store_true", help="include the ontology and what OWL RL entails from it and the data")
    export.add_argument("--reasoner", choices=("rules", "owlrl"), default="rules",
                        help="with --reasoned: rules (default; owlrl closes the ontology, SPARQL rules apply it, fast) "
                        "or owlrl (full OWL RL closure of everything; slow, the reference)")
    export.add_argument("--shards", type=int, metavar="N",
                        help="write N gzip-compressed N-Quads files (or N-Triples with --format nt) into the new folder -o DIR, "
                        "for the bulk loaders of Oxigraph, Jena and QLever")
    export.add_argument("--frame", metavar="NAME", help="JSON-LD only: nest the output with a shipped frame (event)")
    export.add_argument("--as", dest="as_", metavar="NAME", choices=("wikidata", "quickstatements", "ucdp", "acled", "nanopub"),
                        help="write for another system instead: wikidata (RDF statement model), quickstatements, "
                        "ucdp (GED CSV), acled (export CSV) or nanopub (one TriG file per claim in the folder -o, "
                        "or one stream to stdout); see docs/evidence-and-interchange.md")
    export.add_argument("--created", metavar="DATETIME",
                        help="with --as nanopub: the creation time written into each nanopublication "
                        "(ISO 8601, e.g. 2026-01-01T00:00:00Z; default: the latest time in the data's provenance)")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of stdout")
    _add_data_options(export)
    export.set_defaults(handler=_export)

    load = commands.add_parser("load", help="put data (default: the built-in data) and the ontology into a store (--store oxigraph:PATH or sparql:URL)")
    _add_data_options(load)
    load.add_argument("--graph", metavar="IRI", help="put the triples of triple-only files (ttl, nt, rdf) into this named graph instead of the default graph")
    load.add_argument("--no-ontology", action="store_true", help="do not (re)load the ontology into the graph kgr:ontology")
    load.set_defaults(handler=_load_command)

    generate = commands.add_parser("generate", help="write ACLED-like synthetic data in our ontology (for benchmarks and tests)")
    generate.add_argument("--events", type=int, required=True, metavar="N", help="number of events")
    generate.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1); the same seed gives the same file")
    generate.add_argument("-o", "--output", required=True, metavar="FILE",
                          help="output file: .nt, .nq, .ttl, .trig or .jsonld (optionally .gz), or .csv for an ACLED-style export")
    generate.set_defaults(handler=_generate)

    importing = commands.add_parser(
        "import", help="import an ACLED export or a UCDP GED CSV file into a named graph with provenance",
        description="Turn a publisher's own CSV file into our ontology: one named graph per file, PROV metadata "
        "in the default graph. N-Quads (.nq, also on stdout) and TriG (.trig) are written as the rows are read; "
        "JSON-LD (.jsonld) is built in memory. Malformed rows are reported with their row number and skipped, "
        "or with --strict the file is rejected and nothing is written.",
    )
    importing.add_argument("publisher", choices=("acled", "ucdp"), help="whose format the file is in")
    importing.add_argument("file", metavar="FILE.csv", help="the publisher's CSV file")
    importing.add_argument("-o", "--output", metavar="FILE", help="write here (.nq, .trig or .jsonld; atomically) instead of N-Quads on stdout")
    importing.add_argument("--strict", action="store_true", help="reject the file if any row is malformed: exit 2 and write nothing")
    importing.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                           help="show a progress bar on stderr (default: only when stderr is a terminal)")
    importing.add_argument("--dataset-version", metavar="VERSION", help="the data set's version, e.g. 23.1 (UCDP: else read from the file name if it holds one)")
    importing.add_argument("--downloaded", metavar="YYYY-MM-DD", help="the day the file was downloaded from the publisher")
    importing.set_defaults(handler=_import)

    merge = commands.add_parser(
        "merge", help="combine graphs and link what stands for the same event, actor or place (owl:sameAs / skos:exactMatch)",
        description="Combine RDF files (Turtle, TriG, N-Quads, JSON-LD, ...) into one data set. Blank nodes are "
        "skolemised per input so they never collide; every graph is kept as it is; matches are added as links "
        "with explanations in their own named graph. The result does not depend on the order of the inputs, and "
        "merging it again changes nothing.",
    )
    merge.add_argument("inputs", nargs="*", metavar="FILE", help="RDF files to merge (format from the extension)")
    merge.add_argument("--with-builtin", action="store_true", help="merge the built-in Kwala article graph as well")
    merge.add_argument("--input-format", metavar="FMT", help="format of all inputs: ttl, nt, nq, trig, jsonld, rdf")
    merge.add_argument("-o", "--output", metavar="FILE", help="write the merged data set here (.trig or .nq; atomically) instead of TriG on stdout")
    merge.add_argument("-r", "--report", metavar="FILE", help="write the merge report here instead of stderr")
    merge.add_argument("--aliases", metavar="FILE.csv", help="an alias table to use instead of the shipped data/aliases.csv")
    merge.set_defaults(handler=_merge)

    serve = commands.add_parser("serve", help="a local read-only SPARQL endpoint with a query page in the browser")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--timeout", type=float, default=10.0, metavar="S", help="stop a query after S seconds (default 10)")
    serve.add_argument("--max-results", type=int, default=10_000, metavar="N", help="refuse answers of more than N rows or triples (default 10000)")
    serve.add_argument("--max-bytes", type=int, default=64 << 20, metavar="N", help="refuse answers larger than N bytes once written (default 64 MiB)")
    serve.add_argument("--workers", type=int, default=None, metavar="N", help="query worker processes (default: 2, or 1 on one core)")
    serve.add_argument("--access-log", action="store_true", help="print a line per request")
    _add_data_options(serve)
    serve.set_defaults(handler=_serve)

    report = commands.add_parser("report", help="write a static HTML report (map, timeline, claims, actors, ontology) that opens from disk")
    report.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the report into (created if missing)")
    report.add_argument("--title", default=None, help="the report's title (default: from the data)")
    _add_data_options(report)
    report.set_defaults(handler=_report)
    _add_safety_options(parser, commands)
    _add_progress_options(parser, commands)
    return parser


def _add_progress_options(parser: argparse.ArgumentParser, commands) -> None:
    """--quiet, before or after the subcommand: no progress lines (see conflictkg.progress)."""
    text = "show no progress on stderr (shown by default when stderr is a terminal)"
    parser.add_argument("--quiet", action="store_true", help=text)
    for subcommand in commands.choices.values():
        subcommand.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help=text)


def _configure_progress(args: argparse.Namespace) -> None:
    """Progress lines (stages, counts, times) on stderr when it is a terminal and --quiet is not given."""
    from conflictkg import progress

    progress.show(sys.stderr if sys.stderr.isatty() and not getattr(args, "quiet", False) else None)


def _add_safety_options(parser: argparse.ArgumentParser, commands) -> None:
    """--allow-network, before or after the subcommand (see conflictkg.guard.network)."""
    text = ("let SPARQL SERVICE/LOAD, JSON-LD @context URLs and file: IRIs named inside the data or query "
            "reach the network or read local files (refused by default)")
    parser.add_argument("--allow-network", action="store_true", help=text)
    limit = ("stop the command after S seconds (exit 2; no output file or database is changed); "
             "Ctrl-C and SIGTERM stop it at once on every store")
    parser.add_argument("--timeout", dest="time_limit", type=float, metavar="S", help=limit)
    for name, subcommand in commands.choices.items():
        subcommand.add_argument("--allow-network", action="store_true", default=argparse.SUPPRESS, help=text)
        if name != "serve":  # serve's --timeout limits each query
            subcommand.add_argument("--timeout", dest="time_limit", type=float, metavar="S", default=argparse.SUPPRESS, help=limit)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 invalid data, 2 bad usage or input)."""
    from conflictkg.guard import limits

    status = _main(argv)
    if limits.abandoned():  # work stopped in native code is still running: end without waiting for it
        import os

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _run_command(args: argparse.Namespace) -> int:
    """The command's handler, in a worker thread (so Ctrl-C, SIGTERM and --timeout stop it even inside
    Oxigraph; see conflictkg.guard.limits), except `serve`, which handles its own signals."""
    from conflictkg.guard import limits
    from conflictkg.guard import network as safety

    def work() -> int:
        with safety.reporting_refusals():
            return args.handler(args)

    if args.command == "serve":
        return work()
    return limits.run_stoppable(work, getattr(args, "time_limit", None))


def _main(argv: Sequence[str] | None) -> int:
    from conflictkg.guard import limits

    args = None
    try:
        args = build_parser().parse_args(argv)
        _configure_logging(args.debug)
        _configure_progress(args)
        if not getattr(args, "handler", None):
            build_parser().print_help(sys.stderr)
            return EXIT_USAGE
        from conflictkg.guard import network as safety

        _permit_what_the_user_named(args)
        with safety.policy(allow_network=args.allow_network), limits.terminating_signals():
            return _run_command(args)
    except ConflictKGError as error:
        if args is not None and args.debug:
            raise
        print(f"conflictkg: error: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("conflictkg: interrupted; no output file was changed, nor any database", file=sys.stderr)
        return 130
    except limits.Terminated as stop:
        print(f"conflictkg: stopped by {stop}; no output file was changed, nor any database", file=sys.stderr)
        return 128 + stop.signum
    except BrokenPipeError:
        return EXIT_OK
    except (MemoryError, RecursionError, OSError) as error:  # limits of this machine or of the input, not bugs
        if args is not None and args.debug:
            raise
        print(f"conflictkg: error: {_resource_message(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a bug of ours: say so briefly unless --debug
        if args is not None and args.debug:
            raise
        print(f"conflictkg: internal error: {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


def _resource_message(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "ran out of memory (the input is too big for this machine, or for this path: try --store oxigraph:PATH)"
    if isinstance(error, RecursionError):
        return "the input is nested too deeply to process"
    where = getattr(error, "filename", None)
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"{where}: {reason}" if where else f"cannot read or write: {reason}"


def _permit_what_the_user_named(args: argparse.Namespace) -> None:
    """The network a command's own options name is asked for: a --host (a --store URL is permitted by the store)."""
    from conflictkg.guard import network as safety

    if getattr(args, "host", None):
        safety.permit_host(args.host)


def _configure_logging(debug: bool) -> None:
    # rdflib logs a traceback for each ill-typed literal; SHACL reports those instead.
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL, format="%(name)s: %(message)s")


def _open(args: argparse.Namespace, for_loading: bool = False):
    """The store --store names; the memory store is built from --data (or the built-in data)."""
    from conflictkg.stores import open_store

    store = open_store(args.store, args.data, args.input_format, args.with_builtin, for_loading=for_loading)
    for notice in getattr(store, "notices", ()):  # what an interrupted earlier run left, and what was done about it
        print(f"conflictkg: {notice}", file=sys.stderr)
    return store


def _load_command(args: argparse.Namespace) -> int:
    if args.graph:
        from conflictkg.guard.inputs import iri_problem

        problem = iri_problem(args.graph)
        if problem is not None:
            raise UsageError(f"--graph {args.graph!r} is not an absolute IRI: it {problem.replace('is a relative reference and the file sets no base IRI (@base / xml:base); write absolute IRIs', 'is relative')}")
    from conflictkg import progress

    with _open(args, for_loading=True) as store:
        with progress.stage(f"loading into the {store.describe()}"):
            report = store.load(args.data, args.input_format, args.with_builtin, args.graph, not args.no_ontology)
            progress.note(report.triples, "triples")
        where = store.describe()
    for graph, count in report.graphs:
        name = "default graph" if graph is None else f"<{graph}>"
        size = f"{count} triples" if count >= 0 else "replaced"
        print(f"{name}: {size}")
    print(f"Loaded into the {where}; each graph listed was replaced whole.")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from conflictkg.exchange.generate import write_generated

    count = write_generated(args.output, args.events, args.seed)
    unit = "rows" if args.output.lower().removesuffix(".gz").endswith(".csv") else "triples"
    print(f"Wrote {args.events} synthetic events ({count} {unit}) to {args.output}", file=sys.stderr)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from conflictkg import progress

    with _open(args) as store, progress.stage(f"validating the {store.describe()}"):
        result = store.validate(args.shapes, args.validator)
    print(result.text, file=sys.stdout if result.conforms else sys.stderr)
    return EXIT_OK if result.conforms else EXIT_INVALID


def _reason(args: argparse.Namespace) -> int:
    from conflictkg import progress
    from conflictkg.graph.namespaces import INFERRED_GRAPH

    with _open(args) as store, progress.stage(f"reasoning in the {store.describe()}"):
        report = store.reason()
        progress.note(report.inferred, "triples inferred")
    for step, seconds in report.steps:
        print(f"{step}: {seconds:.2f} s", file=sys.stderr)
    print(f"<{INFERRED_GRAPH}>: {report.inferred} triples inferred")
    return EXIT_OK


def _queries(args: argparse.Namespace) -> int:
    from conflictkg.queries.saved import saved_queries

    for name, query in sorted(saved_queries().items()):
        print(f"{name}\n    {query.title}")
        for parameter in query.parameters:
            default = f" (default {parameter.default})" if parameter.default else ""
            print(f"    --param {parameter.name}=<{parameter.type}>{default}: {parameter.description}")
    return EXIT_OK


def _parse_params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param takes KEY=VALUE, not {pair!r}")
        values[key.strip()] = value
    from conflictkg.stores.base import expand_prefixed

    return {key: expand_prefixed(value) for key, value in values.items()}  # cas:killed as printed


def _query(args: argparse.Namespace) -> int:
    from conflictkg.guard.files import emit
    from conflictkg.queries.saved import find_query, paged
    from conflictkg.queries.tables import format_result

    query = paged(find_query(args.name), args.limit, args.offset)
    params = _parse_params(args.param)
    with _open(args) as store:
        result = store.query(query, params)
        emit(args.output, format_result(result, args.format, store.namespace_manager))
    return EXIT_OK


def _evidence(args: argparse.Namespace) -> int:
    from conflictkg.exchange.evidence import render_node_evidence, store_node_evidence

    with _open(args) as store:
        found = store_node_evidence(store, args.node)
        print(render_node_evidence(found, store.namespace_manager))
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from conflictkg.graph.formats import RdfFormat, format_for_path
    from conflictkg.guard.files import emit

    fmt = _named_format(args) or (format_for_path(args.output) if args.output and args.output != "-" else None) or RdfFormat.TURTLE
    if getattr(args, "as_", None):
        return _export_as(args)
    if args.frame and fmt is not RdfFormat.JSONLD:
        raise UsageError("--frame works with --format jsonld only")
    if args.shards is not None:
        return _export_shards(args, fmt if args.format else RdfFormat.NQUADS)
    from conflictkg import progress

    with _open(args) as store, progress.stage(f"exporting the {store.describe()}" + (" with its entailments" if args.reasoned else "")):
        stream = store.export_stream(fmt, args.reasoned, args.reasoner, args.frame)
        if stream is not None:  # written as it comes: the export is never held whole
            _emit_streamed(args.output, stream, store.describe())
            return EXIT_OK
        data = store.export(fmt, args.reasoned, args.reasoner, args.frame)
        progress.note(len(data), "bytes")
        where = store.describe()
    if _holds_no_statements(data, fmt):
        _refuse_to_empty(args.output, where)
    emit(args.output, data)
    return EXIT_OK


def _emit_streamed(output: str | None, stream, where: str) -> None:
    """Write a streamed export to -o (atomically: on an error or an empty export that would
    replace a file holding something, nothing is changed) or stdout."""
    from conflictkg import progress
    from conflictkg.guard.files import emit_stream

    def write(out) -> None:
        lines = stream(out)
        progress.note(lines, "lines")
        if not lines:
            _refuse_to_empty(output, where)

    emit_stream(output, write)


def _holds_no_statements(data: bytes, fmt) -> bool:
    """Whether an export in a line-based or JSON-LD format holds no triple at all."""
    import json

    from conflictkg.graph.formats import RdfFormat

    if fmt is RdfFormat.JSONLD:
        try:
            document = json.loads(data or b"[]")
        except ValueError:
            return False
        return document in ([], {}) or (isinstance(document, dict) and set(document) <= {"@context", "@graph"} and not document.get("@graph"))
    if fmt is RdfFormat.RDFXML:
        return False
    for line in data.splitlines():
        text = line.strip()
        if text and not text.startswith((b"@prefix", b"PREFIX", b"@base", b"BASE", b"#")):
            return False
    return True


def _refuse_to_empty(output: str | None, where: str) -> None:
    """An empty export never silently replaces a file that holds something; elsewhere it is said."""
    import os

    if output and output != "-" and os.path.isfile(output) and os.path.getsize(output) > 0:
        raise UsageError(f"the {where} holds no data to export; {output} ({os.path.getsize(output)} bytes) was left as it was")
    print(f"conflictkg: warning: the {where} holds no data; the export is empty", file=sys.stderr)


def _named_format(args: argparse.Namespace):
    from conflictkg.graph.formats import format_named

    if not args.format:
        return None
    try:
        return format_named(args.format)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _export_as(args: argparse.Namespace) -> int:
    from conflictkg.exchange.exporters import export as interchange_export
    from conflictkg.guard.files import emit

    if args.reasoned or args.frame or args.shards is not None:
        raise UsageError("--as does not combine with --reasoned, --frame or --shards")
    fmt = _named_format(args)
    created = _created(args)
    if args.as_ == "nanopub" and args.output and args.output != "-":
        return _export_nanopub_folder(args, created)
    with _open(args) as store:
        data = interchange_export(store.to_dataset(), args.as_, fmt, created)
    emit(args.output, data)
    return EXIT_OK


def _created(args: argparse.Namespace):
    import datetime as dt

    text = getattr(args, "created", None)
    if not text:
        return None
    if args.as_ != "nanopub":
        raise UsageError("--created applies to --as nanopub only")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--created {text!r} is not an ISO 8601 date and time (e.g. 2026-01-01T00:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _export_nanopub_folder(args: argparse.Namespace, created) -> int:
    """One TriG file per nanopublication in the folder -o (the layout nanopub tools read)."""
    from pathlib import Path

    from conflictkg.exchange.exporters import nanopub_files
    from conflictkg.guard.files import write_bytes_atomic

    folder = Path(args.output)
    if folder.suffix.lower() in (".trig", ".nq", ".ttl") or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"{args.output}: nanopublications are written one per file: give -o a folder (or no -o for one stream on stdout)")
    with _open(args) as store:
        found = nanopub_files(store.to_dataset(), created)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(found.items()):
        write_bytes_atomic(folder / name, data)
    return EXIT_OK


def _export_shards(args: argparse.Namespace, fmt) -> int:
    from conflictkg.exchange.shards import write_shards
    from conflictkg.graph.formats import RdfFormat

    if fmt not in (RdfFormat.NQUADS, RdfFormat.NTRIPLES):
        raise UsageError("--shards writes N-Quads (default) or N-Triples (--format nt)")
    if not args.output or args.output == "-" or args.frame:
        raise UsageError("--shards needs -o DIR, a new folder for the shard files (and no --frame)")
    with_graphs = fmt is RdfFormat.NQUADS
    extension = "nq" if with_graphs else "nt"
    with _open(args) as store:
        produce = store.shard_producer(with_graphs, args.reasoned, args.reasoner)
        report = write_shards(args.output, args.shards, produce, extension, fmt.media_type)
        where = store.describe()
    for name, lines in zip(report.files, report.lines):
        print(f"{report.directory / name}: {lines} lines", file=sys.stderr)
    if not sum(report.lines):  # the folder is always new, so nothing was replaced; still, say it
        print(f"conflictkg: warning: the {where} holds no data; the shards are empty", file=sys.stderr)
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    from conflictkg import progress
    from conflictkg.queries.saved import find_query
    from conflictkg.queries.tables import render_table

    with _open(args) as store:
        with progress.stage(f"reading the {store.describe()}"):
            overview = store.overview()  # counted where the store is (a server answers COUNT queries)
            progress.note(overview.triples, "triples")
        report = store.validate()
        print(f"The graph holds {overview.triples} triples in {overview.graphs} graph(s).")
        print(render_table(store.query(find_query("graph-overview")), store.namespace_manager))
        print("Who claims what about the death toll:")
        killed = store.query(find_query("casualty-claims"), {"kind": "ckv:casualty/killed"})
        print(render_table(killed, store.namespace_manager))
        counts, disagreeing = overview.relations, overview.disagreements
    if counts:
        listed = ", ".join(f"{count} {kind.replace('-', ' ')}" for kind, count in counts.items())
        print(f"How the claims stand to each other (derived by the rules of ontology/rules): {listed}; "
              "`conflictkg query claim-relations` lists them.")
    print(f"Where sources disagree: {disagreeing} pair(s) of claims with disjoint figures for the same quantity "
          "(a silence or an \"Unknown\" is not a figure; overlapping figures agree); "
          "`conflictkg query disagreements` lists them.")
    print(report.text)
    return EXIT_OK if report.conforms else EXIT_INVALID


def _serve(args: argparse.Namespace) -> int:
    from conflictkg.graph.parse import with_ontology
    from conflictkg.views.serve import ServerConfig, default_workers, serve

    config = ServerConfig(
        host=args.host, port=args.port, timeout=args.timeout, max_results=args.max_results, max_bytes=args.max_bytes,
        workers=args.workers or default_workers(), access_log=args.access_log,
    )
    with _open(args) as store:
        dataset = with_ontology(store.to_dataset())

    def ready(url: str) -> None:
        print(f"conflictkg: serving {len(dataset)} triples at {url} (SPARQL endpoint {url}sparql); Ctrl-C stops", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"conflictkg: warning: listening on {args.host}, reachable from other machines", file=sys.stderr, flush=True)

    serve(dataset, config, on_ready=ready)
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    import datetime as dt

    from conflictkg.exchange.importers import ImportOptions, import_csv, importer_for

    downloaded = None
    if args.downloaded:
        try:
            downloaded = dt.date.fromisoformat(args.downloaded)
        except ValueError:
            raise UsageError(f"--downloaded takes a date written YYYY-MM-DD, not {args.downloaded!r}") from None
    show = sys.stderr.isatty() if args.progress is None else args.progress
    bar = None
    if show:
        import os

        from tqdm import tqdm

        try:
            size = os.path.getsize(args.file)
        except OSError:
            size = None
        bar = tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=os.path.basename(args.file),
                   file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        result = import_csv(
            importer_for(args.publisher), args.file, args.output, strict=args.strict,
            on_bytes=bar.update if bar is not None else None,
            options=ImportOptions(version=args.dataset_version, downloaded=downloaded),
        )
    finally:
        if bar is not None:
            bar.close()
    rate = result.rows_read / result.seconds if result.seconds else 0.0
    print(
        f"conflictkg: imported {result.rows_imported} of {result.rows_read} rows of {result.file_name} into "
        f"<{result.graph}> ({result.quads} quads, {result.output_format}; {result.seconds:.1f} s, {rate:,.0f} rows/s)",
        file=sys.stderr,
    )
    if result.problems:
        print(f"conflictkg: skipped {len(result.problems)} malformed row(s):", file=sys.stderr)
        for line in result.problem_lines(100):
            print(f"  {line}", file=sys.stderr)
    return EXIT_OK


def _merge(args: argparse.Namespace) -> int:
    from conflictkg.guard.files import emit
    from conflictkg.exchange.merge import merge_files

    if not args.inputs and not args.with_builtin:
        raise UsageError("merge needs at least one input file (or --with-builtin)")
    from conflictkg import progress

    with progress.stage(f"merging {len(args.inputs) + args.with_builtin} input(s)"):
        result = merge_files(args.inputs, with_builtin=args.with_builtin, input_format=args.input_format,
                             output=args.output, aliases=args.aliases)
    report = result.report_text()
    if args.report:
        emit(args.report, report.encode("utf-8"))
    else:
        print(report, file=sys.stderr, end="")
    if args.output is None or args.output == "-":
        sys.stdout.buffer.write(result.data)
        sys.stdout.buffer.flush()
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from conflictkg.views.report import write_report

    with _open(args) as store:  # the report reads the store where it is (Oxigraph) or copies it (others)
        index = write_report(store, args.output, title=args.title)
    print(f"conflictkg: wrote the report to {index} (open it in a browser; it needs no server)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
