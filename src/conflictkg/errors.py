"""Typed errors raised by the library; the command line maps them to exit statuses."""

from __future__ import annotations


class ConflictKGError(Exception):
    """Base of every error the library raises on purpose; `exit_status` is the CLI's code."""

    exit_status = 2


class InputError(ConflictKGError):
    """A file, stream or value given by the user cannot be read or is malformed."""


class UsageError(ConflictKGError):
    """The user asked for something that does not exist (an unknown query, parameter, format)."""


class QueryError(ConflictKGError):
    """A SPARQL query cannot be parsed or run."""


class ValidationFailed(ConflictKGError):
    """The data does not conform to the shapes."""

    exit_status = 1


class NetworkRefused(ConflictKGError):
    """Something tried to reach the network or a file the user did not name."""
