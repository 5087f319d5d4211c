"""The place section's kinds of place and night-time economy: shares of emergency-department
assault attendances by the type of place the assault happened, and serious violence in the
night-time economy (see :mod:`vrhub.reports.wards`) in each town centre the partnership file
names, with emergency-department assaults at licensed premises."""

from __future__ import annotations

from typing import Any

from vrhub.datasets.ed_assault import LOCATION_TYPES
from vrhub.errors import AudienceForbiddenError, UnsupportedFieldError
from vrhub.measures.intervals import wilson_interval
from vrhub.outputs.protect import Shown, protect_each, protect_parts
from vrhub.outputs.reads import Reads
from vrhub.reports.content import Finding, Note, Paragraph, Section, Subheading, Table
from vrhub.reports.sections.common import withheld
from vrhub.reports.sections.place_wards import ward_figures
from vrhub.reports.wards import NTE_WORDS, in_wards, night_time

POLICE = "police-crime"
ED = "ed-assault"
LICENSED = "Licensed premises"
NOT_RECORDED = "Not recorded"


def kinds_part(s: Section, data: Reads) -> None:
    """Kinds of place (ED) and the night-time economy by town centre (police)."""
    licensed = _location_types(s, data)
    _night_time(s, data, licensed)


def _location_types(s: Section, data: Reads) -> str | None:
    """The tables of shares by type of place; returns the ED licensed-premises count in words."""
    s.add(Subheading("Kinds of place"))
    _police_types(s, data)
    s.add(
        Paragraph(
            "Emergency department (ISTV) records give the type of place the patient said the "
            "assault happened."
        )
    )
    if not data.has_data(ED):
        s.add(
            Note(
                "Emergency department assault attendances are not yet shared, so kinds of "
                "place from them are not shown."
            )
        )
        return None
    try:
        result, rule = data.measure("ed-assault-attendances", ED, ["location_type"])
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, ED, exc)
        return None
    counts = _by_kind(result.rows, "Not known")
    shown = protect_parts(counts, rule)
    total = shown["Total"].count
    if not total:
        s.add(Paragraph(f"Too few assault attendances in the {data.period.label} to show."))
        return None
    s.add(
        _shares(
            f"Emergency department assault attendances by the type of place the assault "
            f"happened, {data.area_name}, {data.period.label}",
            "Attendances",
            shown,
        )
    )
    top = max((k for k in counts if shown[k].count), key=lambda k: shown[k].count or 0)
    share = 100 * (shown[top].count or 0) / total
    s.findings.append(
        Finding(
            f"{share:.0f}% of emergency department assault attendances from {data.area_name} "
            f"were for assaults in {'a ' if top == 'Home' else ''}{top.lower()}.",
            12,
        )
    )
    if LICENSED not in counts:
        return "no emergency department assault attendances at licensed premises"
    at = shown[LICENSED]
    lead = "a few" if at.count is None else f"{at.count:,}"
    return f"{lead} emergency department assault attendances at licensed premises"


def _by_kind(rows: Any, missing: str) -> dict[str, Any]:
    """Counts by type of place, in the standard's order (a blank type as ``missing``)."""
    counts: dict[str, Any] = {}
    for r in rows:
        kind = str(r.group[0]) if r.group[0] not in (None, "", "None", "unknown") else missing
        counts[kind] = counts.get(kind, 0) + r.count
    order = [k for k in (*LOCATION_TYPES, missing) if k in counts]
    return {k: counts[k] for k in order + sorted(set(counts) - set(order))}


def _shares(caption: str, what: str, shown: dict[str, Shown]) -> Table:
    """A table of published counts by type of place with shares and Wilson intervals."""
    total = shown["Total"].count or 0
    rows = []
    for k, v in shown.items():
        if k == "Total":
            continue
        if v.count is None:
            rows.append([k, v.text(), "[c]", ""])
            continue
        low, high = wilson_interval(v.count, total)
        share = f"{100 * v.count / total:.1f}%"
        rows.append([k, f"{v.count:,}", share, f"{100 * low:.1f} to {100 * high:.1f}"])
    rows.append(["All types of place", f"{total:,}", "100.0%", ""])
    return Table(caption, ["Type of place", what, "Share", "95% interval (Wilson)"], rows,
                 [False, True, True, False])  # fmt: skip


def _police_types(s: Section, data: Reads) -> None:
    """Serious violence by the type of place the force recorded, where its extract holds it."""
    try:
        result, rule = data.measure("serious-violence", POLICE, ["location_type"])
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
        return
    counts = _by_kind(result.rows, NOT_RECORDED)
    if not any(k != NOT_RECORDED for k in counts):
        s.add(
            Paragraph(
                "The police-recorded crime shared does not record the type of place (the "
                "extract's optional location type column is empty), so kinds of place come "
                "from emergency department records only."
            )
        )
        return
    shown = protect_parts(counts, rule)
    if not shown["Total"].count:
        s.add(Paragraph(f"Too few serious violence records in the {data.period.label} to show "
                        "the type of place."))  # fmt: skip
        return
    s.add(
        _shares(
            f"Serious violence by the type of place the police recorded, {data.area_name}, "
            f"{data.period.label}",
            "Records",
            shown,
        )
    )


def _night_time(s: Section, data: Reads, licensed: str | None) -> None:
    s.add(Subheading("The night-time economy"))
    s.add(Paragraph(f"Night-time economy violence here is {NTE_WORDS}; records without a time "
                    "of day are not counted."))  # fmt: skip
    try:
        result, rule = data.measure("serious-violence", POLICE, ["lsoa", "weekday", "hour"])
    except (AudienceForbiddenError, UnsupportedFieldError) as exc:
        withheld(s, data, POLICE, exc)
        return
    night = [
        (r.group[0], r.count)
        for r in result.rows
        if r.group[2] != "unknown" and night_time(str(r.group[1]), int(r.group[2]))
    ]
    f = ward_figures(data)
    nte = in_wards(f.placed.lsoa_ward, f.wards, night)
    centres = [c for c in data.home.partnership.town_centres if all(w in f.wards for w in c.wards)]
    area_night = protect_each({"n": sum((n for _, n in night), 0)}, rule)["n"]
    s.add(
        Paragraph(
            f"{area_night.text() if area_night.count is not None else 'A few'} serious violence "
            f"records in {data.area_name} in the {data.period.label} were in the night-time "
            "economy."
        )
    )
    if not centres:
        s.add(
            Note(
                f"No town centre of {data.area_name} is named in the partnership file, so the "
                "night-time economy is not shown by town centre; the hub's administrator can "
                "name town centres by their wards in the partnership file."
            )
        )
    else:
        both = {
            c.name: (
                sum((nte.counts[w] for w in c.wards), 0),
                sum((f.placed.counts[w] for w in c.wards), 0),
            )
            for c in centres
        }
        night_shown = protect_each({k: v[0] for k, v in both.items()}, f.rule)
        all_shown = protect_each({k: v[1] for k, v in both.items()}, f.rule)
        rows = []
        for c in centres:
            a, b = night_shown[c.name], all_shown[c.name]
            share = f"{100 * a.count / b.count:.0f}%" if a.count is not None and b.count else "[c]"
            names = ", ".join(f.wards[w].name for w in c.wards)
            rows.append([c.name, names, a.text(), b.text(), share])
        s.add(
            Table(
                f"Serious violence in the night-time economy by town centre, {data.period.label}",
                [
                    "Town centre",
                    "Wards",
                    "Night-time economy",
                    "All serious violence",
                    "Night-time share",
                ],
                rows,
                [False, False, True, True, True],
            )
        )
    if licensed is not None:
        s.add(
            Note(
                f"There were {licensed} in the {data.period.label}. Emergency department "
                "records give where the patient lives, not where the assault happened, so they "
                "are not placed in town centres."
            )
        )
