"""Statistical process control that fits the series: which chart, and its signals.

**Which chart.** :func:`control` looks at the monthly series and picks (NHS England, *Making
Data Count*, 2019; Provost and Murray, *The Health Care Data Guide*, 2011, chapters 7 and 8):

- **rare events** (a mean below :data:`RARE_MEAN` a month, such as homicide): an XmR chart
  would call every month with one event special-cause. Where each event's date is held, a
  **t chart** is drawn: the days between one event and the next, transformed by
  t^(1/3.6) so they are close to symmetric, then charted as an XmR and its limits turned back
  into days (a longer gap is an improvement). Where only monthly counts are held (police.uk
  gives the month alone), no control chart is drawn and the series is shown as counts;
- **seasonal** (at least two whole years, and a one-way analysis of variance of the calendar
  months' effect on each month's ratio to its year's mean, p < 0.05; a rank test such as
  Kruskal-Wallis misses one month high every year with only two or three years): each month
  is divided by its seasonal index (that calendar month's mean ratio to its year's mean) and
  the seasonally adjusted values are charted as an XmR; the limits of each month are the
  adjusted limits times its index, so a February that is high every year is not a signal;
- otherwise an **XmR chart** of the counts.

A chart of fewer than :data:`MIN_POINTS` points carries the warning "limits are unreliable".
The method is named in the result (:attr:`Control.method`) and in every output.

**XmR.** The centre line is the mean, the moving range the absolute change from one point to
the next, and the process limits the mean plus and minus 2.66 times the mean moving range
(3 sigma). Special-cause signals:

- **outside limits**: a point above the upper or below the lower process limit;
- **shift**: a run of 7 or more consecutive points above, or below, the mean;
- **trend**: 7 or more consecutive points each higher (or each lower) than the one before;
- **two of three**: two out of three consecutive points beyond two sigma on the same side.

For violence, higher is worse: a signal above the mean, or rising, is a *concern*; below or
falling is an *improvement*. A signal is dated by its run (its first and last month), never
by the month it ends alone.

Example (runnable)::

    >>> series = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 40]
    >>> chart = xmr([f"2025-{m:02d}" for m in range(1, 13)], series)
    >>> round(chart.mean, 2), round(chart.mean_moving_range, 3), round(chart.upper, 2)
    (12.75, 3.818, 22.91)
    >>> [(s.rule, s.months[-1], s.kind) for s in chart.signals]
    [('outside limits', '2025-12', 'concern'), ('shift', '2025-11', 'improvement')]

(The one extreme month lifts the mean above all eleven others: a shift below it.)

A rare series with its events' dates gets a t chart; without them, no chart::

    >>> months = [f"2025-{m:02d}" for m in range(1, 13)]
    >>> counts = [1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0]
    >>> dates = ["2025-01-10", "2025-03-02", "2025-06-20", "2025-08-05", "2025-11-30"]
    >>> rare = control(months, counts, dates)
    >>> rare.method, rare.values
    ('t chart', [51.0, 110.0, 46.0, 117.0])
    >>> print(rare.notes[0])  # doctest: +NORMALIZE_WHITESPACE
    fewer than two events a month on average (0.4), so the days between events are charted
    (a t chart) instead of the monthly counts
    >>> control(months, counts).method
    'no control chart'
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from vrhub.months import month_add

RUN = 7
SIGMA_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
#: Below this mean a month, a series is rare: no XmR chart of its counts.
RARE_MEAN = 2.0
#: Below this many points, the limits are unreliable (and a warning says so).
MIN_POINTS = 15
#: The t chart's transformation of days between events (Provost and Murray, 2011).
T_POWER = 1 / 3.6
#: A seasonality test at this level, with at least this many whole years, allows for season.
SEASONAL_P = 0.05
SEASONAL_YEARS = 2

XMR = "XmR chart"
SEASONAL = "XmR chart of seasonally adjusted counts"
T_CHART = "t chart"
NO_CHART = "no control chart"


@dataclass(frozen=True)
class Signal:
    rule: str
    kind: str  # concern | improvement
    months: tuple[str, ...]
    explanation: str

    @property
    def span(self) -> str:
        """The signal's run, first to last point: how a signal is dated."""
        a, b = self.months[0], self.months[-1]
        return a if a == b else f"{a} to {b}"

    def share_within(self, period: tuple[str, str]) -> float:
        """The share of the run's points that lie in ``period`` (months or dates)."""
        inside = [m for m in self.months if period[0] <= m[:7] <= period[1]]
        return len(inside) / len(self.months)

    def mostly_within(self, period: tuple[str, str]) -> bool:
        """Whether most of the run lies in ``period``: only then is it a signal "in" it."""
        return self.share_within(period) > 0.5


@dataclass
class XmRChart:
    """An XmR chart of a monthly series with its special-cause signals."""

    months: list[str]
    values: list[float]
    mean: float
    mean_moving_range: float
    lower: float
    upper: float
    signals: list[Signal] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if not self.signals:
            return "common-cause variation only: no month stands out from the usual range"
        concerns = [s for s in self.signals if s.kind == "concern"]
        kinds = "concern" if concerns else "improvement"
        return f"special-cause {kinds}: " + "; ".join(s.explanation for s in self.signals)


def xmr(months: Sequence[str], values: Sequence[float], higher_is_worse: bool = True) -> XmRChart:
    """An XmR chart and its signals; needs at least two points."""
    if len(values) != len(months) or len(values) < 2:
        raise ValueError("an XmR chart needs at least two months, one value each")
    xs = [float(v) for v in values]
    mean = sum(xs) / len(xs)
    ranges = [abs(b - a) for a, b in itertools.pairwise(xs)]
    mr = sum(ranges) / len(ranges)
    lower, upper = mean - SIGMA_FACTOR * mr, mean + SIGMA_FACTOR * mr
    chart = XmRChart(list(months), xs, mean, mr, max(lower, 0.0), upper)

    def kind(up: bool) -> str:
        return "concern" if up == higher_is_worse else "improvement"

    for m, x in zip(months, xs, strict=True):
        if x > upper or x < lower:
            chart.signals.append(
                Signal(
                    "outside limits",
                    kind(x > upper),
                    (m,),
                    f"{m} ({x:g}) is {'above the upper' if x > upper else 'below the lower'} "
                    f"process limit ({upper if x > upper else lower:.1f})",
                )
            )
    for side, up in (("above", True), ("below", False)):
        run: list[int] = []
        for i, x in enumerate([*xs, mean]):  # the sentinel closes a final run
            on_side = x > mean if up else x < mean
            if on_side and i < len(xs):
                run.append(i)
                continue
            if len(run) >= RUN:
                span = (months[run[0]], months[run[-1]])
                chart.signals.append(
                    Signal(
                        "shift",
                        kind(up),
                        tuple(months[j] for j in run),
                        f"{len(run)} months in a row {side} the mean ({span[0]} to {span[1]})",
                    )
                )
            run = []
    for direction, up in (("rising", True), ("falling", False)):
        run = [0]
        for i in range(1, len(xs) + 1):
            if i < len(xs) and ((xs[i] > xs[i - 1]) if up else (xs[i] < xs[i - 1])):
                run.append(i)
                continue
            if len(run) >= RUN:
                chart.signals.append(
                    Signal(
                        "trend",
                        kind(up),
                        tuple(months[j] for j in run),
                        f"{len(run)} months each {direction} ({months[run[0]]} to "
                        f"{months[run[-1]]})",
                    )
                )
            run = [i]
    two_sigma = 2 * mr / 1.128
    for i in range(len(xs) - 2):
        window = xs[i : i + 3]
        for up in (True, False):
            beyond = [x > mean + two_sigma if up else x < mean - two_sigma for x in window]
            if sum(beyond) >= 2 and beyond[2]:
                chart.signals.append(
                    Signal(
                        "two of three",
                        kind(up),
                        tuple(months[i : i + 3]),
                        f"two of three months to {months[i + 2]} beyond two sigma "
                        f"{'above' if up else 'below'} the mean",
                    )
                )
    chart.signals = [
        s
        for s in chart.signals
        if not (
            s.rule == "two of three"
            and any(
                o.rule == "outside limits" and set(o.months) <= set(s.months) for o in chart.signals
            )
        )
    ]
    return chart


@dataclass
class Control:
    """Statistical process control of a monthly series, by the method that fits it.

    ``method`` is :data:`XMR`, :data:`SEASONAL`, :data:`T_CHART` or :data:`NO_CHART`;
    ``months`` and ``values`` are the points charted (for a t chart, the date of each event
    after the first and the days since the one before); ``counts`` is the monthly series as
    given; ``chart`` is the XmR computed (on adjusted or transformed values where the method
    says so); ``notes`` say why this method and what to be careful of."""

    method: str
    months: list[str]
    values: list[float]
    counts: dict[str, float]
    chart: XmRChart | None
    notes: list[str] = field(default_factory=list)
    #: The seasonal index of each calendar month ("01" to "12"), for a seasonal chart.
    index: dict[str, float] = field(default_factory=dict)

    @property
    def signals(self) -> list[Signal]:
        return self.chart.signals if self.chart else []

    @property
    def mean(self) -> float | None:
        """The centre line in the units charted (per month, or days between events)."""
        if self.chart is None:
            return None
        return _back(self.chart.mean) if self.method == T_CHART else self.chart.mean

    @property
    def lower(self) -> float | None:
        if self.chart is None:
            return None
        return _back(self.chart.lower) if self.method == T_CHART else self.chart.lower

    @property
    def upper(self) -> float | None:
        if self.chart is None:
            return None
        return _back(self.chart.upper) if self.method == T_CHART else self.chart.upper

    def limits(self, month: str) -> tuple[float, float, float] | None:
        """Centre, lower and upper limit for a month's count (None unless the counts are
        charted: a t chart's limits are in days)."""
        if self.chart is None or self.method == T_CHART:
            return None
        k = self.index.get(month[5:7], 1.0)
        return self.chart.mean * k, self.chart.lower * k, self.chart.upper * k

    @property
    def summary(self) -> str:
        """The method and its verdict in one line."""
        if self.chart is None:
            return f"{self.method}: " + "; ".join(self.notes)
        return f"{self.method}: {self.chart.summary}"


def control(
    months: Sequence[str],
    values: Sequence[float],
    event_dates: Sequence[str] | None = None,
    higher_is_worse: bool = True,
) -> Control:
    """The control chart that fits the monthly series (see the module's notes).

    ``months`` are the months held (a month with no data held is left out, never a 0);
    ``event_dates`` (YYYY-MM-DD, one per event) are given where each event's date is held."""
    if len(values) != len(months) or len(values) < 2:
        raise ValueError("a control chart needs at least two months, one value each")
    counts = {m: float(v) for m, v in zip(months, values, strict=True)}
    average = sum(counts.values()) / len(counts)
    if average < RARE_MEAN:
        return _rare(counts, average, event_dates, higher_is_worse)
    notes: list[str] = []
    index, why = seasonal_index(counts)
    if index:
        adjusted = [counts[m] / index[m[5:7]] for m in months]
        chart = xmr(months, adjusted, higher_is_worse)
        chart.signals = [
            replace(s, explanation=f"{s.explanation} (seasonally adjusted)") for s in chart.signals
        ]
        notes.append(why)
        result = Control(SEASONAL, list(months), adjusted, counts, chart, notes, index)
    else:
        if why:
            notes.append(why)
        result = Control(
            XMR,
            list(months),
            list(counts.values()),
            counts,
            xmr(months, values, higher_is_worse),
            notes,
        )
    if len(months) < MIN_POINTS:
        result.notes.append(f"fewer than {MIN_POINTS} months: limits are unreliable")
    return result


def seasonal_index(counts: dict[str, float]) -> tuple[dict[str, float], str]:
    """Each calendar month's seasonal index, when the series is seasonal; else an empty index
    and why not (empty when there is nothing to say).

    The series is cut into years of twelve months from its first month; in each whole year
    (all twelve held, with a mean above 0), each month's ratio to the year's mean is taken.
    With at least :data:`SEASONAL_YEARS` whole years, a one-way analysis of variance (F test)
    asks whether the ratios differ by calendar month; if so (p < :data:`SEASONAL_P`), a
    month's index is its mean ratio (scaled to average 1)."""
    from scipy.stats import f_oneway  # imported here: scipy is slow to load

    months = sorted(counts)
    first = months[0]
    years: dict[int, list[str]] = {}
    for m in months:
        years.setdefault(_months_between(first, m) // 12, []).append(m)
    whole = [ms for ms in years.values() if len(ms) == 12 and sum(counts[m] for m in ms) > 0]
    if len(whole) < SEASONAL_YEARS:
        return {}, (
            f"fewer than {_words(SEASONAL_YEARS)} whole years of months, so a seasonal "
            "pattern cannot be told apart from a signal"
        )
    ratios: dict[str, list[float]] = {}
    for ms in whole:
        mean = sum(counts[m] for m in ms) / 12
        for m in ms:
            ratios.setdefault(m[5:7], []).append(counts[m] / mean)
    groups = [ratios[c] for c in sorted(ratios)]
    flat = [x for g in groups for x in g]
    if max(flat) == min(flat):
        return {}, ""
    within = sum((x - sum(g) / len(g)) ** 2 for g in groups for x in g)
    # Every year exactly alike (no spread within a calendar month): the season is certain.
    p = 0.0 if within == 0 else float(f_oneway(*groups).pvalue)
    if p >= SEASONAL_P or any(sum(g) == 0 for g in groups):
        return {}, ""
    raw = {c: sum(g) / len(g) for c, g in ratios.items()}
    scale = sum(raw.values()) / 12
    index = {c: r / scale for c, r in raw.items()}
    return index, (
        f"the series is seasonal (F test of calendar months over {_words(len(whole))} whole years, "
        f"p {'< 0.001' if p < 0.001 else f'= {p:.3f}'}), so each month is charted against its "
        "own season"
    )


def t_chart(event_dates: Sequence[str], held: Sequence[str] | None = None) -> Control | None:
    """A t chart of the days between events, or None when there are fewer than three gaps.

    Events on the same day are a gap of half a day (the transformation needs a time above 0).
    A gap across a month with no data held is left out: it would be a false improvement."""
    dates = sorted(dt.date.fromisoformat(d) for d in event_dates)
    kept = set(held) if held is not None else None
    labels, gaps = [], []
    for a, b in itertools.pairwise(dates):
        span = {
            month_add(a.isoformat()[:7], k)
            for k in range(_months_between(str(a)[:7], str(b)[:7]) + 1)
        }
        if kept is not None and not span <= kept:
            continue
        labels.append(b.isoformat())
        gaps.append(max(float((b - a).days), 0.5))
    if len(gaps) < 3:
        return None
    # A longer time between events is better: higher is not worse.
    chart = xmr(labels, [g**T_POWER for g in gaps], higher_is_worse=False)
    chart.signals = [_in_days(s) for s in chart.signals]
    return Control(T_CHART, labels, gaps, {}, chart)


def _rare(
    counts: dict[str, float],
    average: float,
    event_dates: Sequence[str] | None,
    higher_is_worse: bool,
) -> Control:
    why = f"fewer than {_words(int(RARE_MEAN))} events a month on average ({average:.1f})"
    if event_dates is not None and higher_is_worse:
        result = t_chart(event_dates, list(counts))
        if result is not None:
            result.counts = counts
            result.notes.append(
                f"{why}, so the days between events are charted (a t chart) instead of the "
                "monthly counts"
            )
            result.notes.append("the centre line and limits are in days between events")
            if len(result.values) < MIN_POINTS:
                result.notes.append(
                    f"fewer than {MIN_POINTS} gaps between events: limits are unreliable"
                )
            return result
        reason = f"{why} and too few events for a t chart; shown as counts"
    elif event_dates is None:
        reason = (
            f"{why}: too few events a month for a control chart, and the dates of events are "
            "not held; shown as counts"
        )
    else:
        reason = f"{why}: too few events a month for a control chart; shown as counts"
    return Control(NO_CHART, list(counts), list(counts.values()), counts, None, [reason])


def _in_days(s: Signal) -> Signal:
    """A t chart's signal in words: a short gap between events is the concern."""
    words = {
        "outside limits": "a time between events outside the usual range",
        "shift": "a run of times between events on one side of the mean",
        "trend": "a run of times between events each shorter (or each longer) than the last",
        "two of three": "two of three times between events near a limit",
    }[s.rule]
    side = "closer together" if s.kind == "concern" else "further apart"
    return Signal(s.rule, s.kind, s.months, f"{words}: events {side} than usual (events {s.span})")


def _words(n: int) -> str:
    """A small number in words (published text keeps digits for counts)."""
    names = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return names[n] if 0 <= n < len(names) else str(n)


def _back(y: float) -> float:
    return float(max(y, 0.0) ** (1 / T_POWER))


def _months_between(a: str, b: str) -> int:
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7])
