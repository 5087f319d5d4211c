"""The check and the conversion for each kind of field, as DuckDB SQL over raw text.

Every raw value arrives as text. For a field, :func:`typed` gives the expression converting a
good value to its stored type and :func:`checks` the conditions that make a value wrong, each
with a rule name and a plain-words message. Both are written over column expressions the
caller names: ``v`` for the trimmed text (NULL when blank), ``t`` for the typed value and, for
LSOA and postcode fields, ``known`` for the matching reference code (NULL when the reference
data lacks it). So the ingest pass converts each value once. Blank means NULL.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrhub.datasets.spec import Field, Kind

#: Formats tried, in order, when a date is not in the ISO form (YYYY-MM-DD).
DATE_FORMATS = "['%d/%m/%Y', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d']"
#: Formats tried, in order, when a date and time is not in the ISO form.
DATETIME_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', "
    "'%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d', '%d/%m/%Y']"
)
#: ISO dates and date-times, which DuckDB's own cast reads far faster than strptime.
ISO_DATE_RE = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
#: A month as vrhub stores it.
MONTH_RE = "[0-9]{4}-(0[1-9]|1[0-2])"
#: Other ways a month arrives, as spreadsheets write it: a date or date and time in the month
#: (2022-01-01, 2022-01-01 00:00:00, an Excel date cell), Jan-22, January 2022, 01/2022, 2022-1.
MONTH_FORMATS = (
    "['%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', "
    "'%Y-%m-%d %H:%M', '%b-%y', '%B-%y', '%b %y', '%B %y', '%b-%Y', '%B-%Y', '%b %Y', "
    "'%B %Y', '%m/%Y', '%Y/%m', '%Y-%m']"
)
#: A date with the day and month both written as numbers before the year (01/02/22): it may be
#: day/month or month/day, so it is refused rather than guessed.
AMBIGUOUS_DATE_RE = "[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}"
ISO_DATETIME_RE = ISO_DATE_RE + "([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?"
EARLIEST = "DATE '1970-01-01'"
POSTCODE_RE = "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
LSOA_RE = "[EW]01[0-9]{6}"
FLAG_TRUE = ("y", "yes", "true", "1")
FLAG_FALSE = ("n", "no", "false", "0")


@dataclass(frozen=True)
class Check:
    """A condition under which a value breaks a rule."""

    rule: str
    bad: str
    message: str
    severity: str = "error"


def trimmed(column: str) -> str:
    """The trimmed text of a raw column, NULL when blank."""
    return f"nullif(trim({column}), '')"


def quote(text: str) -> str:
    """Text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _code_map(f: Field) -> str:
    pairs = {a.lower(): a for a in f.allowed}
    pairs.update({k.lower(): v for k, v in f.synonyms})
    keys = ", ".join(quote(k) for k in pairs)
    vals = ", ".join(quote(v) for v in pairs.values())
    return f"map([{keys}], [{vals}])"


def typed(f: Field, v: str) -> str:
    """SQL converting a good trimmed value ``v`` to its stored type."""
    k = f.kind
    if k in (Kind.TEXT, Kind.IDENTIFIER):
        return v
    if k == Kind.MONTH:
        sept = f"regexp_replace({v}, '^([Ss][Ee][Pp])[Tt]([^A-Za-z])', '\\1\\2')"
        return (
            f"CASE WHEN regexp_full_match({v}, '{MONTH_RE}') THEN {v} "
            f"ELSE strftime(try_strptime({sept}, {MONTH_FORMATS}), '%Y-%m') END"
        )
    if k == Kind.INTEGER:
        return f"CAST(TRY_CAST({v} AS DOUBLE) AS INTEGER)"
    if k in (Kind.DECIMAL, Kind.LONGITUDE, Kind.LATITUDE, Kind.EASTING, Kind.NORTHING):
        return f"TRY_CAST({v} AS DOUBLE)"
    if k == Kind.DATE:
        return (
            f"coalesce(CASE WHEN regexp_full_match({v}, '{ISO_DATE_RE}') "
            f"THEN TRY_CAST({v} AS DATE) END, "
            f"CAST(try_strptime({v}, {DATE_FORMATS}) AS DATE))"
        )
    if k == Kind.DATETIME:
        return (
            f"coalesce(CASE WHEN regexp_full_match({v}, '{ISO_DATETIME_RE}') "
            f"THEN TRY_CAST({v} AS TIMESTAMP) END, "
            f"try_strptime({v}, {DATETIME_FORMATS}))"
        )
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


def needs_reference(f: Field) -> str | None:
    """The reference table (and its key column) a field's value must be found in, if any."""
    if f.kind == Kind.LSOA:
        return "ref_lsoa.code"
    if f.kind == Kind.POSTCODE:
        return "ref_postcode.postcode"
    return None


def checks(f: Field, v: str, t: str, known: str | None = None) -> list[Check]:
    """Everything that can be wrong with one field's value."""
    h = f.header
    out: list[Check] = []
    if f.required:
        out.append(Check("required", f"{v} IS NULL", f"{h} is blank but must be filled in"))
    k = f.kind
    if k == Kind.INTEGER:
        whole = f"regexp_full_match({v}, '-?[0-9]+(\\.0+)?')"
        out.append(Check("whole-number", f"NOT {whole}", f"{h} must be a whole number"))
        if f.minimum is not None and f.maximum is not None:
            out.append(
                Check(
                    "range",
                    f"{whole} AND ({t} < {f.minimum:g} OR {t} > {f.maximum:g})",
                    f"{h} must be between {f.minimum:g} and {f.maximum:g}",
                )
            )
    elif k == Kind.DECIMAL:
        out.append(Check("number", f"{t} IS NULL", f"{h} must be a number"))
    elif k in (Kind.LONGITUDE, Kind.LATITUDE, Kind.EASTING, Kind.NORTHING):
        lo, hi, where = {
            Kind.LONGITUDE: (-8.7, 1.9, "the United Kingdom"),
            Kind.LATITUDE: (49.8, 60.9, "the United Kingdom"),
            Kind.EASTING: (0, 700000, "Great Britain's national grid"),
            Kind.NORTHING: (0, 1300000, "Great Britain's national grid"),
        }[k]
        out.append(Check("number", f"{t} IS NULL", f"{h} must be a number"))
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
        ambiguous = f"regexp_full_match({v}, '{AMBIGUOUS_DATE_RE}')"
        out.append(
            Check(
                "month-ambiguous",
                ambiguous,
                f"{h} is a date written with numbers only (like 01/02/22), which may be "
                "day/month or month/day; write the month as YYYY-MM",
            )
        )
        out.append(
            Check(
                "month",
                f"{t} IS NULL AND NOT {ambiguous}",
                f"{h} is not a month (use YYYY-MM; 2022-01-01, Jan-22 and January 2022 "
                "are read too)",
            )
        )
        out.append(
            Check("future", f"{t} > strftime(current_date, '%Y-%m')", f"{h} is in the future")
        )
        out.append(Check("too-early", f"{t} < '1970-01'", f"{h} is before 1970"))
    elif k == Kind.FLAG:
        out.append(Check("flag", f"{t} IS NULL", f"{h} must be Y or N"))
    elif k == Kind.CODE:
        shown = ", ".join(f.allowed)
        out.append(Check("allowed-values", f"{t} IS NULL", f"{h} must be one of: {shown}"))
    elif k == Kind.LSOA:
        assert known is not None, "an LSOA check needs the reference lookup"
        out.append(
            Check(
                "lsoa-format",
                f"NOT regexp_full_match({t}, '{LSOA_RE}')",
                f"{h} is not an LSOA code (E01 or W01 then six digits)",
            )
        )
        out.append(
            Check(
                "lsoa-unknown",
                f"{known} IS NULL AND regexp_full_match({t}, '{LSOA_RE}')",
                f"{h} is not a 2011 or 2021 LSOA code known to the reference data",
            )
        )
    elif k == Kind.POSTCODE:
        assert known is not None, "a postcode check needs the reference lookup"
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
                f"{known} IS NULL AND regexp_full_match({t}, '{POSTCODE_RE}')",
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
        icd = f"regexp_full_match({t}, '[A-Z][0-9]{{2}}[0-9A-Z]{{0,2}}')"
        out.append(Check("icd10", f"NOT {icd}", f"{h} is not an ICD-10 code (like X99 or X99.1)"))
        out.append(
            Check(
                "icd10-assault",
                f"{icd} AND left({t}, 3) NOT BETWEEN 'X85' AND 'Y09'",
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


def shown_value(f: Field, v: str) -> str:
    """The value as it may appear in a problem report: identifiers never appear."""
    if f.kind == Kind.POSTCODE:
        return (
            f"CASE WHEN {v} IS NULL THEN NULL ELSE "
            f"regexp_extract(upper({v}), '^[A-Z0-9]{{2,4}}') || ' *** (hidden)' END"
        )
    if f.identifies_person:
        return f"CASE WHEN {v} IS NULL THEN NULL ELSE '(identifier hidden)' END"
    return f"left({v}, 200)"


def pseudonym(v: str, rounds: int = 1) -> str:
    """Keyed HMAC-SHA256 of the normalised identifier (spaces removed, upper case), as hex.

    With rotated keys (``rounds`` > 1) each later key takes the HMAC of the hex before it.
    ``$ipad0``, ``$opad0``, ``$ipad1``... are the keys' inner and outer pads (see
    :meth:`vrhub.pseudonymise.PseudonymisationKey.sql_params`); a test checks the result equals
    Python's :func:`hmac.new`.
    """
    value = encode_hmac("0", f"encode(upper(regexp_replace({v}, '\\s+', '', 'g')))")
    for i in range(1, rounds):
        value = encode_hmac(str(i), f"encode({value})")
    return f"CASE WHEN {v} IS NULL THEN NULL ELSE {value} END"


def encode_hmac(i: str, message: str) -> str:
    """HMAC-SHA256 (hex) of a BLOB under the key whose pads are ``$ipad{i}``/``$opad{i}``."""
    return f"sha256($opad{i} || unhex(sha256($ipad{i} || {message})))"
