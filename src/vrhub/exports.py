"""Counts leaving the analyst tier: scoped, lineage-checked, disclosure-controlled, audited.

An export draws on batches; each batch came under an agreement version. The export may go to
an audience only if every one of those agreements permits it, and outside the analyst tier
every count is protected under the strictest of their disclosure rules, with totals, so that
no small count can be read or worked out. Every export is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from vrhub.counts import CountTable, batches_counted, count_records
from vrhub.datasets.spec import Dataset
from vrhub.disclosure import AdditiveTable, DisclosureRule, protect
from vrhub.disclosure.engine import TOTAL
from vrhub.errors import UnsupportedFieldError
from vrhub.governance.context import Governance
from vrhub.governance.people import audience_of, require_districts
from vrhub.governance.release import AgreementRef, release

MAX_CONTROLLED_FIELDS = 2


@dataclass(frozen=True)
class ExportedCounts:
    """Counts as released: each row's fields, its count (None when suppressed) and the rule."""

    audience: str
    fields: list[str]
    rows: list[tuple[object, ...]]  # (*field values, count or None, rule applied)
    agreements: list[AgreementRef]
    rule: str


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
        actor = user.username
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
        rows = [(*r, "analyst tier: not disclosure-controlled") for r in raw.rows]
        gov.audit.write(actor, "export.counts", dataset.name, details)
        return ExportedCounts(audience, raw.fields, rows, agreements, "none (analyst tier)")
    if len(by) > MAX_CONTROLLED_FIELDS:
        raise UnsupportedFieldError(
            f"counts for the {audience} audience can be broken down by at most "
            f"{MAX_CONTROLLED_FIELDS} fields (asked for {len(by)}: {', '.join(by)})"
        )
    rule = DisclosureRule(released.suppress_max, released.round_to)
    protected = protect(_cube(raw), rule)
    rows = []
    for key, cell in sorted(protected.cells.items(), key=lambda kv: _order(kv[0])):
        rows.append((*key, cell.value, f"{cell.state.value} ({cell.rule})"))
    gov.audit.write(actor, "export.counts", dataset.name, {**details, "rule": rule.describe()})
    return ExportedCounts(audience, raw.fields, rows, agreements, rule.describe())


def _order(key: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((1, k) if k == TOTAL else (0, k) for k in key)


def _cube(raw: CountTable) -> AdditiveTable:
    """The counts with every margin: one or two fields become a list or a grid with totals."""
    k = len(raw.fields)
    cats = [sorted({str(r[i]) for r in raw.rows}) for i in range(k)]
    counts = {tuple(str(v) for v in r[:-1]): int(r[-1]) for r in raw.rows}  # type: ignore[call-overload]
    if k == 1:
        leaves = {c: counts.get((c,), 0) for c in cats[0]}
        return AdditiveTable.hierarchy(leaves, dict.fromkeys(cats[0], TOTAL))
    grid = [[counts.get((a, b), 0) for b in cats[1]] for a in cats[0]]
    return AdditiveTable.grid(cats[0], cats[1], grid)


__all__ = ["ExportedCounts", "export_counts"]
