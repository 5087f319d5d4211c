"""Town centres in the partnership file: ward codes checked at load, each mistake named."""

from __future__ import annotations

import csv
import gzip

import pytest

from vrhub.errors import PartnershipError
from vrhub.partnership import builtin_partnerships, parse_partnership, ward_lookup_file

BASE = 'name = "W"\n[[districts]]\ncode = "E08000035"\nname = "Leeds"\n'


def _parse(centres: str) -> object:
    return parse_partnership(BASE + centres, "w.toml")


def test_a_town_centre_of_real_wards_loads_and_round_trips() -> None:
    p = _parse('[[town_centres]]\nname = "Leeds city centre"\nwards = ["e05011403", "E05011399"]\n')
    [centre] = p.town_centres  # type: ignore[attr-defined]
    assert centre.wards == ["E05011403", "E05011399"]  # stored in capitals
    again = parse_partnership(p.to_toml(), "again.toml")  # type: ignore[attr-defined]
    assert again.town_centres == p.town_centres  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("wards", "message"),
    [
        ('["E0501140"]', r"w\.toml: town_centres\.0\.wards: 'E0501140' is not a ward code"),
        ('["E08000035"]', r"'E08000035' is not a ward code \(expected E05 or W05"),
        ('["E05999999"]', r"E05999999 is not a ward of the ONS 2024 ward lookup"),
        ('["E05011403", "E05011403"]', r"ward E05011403 is listed more than once"),
        ('["E05010862"]', r"w\.toml: town_centres\.0\.wards: E05010862 \(City\) is in district "
                          r"E08000039, which is not one of the partnership's districts"),
        ("[]", r"town_centres\.0\.wards: List should have at least 1 item"),
    ],
)  # fmt: skip
def test_a_bad_ward_is_refused_naming_it(wards: str, message: str) -> None:
    with pytest.raises(PartnershipError, match=message):
        _parse(f'[[town_centres]]\nname = "Centre"\nwards = {wards}\n')


def test_a_centre_named_twice_is_refused() -> None:
    one = '[[town_centres]]\nname = "Leeds"\nwards = ["E05011403"]\n'
    with pytest.raises(PartnershipError, match="town centre Leeds is named more than once"):
        _parse(one + one)


def test_the_shipped_partnerships_name_real_wards_of_their_own_districts() -> None:
    with gzip.open(ward_lookup_file(), "rt", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # Barnsley's and Sheffield's wards are listed under their 2024 district codes.
    today = {"E08000016": "E08000038", "E08000019": "E08000039"}
    ward_district = {r["WD24CD"]: today.get(r["LAD24CD"], r["LAD24CD"]) for r in rows}
    for p in builtin_partnerships().values():
        assert p.town_centres, p.slug
        for centre in p.town_centres:
            for ward in centre.wards:
                assert ward_district[ward] in p.district_codes, (centre.name, ward)
    wy = builtin_partnerships()["west-yorkshire"]
    leeds = next(c for c in wy.town_centres if c.name == "Leeds city centre")
    assert leeds.wards == ["E05011403", "E05011399"]
