"""Locates the ontology, data and query files that ship inside the package."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

_KINDS = ("ontology", "data", "queries")


def resource_dir(kind: str) -> Traversable:
    """The folder of shipped files of one kind: "ontology", "data" or "queries".

    An installed wheel carries the folders inside the package, under shipped/ (hatchling's
    force-include);
    a source checkout run with `pip install -e .` finds them at the top of the repository.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}")
    packaged = files("conflictkg") / "shipped" / kind
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / kind


def resource_files(kind: str, suffix: str) -> list[Traversable]:
    """The shipped files of one kind whose names end with `suffix`, sorted by name."""
    folder = resource_dir(kind)
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(suffix)),
        key=lambda entry: entry.name,
    )


def resource_file(kind: str, name: str) -> Traversable:
    """One shipped file by name."""
    return resource_dir(kind) / name
