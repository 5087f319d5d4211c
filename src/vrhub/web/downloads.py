"""CSV and Excel downloads built from a page's own view (same scoping, same protected figures).

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
with an apostrophe, so a spreadsheet shows it as text instead of running it as a formula
(spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import xlsxwriter
from fastapi.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["area", "area code", "measure", "this year", "previous 12 months", "change", "signal"]


def neutralise(value: object) -> object:
    """The value, made safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def overview_rows(view: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for area in view["areas"]:
        for m in area["measures"]:
            if "withheld" in m:
                rows.append([area["name"], area["code"], m["title"], "", "", m["withheld"], ""])
                continue
            rows.append(
                [
                    area["name"],
                    area["code"],
                    m["title"],
                    m["now_count"] if m["now_count"] is not None else m["now"],
                    m["before_count"] if m["before_count"] is not None else m["before"],
                    m["change"],
                    m["signal"],
                ]
            )
    return [[neutralise(v) for v in row] for row in rows]


def csv_response(rows: list[list[object]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_response(rows: list[list[object]], filename: str, title: str) -> Response:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("figures")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [title], bold)
    sheet.write_row(1, 0, COLUMNS, bold)
    for i, row in enumerate(rows, start=2):
        sheet.write_row(i, 0, row)
    book.close()
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
