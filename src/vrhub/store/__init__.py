"""The stores: the analytical store (DuckDB) holds pseudonymised events and reference data."""
