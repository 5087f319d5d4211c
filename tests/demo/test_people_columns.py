"""The demo force extract's people columns: plausible shares, blanks, and repeat victims."""

from __future__ import annotations

from collections import Counter

import numpy as np

from vrhub.datasets.police_crime import ETHNICITY
from vrhub.demo.people import (
    ETHNICITY_SHARES,
    REPEAT_SHARE,
    SUSPECT_SEX_BLANK,
    VICTIM_ETHNICITY_BLANK,
    people_columns,
    repeat_suspects,
    repeat_victims,
)

N = 20_000


def test_people_columns_are_plausible_and_leave_some_blank() -> None:
    rng = np.random.default_rng(3)
    is_dom = rng.random(N) < 0.3
    suspects = [None if rng.random() < 0.3 else f"S{i}" for i in range(N)]
    cols = people_columns(rng, N, is_dom, suspects)
    eth = Counter(cols["victim_ethnicity"])
    assert abs(eth[None] / N - VICTIM_ETHNICITY_BLANK) < 0.01
    given = N - eth[None]
    for group, share in zip(ETHNICITY, ETHNICITY_SHARES, strict=True):
        assert abs(eth[group] / given - share / sum(ETHNICITY_SHARES)) < 0.01
    # No suspect known: no suspect's sex or ethnicity.
    for s, sex, e in zip(suspects, cols["suspect_sex"], cols["suspect_ethnicity"], strict=True):
        if s is None:
            assert sex is None and e is None
    known = [sex for s, sex in zip(suspects, cols["suspect_sex"], strict=True) if s is not None]
    assert abs(known.count(None) / len(known) - SUSPECT_SEX_BLANK) < 0.01
    assert 0.75 < known.count("Male") / (len(known) - known.count(None)) < 0.86
    assert set(cols["suspect_sex"]) <= {None, "Male", "Female"}


def test_some_victims_are_victims_again_domestic_abuse_most() -> None:
    rng = np.random.default_rng(4)
    victims = [f"V{i:08d}" for i in range(N)]
    is_dom = np.arange(N) < N // 2
    out = repeat_victims(rng, victims, is_dom)
    again = [v.startswith("R") for v in out]
    dom, other = sum(again[: N // 2]) / (N // 2), sum(again[N // 2 :]) / (N // 2)
    assert abs(dom - REPEAT_SHARE[True]) < 0.02 and abs(other - REPEAT_SHARE[False]) < 0.01
    counts = Counter(v for v in out if v.startswith("R"))
    assert sum(1 for n in counts.values() if n >= 2) > 100
    # Everyone else keeps their own identifier.
    assert all(o == v for o, v, a in zip(out, victims, again, strict=True) if not a)


def test_suspects_repeat_but_no_one_is_named_thousands_of_times() -> None:
    rng = np.random.default_rng(5)
    suspects = [None if i % 3 == 0 else f"S{i % 7}" for i in range(N)]
    out = repeat_suspects(rng, suspects)
    assert [o is None for o in out] == [s is None for s in suspects]
    counts = Counter(o for o in out if o is not None)
    assert max(counts.values()) < 20
    assert sum(1 for n in counts.values() if n >= 2) > 100
