"""vrhub's own recommendation rules: a rising success measure, a persistent hotspot and a
cohort over-represented among victims against its share of the population."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vrhub.measures.intervals import wilson_interval
from vrhub.measures.population import NoPopulationError, Population, choose, population_table
from vrhub.outputs.protect import protect_each
from vrhub.outputs.reads import Reads
from vrhub.reports.hotspots import analysis_areas, place, rates_per_1000
from vrhub.reports.recommendations.rules import Proposal, Rule
from vrhub.reports.sections.common import change
from vrhub.reports.sections.success import SUCCESS
from vrhub.store.analytical import table_exists

POLICE = "police-crime"
#: An area is a persistent hotspot when its rate is among this many highest in both years...
TOP_RANKS = 10
#: ...with at least this many records in each (a rate from a handful of records is not ranked).
MIN_RECORDS = 10
#: Cohorts compared with their share of the population: the measure's breakdown, which of its
#: groups are in the cohort, the population band (``--per``) and words. Young adults are 18 to
#: 24 here, by single year of age, as the population estimates band them.
COHORTS: dict[str, tuple[str, Callable[[str], bool], str, str]] = {
    "children": ("age_group", lambda g: g == "child (under 18)", "children", "children (under 18)"),
    "young-adults": ("victim_age", lambda g: 18 <= _age(g) <= 24, "young-adults",
                     "young adults aged 18 to 24"),
    "under-25": ("under_25", lambda g: g == "under 25", "under-25",
                 "children and young people under 25"),
}  # fmt: skip
UNKNOWN = ("unknown", "None", "", "nan")


def _age(group: str) -> float:
    """A single year of age from its group value (-1 when it is not one)."""
    try:
        return float(group)
    except ValueError:
        return -1.0


# -- a rising success measure -------------------------------------------------------------
def _success(name: str) -> tuple[str, str, str]:
    return next(s for s in SUCCESS if s[0] == name)


def _rising_find(data: Reads) -> list[Proposal]:
    found = []
    for name, dataset, words in SUCCESS:
        if not data.has_data(dataset):
            continue
        c = change(data, name, dataset).comparison
        if c is None or not c.significant or c.rate_ratio is None or c.rate_ratio <= 1:
            continue
        found.append(
            Proposal(
                name,
                f"Review what the partnership does about {words} in {data.area_name}: it rose "
                f"significantly in the {data.period.label}. Agree with partners what more will "
                "be done and how progress will be tracked.",
                _rising_evidence(data, name),
            )
        )
    return found


def _rising_evidence(data: Reads, name: str) -> str:
    _, dataset, words = _success(name)
    what = words[0].upper() + words[1:]
    return change(data, name, dataset).sentence(what, data.area_name, data.period.label)


rising_success_measure = Rule(
    "rising-success-measure",
    "A rising success measure",
    "a Home Office success measure (hospital admissions for knife assault, knife-enabled "
    "serious violence or non-domestic homicide) rose in the year against the previous 12 "
    "months, and the 95% confidence interval of the change excludes no change",
    "the measure's count in the year and the change from the previous 12 months with its "
    "95% interval",
    _rising_find,
    _rising_evidence,
)


# -- a persistent hotspot -----------------------------------------------------------------
@dataclass(frozen=True)
class Ranked:
    code: str
    name: str
    district: str
    rates: tuple[float, float]  # this year, the year before (per 1,000 residents)
    counts: tuple[int, int]
    ranks: tuple[int, int]


def _ranks(data: Reads) -> dict[str, Ranked]:
    """Neighbourhoods (LSOA 2021) whose rate of serious violence is among the
    :data:`TOP_RANKS` highest in both the year and the year before, each year on at least
    :data:`MIN_RECORDS` records (exact counts, whatever the audience)."""
    return data.once("persistent-hotspots", lambda: _work_out_ranks(data))


def _work_out_ranks(data: Reads) -> dict[str, Ranked]:
    areas = analysis_areas(data.con, data.area, int(data.period.end[:4]))
    pops = {c: a.population for c, a in areas.items()}
    yearly = []
    for months in (data.period.current, data.period.previous):
        result, _ = data.measure("serious-violence", POLICE, ["lsoa"], months)
        placed = place(data.con, areas, [(r.group[0], r.count) for r in result.rows])
        counts = {c: int(n) for c, n in placed.counts.items() if int(n) >= MIN_RECORDS}
        rates = rates_per_1000(counts, pops)
        order = sorted(rates, key=lambda c: (-rates[c], c))[:TOP_RANKS]
        yearly.append(({c: i + 1 for i, c in enumerate(order)}, rates, counts))
    (now, rate_now, n_now), (before, rate_before, n_before) = yearly
    return {
        c: Ranked(
            c,
            areas[c].name,
            areas[c].district,
            (rate_now[c], rate_before[c]),
            (n_now[c], n_before[c]),
            (now[c], before[c]),
        )
        for c in sorted(now)
        if c in before
    }


def _ward(data: Reads, code: str) -> str | None:
    """The ward an LSOA 2021 lies in (the first part's, for a 2011 area that split), if held."""
    if not table_exists(data.con, "ref_lsoa_ward"):
        return None
    rows = data.con.execute(
        "SELECT w.ward_name FROM ref_lsoa_ward w WHERE w.lsoa21 = ? OR w.lsoa21 IN "
        "(SELECT code FROM ref_lsoa WHERE lsoa11 = ? AND code = lsoa21) ORDER BY w.lsoa21 LIMIT 1",
        [code, code],
    ).fetchall()
    return str(rows[0][0]) if rows and rows[0][0] else None


def _where(data: Reads, r: Ranked) -> str:
    """Where the hotspot is, named no smaller than a ward."""
    ward = _ward(data, r.code)
    district = data.district_name(r.district)
    return f"{ward} ward ({district})" if ward else district


def _hotspot_find(data: Reads) -> list[Proposal]:
    if not data.has_data(POLICE):
        return []
    return [
        Proposal(
            code,
            f"Focus prevention and problem-solving on the neighbourhood in {_where(data, r)} "
            f"whose rate of serious violence has been among the highest in {data.area_name} "
            "two years running, with partners and the community.",
            _hotspot_evidence(data, code),
        )
        for code, r in _ranks(data).items()
    ]


def _hotspot_evidence(data: Reads, code: str) -> str:
    r = _ranks(data).get(code)
    if r is None:
        return (
            f"The neighbourhood is no longer among the {TOP_RANKS} highest rates of serious "
            f"violence in {data.area_name} in both the {data.period.label} and the previous 12 "
            "months."
        )
    if not data.exact:
        return (
            f"A neighbourhood in {_where(data, r)} is among the ten highest rates of serious "
            f"violence per 1,000 residents in {data.area_name} in both the {data.period.label} "
            "and the previous 12 months (ranked on the full figures; only the result is shown)."
        )
    return (
        f"{r.name} ({r.code}, {_where(data, r)}): {r.rates[0]:.1f} serious violence records "
        f"per 1,000 residents in the {data.period.label} ({r.counts[0]:,} records, ranked "
        f"{r.ranks[0]} in {data.area_name}) and {r.rates[1]:.1f} in the previous 12 months "
        f"({r.counts[1]:,} records, ranked {r.ranks[1]})."
    )


persistent_hotspot = Rule(
    "persistent-hotspot",
    "A persistent hotspot",
    f"a neighbourhood (LSOA 2021) has one of the {TOP_RANKS} highest rates of serious violence "
    "per 1,000 residents in the area in both the year and the previous 12 months, with at "
    f"least {MIN_RECORDS} records in each",
    "the neighbourhood's rate, records and rank in each year (partner and public reports say "
    "only that it ranks among the highest, naming its ward)",
    _hotspot_find,
    _hotspot_evidence,
)


# -- a cohort over-represented among victims ----------------------------------------------
@dataclass(frozen=True)
class CohortShare:
    victims: str  # the cohort's victims, as the audience may see them
    known: str  # victims of known age
    share: float | None  # per cent, from the published counts
    interval: tuple[float, float] | None  # Wilson 95%, per cent
    population_share: float  # per cent of residents
    population: Population

    @property
    def over(self) -> bool:
        return self.interval is not None and self.interval[0] > self.population_share


def cohort_share(data: Reads, cohort: str) -> CohortShare:
    """The cohort's share of victims of known age (published counts outside the analyst tier)
    against its share of residents, from the population nearest the year."""
    by, member, per, _ = COHORTS[cohort]
    result, rule = data.measure("victims", POLICE, [by])
    counts = {str(r.group[0]): r.count for r in result.rows}
    known_groups = [g for g in counts if g not in UNKNOWN]
    cohort_n = sum((counts[g] for g in known_groups if member(g)), start=0)
    known = sum((counts[g] for g in known_groups), start=0)
    shown = protect_each({"cohort": cohort_n, "known": known}, rule)
    k, n = shown["cohort"].count, shown["known"].count
    share = interval = None
    if k is not None and n:
        share = 100 * k / n
        lo, hi = wilson_interval(min(k, n), n)
        interval = (100 * lo, 100 * hi)
    chosen = choose(data.backend, data.area, per, int(data.period.end[:4]))
    everyone = Population(
        chosen.source, chosen.year, chosen.geography, "all", chosen.excludes_prisoners
    )
    part = _total(data, chosen)
    whole = _total(data, everyone)
    if not whole:
        raise NoPopulationError(f"no all-ages population is held in {chosen.source}")
    return CohortShare(
        shown["cohort"].text(), shown["known"].text(), share, interval, 100 * part / whole, chosen
    )


def _total(data: Reads, p: Population) -> float:
    table = population_table(data.backend, p, None, data.area).to_pyarrow().to_pylist()
    return float(sum(r["population"] or 0 for r in table))


def _cohort_find(data: Reads) -> list[Proposal]:
    if not data.has_data(POLICE):
        return []
    found = []
    for cohort, (_, _, _, words) in COHORTS.items():
        try:
            c = cohort_share(data, cohort)
        except NoPopulationError:
            continue
        if c.over:
            found.append(
                Proposal(
                    cohort,
                    f"Make sure services in {data.area_name} reach {words}: they are a larger "
                    "share of victims of violence than of the population. Review with partners "
                    "whether prevention and support for them match their share of harm.",
                    _cohort_evidence(data, cohort),
                )
            )
    return found


def _cohort_evidence(data: Reads, cohort: str) -> str:
    words = COHORTS[cohort][3]
    try:
        c = cohort_share(data, cohort)
    except NoPopulationError as exc:
        return f"The share of {words} among residents cannot be given: {exc}."
    residents = f"{c.population_share:.1f}% of residents ({c.population.describe()})"
    if c.share is None or c.interval is None:
        return (
            f"Victims who are {words} in {data.area_name} in the {data.period.label}: "
            f"{c.victims} of {c.known} victims of known age, too few to give a share; they are "
            f"{residents}."
        )
    return (
        f"In {data.area_name} in the {data.period.label}, {c.victims} of {c.known} victims of "
        f"violence of known age were {words}: {c.share:.1f}% (95% CI {c.interval[0]:.1f}% to "
        f"{c.interval[1]:.1f}%, Wilson), against {residents}."
    )


over_represented_cohort = Rule(
    "over-represented-cohort",
    "A cohort over-represented among victims",
    "children (under 18), young adults (18 to 24) or children and young people under 25 are a "
    "larger share of the "
    "victims of violence of known age recorded by the police in the year than of the "
    "residents, the whole 95% confidence interval (Wilson) of their share of victims lying "
    "above their share of the population",
    "the cohort's victims, the victims of known age, their share with its 95% interval and "
    "the cohort's share of residents in the population nearest the year",
    _cohort_find,
    _cohort_evidence,
)
