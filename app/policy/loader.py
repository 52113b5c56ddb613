"""Load a policy TOML file into a ``Policy``, with errors a policy officer can act on.

Every problem names the file, the key path (``permit_types.sex_worker.cap``) and the line in
the file where that key appears. ``tomllib`` keeps no positions, so ``key_lines`` walks the
text itself: table headers ``[a.b]``, arrays of tables ``[[a]]``, ``key = value`` lines, and
the elements of multi-line arrays.

This module imports nothing from the web or the database.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.policy.schema import Policy

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyProblem:
    """One problem in a policy file."""

    key_path: str | None
    line: int | None
    message: str

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line is not None else source
        key = f" {self.key_path}:" if self.key_path else ""
        return f"{where}:{key} {self.message}"


class PolicyError(Exception):
    """A policy file that cannot be used; ``str(error)`` lists every problem found."""

    def __init__(self, source: str, problems: Sequence[PolicyProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [problem.describe(source) for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def key_path(self) -> str | None:
        """Key path of the first problem."""
        return self.problems[0].key_path if self.problems else None

    @property
    def line(self) -> int | None:
        """Line number of the first problem."""
        return self.problems[0].line if self.problems else None


def policy_fingerprint(content: str | bytes) -> str:
    """SHA-256 (hex) of the policy file's bytes, to notice that a file has changed."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def load_policy_file(path: str | Path) -> Policy:
    """Read and validate a policy file; raises ``PolicyError``."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError(source, [PolicyProblem(None, None, f"cannot read file: {exc}")]) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = PolicyProblem(None, None, f"file is not UTF-8 text: {exc}")
        raise PolicyError(source, [problem]) from exc
    return load_policy_text(text, source=source)


def load_policy_text(text: str, source: str = "<string>") -> Policy:
    """Parse and validate policy TOML text; raises ``PolicyError``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        problem = PolicyProblem(None, line, f"TOML syntax error: {exc}")
        raise PolicyError(source, [problem]) from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        positions = key_lines(text)
        problems = [_problem(error, positions) for error in exc.errors()]
        raise PolicyError(source, problems) from exc


def _problem(error: Any, positions: dict[KeyPath, int]) -> PolicyProblem:
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    loc: KeyPath = tuple(part for part in error["loc"] if part != "[key]")
    loc += tuple(getattr(cause, "loc", ()))
    if error["type"] == "missing":
        message = "required key is missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown key (not part of the policy format; check the spelling)"
    elif error["type"] == "value_error" and cause is not None:
        message = str(cause)
    else:
        message = f"{error['msg']} (got {error['input']!r})"
    return PolicyProblem(format_key_path(loc), locate(positions, loc), message)


def format_key_path(loc: KeyPath) -> str | None:
    """``("permit_types", "sex_worker", "cap")`` -> ``permit_types.sex_worker.cap``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or None


def locate(positions: dict[KeyPath, int], loc: KeyPath) -> int | None:
    """Line of the deepest part of ``loc`` present in the file (e.g. the table of a missing key)."""
    for end in range(len(loc), 0, -1):
        line = positions.get(loc[:end])
        if line is not None:
            return line
    return None


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each key path in TOML ``text`` to the 1-based line where it first appears.

    Arrays of tables count from 0: the second ``[[nuisance_categories]]`` is
    ``("nuisance_categories", 1)``; so do elements of arrays written over several lines.
    Assumes ``text`` is valid TOML (the loader parses it first).
    """
    lines = text.splitlines()
    positions: dict[KeyPath, int] = {}
    table: KeyPath = ()
    array_index: dict[KeyPath, int] = {}
    row = 0
    while row < len(lines):
        stripped = lines[row].strip()
        if stripped.startswith("[["):
            parts = _split_key(stripped[2 : _find_unquoted(stripped, "]", 2)])
            base = (*_resolve(parts[:-1], array_index), parts[-1])
            array_index[base] = array_index.get(base, -1) + 1
            table = (*base, array_index[base])
            _record(positions, table, row + 1)
        elif stripped.startswith("["):
            parts = _split_key(stripped[1 : _find_unquoted(stripped, "]", 1)])
            table = _resolve(parts, array_index)
            _record(positions, table, row + 1)
        elif stripped and not stripped.startswith("#"):
            equals = _find_unquoted(lines[row], "=", 0)
            if equals >= 0:
                path = table + tuple(_split_key(lines[row][:equals]))
                _record(positions, path, row + 1)
                end_row, elements = _scan_value(lines, row, equals + 1)
                for index, element_line in enumerate(elements):
                    positions.setdefault((*path, index), element_line)
                row = end_row
                continue
        row += 1
    return positions


def _record(positions: dict[KeyPath, int], path: KeyPath, line: int) -> None:
    for end in range(1, len(path) + 1):
        positions.setdefault(path[:end], line)


def _resolve(parts: Sequence[str], array_index: dict[KeyPath, int]) -> KeyPath:
    """Insert the current element index after every prefix that is an array of tables."""
    resolved: list[str | int] = []
    for part in parts:
        resolved.append(part)
        index = array_index.get(tuple(resolved))
        if index is not None:
            resolved.append(index)
    return tuple(resolved)


def _split_key(key_text: str) -> list[str]:
    """Split a dotted TOML key (bare, "basic" or 'literal' parts) into its parts."""
    parts: list[str] = []
    rest = key_text.strip()
    while rest:
        if rest[0] in "\"'":
            end = _string_end(rest, 0)
            parts.append(tomllib.loads(f"k = {rest[:end]}")["k"])
            rest = rest[end:].strip()
        else:
            dot = rest.find(".")
            bare, rest = (rest, "") if dot < 0 else (rest[:dot], rest[dot:])
            parts.append(bare.strip())
            rest = rest.strip()
        rest = rest.removeprefix(".").strip()
    return parts


def _string_end(line: str, start: int) -> int:
    """Index just past the single-line string that opens at ``line[start]``."""
    quote = line[start]
    col = start + 1
    while col < len(line):
        if quote == '"' and line[col] == "\\":
            col += 2
            continue
        if line[col] == quote:
            return col + 1
        col += 1
    return len(line)


def _find_unquoted(line: str, char: str, start: int) -> int:
    col = start
    while col < len(line):
        if line[col] in "\"'":
            col = _string_end(line, col)
            continue
        if line[col] == char:
            return col
        col += 1
    return -1


def _scan_value(lines: list[str], row: int, col: int) -> tuple[int, list[int]]:
    """Skip the value starting at ``lines[row][col]``.

    Returns the row after the value and the 1-based lines where the elements of a top-level
    array begin.
    """
    stack: list[str] = []
    elements: list[int] = []
    expect_element = False
    while row < len(lines):
        line = lines[row]
        while col < len(line):
            char = line[col]
            if char in " \t":
                col += 1
                continue
            if char == "#":
                break
            if stack == ["["] and expect_element and char not in "],":
                elements.append(row + 1)
                expect_element = False
            if line.startswith(('"""', "'''"), col):
                row, col = _skip_multiline_string(lines, row, col)
                line = lines[row]
            elif char in "\"'":
                col = _string_end(line, col)
            elif char in "[{":
                stack.append(char)
                expect_element = char == "[" and len(stack) == 1
                col += 1
            elif char in "]}":
                stack.pop()
                col += 1
            else:
                if char == "," and stack == ["["]:
                    expect_element = True
                col += 1
        if not stack:
            return row + 1, elements
        row += 1
        col = 0
    return row, elements


def _skip_multiline_string(lines: list[str], row: int, col: int) -> tuple[int, int]:
    """Position just past the multi-line string opening at ``lines[row][col]``."""
    delimiter = lines[row][col : col + 3]
    col += 3
    while row < len(lines):
        line = lines[row]
        while col < len(line):
            if delimiter == '"""' and line[col] == "\\":
                col += 2
                continue
            if line.startswith(delimiter, col):
                col += 3
                while col < len(line) and line[col] == delimiter[0]:
                    col += 1
                return row, col
            col += 1
        row += 1
        col = 0
    return len(lines) - 1, len(lines[-1]) if lines else 0
