"""Oversized request bodies are refused before any route, login or CSRF check reads them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.body_limit import OVERHEAD_BYTES
from app.config import get_settings


def test_oversized_body_is_413_before_login(client: TestClient) -> None:
    too_big = b"x" * (get_settings().max_upload_bytes + OVERHEAD_BYTES + 1)
    response = client.post(
        "/api/v1/auth/register", content=too_big, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"


def test_streamed_body_without_length_is_cut_off(client: TestClient) -> None:
    limit = get_settings().max_upload_bytes + OVERHEAD_BYTES

    def chunks():  # type: ignore[no-untyped-def]
        sent = 0
        while sent <= limit:
            yield b"y" * 65536
            sent += 65536

    response = client.post("/api/v1/auth/register", content=chunks())
    assert response.status_code == 413


def test_normal_body_passes(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "small@example.org", "password": "x" * 16}
    )
    assert response.status_code == 202


def test_oversized_form_upload_gets_a_page_to_read(client: TestClient) -> None:
    too_big = b"x" * (get_settings().max_upload_bytes + OVERHEAD_BYTES + 1)
    response = client.post(
        "/applications/00000000-0000-0000-0000-000000000000/documents",
        content=too_big,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Het bestand is te groot" in response.text
