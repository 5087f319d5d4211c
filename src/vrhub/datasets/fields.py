"""Fields that many dataset standards share: a person's age, sex and where they live.

Each standard names whose age, sex or home it is ("the child's", "the patient's"), so its
reference page reads naturally, while the kind, the checks and the allowed codes stay the same
everywhere.

>>> sex("The child's").description, residence("the child").column_required
("The child's sex.", True)
>>> age("The child's age in years on the date of the event (0 to 17).", 0, 17).maximum
17
"""

from __future__ import annotations

from vrhub.datasets.police_crime import SEX, SEX_SYNONYMS
from vrhub.datasets.spec import Field, Kind


def age(description: str, lowest: int, highest: int) -> Field:
    """A required whole-number age, refused outside ``lowest`` to ``highest``."""
    return Field(
        "age",
        "age",
        Kind.INTEGER,
        description,
        required=True,
        column_required=True,
        minimum=lowest,
        maximum=highest,
    )


def sex(whose: str) -> Field:
    """A required sex, in the police-crime standard's codes (and their synonyms)."""
    return Field(
        "sex",
        "sex",
        Kind.CODE,
        f"{whose} sex.",
        required=True,
        column_required=True,
        allowed=SEX,
        synonyms=SEX_SYNONYMS,
    )


def residence(who: str, blank: str = "not known") -> Field:
    """The LSOA where ``who`` lives (2011 or 2021 code): the column must be there, a value may
    be blank (``blank`` says when)."""
    return Field(
        "residence_lsoa",
        "residence_lsoa",
        Kind.LSOA,
        f"LSOA where {who} lives, 2011 or 2021 code; blank if {blank}.",
        column_required=True,
    )
