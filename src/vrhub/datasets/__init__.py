"""The registry of dataset standards.

Built-in standards are registered with :func:`register` exactly as a deployment registers its
own, so nothing distinguishes a built-in from an extension.
"""

from __future__ import annotations

from vrhub.datasets import ed_assault, hospital_admission, police_crime, police_uk_street
from vrhub.datasets.spec import Dataset
from vrhub.errors import UnknownDatasetError

_REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Add a dataset standard to the registry (names are unique)."""
    if dataset.name in _REGISTRY and _REGISTRY[dataset.name] is not dataset:
        raise ValueError(f"a dataset named {dataset.name} is already registered")
    _REGISTRY[dataset.name] = dataset
    return dataset


def get_dataset(name: str) -> Dataset:
    """A registered dataset standard by name, or a clear error listing the names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownDatasetError(
            f"unknown dataset '{name}': use one of {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_datasets() -> list[Dataset]:
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


for _module in (police_uk_street, police_crime, ed_assault, hospital_admission):
    register(_module.DATASET)
