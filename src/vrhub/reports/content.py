"""What a report is made of: sections of paragraphs, charts, tables and notes, and findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from vrhub.reports.charts import Chart


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Note:
    """A caveat or a statement of what is missing, shown apart from the text."""

    text: str


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)


Block = Paragraph | Subheading | Note | Table | Chart


@dataclass(frozen=True)
class Strength:
    """How strong the evidence behind a finding is: ``rank`` orders findings in the executive
    summary (higher first); ``label`` and ``reason`` say why, in plain words."""

    rank: int
    label: str
    reason: str


#: A change whose 95% interval excludes no change (or a rate ratio whose interval excludes 1).
SIGNIFICANT = Strength(
    5,
    "statistically significant change or difference",
    "its 95% confidence interval excludes no change (or no difference), so chance is an "
    "unlikely explanation",
)
#: A special-cause signal on a statistical process control chart.
SIGNAL = Strength(
    4,
    "special-cause signal",
    "a control chart shows a change beyond the usual month-to-month variation "
    "(Making Data Count rules)",
)
#: A hotspot found by a test that allows for chance, or an area high in more than one year.
HOTSPOT = Strength(
    3,
    "hotspot",
    "a cluster or ranking of high rates that chance alone would rarely give, or that persists "
    "from one year to the next",
)
#: A change measured against the year before whose interval includes no change.
NOT_SIGNIFICANT = Strength(
    2,
    "change that may be chance",
    "its 95% confidence interval includes no change, so it may be chance",
)
#: A description of the year's figures, with no test against chance.
DESCRIPTIVE = Strength(
    1, "description", "it describes the year's figures; no test against chance is made"
)


@dataclass(frozen=True)
class Finding:
    """A key finding in plain words; higher ``weight`` is more important. ``strength`` is the
    strength of its evidence (for the executive summary; a finding that says nothing of it is
    descriptive)."""

    text: str
    weight: float
    strength: Strength = DESCRIPTIVE


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
