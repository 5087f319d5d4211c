"""Counts leaving the analyst tier: scoped, lineage-checked, disclosure-controlled, audited.

An export draws on batches; each batch came under an agreement version. The export may go to
an audience only if every one of those agreements permits it, and outside the analyst tier
every count is protected under the strictest of their disclosure rules, so that no small count
can be read or worked out. Every export is written to the audit trail.

A released table has the same shape for every audience: one row per group, its fields and its
count (None where a count is hidden). Totals are never among the rows (a "Total" row would be
read as one more group, and summed): outside the analyst tier each total is protected on its
own and kept apart, in :attr:`ExportedCounts.totals`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import duckdb

from vrhub.counts import (
    CountTable,
    batches_counted,
    count_records,
    field_values,
)
from vrhub.datasets.spec import Dataset
from vrhub.disclosure import DisclosureRule, Tally, publish, tally
from vrhub.disclosure.engine import TOTAL
from vrhub.errors import UnsupportedFieldError
from vrhub.governance.context import Governance
from vrhub.governance.people import audience_of, require_districts
from vrhub.governance.release import AgreementRef, release

MAX_CONTROLLED_FIELDS = 2


@dataclass(frozen=True)
class ExportedCounts:
    """Counts as released: each group's fields and its count (None when hidden), the same shape
    as the analyst's counts; the totals apart; and the rule applied."""

    audience: str
    fields: list[str]
    rows: list[tuple[object, ...]]  # (*field values, count or None): groups only
    agreements: list[AgreementRef]
    rule: str
    #: Outside the analyst tier, every margin (a field's value over the others, and the
    #: grand total), each protected on its own, so the rows need not add up to them: (*field
    #: values with ``Total`` for those summed over, count or None).
    totals: list[tuple[object, ...]] = field(default_factory=list)


def export_counts(
    con: duckdb.DuckDBPyConnection,
    gov: Governance,
    dataset: Dataset,
    by: list[str],
    audience: str,
    actor: str,
    all_areas: bool = False,
    districts: list[str] | None = None,
    as_user: str | None = None,
) -> ExportedCounts:
    """Counts for an audience, or a named refusal; see the module's notes."""
    chosen = list(districts or [])
    if as_user is not None:
        user = gov.people.get(as_user)
        requested = chosen or list(user.districts or gov.home.partnership.district_codes)
        require_districts(user, requested, gov.home.partnership.district_codes)
        chosen = requested if user.districts or chosen else []
        audience = audience_of(user)
        actor = f"{actor} as {user.username}"  # who ran it, then whom it was released for
    released = release(gov.records, batches_counted(con, dataset, all_areas, chosen), audience)
    agreements = list(released.agreements)
    raw = count_records(con, dataset, by, all_areas, chosen or None)
    details = {
        "dataset": dataset.name,
        "by": by,
        "audience": audience,
        "districts": chosen,
        "agreements": [a.label for a in agreements],
    }
    if released.exact:
        rows: list[tuple[object, ...]] = [
            (*r[:-1], int(r[-1]))  # type: ignore[call-overload]
            for r in raw.rows
        ]
        gov.audit.write(actor, "export.counts", dataset.name, details)
        return ExportedCounts(audience, raw.fields, rows, agreements, "none (analyst tier)")
    if len(by) > MAX_CONTROLLED_FIELDS:
        raise UnsupportedFieldError(
            f"counts for the {audience} audience can be broken down by at most "
            f"{MAX_CONTROLLED_FIELDS} fields (asked for {len(by)}: {', '.join(by)})"
        )
    rule = DisclosureRule(released.suppress_max, released.round_to)
    area = chosen or list(gov.home.partnership.district_codes)
    cube = _cube(raw, _domains(con, dataset, by, area, raw))
    grand = cube[tuple(TOTAL for _ in by)]
    top = publish(grand, rule)
    if len(cube) > 1 and (top.value is None or top.value < rule.breakdown_min):
        raise UnsupportedFieldError(
            f"too few records to break down for the {audience} audience: the total is "
            f"{'[c]' if top.value is None else top.value}, below {rule.breakdown_min}, so "
            "its parts could identify people. Count a wider area or all months"
        )
    rows = []
    totals: list[tuple[object, ...]] = []
    for key, count in sorted(cube.items(), key=lambda kv: _order(kv[0])):
        (totals if TOTAL in key else rows).append((*key, publish(count, rule).value))
    gov.audit.write(actor, "export.counts", dataset.name, {**details, "rule": rule.describe()})
    return ExportedCounts(audience, raw.fields, rows, agreements, rule.describe(), totals)


def _order(key: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((1, k) if k == TOTAL else (0, k) for k in key)


def _domains(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    by: list[str],
    districts: list[str],
    raw: CountTable,
) -> list[list[str]]:
    """Every value each field can take, not only those counted: a list of only the groups
    that hold records would tell that every listed group holds at least one. Values come
    from the whole dataset (every area and month); districts and small areas from the
    partnership's geography, limited to the districts counted."""
    out = []
    for i, name in enumerate(by):
        seen = {str(r[i]) for r in raw.rows}
        out.append(sorted(set(field_values(con, dataset, name, districts)) | seen))
    return out


def _cube(raw: CountTable, domains: list[list[str]]) -> dict[tuple[str, ...], Tally]:
    """Every combination of the fields' values with every margin, as tallies (a margin's
    cell key is its parts' summed, so it is published like any other count)."""
    counts: dict[tuple[str, ...], Tally] = {}
    for r in raw.rows:
        counts[tuple(str(v) for v in r[:-1])] = r[-1]  # type: ignore[assignment]
    cube: dict[tuple[str, ...], Tally] = {}
    for combo in itertools.product(*domains):
        cell = counts.get(combo, Tally(0))
        for mask in itertools.product((False, True), repeat=len(combo)):
            key = tuple(TOTAL if m else v for v, m in zip(combo, mask, strict=True))
            cube[key] = tally(cube.get(key, Tally(0)) + cell)
    return cube


__all__ = ["ExportedCounts", "export_counts"]
