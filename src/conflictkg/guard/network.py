"""Refuses network access and unnamed local files unless the user allows them.

RDF is full of pointers: SPARQL `SERVICE <url>` and `LOAD <url>`, a JSON-LD `@context` that names
a URL or a file, `file:` IRIs. rdflib follows them (see its "Security considerations" page), so a
file from someone else could make the tool reach a server or read `/etc/passwd` behind the
user's back. This module closes that off with a Python audit hook (PEP 578), the mechanism
rdflib's documentation recommends, because it catches every path at once: `urllib` requests
(of any scheme, `file:` included), socket connections and name look-ups, and files that rdflib,
pySHACL, pyld or owlrl open on their own (a `file:` IRI, a relative `@context`).

Audit hooks cannot be removed, so the hook is installed once and its effect is switched by
module state: `policy(allow_network=...)` turns refusal on for the duration of a `with` block
(the command line wraps every command in one; a server or an importer can do the same), and
`permit_url()`, `permit_host()` and `permit_file()` name what the user asked for explicitly
(a `--store sparql:URL`, a file given on the command line). Outside any `policy()` block
nothing is refused, so tests and library users keep their ordinary Python.

The hook raises `NetworkRefused`. Libraries sometimes catch it (rdflib's `LOAD` tries four
parsers and reports only "could not load"), so every refusal is also recorded for the thread
that caused it; `reporting_refusals()` turns whatever error came out of such a block back into
the refusal, and `check()` raises it before any output is written.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from conflictkg.errors import NetworkRefused

ALLOW_HINT = "run with --allow-network to allow it"

# Modules whose own file opens are refused (they open files named inside data, not by the user).
WATCHED_MODULES = ("rdflib", "pyshacl", "owlrl", "pyld")
# Frames of these modules are looked through to find who really asked for the file.
_PASS_THROUGH = frozenset({"io", "_pyio", "pathlib", "codecs", "os", "shutil", "tempfile", "contextlib"})
_SOCKET_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_LOOKUP_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"})
_EVENTS = _SOCKET_EVENTS | _LOOKUP_EVENTS | {"urllib.Request", "open"}
_LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass
class _State:
    installed: bool = False
    refusing: bool = False
    urls: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    addresses: set[tuple[str, int]] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    library_dirs: tuple[str, ...] = ()


_state = _State()
_lock = threading.Lock()
_local = threading.local()


def install() -> None:
    """Add the audit hook to this process (once; it does nothing until `policy()` turns it on)."""
    with _lock:
        if _state.installed:
            return
        _state.library_dirs = _library_dirs()
        sys.addaudithook(_hook)
        _state.installed = True


@contextmanager
def policy(allow_network: bool = False) -> Iterator[None]:
    """Refuse network access and unnamed files inside the block (unless `allow_network`)."""
    install()
    previous = _state.refusing
    _state.refusing = not allow_network
    clear_refusals()
    try:
        yield
    finally:
        _state.refusing = previous


def is_refusing() -> bool:
    """Whether a refusing `policy()` block is in force."""
    return _state.refusing


def permit_url(url: str) -> None:
    """Allow requests to `url` and everything below it (an endpoint the user named)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with _lock:
        _state.urls.append(url.rstrip("/"))
        _state.hosts.add(parts.hostname.lower())
        _state.addresses.add((parts.hostname.lower(), port))
    try:  # the addresses the name stands for (looked up now, while the name is permitted)
        for *_rest, address in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM):
            with _lock:
                _state.addresses.add((str(address[0]), port))
    except OSError:
        pass


def permit_host(host: str) -> None:
    """Allow name look-ups of `host` (for example an address a server is asked to listen on)."""
    with _lock:
        _state.hosts.add(host.lower())


def permit_file(path: str | os.PathLike[str]) -> None:
    """Allow the watched libraries to open `path` (a file the user named)."""
    with _lock:
        _state.files.add(os.path.abspath(os.fspath(path)))


def clear_permissions() -> None:
    """Forget every permitted URL, host and file."""
    with _lock:
        _state.urls.clear()
        _state.hosts.clear()
        _state.addresses.clear()
        _state.files.clear()


def refusals() -> list[NetworkRefused]:
    """What was refused in this thread since the last `clear_refusals()`."""
    return list(getattr(_local, "refused", ()))


def clear_refusals() -> None:
    """Forget this thread's recorded refusals."""
    _local.refused = []


def check() -> None:
    """Raise the first refusal recorded in this thread (call it before writing any output)."""
    recorded = refusals()
    if recorded:
        raise recorded[0]


def find_refusal(error: BaseException | None) -> NetworkRefused | None:
    """The NetworkRefused in `error`'s chain of causes, if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, NetworkRefused):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def reporting_refusals() -> Iterator[None]:
    """Inside the block, an error caused (even indirectly) by a refusal becomes that refusal."""
    clear_refusals()
    try:
        yield
    except NetworkRefused:
        raise
    except Exception as error:
        refused = find_refusal(error) or next(iter(refusals()), None)
        if refused is not None:
            raise refused from None
        raise


# --- SPARQL text for engines the hook cannot see ------------------------------------------------

# Oxigraph (and any SPARQL server) runs SERVICE and LOAD in its own code, with its own HTTP client:
# no Python socket is opened, so the audit hook never sees it. Such text is checked before it is
# handed over. SPARQL lets `\\uXXXX` escapes stand anywhere in a query (Oxigraph decodes them before
# parsing), so they are decoded first; strings, IRIs, comments, variables and prefixed names are
# skipped, and what remains is compared with the keywords.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_\u00c0-\U000effff][\w\u00b7\u00c0-\U000effff]*")
_PREFIX_REST = re.compile(r"[\w\-.\u00b7\u00c0-\U000effff]*:")  # what turns a word into pfx: (PN_PREFIX)
_VARIABLE = re.compile(r"[\w\u00b7\u00c0-\U000effff]*")  # VARNAME: no '.' or '-'
_LANGUAGE = re.compile(r"[A-Za-z0-9\-]*")
_LOCAL = re.compile(r"(?:[\w\-.%:\u00b7\u00c0-\U000effff]|\\.)*")  # PN_LOCAL, escapes included
_REMOTE_KEYWORDS = {
    "SERVICE": "SPARQL SERVICE (a federated query to another endpoint)",
    "LOAD": "SPARQL LOAD (fetching a document by its IRI)",
}


def sparql_keywords(text: str) -> set[str]:
    """The upper-cased bare words of SPARQL `text` (keywords and function names), after decoding
    `\\u` escapes and skipping strings, IRIs, comments, variables, prefixed names and language tags."""
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    words: set[str] = set()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif char == "<":
            found = _IRIREF.match(text, i)
            i = found.end() if found else i + 1
        elif char in "?$":
            i = _VARIABLE.match(text, i + 1).end()
        elif char == "@":
            i = _LANGUAGE.match(text, i + 1).end()
        elif char == ":":
            i = _LOCAL.match(text, i + 1).end()
        else:
            found = _WORD.match(text, i)
            if found is None:
                i += 1
                continue
            prefixed = _PREFIX_REST.match(text, found.end())
            if prefixed is not None:  # a prefixed name (pfx:local) or a blank node label (_:b)
                i = _LOCAL.match(text, prefixed.end()).end()
                continue
            i = found.end()
            words.add(found.group(0).upper())
    return words


def check_sparql(text: str, what: str = "the query") -> None:
    """Refuse SERVICE and LOAD in SPARQL text that an engine will run outside Python (Oxigraph, a
    server), unless a `policy(allow_network=True)` block or no policy is in force."""
    if not _state.refusing:
        return
    for word in sorted(sparql_keywords(text) & _REMOTE_KEYWORDS.keys()):
        decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        named = re.search(rf"(?i)\b{word}\s+(?:SILENT\s+)?(<[^>\s]*>|[?$]\w+)", decoded)
        target = named.group(1).strip("<>") if named else "another endpoint"
        if target.lower().startswith("file:"):
            _refuse(f"refusing to read the local file {target} that {what} names with {_REMOTE_KEYWORDS[word]}")
        _refuse(f"refusing to reach {target} from {what}: it uses {_REMOTE_KEYWORDS[word]}")


def check_shapes_sparql(shapes) -> None:
    """`check_sparql` on every SPARQL text of a shapes graph (sh:select, sh:ask, sh:construct, sh:update)."""
    if not _state.refusing:
        return
    from rdflib.namespace import SH

    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for shape, text in shapes.subject_objects(predicate):
            check_sparql(str(text), f"the SPARQL of shape {shape.n3()}")


# --- the hook -------------------------------------------------------------------------------------


def _hook(event: str, args: tuple) -> None:
    if event not in _EVENTS or not _state.refusing:
        return
    if event == "open":
        reason = _refused_open(args)
    elif event == "urllib.Request":
        reason = _refused_url(str(args[0]))
    elif event in _SOCKET_EVENTS:
        reason = _refused_socket(args)
    else:
        reason = _refused_lookup(event, args)
    if reason is not None:
        _refuse(reason)


def _refuse(reason: str) -> None:
    error = NetworkRefused(f"{reason}; {ALLOW_HINT}")
    if not hasattr(_local, "refused"):
        _local.refused = []
    _local.refused.append(error)
    raise error


def _refused_url(url: str) -> str | None:
    if any(url == allowed or url.startswith((allowed + "/", allowed + "?")) for allowed in _state.urls):
        return None
    if url.startswith("https://relative-iri.invalid/"):
        name = url[len("https://relative-iri.invalid/") :]
        return f"refusing to read {name!r}, which the data names by a relative reference (a JSON-LD @context?)"
    if url.lower().startswith("file:"):
        return f"refusing to read the local file {url} that the data names"
    return f"refusing to reach {url} (named inside the data or query, not by you)"


def _refused_socket(args: tuple) -> str | None:
    sock, address = args[0], args[1]
    if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return None  # Unix sockets and pipes stay on this machine
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = str(address[0]).lower(), address[1]
        if (host, port) in _state.addresses:
            return None
        return f"refusing to open a network connection to {host}:{port}"
    return f"refusing to open a network connection to {address!r}"


def _refused_lookup(event: str, args: tuple) -> str | None:
    host = args[0] if args else None
    if event == "socket.getnameinfo":
        host = host[0] if isinstance(host, tuple) and host else None
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None:
        return None
    name = str(host).lower().rstrip(".")
    if name in _LOCAL_NAMES or name in _state.hosts:
        return None
    try:
        address = ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return f"refusing to look up the host name {host!r}"
    if event in ("socket.gethostbyaddr", "socket.getnameinfo") and not (address.is_loopback or address.is_unspecified):
        return f"refusing to look up the name of {host!r}"
    return None  # a numeric address needs no look-up


def _refused_open(args: tuple) -> str | None:
    path = args[0] if args else None
    if not isinstance(path, (str, bytes, os.PathLike)):
        return None  # a file descriptor
    caller = _calling_module()
    if caller is None or not caller.startswith(WATCHED_MODULES):
        return None
    try:
        absolute = os.path.abspath(os.fsdecode(path))
    except (TypeError, ValueError):
        return None
    if absolute in _state.files or absolute.startswith(_state.library_dirs):
        return None
    return f"refusing to read the local file {absolute}, which the data names (not you)"


def _calling_module() -> str | None:
    frame = sys._getframe(3)  # _calling_module <- _refused_open <- _hook <- the caller of open()
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.split(".")[0] not in _PASS_THROUGH:
            return name
        frame = frame.f_back
    return None


def _library_dirs() -> tuple[str, ...]:
    import importlib.util

    folders = []
    for name in WATCHED_MODULES:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            folders.append(os.path.join(os.path.abspath(location), ""))
    return tuple(folders)


__all__ = [
    "ALLOW_HINT",
    "check",
    "check_shapes_sparql",
    "check_sparql",
    "clear_permissions",
    "clear_refusals",
    "find_refusal",
    "install",
    "is_refusing",
    "permit_file",
    "permit_host",
    "permit_url",
    "policy",
    "refusals",
    "reporting_refusals",
    "sparql_keywords",
]
