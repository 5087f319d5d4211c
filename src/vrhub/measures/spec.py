"""How a measure is defined: a named, versioned numerator over events, and its denominator.

A measure is plain data plus one function, :attr:`Measure.select`, that narrows a dataset's
events (an Ibis table) to the numerator's records. Written once in Ibis, it runs on DuckDB
and on any other Ibis backend. The engine (:mod:`vrhub.measures.engine`) adds the period,
filters, grouping, the denominator, the rate and its interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import ibis.expr.types as ir

from vrhub.datasets.spec import Dataset

Select = Callable[[ir.Table, Dataset], ir.Table]


def everything(t: ir.Table, _dataset: Dataset) -> ir.Table:
    """The numerator is every record (narrowed only by the user's filters)."""
    return t


@dataclass(frozen=True)
class Measure:
    """A named, versioned definition of a figure."""

    name: str
    version: str
    title: str
    description: str
    numerator: str
    denominator: str
    per: int
    #: Datasets that can feed it; empty means any dataset.
    datasets: tuple[str, ...] = ()
    #: Fields each dataset must hold for the measure to mean anything.
    needs: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    #: Whether the measure follows the partnership's serious-violence definition.
    uses_definition: bool = False
    method: str = (
        "Crude rate: count / population x rate base; 95% interval by Byar's method for "
        "counts of 10 or more, exact Poisson below (Breslow and Day, 1987; the public-health "
        "profiles' convention)."
    )
    select: Select = field(default=everything, compare=False, repr=False)

    def supports(self, dataset: Dataset) -> bool:
        return not self.datasets or dataset.name in self.datasets

    def missing_fields(self, dataset: Dataset) -> list[str]:
        """The fields the measure needs that the dataset's standard lacks."""
        names = {f.name for f in dataset.fields}
        return [n for n in self.needs if n not in names]

    def fed_by(self, datasets: Iterable[Dataset]) -> list[str]:
        """The names of the datasets the measure can be computed from."""
        return [d.name for d in datasets if self.supports(d) and not self.missing_fields(d)]
