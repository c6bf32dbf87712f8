"""What people look at: the SPARQL endpoint and query page, the static report, the ontology documentation."""
