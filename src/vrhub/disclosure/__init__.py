"""Disclosure control for every output that leaves the analyst tier."""

from vrhub.disclosure.engine import (
    CellState,
    DisclosureRule,
    PublishedCell,
    Tally,
    publish,
    tally,
)

__all__ = ["CellState", "DisclosureRule", "PublishedCell", "Tally", "publish", "tally"]
