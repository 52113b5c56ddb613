from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": {"code": "not_found", "message": "Not Found"}}


def test_wrong_method_is_json_405(client: TestClient) -> None:
    response = client.delete("/api/v1/auth/register")
    assert response.status_code == 405
    assert response.json()["detail"]["code"] == "method_not_allowed"


def test_unknown_page_is_html_404(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Pagina niet gevonden" in response.text


def test_malformed_json_is_422_not_500(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_bad_uuid_in_path_is_422(client: TestClient) -> None:
    assert client.get("/api/v1/users/not-a-uuid").status_code in (401, 422)


def test_request_id_header(client: TestClient) -> None:
    response = client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


def test_docs_served_without_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in spec["paths"]


def test_a_page_message_that_needs_values_is_never_shown_without_them() -> None:
    from app.web_errors import user_message

    assert user_message("too_large", "The request is too large.") == "The request is too large."
    assert "%(" not in user_message("too_large")
    assert "10" in user_message("too_large", mb=10)
