"""A partnership: the set of local authority districts a hub serves.

A partnership is a TOML file with a ``name`` and a list of ``districts`` (LAD code and name).
Built-in partnerships are registered exactly as a deployment's own file would be read.

District codes are held as ONS's *current* codes. Every local authority district code ONS
has used since 2011 is known (the shipped ``la_all_codes`` lookup): an older code, such as
Barnsley's E08000016 (E08000038 since 1 April 2025) or Harrogate's E07000165 (North
Yorkshire, E06000065, since 2023), is accepted and mapped to the code in use today; a code
ONS never used is refused.

A partnership may also name its **town centres** (``[[town_centres]]`` with a ``name`` and the
``wards`` it covers, by ONS ward code), for the night-time economy figures of the place
section. Each ward code is checked against the shipped LSOA 2021 → ward 2024 lookup and must
lie in one of the partnership's districts; a bad code is refused naming it.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from vrhub.errors import PartnershipError, UnknownDistrictError

LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
WARD_CODE = re.compile(r"^[EW]05\d{6}$")
#: Any UK local authority district code (England, Wales, Scotland, Northern Ireland).
ANY_LAD_CODE = re.compile(r"^[EWSN]\d{8}$")


@dataclass(frozen=True)
class LadCode:
    """One local authority district code ONS has used since 2011, and the code in use now."""

    code: str
    name: str
    current_code: str
    current_name: str

    @property
    def is_current(self) -> bool:
        return self.code == self.current_code


def lad_codes_file() -> Path:
    """The shipped list of every district code since 2011 (ONS, via la_all_codes)."""
    base = resources.files("vrhub") / "reference" / "data" / "lookups" / "la_all_codes.csv.gz"
    return Path(str(base))


@functools.cache
def lad_codes() -> dict[str, LadCode]:
    """Every local authority district code since 2011, keyed by code."""
    with gzip.open(lad_codes_file(), "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    out: dict[str, LadCode] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["LADCD"].strip().upper()
        out[code] = LadCode(
            code, row["LADNM"], row["LADCD_ACTIVE"].strip().upper(), row["LADNM_ACTIVE"]
        )
    return out


def ward_lookup_file() -> Path:
    """The shipped ONS LSOA 2021 → ward 2024 → district lookup."""
    base = resources.files("vrhub") / "reference" / "data" / "lookups"
    return Path(str(base / "lsoa21_wd24_lad24_ew.csv.gz"))


@functools.cache
def ward_districts() -> dict[str, tuple[str, str]]:
    """Every ward of the shipped lookup: code -> (name, district code in use today)."""
    with gzip.open(ward_lookup_file(), "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    out: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        lad = row["LAD24CD"].strip().upper()
        known = lad_codes().get(lad)
        out[row["WD24CD"].strip().upper()] = (
            row["WD24NM"],
            known.current_code if known else lad,
        )
    return out


def unknown_district_message(code: str) -> str:
    return (
        f"{code} is not a local authority district code ONS has used since 2011; "
        "check the code (Leeds is E08000035)"
    )


def current_code(code: str) -> str:
    """The code in use today for any district code since 2011 (unchanged if it is current).

    Raises :class:`UnknownDistrictError` for a code ONS has not used since 2011.
    """
    value = code.strip().upper()
    found = lad_codes().get(value)
    if found is None:
        raise UnknownDistrictError(unknown_district_message(value or "(blank)"))
    return found.current_code


class District(BaseModel):
    """A local authority district, by its ONS LAD code (held as the code in use today)."""

    code: str = Field(description="ONS local authority district code, e.g. E08000035.")
    name: str = Field(min_length=1, description="The district's name, e.g. Leeds.")
    former_code: str | None = Field(
        default=None,
        description="The older code the district was given as, when it has since changed "
        "(set by vrhub; not written back).",
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip().upper()
        if not LAD_CODE.match(value):
            raise ValueError(
                f"'{value}' is not a local authority district code "
                "(expected E06, E07, E08, E09 or W06 followed by six digits)"
            )
        if value not in lad_codes():
            raise ValueError(unknown_district_message(value))
        return value

    @model_validator(mode="after")
    def _current(self) -> District:
        known = lad_codes()[self.code]
        if not known.is_current:
            self.former_code = self.code
            self.code = known.current_code
            self.name = known.current_name
        return self

    @property
    def recoded(self) -> str | None:
        """One line saying an older code was mapped to today's, or None."""
        if self.former_code is None:
            return None
        old = lad_codes()[self.former_code]
        return (
            f"{old.name} {self.former_code} is an older district code: "
            f"using {self.name} {self.code}, the code ONS uses now"
        )


class TownCentre(BaseModel):
    """A town or city centre, as the wards it covers (for the night-time economy figures)."""

    name: str = Field(min_length=1, description="The centre's name, e.g. Leeds city centre.")
    wards: list[str] = Field(
        min_length=1, description="The ONS ward codes (2024) it covers, e.g. E05011403."
    )

    @field_validator("wards")
    @classmethod
    def _wards(cls, value: list[str]) -> list[str]:
        out = []
        for given in value:
            code = given.strip().upper()
            if not WARD_CODE.match(code):
                raise ValueError(
                    f"'{given}' is not a ward code (expected E05 or W05 followed by six digits)"
                )
            if code not in ward_districts():
                raise ValueError(
                    f"{code} is not a ward of the ONS 2024 ward lookup vrhub ships; check the "
                    "code (Little London & Woodhouse in Leeds is E05011403)"
                )
            if code in out:
                raise ValueError(f"ward {code} is listed more than once")
            out.append(code)
        return out


class Partnership(BaseModel):
    """A Violence Reduction Partnership's area."""

    name: str = Field(min_length=1, description="The partnership's name, shown in every output.")
    slug: str = Field(default="", description="A short lower-case name used in file names.")
    districts: list[District] = Field(min_length=1, description="The districts it covers.")
    town_centres: list[TownCentre] = Field(
        default_factory=list,
        description="Town centres by ward, for the night-time economy figures (optional).",
    )

    @model_validator(mode="after")
    def _check(self) -> Partnership:
        codes = [d.code for d in self.districts]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            given = sorted({d.former_code or d.code for d in self.districts if d.code in dupes})
            also = f" (given as {', '.join(given)})" if len(given) > 1 else ""
            raise ValueError(f"district {', '.join(dupes)} is listed more than once{also}")
        for n, centre in enumerate(self.town_centres):
            for ward in centre.wards:
                ward_name, district = ward_districts()[ward]
                if district not in codes:
                    raise ValueError(
                        f"town_centres.{n}.wards: {ward} ({ward_name}) is in district "
                        f"{district}, which is not one of the partnership's districts "
                        f"({', '.join(codes)})"
                    )
        names = [c.name for c in self.town_centres]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"town centre {', '.join(twice)} is named more than once")
        if not self.slug:
            self.slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return self

    @property
    def district_codes(self) -> list[str]:
        return [d.code for d in self.districts]

    @property
    def recoded(self) -> list[str]:
        """One line for each district given by an older code and mapped to today's."""
        return [line for d in self.districts if (line := d.recoded)]

    def district_code(self, code: str) -> str:
        """Today's code for a district of this partnership given by any code since 2011.

        Raises :class:`UnknownDistrictError` for an unknown code, :class:`PartnershipError`
        for a district outside the partnership."""
        current = current_code(code)
        if current not in self.district_codes:
            raise PartnershipError(
                f"{code.strip().upper()} is not a district of {self.name} "
                f"({', '.join(self.district_codes)})"
            )
        return current

    def district_name(self, code: str) -> str:
        for d in self.districts:
            if d.code == code:
                return d.name
        return code

    def to_toml(self) -> str:
        lines = [f'name = "{self.name}"', f'slug = "{self.slug}"', ""]
        for d in self.districts:
            lines += ["[[districts]]", f'code = "{d.code}"', f'name = "{d.name}"', ""]
        for c in self.town_centres:
            wards = ", ".join(f'"{w}"' for w in c.wards)
            lines += ["[[town_centres]]", f'name = "{c.name}"', f"wards = [{wards}]", ""]
        return "\n".join(lines)


def builtin_partnerships() -> dict[str, Partnership]:
    """The partnerships shipped with vrhub, keyed by slug."""
    found: dict[str, Partnership] = {}
    folder = resources.files("vrhub") / "partnerships"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            p = parse_partnership(entry.read_text(encoding="utf-8"), where=entry.name)
            found[p.slug] = p
    return found


def parse_partnership(text: str, where: str) -> Partnership:
    """Parse and validate a partnership TOML document; errors name the file and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PartnershipError(f"{where} is not valid TOML: {exc}") from None
    try:
        return Partnership.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise PartnershipError(f"{where}: {loc}: {msg}" if loc else f"{where}: {msg}") from None


def resolve_partnership(name_or_path: str) -> Partnership:
    """A built-in partnership by name, or a partnership TOML file by path."""
    builtins = builtin_partnerships()
    if name_or_path in builtins:
        return builtins[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise PartnershipError(f"partnership file {path} does not exist")
        return parse_partnership(path.read_text(encoding="utf-8"), where=str(path))
    raise PartnershipError(
        f"unknown partnership '{name_or_path}': use one of {', '.join(sorted(builtins))} "
        "or the path of a partnership .toml file"
    )
