"""The partnership file format is documented with a full example that works (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

from vrhub.counts import district_codes
from vrhub.partnership import Partnership, parse_partnership

DOC = Path(__file__).resolve().parents[1] / "docs" / "how-to" / "partnership.md"


def test_the_documented_example_is_a_valid_partnership() -> None:
    text = DOC.read_text(encoding="utf-8")
    [example] = re.findall(r"```toml\n(.*?)```", text, re.S)
    p = parse_partnership(example, where="docs/how-to/partnership.md")
    assert p.name == "Example Shire" and p.slug == "example-shire"
    assert [d.name for d in p.districts] == ["Barnsley", "Doncaster", "Rotherham", "Sheffield"]
    # Names work wherever a district is asked for, as the page says.
    assert district_codes(["sheffield"], p.districts) == ["E08000039"]
    # Every field of the format is in the page's table.
    for name in [*Partnership.model_fields, "districts.code", "districts.name"]:
        assert f"| `{name}` |" in text, name
