"""The bottom layer: what protects the user before any work is done: the network guard, input checks, atomic file writes."""
