"""Importers of third-party event data (ACLED exports, UCDP GED files) into named graphs with provenance."""

from __future__ import annotations

from conflictkg.exchange.importers.common import (
    Importer,
    ImportOptions,
    ImportResult,
    import_csv,
)

PUBLISHERS = ("acled", "ucdp")


def importer_for(publisher: str) -> type[Importer]:
    """The importer class for a publisher named on the command line ("acled" or "ucdp")."""
    from conflictkg.errors import UsageError

    if publisher == "acled":
        from conflictkg.exchange.importers.acled import AcledImporter

        return AcledImporter
    if publisher == "ucdp":
        from conflictkg.exchange.importers.ucdp import UcdpImporter

        return UcdpImporter
    raise UsageError(f"no importer for {publisher!r}; known: {', '.join(PUBLISHERS)}")


__all__ = ["PUBLISHERS", "ImportOptions", "ImportResult", "Importer", "import_csv", "importer_for"]
