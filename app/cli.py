"""`swl`: the command-line tool for running and administering the service."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app import demo
from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.config import get_settings
from app.db import get_engine
from app.errors import AppError

app = typer.Typer(help="Sex-work licensing service: serve, database, accounts, audit.")
db_app = typer.Typer(help="Database schema (Alembic migrations).")
user_app = typer.Typer(help="Accounts.")
audit_app = typer.Typer(help="The audit trail.")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")

console = Console()
err_console = Console(stderr=True)


def _print_demo_accounts() -> None:
    table = Table(title="Demo accounts (demo mode only)")
    table.add_column("role")
    table.add_column("email")
    table.add_column("password")
    for account in demo.DEMO_ACCOUNTS:
        table.add_row(account.role.value, account.email, account.password)
    console.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: HOST setting).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT setting).")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the site and the API."""
    import uvicorn

    settings = get_settings()
    if settings.demo_data:
        with Session(get_engine()) as session:
            if demo.database_is_empty(session):
                demo.load(session)
        _print_demo_accounts()
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"Serving on http://{bind_host}:{bind_port} (API docs at /docs)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        reload=reload,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from app.migrations import upgrade

    upgrade(revision=revision)
    console.print(f"Database at {revision}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. -1 or base")]) -> None:
    """Undo migrations down to REVISION."""
    from app.migrations import downgrade

    downgrade(revision=revision)
    console.print(f"Database at {revision}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    from app.migrations import current_revisions, head_revisions

    console.print(f"current: {sorted(current_revisions(get_engine()))}")
    console.print(f"head:    {sorted(head_revisions())}")


@app.command("demo-data")
def demo_data() -> None:
    """Load the demo accounts (refused when APP_ENV=production)."""
    if get_settings().is_production:
        err_console.print("Demo data is never loaded when APP_ENV=production.")
        raise typer.Exit(2)
    with Session(get_engine()) as session:
        created = demo.load(session)
    console.print(f"{len(created)} demo accounts created.")
    _print_demo_accounts()


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[
        Role, typer.Option(help="applicant, clerk, inspector, care_coordinator, admin")
    ],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    language: Annotated[str, typer.Option(help="nl or en")] = "nl",
) -> None:
    """Create an account. Prompts for the password unless --password-stdin is given."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(email=email, password=password, role=role, language=language)
    except ValidationError as exc:
        for err in exc.errors():
            err_console.print(f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
        raise typer.Exit(2) from exc
    with Session(get_engine()) as session:
        try:
            user = auth_service.create(session=session, data=data, actor=None)
        except AppError as exc:
            err_console.print(exc.message)
            raise typer.Exit(1) from exc
    console.print(f"Created {user.role.value} account {user.email} ({user.id}).")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain; exit 1 if any row was changed or removed."""
    from app.audit.service import verify_chain

    with Session(get_engine()) as session:
        report = verify_chain(session)
    if report.ok:
        console.print(f"Audit trail intact: {report.checked} events verified.")
        return
    err_console.print(
        f"Audit trail BROKEN at event {report.broken_at}: {report.reason} "
        f"({report.checked} events read)."
    )
    raise typer.Exit(1)


if __name__ == "__main__":
    app()
