"""`swl`: the command-line tool for running and administering the service."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich import box
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from app import demo
from app.auth import service as auth_service
from app.auth.models import Role, UserCreate
from app.config import get_settings
from app.db import get_engine
from app.errors import AppError
from app.policy import service as policy_service
from app.policy.loader import PolicyError, load_policy_file
from app.policy.schema import Policy

if TYPE_CHECKING:
    from app.policy.compare import Comparison
    from app.simulation import SimulationReport

app = typer.Typer(help="Sex-work licensing service: serve, database, accounts, audit.")
db_app = typer.Typer(help="Database schema (Alembic migrations).")
user_app = typer.Typer(help="Accounts.")
audit_app = typer.Typer(help="The audit trail.")
retention_app = typer.Typer(help="The retention schedule of the policy in force.")
policy_app = typer.Typer(help="Local policy files: validate a file, simulate a draft.")
residents_app = typer.Typer(help="The local address register (a BRP extract).")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
keys_app = typer.Typer(help="Encryption keys.")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(policy_app, name="policy")
app.add_typer(residents_app, name="residents")
mail_app = typer.Typer(help="E-mail: deliver the outbox, queue the daily reminders.")
app.add_typer(mail_app, name="mail")

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
    console.print(
        "Demo staff log in with a second step: at first login the site shows a QR code for "
        f"the demo two-factor secret {demo.DEMO_TOTP_SECRET} (the same for every demo staff "
        "account; demo mode only). Add it to an authenticator app, or print the current code "
        "with: python -c \"import pyotp; print(pyotp.TOTP('"
        f"{demo.DEMO_TOTP_SECRET}').now())\"",
        soft_wrap=True,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: HOST setting).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: PORT setting).")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes. More than one needs shared rate limits "
            "(RATE_LIMIT_STORAGE_URL=redis://...); PostgreSQL is advised.",
        ),
    ] = 1,
) -> None:
    """Serve the site and the API."""
    import uvicorn

    # Links printed on documents follow the address actually served.
    if host:
        os.environ["HOST"] = host
    if port:
        os.environ["PORT"] = str(port)
    get_settings.cache_clear()
    settings = get_settings()
    try:  # refuse to start on an invalid policy, with the key and line that are wrong
        policy_service.load_configured(settings.policy_file)
    except (PolicyError, OSError) as exc:
        err_console.print(f"Cannot start: the policy file is not valid.\n{exc}")
        raise typer.Exit(2) from exc
    if workers > 1 and settings.rate_limit_storage_url.startswith("memory://"):
        err_console.print(
            "Cannot start several workers with rate limits counted per process: set "
            "RATE_LIMIT_STORAGE_URL to a shared storage, e.g. redis://127.0.0.1:6379/0."
        )
        raise typer.Exit(2)
    if settings.demo_data:
        with Session(get_engine()) as session:
            if demo.database_is_empty(session):
                demo.load(session)
        get_engine().dispose()
        _print_demo_accounts()
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"Serving on http://{bind_host}:{bind_port} (API docs at /docs)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        reload=reload,
        workers=workers,
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
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
        Role, typer.Option(help="applicant, clerk, inspector, care_coordinator, analyst, admin")
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
        data = UserCreate.model_validate(
            {"email": email, "password": password, "role": role, "language": language}
        )
    except ValidationError as exc:
        for err in exc.errors():
            err_console.print(f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
        raise typer.Exit(2) from exc
    with Session(get_engine()) as session:
        try:
            user = auth_service.create(session=session, data=data, actor=None)
            created = f"Created {user.role.value} account {user.email} ({user.id})."
            session.commit()
        except AppError as exc:
            err_console.print(exc.message)
            raise typer.Exit(1) from exc
    console.print(created)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain and check it against every anchor; exit 1 if
    any row was changed or removed, the end was deleted or the chain was rewritten."""
    from app.audit import anchor
    from app.audit.service import verify_chain

    with Session(get_engine()) as session:
        report = verify_chain(session)
        anchored = anchor.verify(session)
    if not report.ok:
        err_console.print(
            f"Audit trail BROKEN at event {report.broken_at}: {report.reason} "
            f"({report.checked} events read)."
        )
        raise typer.Exit(1)
    if not anchored.ok:
        err_console.print(f"Audit trail BROKEN: {anchored.problem}.")
        raise typer.Exit(1)
    console.print(
        f"Audit trail intact: {report.checked} events verified against {anchored.anchors} anchors."
    )


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction.")] = 500,
) -> None:
    """Re-encrypt every encrypted value and rewrap every stored file's key under the first
    FIELD_ENCRYPTION_KEY. Runs beside the service; run it again if it was stopped."""
    from app import keys

    report = keys.rotate(
        get_engine(),
        batch_size=batch_size,
        progress=lambda name, count: console.print(f"  {name}: {count}"),
    )
    console.print(
        f"Rotated {sum(report.values.values())} encrypted values and "
        f"{sum(report.files.values())} stored files to the current key."
    )
    if report.unreadable_files:
        err_console.print(
            f"{len(report.unreadable_files)} stored files cannot be read with the configured "
            "keys (add the key they were sealed with and run this again):"
        )
        for name in report.unreadable_files[:50]:
            err_console.print(f"  {name}")
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Append a signed anchor of the trail's current end to AUDIT_ANCHOR_FILE (the server
    does this daily; run it from a timer as well, and keep a copy of the file)."""
    from app.audit import anchor

    with Session(get_engine()) as session:
        made = anchor.write_anchor(session)
    if made is None:
        console.print("The audit trail is empty: nothing to anchor.")
        return
    console.print(f"Anchored event {made.last_id} ({made.count} events) in {anchor.anchor_file()}.")


PROGRESS_THRESHOLD = 200
"""Show a progress bar (on standard error) when simulating more permits than this."""

PolicyFile = Annotated[
    Path, typer.Argument(help="A policy TOML file.", dir_okay=False, show_default=False)
]


def _load_policy_or_exit(path: Path) -> Policy:
    """The validated policy in FILE; prints each problem as `file:line: key: message`, exit 1."""
    try:
        return load_policy_file(path)
    except PolicyError as exc:
        for problem in exc.problems:
            typer.echo(problem.describe(exc.source), err=True)
        raise typer.Exit(1) from exc


@policy_app.command("validate")
def policy_validate(file: PolicyFile) -> None:
    """Check a policy file; exit 1 listing every problem with its line and key."""
    policy = _load_policy_or_exit(file)
    types = ", ".join(policy.permit_types)
    typer.echo(
        f"{file}: valid. {policy.name} policy version {policy.version}"
        + (" (a proposal, not in force)" if policy.status == "proposal" else "")
        + ", "
        f"effective {policy.effective_date.isoformat()}, "
        f"{len(policy.permit_types)} permit types ({types})."
    )


@policy_app.command("simulate")
def policy_simulate(
    file: PolicyFile,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=0,
            help="List at most this many affected permits of each kind (0: counts only).",
        ),
    ] = 20,
    list_all: Annotated[
        bool, typer.Option("--all", help="List every affected permit (overrides --limit).")
    ] = False,
) -> None:
    """Check every permit in force today against a draft policy FILE.

    Prints how many permits of each type would fail which rule, the first --limit of those
    permits as examples (working names only; --all lists every one), the caps, and a summary.
    Informational: exits 0 whatever the outcome, 1 when FILE is not a valid policy.
    """
    from app.permits import service as permits_service
    from app.simulation import simulate

    draft = _load_policy_or_exit(file)
    with Session(get_engine()) as session, _SimulationProgress() as progress:
        report = simulate(
            session=session,
            draft=draft,
            on=permits_service.today(),
            progress=progress,
            limit=None if list_all else limit,
        )
        session.commit()  # the run's audit record
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    _print_simulation(report)


@policy_app.command("diff")
def policy_diff(
    a: PolicyFile,
    b: PolicyFile,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
    ] = False,
    language: Annotated[
        str, typer.Option("--lang", help="Language of the plain words: en or nl.")
    ] = "en",
) -> None:
    """Print the rules on which policy A and policy B differ, in plain words.

    The same comparison as the public page /beleid/vergelijken: permit types, minimum ages,
    validity, caps, documents, conditions, the permit interview, home work and decision
    periods. Exits 0 whatever differs, 1 when a file is not a valid policy.
    """
    from app.policy.compare import TOPIC_TITLES, compare

    if language not in ("en", "nl"):
        raise typer.BadParameter("use en or nl", param_hint="--lang")
    policy_a, policy_b = _load_policy_or_exit(a), _load_policy_or_exit(b)
    comparison = compare(policy_a, policy_b)
    if as_json:
        typer.echo(json.dumps(_diff_json(comparison, a, b), indent=2, ensure_ascii=False))
        return
    for letter, path, policy in (("A", a, policy_a), ("B", b, policy_b)):
        console.print(f"{letter}: {_describe(policy, path)}", markup=False)
    if not comparison.differences:
        console.print("No rules differ.", markup=False)
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("rule", overflow="fold")
    table.add_column("A", overflow="fold")
    table.add_column("B", overflow="fold")
    borrowed = False
    for topic, rows in comparison.by_topic():
        table.add_section()
        table.add_row(Text(TOPIC_TITLES[topic].text(language), style="bold"), "", "")
        for row in rows:
            cells = []
            for side in (row.a, row.b):
                text = side.words.text(language) + (" *" if side.follows_default else "")
                borrowed = borrowed or side.follows_default
                cells.append(Text(text))
            table.add_row(Text(row.rule.text(language)), *cells)
    console.print(table)
    if borrowed:
        console.print("* follows Tilburg: the file's sources do not give this rule.", markup=False)
    count = len(comparison.differences)
    console.print(f"{count} rule{'' if count == 1 else 's'} differ.", markup=False)


def _describe(policy: Policy, path: Path) -> str:
    status = "a PROPOSAL, not in force" if policy.status == "proposal" else "in force"
    return f"{policy.name} ({path}, version {policy.version}, {status})"


def _diff_json(comparison: Comparison, a: Path, b: Path) -> dict[str, Any]:
    def side(policy: Policy, path: Path) -> dict[str, Any]:
        return {
            "file": str(path),
            "name": policy.name,
            "version": policy.version,
            "status": policy.status,
            "sources": list(policy.sources),
        }

    return {
        "a": side(comparison.a, a),
        "b": side(comparison.b, b),
        "differences": [
            {
                "key": d.key,
                "topic": d.topic,
                "rule_en": d.rule.en,
                "rule_nl": d.rule.nl,
                "a": {
                    "en": d.a.words.en,
                    "nl": d.a.words.nl,
                    "follows_default": d.a.follows_default,
                },
                "b": {
                    "en": d.b.words.en,
                    "nl": d.b.words.nl,
                    "follows_default": d.b.follows_default,
                },
            }
            for d in comparison.differences
        ],
    }


class _SimulationProgress:
    """A progress callback that shows a bar on standard error for large simulations."""

    step = 1000
    """Redraw after this many permits: redrawing per permit costs more than checking one."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _SimulationProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_THRESHOLD:
            return
        if self._bar is None:
            self._bar = Progress(console=err_console)
            self._bar.start()
            self._task = self._bar.add_task("Checking permits", total=total)
        if done % self.step and done != total:
            return
        assert self._task is not None
        self._bar.update(self._task, completed=done)


def _print_simulation(report: SimulationReport) -> None:

    title = f"Permits that would no longer comply with draft {report.draft_version}"
    if report.failures:
        rules = Table(
            title=Text(f"Rules failed under draft {report.draft_version}"), box=box.SIMPLE_HEAD
        )
        rules.add_column("permit type", overflow="fold")
        rules.add_column("rule")
        rules.add_column("permits", justify="right")
        for count in report.failures:
            rule = count.rule_id + ("" if count.severity == "blocking" else " (could not check)")
            rules.add_row(Text(count.permit_type), Text(rule), Text(str(count.permits)))
        console.print(rules)
    if report.non_compliant:
        shown = len(report.non_compliant)
        if shown < report.non_compliant_count:
            title += f": the first {shown} of {report.non_compliant_count} (--all lists all)"
        table = Table(title=Text(title), box=box.SIMPLE_HEAD)
        table.add_column("permit number", no_wrap=True)
        table.add_column("permit type", overflow="fold")
        table.add_column("working name", overflow="fold")
        table.add_column("failed rules: why")
        for outcome in report.non_compliant:
            number = Text(outcome.number)
            if outcome.status != "active":
                number.append(f"\n({outcome.status})")
            why = Text()
            for index, result in enumerate(outcome.failed):
                why.append(("\n" if index else "") + result.rule_id, style="bold")
                why.append(f": {result.message_en}")
            table.add_row(number, Text(outcome.permit_type), Text(outcome.working_name), why)
        console.print(table)
    elif report.non_compliant_count:
        console.print(
            f"{title}: {report.non_compliant_count} (--limit N lists some).", markup=False
        )
    else:
        console.print(f"{title}: none.", markup=False)
    if report.unchecked_count:
        numbers = ", ".join(outcome.number for outcome in report.unchecked)
        more = report.unchecked_count - len(report.unchecked)
        if more and numbers:
            numbers += f" and {more} more"
        console.print(
            f"{report.unchecked_count} permits could not be checked (no birth date on file)"
            + (f": {numbers}" if numbers else "."),
            markup=False,
        )
    caps = Table(title=Text(f"Caps in draft {report.draft_version}"), box=box.SIMPLE_HEAD)
    caps.add_column("permit type", overflow="fold")
    caps.add_column("in force", justify="right")
    caps.add_column("cap", justify="right")
    caps.add_column("result")
    for result in report.caps:
        permit_type = str(result.details.get("permit_type"))
        cap = result.details.get("cap")
        caps.add_row(
            Text(permit_type),
            Text(str(report.counts_by_type.get(permit_type, 0))),
            Text("none" if cap is None else str(cap)),
            Text("ok" if result.passed else f"FAILS: {result.message_en}"),
        )
    console.print(caps)
    home = report.home_work
    console.print(
        f"home work: {home.failing_count} of {home.registrations_checked} registrations "
        "would break the draft's home-work rules"
        + (": " + ", ".join(f"{r} {n}" for r, n in home.failures) if home.failures else "."),
        markup=False,
    )
    for registration in home.failing:
        console.print(
            f"  {registration.working_name} ({registration.status}): "
            + ", ".join(r.rule_id for r in registration.failed),
            markup=False,
        )
    console.print(f"{report.summary} (on {report.on.isoformat()}).", markup=False)


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what is due without erasing anything.")
    ] = False,
) -> None:
    """Erase applicants' personal data that the policy's retention schedule says is due
    (details and uploads; decisions, history and working names stay). Run it daily."""
    from app import retention

    with Session(get_engine()) as session:
        report = retention.run(session=session, dry_run=dry_run)
    verb = "due for erasure" if dry_run else "erased"
    console.print(
        f"{len(report.erased)} applications {verb} on {report.on.isoformat()}"
        + ("" if dry_run else f"; {report.files_deleted} stored files deleted")
        + f"; {report.nuisance_reports} nuisance reports {verb}"
        + f"; {report.signals} closed signals {verb}"
        + f"; {report.inspections} inspection visits {verb}"
        + ("" if dry_run else f"; {report.orphans_deleted} stored files without a record removed")
        + ("" if dry_run else f"; {report.sessions_purged} old session rows purged")
        + ("" if dry_run else f" ({report.photos_deleted} photos deleted)")
        + "."
    )
    for application_id in report.erased:
        console.print(f"  {application_id}")


@residents_app.command("import")
def residents_import(
    file: Annotated[Path, typer.Argument(help="CSV extract of the BRP (see the README).")],
) -> None:
    """Replace the local address register with a BRP extract: all of it, or (with every
    bad row reported as FILE:LINE: message, exit 1) nothing."""
    from app.addresses import residents
    from app.flows import residents as residents_flow

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        err_console.print(f"{file}: cannot be read as UTF-8 text ({exc.__class__.__name__}).")
        raise typer.Exit(1) from exc
    try:
        rows = residents.read(text, name=str(file))
    except AppError as exc:
        for problem in exc.details.get("problems", [exc.message]):
            typer.echo(problem, err=True)  # one line each, never wrapped: FILE:LINE: message
        err_console.print("Nothing was imported.")
        raise typer.Exit(1) from exc
    with Session(get_engine()) as session:
        imported = residents_flow.import_extract(session=session, rows=rows)
    report = imported.report
    console.print(
        f"Imported {report.people} residents: {report.moved_in} moved in, "
        f"{report.moved_out} moved out since the previous extract; "
        f"{imported.registrations_ended} home-work registrations ended (moved)."
    )


@residents_app.command("recheck")
def residents_recheck() -> None:
    """Ask the address register again for every home-work registration waiting on its
    address check (the register was unreachable when it was made)."""
    from app.addresses import register as address_register
    from app.homework import service as homework_service

    settled = waiting = 0
    with Session(get_engine()) as session:
        for registration in homework_service.pending(session=session):
            done = homework_service.recheck(
                session=session,
                registration=registration,
                address_register=address_register.configured(session),
                actor=None,
            )
            session.commit()
            if done.status.value == "pending_address_check":
                waiting += 1
            else:
                settled += 1
    console.print(f"{settled} registrations settled, {waiting} still waiting for the register.")


@mail_app.command("send-pending")
def mail_send_pending() -> None:
    """Deliver the queued messages that are due (the running server does this every
    MAIL_INTERVAL_SECONDS too). A message the mail server refuses stays pending and is
    tried again later, with backoff."""
    from app.flows import mail as mail_flow

    with Session(get_engine()) as session:
        report = mail_flow.send_pending(session)
    if report.off:
        console.print("SMTP_HOST is not set: nothing was sent; the messages wait in the outbox.")
        return
    console.print(f"{report.sent} messages sent, {report.failed} to be tried again later.")


@mail_app.command("daily")
def mail_daily() -> None:
    """Queue the day's reminders: renewal open and expiry in 30 days (once per permit),
    and the clerks' digest of applications due within 7 days. Run it daily."""
    from app.flows import mail as mail_flow

    with Session(get_engine()) as session:
        report = mail_flow.daily(session)
    console.print(
        f"Queued {report.renewal_open} renewal reminders, {report.expiring} expiry reminders "
        f"and {report.digests} digests for clerks."
    )


if __name__ == "__main__":
    app()
