"""The terms of a data-sharing agreement, as written by its author and validated.

An agreement is written as a TOML file (see docs/how-to/agreements.md). :class:`AgreementTerms`
validates it and names the field at fault; nothing is stored until every term is sound.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vrhub.datasets import all_datasets, get_dataset
from vrhub.errors import AgreementInvalidError, UnknownDatasetError

AUDIENCES = ("analyst", "partner", "provider", "practitioner", "public")
ARTICLE6 = (
    "consent",
    "contract",
    "legal-obligation",
    "vital-interests",
    "public-task",
    "legitimate-interests",
)
STATUSES = ("draft", "active", "suspended", "expired")
#: The default disclosure rule: counts 0 to 7 hidden, all others moved by their cell key and
#: rounded to the nearest 5 (see vrhub.disclosure).
DEFAULT_SUPPRESS_MAX = 7
DEFAULT_ROUND_TO = 5


class LawfulBasis(BaseModel):
    """UK GDPR Article 6 basis, and the Article 9 or 10 condition where one is needed."""

    model_config = ConfigDict(extra="forbid")

    article6: Literal[
        "consent",
        "contract",
        "legal-obligation",
        "vital-interests",
        "public-task",
        "legitimate-interests",
    ]
    article9: str | None = Field(
        default=None,
        description="Condition for special-category (e.g. health) data, such as '9(2)(g)'.",
    )
    article10: str | None = Field(
        default=None,
        description="Condition for criminal-offence data, e.g. 'DPA 2018 Sch 1 para 10'.",
    )


class Coverage(BaseModel):
    """A dataset the agreement covers, from some or all of its sources."""

    model_config = ConfigDict(extra="forbid")

    dataset: str
    sources: list[str] = Field(
        default_factory=list, description="Source names; empty means any source."
    )
    suppliers: list[str] = Field(
        default_factory=list,
        description="The parties (organisation codes) that send this dataset; the other parties "
        "only receive it. Empty means any party may send it.",
    )


class DisclosureRule(BaseModel):
    """Small-number rule: counts 0..suppress_max hidden, the rest moved by their cell key and
    rounded to round_to (see vrhub.disclosure)."""

    model_config = ConfigDict(extra="forbid")

    suppress_max: int = Field(default=DEFAULT_SUPPRESS_MAX, ge=DEFAULT_SUPPRESS_MAX, le=100)
    round_to: int = Field(default=DEFAULT_ROUND_TO, ge=DEFAULT_ROUND_TO, le=100)


class AgreementTerms(BaseModel):
    """Everything an agreement says, checked before anything is stored."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(min_length=3, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=3, max_length=300)
    parties: list[str] = Field(min_length=1)
    covers: list[Coverage] = Field(min_length=1)
    lawful_basis: LawfulBasis
    purposes: list[str] = Field(min_length=1)
    audiences: list[Literal["analyst", "partner", "provider", "practitioner", "public"]] = Field(
        min_length=1
    )
    disclosure: DisclosureRule = Field(default_factory=DisclosureRule)
    retention_months: int | None = Field(default=None, ge=1, le=1200)
    start_date: dt.date
    end_date: dt.date | None = None
    review_date: dt.date | None = None
    dpia_ref: str | None = None
    status: Literal["draft", "active", "suspended"] = "draft"

    @model_validator(mode="after")
    def _consistent(self) -> AgreementTerms:
        for c in self.covers:
            try:
                get_dataset(c.dataset)
            except UnknownDatasetError:
                known = ", ".join(d.name for d in all_datasets())
                raise ValueError(
                    f"covers: unknown dataset '{c.dataset}' (known: {known})"
                ) from None
        datasets = [get_dataset(c.dataset) for c in self.covers]
        if any(d.special_category for d in datasets) and not self.lawful_basis.article9:
            names = ", ".join(d.name for d in datasets if d.special_category)
            raise ValueError(
                f"lawful_basis.article9: {names} is special-category (health) data, so the "
                "agreement must name its UK GDPR Article 9 condition"
            )
        if any(d.criminal_offence_data for d in datasets) and not self.lawful_basis.article10:
            names = ", ".join(d.name for d in datasets if d.criminal_offence_data)
            raise ValueError(
                f"lawful_basis.article10: {names} is criminal-offence data, so the agreement "
                "must name its Article 10 condition (DPA 2018 Schedule 1)"
            )
        for c in self.covers:
            outside = [o for o in c.suppliers if o not in self.parties]
            if outside:
                raise ValueError(
                    f"covers: {', '.join(outside)} may send {c.dataset} but "
                    f"{'is' if len(outside) == 1 else 'are'} not a party to the agreement"
                )
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date: is before start_date")
        if self.review_date and self.review_date < self.start_date:
            raise ValueError("review_date: is before start_date")
        if any(d.partner_extract for d in datasets) and self.retention_months is None:
            raise ValueError(
                "retention_months: an agreement for partner extracts must say how long data is kept"
            )
        if "analyst" not in self.audiences:
            raise ValueError("audiences: must include analyst (who works with the data)")
        return self


def _explain(exc: ValidationError, where: str) -> AgreementInvalidError:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "is missing"
        elif err["type"] == "extra_forbidden":
            msg = "is not a term vrhub knows (check its spelling)"
        parts.append(f"{loc}: {msg}" if loc and not msg.startswith(loc) else msg)
    return AgreementInvalidError(f"{where}: " + "; ".join(parts))


def parse_terms(data: dict[str, object], where: str) -> AgreementTerms:
    """Validate terms given as a mapping; the error names each field at fault."""
    try:
        return AgreementTerms.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, where) from None


def read_terms(path: Path) -> AgreementTerms:
    """Read and validate an agreement's TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AgreementInvalidError(f"no agreement file at {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AgreementInvalidError(f"{path.name} is not valid TOML ({exc})") from None
    return parse_terms(data, path.name)
