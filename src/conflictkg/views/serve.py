"""A local read-only SPARQL 1.1 Protocol endpoint with a query page (Starlette + uvicorn).

Queries run in a small pool of worker processes, each holding its own copy of the data set: a
query that passes the time limit is stopped by ending its worker (which is then replaced), a
runaway query cannot take the server down with it, and two cores answer two queries at once.
The web process only speaks HTTP; every page script, stylesheet and font comes from the
package's `static/` folder, so the page works without internet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from rdflib import Dataset
from rdflib.namespace import OWL, RDF, RDFS

from conflictkg.errors import UsageError
from conflictkg.stores.base import display_prefixes, expand_prefixed
from conflictkg.views.endpoint import (
    FILE_EXTENSIONS,
    GRAPH_FORMAT_NAMES,
    Answer,
    Limits,
    error_answer,
    service_description,
    worker_main,
)

log = logging.getLogger("conflictkg.views.serve")

MAX_BODY_BYTES = 256 * 1024
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen and what limits to apply."""

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_results: int = 10_000
    max_bytes: int = 64 << 20
    workers: int = 2
    queue_timeout: float = 30.0
    access_log: bool = False

    @property
    def limits(self) -> Limits:
        return Limits(self.timeout, self.max_results, self.max_bytes)


def static_dir() -> Path:
    """The folder of shipped browser assets (vendor scripts, the query page, base maps)."""
    return Path(str(files("conflictkg") / "static"))


# --- the worker pool ------------------------------------------------------------------------------


class QueryTimeout(Exception):
    """A worker did not answer within the time limit (it has been stopped)."""


class WorkerDied(Exception):
    """A worker process ended while answering (for example it ran out of memory)."""


class _Worker:
    def __init__(self, context: Any, snapshot: str, limits: Limits) -> None:
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=worker_main, args=(child, snapshot, limits), daemon=True, name="conflictkg-query-worker"
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.connection.poll(timeout):
            self.stop()
            raise RuntimeError("a query worker did not start in time")
        try:
            message = self.connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise RuntimeError("a query worker failed to start (see the log above)") from None
        if not (isinstance(message, tuple) and message and message[0] == "ready"):
            self.stop()
            raise RuntimeError(f"a query worker sent {message!r} instead of 'ready'")

    def call(self, job: dict, timeout: float) -> Answer:
        try:
            self.connection.send(job)
            if not self.connection.poll(timeout):
                raise QueryTimeout()
            status, content_type, body, headers = self.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerDied() from None
        return Answer(status, content_type, body, headers)

    def stop(self) -> None:
        try:
            self.connection.close()
        except OSError:
            pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """N query worker processes; a request borrows one, and one that times out is replaced."""

    def __init__(self, snapshot: Path, size: int, limits: Limits, queue_timeout: float = 30.0) -> None:
        if size < 1:
            raise UsageError("--workers must be at least 1")
        self.snapshot = str(snapshot)
        self.size = size
        self.limits = limits
        self.queue_timeout = queue_timeout
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._executor = ThreadPoolExecutor(max_workers=size + 2, thread_name_prefix="conflictkg-pool")
        self._lock = threading.Lock()
        self.restarts = 0

    def start(self) -> None:
        """Start every worker and wait until each has loaded the data (blocking)."""
        started = [_Worker(self._context, self.snapshot, self.limits) for _ in range(self.size)]
        try:
            for worker in started:
                worker.wait_ready(timeout=300)
        except BaseException:
            for worker in started:
                worker.stop()
            raise
        self._workers = started

    def bind_loop(self) -> None:
        """Create the idle queue on the running event loop."""
        self._idle = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    async def run(self, job: dict) -> Answer:
        """Answer one job in a worker; 503 if none is free in time or the query times out."""
        assert self._idle is not None, "bind_loop() first"
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.queue_timeout)
        except asyncio.TimeoutError:
            return error_answer(503, "the server is busy: every query worker stayed occupied; try again")
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._executor, worker.call, job, self.limits.timeout)
        except QueryTimeout:
            loop.run_in_executor(self._executor, self._replace, worker)
            return error_answer(
                503, f"the query ran longer than {self.limits.timeout:g} s, this server's limit, and was stopped"
            )
        except WorkerDied:
            loop.run_in_executor(self._executor, self._replace, worker)
            return error_answer(500, "the query worker ended while answering (out of memory?); it has been restarted")
        except BaseException:
            loop.run_in_executor(self._executor, self._replace, worker)
            raise
        self._idle.put_nowait(worker)
        return answer

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        while True:
            try:
                fresh = _Worker(self._context, self.snapshot, self.limits)
                fresh.wait_ready(timeout=300)
                break
            except Exception as error:  # keep trying: a pool without workers answers nothing
                log.error("could not restart a query worker: %s", error)
                time.sleep(1)
        with self._lock:
            self._workers = [w for w in self._workers if w is not worker] + [fresh]
            self.restarts += 1
        loop = self._loop
        if loop is not None and self._idle is not None:
            loop.call_soon_threadsafe(self._idle.put_nowait, fresh)

    _loop: asyncio.AbstractEventLoop | None = None

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            try:
                worker.connection.send(None)
            except (OSError, BrokenPipeError):
                pass
            worker.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- the data the page needs ------------------------------------------------------------------------


def snapshot_dataset(dataset: Dataset, folder: Path) -> Path:
    """Write the data set as N-Quads for the workers to load; return the file's path."""
    path = folder / "snapshot.nq"
    with path.open("wb") as out:
        dataset.serialize(out, format="nquads", encoding="utf-8")
    return path


def completion_terms(dataset: Dataset) -> dict[str, list[str]]:
    """Classes and properties the editor offers to complete: declared in the ontology or used in the data."""
    classes: set[str] = set()
    properties: set[str] = set()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        properties.add(str(p))
        if p == RDF.type:
            classes.add(str(o))
            if o in (OWL.Class, RDFS.Class):
                classes.add(str(s))
            elif o in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property):
                properties.add(str(s))
    return {"classes": sorted(classes), "properties": sorted(properties)}


def query_catalogue(saved: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The saved queries as JSON-ready dicts: name, title, description, parameters, text."""
    return [
        {
            "name": name,
            "title": query.title or name,
            "description": query.description,
            "parameters": [
                {"name": p.name, "type": p.type, "description": p.description, "default": p.default}
                for p in query.parameters
            ],
            "text": query.text,
        }
        for name, query in sorted(saved.items())
    ]


# --- HTTP ---------------------------------------------------------------------------------------------


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def graph_sizes(dataset: Dataset) -> list[tuple[str, int]]:
    """Each named graph of the data set with its number of triples (for the service description)."""
    from rdflib import URIRef

    return sorted((str(g.identifier), len(g)) for g in dataset.graphs()
                  if isinstance(g.identifier, URIRef) and len(g) and not str(g.identifier).startswith("urn:x-rdflib:"))


def ontology_page() -> str:
    """The ontology documentation (`views.ontodoc`) as served at /ontology."""
    from conflictkg.views.ontodoc import render_ontology_page
    from conflictkg.views.report import page

    html = render_ontology_page(page)
    return html.replace('href="index.html"', 'href="/"').replace("back to the report", "the query page")


def create_app(pool: WorkerPool, saved: Mapping[str, Any], terms: Mapping[str, list[str]], config: ServerConfig,
               graphs: list[tuple[str, int]] | None = None):
    """The Starlette application: query page, SPARQL endpoint, saved-query API, resource pages,
    the ontology documentation, the service description and static files."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import (
        FileResponse,
        JSONResponse,
        RedirectResponse,
        Response,
    )
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    catalogue = query_catalogue(saved)
    static = static_dir()
    pages: dict[str, str] = {}

    def respond(answer: Answer, download: str | None = None) -> Response:
        headers = {"Cache-Control": "no-store", **answer.headers}
        if download and answer.status == 200:
            key = next((k for k, ext in FILE_EXTENSIONS.items() if _content_key(answer.content_type) == k), None)
            extension = FILE_EXTENSIONS.get(key or "", "txt")
            stem = "".join(c for c in download if c.isalnum() or c in "-_") or "results"
            headers["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type, headers=headers)

    def plain(status: int, message: str) -> Response:
        return respond(error_answer(status, message))

    async def index(request: Request) -> Response:
        return FileResponse(static / "query" / "index.html", headers={"Cache-Control": "no-cache"})

    async def sparql(request: Request) -> Response:
        try:
            params = _query_params(request)
            if request.method == "POST":
                body_params, raw_query = await _post_params(request)
                params.extend(body_params)
            else:
                raw_query = None
            names = [k for k, _ in params]
            if "update" in names:
                raise _HttpError(403, "SPARQL Update is refused: this endpoint is read-only")
            if "default-graph-uri" in names or "named-graph-uri" in names:
                raise _HttpError(
                    400, "default-graph-uri / named-graph-uri are not supported: use FROM / GRAPH in the query"
                )
            queries = [v for k, v in params if k == "query"]
            if raw_query is not None:
                queries.append(raw_query)
            if not queries:
                fmt = _single(params, "format")
                if request.method == "GET" and not fmt and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/", status_code=303)
                if request.method == "GET":  # no query: the SPARQL 1.1 Service Description
                    endpoint = str(request.url.replace(query=""))
                    accept = GRAPH_FORMAT_NAMES.get(fmt or "", request.headers.get("accept"))
                    return respond(service_description(endpoint, graphs or [], accept, config.limits))
                raise _HttpError(400, "no query: send query=... (GET or POST form) or a POST application/sparql-query body")
            if len(queries) > 1:
                raise _HttpError(400, "exactly one query per request, please")
            fmt = _single(params, "format")
            job = {"op": "sparql", "query": queries[0], "accept": request.headers.get("accept"), "format": fmt}
            answer = await pool.run(job)
            return respond(answer, _single(params, "download"))
        except _HttpError as error:
            return plain(error.status, str(error))

    async def list_queries(request: Request) -> Response:
        return JSONResponse(catalogue, headers={"Cache-Control": "no-store"})

    async def run_saved(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            params = _query_params(request)
            values: dict[str, str] = {}
            fmt = _single(params, "format")
            download = _single(params, "download")
            if request.method == "POST":
                content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
                body = await _read_body(request)
                if content_type == "application/json":
                    try:
                        document = json.loads(body.decode("utf-8") or "{}")
                    except (UnicodeDecodeError, json.JSONDecodeError) as error:
                        raise _HttpError(400, f"the body is not valid JSON: {error}") from None
                    except RecursionError:
                        raise _HttpError(400, "the JSON body is nested too deeply") from None
                    if not isinstance(document, dict):
                        raise _HttpError(400, 'send a JSON object: {"params": {"name": "value"}}')
                    given = document.get("params") or {}
                    if not isinstance(given, dict) or not all(isinstance(v, (str, int, float)) for v in given.values()):
                        raise _HttpError(400, '"params" must be an object of strings')
                    values.update({str(k): str(v) for k, v in given.items()})
                    fmt = document.get("format") or fmt
                elif content_type == "application/x-www-form-urlencoded":
                    params.extend(_parse_pairs(body))
                    fmt = _single(params, "format")
                    download = _single(params, "download")
                elif body.strip():
                    raise _HttpError(415, "send parameters as application/json or application/x-www-form-urlencoded")
            for key, value in params:
                if key not in ("format", "download"):
                    if key in values:
                        raise _HttpError(400, f"parameter {key!r} is given twice")
                    values[key] = value
            values = {key: expand_prefixed(value) for key, value in values.items()}  # cas:killed, actor:rfi, ...
            job = {"op": "saved", "name": name, "params": values, "accept": request.headers.get("accept"), "format": fmt}
            answer = await pool.run(job)
            return respond(answer, download)
        except _HttpError as error:
            return plain(error.status, str(error))

    async def prefixes(request: Request) -> Response:
        return JSONResponse(display_prefixes())

    async def resource(request: Request) -> Response:
        try:
            name = _single(_query_params(request), "iri")
            if not name:
                raise _HttpError(400, "name the resource: /resource?iri=IRI (or a prefixed name such as actor:rfi)")
            return respond(await pool.run({"op": "resource", "iri": name}))
        except _HttpError as error:
            return plain(error.status, str(error))

    async def ontology(request: Request) -> Response:
        if "ontology" not in pages:
            pages["ontology"] = await asyncio.get_running_loop().run_in_executor(None, ontology_page)
        return Response(pages["ontology"], media_type="text/html; charset=utf-8")

    async def completion(request: Request) -> Response:
        return JSONResponse(terms)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "workers": pool.size, "restarts": pool.restarts,
                             "timeout": config.timeout, "max_results": config.max_results})

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        pool.bind_loop()
        pool._loop = asyncio.get_running_loop()
        yield

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api/queries", list_queries, methods=["GET"]),
        Route("/api/queries/{name}", run_saved, methods=["GET", "POST"]),
        Route("/api/prefixes", prefixes, methods=["GET"]),
        Route("/resource", resource, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/api/terms", completion, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=static), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return _Guard(app, config)


def _content_key(content_type: str) -> str:
    from conflictkg.views.endpoint import GRAPH_TYPES, RESULT_TYPES

    media = content_type.split(";")[0].strip()
    for table in (RESULT_TYPES, GRAPH_TYPES):
        for key, value in table.values():
            if value.split(";")[0].strip() == media:
                return key
    return ""


def _parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode("ascii") if raw else ""
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict",
                         max_num_fields=200)
    except UnicodeDecodeError:
        raise _HttpError(400, "the parameters are not valid percent-encoded UTF-8") from None
    except ValueError as error:
        raise _HttpError(400, f"cannot read the parameters: {error}") from None


def _query_params(request: Any) -> list[tuple[str, str]]:
    return _parse_pairs(request.scope.get("query_string", b""))


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise _HttpError(400, f"{name} is given more than once")
    return values[0] if values else None


async def _read_body(request: Any) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise _HttpError(400, "bad Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise _HttpError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _HttpError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _post_params(request: Any) -> tuple[list[tuple[str, str]], str | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/sparql-update":
        raise _HttpError(403, "SPARQL Update is refused: this endpoint is read-only")
    body = await _read_body(request)
    if content_type == "application/x-www-form-urlencoded":
        return _parse_pairs(body), None
    if content_type == "application/sparql-query":
        try:
            return [], body.decode("utf-8")
        except UnicodeDecodeError:
            raise _HttpError(400, "the query is not valid UTF-8") from None
    raise _HttpError(
        415, "POST a query as application/x-www-form-urlencoded (query=...) or as an application/sparql-query body"
    )


class _Guard:
    """ASGI middleware: refuse foreign Host headers (DNS rebinding) and add security headers."""

    def __init__(self, app: Any, config: ServerConfig) -> None:
        self.app = app
        self.check_host = config.host in LOOPBACK_HOSTS
        self.allowed = {h for h in LOOPBACK_HOSTS} | {config.host}

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.check_host:
            host = ""
            for key, value in scope.get("headers", []):
                if key == b"host":
                    host = value.decode("latin-1")
                    break
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed:
                body = b"this server answers only requests addressed to 127.0.0.1 or localhost\n"
                await send({"type": "http.response.start", "status": 421, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- running it ---------------------------------------------------------------------------------------


def serve(dataset: Dataset, config: ServerConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Start the workers and the HTTP server; block until interrupted (Ctrl-C) or terminated."""
    import uvicorn

    from conflictkg.queries.saved import saved_queries

    if not 0 <= config.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {config.port}")
    if config.timeout <= 0 or config.max_results < 1:
        raise UsageError("--timeout must be above 0 and --max-results at least 1")
    saved = saved_queries()
    _check_port_free(config)
    terms = completion_terms(dataset)
    graphs = graph_sizes(dataset)
    folder = Path(tempfile.mkdtemp(prefix="conflictkg-serve-"))
    try:
        snapshot = snapshot_dataset(dataset, folder)
        pool = WorkerPool(snapshot, config.workers, config.limits, config.queue_timeout)
        pool.start()
        try:
            app = create_app(pool, saved, terms, config, graphs)
            server = uvicorn.Server(uvicorn.Config(
                app, host=config.host, port=config.port, log_level="warning", access_log=config.access_log,
                server_header=False, limit_concurrency=256, timeout_keep_alive=5, lifespan="on",
            ))
            if on_ready is not None:
                _announce_when_started(server, config, on_ready)
            try:
                server.run()
            except SystemExit:  # uvicorn exits when it cannot bind; say it as a usage error
                server.started = False
            if not server.started:
                raise UsageError(f"cannot listen on {config.host}:{config.port} (is the port in use?)")
        finally:
            pool.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_port_free(config: ServerConfig) -> None:
    """Refuse, in one line, a port another program holds, before any worker starts."""
    import socket

    if config.port == 0:
        return
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((config.host, config.port))
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot listen on {config.host}:{config.port}: {reason} (is another server using the port? try --port)") from None


def _announce_when_started(server: Any, config: ServerConfig, on_ready: Callable[[str], None]) -> None:
    def watch() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            port = config.port
            for listener in getattr(server, "servers", []) or []:
                for sock in listener.sockets:
                    port = sock.getsockname()[1]
                    break
            host = f"[{config.host}]" if ":" in config.host else config.host
            on_ready(f"http://{host}:{port}/")

    threading.Thread(target=watch, daemon=True).start()


def default_workers() -> int:
    """Two workers, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))
