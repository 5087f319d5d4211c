"""The registry of report sections.

A section is a function from the report's data to a :class:`~vrhub.reports.content.Section`,
turned into a :class:`SectionSpec` by :func:`section`; ``order`` places it in the report (key
findings always come first, gathered from the others). Sections come from the
``vrhub.report_sections`` entry-point group: vrhub's own (:mod:`vrhub.reports.sections`) are
declared in its ``pyproject.toml`` exactly as an extension declares its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vrhub.outputs.reads import Reads
from vrhub.registry import Registry
from vrhub.reports.content import Section

Build = Callable[[Reads], Section]


@dataclass(frozen=True)
class SectionSpec:
    """A report section: its id, title, place in the report and the function that builds it.

    Calling the spec builds the section, as calling the decorated function would.
    """

    id: str
    title: str
    order: int
    build: Build
    description: str

    def __call__(self, data: Reads) -> Section:
        return self.build(data)


SECTIONS: Registry[SectionSpec] = Registry(
    "vrhub.report_sections", "report section", SectionSpec, lambda s: s.id
)


def register_section(spec: SectionSpec) -> SectionSpec:
    """Add a section by hand (an id may be used once); an extension uses an entry point."""
    return SECTIONS.register(spec)


def section(id: str, title: str, order: int) -> Callable[[Build], SectionSpec]:
    """Make a function a section (its docstring is the section's description).

    The decorated name is the :class:`SectionSpec` an entry point of the
    ``vrhub.report_sections`` group names; decorating registers nothing by itself.
    """

    def wrap(fn: Build) -> SectionSpec:
        return SectionSpec(id, title, order, fn, (fn.__doc__ or "").strip())

    return wrap


def all_sections() -> list[SectionSpec]:
    """Every section, in the order the report shows them."""
    return sorted(SECTIONS.all(), key=lambda s: (s.order, s.id))
