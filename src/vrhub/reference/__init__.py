"""Reference data: geography lookups, deprivation and population denominators."""
