"""The partnership's definition of serious violence: versioned configuration mapped to codes.

The definition (``definitions/*.toml``) lists categories; each is met by rules over stored
fields (Home Office offence codes and groups, knife, firearm and domestic flags, ICD-10
external causes, ED assault methods, victim sex). :func:`condition` turns a category into an
Ibis condition for a dataset, or says plainly that the dataset cannot express it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ibis
import ibis.expr.types as ir

from vrhub.datasets.spec import Dataset
from vrhub.errors import UnsupportedFieldError

DEFINITIONS = Path(__file__).parent / "definitions"
DEFAULT = "serious-violence-wy-1.toml"


@dataclass(frozen=True)
class Category:
    name: str
    title: str
    why_not: str
    rules: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class Definition:
    name: str
    version: str
    source: str
    categories: tuple[Category, ...]

    def category(self, name: str) -> Category:
        for c in self.categories:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.categories)
        raise UnsupportedFieldError(f"no serious-violence category '{name}' (known: {known})")


@cache
def load_definition(file_name: str = DEFAULT) -> Definition:
    data = tomllib.loads((DEFINITIONS / file_name).read_text(encoding="utf-8"))
    categories = tuple(
        Category(
            c["name"],
            c["title"],
            c["why_not"],
            tuple(dict(r) for r in c.get("rule", [])),
        )
        for c in data["category"]
    )
    return Definition(data["name"], data["version"], data["source"], categories)


def supports(category: Category, dataset: Dataset) -> bool:
    return any(r["dataset"] == dataset.name for r in category.rules)


def condition(category: Category, t: ir.Table, dataset: Dataset) -> ir.BooleanValue:
    """The Ibis condition a record of ``dataset`` meets to fall in ``category``."""
    rules = [r for r in category.rules if r["dataset"] == dataset.name]
    if not rules:
        raise UnsupportedFieldError(
            f"{category.title.lower()} cannot be counted from {dataset.name}: it "
            f"{category.why_not}, which the {dataset.name} dataset does not hold"
        )
    any_rule: ir.BooleanValue | None = None
    for rule in rules:
        every: ir.BooleanValue = ibis.literal(True)
        for key, value in rule.items():
            if key == "dataset":
                continue
            if key.endswith("_prefix"):
                col = t[key.removesuffix("_prefix")]
                assert isinstance(value, list)
                starts = [col.startswith(str(v)) for v in value]
                part = starts[0]
                for s in starts[1:]:
                    part = part | s
            elif isinstance(value, bool):
                part = t[key] == value
            else:
                assert isinstance(value, list)
                part = t[key].isin([str(v) for v in value])
            every = every & part.fill_null(False)
        any_rule = every if any_rule is None else any_rule | every
    assert any_rule is not None
    return any_rule


def any_category(definition: Definition, t: ir.Table, dataset: Dataset) -> ir.BooleanValue:
    """Records in any category the dataset can express."""
    parts = [condition(c, t, dataset) for c in definition.categories if supports(c, dataset)]
    if not parts:
        raise UnsupportedFieldError(
            f"serious violence cannot be counted from {dataset.name}: its categories need "
            "offence codes, weapon flags, ICD-10 causes or ED assault methods"
        )
    out = parts[0]
    for p in parts[1:]:
        out = out | p
    return out
