"""Change over time, SPC signals and deprivation gradients: hand cases, independent checks,
and the demo partnership end to end."""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import pytest
from scipy.stats import binomtest

from vrhub import pipeline
from vrhub.cli import common, main
from vrhub.datasets import get_dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.measures import change, deprivation, spc
from vrhub.measures.change import compare_counts, financial_year, year_ending
from vrhub.measures.deprivation import poisson_gradient
from vrhub.measures.spc import xmr

PC = get_dataset("police-crime")
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]


def test_docstring_examples_run() -> None:
    for module in (change, spc, deprivation):
        assert doctest.testmod(module).failed == 0, module.__name__


@pytest.mark.parametrize(("a", "b"), [(0, 5), (3, 9), (12, 10), (150, 100), (1000, 1100)])
def test_rate_ratio_interval_matches_clopper_pearson(a: int, b: int) -> None:
    c = compare_counts(a, b, 50_000, 50_000)
    ci = binomtest(a, a + b).proportion_ci(confidence_level=0.95, method="exact")
    expected_low = ci.low / (1 - ci.low)
    expected_high = ci.high / (1 - ci.high)
    assert c.lower == pytest.approx(expected_low, rel=1e-9, abs=1e-12)
    assert c.upper == pytest.approx(expected_high, rel=1e-9)
    assert c.rate_ratio == pytest.approx(a / b)


def test_verdicts_never_call_noise_a_change() -> None:
    assert compare_counts(105, 100, 1, 1).verdict("x", "y").startswith("no significant change")
    assert compare_counts(130, 100, 1, 1).verdict("x", "y").startswith("no significant")
    assert compare_counts(160, 100, 1, 1).verdict("x", "y").startswith("x rose by 60.0%")
    assert compare_counts(60, 100, 1, 1).verdict("x", "y").startswith("x fell by 40.0%")
    assert "records against none" in compare_counts(5, 0, 1, 1).verdict("x", "y")
    assert "no records in either period" in compare_counts(0, 0, 1, 1).verdict("x", "y")
    # Populations matter: the same count from a population twice as large is a halving.
    assert compare_counts(100, 100, 2, 1).rate_ratio == pytest.approx(0.5)


def test_periods() -> None:
    assert year_ending("2026-03") == (("2025-04", "2026-03"), ("2024-04", "2025-03"))
    assert financial_year(2024) == ("2024-04", "2025-03")


def test_spc_rules_by_hand() -> None:
    flat = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]
    assert xmr(MONTHS[:12], flat).signals == []
    shift = [10, 11, 9, 10, 11, 9, 10, 14, 15, 14, 15, 14, 15, 14]
    rules = {(s.rule, s.kind) for s in xmr(MONTHS[:14], shift).signals}
    assert ("shift", "concern") in rules
    trend = [20, 19, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12]
    kinds = [(s.rule, s.kind, len(s.months)) for s in xmr(MONTHS[:12], trend).signals]
    assert ("trend", "improvement", 10) in kinds  # 21 → 12: ten months each falling
    spike = [10, 11, 9, 10, 30, 10, 11, 9, 10, 11]
    first = xmr(MONTHS[:10], spike).signals[0]
    assert (first.rule, first.months, first.kind) == ("outside limits", ("2025-05",), "concern")
    with pytest.raises(ValueError, match="at least two months"):
        xmr(["2025-01"], [3])


def test_gradient_for_two_deciles_is_the_rate_ratio() -> None:
    g = poisson_gradient({1: 300, 2: 150}, {1: 10_000, 2: 20_000})
    assert g is not None
    assert g.ratio_per_decile == pytest.approx(0.25)  # rates 0.03 and 0.0075
    se = math.sqrt(1 / 300 + 1 / 150)  # the closed form for two groups
    assert g.lower == pytest.approx(0.25 * math.exp(-1.959964 * se), rel=1e-6)


def test_on_the_demo_partnership(
    demo_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = pipeline.open_partnership_home(demo_home)
    end = pipeline.latest_month(home, PC)
    current, previous = year_ending(end)
    found = pipeline.compare_periods(home, "serious-violence", PC, current, previous)
    [(group, c)] = found
    assert group == ()
    now = pipeline.run_measure(home, "serious-violence", PC, [], None, *current)
    before = pipeline.run_measure(home, "serious-violence", PC, [], None, *previous)
    assert (c.count, c.previous) == (now.rows[0].count, before.rows[0].count)

    charts = pipeline.measure_spc(home, "serious-violence", PC, ["district"])
    assert len(charts) == 5 and all(len(ch.months) == 24 for _, ch in charts)

    dep = pipeline.measure_deprivation(home, "serious-violence", PC)
    assert [r.decile for r in dep.rows] == list(range(1, 11))
    assert dep.most_vs_least is not None and dep.most_vs_least.lower is not None
    assert dep.most_vs_least.lower > 2  # the demo plants about a threefold gradient
    assert dep.gradient is not None and dep.gradient.upper < 1
    with pytest.raises(UnsupportedFieldError, match="not a deprivation domain"):
        pipeline.measure_deprivation(home, "serious-violence", PC, domain="wealth")
    with pytest.raises(UnsupportedFieldError, match="not a district of the partnership"):
        pipeline.measure_deprivation(home, "serious-violence", PC, district="E08000016")

    monkeypatch.setattr(common.out, "width", 400)
    h = ["--home", str(demo_home), "--dataset", "police-crime"]
    assert main(["measure", "change", "serious-violence", *h, "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("count,previous,percent_change,lower,upper,verdict")
    assert f"year ending {end}" in out.err
    # Two years held (2024-10 on): the financial year before 2025/26 is only partly held, so
    # no change is given, rather than half a year read as a fall.
    assert main(["measure", "change", "serious-violence", *h, "--financial-year", "2025"]) == 1
    said = capsys.readouterr().err
    assert "the period compared with (2024-04 to 2025-03) is only partly held" in said
    assert "2024-04 to 2024-09" in said
    assert main(["measure", "spc", "serious-violence", *h, "--by", "district"]) == 0
    assert "upper_limit" in capsys.readouterr().out
    assert main(["measure", "deprivation", "serious-violence", *h, "--domain", "income"]) == 0
    assert "gradient: each decile less deprived" in capsys.readouterr().err
