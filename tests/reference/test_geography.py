"""Current geography: every district code since 2011 maps to today's, and LSOA 2011 and 2021
codes both place records, with splits and merges taken from the official ONS lookup."""

from __future__ import annotations

import csv
import gzip
import warnings
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.conftest import RAW, grant_test_agreement, write_police_uk
from tests.governance.conftest import add_orgs
from vrhub import pipeline
from vrhub.cli import main
from vrhub.datasets import get_dataset
from vrhub.errors import (
    PartnershipError,
    ReferenceDataError,
    UnknownDistrictError,
    UnsupportedFieldError,
)
from vrhub.home import Home
from vrhub.partnership import current_code, parse_partnership, resolve_partnership
from vrhub.records.models import User
from vrhub.reference.geography import (
    OFFICIAL_METHOD,
    current_district,
    current_district_sql,
    place_lsoas,
)
from vrhub.reference.sources import shipped_dir
from vrhub.store.analytical import connect

POLICE_UK = get_dataset("police-uk-street")
BARNSLEY, SHEFFIELD = "E08000038", "E08000039"
NINE = ("E08000038", "E08000017", "E08000018", "E08000039", "E08000032", "E08000033")
NINE += ("E08000034", "E08000035", "E08000036")
# Real LSOAs from the ONS lookup: a Barnsley 2011 LSOA that split in two in 2021, two
# Sheffield 2011 LSOAs merged into one 2021 LSOA, and an unchanged Barnsley LSOA.
SPLIT11, SPLIT21 = "E01032550", ("E01034258", "E01034259")
MERGED11, MERGED21 = ("E01007877", "E01007944"), "E01034842"
UNCHANGED = "E01007436"


def _rows(home: Home, sql: str) -> list[tuple[object, ...]]:
    con = connect(home)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _toml(path: Path, districts: list[tuple[str, str]]) -> Path:
    lines = ['name = "Test partnership"', ""]
    for code, name in districts:
        lines += ["[[districts]]", f'code = "{code}"', f'name = "{name}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _police_uk_row(i: int, lsoa: str, month: str = "2022-01") -> str:
    return f"id{i},{month},X Police,X Police,-1.5,53.5,On or near X,{lsoa},Somewhere,Burglary,,"


# District codes ---------------------------------------------------------------------------


def test_every_district_code_since_2011_maps_to_todays() -> None:
    assert current_code("E08000016") == BARNSLEY  # SI 2024/1328, from 1 April 2025
    assert current_code("e08000019 ") == SHEFFIELD
    assert current_code(BARNSLEY) == BARNSLEY
    assert current_code("E07000165") == "E06000065"  # Harrogate → North Yorkshire
    assert current_code("E06000028") == "E06000058"  # Bournemouth → BCP
    assert current_code("E07000027") == "E06000064"  # Barrow-in-Furness → Westmorland
    assert current_code("E07000190") == "E06000066"  # Taunton Deane → Somerset
    assert current_code("E07000004") == "E06000060"  # Aylesbury Vale → Buckinghamshire
    assert current_code("E07000150") == "E06000061"  # Corby → North Northamptonshire
    assert current_code("E08000035") == "E08000035"
    with pytest.raises(UnknownDistrictError) as err:
        current_code("E08000099")
    assert str(err.value) == (
        "E08000099 is not a local authority district code ONS has used since 2011; "
        "check the code (Leeds is E08000035)"
    )


def test_the_store_knows_each_districts_region_csp_and_police_force(sy_home: Home) -> None:
    rows = {
        r[0]: r[1:]
        for r in _rows(
            sy_home,
            "SELECT code, current_code, is_current, region_code, csp_code, csp_name, pfa_code "
            "FROM ref_lad_codes",
        )
    }
    assert len(rows) == 415 and sum(1 for r in rows.values() if r[1]) == 361
    barnsley = ("E08000038", True, "E12000003", "E22000259", "Barnsley", "E23000011")
    assert rows["E08000038"] == barnsley
    assert rows["E08000016"] == ("E08000038", False, *barnsley[2:])
    # BCP is served by three CSPs: no single code, each named; one police force (Dorset).
    assert rows["E06000058"][3] is None and rows["E06000058"][5] == "E23000039"
    assert rows["E06000058"][4] == "Bournemouth; Dorset; Poole"
    assert rows["W06000001"][2] == "W92000004"  # Wales: the country, no English region
    assert _rows(sy_home, "SELECT count(*) FROM ref_lad_csp WHERE district = 'E06000058'") == [(3,)]
    assert _rows(sy_home, "SELECT name FROM ref_lad WHERE code = 'E08000038'") == [("Barnsley",)]
    assert _rows(sy_home, "SELECT name FROM ref_lad WHERE code = 'E08000016'") == [("Barnsley",)]
    con = connect(sy_home)
    try:
        assert current_district(con, "E08000019") == SHEFFIELD
        with pytest.raises(UnknownDistrictError, match="E08000099 is not a local authority"):
            current_district(con, "E08000099")
        column = current_district_sql("x")
        got = con.execute(
            f"SELECT {column} FROM (VALUES ('E08000016'), ('E08000035'), ('Z1'), (NULL)) t(x)"
        ).fetchall()
        assert got == [(BARNSLEY,), ("E08000035",), ("Z1",), (None,)]
    finally:
        con.close()
    # No stored district is an old code.
    old = "SELECT code FROM ref_lad_codes WHERE NOT is_current"
    for table in ("ref_lsoa", "ref_lsoa11", "ref_lsoa21", "ref_postcode", "ref_lsoa_ward"):
        assert _rows(sy_home, f"SELECT count(*) FROM {table} WHERE district IN ({old})") == [(0,)]


def test_a_partnership_given_old_codes_is_mapped_and_an_unknown_code_refused() -> None:
    p = resolve_partnership("south-yorkshire")
    assert p.district_codes == [BARNSLEY, "E08000017", "E08000018", SHEFFIELD]
    old = parse_partnership(
        'name = "SY"\n[[districts]]\ncode = "E08000016"\nname = "Barnsley"\n', "sy.toml"
    )
    assert old.district_codes == [BARNSLEY] and old.districts[0].former_code == "E08000016"
    assert old.recoded == [
        "Barnsley E08000016 is an older district code: using Barnsley E08000038, "
        "the code ONS uses now"
    ]
    assert "E08000016" not in old.to_toml()
    with pytest.raises(PartnershipError, match=r"^x.toml: districts.0.code: E08000099 is not"):
        parse_partnership('name = "X"\n[[districts]]\ncode = "E08000099"\nname = "N"\n', "x.toml")
    both = (
        'name = "NY"\n[[districts]]\ncode = "E07000163"\nname = "Craven"\n'
        '[[districts]]\ncode = "E07000165"\nname = "Harrogate"\n'
    )
    with pytest.raises(PartnershipError, match=r"E06000065 is listed more than once \(given as"):
        parse_partnership(both, "ny.toml")
    assert p.district_code("E08000016") == BARNSLEY
    with pytest.raises(PartnershipError, match="E08000035 is not a district of South Yorkshire"):
        p.district_code("E08000035")


def test_init_maps_an_old_code_and_refuses_an_unknown_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _toml(tmp_path / "bad.toml", [("E08000099", "Nowhere")])
    assert main(["init", "--home", str(tmp_path / "bad"), "--partnership", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "E08000099 is not a local authority district" in err
    assert not (tmp_path / "bad").exists()
    old = _toml(tmp_path / "old.toml", [("E08000016", "Barnsley"), ("E08000019", "Sheffield")])
    assert main(["init", "--home", str(tmp_path / "h"), "--partnership", str(old)]) == 0
    out = capsys.readouterr().out
    assert "Barnsley E08000016 is an older district code: using Barnsley E08000038" in out
    assert "Districts: Barnsley (E08000038), Sheffield (E08000039)" in out
    home = pipeline.open_partnership_home(tmp_path / "h")
    assert home.partnership.district_codes == [BARNSLEY, SHEFFIELD]
    # Records coded to old or new codes' LSOAs land under today's codes, in the partnership.
    grant_test_agreement(home)
    f = write_police_uk(
        tmp_path / "sy.csv", [_police_uk_row(1, UNCHANGED), _police_uk_row(2, MERGED11[0])]
    )
    [r] = pipeline.ingest_paths(home, POLICE_UK, [f])
    assert r.status == "loaded"
    got = pipeline.counts(home, POLICE_UK, ["district"], districts=["E08000016"])
    assert got.rows == [(BARNSLEY, 1)]
    got = pipeline.counts(home, POLICE_UK, ["district"], districts=[SHEFFIELD])
    assert got.rows == [(SHEFFIELD, 1)]
    released = pipeline.export_counts(
        home, POLICE_UK, ["district"], "analyst", districts=["E08000019"]
    )
    assert [r[:2] for r in released.rows] == [(SHEFFIELD, 1)]
    with pytest.raises(UnknownDistrictError):
        pipeline.counts(home, POLICE_UK, ["district"], districts=["E08000099"])


def test_a_north_yorkshire_and_bcp_partnership_works(tmp_path: Path) -> None:
    toml = _toml(tmp_path / "p.toml", [("E07000165", "Harrogate"), ("E06000058", "BCP")])
    home, created = pipeline.init_partnership_home(tmp_path / "h", str(toml))
    assert created
    assert [(d.code, d.name) for d in home.partnership.districts] == [
        ("E06000065", "North Yorkshire"),
        ("E06000058", "BCP"),  # a current code keeps the name the file gives it
    ]
    # Every LSOA of either vintage the ONS lookup puts in each district (by its 2022 code,
    # e.g. Harrogate's, mapped to today's) is placed there.
    expected: dict[str, set[str]] = {"E06000065": set(), "E06000058": set()}
    lookups = shipped_dir() / "lookups"
    with gzip.open(lookups / "la_all_codes.csv.gz", "rt", newline="") as fh:
        today = {r["LADCD"]: r["LADCD_ACTIVE"] for r in csv.DictReader(fh)}
    with gzip.open(lookups / "lsoa11_lsoa21_lad22_ew.csv.gz", "rt", newline="") as fh:
        for r in csv.DictReader(fh):
            if today[r["LAD22CD"]] in expected:
                expected[today[r["LAD22CD"]]] |= {r["LSOA11CD"], r["LSOA21CD"]}
    got = dict(
        _rows(
            home,
            "SELECT district, count(*) FROM ref_lsoa "
            "WHERE district IN ('E06000065', 'E06000058') GROUP BY 1",
        )
    )  # type: ignore[arg-type]
    assert got == {k: len(v) for k, v in expected.items()} == {"E06000065": 402, "E06000058": 247}
    grant_test_agreement(home)
    rows = [
        _police_uk_row(1, "E01027666"),  # Harrogate 001A
        _police_uk_row(2, "E01015431"),  # Poole 001A
        _police_uk_row(3, "E01015301"),  # Bournemouth 001A
        _police_uk_row(4, UNCHANGED),  # Barnsley: outside this partnership
    ]
    [r] = pipeline.ingest_paths(home, POLICE_UK, [write_police_uk(tmp_path / "f.csv", rows)])
    assert r.status == "loaded"
    table = pipeline.counts(home, POLICE_UK, ["district"])
    assert table.rows == [("E06000058", 2), ("E06000065", 1)]


# LSOA 2011 and 2021 -----------------------------------------------------------------------


def test_the_official_lookup_for_west_and_south_yorkshire(sy_home: Home) -> None:
    nine = ", ".join(f"'{c}'" for c in NINE)
    got = _rows(
        sy_home,
        "SELECT relationship, count(*) FROM ref_lsoa_map m JOIN ref_lsoa21 l ON l.code = m.lsoa21 "
        f"WHERE l.district IN ({nine}) GROUP BY 1 ORDER BY 1",
    )
    assert got == [("M", 12), ("S", 56), ("U", 2_202)]
    assert _rows(sy_home, "SELECT DISTINCT method FROM ref_lsoa_map") == [(OFFICIAL_METHOD,)]
    con = connect(sy_home)
    try:
        at21 = place_lsoas(
            con, [SPLIT11, *MERGED11, MERGED21, UNCHANGED, None, "E01999999"], "2021"
        )
        assert at21.codes == (None, MERGED21, MERGED21, MERGED21, UNCHANGED, None, None)
        assert (at21.unplaced, at21.unknown) == (3, 1)
        at11 = place_lsoas(con, [*SPLIT21, MERGED21, MERGED11[1]], "2011")
        assert at11.codes == (SPLIT11, SPLIT11, None, MERGED11[1])
        assert at11.unplaced == 1 and at11.unknown == 0
        with pytest.raises(UnsupportedFieldError, match="vintage '2001'"):
            place_lsoas(con, [UNCHANGED], "2001")
    finally:
        con.close()


def test_records_coded_to_either_vintage_are_placed_honestly(sy_home: Home, tmp_path: Path) -> None:
    codes = [UNCHANGED, SPLIT11, SPLIT21[0], MERGED11[0], MERGED11[1], MERGED21]
    f = write_police_uk(tmp_path / "f.csv", [_police_uk_row(i, c) for i, c in enumerate(codes)])
    [r] = pipeline.ingest_paths(sy_home, POLICE_UK, [f])
    assert r.status == "loaded" and r.rows_accepted == 6
    got = _rows(
        sy_home,
        f"SELECT lsoa11, lsoa21, district, in_partnership FROM {POLICE_UK.table} "
        "ORDER BY row_number",
    )
    assert got == [
        (UNCHANGED, UNCHANGED, BARNSLEY, True),
        (SPLIT11, None, BARNSLEY, True),  # split: no single 2021 area, still in Barnsley
        (SPLIT11, SPLIT21[0], BARNSLEY, True),
        (MERGED11[0], MERGED21, SHEFFIELD, True),
        (MERGED11[1], MERGED21, SHEFFIELD, True),
        (None, MERGED21, SHEFFIELD, True),  # merged: no single 2011 area
    ]
    # The merged 2021 area gets all three records (its 2011 parts' too): not a false 0.
    by21 = dict(pipeline.counts(sy_home, POLICE_UK, ["lsoa21"]).rows)  # type: ignore[arg-type]
    assert by21[MERGED21] == 3


def test_a_tiny_lookup_gives_splits_and_merges_by_hand(sy_home: Home, tmp_path: Path) -> None:
    """A hand-built lookup loaded with `reference load --from`: A unchanged, B split into B1
    and B2, C and D merged into E; the district given by an old code is held as today's."""
    folder = tmp_path / "newer"
    folder.mkdir()
    (folder / "LSOA11_LSOA21_LAD22_EW_LU.csv").write_text(
        "LSOA11CD,LSOA11NM,CHGIND,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM\n"
        "E01900001,A,U,E01900001,A,E08000016,Barnsley\n"
        "E01900002,B,S,E01900012,B1,E08000016,Barnsley\n"
        "E01900002,B,S,E01900022,B2,E08000016,Barnsley\n"
        "E01900003,C,M,E01900005,E,E08000019,Sheffield\n"
        "E01900004,D,M,E01900005,E,E08000019,Sheffield\n",
        encoding="utf-8",
    )
    loaded = {s.kind: s.origin for s in pipeline.load_reference_data(sy_home, folder)}
    assert loaded["lsoa11-lsoa21"] == str(folder) and loaded["lad-codes"] == "shipped"
    got = _rows(
        sy_home,
        "SELECT code, district, lsoa11, lsoa21, vintage FROM ref_lsoa "
        "WHERE code LIKE 'E019000%' ORDER BY code",
    )
    assert got == [
        ("E01900001", BARNSLEY, "E01900001", "E01900001", "2011 and 2021"),
        ("E01900002", BARNSLEY, "E01900002", None, "2011"),
        ("E01900003", SHEFFIELD, "E01900003", "E01900005", "2011"),
        ("E01900004", SHEFFIELD, "E01900004", "E01900005", "2011"),
        ("E01900005", SHEFFIELD, None, "E01900005", "2021"),
        ("E01900012", BARNSLEY, "E01900002", "E01900012", "2021"),
        ("E01900022", BARNSLEY, "E01900002", "E01900022", "2021"),
    ]


def test_newer_official_csvs_are_recognised_by_their_header(sy_home: Home, tmp_path: Path) -> None:
    """ONS's own CSV layout (a byte-order mark, Welsh names, ObjectId) of newer vintages."""
    folder = tmp_path / "newer"
    folder.mkdir()
    (folder / "LAD25_RGN25_EN_LU.csv").write_text(
        "\ufeffLAD25CD,LAD25NM,RGN25CD,RGN25NM,ObjectId\n"
        "E08000038,Barnsley,E12000099,Test Region,1\n",
        encoding="utf-8",
    )
    (folder / "LAD25_CSP25_PFA25_EW_LU.csv").write_text(
        "\ufeffLAD25CD,LAD25NM,LAD25NMW,CSP25CD,CSP25NM,PFA25CD,PFA25NM,ObjectId\n"
        "E08000016,Barnsley,,E22000999,Barnsley Safer,E23000011,South Yorkshire,1\n",
        encoding="utf-8",
    )
    loaded = {s.kind: s.origin for s in pipeline.load_reference_data(sy_home, folder)}
    assert loaded["lad-region"] == loaded["lad-csp-pfa"] == str(folder)
    got = _rows(
        sy_home,
        "SELECT code, region_code, region_name, csp_code, csp_name FROM ref_lad_codes "
        "WHERE code IN ('E08000016', 'E08000017') ORDER BY code",
    )
    assert got == [
        ("E08000016", "E12000099", "Test Region", "E22000999", "Barnsley Safer"),
        # Not in the newer region file: the ONS code list's region; no CSP listed.
        ("E08000017", "E12000003", "Yorkshire and The Humber", None, None),
    ]


def test_a_code_list_retiring_a_partnership_district_is_refused(
    sy_home: Home, tmp_path: Path
) -> None:
    """A newer list saying Doncaster has a new code would leave its records outside the
    partnership unseen: refused, and the reference data already loaded is kept."""
    folder = tmp_path / "newer"
    folder.mkdir()
    with gzip.open(shipped_dir() / "lookups" / "la_all_codes.csv.gz", "rt", newline="") as fh:
        rows = list(csv.DictReader(fh))
    doncaster = next(r for r in rows if r["LADCD"] == "E08000017")
    rows.append({**doncaster, "LADCD": "E08000041", "LADCD_ACTIVE": "E08000041"})
    doncaster.update(LADCD_ACTIVE="E08000041", Current="FALSE")
    with open(folder / "la_all_codes.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(
        ReferenceDataError, match="says Doncaster E08000017 is now Doncaster E08000041"
    ):
        pipeline.load_reference_data(sy_home, folder)
    assert _rows(sy_home, "SELECT current_code FROM ref_lad_codes WHERE code = 'E08000017'") == [
        ("E08000017",)
    ]


def test_a_home_built_with_old_codes_is_recoded_when_opened(sy_home: Home, tmp_path: Path) -> None:
    rows = [_police_uk_row(1, UNCHANGED), _police_uk_row(2, MERGED11[0])]
    pipeline.ingest_paths(sy_home, POLICE_UK, [write_police_uk(tmp_path / "f.csv", rows)])
    # As an earlier release left it: old codes in its events, reference tables and
    # partnership file, and migrations 5 (current codes) and 6 not yet applied.
    con = connect(sy_home)
    try:
        for table in (POLICE_UK.table, "ref_lsoa", "ref_lsoa11", "ref_lsoa21", "ref_postcode"):
            con.execute(
                f"UPDATE {table} SET district = CASE district WHEN '{BARNSLEY}' THEN 'E08000016' "
                f"ELSE 'E08000019' END WHERE district IN ('{BARNSLEY}', '{SHEFFIELD}')"
            )
        con.execute("DELETE FROM store_migrations WHERE version >= 5")
        con.execute("DELETE FROM ref_lad_codes")
    finally:
        con.close()
    ptoml = sy_home.path / "partnership.toml"
    ptoml.write_text(
        ptoml.read_text(encoding="utf-8")
        .replace(BARNSLEY, "E08000016")
        .replace(SHEFFIELD, "E08000019"),
        encoding="utf-8",
    )
    home = pipeline.open_partnership_home(sy_home.path)
    assert home.partnership.district_codes[0] == BARNSLEY
    table = pipeline.counts(home, POLICE_UK, ["district"])
    assert table.rows == [(BARNSLEY, 1), (SHEFFIELD, 1)]
    for t in (POLICE_UK.table, "ref_lsoa", "ref_postcode"):
        old = _rows(home, f"SELECT count(*) FROM {t} WHERE district IN ('E08000016', 'E08000019')")
        assert old == [(0,)], t


def test_reference_load_re_places_stored_records_by_the_official_lookup(
    sy_home: Home, tmp_path: Path
) -> None:
    """Records stored under an earlier (derived) pairing get the official placement."""
    rows = [_police_uk_row(1, SPLIT11), _police_uk_row(2, MERGED11[0])]
    pipeline.ingest_paths(sy_home, POLICE_UK, [write_police_uk(tmp_path / "f.csv", rows)])
    con = connect(sy_home)
    try:  # as an earlier release might have left them: a split given one 2021 code, a merge none
        con.execute(
            f"UPDATE {POLICE_UK.table} SET lsoa21 = CASE lsoa11 WHEN '{SPLIT11}' "
            f"THEN '{SPLIT21[0]}' END"
        )
    finally:
        con.close()
    pipeline.load_reference_data(sy_home)
    got = _rows(sy_home, f"SELECT lsoa11, lsoa21 FROM {POLICE_UK.table} ORDER BY row_number")
    assert got == [(SPLIT11, None), (MERGED11[0], MERGED21)]


@pytest.mark.skipif(
    not (RAW / "police_uk_south_yorkshire_2022").is_dir(),
    reason="the shared raw police.uk files are only on the development machine",
)
def test_six_months_of_south_yorkshire_place_as_pandas_does(sy_home: Home) -> None:
    """The 941 LSOA 2011 codes of the real files: counts by today's district and the records
    placed at LSOA 2021 equal an independent count over the raw files and raw ONS lookups."""
    pd = pytest.importorskip("pandas")
    rdata = pytest.importorskip("rdata")
    files = sorted((RAW / "police_uk_south_yorkshire_2022").glob("*.csv"))
    frame = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # R classes rdata does not model are harmless here
        parsed = rdata.parser.parse_file(RAW / "lookups/geographr/lookup_lsoa11_lsoa21_ltla22.rda")
        lookup = rdata.conversion.convert(parsed)["lookup_lsoa11_lsoa21_ltla22"]
    codes = pd.read_csv(RAW / "lookups/la_all_codes.csv", dtype=str, keep_default_na=False)
    today = dict(zip(codes["LADCD"], codes["LADCD_ACTIVE"], strict=True))
    per11 = lookup.groupby("lsoa11_code").agg(
        n21=("lsoa21_code", "nunique"), lad=("ltla22_code", "first")
    )
    per11["district"] = per11["lad"].map(today)
    rows = frame.merge(per11, left_on="LSOA code", right_index=True, how="left")
    assert frame["LSOA code"].replace("", None).dropna().nunique() == 941
    sy = resolve_partnership("south-yorkshire").district_codes
    expected = rows[rows["district"].isin(sy)]["district"].value_counts().to_dict()
    placed21 = int((rows["n21"] == 1).sum())
    not_placed = int((rows["n21"] > 1).sum())
    assert (placed21, not_placed) == (84_292, 3_584)  # 3,610 more have no LSOA at all

    results = pipeline.ingest_paths(sy_home, POLICE_UK, files)
    assert all(r.status == "loaded" for r in results)
    got = {r[0]: r[1] for r in pipeline.counts(sy_home, POLICE_UK, ["district"]).rows}
    assert got.pop("unknown") == 3_610
    assert (
        got
        == expected
        == {
            "E08000017": 23_443,
            "E08000018": 14_774,
            "E08000038": 15_118,
            "E08000039": 34_405,
        }
    )
    [(n21, n11)] = _rows(sy_home, f"SELECT count(lsoa21), count(lsoa11) FROM {POLICE_UK.table}")
    assert (n21, n11) == (placed21, placed21 + not_placed)


def test_a_users_district_scope_given_by_an_old_code_is_held_as_todays(sy_home: Home) -> None:
    gov = pipeline.governance(sy_home)
    try:
        add_orgs(gov)
        user = gov.people.add_user(
            "sam", "Sam", "leeds", "partner", ["E08000016"], "a long pass phrase 1", "t"
        )
        assert user.districts == [BARNSLEY]
        with pytest.raises(UnknownDistrictError, match="E08000099 is not a local authority"):
            gov.people.change("sam", "t", districts=["E08000099"])
        # A scope an earlier release stored with the old code is read as today's.
        with gov.records.session() as s:
            s.execute(update(User).where(User.username == "sam").values(districts=["E08000016"]))
            s.commit()
        with gov.records.session() as s:
            stored = s.scalars(select(User).where(User.username == "sam")).one()
            assert stored.districts == [BARNSLEY]
    finally:
        gov.close()
