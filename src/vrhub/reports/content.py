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
class Finding:
    """A key finding in plain words; higher ``weight`` is more important."""

    text: str
    weight: float


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
