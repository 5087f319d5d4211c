"""Refresh the reference data shipped inside the package from ../shared/data/raw.

The shipped files keep each source's own format and columns (so `vrhub reference load --from`
reads newer official files of the same kind with the same code), recompressed with gzip.
Only Scottish rows are dropped from the output-area lookup, which vrhub does not use.

Run: .venv/bin/python scripts/ship_reference.py [RAW_DIR]
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

RAW = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw")
OUT = Path(__file__).resolve().parent.parent / "src" / "vrhub" / "reference" / "data"


def _gzip_copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, gzip.GzipFile(dest, "wb", compresslevel=9, mtime=0) as fout:
        shutil.copyfileobj(fin, fout)


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
    print(f"reference data written to {OUT}")


if __name__ == "__main__":
    main()
