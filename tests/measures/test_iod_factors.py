"""The IoD factors against pandas over the official files: neighbourhoods highly deprived on six
or more of the seven domains, people in the most deprived fifth, the crime domain; and the
definition checked against the figures the seeds' needs assessment states."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import RAW
from vrhub.home import Home
from vrhub.hub import Hub, open_hub
from vrhub.measures import iod_factors as iod_factors_module
from vrhub.measures.iod_factors import iod_factors

IOD2025 = RAW / "imd2025" / "File_2_IoD2025 Domains of Deprivation.csv"
IOD2019 = RAW / "imd2019" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
IDACI = "File_3_IoD2025 Supplementary Indices_IDACI and IDAOPI.csv"
POP2019 = "File_6_-_IoD2019_Population_Denominators.csv.gz"
CENSUS = (
    Path(__file__).resolve().parents[2]
    / "src/vrhub/reference/data/census2021_population_lsoa21.csv.gz"
)
LEEDS, BRADFORD, CALDERDALE = "E08000035", "E08000032", "E08000033"
WY = ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]

pytestmark = pytest.mark.skipif(not IOD2025.is_file(), reason="raw IoD files not present")


def _official(path: Path) -> pd.DataFrame:
    """The file's LSOA, district, IMD decile, crime decile and domains in decile 1."""
    f = pd.read_csv(path)
    deciles = [c for c in f.columns if "Decile" in c]
    assert len(deciles) == 8 and deciles[0].startswith("Index of Multiple Deprivation")
    out = pd.DataFrame(
        {
            "lsoa": f.iloc[:, 0],
            "district": f.iloc[:, 2],
            "imd": f[deciles[0]],
            "crime": f[next(c for c in deciles if c.startswith("Crime"))],
            "in_1": (f[deciles[1:]] == 1).sum(axis=1),
        }
    )
    return out


@pytest.fixture
def hub(wy_home: Home) -> Iterator[Hub]:
    with open_hub(wy_home) as h:
        yield h


def test_docstring_examples_run() -> None:
    r = doctest.testmod(iod_factors_module)
    assert r.failed == 0 and r.attempted >= 3


def test_iod2025_figures_match_pandas_over_the_official_file(hub: Hub) -> None:
    f = _official(IOD2025)
    pop = pd.read_csv(CENSUS).rename(columns={"lsoa21_code": "lsoa", "all": "people"})
    f = f.merge(pop[["lsoa", "people"]], on="lsoa", how="left")
    result = iod_factors(hub.con, WY)
    assert result.iod == "IoD 2025"
    assert result.england_highly_deprived == int((f.in_1 >= 6).sum()) == 226
    assert result.population is not None and result.population.source.startswith("Census 2021")
    for code in (LEEDS, BRADFORD):
        mine = f[f.district == code]
        a = result.area(code)
        assert a.lsoas == len(mine)
        assert a.highly_deprived == int((mine.in_1 >= 6).sum())
        assert a.most_deprived_lsoas == int((mine.imd <= 2).sum())
        assert a.crime_decile_1 == int((mine.crime == 1).sum())
        assert a.population == mine.people.sum()
        share = mine.people[mine.imd <= 2].sum() / mine.people.sum()
        assert a.most_deprived_fifth_share == pytest.approx(share, abs=1e-12)
        crime = mine.people[mine.crime <= 2].sum() / mine.people.sum()
        assert a.crime_fifth_share == pytest.approx(crime, abs=1e-12)
    # Bradford is by far the most deprived: 13 of West Yorkshire's 23, over half its people
    # in the most deprived fifth.
    assert result.area(BRADFORD).highly_deprived == 13
    assert result.whole.highly_deprived == int((f[f.district.isin(WY)].in_1 >= 6).sum()) == 23
    wy = f[f.district.isin(WY)]
    assert result.whole.most_deprived_fifth_share == pytest.approx(
        wy.people[wy.imd <= 2].sum() / wy.people.sum(), abs=1e-12
    )
    assert result.area(BRADFORD).most_deprived_fifth_share > 0.5


def test_children_in_the_most_deprived_fifth_on_idaci_match_pandas(hub: Hub) -> None:
    idaci = pd.read_csv(IOD2025.with_name(IDACI))
    decile = next(c for c in idaci.columns if c.startswith("Income Deprivation Affecting Children")
                  and "Decile" in c)  # fmt: skip
    kids = pd.read_csv(CENSUS).rename(columns={"lsoa21_code": "lsoa", "0-15": "children"})
    f = idaci.rename(columns={idaci.columns[0]: "lsoa", idaci.columns[2]: "district"}).merge(
        kids[["lsoa", "children"]], on="lsoa"
    )
    result = iod_factors(hub.con, WY)
    for code in (LEEDS, BRADFORD):
        mine = f[f.district == code]
        a = result.area(code)
        assert a.children == mine.children.sum()
        share = mine.children[mine[decile] <= 2].sum() / mine.children.sum()
        assert a.idaci_fifth_share == pytest.approx(share, abs=1e-12)
    # IoD 2019 as vrhub holds it has no IDACI: none is given, never 0.
    assert iod_factors(hub.con, WY, "2019").area(LEEDS).idaci_fifth_share is None


def test_the_definition_gives_the_seeds_figures_on_iod2019(hub: Hub) -> None:
    """Seed 001: "Of those areas ranked as the most deprived nationally, 137 rank as highly
    deprived on 6 of the 7 domains of deprivation. Twenty-six (19%) of these are in West
    Yorkshire (Leeds has 13, Bradford has 11 and Calderdale has 2)." Decile 1 on six or more
    of the seven domains, over IoD 2019, gives exactly that.

    The seed's other figure, "just under one third of West Yorkshire's population live in
    neighbourhoods in the 20% most deprived areas", does not match ours (36.4% over IoD 2019
    with its own mid-2015 denominators, 35.9% over IoD 2025 with Census 2021): the seed does
    not say which population it weighted by, so that figure is not asserted.
    """
    result = iod_factors(hub.con, WY, "2019")
    f = _official(IOD2019)
    assert result.england_highly_deprived == int((f.in_1 >= 6).sum()) == 137
    got = {code: result.area(code).highly_deprived for code in WY}
    assert got == {
        "E08000032": 11, "E08000033": 2, "E08000034": 0, "E08000035": 13, "E08000036": 0,
    }  # fmt: skip
    assert result.whole.highly_deprived == 26
    assert round(100 * 26 / 137) == 19
    pop = pd.read_csv(IOD2019.with_name(POP2019), thousands=",", encoding="utf-8-sig")
    f["people"] = f.lsoa.map(dict(zip(pop.iloc[:, 0], pop.iloc[:, 4], strict=True)))
    wy = f[f.district.isin(WY)]
    share = wy.people[wy.imd <= 2].sum() / wy.people.sum()
    assert result.whole.most_deprived_fifth_share == pytest.approx(share, abs=1e-12)
    assert round(share, 3) == 0.364


def test_an_area_the_iod_does_not_rank_is_refused(hub: Hub) -> None:
    from vrhub.errors import ReferenceDataError

    with pytest.raises(ReferenceDataError, match="ranks no LSOA of W06000001"):
        iod_factors(hub.con, ["W06000001"])
    with pytest.raises(ReferenceDataError, match="no IoD 2010"):
        iod_factors(hub.con, WY, "2010")


def test_south_yorkshire_districts_under_their_new_codes(sy_home: Home) -> None:
    """Barnsley and Sheffield are E08000038 and E08000039 since April 2025; the IoD 2025 file
    still says E08000016 and E08000019. The figures follow the partnership's codes."""
    f = _official(IOD2025)
    codes = list(sy_home.partnership.district_codes)
    with open_hub(sy_home) as hub:
        result = iod_factors(hub.con, codes)
    old = {"E08000038": "E08000016", "E08000039": "E08000019"}
    for code in codes:
        mine = f[f.district == old.get(code, code)]
        assert result.area(code).lsoas == len(mine) > 0
        assert result.area(code).highly_deprived == int((mine.in_1 >= 6).sum())
