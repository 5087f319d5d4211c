"""Control charts that fit the data (issue 16): rare events get a t chart or no chart, a
seasonal series is charted against its season, short series are warned about, and a signal
is dated by its run."""

from __future__ import annotations

import datetime as dt
import doctest

from vrhub.measures import spc
from vrhub.measures.spc import (
    NO_CHART,
    SEASONAL,
    T_CHART,
    XMR,
    Signal,
    control,
    seasonal_index,
    t_chart,
    xmr,
)
from vrhub.months import month_range

MONTHS = month_range("2023-01", "2025-12")


def test_docstring_examples_run() -> None:
    assert doctest.testmod(spc).failed == 0


def test_a_rare_series_with_monthly_counts_only_gets_no_chart() -> None:
    # Two homicides in two years: an XmR chart calls both months special-cause concern.
    counts = [0.0] * 24
    counts[5] = counts[17] = 1
    months = MONTHS[:24]
    old = xmr(months, counts)
    assert {s.months for s in old.signals if s.rule == "outside limits"} == {
        ("2023-06",),
        ("2024-06",),
    }
    found = control(months, counts)
    assert found.method == NO_CHART and found.chart is None and found.signals == []
    assert found.notes == [
        "fewer than two events a month on average (0.1): too few events a month for a control "
        "chart, and the dates of events are not held; shown as counts"
    ]
    assert found.summary.startswith("no control chart: fewer than two events a month")
    assert found.limits("2023-06") is None and found.mean is None


def test_a_rare_series_with_event_dates_gets_a_t_chart_checked_by_hand() -> None:
    months = MONTHS[:12]
    counts = [1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0]
    dates = ["2023-01-10", "2023-03-02", "2023-06-20", "2023-08-05", "2023-11-30"]
    found = control(months, counts, dates)
    assert found.method == T_CHART
    # Days between events, counted on a calendar: 51, 110, 46, 117.
    assert found.values == [51.0, 110.0, 46.0, 117.0]
    assert found.months == dates[1:]
    ys = [g ** (1 / 3.6) for g in (51, 110, 46, 117)]
    assert found.chart is not None
    assert abs(found.chart.mean - sum(ys) / 4) < 1e-12
    mr = (abs(ys[1] - ys[0]) + abs(ys[2] - ys[1]) + abs(ys[3] - ys[2])) / 3
    assert abs(found.chart.upper - (sum(ys) / 4 + 2.66 * mr)) < 1e-12
    # Limits go back into days.
    assert found.upper is not None and abs(found.upper - found.chart.upper**3.6) < 1e-9
    assert found.signals == []
    assert "fewer than 15 gaps between events: limits are unreliable" in found.notes
    assert found.limits("2023-01") is None  # a t chart's limits are days, not counts


def test_a_t_chart_sees_events_coming_closer_together_as_a_concern() -> None:
    # An event every 60 days, then eight a few days apart.
    day = dt.date(2020, 1, 1)
    out = [day]
    for _ in range(15):
        day += dt.timedelta(days=60 + (len(out) % 3))
        out.append(day)
    for _ in range(8):
        day += dt.timedelta(days=3)
        out.append(day)
    dates = [d.isoformat() for d in out]
    found = t_chart(dates)
    assert found is not None and found.method == T_CHART
    kinds = {(s.rule, s.kind) for s in found.signals}
    assert ("shift", "concern") in kinds
    assert all(s.kind == "concern" for s in found.signals if s.months[-1] == dates[-1])
    assert any("closer together than usual" in s.explanation for s in found.signals)


def test_a_gap_across_a_month_not_held_is_left_out_of_a_t_chart() -> None:
    dates = ["2023-01-05", "2023-01-25", "2023-02-10", "2023-04-10", "2023-04-20", "2023-05-01"]
    held = ["2023-01", "2023-02", "2023-04", "2023-05"]  # no file for 2023-03
    found = t_chart(dates, held)
    assert found is not None
    # 2023-02-10 to 2023-04-10 spans March, whose data is missing: not a 59-day gap.
    assert found.values == [20.0, 16.0, 10.0, 11.0]
    assert t_chart(dates[:3]) is None  # two gaps: too few to chart


def test_same_day_events_are_half_a_day_apart() -> None:
    found = t_chart(["2023-01-01", "2023-01-01", "2023-01-03", "2023-01-04"])
    assert found is not None and found.values == [0.5, 2.0, 1.0]


def _seasonal(step_from: int | None = None) -> list[float]:
    wiggle = [0, 2, -1, 1, -2, 0, 1, -1, 2, 0, -1, 1]
    out = []
    for i, m in enumerate(MONTHS):
        base = 20.0 + wiggle[(i * 5 + i // 12) % 12]
        if m.endswith("-02"):
            base = 60.0 + wiggle[i % 12]
        if step_from is not None and i >= step_from:
            base *= 1.6
        out.append(base)
    return out


def test_a_seasonal_series_gives_no_false_february_signals() -> None:
    values = _seasonal()
    plain = xmr(MONTHS, values)
    februaries = {s.months[0] for s in plain.signals if s.rule == "outside limits"}
    assert februaries == {"2023-02", "2024-02", "2025-02"}  # one XmR flags every February
    found = control(MONTHS, values)
    assert found.method == SEASONAL
    assert found.signals == []
    assert found.notes[0].startswith("the series is seasonal (F test")
    assert found.index["02"] > 2.5 and all(found.index[c] < 1 for c in found.index if c != "02")
    assert abs(sum(found.index.values()) / 12 - 1) < 1e-12
    limits = found.limits("2024-02")
    assert limits is not None and limits[2] > 60  # February's own upper limit is high
    jan = found.limits("2024-01")
    assert jan is not None and jan[2] < 40


def test_seasonal_index_by_hand() -> None:
    # Two whole years: every month 10 except February 40 (year mean 12.5): ratios 0.8 and 3.2.
    months = MONTHS[:24]
    values = {m: 40.0 if m.endswith("-02") else 10.0 for m in months}
    values["2024-07"] = 11.0  # a little noise, so the months are not all tied
    index, why = seasonal_index(values)
    assert why.startswith("the series is seasonal")
    assert abs(index["02"] / index["01"] - 4.0) < 1e-12
    assert abs(sum(index.values()) - 12) < 1e-9


def test_a_real_rise_in_a_seasonal_series_is_still_seen() -> None:
    found = control(MONTHS, _seasonal(step_from=27))
    assert found.method == SEASONAL
    assert any(s.kind == "concern" for s in found.signals)
    assert all(s.months[-1] >= "2025-04" for s in found.signals if s.kind == "concern")


def test_under_two_whole_years_the_season_cannot_be_allowed_for() -> None:
    found = control(MONTHS[:18], _seasonal()[:18])
    assert found.method == XMR
    assert "fewer than two whole years of months" in found.notes[0]


def test_fewer_than_15_points_warns_that_limits_are_unreliable() -> None:
    short = control(MONTHS[:14], [10.0, 12, 11, 9, 10, 13, 12, 10, 11, 9, 10, 12, 11, 10])
    assert "fewer than 15 months: limits are unreliable" in short.notes
    assert "limits are unreliable" not in " ".join(control(MONTHS[:15], [10.0] * 15).notes)


def test_a_signal_is_dated_by_its_run() -> None:
    s = Signal("shift", "concern", tuple(month_range("2024-03", "2024-11")), "")
    assert s.span == "2024-03 to 2024-11"
    year = ("2024-10", "2025-09")
    assert round(s.share_within(year), 3) == round(2 / 9, 3)
    assert not s.mostly_within(year)  # most of the run lies before the year ending 2025-09
    assert s.mostly_within(("2024-01", "2024-12"))
    assert Signal("outside limits", "concern", ("2025-01",), "").span == "2025-01"
