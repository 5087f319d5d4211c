"""Ship newer populations and the Indices of Deprivation 2025 from ../shared/data/raw.

Read at build time with ``rdata`` (several sources are R data files) and written as gzipped CSV
into ``src/vrhub/reference/data/``, so vrhub itself reads only open formats:

- ONS mid-2020 population by single year of age on LSOA 2011 (England and Wales), summed
  into the age bands vrhub rates use;
- Census 2021 usual residents by age band on LSOA 2021 (England and Wales);
- IoD 2025 ranks and deciles (File 2, with IDACI and IDAOPI from File 3) and scores (the
  ``humaniverse/IMD`` copy of File 7) on LSOA 2021, England.

Run: .venv/bin/python scripts/ship_population.py [RAW_DIR]
"""

from __future__ import annotations

import gzip
import sys
import warnings
from pathlib import Path

import pandas as pd
import rdata

from vrhub.reference.population import BANDS as SINGLE_YEAR_BANDS

RAW = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw")
OUT = Path(__file__).resolve().parent.parent / "src" / "vrhub" / "reference" / "data"

CENSUS_BANDS = {
    "Aged 15 years and under": "0-15",
    "Aged 16 to 24 years": "16-24",
    "Aged 25 to 34 years": "25-34",
    "Aged 35 to 49 years": "35-49",
    "Aged 50 to 64 years": "50-64",
    "Aged 65 years and over": "65+",
}


def _rda(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tibble classes read as plain data frames
        [frame] = rdata.read_rda(path).values()
    return frame


def _write(frame: pd.DataFrame, name: str) -> None:
    with gzip.GzipFile(OUT / name, "wb", compresslevel=9, mtime=0) as out:
        out.write(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    print(f"{name}: {len(frame):,} rows")


def mid2020() -> None:
    raw = _rda(RAW / "population" / "population20_lsoa11.rda")
    ages = {a: raw[str(a)] for a in range(90)} | {90: raw["90+"]}
    out = pd.DataFrame({"lsoa11_code": raw["lsoa11_code"], "all": raw["total_population"]})
    for band, (lo, hi) in SINGLE_YEAR_BANDS.items():
        out[band] = sum(ages[a] for a in range(lo, (hi if hi is not None else 90) + 1))
    if not (sum(ages.values()) == out["all"]).all():
        raise SystemExit("mid-2020 single years of age do not sum to the total")
    _write(
        out.astype({c: "int64" for c in out.columns[1:]}), "ons_mid2020_population_lsoa11.csv.gz"
    )


def census2021() -> None:
    raw = _rda(RAW / "population" / "census21_pop.rda")
    raw = raw.assign(band=raw["age_group"].map(CENSUS_BANDS))
    if raw["band"].isna().any():
        raise SystemExit(f"unknown Census age group {set(raw.age_group[raw.band.isna()])}")
    wide = raw.pivot(index="lsoa21_code", columns="band", values="usual_residents")
    wide = wide[list(CENSUS_BANDS.values())]
    wide.insert(0, "all", wide.sum(axis=1))
    wide.insert(2, "0-24", wide["0-15"] + wide["16-24"])
    out = wide.reset_index().astype({c: "int64" for c in ["all", "0-24", *CENSUS_BANDS.values()]})
    _write(out, "census2021_population_lsoa21.csv.gz")


def iod2025() -> None:
    folder = RAW / "imd2025"
    f2 = pd.read_csv(folder / "File_2_IoD2025 Domains of Deprivation.csv", dtype=str)
    f3 = pd.read_csv(
        folder / "File_3_IoD2025 Supplementary Indices_IDACI and IDAOPI.csv", dtype=str
    )
    scores = _rda(folder / "humaniverse_IMD" / "imd2025_england_lsoa21.rda")
    names = {
        "Index of Multiple": "imd",
        "Income Rank": "income",
        "Income Decile": "income",
        "Employment": "employment",
        "Education": "education",
        "Health": "health",
        "Crime": "crime",
        "Barriers": "housing",
        "Living": "living_environment",
        "Income Deprivation Affecting Children": "idaci",
        "Income Deprivation Affecting Older": "idaopi",
    }

    def renamed(frame: pd.DataFrame) -> pd.DataFrame:
        cols = {"LSOA code (2021)": "lsoa21"}
        for col in frame.columns[4:]:
            kind = "rank" if " Rank" in col else "decile"
            [name] = [v for k, v in names.items() if col.startswith(k)]
            cols[col] = f"{name}_{kind}"
        return frame[list(cols)].rename(columns=cols)

    out = renamed(f2).merge(renamed(f3).drop(columns=["imd_rank", "imd_decile"]), on="lsoa21")
    score_cols = {
        "IMD": "imd",
        "Income": "income",
        "Employment": "employment",
        "Education": "education",
        "Health": "health",
        "Crime": "crime",
        "Housing_and_Services": "housing",
        "Environment": "living_environment",
    }
    s = scores[["lsoa21_code", *(f"{k}_score" for k in score_cols)]]
    s = s.rename(
        columns={"lsoa21_code": "lsoa21"}
        | {f"{k}_score": f"{v}_score" for k, v in score_cols.items()}
    )
    # The scores' ranks must be the published ones: the two copies are of one release.
    check = scores.rename(columns={"lsoa21_code": "lsoa21"}).merge(out, on="lsoa21")
    if not (check["IMD_rank"].astype(int) == check["imd_rank"].astype(int)).all():
        raise SystemExit("IoD 2025 scores (humaniverse) and File 2 disagree on IMD ranks")
    out = out.merge(s, on="lsoa21", how="left", validate="one_to_one")
    if len(out) != len(f2):
        raise SystemExit("IoD 2025 files 2 and 3 do not cover the same LSOAs")
    _write(out, "iod2025_lsoa21.csv.gz")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    mid2020()
    census2021()
    iod2025()


if __name__ == "__main__":
    main()
