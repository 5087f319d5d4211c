"""The registry of report sections. Built-ins are registered exactly as a deployment adds its own.

A section is a function from the report's data to a :class:`~vrhub.reports.content.Section`;
``order`` places it in the report (key findings always come first, gathered from the others).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vrhub.reports.content import Section
from vrhub.reports.data import ReportData


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    order: int
    build: Callable[[ReportData], Section]
    description: str


_SECTIONS: dict[str, SectionSpec] = {}


def register_section(spec: SectionSpec) -> SectionSpec:
    if spec.id in _SECTIONS:
        raise ValueError(f"a report section called {spec.id} is already registered")
    _SECTIONS[spec.id] = spec
    return spec


def section(
    id: str, title: str, order: int
) -> Callable[[Callable[[ReportData], Section]], Callable[[ReportData], Section]]:
    """Register a function as a section (its docstring is the section's description)."""

    def wrap(fn: Callable[[ReportData], Section]) -> Callable[[ReportData], Section]:
        register_section(SectionSpec(id, title, order, fn, (fn.__doc__ or "").strip()))
        return fn

    return wrap


def all_sections() -> list[SectionSpec]:
    from vrhub.reports import sections  # noqa: F401  (registers the built-ins on import)

    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.id))
