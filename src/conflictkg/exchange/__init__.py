"""Data in and out of the graph: publishers' CSV importers, exports to other systems, bulk shards, merging, evidence and generated data."""
