"""The registry of measures. Built-ins are registered exactly as a deployment adds its own."""

from __future__ import annotations

from vrhub.errors import VrhubError
from vrhub.measures.spec import Measure

_MEASURES: dict[str, Measure] = {}


class UnknownMeasureError(VrhubError):
    """A measure name is not registered."""


def register(measure: Measure) -> Measure:
    """Add a measure; a name may be registered once."""
    if measure.name in _MEASURES:
        raise ValueError(f"a measure called {measure.name} is already registered")
    _MEASURES[measure.name] = measure
    return measure


def get_measure(name: str) -> Measure:
    _load_builtins()
    try:
        return _MEASURES[name]
    except KeyError:
        known = ", ".join(sorted(_MEASURES))
        raise UnknownMeasureError(f"no measure is called '{name}' (known: {known})") from None


def all_measures() -> list[Measure]:
    _load_builtins()
    return [_MEASURES[k] for k in sorted(_MEASURES)]


def _load_builtins() -> None:
    from vrhub.measures import builtin  # noqa: F401  (registers on import)
