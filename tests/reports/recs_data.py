"""Police records built in code for the recommendation rules and the executive summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from tests.conftest import police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.months import month_range
from vrhub.outputs.period import Period, parse_period
from vrhub.outputs.reads import Lineage, Reads

PC = get_dataset("police-crime")
PERIOD = "year ending 2025-09"
CURRENT = month_range("2024-10", "2025-09")
PREVIOUS = month_range("2023-10", "2024-09")
#: Three Leeds neighbourhoods whose 2011 and 2021 codes are the same.
A, B, C = "E01011264", "E01011265", "E01011266"
LEEDS = "E08000035"
ROBBERY = {"ho_offence_code": "034/02", "ho_offence_group": "Robbery", "victim_sex": "M"}


def rows(spec: list[tuple[list[str], str, int, str, str]]) -> list[dict[str, str]]:
    """Personal robberies: for each (months, LSOA, how many a month, knife Y/N, victim age)."""
    out: list[dict[str, str]] = []
    for months, lsoa, per_month, knife, age in spec:
        for m in months:
            for _ in range(per_month):
                out.append(
                    police_crime_row(
                        len(out),
                        occurred_from=f"{m}-15 21:00",
                        recorded_date=f"{m}-15 23:00",
                        lsoa_code=lsoa,
                        knife_or_sharp_instrument=knife,
                        victim_age=age,
                        **ROBBERY,
                    )
                )
    return out


def load(home: Home, write: Callable[..., Path], data: list[dict[str, str]]) -> None:
    [r] = pipeline.ingest_paths(home, PC, [write("pc.csv", data)], source="wyp")
    assert r.status == "loaded", r.message


def reads(home: Home, audience: str = "analyst", district: str | None = None) -> Iterator[Reads]:
    with open_hub(home) as hub:
        yield Reads(hub.home, hub.con, hub.gov, audience, period(), district, Lineage())


def period() -> Period:
    return parse_period(PERIOD)
