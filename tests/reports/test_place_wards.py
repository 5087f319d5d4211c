"""The place section by ward, kinds of place and the night-time economy: ward counts and
populations against an independent computation from the raw ONS lookups and census file,
the NTE definition on hand-made times, town-centre figures, and public pages naming no area
smaller than a ward."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import doctest
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import RAW, TEST_AGREEMENT, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.outputs.period import latest_year
from vrhub.outputs.reads import Lineage, Reads
from vrhub.reports import wards as wards_module
from vrhub.reports.charts import Chart
from vrhub.reports.content import Note, Paragraph, Section, Table
from vrhub.reports.render import section_blocks
from vrhub.reports.sections.place import place
from vrhub.reports.sections.place_wards import ward_figures
from vrhub.reports.wards import is_night_time, night_time

LOOKUPS = RAW / "lookups" / "geographr"
LEEDS = "E08000035"
CITY = ("E05011403", "E05011399")  # Little London & Woodhouse; Hunslet & Riverside
ACROSS = "E01033005"  # a 2011 LSOA whose 2021 parts lie in two wards
needs_raw = pytest.mark.skipif(not LOOKUPS.is_dir(), reason="needs the shared raw data")


def _rda(path: Path) -> pd.DataFrame:
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tibble classes read as plain data frames
        [frame] = rdata.read_rda(path).values()
    return pd.DataFrame(frame)


def test_the_module_example_runs() -> None:
    assert doctest.testmod(wards_module).failed == 0


@pytest.mark.parametrize(
    ("when", "counts"),
    [
        ("2025-03-07 23:30", True),  # Friday night
        ("2025-03-04 23:30", False),  # Tuesday
        ("2025-03-08 03:00", True),  # Saturday 03:00 is still Friday night
        ("2025-03-08 03:59", True),
        ("2025-03-08 04:00", False),  # Saturday morning
        ("2025-03-07 19:59", False),  # Friday, before the evening starts
        ("2025-03-07 20:00", True),
        ("2025-03-08 20:00", True),  # Saturday night
        ("2025-03-09 03:59", True),  # Sunday morning: still Saturday night
        ("2025-03-09 20:00", False),  # Sunday night
        ("2025-03-10 02:00", False),  # Monday morning
        ("2025-03-07 03:00", False),  # Friday morning is Thursday night
    ],
)
def test_night_time_economy_definition(when: str, counts: bool) -> None:
    assert is_night_time(dt.datetime.fromisoformat(when)) is counts


def test_nte_hours_are_exactly_sixteen_a_week() -> None:
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert sum(night_time(d, h) for d in days for h in range(24)) == 16


# -- records built in code, through ingest and the section ---------------------------------


def _raw_ward_of(codes: list[str]) -> dict[str, str | None]:
    """Each recorded LSOA code's ward from the raw ONS lookups (pandas, not vrhub): a 2021
    code's ward; a 2011 code's, where all its 2021 parts lie in one ward; else None."""
    ward = _rda(LOOKUPS / "lookup_lsoa21_ward24_ltla24.rda")
    to21 = _rda(LOOKUPS / "lookup_lsoa11_lsoa21_ltla22.rda")
    of21 = dict(zip(ward["lsoa21_code"], ward["ward24_code"], strict=True))
    out: dict[str, str | None] = {}
    for code in codes:
        if code in of21:
            out[code] = of21[code]
            continue
        found = {of21[c] for c in to21.loc[to21["lsoa11_code"] == code, "lsoa21_code"]}
        out[code] = found.pop() if len(found) == 1 else None
    return out


def _leeds_lsoas() -> dict[str, list[str]]:
    ward = _rda(LOOKUPS / "lookup_lsoa21_ward24_ltla24.rda")
    leeds = ward[ward["ltla24_code"] == LEEDS]
    return {w: sorted(g["lsoa21_code"]) for w, g in leeds.groupby("ward24_code")}


#: Hand-made times (2024-03: Friday the 1st) in Leeds city centre: which are NTE.
TIMES = {
    "2024-03-01 23:30": True,  # Friday
    "2024-03-05 23:30": False,  # Tuesday
    "2024-03-02 03:00": True,  # Saturday 03:00: Friday night
    "2024-03-02 04:00": False,
    "2024-03-02 21:10": True,  # Saturday night
    "2024-03-03 03:59": True,  # Sunday 03:59: Saturday night
    "2024-03-01 19:59": False,
    "2024-03-04 01:00": False,  # Monday
}


def _rows() -> list[dict[str, str]]:
    lsoas = _leeds_lsoas()
    codes: list[str] = []
    # Many records in a few wards, a handful spread over others; a 2011 code of each kind.
    for i, w in enumerate(sorted(lsoas)[:12]):
        for j, lsoa in enumerate(lsoas[w][:3]):
            codes += [lsoa] * (1 + (i * 7 + j * 3) % 11)
    codes += [ACROSS] * 4 + ["E01011264"] * 9  # 2011 codes
    codes += [lsoas[sorted(lsoas)[20]][0]] * 2  # a ward with 2 records
    rows = []
    for i, code in enumerate(codes):
        day = dt.date(2024, 3, 1) + dt.timedelta(days=i % 28)
        rows.append(police_crime_row(i, lsoa_code=code, occurred_from=f"{day} 14:00",
                                     recorded_date=f"{day} 18:00", location_type=""))  # fmt: skip
    centre = lsoas[CITY[0]][0]
    for k, when in enumerate(TIMES):
        rows.append(police_crime_row(5000 + k, lsoa_code=centre, occurred_from=when,
                                     recorded_date="2024-03-06 10:00",
                                     location_type="pub" if k % 2 else "Street"))  # fmt: skip
    return rows


ED_KINDS = {
    "Street or public place": 23,
    "Licensed premises": 14,
    "Home": 9,
    "School or college": 3,
}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _ed_rows() -> list[dict[str, str]]:
    rows = []
    for kind, n in ED_KINDS.items():
        for i in range(n):
            at = f"2024-03-{1 + i % 28:02d} 22:{i % 60:02d}"
            rows.append({"attendance_id": f"A{kind[:3]}{i}", "site_code": "RR801",
                         "arrival_datetime": at, "assault_datetime": "",
                         "assault_method": "Other", "assault_location_type": kind,
                         "age_band": "18-24", "sex": "M",
                         "residence_lsoa": "E01011264"})  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def loaded(
    _wy_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Home, list[dict[str, str]]]]:
    import shutil

    dest = tmp_path_factory.mktemp("place-wards") / "home"
    shutil.copytree(_wy_template, dest)
    home = pipeline.open_partnership_home(dest)
    rows = _rows()
    police = _write(dest.parent / "police.csv", rows)
    ed = _write(dest.parent / "ed.csv", _ed_rows())
    pipeline.ingest_paths(home, get_dataset("police-crime"), [police], source="wyp",
                          agreement=TEST_AGREEMENT)  # fmt: skip
    pipeline.ingest_paths(home, get_dataset("ed-assault"), [ed], source="lth",
                          agreement=TEST_AGREEMENT)  # fmt: skip
    yield home, rows


def _section(home: Home, audience: str, district: str | None) -> tuple[Section, Any]:
    with open_hub(home) as hub:
        data = Reads(hub.home, hub.con, hub.gov, audience, latest_year(hub.con), district,
                     Lineage())  # fmt: skip
        return place(data), ward_figures(data)


@needs_raw
def test_ward_counts_match_an_independent_computation(loaded: tuple[Home, Any]) -> None:
    home, rows = loaded
    section, f = _section(home, "analyst", LEEDS)
    codes = [r["lsoa_code"] for r in rows]
    where = _raw_ward_of(sorted({c for c in codes if c}))
    frame = pd.DataFrame({"code": codes})
    frame["ward"] = frame["code"].map(lambda c: where.get(c) if c else "none")
    expected = frame.dropna().query("ward != 'none'").groupby("ward").size()
    got = {w: int(n) for w, n in f.placed.counts.items() if int(n)}
    assert got == expected.to_dict()
    assert int(f.placed.across) == codes.count(ACROSS) == 4  # split over two wards
    assert int(f.placed.unplaced) == 0
    notes = " ".join(b.text for b in section.blocks if isinstance(b, Note))
    assert "4 records are in 2011 neighbourhoods whose 2021 parts lie in different wards" in notes
    assert int(f.placed.no_lsoa) == 0


@needs_raw
def test_ward_populations_are_sums_of_raw_lsoa_populations(loaded: tuple[Home, Any]) -> None:
    home, _ = loaded
    _, f = _section(home, "analyst", LEEDS)
    ward = _rda(LOOKUPS / "lookup_lsoa21_ward24_ltla24.rda")
    # Every LSOA 2021 lies in exactly one ward.
    assert ward.groupby("lsoa21_code")["ward24_code"].nunique().max() == 1
    census = _rda(RAW / "population" / "census21_pop.rda")
    people = census.groupby("lsoa21_code")["usual_residents"].sum()
    leeds = ward[ward["ltla24_code"] == LEEDS]
    expected = leeds.assign(n=leeds["lsoa21_code"].map(people)).groupby("ward24_code")["n"].sum()
    assert set(f.wards) == set(expected.index) and len(f.wards) == 33
    assert "Census 2021" in (f.population or "") or "census" in (f.population or "").lower()
    for code, w in f.wards.items():
        assert w.population == pytest.approx(float(expected[code])), w.name
    assert sum(w.population or 0 for w in f.wards.values()) == pytest.approx(
        float(people[leeds["lsoa21_code"]].sum())
    )


@needs_raw
def test_the_ward_table_is_ranked_with_rates_and_intervals(loaded: tuple[Home, Any]) -> None:
    home, _ = loaded
    section, f = _section(home, "analyst", LEEDS)
    table = next(b for b in section.blocks if isinstance(b, Table) and "ward" in b.caption.lower()
                 and b.columns[0] == "Ward")  # fmt: skip
    assert len(table.rows) == 33  # Leeds has 33 wards: every one is listed
    rates = [float(r[3]) for r in table.rows]
    assert rates == sorted(rates, reverse=True)
    top = max(f.wards, key=lambda c: int(f.placed.counts[c]) / (f.wards[c].population or 1))
    assert table.rows[0][0] == f.wards[top].name
    expected = 1000 * int(f.placed.counts[top]) / (f.wards[top].population or 1)
    assert float(table.rows[0][3]) == pytest.approx(expected, abs=0.05)
    low, high = (float(x) for x in table.rows[0][4].split(" to "))
    assert low < expected < high
    charts = [b for b in section.blocks if isinstance(b, Chart) and b.id == "place-ward-map"]
    assert charts and len(charts[0].rows) == 33  # every Leeds ward drawn


@needs_raw
def test_night_time_economy_by_town_centre(loaded: tuple[Home, Any]) -> None:
    home, rows = loaded
    section, _ = _section(home, "analyst", LEEDS)
    table = next(b for b in section.blocks if isinstance(b, Table) and "night-time" in b.caption)
    [leeds] = [r for r in table.rows if r[0] == "Leeds city centre"]
    assert leeds[1] == "Little London & Woodhouse, Hunslet & Riverside"
    assert leeds[2] == str(sum(TIMES.values())) == "4"
    where = _raw_ward_of(sorted({r["lsoa_code"] for r in rows if r["lsoa_code"]}))
    in_centre = sum(1 for r in rows if where.get(r["lsoa_code"]) in CITY)
    assert leeds[3] == str(in_centre)
    assert [r[0] for r in table.rows] == ["Leeds city centre"]  # Leeds' only centre
    text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph | Note))
    assert "between 20:00 and 03:59" in text
    assert "14 emergency department assault attendances at licensed premises" in text


def test_location_type_shares(loaded: tuple[Home, Any]) -> None:
    home, _ = loaded
    section, _ = _section(home, "analyst", None)
    table = next(
        b for b in section.blocks if isinstance(b, Table) and "assault happened" in b.caption
    )
    total = sum(ED_KINDS.values())
    got = {r[0]: (r[1], r[2]) for r in table.rows}
    for kind, n in ED_KINDS.items():
        assert got[kind] == (str(n), f"{100 * n / total:.1f}%")
    assert got["All types of place"][0] == str(total)


def test_police_location_types_where_the_force_records_them(loaded: tuple[Home, Any]) -> None:
    home, rows = loaded
    section, _ = _section(home, "analyst", LEEDS)
    table = next(
        b for b in section.blocks if isinstance(b, Table) and "police recorded" in b.caption
    )
    got = {r[0]: r[1] for r in table.rows}
    leeds = rows  # every record is in Leeds
    told = collections.Counter(r["location_type"] for r in leeds)
    # Synonyms read as the standard's types: "pub" is licensed premises, "Street" a public place.
    assert got["Licensed premises"] == str(told["pub"]) == "4"
    assert got["Street or public place"] == str(told["Street"]) == "4"
    assert got["Not recorded"] == str(told[""])
    assert got["All types of place"] == str(len(leeds))


def test_partner_figures_are_published(loaded: tuple[Home, Any]) -> None:
    home, _ = loaded
    section, f = _section(home, "partner", LEEDS)
    _, exact = _section(home, "analyst", LEEDS)
    table = next(b for b in section.blocks if isinstance(b, Table) and b.columns[:1] == ["Ward"])
    for row in table.rows:
        code = next(c for c, w in f.wards.items() if w.name == row[0])
        assert abs(int(row[2]) - int(exact.placed.counts[code])) <= 6
    small = [c for c, n in exact.placed.counts.items() if int(n) <= 7]
    assert any(int(exact.placed.counts[c]) == 2 for c in small)
    assert all(f.shown[c].text() == "[c]" for c in small)  # zeros hidden too
    kinds = next(
        b for b in section.blocks if isinstance(b, Table) and "assault happened" in b.caption
    )
    assert {r[0]: r[1] for r in kinds.rows}["School or college"] == "[c]"  # 3 attendances


LSOA_CODE = re.compile(r"\b[EW]0[12]\d{6}\b")


def test_the_public_section_names_no_area_smaller_than_a_ward(loaded: tuple[Home, Any]) -> None:
    home, rows = loaded
    names = {r["lsoa_code"] for r in rows}
    for district in (None, LEEDS):
        section, _ = _section(home, "public", district)
        html = repr(section_blocks([section]))
        assert not LSOA_CODE.search(html)
        assert not re.search(r"Leeds \d{3}[A-Z]\b", html)  # no LSOA name either
        assert "place-map" not in [b.id for b in section.blocks if isinstance(b, Chart)]
        assert not any(c and c in html for c in names)
        assert any(isinstance(b, Chart) and b.id == "place-ward-map" for b in section.blocks)
    partner, _ = _section(home, "partner", LEEDS)
    assert any(isinstance(b, Chart) and b.id == "place-map" for b in partner.blocks)


def test_a_district_with_no_town_centre_says_so(loaded: tuple[Home, Any]) -> None:
    home, _ = loaded
    counts = collections.Counter(len(c.wards) for c in home.partnership.town_centres)
    assert sum(counts.values()) == 5
    section, _ = _section(home, "analyst", "E08000036")  # Wakefield: a centre, no records
    table = next(b for b in section.blocks if isinstance(b, Table) and "night-time" in b.caption)
    assert [r[0] for r in table.rows] == ["Wakefield city centre"]
    assert table.rows[0][2] == "0"


@needs_raw
def test_every_south_yorkshire_district_has_its_maps(sy_home: Home, tmp_path: Path) -> None:
    from tests.conftest import grant_test_agreement

    grant_test_agreement(sy_home)
    ward = _rda(LOOKUPS / "lookup_lsoa21_ward24_ltla24.rda")
    # Barnsley and Sheffield are listed under their old codes in the 2024 lookup.
    old = {"E08000016": "E08000038", "E08000019": "E08000039"}
    ward["district"] = ward["ltla24_code"].map(lambda c: old.get(c, c))
    sy = ward[ward["district"].isin(["E08000038", "E08000017", "E08000018", "E08000039"])]
    rows = [
        police_crime_row(
            i, lsoa_code=code, occurred_from="2024-03-01 23:30", recorded_date="2024-03-02 09:00"
        )
        for i, code in enumerate(sy.groupby("district")["lsoa21_code"].first().tolist() * 3)
    ]
    path = _write(tmp_path / "sy.csv", rows)
    pipeline.ingest_paths(sy_home, get_dataset("police-crime"), [path], source="syp",
                          agreement=TEST_AGREEMENT)  # fmt: skip
    expected = sy.groupby("district")["ward24_code"].nunique().to_dict()
    for district in sy_home.partnership.district_codes:
        section, f = _section(sy_home, "partner", district)
        charts = {b.id: b for b in section.blocks if isinstance(b, Chart)}
        assert "place-map" in charts, district
        assert len(charts["place-ward-map"].rows) == expected[district] == len(f.wards)
        table = next(
            b for b in section.blocks if isinstance(b, Table) and "night-time" in b.caption
        )
        assert len(table.rows) == 1  # each South Yorkshire district has one named centre
