"""The fields many standards share are the same field wherever they appear."""

from __future__ import annotations

import doctest

from vrhub.datasets import all_datasets, fields
from vrhub.datasets.police_crime import SEX


def test_docstring_examples_run() -> None:
    assert doctest.testmod(fields).failed == 0


def test_every_standard_with_a_sex_or_home_field_checks_it_the_same_way() -> None:
    sexes = [d.field("sex") for d in all_datasets() if "sex" in {f.name for f in d.fields}]
    homes = [
        d.field("residence_lsoa")
        for d in all_datasets()
        if "residence_lsoa" in {f.name for f in d.fields}
    ]
    assert len(sexes) >= 7 and len(homes) >= 6
    assert {(f.kind, f.allowed, f.required) for f in sexes} == {(sexes[0].kind, SEX, True)}
    # A home may be blank (not known) in every standard; ed-assault may send a postcode
    # instead, so only there may the column be left out.
    assert {(f.kind, f.required) for f in homes} == {(homes[0].kind, False)}
