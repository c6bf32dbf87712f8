"""Saved SPARQL queries: discovery, parameter binding into the query text, and result tables."""
