"""RDF in memory: namespaces, shipped resources, formats, parsing, serialising, canonical forms and the bridge to Oxigraph terms."""
