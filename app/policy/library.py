"""The policy library: the policy files shipped in ``policies/`` (Tilburg, the strict
example, a few real municipalities, the Wrs proposal), for the comparison page.

A file's key is its name without ``.toml`` (``tilburg``, ``wrs-proposal``). Files are read
again only when they change. An invalid file is left out of the library (``swl policy
validate`` says what is wrong with it); the app's own policy is checked at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.config import PROJECT_ROOT
from app.errors import NotFound
from app.policy.loader import PolicyError, load_policy_file
from app.policy.schema import Policy

LIBRARY_DIR = PROJECT_ROOT / "policies"
DEFAULT_A = "tilburg"
DEFAULT_B = "wrs-proposal"


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    policy: Policy


def entries(directory: Path = LIBRARY_DIR) -> list[Entry]:
    """Every valid policy in the library: policies in force by name, then proposals."""
    found = []
    for path in sorted(directory.glob("*.toml")):
        policy = _load(path, path.stat().st_mtime_ns)
        if policy is not None:
            found.append(Entry(path.stem, path, policy))
    return sorted(found, key=lambda e: (e.policy.status != "in_force", e.policy.name, e.key))


def get(key: str, directory: Path = LIBRARY_DIR) -> Entry:
    """The library's policy with this key; NotFound when there is none."""
    for entry in entries(directory):
        if entry.key == key:
            return entry
    raise NotFound("policy")


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> Policy | None:
    try:
        return load_policy_file(path)
    except PolicyError:
        return None
