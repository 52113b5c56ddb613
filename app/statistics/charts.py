"""Charts of the published tables, drawn server-side as SVG by pygal.

A chart shows only what its table shows: a hidden number ("< N" or hidden to protect one)
is left out of the chart, never drawn as a guess. The SVG has a title and a description,
carries no script and loads nothing; pages and the council's PDF show the same SVG as an
image whose text alternative is the table beside it.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from app.statistics.service import Table

WIDTH, HEIGHT = 720, 360
SVG = "http://www.w3.org/2000/svg"


@lru_cache
def _style() -> object:
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#595959",
        font_family="DejaVu Sans, sans-serif",
        colors=("#1f5fa6", "#c0560b", "#2e7d32", "#6a3d9a", "#8c1d40"),
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
    )


def svg(table: Table) -> bytes:
    """The table's shown cells as a horizontal bar chart, one series per column."""
    import pygal

    chart = pygal.HorizontalBar(
        style=_style(),
        width=WIDTH,
        height=HEIGHT,
        title=table.title,
        js=[],
        disable_xml_declaration=False,
        show_legend=len(table.columns) > 1,
        legend_at_bottom=True,
        print_values=True,
        print_zeroes=False,
        no_data_text="",
        x_labels=list(table.rows),
        truncate_label=40,
    )
    for c, column in enumerate(table.columns):
        chart.add(column, [row[c].published for row in table.protected.cells])
    return _accessible(bytes(chart.render(is_unicode=False)), table)


def _accessible(content: bytes, table: Table) -> bytes:
    """Drop pygal's script (an image runs none, but a chart carries none either), give the
    SVG a title and a description, and make it an image for assistive technology."""
    from xml.etree import ElementTree as ET

    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(content)  # noqa: S314 (our own pygal output, not input)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{SVG}}}script":
                parent.remove(child)
    for old in root.findall(f"{{{SVG}}}title") + root.findall(f"{{{SVG}}}desc"):
        root.remove(old)
    title = ET.Element(f"{{{SVG}}}title", {"id": "title"})
    title.text = table.title
    desc = ET.Element(f"{{{SVG}}}desc", {"id": "desc"})
    desc.text = table.description
    root.insert(0, desc)
    root.insert(0, title)
    root.set("role", "img")
    root.set("aria-labelledby", "title desc")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def data_uri(table: Table) -> str | None:
    """The chart as an image address; None when no number of the table may be shown (a
    chart of hidden numbers would be empty axes)."""
    if all(entry.published is None for row in table.protected.cells for entry in row):
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg(table)).decode()
