"""The kinds of reference file vrhub reads, how to recognise each, and where each comes from."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vrhub.errors import ReferenceDataError

OGL = "Open Government Licence v3.0"


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference file, recognised by its header rather than its name."""

    name: str
    description: str
    publisher: str
    vintage: str
    header_marks: tuple[str, ...]
    header_excludes: tuple[str, ...] = ()


KINDS: tuple[ReferenceKind, ...] = (
    ReferenceKind(
        "oa-lookup",
        "Output area (2011) to LSOA 2011, MSOA 2011 and local authority district lookup",
        "Office for National Statistics",
        "2011 census geography, LAD 2017",
        ("OA11CD", "LSOA11CD", "LSOA11NM", "MSOA11CD"),
    ),
    ReferenceKind(
        "imd-file-1",
        "English Indices of Deprivation 2019, File 1: Index of Multiple Deprivation",
        "Ministry of Housing, Communities and Local Government",
        "IoD 2019 (LSOA 2011, LAD 2019)",
        ("LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank"),
        ("Income Rank", "Total population"),
    ),
    ReferenceKind(
        "imd-file-2",
        "English Indices of Deprivation 2019, File 2: domains of deprivation",
        "Ministry of Housing, Communities and Local Government",
        "IoD 2019 (LSOA 2011, LAD 2019)",
        ("LSOA code (2011)", "Income Rank", "Crime Rank"),
    ),
    ReferenceKind(
        "imd-file-6",
        "English Indices of Deprivation 2019, File 6: population denominators (mid-2015)",
        "Ministry of Housing, Communities and Local Government",
        "mid-2015 population estimates used by IoD 2019",
        ("LSOA code (2011)", "Total population"),
    ),
    ReferenceKind(
        "lad-codes",
        "Every local authority district code since 2011 with the code in use now "
        "(LADCD to LADCD_ACTIVE), names, region and combined authority",
        "Office for National Statistics",
        "all codes since 2011, current to April 2025",
        ("LADCD", "LADNM", "LADCD_ACTIVE", "LADNM_ACTIVE"),
    ),
    ReferenceKind(
        "lsoa11-lsoa21",
        "LSOA 2011 to LSOA 2021 to local authority district lookup, with the change "
        "indicator (U unchanged, S split, M merged, X irregular)",
        "Office for National Statistics",
        "LSOA 2011 to 2021, LAD 2022",
        ("LSOA11CD", "LSOA21CD", "CHGIND"),
    ),
    ReferenceKind(
        "lsoa21-ward",
        "LSOA 2021 to ward to local authority district lookup (best fit)",
        "Office for National Statistics",
        "LSOA 2021, wards and LAD May 2024",
        ("LSOA21CD", "WD2", "LAD2"),
        ("LSOA11CD", "CHGIND"),
    ),
    ReferenceKind(
        "lad-region",
        "Local authority district to region lookup (England)",
        "Office for National Statistics",
        "LAD and region 2024",
        ("LAD2", "RGN2"),
        ("LSOA", "OA11CD", "LADCD_ACTIVE", "CSP2"),
    ),
    ReferenceKind(
        "lad-csp-pfa",
        "Local authority district to Community Safety Partnership to police force area lookup",
        "Office for National Statistics",
        "LAD, CSP and PFA December 2024",
        ("LAD2", "CSP2", "PFA2"),
        ("LSOA",),
    ),
)

POSTCODE_KIND = ReferenceKind(
    "postcode-lookup",
    "Postcode to LSOA 2021, ward and district (derived from the ONS National Statistics "
    "Postcode Lookup), with LSOA 2021, ward and district names",
    "Office for National Statistics",
    "NSPL August 2024",
    (),
)


def shipped_dir() -> Path:
    """The reference data shipped inside the vrhub package."""
    return Path(str(resources.files("vrhub") / "reference" / "data"))


def _open_text(path: Path) -> str:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as fh:
            return str(fh.readline())
    except (OSError, EOFError) as exc:
        raise ReferenceDataError(f"cannot read reference file {path}: {exc}") from None


def classify_csvs(folder: Path) -> dict[str, Path]:
    """Find reference CSV files (plain or gzipped) in a folder by their header row."""
    found: dict[str, Path] = {}
    candidates = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz"))
    )
    for path in candidates:
        header = _open_text(path)
        for kind in KINDS:
            if all(m in header for m in kind.header_marks) and not any(
                x in header for x in kind.header_excludes
            ):
                if kind.name in found:
                    raise ReferenceDataError(
                        f"two files of the same kind ({kind.description}) in {folder}: "
                        f"{found[kind.name].name} and {path.name}; keep only one"
                    )
                found[kind.name] = path
    return found


def find_postcode_folder(folder: Path) -> Path | None:
    """The folder holding lads/lsoa/wards name files and postcode-area files (JSON, maybe .gz)."""
    for cand in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        names = {p.name.removesuffix(".gz") for p in cand.iterdir() if p.is_file()}
        if {"lads.json", "lsoa.json", "wards.json"} <= names:
            return cand
    return None


def read_json(path: Path) -> object:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"cannot read {path.name}: {exc}") from None
