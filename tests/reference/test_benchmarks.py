"""The benchmark file of published rates: a good file loads whole, a bad one is refused whole
with every problem named by row and field, and a file replaces only its own indicators."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from vrhub import pipeline
from vrhub.cli import main
from vrhub.errors import ReferenceDataError
from vrhub.home import Home
from vrhub.reference import benchmarks
from vrhub.reference.benchmarks import HEADER, parse_benchmarks, parse_period

GOOD = [
    "violence-with-injury,Violence with injury,E92000001,England,england,year ending 2025-09,"
    "10.1,1000,10.0,10.2,ONS,Crime in England and Wales,no",
    "violence-with-injury,Violence with injury,E12000003,Yorkshire and The Humber,region,"
    "year ending 2025-09,12.6,1000,,,ONS,Crime in England and Wales,no",
    "violence-with-injury,Violence with injury,E08000003,Manchester,comparable,"
    "year ending 2025-09,14.8,per 1000,14.1,15.5,ONS,Crime in England and Wales,no",
    "knife-enabled-serious-violence,Knife-enabled serious violence,E92000001,England,england,"
    "2024/25,80.5,100000,,,ONS,Knife crime,yes",
]


def _file(tmp_path: Path, lines: list[str], name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(home: Home) -> list[tuple[str, str, float]]:
    return [(b.indicator, b.area_code, b.rate) for b in pipeline.stored_benchmarks(home)]


def test_docstring_examples_run() -> None:
    assert doctest.testmod(benchmarks).failed == 0


def test_periods_are_read_as_their_first_and_last_month() -> None:
    assert parse_period("2025-04 to 2026-03") == ("2025-04", "2026-03")
    assert parse_period("Year ending 2026-03") == ("2025-04", "2026-03")
    assert parse_period("2023/24") == ("2023-04", "2024-03")
    assert parse_period("2024") == ("2024-01", "2024-12")
    for bad in ("2023/25", "2026-03 to 2025-04", "last year", "2025-13"):
        assert parse_period(bad) is None, bad


def test_a_good_file_loads_every_row(wy_home: Home, tmp_path: Path) -> None:
    assert pipeline.load_benchmarks(wy_home, _file(tmp_path, GOOD)) == 4
    got = {(b.indicator, b.area_code): b for b in pipeline.stored_benchmarks(wy_home)}
    region = got[("violence-with-injury", "E12000003")]
    assert (region.area_type, region.lower, region.upper, region.rate_per) == (
        "region",
        None,
        None,
        1000,
    )
    peer = got[("violence-with-injury", "E08000003")]
    assert (peer.lower, peer.upper, peer.illustrative) == (14.1, 15.5, False)
    knife = got[("knife-enabled-serious-violence", "E92000001")]
    assert (knife.period_from, knife.period_to, knife.illustrative) == ("2024-04", "2025-03", True)


def test_a_file_replaces_only_the_indicators_it_holds(wy_home: Home, tmp_path: Path) -> None:
    pipeline.load_benchmarks(wy_home, _file(tmp_path, GOOD))
    newer = GOOD[0].replace(",10.1,1000,10.0,10.2,", ",9.9,1000,9.8,10.0,")
    pipeline.load_benchmarks(wy_home, _file(tmp_path, [newer], "newer.csv"))
    assert sorted(_stored(wy_home)) == [
        ("knife-enabled-serious-violence", "E92000001", 80.5),
        ("violence-with-injury", "E92000001", 9.9),
    ]


@pytest.mark.parametrize(
    ("line", "named"),
    [
        (GOOD[0].replace("E92000001", "E9200001"), "row 3, area_code 'E9200001'"),
        (GOOD[1].replace("E12000003", "E08000035"), "row 3, area_code 'E08000035'"),
        (GOOD[0].replace(",10.1,", ",ten,"), "row 3, rate 'ten'"),
        (GOOD[0].replace(",england,", ",country,"), "row 3, area_type 'country'"),
        (GOOD[0].replace("year ending 2025-09", "last year"), "row 3, period 'last year'"),
        (GOOD[0].replace(",10.0,10.2,", ",10.0,,"), "row 3, upper ''"),
        (GOOD[0].replace(",10.0,10.2,", ",10.5,11,"), "row 3, rate '10.1'"),
        (GOOD[0].replace(",1000,", ",1500,"), "row 3, rate_per '1500'"),
        (GOOD[0].replace(",no", ",maybe"), "row 3, illustrative 'maybe'"),
        (GOOD[0].replace(",ONS,", ",,"), "row 3, source ''"),
        (GOOD[1], "row 3, area_code 'E12000003': duplicates row 2"),
        (GOOD[2].replace("E08000003", "E01011264"), "row 3, area_code 'E01011264'"),
        # A cell a spreadsheet would run as a formula, and a rate no published table gives.
        (GOOD[2].replace(",Manchester,", ",=cmd|' /C calc'!A0,"), "row 3, area_name '=cmd"),
        (GOOD[0].replace(",ONS,", ",+1+1,"), "row 3, source '+1+1': starts with = + - or @"),
        (
            GOOD[0].replace(",10.1,1000,10.0,10.2,", ",1e308,1000,,,"),
            "row 3, rate '1e308': is not a number from 0 to 1,000,000",
        ),
    ],
)
def test_every_refusal_names_its_row_and_field_and_nothing_is_loaded(
    wy_home: Home, tmp_path: Path, line: str, named: str
) -> None:
    pipeline.load_benchmarks(wy_home, _file(tmp_path, [GOOD[3]], "before.csv"))
    before = _stored(wy_home)
    bad = _file(tmp_path, [GOOD[1], line, GOOD[2]])
    with pytest.raises(ReferenceDataError) as info:
        pipeline.load_benchmarks(wy_home, bad)
    assert named in str(info.value) and "nothing loaded" in str(info.value)
    assert _stored(wy_home) == before  # no half-load: the earlier file's rows are untouched


def test_every_problem_in_a_file_is_listed_not_only_the_first() -> None:
    lines = [
        GOOD[0].replace("E92000001", "X1"),
        GOOD[1].replace(",12.6,", ",-1,"),
        GOOD[2].replace(",per 1000,", ",100000,"),
    ]
    with pytest.raises(ReferenceDataError) as info:
        parse_benchmarks(HEADER + "\n" + "\n".join(lines), "rates.csv")
    text = str(info.value)
    assert "3 problems" in text
    assert "row 2, area_code 'X1'" in text
    assert "row 3, rate '-1'" in text
    assert "row 4, rate_per 'per 1000'" not in text  # the bad row is row 4 and is named so
    assert "row 4, rate_per '100000': differs from row" in text


def test_a_huge_file_is_refused_before_it_is_read_row_by_row() -> None:
    row = GOOD[0]
    lines = [row.replace("violence-with-injury", f"x-big-{i}") for i in range(5_001)]
    with pytest.raises(ReferenceDataError, match="5,002 lines, more than the 5,000 rates"):
        parse_benchmarks(HEADER + "\n" + "\n".join(lines) + "\n", "huge.csv")
    assert len(parse_benchmarks(HEADER + "\n" + "\n".join(lines[:4_999]), "ok.csv")) == 4_999


def test_a_missing_column_is_named() -> None:
    with pytest.raises(ReferenceDataError, match="missing column area_type"):
        parse_benchmarks(HEADER.replace(",area_type", "") + "\n", "rates.csv")
    # The optional 95% limits may be left out altogether.
    short = HEADER.replace(",lower,upper", "")
    row = GOOD[1].replace(",,,ONS,", ",ONS,")
    [b] = parse_benchmarks(short + "\n" + row + "\n", "rates.csv")
    assert (b.lower, b.upper) == (None, None)


def test_the_command_loads_lists_and_refuses(
    wy_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(wy_home.path)]
    assert main(["reference", "benchmarks", "list", *home]) == 0
    assert "No published rates are loaded" in capsys.readouterr().err
    good = _file(tmp_path, GOOD)
    assert main(["reference", "benchmarks", "load", str(good), *home]) == 0
    assert "Loaded 4 published rates from rates.csv" in capsys.readouterr().out
    assert main(["reference", "benchmarks", "list", "--format", "csv", *home]) == 0
    listed = capsys.readouterr().out
    assert "Manchester (E08000003),comparable,year ending 2025-09,14.8,1000,14.1 to 15.5" in listed
    bad = _file(tmp_path, [GOOD[0].replace(",england,", ",nation,")], "bad.csv")
    assert main(["reference", "benchmarks", "load", str(bad), *home]) == 1
    assert "row 2, area_type 'nation'" in capsys.readouterr().err
