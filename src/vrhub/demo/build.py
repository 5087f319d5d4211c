"""Build the demo home: write the synthetic extracts as files, then ingest them as a partner would.

Files arrive as they would in real life: each month's extract about ten days after the month
ends, except one police month that comes late and one that is sent again with corrections
(which replaces the first version).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
from rich.console import Console

from vrhub.datasets import get_dataset
from vrhub.demo import calibration as cal
from vrhub.demo import factors_justice
from vrhub.demo.benchmarks import load_illustrative_benchmarks
from vrhub.demo.factors_care import write_education_and_care
from vrhub.demo.generate import (
    DEFAULT_END_MONTH,
    _write,
    ed_assaults,
    hospital_admissions,
    load_area,
    months_between,
    police_crime,
)
from vrhub.demo.governance import ACTOR, setup_demo_governance
from vrhub.demo.recommendations import propose_demo_recommendations
from vrhub.home import Home
from vrhub.hub import open_hub
from vrhub.ingest.load import IngestResult
from vrhub.ingest.replace import Uploader
from vrhub.measures.costs import ILLUSTRATIVE
from vrhub.months import month_end
from vrhub.pipeline import governance, ingest_governed, init_partnership_home, load_unit_costs
from vrhub.store.analytical import first


def _received(month: str, days: float) -> dt.date:
    return month_end(month) + dt.timedelta(days=int(days))


def build_demo_home(
    home_dir: Path | None,
    years: int,
    seed: int,
    console: Console | None = None,
    end_month: str = DEFAULT_END_MONTH,
) -> str:
    """Write synthetic West Yorkshire extracts and ingest them through the normal path.

    Returns a summary of what was built, for the command line to print.
    """
    home, _ = init_partnership_home(home_dir, "west-yorkshire")
    gov = governance(home)
    setup_demo_governance(gov, months_between(end_month, 12 * years)[0])
    _load_illustrative_costs(home)
    load_illustrative_benchmarks(home, end_month)
    say = console.print if console else (lambda *a, **k: None)
    months = months_between(end_month, 12 * years)
    rng = np.random.default_rng(seed)
    extracts = home.path / "demo-extracts"
    hub = open_hub(home)
    con = hub.con
    try:
        area = load_area(con, home.partnership.district_codes, seed)
        say(f"Writing {len(months)} months of synthetic extracts to {extracts}")
        plan: list[tuple[str, Path, str | None, dt.date]] = []
        police = police_crime(area, months, rng)
        late = months[-6]
        revised = months[-18] if len(months) >= 18 else months[len(months) // 2 - 1]
        for month, table in police.items():
            path = extracts / "police-crime" / f"police-crime-{month}.csv"
            if month == revised:
                keep = np.flatnonzero(rng.random(table.num_rows) >= 0.04)
                _write(table.take(keep), path)
                full = extracts / "police-crime" / f"police-crime-{month}-revised.csv"
                _write(table, full)
                plan.append(("police-crime", full, "west-yorkshire-police", _received(month, 40)))
            else:
                _write(table, path)
            days = cal.LATE_DAYS.value if month == late else cal.ON_TIME_DAYS.value
            plan.append(("police-crime", path, "west-yorkshire-police", _received(month, days)))
        for (site, month), table in ed_assaults(area, months, rng).items():
            path = extracts / "ed-assault" / site / f"ed-assault-{site}-{month}.csv"
            _write(table, path)
            plan.append(("ed-assault", path, None, _received(month, cal.ON_TIME_DAYS.value)))
        for month, table in hospital_admissions(area, months, rng).items():
            path = extracts / "hospital-admission" / f"hospital-admission-{month}.csv"
            _write(table, path)
            plan.append(
                (
                    "hospital-admission",
                    path,
                    "west-yorkshire-hospitals",
                    _received(month, cal.ON_TIME_DAYS.value),
                )
            )
        plan += factors_justice.justice_extracts(area, months, seed, extracts)
        plan += write_education_and_care(area, months, seed, extracts)
        plan.sort(key=lambda p: (p[3], p[1].name))
        results: list[IngestResult] = []
        for i, (name, path, source, received) in enumerate(plan):
            if console and i % 50 == 0:
                say(f"ingesting file {i + 1} of {len(plan)}")
            results.append(
                ingest_governed(
                    hub,
                    get_dataset(name),
                    path,
                    source,
                    received,
                    uploader=Uploader(ACTOR, SUPPLIERS.get(name, source)),
                )
            )
        say("Proposing recommendations for the latest year (for an analyst to review)")
        propose_demo_recommendations(hub)
        return _summary(home, con, results, extracts)
    finally:
        hub.close()
        gov.close()


#: The demo organisation that supplies each dataset (a party to its agreement).
SUPPLIERS = {"police-crime": "wyp", "ed-assault": "wy-icb", "hospital-admission": "wy-icb"}
SUPPLIERS |= factors_justice.SUPPLIERS


def _load_illustrative_costs(home: Home) -> None:
    """Unit costs for the demo only, labelled illustrative in their source."""
    path = home.path / "demo-unit-costs-ILLUSTRATIVE.csv"
    path.write_text(ILLUSTRATIVE, encoding="utf-8")
    load_unit_costs(home, path, actor="demo")


def _summary(
    home: Home, con: duckdb.DuckDBPyConnection, results: list[IngestResult], extracts: Path
) -> str:
    lines = [
        f"Demo partnership {home.partnership.name} built in {home.path}",
        f"Synthetic partner extracts: {extracts}",
        "",
    ]
    by: dict[str, list[int]] = {}
    for r in results:
        tot = by.setdefault(r.dataset, [0, 0, 0, 0, 0])
        tot[0] += 1
        tot[1] += r.rows_read
        tot[2] += r.rows_accepted
        tot[3] += r.rows_rejected
        tot[4] += r.status == "unchanged"
    for name, (files, read, ok, bad, same) in sorted(by.items()):
        lines.append(
            f"{name:20} {files:4} files  {read:9,} rows read  {ok:9,} loaded  "
            f"{bad:6,} quarantined" + (f"  ({same} unchanged)" if same else "")
        )
    replaced = [r for r in results if r.replaced]
    for r in replaced:
        for x in r.replacements:
            lines.append(f"{r.file} {x.words}")
    row = first(
        con.execute(
            "SELECT count(*) FROM events_police_crime WHERE offence_code = '001/01'"
        ).fetchall()
    )
    lines += [
        "",
        f"Murders recorded in the demo extract: {row[0] if row else 0}",
        "Organisations, agreements and one account per role are in the record store; the "
        f"accounts' passwords are in {home.path / 'demo-accounts.txt'} (readable by you only).",
        "",
        "Try:",
        f"  .venv/bin/vrhub counts --home {home.path} --dataset police-crime --by district",
        f"  .venv/bin/vrhub quarantine list --home {home.path} --limit 10",
        f"  .venv/bin/vrhub batches --home {home.path} --limit 10",
        f"  .venv/bin/vrhub agreement list --home {home.path}",
        f"  .venv/bin/vrhub quality --home {home.path}",
        f"  .venv/bin/vrhub measure run serious-violence --home {home.path} "
        "--dataset police-crime --by sv_category",
        f"  .venv/bin/vrhub measure change knife-enabled-serious-violence --home {home.path} "
        "--dataset police-crime --by district",
        f"  .venv/bin/vrhub audit verify --home {home.path}",
        f"  .venv/bin/vrhub report sna --home {home.path} --audience public "
        f"--out {home.path / 'reports' / 'public'}",
        "(`make demo` builds the needs assessment and district profiles for the analyst and "
        f"public audiences into {home.path / 'reports'}: open index.html in each.)",
    ]
    return "\n".join(lines)
