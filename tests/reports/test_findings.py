"""Key findings that are honest (issue 16): about the report's own year, never a percentage
of a tiny count, and the serious-violence headline says how much is domestic abuse and
violence against women and girls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import police_crime_row, rare_homicide_rows
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.measures.change import compare_counts
from vrhub.measures.spc import T_CHART, control, t_chart
from vrhub.months import month_range
from vrhub.outputs.period import parse_period
from vrhub.outputs.protect import protect_each
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports.sections.common import Change, signal_finding, spc_words, trend
from vrhub.reports.sections.timing import timing
from vrhub.reports.sections.violence import serious_violence

PC = get_dataset("police-crime")
#: Three years, October 2022 to September 2025: the report is for the year ending 2025-09.
MONTHS = month_range("2022-10", "2025-09")
ROBBERY = {"ho_offence_code": "034/02", "ho_offence_group": "Robbery", "victim_sex": "M"}


def _rows(spike_years: set[int]) -> list[dict[str, str]]:
    """One personal robbery a month, except around bonfire night (29 October to 12 November:
    one a day, and six on 5 November in a spike year); in March 2025, 3 domestic abuse records
    (male victims), 4 violence against women and girls and 2 that are both."""
    days: list[str] = []
    for m in MONTHS:
        if m[5:] not in ("10", "11"):
            days.append(f"{m}-15")
    for year in (2022, 2023, 2024):
        for k in range(-7, 8):
            day = dt.date(year, 11, 5) + dt.timedelta(days=k)
            days.extend([day.isoformat()] * (6 if k == 0 and year in spike_years else 1))
    rows = [
        police_crime_row(i, occurred_from=f"{d} 21:00", recorded_date=f"{d} 23:00", **ROBBERY)
        for i, d in enumerate(days)
    ]
    extra = [("Y", "M")] * 3 + [("N", "F")] * 4 + [("Y", "F")] * 2
    for j, (da, sex) in enumerate(extra):
        rows.append(
            police_crime_row(
                50_000 + j,
                occurred_from="2025-03-10 21:00",
                recorded_date="2025-03-10 23:00",
                domestic_abuse=da,
                victim_sex=sex,
            )
        )
    return rows


def _reads(home: Home, write: Callable[..., Path], spike_years: set[int]) -> Iterator[Reads]:
    [r] = pipeline.ingest_paths(home, PC, [write("pc.csv", _rows(spike_years))], source="wyp")
    assert r.status == "loaded"
    with open_hub(home) as hub:
        yield Reads(
            hub.home, hub.con, hub.gov, "analyst", parse_period("year ending 2025-09"), None,
            Lineage(),
        )  # fmt: skip


@pytest.mark.parametrize(("spikes", "cited"), [({2022}, None), ({2022, 2024}, 2024)])
def test_the_bonfire_finding_is_about_the_report_year_not_the_most_striking(
    wy_home: Home,
    write_police_crime: Callable[..., Path],
    spikes: set[int],
    cited: int | None,
) -> None:
    for data in _reads(wy_home, write_police_crime, spikes):
        section = timing.build(data)
    bonfire = [f.text for f in section.findings if "Bonfire night" in f.text]
    if cited is None:
        # 2022 stood out (6 against 1 a day) but 2024, the report's year, did not.
        assert bonfire == []
    else:
        assert bonfire == [
            "Bonfire night stands out in West Yorkshire: serious violence on 5 November 2024 "
            "was 6.0 times the average day around it."
        ]
    # The table still shows every year held.
    [table] = [b for b in section.blocks if getattr(b, "caption", "").startswith("Serious viol")]
    assert [row[0] for row in table.rows] == ["2022", "2023", "2024"]
    assert table.rows[0][1] == "6"


def test_the_headline_says_how_much_is_domestic_abuse_and_vawg(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    for data in _reads(wy_home, write_police_crime, set()):
        section = serious_violence.build(data)
    # The year ending 2025-09: 10 months with one robbery, 15 days around bonfire night and
    # the 9 March records: 34. Domestic abuse 3 + 2 = 5 (14.7%); VAWG 4 + 2 = 6 (17.6%).
    [headline] = [f.text for f in section.findings if f.text.startswith("In West Yorkshire")]
    assert "(34 in the year ending September 2025)" in headline
    assert headline.endswith(
        "Of these, 5 (14.7%) were flagged as domestic abuse and 6 (17.6%) were violence "
        "against women and girls (a record can be both)."
    )
    # The year before: 25 records, both counts 20 or more, so a percentage is given.
    assert "+36.0%" in headline


def test_tiny_counts_get_no_percentage() -> None:
    small = compare_counts(7, 4, 1, 1)
    assert small.tiny and small.percent_change is not None
    said = small.verdict("homicide", "the previous 12 months")
    assert "%" not in said
    assert said == (
        "no significant change in homicide compared with the previous 12 months (4 in the "
        "previous 12 months and 7 now; too few records for a percentage change)"
    )
    rise = compare_counts(19, 2, 1, 1)
    assert rise.significant and rise.tiny
    assert rise.verdict("homicide", "the year before") == (
        "homicide rose from 2 in the year before to 19 (too few records for a percentage change)"
    )
    # 20 or more in either period: the percentage and its interval are given.
    assert "%" in compare_counts(20, 4, 1, 1).verdict("homicide", "the year before")
    shown = protect_each({"now": 7, "before": 4}, None)
    change = Change(shown["now"], shown["before"], small)
    sentence = change.sentence("Homicide", "Leeds", "year ending September 2025")
    assert "%" not in sentence and "4 in the previous 12 months and 7 now" in sentence
    # A tiny change never outweighs a real one among the key findings.
    big = Change(shown["now"], shown["before"], compare_counts(400, 300, 1, 1))
    assert change.finding("h", "a", "p").weight < big.finding("s", "a", "p").weight


def test_a_signal_is_a_finding_only_for_the_year_most_of_its_run_lies_in() -> None:
    months = month_range("2023-10", "2025-09")
    # Nine high months, 2024-03 to 2024-11: a shift whose run lies mostly before the year
    # ending 2025-09 (two of its nine months are in it).
    values = [30.0 if "2024-03" <= m <= "2024-11" else 10.0 + (i % 3) for i, m in enumerate(months)]
    spc = control(months, values)
    [shift] = [s for s in spc.signals if s.rule == "shift" and s.kind == "concern"]
    assert shift.span == "2024-03 to 2024-11"
    year = parse_period("year ending 2025-09")
    now = signal_finding(spc, "Serious violence", "Leeds", year.current, year.label)
    # The run is not a finding about this year (its last high month, above the limit on its
    # own, may be).
    assert now is not None and "2024-03" not in now.text
    words = spc_words(spc, "", year.current, year.label)
    assert "(March 2024 to November 2024, mostly before the year ending September 2025)" in words
    assert "(March 2024, before the year ending September 2025)" in words  # one month, all before
    # The same run in the year ending 2024-12 is a finding about that year, dated by its run.
    earlier = parse_period("year ending 2024-12")
    found = signal_finding(spc, "Serious violence", "Leeds", earlier.current, earlier.label)
    assert found is not None and found.text.startswith(
        "Serious violence in Leeds shows a special-cause concern in the year ending December "
        "2024 (a change beyond the usual month-to-month variation in the monthly counts, "
        "2024-03 to 2024-11)"
    )


def test_a_concern_run_mostly_before_the_year_is_not_called_a_concern_in_it() -> None:
    # Before this change, the success measures called any concern ending in the year a
    # concern "in the year ending ...": here a shift of 2024-02 to 2024-10 (one month in it).
    months = month_range("2023-10", "2025-09")
    values = [
        14.0 + i % 2 if "2024-02" <= m <= "2024-10" else 10.0 + i % 3 for i, m in enumerate(months)
    ]
    spc = control(months, values)
    [shift] = [s for s in spc.signals if s.rule == "shift" and s.kind == "concern"]
    assert shift.span == "2024-02 to 2024-10" and shift.months[-1] >= "2024-10"
    year = parse_period("year ending 2025-09")
    args = ("Knife crime", "Leeds", year.current, year.label)
    assert signal_finding(spc, *args, "concern") is None
    found = signal_finding(spc, *args)
    assert found is not None and "improvement" in found.text and "2024-11 to 2025-09" in found.text


def test_a_rare_series_in_a_report_gets_a_t_chart_for_analysts_and_no_chart_outside(
    wy_home: Home, write_police_crime: Callable[..., Path]
) -> None:
    months = month_range("2023-10", "2025-09")
    rows = rare_homicide_rows(months)
    [r] = pipeline.ingest_paths(wy_home, PC, [write_police_crime("pc.csv", rows)], source="wyp")
    assert r.status == "loaded"
    period = parse_period("year ending 2025-09")
    with open_hub(wy_home) as hub:
        said = {}
        for audience in ("analyst", "public"):
            data = Reads(hub.home, hub.con, hub.gov, audience, period, None, Lineage())
            _, spc, why = trend(data, "non-domestic-homicide", "police-crime", "t", "t")
            said[audience] = (spc, spc_words(spc, why, period.current, period.label))
    spc, words = said["analyst"]
    assert spc is not None and spc.method == T_CHART
    assert spc.values == [52.0, 110.0, 46.0, 117.0, 76.0]
    assert words.startswith(
        "Statistical process control (t chart): common-cause variation only; no time between "
        "events stands out"
    )
    assert "fewer than two events a month on average (0.2)" in words
    spc, words = said["public"]
    assert spc is None and "too small to show, so no control chart is drawn" in words


def test_a_t_chart_finding_speaks_of_time_between_events() -> None:
    day = dt.date(2025, 1, 1)
    dates = []
    for k in range(24):
        dates.append(day.isoformat())
        day += dt.timedelta(days=(20 + k % 3) if k < 16 else 2)
    spc = t_chart(dates)
    assert spc is not None
    year = parse_period("year ending 2026-09")
    found = signal_finding(spc, "Non-domestic homicide", "Leeds", year.current, year.label)
    assert found is not None and "concern" in found.text
    assert "(a change beyond the usual variation in the time between events, 2025-" in found.text
    assert "monthly counts" not in found.text
