"""CSV and Excel downloads built from a page's own view (same scoping, same protected figures).

Every page's view holds its figures as ``tables``: lists of ``{"id", "caption", "columns",
"rows"}``. The CSV download is the page's first (main) table; the Excel workbook has every
table, one sheet each.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
with an apostrophe, so a spreadsheet shows it as text instead of running it as a formula
(spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import xlsxwriter
from fastapi.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> object:
    """The value, made safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(id: str, caption: str, columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    """One table of a page's view."""
    return {"id": id, "caption": caption, "columns": columns, "rows": rows}


def csv_text(columns: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    writer.writerows([["" if v is None else neutralise(v) for v in row] for row in rows])
    return out.getvalue()


def attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def csv_response(tables: list[dict[str, Any]], filename: str) -> Response:
    main = tables[0] if tables else table("empty", "", [], [])
    return attachment(csv_text(main["columns"], main["rows"]), "text/csv; charset=utf-8", filename)


def xlsx_response(tables: list[dict[str, Any]], filename: str, title: str) -> Response:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    used: set[str] = set()
    for t in tables or [table("figures", "", [], [])]:
        name = re.sub(r"[\[\]:*?/\\]", "-", t["id"])[:28] or "figures"
        while name in used:
            name += "-"
        used.add(name)
        sheet = book.add_worksheet(name)
        sheet.write_row(
            0, 0, [neutralise(f"{title}: {t['caption']}" if t["caption"] else title)], bold
        )
        sheet.write_row(1, 0, [neutralise(c) for c in t["columns"]], bold)
        for i, row in enumerate(t["rows"], start=2):
            sheet.write_row(i, 0, ["" if v is None else neutralise(v) for v in row])
    book.close()
    return attachment(buffer.getvalue(), XLSX, filename)
