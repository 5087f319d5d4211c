"""The registry of measures.

Measures come from the ``vrhub.measures`` entry-point group: vrhub's own
(:mod:`vrhub.measures.builtin`) are declared in its ``pyproject.toml`` exactly as an extension
declares its own. Each entry point names a :class:`~vrhub.measures.spec.Measure`.
"""

from __future__ import annotations

from collections.abc import Sequence

from vrhub.errors import UnknownMeasureError
from vrhub.measures.spec import Measure
from vrhub.registry import Registry

__all__ = ["MEASURES", "UnknownMeasureError", "all_measures", "get_measure", "register"]


def _unknown(name: str, known: Sequence[str]) -> UnknownMeasureError:
    return UnknownMeasureError(f"no measure is called '{name}' (known: {', '.join(known)})")


MEASURES: Registry[Measure] = Registry(
    "vrhub.measures", "measure", Measure, lambda m: m.name, _unknown
)


def register(measure: Measure) -> Measure:
    """Add a measure by hand (a name may be used once); an extension uses an entry point."""
    return MEASURES.register(measure)


def get_measure(name: str) -> Measure:
    return MEASURES.get(name)


def all_measures() -> list[Measure]:
    """Every measure, in order of name."""
    return MEASURES.all()
