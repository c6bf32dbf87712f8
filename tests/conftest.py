"""Shared fixtures: the built-in data set (loaded once) and a runner for the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conflictkg.cli import main
from conflictkg.stores.dataset import load_dataset

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"


@dataclass
class CliRun:
    status: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Call `conflictkg` in-process with the given arguments; return status, stdout, stderr."""

    def run(*args: str) -> CliRun:
        status = main(list(args))
        captured = capsys.readouterr()
        return CliRun(status, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def builtin_dataset():
    """The built-in article graph (do not modify it in a test)."""
    return load_dataset()
