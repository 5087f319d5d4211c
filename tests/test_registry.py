"""The one registry shape: built-ins from vrhub's own entry points, clear errors for the rest."""

from __future__ import annotations

import doctest
import re
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

import vrhub.datasets
from vrhub import registry as registry_module
from vrhub.datasets import DATASETS, get_dataset
from vrhub.datasets.spec import Dataset
from vrhub.errors import (
    DuplicateNameError,
    ExtensionError,
    RegistryError,
    UnknownDatasetError,
    UnknownMeasureError,
    UnknownNameError,
    VrhubError,
)
from vrhub.measures.registry import MEASURES, get_measure
from vrhub.registry import Registry
from vrhub.reports.content import Paragraph, Section
from vrhub.reports.registry import SECTIONS, SectionSpec, section

#: Another standard calling itself police-crime, as a careless extension might.
IMPOSTOR = Dataset("police-crime", "Impostor", "Not the real one.", (), "month", False)
GROUP = "vrhub.datasets"


def test_examples_run() -> None:
    assert doctest.testmod(registry_module).failed == 0


@pytest.mark.parametrize("registry", [DATASETS, MEASURES, SECTIONS], ids=lambda r: r.group)
def test_built_ins_are_vrhub_s_own_entry_points(registry: Registry[object]) -> None:
    own = {
        ep.name for ep in entry_points(group=registry.group) if ep.dist and ep.dist.name == "vrhub"
    }
    assert len(own) >= 4
    assert own <= set(registry.names())


def test_unknown_names_say_what_is_known() -> None:
    known = ", ".join(d.name for d in DATASETS.all())
    with pytest.raises(UnknownDatasetError, match=re.escape(f"'nope': use one of {known}")):
        get_dataset("nope")
    with pytest.raises(UnknownMeasureError, match="no measure is called 'nope' \\(known: crime"):
        get_measure("nope")
    with pytest.raises(UnknownNameError, match="no report section is called 'nope' \\(known: "):
        SECTIONS.get("nope")
    assert issubclass(UnknownMeasureError, VrhubError) and UnknownNameError.http_status == 400


def _fresh(points: list[EntryPoint], monkeypatch: pytest.MonkeyPatch) -> Registry[Dataset]:
    """A dataset registry reading ``points`` instead of the installed entry points."""
    monkeypatch.setattr(registry_module, "entry_points", lambda group: points)
    return Registry(GROUP, "dataset standard", Dataset, lambda d: d.name)


def _point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, GROUP)


def test_one_name_one_item(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _fresh([_point("police-crime", "vrhub.datasets.police_crime:DATASET")], monkeypatch)
    real = reg.get("police-crime")
    assert reg.register(real) is real  # the same item again is harmless
    with pytest.raises(DuplicateNameError, match="two dataset standards are called 'police-crime'"):
        reg.register(IMPOSTOR)
    assert reg.get("police-crime") is real


def test_two_packages_claiming_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = _fresh(
        [
            _point("police-crime", "vrhub.datasets.police_crime:DATASET"),
            _point("police-crime", "tests.test_registry:IMPOSTOR"),
        ],
        monkeypatch,
    )
    with pytest.raises(
        DuplicateNameError, match=re.escape("the second is tests.test_registry:IMPOSTOR")
    ):
        reg.all()


@pytest.mark.parametrize(
    ("point", "words"),
    [
        (_point("gone", "vrhub_no_such_module:DATASET"), "cannot be loaded: ModuleNotFoundError"),
        (_point("text", "tests.test_registry:GROUP"), "is a str, not a Dataset"),
        (
            _point("police", "vrhub.datasets.police_crime:DATASET"),
            "gives a dataset standard called 'police-crime': the two names must be the same",
        ),
    ],
    ids=["broken import", "wrong type", "wrong name"],
)
def test_a_faulty_extension_is_named(
    point: EntryPoint, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = _fresh([point], monkeypatch)
    with pytest.raises(ExtensionError, match=words) as caught:
        reg.names()
    assert point.value in str(caught.value)


def test_an_empty_group_means_vrhub_is_installed_out_of_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(
        RegistryError, match=re.escape("reinstall it with `pip install --no-deps -e .`")
    ):
        _fresh([], monkeypatch).all()


def test_asking_while_loading_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "vrhub_asks_too_soon.py").write_text(
        "from vrhub.datasets import get_dataset\nDATASET = get_dataset('police-crime')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = _fresh([_point("too-soon", "vrhub_asks_too_soon:DATASET")], monkeypatch)
    monkeypatch.setattr(vrhub.datasets, "DATASETS", reg)
    with pytest.raises(ExtensionError, match="asked for while they were being loaded"):
        reg.all()


def test_reload_reads_the_entry_points_again(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [_point("police-crime", "vrhub.datasets.police_crime:DATASET")]
    reg = _fresh(points, monkeypatch)
    assert reg.names() == ["police-crime"]
    points.append(_point("ed-assault", "vrhub.datasets.ed_assault:DATASET"))
    assert reg.names() == ["police-crime"]  # read once
    reg.reload()
    assert reg.names() == ["ed-assault", "police-crime"]


def test_a_section_is_a_spec_that_builds_when_called() -> None:
    @section("example", "An example", 5)
    def example(data: object) -> Section:
        """Says hello: a section with one paragraph, for this test only."""
        s = Section("example", "An example")
        s.add(Paragraph(f"hello {data}"))
        return s

    assert isinstance(example, SectionSpec)
    assert (example.id, example.title, example.order) == ("example", "An example", 5)
    assert example.description.startswith("Says hello")
    assert example("there").blocks == [Paragraph("hello there")]  # type: ignore[arg-type]
    assert "example" not in SECTIONS.names()  # decorating registers nothing
