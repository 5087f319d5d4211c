"""Generate synthetic partner extracts for West Yorkshire's real LSOAs.

Nothing here describes a real person or incident. Volumes, shares, timing and the
deprivation gradient follow :mod:`vrhub.demo.calibration`; known data-quality defects are
planted at known rates so the quality checks have something true to find. The same seed
always writes the same files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vrhub.datasets.ed_assault import AGE_BANDS, ASSAULT_METHODS, LOCATION_TYPES
from vrhub.demo import calibration as cal
from vrhub.demo.people import people_columns, repeat_suspects, repeat_victims
from vrhub.demo.places import location_types
from vrhub.months import month_add, month_range

DEFAULT_END_MONTH = "2026-09"

#: Offences in the demo police extract: (code, group, description, monthly volume,
#: knife share, domestic share). Codes follow the Home Office code format; the set is
#: illustrative, not an authoritative list (the measures engine maps real codes).
OFFENCES = (
    ("001/01", "Violence against the person", "Murder", 1.6, 0.6, 0.2),
    ("004/01", "Violence against the person", "Manslaughter", 0.4, 0.4, 0.2),
    ("002/01", "Violence against the person", "Attempted murder", 3.0, 0.7, 0.15),
    ("005/01", "Violence against the person", "Wounding with intent (GBH)", 60, 0.35, 0.2),
    ("008/01", "Violence against the person", "Assault with injury", 1700, 0.03, 0.35),
    ("105/01", "Violence against the person", "Assault without injury", 2000, 0.01, 0.35),
    ("008/10", "Violence against the person", "Stalking and harassment", 1100, 0.0, 0.45),
    ("003/01", "Violence against the person", "Threats to kill", 140, 0.3, 0.35),
    ("019/01", "Sexual offences", "Rape", 260, 0.01, 0.35),
    ("017/01", "Sexual offences", "Sexual assault", 330, 0.0, 0.15),
    ("022/01", "Sexual offences", "Sexual exploitation of a child", 110, 0.0, 0.05),
    ("034/02", "Robbery", "Robbery of personal property", 230, 0.3, 0.02),
    ("034/01", "Robbery", "Robbery of business property", 30, 0.35, 0.0),
    ("010/01", "Possession of weapons offences", "Possession of a blade or point", 150, 1.0, 0.02),
    ("010/03", "Possession of weapons offences", "Possession of a firearm", 30, 0.0, 0.02),
)
SEASON = np.array([0.92, 0.88, 0.97, 0.98, 1.04, 1.08, 1.10, 1.05, 1.00, 1.00, 0.99, 0.99])
#: Hour-of-day shape for violence in public places (night-time economy) and at home.
NTE_HOURS = np.array(
    [9, 8, 6, 4, 2, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 10], dtype=float
)
HOME_HOURS = np.array(
    [4, 3, 2, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 6, 7, 8, 9, 9, 8, 7, 5], dtype=float
)
WEEKDAY = np.array([0.9, 0.85, 0.88, 0.92, 1.15, 1.35, 1.2])  # Monday .. Sunday
ED_SITES = (
    ("DEMO01", "E08000035", 0.28),
    ("DEMO02", "E08000035", 0.14),
    ("DEMO03", "E08000032", 0.24),
    ("DEMO04", "E08000034", 0.20),
    ("DEMO05", "E08000036", 0.14),
)


@dataclass(frozen=True)
class Area:
    """West Yorkshire LSOAs with their weight for where violence happens."""

    lsoa11: np.ndarray
    lsoa21: np.ndarray
    district: np.ndarray
    weight: np.ndarray
    postcodes: dict[str, np.ndarray]


def months_between(end: str, n: int) -> list[str]:
    """The ``n`` months ending with ``end``, oldest first."""
    return month_range(month_add(end, 1 - n), end)


def load_area(con: duckdb.DuckDBPyConnection, districts: list[str], seed: int) -> Area:
    rows = con.execute(
        """SELECT l.code, coalesce(l.lsoa21, l.code), l.district, p.total, i.imd_decile
           FROM ref_lsoa l JOIN ref_population p ON p.lsoa11 = l.code
           JOIN ref_imd i ON i.lsoa11 = l.code
           WHERE l.district IN (SELECT unnest(?::VARCHAR[])) AND l.vintage <> '2021'
           ORDER BY l.code""",
        [districts],
    ).fetchall()
    rng = np.random.default_rng(seed + 7)
    code, code21, district, pop, decile = (np.array(c) for c in zip(*rows, strict=True))
    hetero = rng.lognormal(0.0, 0.45, len(code))
    weight = pop.astype(float) * np.exp(cal.DEPRIVATION_GRADIENT.value * (10 - decile)) * hetero
    pcs = con.execute(
        "SELECT lsoa21, list(postcode ORDER BY postcode) FROM ref_postcode "
        "WHERE lsoa21 IS NOT NULL GROUP BY lsoa21"
    ).fetchall()
    return Area(code, code21, district, weight / weight.sum(), {k: np.array(v) for k, v in pcs})


def _year_factor(months: list[str]) -> np.ndarray:
    """Trend: flat, then +13% in the year before last, then -2% in the last 12 months."""
    n = len(months)
    f = np.ones(n)
    idx = np.arange(n)
    last = idx >= n - 12
    prev = (idx >= n - 24) & ~last
    f[prev] = 1 + cal.PREVIOUS_YEAR_CHANGE.value
    f[last] = (1 + cal.PREVIOUS_YEAR_CHANGE.value) * (1 + cal.LAST_YEAR_CHANGE.value)
    result: np.ndarray = f / f.mean()
    return result


def _times(
    rng: np.random.Generator, month: str, n: int, hours: np.ndarray, bonfire_boost: bool
) -> np.ndarray:
    y, m = map(int, month.split("-"))
    first = dt.date(y, m, 1)
    days = (dt.date(y + (m == 12), m % 12 + 1, 1) - first).days
    day_w = np.array([WEEKDAY[(first + dt.timedelta(d)).weekday()] for d in range(days)])
    if bonfire_boost and m == 11:
        day_w[4] *= 2.5  # bonfire night, 5 November
    if m == 12:
        day_w[30] *= 1.8  # New Year's Eve
    day = rng.choice(days, n, p=day_w / day_w.sum())
    hour = rng.choice(24, n, p=hours / hours.sum())
    minute = rng.integers(0, 60, n)
    base = np.datetime64(first.isoformat(), "m")
    return base + (day * 1440 + hour * 60 + minute).astype("timedelta64[m]")


def _ages(rng: np.random.Generator, n: int, young: float) -> np.ndarray:
    """Ages with a share ``young`` under 25 (about a third of those children)."""
    u = rng.random(n)
    child = rng.integers(10, 18, n)
    young_adult = rng.integers(18, 25, n)
    adult = np.clip(rng.gamma(4.0, 9.0, n) + 25, 25, 95).astype(int)
    return np.where(u < young * 0.35, child, np.where(u < young, young_adult, adult))


def _fmt(ts: np.ndarray) -> list[str]:
    return [str(t).replace("T", " ") for t in ts.astype("datetime64[m]")]


def _table(columns: dict[str, object]) -> pa.Table:
    """A table whose plain-list columns are text (so all-blank columns stay text)."""
    arrays = {
        k: v if isinstance(v, pa.Array) else pa.array(v, pa.string()) for k, v in columns.items()
    }
    return pa.table(arrays)


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def police_crime(area: Area, months: list[str], rng: np.random.Generator) -> dict[str, pa.Table]:
    """One table per recorded month of the force's extract."""
    trend = _year_factor(months)
    # The people fields draw from their own generator, leaving every other draw as it was.
    people = rng.spawn(1)[0]
    rows_by_month: dict[str, list[pa.Table]] = {mo: [] for mo in months}
    counter = 0
    for mi, month in enumerate(months):
        season = SEASON[int(month[5:]) - 1]
        for code, group, desc, volume, knife, domestic in OFFENCES:
            n = int(rng.poisson(volume * season * trend[mi]))
            if n == 0:
                continue
            is_dom = rng.random(n) < domestic
            occurred = _times(rng, month, n, NTE_HOURS, bonfire_boost=group.startswith("Viol"))
            if is_dom.any():
                occurred[is_dom] = _times(rng, month, int(is_dom.sum()), HOME_HOURS, False)
            lag_h = rng.exponential(20, n).astype(int)
            recorded = occurred + lag_h.astype("timedelta64[h]")
            loc = rng.choice(len(area.lsoa11), n, p=area.weight)
            use21 = month >= "2024-01"
            lsoa = np.where(use21, area.lsoa21[loc], area.lsoa11[loc]).astype(object)
            lsoa[rng.random(n) < cal.MISSING_LOCATION_RATE.value] = None
            young = 0.55 if group in ("Robbery", "Possession of weapons offences") else 0.36
            vage = _ages(rng, n, young).astype(object)
            vage[rng.random(n) < 0.05] = None
            female = np.where(is_dom, 0.75, 0.35)
            if group == "Sexual offences":
                female = np.full(n, 0.85)
            vsex = np.where(rng.random(n) < female, "Female", "Male").astype(object)
            sage = _ages(rng, n, young + 0.05).astype(object)
            sage[rng.random(n) < 0.25] = None
            refs = [f"13{month[2:4]}{counter + i:07d}" for i in range(n)]
            counter += n
            victims = [f"V{v:08d}" for v in rng.integers(0, 4_000_000, n)]
            suspects = np.array([f"S{s:07d}" for s in rng.zipf(1.6, n) % 900_000], dtype=object)
            suspects[rng.random(n) < 0.3] = None
            victims = repeat_victims(people, victims, is_dom)
            suspects = np.array(repeat_suspects(people, suspects.tolist()), dtype=object)
            more = people_columns(people, n, is_dom, suspects.tolist())
            codes = np.full(n, code, dtype=object)
            bad = rng.random(n) < cal.INVALID_CODE_RATE.value
            codes[bad] = "8-" + code[-2:]
            occurred_s = _fmt(occurred)
            recorded_s = _fmt(recorded)
            t = _table(
                {
                    "crime_reference": refs,
                    "ho_offence_code": codes.tolist(),
                    "ho_offence_group": [group] * n,
                    "offence_description": [desc] * n,
                    "occurred_from": occurred_s,
                    "occurred_to": [None] * n,
                    "recorded_date": recorded_s,
                    "lsoa_code": lsoa.tolist(),
                    "victim_id": victims,
                    "victim_age": pa.array(vage.tolist(), pa.int64()),
                    "victim_sex": vsex.tolist(),
                    "victim_ethnicity": more["victim_ethnicity"],
                    "suspect_id": suspects.tolist(),
                    "suspect_age": pa.array(sage.tolist(), pa.int64()),
                    "suspect_sex": more["suspect_sex"],
                    "suspect_ethnicity": more["suspect_ethnicity"],
                    "knife_or_sharp_instrument": np.where(rng.random(n) < knife, "Y", "N").tolist(),
                    "firearm": np.where(
                        rng.random(n) < (0.6 if code == "010/03" else 0.002), "Y", "N"
                    ).tolist(),
                    "domestic_abuse": np.where(is_dom, "Y", "N").tolist(),
                    "location_type": location_types(code, group, is_dom, occurred, month),
                    "outcome": rng.choice(
                        [
                            "Under investigation",
                            "Charged",
                            "Evidential difficulties",
                            "No suspect identified",
                        ],
                        n,
                    ).tolist(),
                }
            )
            rec_month = np.array([r[:7] for r in recorded_s])
            for mo in np.unique(rec_month):
                if mo in rows_by_month:
                    rows_by_month[str(mo)].append(t.filter(pa.array(rec_month == mo)))
    out = {}
    for mo, parts in rows_by_month.items():
        t = pa.concat_tables(parts).sort_by("recorded_date")
        t = _plant_bad_lsoa(t, rng, "lsoa_code")
        out[mo] = _plant_duplicates(t, rng)
    return out


def _plant_bad_lsoa(t: pa.Table, rng: np.random.Generator, col: str) -> pa.Table:
    values = t.column(col).to_pylist()
    for i in np.flatnonzero(rng.random(len(values)) < cal.INVALID_LSOA_RATE.value):
        values[i] = "E0109999" if i % 2 else "E01099999"
    return t.set_column(t.schema.get_field_index(col), col, pa.array(values, pa.string()))


def _plant_duplicates(t: pa.Table, rng: np.random.Generator) -> pa.Table:
    k = rng.binomial(t.num_rows, cal.DUPLICATE_RATE.value)
    if k == 0:
        return t
    picks = rng.choice(t.num_rows, k, replace=False)
    return pa.concat_tables([t, t.take(pa.array(picks))])


def ed_assaults(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[tuple[str, str], pa.Table]:
    """One table per (site, month) of ISTV attendances."""
    trend = _year_factor(months)
    per_month = cal.ED_ASSAULTS_PER_YEAR.value / 12
    out: dict[tuple[str, str], pa.Table] = {}
    methods = list(ASSAULT_METHODS)
    method_p = np.array([0.6, 0.08, 0.07, 0.05, 0.003, 0.1, 0.097])
    places = list(LOCATION_TYPES)
    place_p = np.array([0.35, 0.25, 0.15, 0.04, 0.05, 0.03, 0.05, 0.08])
    bands = [b for b in AGE_BANDS if b != "Unknown"]
    band_p = np.array([0.01, 0.04, 0.07, 0.22, 0.16, 0.23, 0.14, 0.08, 0.03, 0.02])
    counter = 0
    for mi, month in enumerate(months):
        for site, district, share in ED_SITES:
            n = int(rng.poisson(per_month * share * SEASON[int(month[5:]) - 1] * trend[mi]))
            arrive = _times(rng, month, n, NTE_HOURS, bonfire_boost=True)
            before = rng.exponential(90, n).astype(int)
            assault = np.array(_fmt(arrive - before.astype("timedelta64[m]")), dtype=object)
            assault[rng.random(n) < 0.1] = None
            in_district = np.flatnonzero(area.district == district)
            w = area.weight[in_district] / area.weight[in_district].sum()
            loc = in_district[rng.choice(len(in_district), n, p=w)]
            u = rng.random(n)
            lsoa = area.lsoa11[loc].astype(object)
            lsoa[u >= 0.75] = None
            postcode = np.full(n, None, dtype=object)
            for i in np.flatnonzero((u >= 0.75) & (u < 0.95)):
                pcs = area.postcodes.get(str(area.lsoa21[loc[i]]))
                if pcs is not None and len(pcs):
                    pc = str(pcs[rng.integers(len(pcs))])
                    postcode[i] = f"{pc[:-3]} {pc[-3:]}"
            method = rng.choice(methods, n, p=method_p / method_p.sum()).astype(object)
            method[rng.random(n) < cal.INVALID_CODE_RATE.value] = "Punched"
            ids = [f"{site}-{counter + i:08d}" for i in range(n)]
            counter += n
            out[(site, month)] = _table(
                {
                    "attendance_id": ids,
                    "site_code": [site] * n,
                    "arrival_datetime": _fmt(arrive),
                    "assault_datetime": assault.tolist(),
                    "assault_method": method.tolist(),
                    "assault_method_other": [None] * n,
                    "assault_location_type": rng.choice(
                        places, n, p=place_p / place_p.sum()
                    ).tolist(),
                    "assault_location_description": [None] * n,
                    "age_band": rng.choice(bands, n, p=band_p / band_p.sum()).tolist(),
                    "sex": np.where(rng.random(n) < 0.7, "Male", "Female").tolist(),
                    "residence_lsoa": lsoa.tolist(),
                    "residence_postcode": postcode.tolist(),
                }
            ).sort_by("arrival_datetime")
    return out


def hospital_admissions(
    area: Area, months: list[str], rng: np.random.Generator
) -> dict[str, pa.Table]:
    trend = _year_factor(months)
    per_month = cal.ADMISSIONS_PER_YEAR.value / 12
    causes = ["X99", "Y04", "Y00", "Y09", "Y08", "X95", "Y05", "Y07"]
    cause_p = np.array(
        [cal.SHARP_SHARE_OF_ADMISSIONS.value, 0.45, 0.12, 0.12, 0.05, 0.005, 0.02, 0.035]
    )
    out = {}
    counter = 0
    for mi, month in enumerate(months):
        n = int(rng.poisson(per_month * SEASON[int(month[5:]) - 1] * trend[mi]))
        when = _times(rng, month, n, NTE_HOURS, bonfire_boost=True).astype("datetime64[D]")
        loc = rng.choice(len(area.lsoa11), n, p=area.weight)
        cause = rng.choice(causes, n, p=cause_p / cause_p.sum()).astype(object)
        cause[cause == "X99"] = np.where(rng.random((cause == "X99").sum()) < 0.5, "X99", "X99.1")
        cause[rng.random(n) < cal.INVALID_CODE_RATE.value] = "X84"
        lsoa = area.lsoa11[loc].astype(object)
        lsoa[rng.random(n) < 0.03] = None
        out[month] = _table(
            {
                "admission_id": [f"ADM{counter + i:08d}" for i in range(n)],
                "patient_id": [f"{p:010d}" for p in rng.integers(4_000_000_000, 4_999_999_999, n)],
                "admission_date": [str(d) for d in when],
                "icd10_external_cause": cause.tolist(),
                "age": pa.array(_ages(rng, n, 0.3).tolist(), pa.int64()),
                "sex": np.where(rng.random(n) < 0.8, "Male", "Female").tolist(),
                "residence_lsoa": lsoa.tolist(),
            }
        ).sort_by("admission_date")
        counter += n
    return out
