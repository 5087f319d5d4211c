"""The analytical store (DuckDB): pseudonymised events and reference data, owned here.

Only this package changes the store's schema: numbered migrations run when the store opens
(:mod:`vrhub.store.migrations`), and each registered dataset's events table is created then
(:mod:`vrhub.store.events`). Other packages read and write rows; the only tables they may
create are working ones that live and die with a connection (TEMP tables, registered views,
ingest's in-memory scratch database). :mod:`vrhub.store.batches` is the batch log.
"""
