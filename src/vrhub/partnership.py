"""A partnership: the set of local authority districts a hub serves.

A partnership is a TOML file with a ``name`` and a list of ``districts`` (LAD code and name).
Built-in partnerships are registered exactly as a deployment's own file would be read.

District codes are held as ONS's *current* codes. Every local authority district code ONS
has used since 2011 is known (the shipped ``la_all_codes`` lookup): an older code, such as
Barnsley's E08000016 (E08000038 since 1 April 2025) or Harrogate's E07000165 (North
Yorkshire, E06000065, since 2023), is accepted and mapped to the code in use today; a code
ONS never used is refused.
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


class Partnership(BaseModel):
    """A Violence Reduction Partnership's area."""

    name: str = Field(min_length=1, description="The partnership's name, shown in every output.")
    slug: str = Field(default="", description="A short lower-case name used in file names.")
    districts: list[District] = Field(min_length=1, description="The districts it covers.")

    @model_validator(mode="after")
    def _check(self) -> Partnership:
        codes = [d.code for d in self.districts]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            given = sorted({d.former_code or d.code for d in self.districts if d.code in dupes})
            also = f" (given as {', '.join(given)})" if len(given) > 1 else ""
            raise ValueError(f"district {', '.join(dupes)} is listed more than once{also}")
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
        loc = ".".join(str(p) for p in err["loc"]) or "file"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise PartnershipError(f"{where}: {loc}: {msg}") from None


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
