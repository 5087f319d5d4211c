"""The check and the conversion for each kind of field, as DuckDB SQL over raw text.

Every raw value arrives as text in a staging table. For a field, :func:`checks` gives the
conditions that make a value wrong (each with a rule name and a plain-words message) and
:func:`typed` the expression that converts a good value to its stored type. Blank means NULL.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.datasets.spec import Field, Kind

DATE_FORMATS = "['%Y-%m-%d', '%d/%m/%Y', '%Y-%m-%d %H:%M:%S']"
DATETIME_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', "
    "'%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d', '%d/%m/%Y']"
)
EARLIEST = "DATE '1970-01-01'"
POSTCODE_RE = "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
FLAG_TRUE = ("y", "yes", "true", "1")
FLAG_FALSE = ("n", "no", "false", "0")


@dataclass(frozen=True)
class Check:
    """A condition under which a value breaks a rule."""

    rule: str
    bad: str
    message: str
    severity: str = "error"


def raw(f: Field) -> str:
    """The trimmed raw text of a field, NULL when blank."""
    return f"nullif(trim(s.\"{f.name}\"), '')"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _code_map(f: Field) -> str:
    pairs = {a.lower(): a for a in f.allowed}
    pairs.update({k.lower(): v for k, v in f.synonyms})
    keys = ", ".join(_q(k) for k in pairs)
    vals = ", ".join(_q(v) for v in pairs.values())
    return f"map([{keys}], [{vals}])"


def typed(f: Field) -> str:
    """SQL converting a good raw value to its stored type."""
    v = raw(f)
    k = f.kind
    if k in (Kind.TEXT, Kind.IDENTIFIER):
        return v
    if k == Kind.INTEGER:
        return f"CAST(TRY_CAST({v} AS DOUBLE) AS INTEGER)"
    if k in (Kind.DECIMAL, Kind.LONGITUDE, Kind.LATITUDE, Kind.EASTING, Kind.NORTHING):
        return f"TRY_CAST({v} AS DOUBLE)"
    if k == Kind.DATE:
        return f"CAST(try_strptime({v}, {DATE_FORMATS}) AS DATE)"
    if k == Kind.DATETIME:
        return f"try_strptime({v}, {DATETIME_FORMATS})"
    if k == Kind.MONTH:
        return v
    if k == Kind.FLAG:
        return (
            f"CASE WHEN lower({v}) IN {FLAG_TRUE} THEN TRUE "
            f"WHEN lower({v}) IN {FLAG_FALSE} THEN FALSE END"
        )
    if k == Kind.CODE:
        return f"{_code_map(f)}[lower({v})]"
    if k in (Kind.LSOA, Kind.SITE_CODE):
        return f"upper({v})"
    if k == Kind.POSTCODE:
        return f"upper(replace({v}, ' ', ''))"
    if k == Kind.HO_OFFENCE:
        return (
            f"lpad(split_part({v}, '/', 1), CASE WHEN regexp_matches({v}, '^[0-9]+[A-Z]/') "
            f"THEN 4 ELSE 3 END, '0') || '/' || lpad(split_part({v}, '/', 2), 2, '0')"
        )
    if k == Kind.ICD10_ASSAULT:
        return f"upper(replace({v}, '.', ''))"
    raise AssertionError(f"no conversion for {k}")


def checks(f: Field) -> list[Check]:
    """Everything that can be wrong with one field's value."""
    v = raw(f)
    h = f.header
    out: list[Check] = []
    if f.required:
        out.append(Check("required", f"{v} IS NULL", f"{h} is blank but must be filled in"))
    k = f.kind
    t = typed(f)
    if k == Kind.INTEGER:
        out.append(
            Check(
                "whole-number",
                f"NOT regexp_full_match({v}, '-?[0-9]+(\\.0+)?')",
                f"{h} must be a whole number",
            )
        )
        if f.minimum is not None and f.maximum is not None:
            out.append(
                Check(
                    "range",
                    f"regexp_full_match({v}, '-?[0-9]+(\\.0+)?') AND "
                    f"({t} < {f.minimum:g} OR {t} > {f.maximum:g})",
                    f"{h} must be between {f.minimum:g} and {f.maximum:g}",
                )
            )
    elif k == Kind.DECIMAL:
        out.append(Check("number", f"TRY_CAST({v} AS DOUBLE) IS NULL", f"{h} must be a number"))
    elif k in (Kind.LONGITUDE, Kind.LATITUDE, Kind.EASTING, Kind.NORTHING):
        lo, hi, where = {
            Kind.LONGITUDE: (-8.7, 1.9, "the United Kingdom"),
            Kind.LATITUDE: (49.8, 60.9, "the United Kingdom"),
            Kind.EASTING: (0, 700000, "Great Britain's national grid"),
            Kind.NORTHING: (0, 1300000, "Great Britain's national grid"),
        }[k]
        out.append(Check("number", f"TRY_CAST({v} AS DOUBLE) IS NULL", f"{h} must be a number"))
        out.append(
            Check(
                "outside-uk",
                f"{t} NOT BETWEEN {lo} AND {hi}",
                f"{h} is outside {where} (allowed {lo:g} to {hi:g})",
            )
        )
    elif k == Kind.DATE:
        out.append(
            Check("date", f"{t} IS NULL", f"{h} is not a real date (use YYYY-MM-DD or DD/MM/YYYY)")
        )
        out.append(Check("future", f"{t} > current_date", f"{h} is in the future"))
        out.append(Check("too-early", f"{t} < {EARLIEST}", f"{h} is before 1970"))
    elif k == Kind.DATETIME:
        out.append(
            Check(
                "date-time",
                f"{t} IS NULL",
                f"{h} is not a real date and time (use YYYY-MM-DD HH:MM)",
            )
        )
        out.append(
            Check(
                "future",
                f"{t} > current_timestamp::TIMESTAMP + INTERVAL 1 DAY",
                f"{h} is in the future",
            )
        )
        out.append(Check("too-early", f"{t} < {EARLIEST}", f"{h} is before 1970"))
    elif k == Kind.MONTH:
        out.append(
            Check(
                "month",
                f"try_strptime({v} || '-01', '%Y-%m-%d') IS NULL "
                f"OR NOT regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}')",
                f"{h} is not a month (use YYYY-MM)",
            )
        )
        out.append(
            Check("future", f"{v} > strftime(current_date, '%Y-%m')", f"{h} is in the future")
        )
        out.append(Check("too-early", f"{v} < '1970-01'", f"{h} is before 1970"))
    elif k == Kind.FLAG:
        out.append(Check("flag", f"{t} IS NULL", f"{h} must be Y or N"))
    elif k == Kind.CODE:
        shown = ", ".join(f.allowed)
        out.append(Check("allowed-values", f"{t} IS NULL", f"{h} must be one of: {shown}"))
    elif k == Kind.LSOA:
        out.append(
            Check(
                "lsoa-format",
                f"NOT regexp_full_match({t}, '[EW]01[0-9]{{6}}')",
                f"{h} is not an LSOA code (E01 or W01 then six digits)",
            )
        )
        out.append(
            Check(
                "lsoa-unknown",
                f"regexp_full_match({t}, '[EW]01[0-9]{{6}}') "
                f"AND {t} NOT IN (SELECT code FROM ref_lsoa)",
                f"{h} is not a 2011 or 2021 LSOA code known to the reference data",
            )
        )
    elif k == Kind.POSTCODE:
        out.append(
            Check(
                "postcode-format",
                f"NOT regexp_full_match({t}, '{POSTCODE_RE}')",
                f"{h} is not a UK postcode",
            )
        )
        out.append(
            Check(
                "postcode-unknown",
                f"regexp_full_match({t}, '{POSTCODE_RE}') "
                f"AND {t} NOT IN (SELECT postcode FROM ref_postcode)",
                f"{h} is not in the postcode lookup; the row is kept with its location unknown",
                severity="warning",
            )
        )
    elif k == Kind.HO_OFFENCE:
        out.append(
            Check(
                "offence-code",
                f"NOT regexp_full_match({v}, '[0-9]{{1,3}}[A-Z]?/[0-9]{{1,2}}')",
                f"{h} is not a Home Office offence code (like 008/01)",
            )
        )
    elif k == Kind.ICD10_ASSAULT:
        out.append(
            Check(
                "icd10",
                f"NOT regexp_full_match({t}, '[A-Z][0-9]{{2}}[0-9A-Z]{{0,2}}')",
                f"{h} is not an ICD-10 code (like X99 or X99.1)",
            )
        )
        out.append(
            Check(
                "icd10-assault",
                f"regexp_full_match({t}, '[A-Z][0-9]{{2}}[0-9A-Z]{{0,2}}') "
                f"AND left({t}, 3) NOT BETWEEN 'X85' AND 'Y09'",
                f"{h} is not an assault cause (ICD-10 X85 to Y09)",
            )
        )
    elif k == Kind.SITE_CODE:
        out.append(
            Check(
                "site-code",
                f"NOT regexp_full_match({t}, '[A-Z0-9]{{3,12}}')",
                f"{h} must be 3 to 12 letters or digits",
            )
        )
    elif k in (Kind.TEXT, Kind.IDENTIFIER):
        out.append(Check("too-long", f"length({v}) > 2000", f"{h} is longer than 2,000 characters"))
    # A blank value breaks only the "required" rule; every other rule looks at what is there.
    return [
        c
        if c.rule == "required"
        else Check(c.rule, f"{v} IS NOT NULL AND ({c.bad})", c.message, c.severity)
        for c in out
    ]


def shown_value(f: Field) -> str:
    """The value as it may appear in a problem report: identifiers never appear."""
    if f.kind == Kind.POSTCODE:
        return (
            f"CASE WHEN {raw(f)} IS NULL THEN NULL ELSE "
            f"regexp_extract(upper({raw(f)}), '^[A-Z0-9]{{2,4}}') || ' *** (hidden)' END"
        )
    if f.identifies_person:
        return f"CASE WHEN {raw(f)} IS NULL THEN NULL ELSE '(identifier hidden)' END"
    return f'left(s."{f.name}", 200)'
