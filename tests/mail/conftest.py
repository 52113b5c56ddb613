"""The real SMTP server of `tests/smtp.py`, and the settings pointing the sender at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import get_settings
from tests.smtp import Inbox, smtp_server


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as handler:
        settings = get_settings()
        monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
        monkeypatch.setattr(settings, "smtp_port", handler.port)
        monkeypatch.setattr(settings, "smtp_security", "none")
        monkeypatch.setattr(settings, "mail_from", "noreply@tilburg.example")
        yield handler
