"""The attacker: from every number that is published (and what "< N" and the hidden mark
say), a linear program finds the least and the most each hidden number can be. A hidden
number is recovered when only one whole number fits. It knows nothing of how the numbers
were protected; it sees only the published tables and which finest counts each number
adds up."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog

from app.statistics.suppression import Entry, ProtectedTable, Shown, members

Number = tuple[list[int], Entry]
"""A published number: the finest counts it adds up, and how it is shown."""


def numbers_of(
    table: ProtectedTable,
    columns: Sequence[Sequence[int]] | None = None,
    n_finest: int | None = None,
) -> list[Number]:
    """The published numbers of a table whose column c adds up the finest columns
    ``columns[c]`` (by default: each column is itself finest)."""
    n_rows, n_columns = len(table.rows), len(table.columns)
    columns = columns or [[c] for c in range(n_columns)]
    n_finest = n_finest or n_columns
    out = []
    for key, entry in table.entries().items():
        cells = [r * n_finest + f for r, c in members(key, n_rows, n_columns) for f in columns[c]]
        out.append((cells, entry))
    return out


def recovered_numbers(numbers: list[Number], size: int, threshold: int) -> list[Number]:
    eq_rows, eq_values, ub_rows, ub_values = [], [], [], []
    for cells, entry in numbers:
        vector = np.zeros(size)
        vector[cells] = 1
        if entry.shown is Shown.value:
            eq_rows.append(vector)
            eq_values.append(entry.value)
        elif entry.shown is Shown.small:
            ub_rows.append(vector)
            ub_values.append(threshold - 1)
        else:
            ub_rows.append(-vector)
            ub_values.append(-threshold)
    found = []
    for cells, entry in numbers:
        if entry.shown is Shown.value:
            continue
        objective = np.zeros(size)
        objective[cells] = 1
        ends = []
        for sign in (1, -1):
            result = linprog(
                sign * objective,
                A_ub=np.array(ub_rows) if ub_rows else None,
                b_ub=np.array(ub_values) if ub_values else None,
                A_eq=np.array(eq_rows) if eq_rows else None,
                b_eq=np.array(eq_values) if eq_values else None,
                bounds=[(0, None)] * size,
                method="highs",
            )
            assert result.status in (0, 3), result.message  # solved, or unbounded
            ends.append(sign * result.fun if result.status == 0 else math.inf * sign)
        low, high = ends
        if math.isinf(high):
            continue
        if math.ceil(low - 1e-6) >= math.floor(high + 1e-6):
            found.append((cells, entry))
    return found


def recovered(table: ProtectedTable) -> list[Number]:
    """The hidden numbers of one table an attacker can work out exactly."""
    size = len(table.rows) * len(table.columns)
    return recovered_numbers(numbers_of(table), size, table.threshold)
