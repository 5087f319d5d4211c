"""Disclosure control for every output that leaves the analyst tier."""

from vrhub.disclosure.engine import (
    AdditiveTable,
    CellState,
    DisclosureRule,
    ProtectedTable,
    PublishedCell,
    protect,
)

__all__ = [
    "AdditiveTable",
    "CellState",
    "DisclosureRule",
    "ProtectedTable",
    "PublishedCell",
    "protect",
]
