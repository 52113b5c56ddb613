"""Small-count protection: every number below the threshold is hidden, and no hidden
number can be worked out from the published ones (an attacker with a linear program tries
every table here, and many random ones)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.statistics.suppression import Shown, protect, protect_views
from tests.statistics.attack import numbers_of, recovered, recovered_numbers


def _check(counts: list[list[int]], threshold: int = 5) -> None:
    rows = [f"r{i}" for i in range(len(counts))]
    columns = [f"c{i}" for i in range(len(counts[0]))]
    table = protect(rows, columns, counts, threshold)
    for entry in table.entries().values():
        if entry.value < threshold:
            assert entry.shown is Shown.small
        assert entry.published is None or entry.published >= threshold
    assert recovered(table) == [], (counts, table)


def test_a_small_cell_is_shown_as_below_the_threshold() -> None:
    table = protect(["a", "b", "c"], ["n"], [[3], [40], [12]], 5)
    assert [row[0].label(5) for row in table.cells] == ["< 5", "40", "\N{MULTIPLICATION SIGN}"]
    assert table.total is None and table.column_totals is not None
    assert table.column_totals[0].label(5) == "55"


def test_the_total_does_not_give_a_single_small_cell_away() -> None:
    _check([[3], [40], [12]])


def test_two_zeros_under_a_shown_total_are_not_given_away() -> None:
    _check([[0, 10, 0], [6, 7, 8]])


def test_small_cells_at_their_upper_bound_are_not_given_away() -> None:
    # 4 + 4 under a total of 8: the bounds alone would say both are 4.
    _check([[4, 4], [20, 30]])
    _check([[4], [4], [30]])


def test_a_table_of_only_large_counts_hides_nothing() -> None:
    table = protect(["a", "b"], ["x", "y"], [[10, 20], [30, 40]], 5)
    assert all(e.shown is Shown.value for e in table.entries().values())


def test_known_tables() -> None:
    for counts in (
        [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
        [[0, 0], [0, 0]],
        [[12, 1], [15, 22], [9, 2]],
        [[5, 5, 5], [5, 4, 5]],
        [[100, 0, 0, 3], [50, 6, 7, 1], [0, 0, 0, 0]],
        [[2]],
        [[7]],
        [[3, 9]],
    ):
        _check(counts)


counts_strategy = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_columns: st.lists(
        st.lists(
            st.one_of(st.integers(0, 6), st.integers(0, 60)),
            min_size=n_columns,
            max_size=n_columns,
        ),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_strategy, threshold=st.sampled_from([3, 5, 10]))
def test_no_random_table_gives_a_hidden_number_away(
    counts: list[list[int]], threshold: int
) -> None:
    _check(counts, threshold)


def test_two_tables_over_the_same_counts_do_not_undo_each_other() -> None:
    # Finest: approved on time / late, refused on time / late; view A by outcome, view B by
    # timeliness: B's row totals equal A's approved + refused.
    counts = [[20, 3, 9, 1], [2, 0, 30, 6], [12, 12, 1, 0]]
    by_outcome = (["approved", "refused"], [[0, 1], [2, 3]])
    by_time = (["on time", "late"], [[0, 2], [1, 3]])
    a, b = protect_views(["x", "y", "z"], counts, [by_outcome, by_time], 5)
    numbers = numbers_of(a, by_outcome[1], 4) + numbers_of(b, by_time[1], 4)
    assert recovered_numbers(numbers, 12, 5) == []
    for entry in [*a.entries().values(), *b.entries().values()]:
        assert entry.published is None or entry.published >= 5
