"""The record store: organisations, users, agreements, batch lineage and the audit trail.

A relational database reached through SQLAlchemy 2 and kept up to date by Alembic migrations:
a SQLite file in the home by default, PostgreSQL when ``VRHUB_DATABASE_URL`` names one.
"""
