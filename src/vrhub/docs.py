"""Reference documentation generated from the code, so it cannot drift from it.

``docs/reference/*.md`` (datasets, settings, measures, report sections) are written by
``python -m vrhub.docs``; a test fails if the committed files differ from what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vrhub.datasets import all_datasets
from vrhub.datasets.spec import Dataset, Kind
from vrhub.ingest.rules import checks
from vrhub.measures.population import PER
from vrhub.measures.registry import all_measures
from vrhub.reports.registry import all_sections
from vrhub.settings import Settings
from vrhub.store.events import COMMON, GEOGRAPHY

KIND_WORDS = {
    Kind.TEXT: "text",
    Kind.IDENTIFIER: "identifier (pseudonymised)",
    Kind.INTEGER: "whole number",
    Kind.DECIMAL: "number",
    Kind.DATE: "date (YYYY-MM-DD or DD/MM/YYYY)",
    Kind.DATETIME: "date-time (YYYY-MM-DD HH:MM[:SS] or DD/MM/YYYY HH:MM)",
    Kind.MONTH: "month (YYYY-MM)",
    Kind.FLAG: "flag (Y/N, Yes/No, True/False, 1/0)",
    Kind.CODE: "code from a list",
    Kind.LSOA: "LSOA code, 2011 or 2021 (E01/W01 + 6 digits)",
    Kind.POSTCODE: "UK postcode",
    Kind.LONGITUDE: "longitude, WGS84 degrees",
    Kind.LATITUDE: "latitude, WGS84 degrees",
    Kind.EASTING: "easting, British National Grid metres",
    Kind.NORTHING: "northing, British National Grid metres",
    Kind.HO_OFFENCE: "Home Office offence code (NNN/NN)",
    Kind.ICD10_ASSAULT: "ICD-10 code X85–Y09",
    Kind.SITE_CODE: "site code (3–12 letters or digits)",
}


def _dataset(d: Dataset) -> list[str]:
    lines = [f"## `{d.name}` — {d.title}", "", d.description, ""]
    kind = (
        "partner extract (needs a data-sharing agreement)"
        if d.partner_extract
        else ("published open data (Open Government Licence)")
    )
    lines += [
        f"- Kind: {kind}",
        f"- Events table: `{d.table}`",
        f"- A row's month comes from: `{d.field(d.month_field).header}`",
    ]
    if d.source_field:
        lines.append(
            f"- Source when `--source` is not given: the file's single "
            f"`{d.field(d.source_field).header}` value"
        )
    else:
        lines.append(f"- Source when `--source` is not given: `{d.name}`")
    rid = d.record_id_field
    if rid:
        lines.append(
            f"- Record identifier (duplicates refused): `{rid.header}`"
            + (" — blank values are never duplicates" if not rid.required else "")
        )
    if d.factor is not None:
        by = f", by `{d.field(d.factor.breakdown).header}`" if d.factor.breakdown else ""
        lines.append(
            f"- Influential factor: {d.factor.theme} — {d.factor.counted}, counted per 1,000 "
            f"{PER[d.factor.per][1]}{by} (section `influential-factors`)"
        )
    lines += [
        "",
        "| column | kind | must be filled | column must be present | identifies a "
        "person | description |",
        "|---|---|---|---|---|---|",
    ]
    for f in d.fields:
        desc = f.description
        if f.allowed:
            desc += " Allowed: " + "; ".join(f"`{a}`" for a in f.allowed) + "."
        if f.synonyms:
            desc += " Also accepted: " + "; ".join(f"`{a}` → `{b}`" for a, b in f.synonyms) + "."
        person = "no"
        if f.identifies_person:
            person = "yes — pseudonymised" if f.stored else "yes — never stored"
        lines.append(
            f"| `{f.header}` | {KIND_WORDS[f.kind]} | {'yes' if f.required else 'no'} | "
            f"{'yes' if f.column_required else 'no'} | {person} | {desc} |"
        )
    lines += ["", "Checks applied to each value (rule — message):", ""]
    for f in d.fields:
        for c in checks(f, "v", "t", "k"):
            lines.append(f"- `{c.rule}` ({c.severity}) — {c.message}")
    for r in d.row_rules:
        lines.append(f"- `{r.rule}` ({r.severity}) — {r.message}")
    lines.append("")
    return lines


def datasets_markdown() -> str:
    lines = [
        "# Reference: dataset standards",
        "",
        "Generated from the code by `python -m vrhub.docs`; do not edit by hand.",
        "",
        "Headers are matched ignoring case, spaces, hyphens and underscores. Blank means "
        "missing. Rows are numbered as a spreadsheet shows them: the header is row 1.",
        "",
        "Every events table also has these columns:",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{n}` | {t} | {m} |" for n, t, m in (*COMMON, *GEOGRAPHY)]
    lines.append("")
    for d in all_datasets():
        lines += _dataset(d)
    return "\n".join(lines).rstrip() + "\n"


def settings_markdown() -> str:
    lines = [
        "# Reference: settings",
        "",
        "Generated from the code by `python -m vrhub.docs`; do not edit by hand.",
        "",
        "Each setting can be given as an environment variable; `home` also as `--home`.",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, info in Settings.model_fields.items():
        default = "(required)" if info.is_required() else f"`{info.default}`"
        lines.append(f"| `{name}` | `VRHUB_{name.upper()}` | {default} | {info.description} |")
    return "\n".join(lines) + "\n"


def measures_markdown() -> str:
    lines = [
        "# Reference: measures",
        "",
        "Generated from the code by `python -m vrhub.docs`; do not edit by hand. Run one with "
        "`vrhub measure run NAME --dataset D`; `vrhub measure show NAME` prints the same.",
        "",
    ]
    for m in all_measures():
        feeds = m.fed_by(all_datasets())
        lines += [
            f"## `{m.name}` (version {m.version})",
            "",
            f"{m.title}. {m.description}",
            "",
            f"- Numerator: {m.numerator}",
            f"- Denominator: {m.denominator}",
            f"- Rate per: {m.per:,}",
            f"- Datasets that can feed it: {', '.join(feeds)}",
            f"- Method: {m.method}",
        ]
        lines += [f"- Caveat: {c}" for c in m.caveats]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def report_sections_markdown() -> str:
    lines = [
        "# Reference: report sections",
        "",
        "Generated from the code by `python -m vrhub.docs`; do not edit by hand. The needs "
        "assessment and each district profile run these sections in this order, after the key "
        "findings (gathered from them) and before the appendices (methods and definitions; data "
        "sources and agreements). A partnership adds its own in an extension package "
        "(see [writing an extension](../how-to/extend.md)).",
        "",
    ]
    for spec in all_sections():
        lines += [f"## `{spec.id}`: {spec.title}", "", " ".join(spec.description.split()), ""]
    return "\n".join(lines).rstrip() + "\n"


def write(root: Path) -> None:
    ref = root / "docs" / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    (ref / "datasets.md").write_text(datasets_markdown(), encoding="utf-8")
    (ref / "settings.md").write_text(settings_markdown(), encoding="utf-8")
    (ref / "measures.md").write_text(measures_markdown(), encoding="utf-8")
    (ref / "report-sections.md").write_text(report_sections_markdown(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
