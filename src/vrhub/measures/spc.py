"""Statistical process control: XmR charts with the NHS "Making Data Count" rules.

For a monthly series the centre line is the mean, the moving range the absolute change from
one month to the next, and the process limits the mean plus and minus 2.66 times the mean
moving range (3 sigma). A month-on-month wobble inside the limits is common-cause variation:
not a change. Special-cause signals (NHS England, *Making Data Count*, 2019):

- **outside limits**: a point above the upper or below the lower process limit;
- **shift**: a run of 7 or more consecutive points above, or below, the mean;
- **trend**: 7 or more consecutive points each higher (or each lower) than the one before;
- **two of three**: two out of three consecutive points beyond two sigma on the same side.

For violence, higher is worse: a signal above the mean, or rising, is a *concern*; below or
falling is an *improvement*.

Example (runnable)::

    >>> series = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 40]
    >>> chart = xmr([f"2025-{m:02d}" for m in range(1, 13)], series)
    >>> round(chart.mean, 2), round(chart.mean_moving_range, 3), round(chart.upper, 2)
    (12.75, 3.818, 22.91)
    >>> [(s.rule, s.months[-1], s.kind) for s in chart.signals]
    [('outside limits', '2025-12', 'concern'), ('shift', '2025-11', 'improvement')]

(The one extreme month lifts the mean above all eleven others: a shift below it.)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

RUN = 7
SIGMA_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points


@dataclass(frozen=True)
class Signal:
    rule: str
    kind: str  # concern | improvement
    months: tuple[str, ...]
    explanation: str


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
