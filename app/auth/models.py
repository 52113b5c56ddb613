"""User accounts and their public/create schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import EmailStr, field_validator
from sqlalchemy import Boolean, Column, Index, Integer, event, false
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.crypto import EncryptedJSON, EncryptedText, keyed_hash
from app.db import UTCDateTime, created_at_field, uuid_pk_field
from app.i18n import LanguageCode

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class Role(StrEnum):
    applicant = "applicant"
    clerk = "clerk"
    inspector = "inspector"
    care_coordinator = "care_coordinator"
    # Reads the statistics (counts only, small counts suppressed); no person's file.
    analyst = "analyst"
    admin = "admin"


STAFF_ROLES = frozenset(
    {Role.clerk, Role.inspector, Role.care_coordinator, Role.analyst, Role.admin}
)


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    # The staff lists (few rows among many applicants).
    __table_args__ = (Index("ix_user_account_role", "role"),)

    id: uuid.UUID = uuid_pk_field()
    # Encrypted at rest; found by `email_hash` (a keyed hash of the lower-cased address).
    email: str = Field(sa_type=EncryptedText)
    email_hash: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: Role = Field(
        sa_type=SAEnum(
            Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
        )
    )
    language: str = Field(default="nl", max_length=2)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    # Bumped whenever every session and token of the account must end (password changed,
    # switched off or on, an admin ended them, MFA reset): each carries the generation it
    # was made in and is refused once it no longer matches.
    session_generation: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    # No e-mail about their file (messages about the account's security still go).
    email_opt_out: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # Staff two-factor login (TOTP). The secret is encrypted at rest ({"secret": base32});
    # it is confirmed (in use) once `mfa_enabled_at` is set.
    mfa_secret: dict[str, Any] | None = Field(default=None, sa_type=EncryptedJSON)
    mfa_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the owner opened the confirmation link sent to the address (or when an admin
    # made the account). An unconfirmed account cannot log in.
    email_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def mfa_required(self) -> bool:
        return self.is_staff

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enabled_at is not None and self.mfa_secret is not None


class UserSession(SQLModel, table=True):
    """One signed-in browser or one API token. Logging out ends this one; ending all of an
    account's sessions ends every row and bumps the account's generation."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_open", "user_id", "ended_at"),)

    id: uuid.UUID = uuid_pk_field()
    user_id: uuid.UUID = Field(foreign_key="user_account.id")
    kind: str = Field(default="page", max_length=8)  # "page" or "api"
    generation: int = Field(default=0)
    created_at: datetime = created_at_field()
    last_seen: datetime = created_at_field()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code of a staff member's two-factor login, stored as a salted
    hash; `used_at` is set when it is spent."""

    __tablename__ = "mfa_recovery_code"

    id: uuid.UUID = uuid_pk_field()
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=128)
    created_at: datetime = created_at_field()
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at most {MAX_PASSWORD_LENGTH} characters long.")
    return value


class UserRegister(SQLModel):
    email: EmailStr = Field(max_length=254)
    password: str
    language: LanguageCode = "nl"

    _password = field_validator("password")(_check_password)


class UserCreate(UserRegister):
    role: Role


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    role: Role
    language: str
    is_active: bool
    created_at: datetime
    mfa_enrolled: bool = False


class RegistrationAccepted(SQLModel):
    status: Literal["check_email"] = "check_email"
    detail: str = (
        "If the address can be used, a message is on its way to it: open its link to "
        "confirm the address, then log in."
    )


class RoleChange(SQLModel):
    role: Role


class LinkToken(SQLModel):
    token: str = Field(min_length=1, max_length=100)


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


__all__ = ["UTCDateTime"]


def email_lookup(email: str) -> str:
    """The keyed hash an account is found by (lower-cased, trimmed address)."""
    return keyed_hash("email", email.strip().lower())


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _hash_email(_mapper: object, _connection: object, user: User) -> None:
    user.email_hash = email_lookup(user.email)


class AccountToken(SQLModel, table=True):
    """A one-time link sent by e-mail (a password reset, an address confirmation): only its
    SHA-256 is stored; it expires, and is spent when used. A confirmation link carries the
    password hash chosen in the registration that sent it, so each link can only activate
    the password of its own registration."""

    __tablename__ = "account_token"

    id: uuid.UUID = uuid_pk_field()
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    password_hash: str | None = Field(default=None, max_length=255)
