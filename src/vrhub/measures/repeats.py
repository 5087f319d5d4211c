"""Repeat victimisation and repeat suspects, counted by pseudonym.

A person is known by the pseudonym of the force's victim (or suspect) identifier
(``victim_id_pseudonym``): the same person has the same pseudonym in every file under the same
key, so vrhub can count people without ever holding who they are. Over the violent offences of
the ``victims`` measure placed in the area in the period, :func:`repeats` counts the people
named, those named in two or more offences (repeat victims, repeat suspects), and the offences
each accounts for, which gives the concentration statement "x% of victims account for y% of
offences". Offences with no identifier are counted apart (nobody can say whose they are).

Counts of offences carry the cell key of their records; counts of people carry the sum of a
key drawn from each person's pseudonym, so the same people always give the same key.

Example (runnable): 10 victims, 2 of them named in 3 offences each, 14 offences in all::

    >>> from vrhub.tally import Tally
    >>> r = Repeats("victim", Tally(10), Tally(2), Tally(14), Tally(6), Tally(1), 3, [1], True)
    >>> round(r.people_share, 3), round(r.offence_share, 3)
    (0.2, 0.429)
    >>> r.statement(r.people, r.repeat_people, r.offences, r.repeat_offences)
    '20.0% of victims (2 of 10) were victims of 42.9% of the offences (6 of 14)'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis

from vrhub.datasets.spec import Dataset
from vrhub.measures.cohorts import offences_sql
from vrhub.store.events import cell_key_secret
from vrhub.tally import Tally

WORDS = {"victim": ("victims", "were victims of"), "suspect": ("suspects", "were suspected in")}


@dataclass(frozen=True)
class Repeats:
    """People named as victims (or suspects) in the area's violent offences in the period."""

    role: str
    #: People named in at least one offence.
    people: Tally
    #: People named in two or more.
    repeat_people: Tally
    #: Offences naming someone.
    offences: Tally
    #: Offences naming a person named in two or more.
    repeat_offences: Tally
    #: Offences naming nobody (no identifier recorded).
    unidentified: Tally
    #: The most offences any one person is named in (for analysts only).
    most: int
    batches: list[int] = field(default_factory=list)
    #: False when no offence in the area and period carries an identifier at all.
    held: bool = True

    @property
    def people_share(self) -> float | None:
        return int(self.repeat_people) / int(self.people) if self.people else None

    @property
    def offence_share(self) -> float | None:
        return int(self.repeat_offences) / int(self.offences) if self.offences else None

    def statement(
        self, people: int | None, repeat: int | None, offences: int | None, of: int | None
    ) -> str | None:
        """The concentration in words from the counts given (exact or published); None when
        any is hidden or a share cannot be taken."""
        if None in (people, repeat, offences, of) or not people or not offences:
            return None
        assert people and repeat is not None and offences and of is not None
        noun, verb = WORDS[self.role]
        return (
            f"{100 * repeat / people:.1f}% of {noun} ({repeat:,} of {people:,}) {verb} "
            f"{100 * of / offences:.1f}% of the offences ({of:,} of {offences:,})"
        )


def repeats(
    backend: ibis.BaseBackend,
    dataset: Dataset,
    districts: list[str],
    months: tuple[str, str],
    role: str,
) -> Repeats:
    """Repeat victims (``role`` "victim") or repeat suspects ("suspect") in the districts'
    violent offences in the months."""
    base = offences_sql(backend, dataset, districts, months, role)
    pid = f"{role}_id_pseudonym"
    person_key = "CAST(CAST('0x' || left(sha256(? || '|person|' || pid), 8) AS UBIGINT) AS BIGINT)"
    [row] = backend.con.execute(
        f"""
        WITH o AS (SELECT {pid} AS pid, record_key, batch_id FROM ({base})),
        p AS (
            SELECT pid, count(*) AS n, sum(record_key) AS k, {person_key} AS pk
            FROM o WHERE pid IS NOT NULL GROUP BY pid
        )
        SELECT
            (SELECT count(*) FROM p), (SELECT coalesce(sum(pk), 0) FROM p),
            (SELECT count(*) FROM p WHERE n >= 2),
            (SELECT coalesce(sum(pk), 0) FROM p WHERE n >= 2),
            (SELECT coalesce(sum(n), 0) FROM p), (SELECT coalesce(sum(k), 0) FROM p),
            (SELECT coalesce(sum(n), 0) FROM p WHERE n >= 2),
            (SELECT coalesce(sum(k), 0) FROM p WHERE n >= 2),
            (SELECT count(*) FROM o WHERE pid IS NULL),
            (SELECT coalesce(sum(record_key), 0) FROM o WHERE pid IS NULL),
            (SELECT coalesce(max(n), 0) FROM p),
            (SELECT list(DISTINCT batch_id) FROM o)
        """,
        [cell_key_secret(backend.con)],
    ).fetchall()
    v = [int(x) for x in row[:11]]
    return Repeats(
        role,
        Tally(v[0], v[1]),
        Tally(v[2], v[3]),
        Tally(v[4], v[5]),
        Tally(v[6], v[7]),
        Tally(v[8], v[9]),
        v[10],
        sorted(int(b) for b in (row[11] or [])),
        v[0] > 0,
    )


__all__ = ["Repeats", "repeats"]
