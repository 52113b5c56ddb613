"""Small-count protection for a published table: pure, no database, no web.

A table is a grid of counts (rows by columns) published with its margins: a total per row
(when there is more than one column), per column (when there is more than one row) and the
grand total. Every published number below the threshold is *primary* suppressed and shown
as "< N". That alone is not enough: a total minus the shown cells would give a hidden cell
back. So other numbers are *secondary* suppressed (shown as a multiplication sign) until
no hidden number can be worked out from the shown ones. A reader knows every shown number,
that a "< N" number lies in 0..N-1, that a secondary one is at least N and that no count is
negative; from that (totals minus cells, a row total of 8 over two "< 5" cells, a grand
total equal to one column's, so that the other columns are empty) a linear program finds
the least and the most each hidden number can be; at least two whole numbers must remain.

Secondary suppression picks the smallest shown cell that shares a total with the exposed
one, so as little as possible is hidden. ``tests/statistics/test_suppression.py`` attacks
the result with its own linear program over every published number, on fixed and random
tables, and fails on any recovery.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar


class Shown(StrEnum):
    value = "value"
    small = "small"  # primary: below the threshold, shown as "< N"
    hidden = "hidden"  # secondary: hidden so that no small cell can be worked out


@dataclass(frozen=True)
class Entry:
    """One published number: its true value (never leaves the server when not shown) and
    how it is shown."""

    value: int
    shown: Shown

    @property
    def published(self) -> int | None:
        return self.value if self.shown is Shown.value else None

    def label(self, threshold: int) -> str:
        if self.shown is Shown.value:
            return str(self.value)
        return f"< {threshold}" if self.shown is Shown.small else "\N{MULTIPLICATION SIGN}"

    def as_json(self, threshold: int) -> int | str:
        """For open data: the number, "<N" or "suppressed"."""
        if self.shown is Shown.value:
            return self.value
        return f"<{threshold}" if self.shown is Shown.small else "suppressed"


K = TypeVar("K")

Key = tuple[str, int, int]
"""("cell", row, column), ("row", row, 0), ("column", column, 0) or ("all", 0, 0)."""


@dataclass(frozen=True)
class ProtectedTable:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    threshold: int
    cells: tuple[tuple[Entry, ...], ...]
    row_totals: tuple[Entry, ...] | None
    column_totals: tuple[Entry, ...] | None
    total: Entry | None

    def entries(self) -> dict[Key, Entry]:
        """Every published number by key."""
        out: dict[Key, Entry] = {}
        for r, row in enumerate(self.cells):
            for c, entry in enumerate(row):
                out[("cell", r, c)] = entry
        for r, entry in enumerate(self.row_totals or ()):
            out[("row", r, 0)] = entry
        for c, entry in enumerate(self.column_totals or ()):
            out[("column", c, 0)] = entry
        if self.total is not None:
            out[("all", 0, 0)] = self.total
        return out


def published_keys(n_rows: int, n_columns: int) -> list[Key]:
    keys: list[Key] = [("cell", r, c) for r in range(n_rows) for c in range(n_columns)]
    if n_columns > 1:
        keys += [("row", r, 0) for r in range(n_rows)]
    if n_rows > 1:
        keys += [("column", c, 0) for c in range(n_columns)]
    if n_rows > 1 and n_columns > 1:
        keys.append(("all", 0, 0))
    return keys


def members(key: Key, n_rows: int, n_columns: int) -> list[tuple[int, int]]:
    """The grid cells a published number adds up."""
    kind, a, b = key
    if kind == "cell":
        return [(a, b)]
    if kind == "row":
        return [(a, c) for c in range(n_columns)]
    if kind == "column":
        return [(r, a) for r in range(n_rows)]
    return [(r, c) for r in range(n_rows) for c in range(n_columns)]


def protect(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    threshold: int,
) -> ProtectedTable:
    """The table as it may be published under ``threshold``."""
    n_rows, n_columns = len(rows), len(columns)
    values = [int(counts[r][c]) for r in range(n_rows) for c in range(n_columns)]
    keys = published_keys(n_rows, n_columns)
    groups = {k: [r * n_columns + c for r, c in members(k, n_rows, n_columns)] for k in keys}
    entries = protect_sums(values, groups, threshold)
    return ProtectedTable(
        rows=tuple(rows),
        columns=tuple(columns),
        threshold=threshold,
        cells=tuple(
            tuple(entries[("cell", r, c)] for c in range(n_columns)) for r in range(n_rows)
        ),
        row_totals=tuple(entries[("row", r, 0)] for r in range(n_rows)) if n_columns > 1 else None,
        column_totals=(
            tuple(entries[("column", c, 0)] for c in range(n_columns)) if n_rows > 1 else None
        ),
        total=entries.get(("all", 0, 0)),
    )


def protect_sums(
    values: Sequence[int], groups: dict[K, list[int]], threshold: int
) -> dict[K, Entry]:
    """Protect any set of published sums over the same counts at once: ``values`` are the
    finest counts, ``groups`` each published number as the counts it adds up. Tables that
    share counts (two tables over the same applications) are protected together, so that
    one table's totals cannot undo the other's suppression."""
    if any(v < 0 for v in values):
        raise ValueError("counts cannot be negative")
    keys = list(groups)
    value = {k: sum(values[i] for i in groups[k]) for k in keys}
    shown = {k: (Shown.small if value[k] < threshold else Shown.value) for k in keys}
    # Hide one more number at a time until nothing hidden can be worked out.
    for _ in range(len(keys)):
        exposed = _exposed(keys, groups, value, shown, threshold, len(values))
        if exposed is None:
            break
        shown[_partner(exposed, keys, groups, value, shown)] = Shown.hidden
    return {k: Entry(value[k], shown[k]) for k in keys}


def _exposed(
    keys: list[K],
    groups: dict[K, list[int]],
    value: dict[K, int],
    shown: dict[K, Shown],
    threshold: int,
    size: int,
) -> K | None:
    """A hidden number that the shown ones give away, or None: for each hidden number a
    linear program finds the least and the most it can be, given every shown number, what
    "< N" and the hidden mark say, and that no count is negative; only one whole number in
    between means it is given away."""
    hidden = [k for k in keys if shown[k] is not Shown.value]
    if not hidden:
        return None
    eq_rows: list[list[float]] = []
    eq_values: list[float] = []
    ub_rows: list[list[float]] = []
    ub_values: list[float] = []
    for key in keys:
        vector = _vector(groups[key], size)
        if shown[key] is Shown.value:
            eq_rows.append(vector)
            eq_values.append(value[key])
        elif shown[key] is Shown.small:
            ub_rows.append(vector)
            ub_values.append(threshold - 1)
        else:
            ub_rows.append([-x for x in vector])
            ub_values.append(-threshold)
    for key in hidden:
        objective = _vector(groups[key], size)
        low = _optimum(objective, 1, eq_rows, eq_values, ub_rows, ub_values, size) or 0.0
        high = _optimum(objective, -1, eq_rows, eq_values, ub_rows, ub_values, size)
        if high is not None and math.ceil(low - 1e-6) >= math.floor(high + 1e-6):
            return key
    return None


def _optimum(
    objective: list[float],
    sign: int,
    eq_rows: list[list[float]],
    eq_values: list[float],
    ub_rows: list[list[float]],
    ub_values: list[float],
    size: int,
) -> float | None:
    """The least (sign 1) or most (sign -1) the objective can be; None when unbounded."""
    from scipy.optimize import linprog  # imported on first use, not when the app starts

    result = linprog(
        [sign * x for x in objective],
        A_ub=ub_rows or None,
        b_ub=ub_values or None,
        A_eq=eq_rows or None,
        b_eq=eq_values or None,
        bounds=[(0, None)] * size,
        method="highs",
    )
    if result.status == 3:  # unbounded
        return None
    if result.status != 0:  # the published numbers always admit the true table
        raise RuntimeError(f"suppression check failed: {result.message}")
    return float(sign * result.fun)


def _partner(
    exposed: K,
    keys: list[K],
    groups: dict[K, list[int]],
    value: dict[K, int],
    shown: dict[K, Shown],
) -> K:
    """The shown number to hide next: the smallest shown single count that shares a
    published sum with the exposed number (so that sum gets two unknowns), else the
    smallest shown single count, else the smallest shown sum."""
    exposed_cells = set(groups[exposed])
    near_cells: set[int] = set()
    for key in keys:
        cells = set(groups[key])
        if cells & exposed_cells and cells != exposed_cells:
            near_cells |= cells - exposed_cells
    visible = [k for k in keys if shown[k] is Shown.value]
    singles = [k for k in visible if len(groups[k]) == 1]
    for pool in (
        [k for k in singles if groups[k][0] in near_cells],
        singles,
        visible,
    ):
        if pool:
            return min(pool, key=lambda k: (value[k], len(groups[k]), str(k)))
    raise RuntimeError("nothing left to hide")  # cannot happen: something was exposed


def _vector(members: list[int], size: int) -> list[float]:
    vector = [0.0] * size
    for i in members:
        vector[i] = 1.0
    return vector


def protect_views(
    rows: Sequence[str],
    counts: Sequence[Sequence[int]],
    views: Sequence[tuple[Sequence[str], Sequence[Sequence[int]]]],
    threshold: int,
) -> list[ProtectedTable]:
    """Several tables over the same rows and the same finest counts, protected together.

    ``counts`` is rows by finest columns; each view is (its column labels, for each of its
    columns the finest columns it adds up). Every view is published with its margins, and
    no view's numbers can undo another's suppression."""
    n_rows = len(rows)
    n_finest = len(counts[0]) if counts else 0
    values = [int(counts[r][f]) for r in range(n_rows) for f in range(n_finest)]
    groups: dict[tuple[int, str, int, int], list[int]] = {}
    for v, (columns, parts) in enumerate(views):
        n_columns = len(columns)
        for kind, a, b in published_keys(n_rows, n_columns):
            groups[(v, kind, a, b)] = [
                r * n_finest + f
                for r, c in members((kind, a, b), n_rows, n_columns)
                for f in parts[c]
            ]
    entries = protect_sums(values, groups, threshold)
    tables = []
    for v, (columns, _parts) in enumerate(views):
        n_columns = len(columns)
        tables.append(
            ProtectedTable(
                rows=tuple(rows),
                columns=tuple(columns),
                threshold=threshold,
                cells=tuple(
                    tuple(entries[(v, "cell", r, c)] for c in range(n_columns))
                    for r in range(n_rows)
                ),
                row_totals=(
                    tuple(entries[(v, "row", r, 0)] for r in range(n_rows))
                    if n_columns > 1
                    else None
                ),
                column_totals=(
                    tuple(entries[(v, "column", c, 0)] for c in range(n_columns))
                    if n_rows > 1
                    else None
                ),
                total=entries.get((v, "all", 0, 0)),
            )
        )
    return tables
