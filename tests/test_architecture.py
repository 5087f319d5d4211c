"""The architecture page and the import contracts describe the same layers, and every package."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import vrhub

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs/concepts/architecture.md"


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = [c for c in contracts if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in layered["layers"]]


def _packages() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(vrhub.__path__)}


def test_every_package_has_a_layer() -> None:
    placed = {name for layer in _layers() for name in layer}
    assert placed == _packages()


def test_the_page_lists_every_layer_in_order() -> None:
    page = PAGE.read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and ". " in line[:6]]
    assert len(rows) == len(_layers())
    for number, (row, layer) in enumerate(zip(rows, _layers(), strict=True), start=1):
        cells = row.split("|")
        assert cells[1].strip().startswith(f"{number}. "), row
        assert sorted(cells[2].replace("`", "").replace(",", " ").split()) == sorted(layer), row


def test_the_page_describes_every_package() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name in _packages():
        assert f"`vrhub.{name}`" in page, name
