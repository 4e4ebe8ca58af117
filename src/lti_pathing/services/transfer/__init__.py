"""Import and export of the catalog, job architecture and people (see docs/import-format.md)."""
