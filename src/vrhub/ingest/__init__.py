"""Ingest: read partner files, validate every row, pseudonymise and load in one transaction."""
