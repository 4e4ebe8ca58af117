"""Skills frameworks in the standards the LMS already speaks: one reader and one writer per format.

Every reader turns a file into the import's `Document` (services/transfer), so each format gets
the same all-or-nothing, dry-run-first import; `formats.read_any` is the one entry point.
"""
