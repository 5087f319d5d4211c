"""Who violence happens to and who is suspected of causing it: violent offences by the victim's
or the suspect's age, sex and ethnicity, and the population by age to set them against.

The offences are those of the ``victims`` measure (violence against the person, robbery and
sexual offences recorded by the police) placed in the area, each counted once: a person
victimised twice is counted twice here (:mod:`vrhub.measures.repeats` counts people). Every
count is a :class:`~vrhub.tally.Tally`, so disclosure control can publish it.

Ages are banded child-first: children 0 to 9, 10 to 13 and 14 to 17, young adults 18 to 24
and adults 25 and over. A blank value, a sex of "Unknown" and an ethnicity of "Not stated"
are all "not recorded", never a group of their own and never zero.

The population is held by age only (no source vrhub ships gives sex or ethnicity by LSOA),
and by the bands "all", "0-17", "10-17", "18-24" and "0-24", so the population's age shares
are for 0 to 9, 10 to 17 (together), 18 to 24 and 25 and over.

Example (runnable): shares among the offences whose victim's age is recorded::

    >>> from vrhub.tally import Tally
    >>> b = Breakdown("victim", "age", {"0-9": Tally(2), "25+": Tally(6),
    ...               NOT_RECORDED: Tally(2)}, [1], True)
    >>> int(b.recorded), b.share("25+")
    (8, 0.75)
    >>> pop = AgePopulation("ONS mid-2020", 2020, {"all": 1000, "0-17": 230, "10-17": 100,
    ...                     "18-24": 90, "0-24": 320})
    >>> pop.share("0-9"), pop.share("25+"), pop.share("10-13")
    (0.13, 0.68, None)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis

from vrhub.datasets.spec import Dataset
from vrhub.measures.engine import selected
from vrhub.measures.registry import get_measure
from vrhub.tally import Tally

#: The measure whose offences are described.
MEASURE = "victims"
NOT_RECORDED = "not recorded"
#: Child-first age bands: key, first age, last age (None: and over), words.
AGE_BANDS: tuple[tuple[str, int, int | None, str], ...] = (
    ("0-9", 0, 9, "children 0 to 9"),
    ("10-13", 10, 13, "children 10 to 13"),
    ("14-17", 14, 17, "children 14 to 17"),
    ("18-24", 18, 24, "young adults 18 to 24"),
    ("25+", 25, None, "adults 25 and over"),
)
SEXES = ("Female", "Male", "Other")
ETHNICITIES = (
    "Asian, Asian British or Asian Welsh",
    "Black, Black British, Black Welsh, Caribbean or African",
    "Mixed or Multiple ethnic groups",
    "White",
    "Other ethnic group",
)
CHARACTERISTICS = {"age": "age", "sex": "sex", "ethnicity": "ethnicity"}
ROLES = ("victim", "suspect")
#: Population bands the shares are worked from.
POPULATION_BANDS = ("all", "0-17", "10-17", "18-24", "0-24")


@dataclass(frozen=True)
class Breakdown:
    """Violent offences by one characteristic of the victim (or suspect).

    ``counts`` holds each group in order, then :data:`NOT_RECORDED`; ``held`` is False when
    no offence in the area and period records the characteristic at all (the force does not
    send it), which a report says in words rather than showing a table of blanks.
    """

    role: str
    characteristic: str
    counts: dict[str, Tally]
    batches: list[int] = field(default_factory=list)
    held: bool = True

    @property
    def recorded(self) -> Tally:
        """The offences whose person has the characteristic recorded."""
        return sum((v for k, v in self.counts.items() if k != NOT_RECORDED), Tally(0))

    @property
    def total(self) -> Tally:
        return sum(self.counts.values(), Tally(0))

    def share(self, group: str) -> float | None:
        """The group's exact share of the offences with the characteristic recorded."""
        known = int(self.recorded)
        return int(self.counts.get(group, 0)) / known if known else None


@dataclass(frozen=True)
class AgePopulation:
    """The area's residents by the age bands a population source holds."""

    source: str
    year: int
    people: dict[str, int]

    def count(self, band: str) -> int | None:
        """Residents in one of :data:`AGE_BANDS` (or "0-17", "10-17"); None when the source
        cannot give that band (10 to 13 and 14 to 17 are held only together)."""
        p = self.people
        derived = {
            "0-9": p["0-17"] - p["10-17"],
            "25+": p["all"] - p["0-24"],
        }
        if band in derived:
            return derived[band]
        return p.get(band)

    def share(self, band: str) -> float | None:
        n = self.count(band)
        return None if n is None or not self.people["all"] else n / self.people["all"]

    def describe(self) -> str:
        return f"{self.source}, {self.year}"


def _columns(role: str) -> dict[str, str]:
    return {
        "id": f"{role}_id_pseudonym",
        "age": f"{role}_age",
        "sex": f"{role}_sex",
        "ethnicity": f"{role}_ethnicity",
    }


def offences_sql(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    months: tuple[str, str],
    role: str,
) -> str:
    """SQL for the violent offences placed in the districts in the months; for suspects, only
    those with a suspect recorded (an identifier or any of the suspect's details). Compiled
    once per request and kept, as the measures engine keeps its statements."""
    key = (dataset.name, tuple(districts), months, role)
    if key not in _COMPILED:
        _COMPILED[key] = _compile(backend, dataset, districts, months, role)
    return _COMPILED[key]


_COMPILED: dict[tuple[object, ...], str] = {}


def _compile(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    months: tuple[str, str],
    role: str,
) -> str:
    t = selected(backend, get_measure(MEASURE), dataset, {}, months[0], months[1])
    t = t.filter(t.district.isin(list(districts)))
    if role == "suspect":
        c = _columns(role)
        t = t.filter(
            t[c["id"]].notnull() | t[c["age"]].notnull() | t[c["sex"]].notnull()
            | t[c["ethnicity"]].notnull()
        )  # fmt: skip
    return str(backend.compile(t))


def _group_sql(role: str, characteristic: str) -> str:
    col = _columns(role)[characteristic]
    if characteristic == "age":
        whens = " ".join(
            f"WHEN {col} BETWEEN {lo} AND {hi} THEN '{key}'"
            if hi is not None
            else f"WHEN {col} >= {lo} THEN '{key}'"
            for key, lo, hi, _ in AGE_BANDS
        )
        return f"CASE {whens} ELSE '{NOT_RECORDED}' END"
    known = SEXES if characteristic == "sex" else ETHNICITIES
    listed = ", ".join(f"'{k}'" for k in known)
    return f"CASE WHEN {col} IN ({listed}) THEN {col} ELSE '{NOT_RECORDED}' END"


def breakdown(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    months: tuple[str, str],
    role: str,
    characteristic: str,
) -> Breakdown:
    """The area's violent offences in the months by the victim's (or suspect's) age band,
    sex or ethnicity."""
    if characteristic not in CHARACTERISTICS:
        raise ValueError(f"no breakdown of {role} by {characteristic}")
    return breakdowns(backend, dataset, districts, months, role)[characteristic]


def breakdowns(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    months: tuple[str, str],
    role: str,
) -> dict[str, Breakdown]:
    """The area's violent offences in the months by each characteristic of the victim (or
    suspect), read in one pass."""
    if role not in ROLES:
        raise ValueError(f"no breakdown of {role}")
    base = offences_sql(backend, dataset, districts, months, role)
    parts = [
        f"SELECT '{c}' AS c, {_group_sql(role, c)} AS g, count(*) AS n, "
        f"coalesce(sum(record_key), 0) AS k, count({_columns(role)[c]}) AS given, "
        "list(DISTINCT batch_id) AS b FROM o GROUP BY g"
        for c in CHARACTERISTICS
    ]
    rows = backend.con.execute(
        f"WITH o AS MATERIALIZED ({base}) " + " UNION ALL ".join(parts)
    ).fetchall()
    out = {}
    for c in CHARACTERISTICS:
        mine = [r for r in rows if r[0] == c]
        found = {str(g): Tally(int(n), int(k)) for _, g, n, k, _, _ in mine}
        given = sum(int(r[4]) for r in mine)
        batches = sorted({int(b) for r in mine for b in r[5]})
        order = {
            "age": [k for k, *_ in AGE_BANDS],
            "sex": list(SEXES),
            "ethnicity": list(ETHNICITIES),
        }[c]
        counts = {k: found.get(k, Tally(0)) for k in order}
        if c == "sex" and "Other" not in found:
            counts.pop("Other")
        counts[NOT_RECORDED] = found.get(NOT_RECORDED, Tally(0))
        out[c] = Breakdown(role, c, counts, batches, given > 0)
    return out


def age_population(
    backend: ibis.BaseBackend, districts: list[str], year: int
) -> AgePopulation | None:
    """The residents of the districts by age, from the source nearest ``year`` (on a tie the
    newer) that holds every band of :data:`POPULATION_BANDS` for every district; None when no
    source does."""
    listed = ", ".join(f"'{d}'" for d in districts)
    bands = ", ".join(f"'{b}'" for b in POPULATION_BANDS)
    rows = backend.con.execute(
        f"""
        SELECT source, year, band, sum(population), count(DISTINCT district)
        FROM ref_district_population_estimates
        WHERE complete AND band IN ({bands}) AND district IN ({listed})
        GROUP BY source, year, band
        """
    ).fetchall()
    held: dict[tuple[str, int], dict[str, int]] = {}
    for source, yr, band, pop, n in rows:
        if int(n) == len(set(districts)):
            held.setdefault((str(source), int(yr)), {})[str(band)] = int(pop)
    whole = [k for k, v in held.items() if set(POPULATION_BANDS) <= set(v)]
    if not whole:
        return None
    source, yr = min(whole, key=lambda k: (abs(k[1] - year), -k[1]))
    return AgePopulation(source, yr, held[(source, yr)])


__all__ = [
    "AGE_BANDS",
    "ETHNICITIES",
    "NOT_RECORDED",
    "SEXES",
    "AgePopulation",
    "Breakdown",
    "age_population",
    "breakdown",
    "breakdowns",
    "offences_sql",
]
