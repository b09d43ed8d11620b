"""Fuzz tests of every importer at exoderm's edges (issue 18)."""
