"""The attacker: from every number a protected table publishes (and what "< N" and the hidden mark
say), a linear program finds the least and the most each hidden number can be. A hidden
number is recovered when only one whole number fits."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

from app.statistics.suppression import ProtectedTable, Shown, members


def recovered(table: ProtectedTable) -> list[tuple[tuple[str, int, int], int]]:
    """The hidden numbers an attacker can work out exactly, with their value."""
    n_rows, n_columns = len(table.rows), len(table.columns)
    size = n_rows * n_columns
    entries = table.entries()
    eq_rows, eq_values, ub_rows, ub_values = [], [], [], []
    for key, entry in entries.items():
        vector = np.zeros(size)
        for r, c in members(key, n_rows, n_columns):
            vector[r * n_columns + c] = 1
        if entry.shown is Shown.value:
            eq_rows.append(vector)
            eq_values.append(entry.value)
        elif entry.shown is Shown.small:
            ub_rows.append(vector)
            ub_values.append(table.threshold - 1)
        else:
            ub_rows.append(-vector)
            ub_values.append(-table.threshold)
    found = []
    for key, entry in entries.items():
        if entry.shown is Shown.value:
            continue
        objective = np.zeros(size)
        for r, c in members(key, n_rows, n_columns):
            objective[r * n_columns + c] = 1
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
            found.append((key, entry.value))
    return found
