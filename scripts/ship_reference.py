"""Refresh the reference data shipped inside the package from ../shared/data/raw.

The shipped files keep each source's own format and columns (so `vrhub reference load --from`
reads newer official files of the same kind with the same code), recompressed with gzip.
Only Scottish rows are dropped from the output-area lookup, which vrhub does not use.

The ONS lookups obtained only as R data files (``lookups/geographr/*.rda``) are read here, at
build time, with the ``rdata`` package (the dev extra) and written as gzipped CSV with the
column names ONS uses in its own CSV downloads (``LSOA11CD``, ``CHGIND``, ``WD24CD``...), so a
newer official CSV of the same lookup is read by the same code. Values are written unchanged.

Run: .venv/bin/python scripts/ship_reference.py [RAW_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sys
import warnings
from pathlib import Path

import rdata

RAW = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw")
OUT = Path(__file__).resolve().parent.parent / "src" / "vrhub" / "reference" / "data"


def _gzip_copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, gzip.GzipFile(dest, "wb", compresslevel=9, mtime=0) as fout:
        shutil.copyfileobj(fin, fout)


#: R data file in lookups/geographr → (shipped CSV, [(R column, ONS CSV column)]).
RDA_LOOKUPS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "lookup_lsoa11_lsoa21_ltla22": (
        "lsoa11_lsoa21_lad22_ew.csv.gz",
        [
            ("lsoa11_code", "LSOA11CD"),
            ("lsoa11_name", "LSOA11NM"),
            ("change_code", "CHGIND"),
            ("lsoa21_code", "LSOA21CD"),
            ("lsoa21_name", "LSOA21NM"),
            ("ltla22_code", "LAD22CD"),
            ("ltla22_name", "LAD22NM"),
        ],
    ),
    "lookup_lsoa21_ward24_ltla24": (
        "lsoa21_wd24_lad24_ew.csv.gz",
        [
            ("lsoa21_code", "LSOA21CD"),
            ("lsoa21_name", "LSOA21NM"),
            ("ward24_code", "WD24CD"),
            ("ward24_name", "WD24NM"),
            ("ltla24_code", "LAD24CD"),
            ("ltla24_name", "LAD24NM"),
        ],
    ),
    "lookup_ltla24_region24": (
        "lad24_rgn24_en.csv.gz",
        [
            ("ltla24_code", "LAD24CD"),
            ("ltla24_name", "LAD24NM"),
            ("region24_code", "RGN24CD"),
            ("region24_name", "RGN24NM"),
        ],
    ),
    "lookup_ltla24_csp24_pfa24": (
        "lad24_csp24_pfa24_ew.csv.gz",
        [
            ("ltla24_code", "LAD24CD"),
            ("ltla24_name", "LAD24NM"),
            ("csp24_code", "CSP24CD"),
            ("csp24_name", "CSP24NM"),
            ("pfa24_code", "PFA24CD"),
            ("pfa24_name", "PFA24NM"),
        ],
    ),
}


def _write_csv_gz(dest: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with gzip.GzipFile(dest, "wb", compresslevel=9, mtime=0) as fout:
        fout.write(buf.getvalue().encode("utf-8"))


def ship_lookups(raw: Path, out: Path) -> None:
    """The ONS geography lookups: every LAD code since 2011, and the R data lookups as CSV."""
    dest = out / "lookups"
    dest.mkdir(parents=True, exist_ok=True)
    _gzip_copy(raw / "lookups" / "la_all_codes.csv", dest / "la_all_codes.csv.gz")
    for name, (file, columns) in RDA_LOOKUPS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # R classes rdata does not model are harmless here
            parsed = rdata.parser.parse_file(raw / "lookups" / "geographr" / f"{name}.rda")
            frame = rdata.conversion.convert(parsed)[name]
        rows = [
            ["" if v is None or v != v else str(v) for v in row]
            for row in frame[[r for r, _ in columns]].astype(object).itertuples(index=False)
        ]
        _write_csv_gz(dest / file, [c for _, c in columns], rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
        "File_6_-_IoD2019_Population_Denominators.csv.gz",
    ):
        shutil.copyfile(RAW / "imd2019" / name, OUT / name)
    oa_src = RAW / "lookups" / "fe6c55f0924b4734adf1cf7104a0173e_0.csv.gz"
    oa_dest = OUT / "oa11_lsoa11_msoa11_lad17_ew.csv.gz"
    with (
        gzip.open(oa_src, "rt", encoding="utf-8-sig", newline="") as fin,
        gzip.GzipFile(oa_dest, "wb", compresslevel=9, mtime=0) as raw_out,
    ):
        for i, line in enumerate(fin):
            if i == 0 or not line.startswith("S"):
                raw_out.write(line.encode("utf-8"))
    nspl = OUT / "nspl2024_postcodes"
    nspl.mkdir(exist_ok=True)
    for src in sorted((RAW / "lookups" / "nspl2024_wy_postcodes").glob("*.json")):
        _gzip_copy(src, nspl / (src.name + ".gz"))
    ship_lookups(RAW, OUT)
    print(f"reference data written to {OUT}")


if __name__ == "__main__":
    main()
