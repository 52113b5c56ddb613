"""User accounts and their public/create schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import EmailStr, field_validator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, created_at_field, uuid_pk_field

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class Role(StrEnum):
    applicant = "applicant"
    clerk = "clerk"
    inspector = "inspector"
    care_coordinator = "care_coordinator"
    admin = "admin"


STAFF_ROLES = frozenset({Role.clerk, Role.inspector, Role.care_coordinator, Role.admin})


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = uuid_pk_field()
    email: str = Field(max_length=254, unique=True, index=True)
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

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def _check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if len(value) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"Password must be at most {MAX_PASSWORD_LENGTH} characters long.")
    return value


class UserRegister(SQLModel):
    email: EmailStr = Field(max_length=254)
    password: str
    language: Literal["nl", "en"] = "nl"

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


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


__all__ = ["UTCDateTime"]
