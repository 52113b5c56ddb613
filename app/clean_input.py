"""One check for every text a request carries: the query, the path, a JSON body and a
form's text fields (page forms and API forms alike). NUL and other control characters
(tabs and line breaks excepted) and lone UTF-16 surrogates are refused with 422
`control_characters`, before any route sees them: PostgreSQL refuses NUL in text (a 500),
SQLite stores it, and both print as nothing on a permit.

It runs as an application-wide dependency, so the refusal is an ordinary `InvalidInput`
answered like any other (JSON for the API, a page for a browser). The body it reads is
the one the route reads (Starlette keeps it), so nothing is parsed twice."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from app.errors import InvalidInput
from app.text import is_clean

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(where: str) -> InvalidInput:
    return InvalidInput(
        "control_characters",
        "Remove the invisible control characters from the text.",
        field=where[:80] if is_clean(where) else "?",
    )


def _check(value: str, where: str) -> None:
    if not is_clean(value):
        raise _refuse(where)


def _walk(value: Any, where: str) -> None:
    if isinstance(value, str):
        _check(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(str(key), where)
            _walk(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for item in value:
            _walk(item, where)


async def refuse_control_characters(request: Request) -> None:
    for key, value in request.query_params.multi_items():
        _check(key, "query")
        _check(value, key)
    for key, value in request.path_params.items():
        if isinstance(value, str):
            _check(value, key)
    if request.method not in BODY_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return  # not JSON: the route answers that itself
        _walk(data, "")
    elif content_type.startswith(FORMS):
        form = await request.form()
        for key, field in form.multi_items():
            _check(key, "form")
            if isinstance(field, str):
                _check(field, key)
