"""A real SMTP server in the test process (aiosmtpd on a free port) that keeps what it
receives, and a way to wait for the link in a message to an address."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the server received; `refuse` makes it answer 550 to every recipient."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 5.7.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [
                m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt
            ]

    def wait_for_link(self, address: str, path: str, *, seen: int = 0, timeout: float = 30) -> str:
        """The first link containing `path` in a message to `address` beyond the first
        `seen` ones, waiting for the server's background sender to deliver it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.to(address)[seen:]:
                body = message.get_body(preferencelist=("plain",))
                text = body.get_content() if body is not None else ""
                for link in LINK.findall(text):
                    if path in link:
                        return str(link)
            time.sleep(0.1)
        raise AssertionError(f"no message to {address} with a link to {path} arrived")


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    handler = Inbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def smtp_env(inbox: Inbox) -> dict[str, str]:
    """Settings (environment) that point a server process's sender at `inbox`."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "noreply@tilburg.example",
        "MAIL_INTERVAL_SECONDS": "0.2",
    }
