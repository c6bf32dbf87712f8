"""conflictkg: a linked-data toolkit and knowledge graph for armed-conflict events.

The Python API (`conflictkg.api`, documented in docs/api.md) is re-exported here and imported on
first use, so `import conflictkg` stays fast: `conflictkg.load()`, `conflictkg.query(...)`, ...
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = ("load", "validate", "queries", "query", "export", "import_csv", "merge", "report", "Answer", "Imported", "Merged")


def __getattr__(name: str) -> Any:
    """The API's functions, loaded when first asked for (PEP 562)."""
    if name in _API:
        return getattr(importlib.import_module("conflictkg.api"), name)
    raise AttributeError(f"module 'conflictkg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = [
    "Answer",
    "Imported",
    "Merged",
    "__version__",
    "export",
    "import_csv",
    "load",
    "merge",
    "queries",
    "query",
    "report",
    "validate",
]
