"""The demo force extract's people: repeat victims, and the victim's ethnicity and the
suspect's sex and ethnicity (optional fields of the police-crime standard).

The shares are illustrative, near West Yorkshire's Census 2021 make-up (about four in five
residents White, one in seven Asian); some values are left blank, as real extracts leave
them, so the report's "not recorded" lines have something to say. These draws use their own
generator (spawned from the demo's), so adding them did not change any other demo figure.

Example (runnable)::

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> cols = people_columns(rng, 6, np.array([True] * 6), [None, "S1", "S2", None, "S3", "S4"])
    >>> sorted(cols)
    ['suspect_ethnicity', 'suspect_sex', 'victim_ethnicity']
    >>> cols["suspect_sex"][0] is None and cols["suspect_ethnicity"][3] is None
    True
"""

from __future__ import annotations

import numpy as np

from vrhub.datasets.police_crime import ETHNICITY

#: Illustrative shares of the five groups, then "Not stated".
ETHNICITY_SHARES = (0.14, 0.03, 0.025, 0.78, 0.015, 0.01)
#: A victim's ethnicity is left blank this often, a suspect's (when one is known) this often.
VICTIM_ETHNICITY_BLANK = 0.12
SUSPECT_ETHNICITY_BLANK = 0.2
SUSPECT_SEX_BLANK = 0.05
#: How often a victim is one of the people victimised again (domestic abuse, other crime).
REPEAT_SHARE = {True: 0.3, False: 0.06}
#: The people victimised again: drawn evenly, about once each a year on the demo's volumes,
#: so about a quarter of them are victims two or more times in a year.
REPEAT_POOL = 8_000
#: Known suspects drawn from a pool of people suspected again, and the pool's size.
SUSPECT_REPEAT_SHARE = 0.25
SUSPECT_POOL = 5_000


def _ethnicity(rng: np.random.Generator, n: int, blank: float) -> list[str | None]:
    groups = rng.choice(len(ETHNICITY), n, p=np.array(ETHNICITY_SHARES) / sum(ETHNICITY_SHARES))
    left = rng.random(n) < blank
    return [None if b else ETHNICITY[g] for g, b in zip(groups, left, strict=True)]


def repeat_victims(rng: np.random.Generator, victims: list[str], is_dom: np.ndarray) -> list[str]:
    """Some victims drawn from a small pool of people, so repeat victimisation shows; domestic
    abuse repeats most."""
    n = len(victims)
    again = rng.random(n) < np.where(is_dom, REPEAT_SHARE[True], REPEAT_SHARE[False])
    pool = rng.integers(0, REPEAT_POOL, n)
    return [f"R{p:07d}" if a else v for v, a, p in zip(victims, again, pool, strict=True)]


def repeat_suspects(rng: np.random.Generator, suspects: list[str | None]) -> list[str | None]:
    """Known suspects redrawn: about one in four from a pool of people suspected again, the
    rest each a different person (the generator's own draw names a few people thousands of
    times, which no force's data shows)."""
    n = len(suspects)
    again = rng.random(n) < SUSPECT_REPEAT_SHARE
    pool = rng.integers(0, SUSPECT_POOL, n)
    own = rng.integers(0, 10**9, n)
    return [
        None if s is None else (f"Q{p:07d}" if a else f"S{o:09d}")
        for s, a, p, o in zip(suspects, again, pool, own, strict=True)
    ]


def people_columns(
    rng: np.random.Generator, n: int, is_dom: np.ndarray, suspects: list[str | None]
) -> dict[str, list[str | None]]:
    """The optional people columns for ``n`` rows: no suspect, no suspect's sex or ethnicity."""
    known = np.array([s is not None for s in suspects], dtype=bool)
    male = rng.random(n) < np.where(is_dom, 0.85, 0.8)
    sex_blank = rng.random(n) < SUSPECT_SEX_BLANK
    sex: list[str | None] = [
        None if (not k or b) else ("Male" if m else "Female")
        for k, b, m in zip(known, sex_blank, male, strict=True)
    ]
    suspect_eth = _ethnicity(rng, n, SUSPECT_ETHNICITY_BLANK)
    return {
        "victim_ethnicity": _ethnicity(rng, n, VICTIM_ETHNICITY_BLANK),
        "suspect_sex": sex,
        "suspect_ethnicity": [e if k else None for e, k in zip(suspect_eth, known, strict=True)],
    }
