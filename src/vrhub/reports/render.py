"""Sections to HTML (interactive charts, tables without JavaScript) and to an A4 PDF.

Both come from one template: the HTML draws each chart with Vega-Embed from its specification
and falls back to the static SVG and a table; the PDF (WeasyPrint) uses the static SVG, so its
text stays real text, with page numbers, a contents list with page references and bookmarks
from the headings.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from vrhub.reports.charts import Chart, spec_json
from vrhub.reports.content import Note, Paragraph, Section, Subheading, Table

TEMPLATES = resources.files("vrhub") / "reports" / "templates"
_CODE = re.compile(r"`([^`]+)`")
#: A link to a part of the same report, written [words](#section-id).
_ANCHOR = re.compile(r"\[([^\]]+)\]\(#([a-z0-9][a-z0-9-]*)\)")


@dataclass(frozen=True)
class Page:
    """What the template needs besides the sections."""

    title: str
    partnership: str
    period: str
    period_sentence: str
    audience: str
    stamp: str


def _inline(text: str) -> Markup:
    """Escaped text with `code` spans and [words](#id) links within the page.

    >>> str(_inline("See [where <it> happens](#place)."))
    'See <a href="#place">where &lt;it&gt; happens</a>.'
    """
    # Escaped first; an anchor's id is lower-case letters, digits and hyphens only.
    escaped = _CODE.sub(r"<code>\1</code>", html.escape(text, quote=False))
    return Markup(_ANCHOR.sub(r'<a href="#\2">\1</a>', escaped))  # nosec B704


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give a chart's SVG ids names unique in the page and independent of what the renderer
    drew before (Vega numbers gradients and clips with a counter for the whole process)."""
    names = {old: f"{prefix}-{n}" for n, old in enumerate(dict.fromkeys(_ID.findall(svg)), 1)}
    svg = _ID.sub(lambda m: f'id="{names[m.group(1)]}"', svg)
    svg = _REF.sub(lambda m: f"url(#{names.get(m.group(1), m.group(1))})", svg)
    svg = _HREF.sub(lambda m: f'href="#{names.get(m.group(1), m.group(1))}"', svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


_ID = re.compile(r'id="([^"]+)"')
_REF = re.compile(r"url\(#([^)]+)\)")
_HREF = re.compile(r'href="#([^"]+)"')


def section_blocks(sections: list[Section]) -> list[dict[str, Any]]:
    """Sections as the templates draw them (each chart with its SVG, text alternative and
    table; the dashboard uses them too)."""
    number = 0
    out = []
    for s in sections:
        blocks: list[dict[str, Any]] = []
        for b in s.blocks:
            if isinstance(b, Paragraph):
                blocks.append({"kind": "paragraph", "html": _inline(b.text)})
            elif isinstance(b, Subheading):
                blocks.append({"kind": "subheading", "text": b.text})
            elif isinstance(b, Note):
                blocks.append({"kind": "note", "html": _inline(b.text)})
            elif isinstance(b, Table):
                blocks.append({"kind": "table", **_table(b)})
            elif isinstance(b, Chart):
                number += 1
                columns, rows = b.table()
                # "</" never appears inside the JSON data block.
                spec = spec_json(b).replace("</", "<\\/")
                blocks.append(
                    {
                        "kind": "chart",
                        "id": b.id,
                        "number": number,
                        "title": b.title,
                        "alt": b.alt_text(),
                        # Drawn by vl-convert from our own chart spec (text escaped there).
                        "svg": Markup(_prefix_ids(b.svg(), b.id)),  # nosec B704
                        # JSON made safe for a script element.
                        "spec": Markup(spec),  # nosec B704
                        "table": _table(Table(f"Figure {number}: {b.title}", columns, rows, [])),
                    }
                )
        out.append({"id": s.id, "title": s.title, "blocks": blocks})
    return out


def _table(t: Table) -> dict[str, Any]:
    numeric = t.numeric or [
        i > 0 and all(_looks_numeric(r[i]) for r in t.rows if i < len(r))
        for i in range(len(t.columns))
    ]
    return {"caption": t.caption, "columns": t.columns, "rows": t.rows, "numeric": numeric}


def _looks_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[£\-+]?[\d,.]+%?m?|\[c\]|", cell))


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(page: Page, sections: list[Section], mode: str, assets: str = "assets") -> str:
    """The report as HTML: ``mode`` is "html" (interactive) or "pdf" (static, for printing)."""
    template = _env().get_template("report.html.j2")
    return template.render(
        mode=mode,
        assets=assets,
        sections=section_blocks(sections),
        **page.__dict__,
    )


def write_pdf(page_html: str, out: Path) -> None:
    """An A4 PDF with page numbers, a contents list with page references and bookmarks."""
    import weasyprint

    css = weasyprint.CSS(string=(TEMPLATES / "print.css").read_text(encoding="utf-8"))
    doc = weasyprint.HTML(string=page_html, base_url=str(out.parent))
    doc.write_pdf(out, stylesheets=[css], pdf_variant="pdf/ua-1")


@functools.cache
def script_bundle() -> str:
    """report.js with Vega, Vega-Lite and Vega-Embed bundled in (no network needed)."""
    import vl_convert as vlc

    snippet = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    bundle: str = vlc.javascript_bundle(snippet)
    return bundle


def write_assets(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.css").write_text(
        (TEMPLATES / "report.css").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "report.js").write_text(script_bundle(), encoding="utf-8")


def index_html(partnership: str, period: str, audience: str, reports: list[Any], stamp: str) -> str:
    """A page listing the reports built, with links to each HTML and PDF."""
    template = _env().get_template("index.html.j2")
    return template.render(
        partnership=partnership, period=period, audience=audience, reports=reports, stamp=stamp
    )
