"""A partnership: the set of local authority districts a hub serves.

A partnership is a TOML file with a ``name`` and a list of ``districts`` (LAD code and name).
Built-in partnerships are registered exactly as a deployment's own file would be read.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from vrhub.errors import PartnershipError

LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")


class District(BaseModel):
    """A local authority district, by its ONS LAD code."""

    code: str = Field(description="ONS local authority district code, e.g. E08000035.")
    name: str = Field(min_length=1, description="The district's name, e.g. Leeds.")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip().upper()
        if not LAD_CODE.match(value):
            raise ValueError(
                f"'{value}' is not a local authority district code "
                "(expected E06, E07, E08, E09 or W06 followed by six digits)"
            )
        return value


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
            raise ValueError(f"district {', '.join(dupes)} is listed more than once")
        if not self.slug:
            self.slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return self

    @property
    def district_codes(self) -> list[str]:
        return [d.code for d in self.districts]

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
        raise PartnershipError(f"{where}: {loc}: {err['msg']}") from None


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
