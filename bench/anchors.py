"""Anchor apps: the floor each service endpoint is compared with.

Three routes in one tiny FastAPI app, served by uvicorn with exactly the flags the service
gets (`bench/load.py` starts both):

    GET  /bare    a constant JSON answer: the framework and server alone
    POST /echo    a validated pydantic body returned as it came: plus parsing and validation
    POST /insert  the same body validated, one row inserted with SQLModel and committed, the
                  row returned: plus one database round trip and a commit

Routes are plain `def` functions, like the service's, so both run in the same thread pool.
The insert goes to its own table in its own database (ANCHOR_DATABASE_URL: a separate
SQLite file or PostgreSQL database) through the project's `make_engine`, so it gets the
same connection settings (pool, SQLite pragmas and locking) as the service.

Run: uvicorn bench.anchors:create_app --factory (with ANCHOR_DATABASE_URL set).
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from pydantic import BaseModel, EmailStr, Field
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import make_engine


class EchoIn(BaseModel):
    """A body shaped like a draft application: a few constrained strings, a date, an email."""

    permit_type: str = Field(min_length=1, max_length=64)
    working_name: str = Field(min_length=2, max_length=60)
    legal_name: str = Field(min_length=2, max_length=200)
    birth_date: date
    email: EmailStr


class AnchorRow(SQLModel, table=True):
    __tablename__ = "bench_anchor_row"

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)
    permit_type: str = SQLField(max_length=64)
    working_name: str = SQLField(max_length=60)
    created_at: datetime = SQLField(default_factory=lambda: datetime.now(UTC))


def create_app() -> FastAPI:
    engine = make_engine(os.environ["ANCHOR_DATABASE_URL"])
    SQLModel.metadata.create_all(engine, tables=[AnchorRow.__table__])  # type: ignore[list-item]
    app = FastAPI(title="bench anchors", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/bare")
    def bare() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/echo")
    def echo(data: EchoIn) -> EchoIn:
        return data

    @app.post("/insert", status_code=201)
    def insert(data: EchoIn) -> AnchorRow:
        with Session(engine) as session:
            row = AnchorRow(permit_type=data.permit_type, working_name=data.working_name)
            session.add(row)
            session.commit()
            session.refresh(row)
            return row

    return app
