"""The layering rules, checked on the source: a forbidden import fails the suite.

- the policy evaluator is pure: no web layer, no database;
- a service (and a models module) knows no HTTP framework and no routes module;
- a models module imports no service;
- two domain packages never import each other (consequences across domains go one way);
- flows (`app/flows/`) sit above the domains: only routes call them;
- domain packages never commit or roll back: the request's session or a flow does;
- the error family knows no HTTP framework, and no module of `app/` is part of an import
  circle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
WEB_FRAMEWORKS = ("fastapi", "starlette")
PACKAGES = frozenset(p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists())
LAYERS_ABOVE = frozenset({"flows"})
DOMAINS = PACKAGES - LAYERS_ABOVE
ROUTE_FILES = ("api.py", "views.py", "deps.py")


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
    return (*routes, "app.web", "app.web_errors", "app.deps", "app.main")


def domain_modules() -> list[Path]:
    """Every module of a domain package except its routes."""
    return [
        path
        for domain in sorted(DOMAINS)
        for path in sorted((APP / domain).rglob("*.py"))
        if path.name not in ROUTE_FILES
    ]


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
            if path.name in ROUTE_FILES:
                continue  # routes sit above the domains and may call any service or flow
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


def test_only_routes_call_flows() -> None:
    assert offending(domain_modules(), ("app.flows",)) == []


def commits_in(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
            ):
                found.append(f"{_shown(path)}:{node.lineno} calls {node.func.attr}()")
    return found


def test_domain_packages_never_commit() -> None:
    """One place commits: the request's session (app/deps.py) or a flow (app/flows/)."""
    assert len(domain_modules()) >= 20
    assert commits_in(domain_modules()) == []


def test_the_commit_check_sees_a_commit(tmp_path: Path) -> None:
    sample = tmp_path / "service.py"
    sample.write_text("def f(session):\n    session.flush()\n    session.commit()\n")
    assert commits_in([sample]) == ["service.py:3 calls commit()"]


def test_errors_and_the_database_module_know_no_web_framework() -> None:
    paths = [APP / "errors.py", APP / "db.py", APP / "access.py", APP / "status_machine.py"]
    assert offending(paths, (*WEB_FRAMEWORKS, *routes_modules())) == []


def module_name(path: Path) -> str:
    parts = list(_shown(path).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_circles(paths: list[Path]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    names = {module_name(p): p for p in paths}
    graph = {
        name: {i for i in imports_of(path) if i in names and i != name}
        for name, path in names.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return circles


def test_no_import_circle_in_app() -> None:
    assert import_circles(modules("*.py")) == []


def test_the_circle_check_sees_a_circle(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("from a import x\n")
    assert import_circles([tmp_path / "a.py", tmp_path / "b.py"]) == [["a", "b"]]
