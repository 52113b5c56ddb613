"""Application settings, read from the environment (and an optional `.env` file).

Every field is documented here and in the README's configuration table.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "development-only-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["development", "test", "production"] = Field(
        default="development",
        description="Where the app runs. `production` enforces a real secret key, secure "
        "cookies and forbids demo data.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL. SQLite file `app.db` in DATA_DIR by default; "
        "PostgreSQL as postgresql+psycopg://user:password@host:5432/dbname.",
    )
    secret_key: str = Field(
        default=DEFAULT_SECRET_KEY,
        description="Signs session cookies and API tokens. At least 32 characters in production.",
    )
    field_encryption_key: str | None = Field(
        default=None,
        description="Fernet key (base64, 32 bytes) encrypting personal data and stored files "
        "at rest; while rotating, several separated by commas (the first encrypts, all "
        "decrypt; then `swl keys rotate`). Derived from SECRET_KEY when unset; required in "
        "production.",
    )
    lookup_key: str | None = Field(
        default=None,
        description="Key of the keyed hashes used to find encrypted values (a BSN). Defaults "
        "to the last (oldest) FIELD_ENCRYPTION_KEY; set it to that key before removing it "
        "after a rotation.",
    )
    address_register: Literal["local", "haal_centraal"] = Field(
        default="local",
        description="Where home work's residence check looks: `local` (the table loaded "
        "with `swl residents import`) or `haal_centraal` (the BRP's Haal Centraal API).",
    )
    brp_api_url: str = Field(
        default="",
        description="Base URL of Haal Centraal BRP Personen Bevragen (its `/personen` is "
        "posted to), for ADDRESS_REGISTER=haal_centraal.",
    )
    brp_api_key: str = Field(
        default="", description="API key sent to Haal Centraal as `X-API-Key`."
    )
    brp_timeout_seconds: float = Field(
        default=5.0, ge=0.1, le=60, description="Timeout of one request to Haal Centraal."
    )
    brp_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Tries of one look-up when Haal Centraal times out or answers 5xx "
        "(with backoff); after the last, the check waits as `pending_address_check`.",
    )
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, description="Largest accepted upload (PDF, JPEG or PNG)."
    )
    document_store: Literal["filesystem"] = Field(
        default="filesystem",
        description="Where document bytes are kept: `filesystem` (DATA_DIR/documents).",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Address of this site as the public reaches it; the QR code on a permit "
        "points to PUBLIC_BASE_URL/verify/<number>. Defaults to http://HOST:PORT.",
    )
    municipality_logo: Path | None = Field(
        default=None,
        description="Logo (SVG or PNG) printed on permits and letters; the bundled "
        "app/static/logo.svg when unset.",
    )
    municipality_colour: str = Field(
        default="#00539b",
        description="The municipality's house colour (#rrggbb): the header accent of the site "
        "and the rule, name and headings of permits and letters. White text must be readable "
        "on it (contrast at least 4.5:1).",
    )
    signing_cert_file: Path | None = Field(
        default=None,
        description="PEM certificate for signing permits and letters (PAdES). Signing is on "
        "when this and SIGNING_KEY_FILE are set.",
    )
    signing_key_file: Path | None = Field(
        default=None, description="PEM private key belonging to SIGNING_CERT_FILE."
    )
    signing_key_passphrase: str | None = Field(
        default=None, description="Passphrase of SIGNING_KEY_FILE, if it has one."
    )
    verify_requests_per_minute: int = Field(
        default=30,
        description="Public permit verifications allowed per client address a minute.",
    )
    municipality_name: str = Field(
        default="Gemeente Tilburg", description="Shown in the page header and on documents."
    )
    contact_phone: str = Field(
        default="14 013",
        max_length=40,
        description="Telephone number of the municipality on the contact page (the licensing "
        "team is reached through it).",
    )
    contact_email: str = Field(
        default="",
        max_length=200,
        description="Team address for questions on the contact page; empty to show none. "
        "Use a team address, never a person's.",
    )
    quick_exit_url: str = Field(
        default="https://www.buienradar.nl/",
        pattern=r"^https?://[^\s\"'<>]+$",
        description='Neutral site the quick-exit button ("Snel weg") on applicant and '
        "public pages opens in place of this one.",
    )
    demo_data: bool = Field(
        default=False,
        description="Load demo accounts into an empty database and print them on start "
        "(`make run` sets this). Refused when APP_ENV=production.",
    )
    host: str = Field(default="127.0.0.1", description="Address `swl serve` binds to.")
    port: int = Field(default=8000, description="Port `swl serve` listens on.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies trusted to set X-Forwarded-For (comma-separated, or *). Rate "
        "limits count per client address, so set this to your reverse proxy's address.",
    )
    session_cookie_secure: bool | None = Field(
        default=None,
        description="Send the session cookie over HTTPS only. Defaults to true in production.",
    )
    session_max_age_seconds: int = Field(
        default=8 * 3600, description="Lifetime of a browser session."
    )
    access_token_expire_minutes: int = Field(
        default=60, description="Lifetime of an API bearer token."
    )
    login_attempts_per_minute: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords allowed per account from one client address a minute "
        "(4x in an hour; and 4x a minute per address over all accounts). Failures from "
        "one address never lock the owner out at another.",
    )
    mfa_attempts_per_minute: int = Field(
        default=5,
        ge=1,
        description="Wrong two-factor codes (staff login) allowed per account from one client "
        "address a minute.",
    )
    mfa_attempts_per_hour: int = Field(
        default=20,
        ge=1,
        description="Wrong two-factor codes allowed per account an hour, over all addresses.",
    )
    timezone: str = Field(
        default="Europe/Amsterdam",
        description="The municipality's time zone: which day it is for deadlines and validity.",
    )
    registrations_per_hour: int = Field(
        default=10, description="New applicant accounts allowed per client address an hour."
    )
    home_work_attempts_per_hour: int = Field(
        default=5,
        description="Home-work registrations an account may try an hour (each asks the "
        "population register about a BSN and an address).",
    )
    nuisance_reports_per_hour: int = Field(
        default=10, description="Nuisance reports accepted per client address an hour."
    )
    default_language: Literal["nl", "en"] = Field(
        default="nl", description="Interface language for visitors who did not choose one."
    )
    policy_file: Path = Field(
        default=PROJECT_ROOT / "policies" / "tilburg.toml",
        description="The local policy in force (TOML).",
    )
    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Folder for the SQLite database and stored documents.",
    )
    log_level: str = Field(default="info", description="Log level for the server.")
    audit_anchor_key: str | None = Field(
        default=None,
        description="Signs the audit trail's anchors. Derived from SECRET_KEY when unset; "
        "set a separate random value in production.",
    )
    audit_anchor_file: Path | None = Field(
        default=None,
        description="Append-only file of the audit trail's anchors (default "
        "`DATA_DIR/audit-anchors-<database>.jsonl`). Keep a copy elsewhere.",
    )
    audit_anchor_interval_hours: float = Field(
        default=24,
        gt=0,
        description="How often the running server anchors the audit trail (and once when it "
        "starts).",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="Database connections per worker process. The app lets no more requests "
        "at the database at once, and runs DB_POOL_SIZE + 10 worker threads, so a request never "
        "waits for a connection it cannot get.",
    )
    db_pool_timeout_seconds: float = Field(
        default=10,
        gt=0,
        description="How long a request waits for a free database slot before it is answered "
        "503 `database_busy` with Retry-After.",
    )
    db_lock_timeout_seconds: float = Field(
        default=3,
        gt=0,
        description="How long a statement waits for a lock (SQLite's write lock, a PostgreSQL "
        "row lock) or for a connection to open before it is answered 503 with Retry-After.",
    )
    rate_limit_storage_url: str = Field(
        default="memory://",
        description="Where rate-limit counters live (`limits` storage URL). `memory://` counts "
        "per process; with several workers or instances use `redis://127.0.0.1:6379/0`.",
    )
    body_timeout_seconds: float = Field(
        default=30,
        gt=0,
        description="A client that sends no part of its request body for this long is answered "
        "408 and disconnected (slow clients cannot hold a worker).",
    )

    smtp_host: str = Field(
        default="",
        description="Mail server that sends the service's e-mail. Empty: nothing is sent; in "
        "development (`make run`) messages appear on `/dev/mail` for admins instead.",
    )
    smtp_port: int = Field(
        default=587, ge=1, le=65535, description="Port of SMTP_HOST (25, 465 or 587)."
    )
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="starttls",
        description="How the connection to SMTP_HOST is secured: `starttls` (port 587), `tls` "
        "(implicit TLS, port 465) or `none` (a relay on a trusted network only).",
    )
    smtp_user: str = Field(
        default="", description="User name at SMTP_HOST; empty to send without logging in."
    )
    smtp_password: str = Field(default="", description="Password of SMTP_USER.")
    smtp_timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="Timeout of one conversation with SMTP_HOST."
    )
    mail_from: str = Field(
        default="noreply@localhost",
        description="Sender address of every message; the sender's name is MUNICIPALITY_NAME. "
        "Choose a neutral address (nothing about sex work or permits).",
    )
    mail_interval_seconds: float = Field(
        default=60,
        gt=0,
        description="How often the running server sends the mail that is due (queued "
        "messages, and retries after a failure).",
    )

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def base_url(self) -> str:
        """Where the public reaches this site (for links printed on documents)."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is None:
            return self.is_production
        return self.session_cookie_secure

    @field_validator("municipality_colour")
    @classmethod
    def _check_colour(cls, value: str) -> str:
        return house_colour(value)

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'app.db'}"
        return self

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.is_production:
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "when APP_ENV=production"
                )
            if not self.public_base_url:
                raise ValueError(
                    "PUBLIC_BASE_URL must be set when APP_ENV=production: it is printed in the "
                    "QR code of every permit"
                )
            if not self.field_encryption_key:
                raise ValueError("FIELD_ENCRYPTION_KEY must be set when APP_ENV=production")
            if self.demo_data:
                raise ValueError("DEMO_DATA cannot be used when APP_ENV=production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def house_colour(value: str) -> str:
    """A #rrggbb colour on which white text has a contrast of at least 4.5:1 (WCAG AA):
    the site's header is white on it."""
    colour = value.strip().lower()
    if not re.fullmatch(r"#[0-9a-f]{6}", colour):
        raise ValueError(f"must be a colour written #rrggbb, got {value!r}")
    contrast = 1.05 / (_luminance(colour) + 0.05)
    if contrast < 4.5:
        raise ValueError(
            f"white text on {colour} has a contrast of {contrast:.1f}:1; at least 4.5:1 is "
            "needed (choose a darker colour)"
        )
    return colour


def darker(colour: str, factor: float = 0.7) -> str:
    """`colour` darkened (hover and focus shades of the house colour)."""
    channels = [round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)
