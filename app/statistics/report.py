"""The statistics as files: CSV per table, the open-data JSON and the council's quarterly
PDF (through the documents pipeline: templates/pdf, WeasyPrint, PDF/A-3b). Only protected
numbers are written: a hidden number is written as "< N" or as the hidden mark, never as
itself."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.documents import render
from app.i18n import gettext as _
from app.statistics import charts
from app.statistics.service import Statistics, Table


def csv_of(table: Table, threshold: int) -> bytes:
    """One table as CSV (UTF-8 with BOM, so spreadsheet programs read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    p = table.protected
    has_row_totals = p.row_totals is not None
    writer.writerow(["", *p.columns, *([_("Total")] if has_row_totals else [])])
    for r, label in enumerate(p.rows):
        row = [entry.label(threshold) for entry in p.cells[r]]
        if p.row_totals is not None:
            row.append(p.row_totals[r].label(threshold))
        writer.writerow([label, *row])
    if p.column_totals is not None:
        totals = [entry.label(threshold) for entry in p.column_totals]
        if p.total is not None:
            totals.append(p.total.label(threshold))
        writer.writerow([_("Total"), *totals])
    return ("\ufeff" + out.getvalue()).encode()


def open_data(stats: Statistics) -> dict[str, Any]:
    """The open-data answer: keys, not labels; hidden numbers as "<N" or "suppressed"; the
    quarter is the finest date."""
    t = stats.threshold
    tables = []
    for table in stats.tables:
        p = table.protected
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "rows": list(table.row_keys),
                "columns": list(table.column_keys),
                "cells": [[e.as_json(t) for e in row] for row in p.cells],
                "row_totals": [e.as_json(t) for e in p.row_totals] if p.row_totals else None,
                "column_totals": (
                    [e.as_json(t) for e in p.column_totals] if p.column_totals else None
                ),
                "total": p.total.as_json(t) if p.total else None,
            }
        )
    return {
        "quarter": str(stats.quarter),
        "small_count_threshold": t,
        "suppressed_below": f"<{t}",
        "tables": tables,
    }


def context(stats: Statistics) -> dict[str, Any]:
    """What the page and the PDF show: each table with its chart."""
    return {
        "stats": stats,
        "threshold": stats.threshold,
        "charts": {table.key: charts.data_uri(table) for table in stats.tables},
    }


def council_pdf(stats: Statistics, lang: str) -> bytes:
    identifier = f"statistics-{stats.quarter}".encode()
    return render.render_pdf("statistics.html", context(stats), lang, identifier=identifier)
