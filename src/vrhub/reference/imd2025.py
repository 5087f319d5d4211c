"""The English Indices of Deprivation 2025 on LSOA 2021: ``ref_imd2025``.

vrhub ships one file built from the official release (see ``scripts/ship_population.py``):
the ranks and deciles of the overall index and its seven domains (File 2), of the IDACI and
IDAOPI supplementary indices (File 3), and the scores (File 7). Rank 1 and decile 1 are the
most deprived. IoD 2019 (on LSOA 2011) stays in ``ref_imd``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from vrhub.errors import ReferenceDataError
from vrhub.store.analytical import first, replace_rows

IOD2025_FILE = "iod2025_lsoa21.csv.gz"
#: How many LSOAs England had in 2021: each IoD 2025 table ranks every one of them.
ENGLAND_LSOA21 = 33_755


def load_imd2025(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Replace ``ref_imd2025`` with the file's rows, refusing one that is not complete."""
    if not path.is_file():
        raise ReferenceDataError(f"the IoD 2025 file {path.name} is missing from {path.parent}")
    replace_rows(
        con,
        "ref_imd2025",
        f"SELECT * FROM read_csv('{path}', header=true, columns={_columns(con)})",
    )
    row = first(
        con.execute(
            "SELECT count(*), count(DISTINCT lsoa21), count(imd_decile) FROM ref_imd2025"
        ).fetchall()
    )
    if row is None or not (row[0] == row[1] == row[2] == ENGLAND_LSOA21):
        raise ReferenceDataError(
            f"{path.name}: expected one row with a decile for each of England's "
            f"{ENGLAND_LSOA21:,} LSOAs (2021), found {row[0] if row else 0:,}"
        )


def _columns(con: duckdb.DuckDBPyConnection) -> str:
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'ref_imd2025' ORDER BY ordinal_position"
    ).fetchall()
    return "{" + ", ".join(f"'{c}': '{t}'" for c, t in cols) + "}"
