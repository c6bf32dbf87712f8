"""Checks of the data against the SHACL shapes, with pySHACL or the compiled validator, on rdflib graphs."""
