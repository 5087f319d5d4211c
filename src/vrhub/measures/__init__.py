"""Measures: named, versioned definitions and the statistics their results carry."""
