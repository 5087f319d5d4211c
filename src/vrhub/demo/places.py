"""Demo types of place for the police extract (``location_type``), drawn from their own random
stream so adding them changes no other demo figure.

Domestic abuse is mostly at home; violence on Friday and Saturday nights (20:00 to 03:59) is
often at licensed premises; robbery and weapons offences are mostly in the street. The shares
are illustrative, chosen to look like a force's extract, not taken from any published figure.

Example (runnable)::

    >>> import numpy as np
    >>> when = np.array(["2025-03-07T23:30", "2025-03-04T10:00"], dtype="datetime64[m]")
    >>> kinds = location_types("008/01", "Violence against the person", np.array([False, True]),
    ...                        when, "2025-03")
    >>> kinds[1]
    'Home'
"""

from __future__ import annotations

import zlib

import numpy as np

from vrhub.datasets.police_crime import LOCATION_TYPES

#: Shares over LOCATION_TYPES (Home, Street or public place, Licensed premises, School or
#: college, Workplace, Public transport, Other, Not known) for each kind of record.
SHARES = {
    "domestic": (0.92, 0.04, 0.0, 0.0, 0.0, 0.0, 0.02, 0.02),
    "night": (0.12, 0.42, 0.32, 0.0, 0.02, 0.04, 0.04, 0.04),
    "street": (0.08, 0.74, 0.03, 0.02, 0.02, 0.07, 0.02, 0.02),
    "other": (0.30, 0.36, 0.06, 0.07, 0.08, 0.04, 0.05, 0.04),
}
STREET_GROUPS = ("Robbery", "Possession of weapons offences")


def location_types(
    code: str, group: str, domestic: np.ndarray, occurred: np.ndarray, month: str
) -> list[str]:
    """A type of place for each record of one offence code in one month."""
    rng = np.random.default_rng(zlib.crc32(f"place|{month}|{code}".encode()))
    when = occurred.astype("datetime64[m]")
    hour = (when.astype("datetime64[h]") - when.astype("datetime64[D]")).astype(int)
    # numpy's weekday: 1970-01-01 was a Thursday (3, counting Monday as 0).
    weekday = (when.astype("datetime64[D]").astype(int) + 3) % 7
    night = ((weekday >= 4) & (weekday <= 5) & (hour >= 20)) | ((weekday >= 5) & (hour < 4))
    out = []
    for dom, nte, u in zip(domestic, night, rng.random(len(domestic)), strict=True):
        kind = (
            "domestic"
            if dom
            else "street"
            if group in STREET_GROUPS
            else "night"
            if nte
            else "other"
        )
        cum = np.cumsum(SHARES[kind])
        out.append(LOCATION_TYPES[int(np.searchsorted(cum, u * cum[-1], side="right"))])
    return out
