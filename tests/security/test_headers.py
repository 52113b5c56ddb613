"""Every answer carries the security headers; no page has inline script or style, so the
CSP can forbid them; HSTS only in production (behind TLS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from app.security_headers import SecurityHeadersMiddleware


@pytest.mark.parametrize("path", ["/", "/login", "/verify", "/docs", "/api/v1/policy", "/nope"])
def test_security_headers_on_every_answer(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers


def test_hsts_in_production() -> None:
    middleware = SecurityHeadersMiddleware(app=None, hsts=True)  # type: ignore[arg-type]
    assert any(name == b"strict-transport-security" for name, _ in middleware.headers)


def test_no_template_has_inline_script_style_or_handlers() -> None:
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I
    )
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        if "pdf" not in path.parts and inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    main = Path(PROJECT_ROOT / "app" / "main.py").read_text(encoding="utf-8")
    assert not inline.search(main.split('DOCS_PAGE = """')[1].split('"""')[0])
