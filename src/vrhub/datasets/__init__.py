"""The registry of dataset standards.

Standards come from the ``vrhub.datasets`` entry-point group: vrhub's own (police.uk street
crime, police-recorded crime, ED assaults, hospital admissions) are declared in its
``pyproject.toml`` exactly as an extension declares its own, so nothing distinguishes a
built-in from an extension. Each entry point names a :class:`~vrhub.datasets.spec.Dataset`.
"""

from __future__ import annotations

from collections.abc import Sequence

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnknownDatasetError
from vrhub.registry import Registry


def _unknown(name: str, known: Sequence[str]) -> UnknownDatasetError:
    return UnknownDatasetError(f"unknown dataset '{name}': use one of {', '.join(known)}")


DATASETS: Registry[Dataset] = Registry(
    "vrhub.datasets", "dataset standard", Dataset, lambda d: d.name, _unknown
)


def register(dataset: Dataset) -> Dataset:
    """Add a dataset standard by hand (names are unique); an extension uses an entry point."""
    return DATASETS.register(dataset)


def get_dataset(name: str) -> Dataset:
    """A registered dataset standard by name, or a clear error listing the names."""
    return DATASETS.get(name)


def all_datasets() -> list[Dataset]:
    """Every dataset standard, in order of name."""
    return DATASETS.all()
