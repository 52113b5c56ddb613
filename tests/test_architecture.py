"""The layering rules, checked on the source: a forbidden import fails the suite.

- the policy evaluator is pure: no web layer, no database;
- a service (and a models module) knows no HTTP framework and no routes module;
- a models module imports no service;
- two domain packages never import each other (consequences across domains go one way).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
WEB_FRAMEWORKS = ("fastapi", "starlette")
DOMAINS = frozenset(p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def imports_of(path: Path) -> Iterator[str]:
    """Every module `path` imports, as a dotted name (`from a import b` gives a and a.b)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(_shown(path).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _shown(path: Path) -> Path:
    return path.relative_to(APP.parent) if path.is_relative_to(APP.parent) else Path(path.name)


def modules(pattern: str) -> list[Path]:
    return sorted(APP.rglob(pattern))


def offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{_shown(path)} imports {name}"
        for path in paths
        for name in imports_of(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def routes_modules() -> tuple[str, ...]:
    routes = [f"app.{domain}.{kind}" for domain in sorted(DOMAINS) for kind in ("api", "views")]
    return (*routes, "app.web", "app.main")


def test_the_policy_evaluator_is_pure() -> None:
    forbidden = (*WEB_FRAMEWORKS, "sqlalchemy", "sqlmodel", "app.db", "app.web", "app.main")
    assert offending([APP / "policy" / "evaluate.py"], forbidden) == []


def test_services_and_models_know_no_http_framework_and_no_routes() -> None:
    paths = modules("service.py") + modules("models.py")
    assert len(paths) >= 8
    assert offending(paths, (*WEB_FRAMEWORKS, *routes_modules())) == []


def test_models_import_no_service() -> None:
    services = tuple(f"app.{domain}.service" for domain in DOMAINS)
    assert offending(modules("models.py"), services) == []


def test_no_two_domain_packages_import_each_other() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for domain in DOMAINS:
        for path in (APP / domain).rglob("*.py"):
            for name in imports_of(path):
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "app" and parts[1] in DOMAINS - {domain}:
                    edges[domain].add(parts[1])
    both_ways = sorted(
        f"{a} <-> {b}" for a in edges for b in edges[a] if a < b and a in edges.get(b, set())
    )
    assert both_ways == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "service.py"
    sample.write_text("from fastapi import Request\nimport app.permits.views\n")
    assert offending([sample], (*WEB_FRAMEWORKS, *routes_modules())) == [
        "service.py imports fastapi",
        "service.py imports fastapi.Request",
        "service.py imports app.permits.views",
    ]
