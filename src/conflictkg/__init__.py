"""conflictkg: a linked-data toolkit and knowledge graph for armed-conflict events."""

__version__ = "0.1.0"
