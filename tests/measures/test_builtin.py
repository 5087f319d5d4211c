"""Built-in measures on a hand-made police extract whose answers are counted by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import POLICE_CRIME_HEADER, police_crime_row
from vrhub import pipeline
from vrhub.datasets import get_dataset
from vrhub.errors import UnsupportedFieldError
from vrhub.home import Home
from vrhub.measures.registry import all_measures

PC = get_dataset("police-crime")
VAP, SEX, ROB = "Violence against the person", "Sexual offences", "Robbery"

# (offence code, group, knife, firearm, domestic, victim sex, victim age)
ROWS = [
    ("001/01", VAP, "Y", "N", "N", "M", "19"),  # 1 non-domestic homicide with a knife
    ("001/01", VAP, "N", "N", "Y", "F", "40"),  # 2 domestic homicide
    ("008/01", VAP, "Y", "N", "N", "M", "16"),  # 3 knife assault with injury, a child
    ("034/02", ROB, "Y", "N", "N", "M", "22"),  # 4 knife personal robbery
    ("034/01", ROB, "N", "Y", "N", "M", "45"),  # 5 business robbery with a gun
    ("008/01", VAP, "N", "N", "Y", "F", "30"),  # 6 domestic assault with injury
    ("017/01", SEX, "N", "N", "N", "F", "15"),  # 7 sexual assault of a girl
    ("022/01", SEX, "N", "N", "N", "F", "14"),  # 8 child sexual exploitation
    ("105/01", VAP, "N", "N", "N", "M", ""),  # 9 assault without injury: not serious
    ("010/01", "Possession of weapons offences", "Y", "N", "N", "M", "17"),  # 10 blade
]


@pytest.fixture
def home(wy_home: Home, tmp_path: Path) -> Home:
    path = tmp_path / "pc.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=POLICE_CRIME_HEADER)
        w.writeheader()
        for i, (code, group, knife, gun, dom, sex, age) in enumerate(ROWS, start=1):
            w.writerow(
                police_crime_row(
                    i,
                    ho_offence_code=code,
                    ho_offence_group=group,
                    knife_or_sharp_instrument=knife,
                    firearm=gun,
                    domestic_abuse=dom,
                    victim_sex=sex,
                    victim_age=age,
                )
            )
    [r] = pipeline.ingest_paths(wy_home, PC, [path], source="wyp")
    assert r.rows_accepted == len(ROWS), r.message
    return wy_home


def counts(home: Home, name: str, by: list[str]) -> dict[tuple[str, ...], int]:
    return {row.group: row.count for row in pipeline.run_measure(home, name, PC, by).rows}


def test_serious_violence_categories_by_hand(home: Home) -> None:
    got = counts(home, "serious-violence", ["sv_category"])
    assert got == {
        ("homicide",): 2,  # rows 1, 2
        ("knife-crime",): 4,  # rows 1, 3, 4 (flagged violence/robbery) and 10 (blade)
        ("personal-robbery",): 1,  # row 4
        ("gun-crime",): 1,  # row 5
        ("violence-against-women-and-girls",): 4,  # rows 2, 6, 7, 8
        ("sexual-exploitation",): 1,  # row 8
        ("domestic-abuse",): 2,  # rows 2, 6
    }
    # In total each record counts once: every row but 9.
    result = pipeline.run_measure(home, "serious-violence", PC, [])
    assert [r.count for r in result.rows] == [9]
    assert result.definition == "wy-sv-1"


def test_success_measures_and_others_by_hand(home: Home) -> None:
    assert counts(home, "non-domestic-homicide", []) == {(): 1}
    assert counts(home, "knife-enabled-serious-violence", []) == {(): 3}  # rows 1, 3, 4
    assert counts(home, "knife-enabled-serious-violence", ["under_25"]) == {("under 25",): 3}
    assert counts(home, "knife-enabled-robbery", []) == {(): 1}
    assert counts(home, "violence-with-injury", []) == {(): 4}  # rows 1, 2, 3, 6
    victims = counts(home, "victims", ["age_group"])
    assert victims == {
        ("child (under 18)",): 3,  # rows 3, 7, 8 (row 10 is not violence)
        ("young adult (18 to 25)",): 2,  # rows 1, 4
        ("adult (26 and over)",): 3,  # rows 2, 5, 6
        ("unknown",): 1,  # row 9
    }
    result = pipeline.run_measure(home, "victims", PC, ["age_group"])
    assert all(r.rate is None and r.population is None for r in result.rows)
    rate = pipeline.run_measure(home, "non-domestic-homicide", PC, ["district"]).rows[0]
    assert rate.population is not None and rate.rate == pytest.approx(1e6 / rate.population)


def test_unsupported_combinations_refuse_with_named_errors(home: Home) -> None:
    uk = get_dataset("police-uk-street")
    with pytest.raises(
        UnsupportedFieldError,
        match="needs the fields knife_flag, offence_group, which the police-uk-street dataset "
        r"does not hold \(it can be computed from police-crime\)",
    ):
        pipeline.run_measure(home, "knife-enabled-serious-violence", uk)
    with pytest.raises(UnsupportedFieldError, match="needs the fields victim_age, victim_sex"):
        pipeline.run_measure(home, "victims", get_dataset("hospital-admission"))
    with pytest.raises(UnsupportedFieldError, match="cannot be computed from police-uk-street"):
        pipeline.run_measure(home, "serious-violence", uk)
    with pytest.raises(UnsupportedFieldError, match="needs an age, which the police-uk-street"):
        pipeline.run_measure(home, "crime-rate", uk, ["age_group"])


def test_every_measure_says_which_datasets_feed_it() -> None:
    names = {m.name for m in all_measures()}
    assert {
        "crime-rate",
        "serious-violence",
        "hospital-knife-admissions",
        "knife-enabled-serious-violence",
        "non-domestic-homicide",
        "ed-assault-attendances",
        "violence-with-injury",
        "knife-enabled-robbery",
        "victims",
    } <= names
