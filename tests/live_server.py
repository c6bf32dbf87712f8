"""Starts `conflictkg serve` in a subprocess on 127.0.0.1 and a free port, for the server tests."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class LiveServer:
    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None,
                timeout: float = 30) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def get(self, path: str, params: dict[str, str] | None = None, **kwargs) -> Reply:
        if params:
            path += "?" + urllib.parse.urlencode(params)
        return self.request("GET", path, **kwargs)

    def query(self, text: str, accept: str | None = None, method: str = "GET", **extra: str) -> Reply:
        headers = {"Accept": accept} if accept else {}
        if method == "GET":
            return self.get("/sparql", {"query": text, **extra}, headers=headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", "/sparql", urllib.parse.urlencode({"query": text, **extra}), headers=headers)

    def alive(self) -> bool:
        return self.process.poll() is None and self.get("/health").status == 200


@contextmanager
def running_server(*args: str, startup: float = 120):
    """Run `conflictkg serve --port 0 ARGS`; yield a LiveServer once it listens; stop it after."""
    command = [sys.executable, "-m", "conflictkg.cli", "serve", "--port", "0", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if "serving" in line:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + startup
    while not found.is_set() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    if not found.is_set():
        process.kill()
        raise RuntimeError(f"the server did not start: {''.join(lines)} {process.stderr.read()}")
    url = next(word for line in lines for word in line.split() if word.startswith("http://"))
    server = LiveServer(process, url)
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
