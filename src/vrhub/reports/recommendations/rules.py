"""Rules that propose recommendations, each a registered, documented object an analyst can read.

A :class:`Rule` has an id, a title, its condition in plain words and the evidence it cites.
``find`` runs it over one report's data (a home, an area and a period, read at the analyst
tier) and gives a :class:`Proposal` for each thing the condition holds for; ``evidence`` states
the figures behind a proposal again for any audience (published figures outside the analyst
tier), so no stored figure ever bypasses disclosure control. Rules come from the
``vrhub.recommendation_rules`` entry-point group; vrhub's own (:mod:`.builtin`) are declared in
its ``pyproject.toml`` exactly as an extension declares its own.

Example (runnable)::

    >>> r = Rule("example", "An example", "never", "nothing", lambda d: [], lambda d, s: "")
    >>> r.describe()
    'An example (example): proposed when never. Cites nothing.'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vrhub.outputs.reads import Reads
from vrhub.registry import Registry


@dataclass(frozen=True)
class Proposal:
    """What a rule proposes for one subject: the recommendation's text (no figures, and no
    area smaller than a ward, so it can be published once accepted) and the evidence as the
    analyst sees it."""

    subject: str
    text: str
    evidence: str


@dataclass(frozen=True)
class Rule:
    """A rule that proposes recommendations."""

    id: str
    title: str
    #: When it proposes, in plain words.
    condition: str
    #: The figures it cites as evidence.
    cites: str
    find: Callable[[Reads], list[Proposal]]
    #: The evidence for a subject as the report's audience may see it.
    evidence: Callable[[Reads, str], str]

    def describe(self) -> str:
        return f"{self.title} ({self.id}): proposed when {self.condition}. Cites {self.cites}."


RULES: Registry[Rule] = Registry(
    "vrhub.recommendation_rules", "recommendation rule", Rule, lambda r: r.id
)


def get_rule(rule_id: str) -> Rule:
    return RULES.get(rule_id)


def all_rules() -> list[Rule]:
    """Every rule, in order of id."""
    return RULES.all()
