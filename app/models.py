"""Imports every table so SQLModel.metadata is complete (for Alembic and tests)."""

from app.audit.models import AuditEvent
from app.auth.models import User

__all__ = ["AuditEvent", "User"]
