"""Documentation is complete: generated references match the code, every name is documented."""

from __future__ import annotations

from pathlib import Path

from vrhub.datasets import all_datasets
from vrhub.docs import (
    datasets_markdown,
    measures_markdown,
    report_sections_markdown,
    settings_markdown,
)
from vrhub.measures.registry import all_measures
from vrhub.reports.registry import all_sections
from vrhub.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_generated_references_are_current() -> None:
    assert (ROOT / "docs/reference/datasets.md").read_text(encoding="utf-8") == (
        datasets_markdown()
    ), "run: .venv/bin/python -m vrhub.docs"
    assert (ROOT / "docs/reference/settings.md").read_text(encoding="utf-8") == (
        settings_markdown()
    ), "run: .venv/bin/python -m vrhub.docs"
    assert (ROOT / "docs/reference/measures.md").read_text(encoding="utf-8") == (
        measures_markdown()
    ), "run: .venv/bin/python -m vrhub.docs"


def test_every_report_section_is_documented() -> None:
    text = (ROOT / "docs/reference/report-sections.md").read_text(encoding="utf-8")
    assert text == report_sections_markdown(), "run: .venv/bin/python -m vrhub.docs"
    for spec in all_sections():
        assert f"## `{spec.id}`" in text and len(spec.description) > 40, spec.id


def test_every_measure_is_documented() -> None:
    text = (ROOT / "docs/reference/measures.md").read_text(encoding="utf-8")
    for m in all_measures():
        assert f"## `{m.name}` (version {m.version})" in text
        assert m.description and m.numerator and m.denominator and m.caveats


def test_every_setting_and_dataset_is_documented() -> None:
    for name, info in Settings.model_fields.items():
        assert info.description, f"setting {name} has no help text"
    text = (ROOT / "docs/reference/datasets.md").read_text(encoding="utf-8")
    for d in all_datasets():
        assert f"## `{d.name}`" in text
        for f in d.fields:
            assert f.description, f"{d.name}.{f.name} has no description"
            assert f"`{f.header}`" in text


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("make demo") < readme.index("make test") < readme.index("vrhub ingest")
    for page in ("tutorial", "how-to", "concepts", "reference"):
        assert (ROOT / "docs" / page).is_dir()
    assert (ROOT / "docs/glossary.md").is_file()


def test_child_first_language_in_docs() -> None:
    forbidden = ("young offender", "juvenile offender", "child offender")
    for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        lowered = page.read_text(encoding="utf-8").lower()
        for term in forbidden:
            assert term not in lowered, f"{page.name} uses '{term}'"
