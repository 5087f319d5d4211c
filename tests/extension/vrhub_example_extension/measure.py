"""Ambulance call-outs for stab wounds, per 100,000 residents."""

from __future__ import annotations

import ibis.expr.types as ir

from vrhub.datasets.spec import Dataset
from vrhub.measures.spec import Measure


def _stab_wounds(t: ir.Table, d: Dataset) -> ir.Table:
    return t.filter(t.injury == "stab wound")


AMBULANCE_STAB_CALLOUTS = Measure(
    name="ambulance-stab-callouts",
    version="1",
    title="Ambulance call-outs for stab wounds",
    description="Call-outs to a person with a stab wound from an assault.",
    numerator="ambulance call-outs whose recorded injury is a stab wound",
    denominator="resident population (IoD 2019 denominators, mid-2015, all ages)",
    per=100_000,
    datasets=("ambulance-assault",),
    needs=("injury",),
    caveats=("Call-outs with no LSOA cannot be placed in an area and are left out of rates.",),
    select=_stab_wounds,
)
