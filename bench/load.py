"""Load benchmark: the service's busiest endpoints under wrk, each against an anchor app.

For each database (SQLite, PostgreSQL) it

1. seeds a database of --permits permits and --queue queued applications through the
   project's models (`bench/seed.py`; cached under bench/.cache and reused until --reseed),
2. starts the service and the anchor app (`bench/anchors.py`) as uvicorn subprocesses with
   the same flags, one worker each, on free ports,
3. drives each endpoint and its anchor with wrk at fixed settings (--connections,
   --threads, --duration), in --rounds rounds, alternating which of the pair goes first,
4. times a permit PDF's first download (render) against downloading it again, and
   `swl policy simulate` over the seeded permits (wall time, peak RSS),
5. prints a table: requests/s (2xx answers only), p50/p95/p99, non-2xx answers, the
   service's CPU time per request, the anchor's requests/s, the median of the per-round
   ratios, the target and whether it is met, the service worker's peak RSS (VmHWM, reset
   before every run) and the 1-minute load average. After each run the worker is given
   --settle seconds to work off requests wrk gave up on, and is restarted if it cannot.

It measures; it does not judge: the exit status is 0 whatever the figures are.

Run: .venv/bin/python bench/load.py [--db sqlite|postgresql|both] [--quick] [--help]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
PYTHON = sys.executable
SWL = str(Path(PYTHON).with_name("swl"))
LUA = BENCH / "requests.lua"

# The same uvicorn flags for the service and the anchors: one worker, no access log.
UVICORN_FLAGS = [
    "--factory",
    "--host",
    "127.0.0.1",
    "--workers",
    "1",
    "--log-level",
    "warning",
    "--no-access-log",
    "--proxy-headers",
    "--forwarded-allow-ips",
    "127.0.0.1",
]

DRAFT_BODY = {
    "permit_type": "sex_worker",
    "working_name": "Roos",
    "legal_name": "Johanna de Vries",
    "birth_date": "1990-04-12",
    "email": "roos@mail.example.org",
}
ANCHOR_BODY = json.dumps(DRAFT_BODY, separators=(",", ":"))
QUEUE_FILTERS = ["", "status=submitted", "status=in_review", "permit_type=sex_worker"]


# ---- results ------------------------------------------------------------------------------


@dataclass
class Run:
    """One wrk run against one server. `rps` counts 2xx answers only (an endpoint that
    fails fast must not look fast); `all_rps` counts every answer. The latency percentiles
    are wrk's, over every answer."""

    rps: float
    all_rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    non2xx: int
    socket_errors: int
    exhausted: int
    first_error: str
    cpu_ms_per_request: float | None = None
    peak_rss_mb: float | None = None
    load1: float = 0.0
    settled: bool = True  # False: the worker was still busy afterwards and was restarted

    @classmethod
    def from_wrk(cls, data: dict[str, Any]) -> Run:
        latency = data["latency_us"]
        seconds = max(data["duration_us"] / 1e6, 1e-9)
        return cls(
            rps=(data["requests"] - data["non2xx"]) / seconds,
            all_rps=data["requests"] / seconds,
            p50=latency["p50"] / 1000,
            p95=latency["p95"] / 1000,
            p99=latency["p99"] / 1000,
            requests=data["requests"],
            non2xx=data["non2xx"],
            socket_errors=sum(data["socket_errors"].values()),
            exhausted=data["exhausted"],
            first_error=data["first_error"],
        )


@dataclass
class Target:
    text: str
    met: Callable[[float, float], bool]  # (ratio, service p95 in ms) -> met?


@dataclass
class Case:
    """An endpoint of the service and the anchor it is compared with."""

    name: str
    anchor: str  # "bare", "echo" or "insert"
    target: Target
    lines: Callable[[int], list[str]]  # how many requests are needed -> request lines
    once: bool = False  # each line may be used once (submitting a draft)
    service_runs: list[Run] = field(default_factory=list)
    anchor_runs: list[Run] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    max_rate: float = 0.0  # the fastest service run so far, every answer counted


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ---- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A uvicorn subprocess: started, waited for, measured (/proc), stopped."""

    def __init__(self, name: str, factory: str, env: dict[str, str], ready_path: str) -> None:
        self.name = name
        self.factory = factory
        self.env = env
        self.ready_path = ready_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.restarts = 0
        self.start()

    def start(self) -> None:
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the child
            prefix=f"bench-{self.name}-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", self.factory, *UVICORN_FLAGS, "--port", str(self.port)],
            cwd=ROOT,
            env={**self.env, "PUBLIC_BASE_URL": self.url},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited on start; see {self.log.name}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready in 60 s; see {self.log.name}")

    def settle(self, limit: float) -> bool:
        """Wait until the worker is idle (it may still be working off requests wrk gave up
        on); restart it when it is still busy after `limit` seconds, so the next run does
        not pay for this one. Returns whether it settled by itself."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - before < 0.05:
                return True
        self.stop()
        self.restarts += 1
        self.start()
        return False

    def _status(self, key: str) -> float | None:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024  # kB -> MB
        return None

    def reset_peak_rss(self) -> None:
        """Reset VmHWM to the current RSS (Linux: "5" to clear_refs), so the next reading
        is the peak of the next run only. Harmless when not allowed: the reading is then
        the peak since start."""
        with suppress(OSError):
            Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def peak_rss_mb(self) -> float | None:
        return self._status("VmHWM")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def servers(*specs: tuple[str, str, dict[str, str], str]) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for spec in specs:
            started.append(Server(*spec))
        yield started
    finally:
        for server in started:
            server.stop()


# ---- wrk ------------------------------------------------------------------------------------


def line(method: str, path: str, auth: str = "", cookie: str = "", body: str = "") -> str:
    return "\t".join((method, path, auth, cookie, body))


class Wrk:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.count = 0

    def run(self, server: Server, lines: list[str], *, once: bool, seconds: float) -> Run:
        self.count += 1
        requests = self.workdir / f"requests-{self.count}.tsv"
        result = self.workdir / f"result-{self.count}.json"
        requests.write_text("\n".join(lines) + "\n")
        env = {
            **os.environ,
            "BENCH_REQUESTS": str(requests),
            "BENCH_RESULT": str(result),
            "BENCH_THREADS": str(self.args.threads),
            "BENCH_ONCE": "1" if once else "0",
        }
        server.reset_peak_rss()
        cpu_before = server.cpu_seconds()
        subprocess.run(
            [
                "wrk",
                "-t",
                str(self.args.threads),
                "-c",
                str(self.args.connections),
                "-d",
                f"{seconds:g}s",
                "--timeout",
                f"{self.args.timeout:g}s",
                "-s",
                str(LUA),
                server.url,
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        run = Run.from_wrk(json.loads(result.read_text()))
        run.cpu_ms_per_request = (
            (server.cpu_seconds() - cpu_before) * 1000 / run.requests if run.requests else None
        )
        run.peak_rss_mb = server.peak_rss_mb()
        run.load1 = os.getloadavg()[0]
        run.settled = server.settle(self.args.settle)
        return run


# ---- one database ---------------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str
    anchor_url: str
    data_dir: Path
    marker: Path


def admin_execute(pg_url: str, statements: list[str]) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def postgres_reachable(pg_url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(pg_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def pg_database_exists(pg_url: str, name: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
    engine.dispose()
    return found is not None


def database_for(kind: str, args: argparse.Namespace) -> Database:
    key = f"p{args.permits}-q{args.queue}"
    data_dir = CACHE / f"{kind}-{key}"
    if kind == "sqlite":
        return Database(
            kind,
            f"sqlite:///{data_dir / 'app.db'}",
            f"sqlite:///{data_dir / 'anchor.db'}",
            data_dir,
            data_dir / "seed.json",
        )
    from sqlalchemy.engine import make_url

    base = make_url(args.pg_url)
    name = f"bench_{args.permits}_{args.queue}"
    return Database(
        kind,
        base.set(database=name).render_as_string(hide_password=False),
        base.set(database="bench_anchor").render_as_string(hide_password=False),
        data_dir,
        data_dir / "seed.json",
    )


def service_env(db: Database, key: str) -> dict[str, str]:
    """The service's settings for the bench: production mode, throttles far above the load
    (they limit per client address, and all load comes from one address)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    env.update(
        APP_ENV="production",
        DATABASE_URL=db.url,
        DATA_DIR=str(db.data_dir),
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        FIELD_ENCRYPTION_KEY=key,
        PUBLIC_BASE_URL="http://127.0.0.1",
        SESSION_COOKIE_SECURE="false",  # the bench speaks plain HTTP on loopback
        DEMO_DATA="false",
        LOG_LEVEL="warning",
        VERIFY_REQUESTS_PER_MINUTE=str(10**9),
        LOGIN_ATTEMPTS_PER_MINUTE=str(10**6),
        REGISTRATIONS_PER_HOUR=str(10**6),
        ACCESS_TOKEN_EXPIRE_MINUTES="720",
    )
    return env


def seed_script(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = Path(tempfile.mkstemp(prefix="bench-seed-", suffix=".json")[1])
    subprocess.run([PYTHON, str(BENCH / "seed.py"), *args, "--out", str(out)], env=env, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


def ensure_seed(db: Database, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Seed (or reuse the cached seed). Returns the encryption key and the seed's record."""
    from cryptography.fernet import Fernet

    sys.path.insert(0, str(ROOT))
    from bench.seed import SEED_VERSION

    wanted = {"permits": args.permits, "queue": args.queue, "seed_version": SEED_VERSION}
    marker = json.loads(db.marker.read_text()) if db.marker.exists() else None
    fresh = (
        args.reseed
        or marker is None
        or {k: marker.get(k) for k in wanted} != wanted
        or marker.get("url") != db.url
        or (db.kind == "sqlite" and not (db.data_dir / "app.db").exists())
        or (db.kind == "postgresql" and not pg_database_exists(args.pg_url, db.url.rsplit("/")[-1]))
    )
    if not fresh and marker is not None:
        print(f"  reusing the seed in {db.data_dir} (made in {marker['seconds']} s; --reseed)")
        return str(marker["key"]), marker
    shutil.rmtree(db.data_dir, ignore_errors=True)
    db.data_dir.mkdir(parents=True)
    if db.kind == "postgresql":
        name = db.url.rsplit("/")[-1]
        admin_execute(
            args.pg_url,
            [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'],
        )
    key = Fernet.generate_key().decode()
    print(f"  seeding {args.permits} permits and {args.queue} queued applications ...")
    made = seed_script(
        service_env(db, key), "seed", "--permits", str(args.permits), "--queue", str(args.queue)
    )
    record = {**wanted, "url": db.url, "key": key, **made}
    db.marker.write_text(json.dumps(record, indent=1))
    rows = sum(made["rows"].values())
    print(f"  seeded {rows} rows in {made['seconds']} s")
    return key, record


def ensure_anchor_database(db: Database, args: argparse.Namespace) -> None:
    if db.kind == "postgresql" and not pg_database_exists(args.pg_url, "bench_anchor"):
        admin_execute(args.pg_url, ['CREATE DATABASE "bench_anchor"'])


def login(client: httpx.Client, email: str, password: str) -> str:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    response.raise_for_status()
    return f"Bearer {response.json()['access_token']}"


def page_session(client: httpx.Client, email: str, password: str) -> str:
    """Log in through the HTML form (CSRF token from the page); the session cookie."""
    page = client.get("/login")
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    csrf = page.text[start : page.text.index('"', start)]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf, "next": "/home"},
    )
    if response.status_code != 303:
        raise RuntimeError(f"page login failed: {response.status_code}")
    return f"swl_session={client.cookies['swl_session']}"


def bench_database(db: Database, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    print(f"\n== {db.kind}: {db.url}")
    key, seeded = ensure_seed(db, args)
    ensure_anchor_database(db, args)
    env = service_env(db, key)
    drafts_needed = int(args.submit_rate_guess * (args.duration * args.rounds + args.warmup))
    prepared = seed_script(
        env, "prepare", "--drafts", str(drafts_needed), "--pdf-permits", str(args.pdf_permits + 1)
    )
    print(f"  prepared {len(prepared['drafts'])} complete drafts in {prepared['seconds']} s")
    password = prepared["password"]
    anchor_env = {**env, "ANCHOR_DATABASE_URL": db.anchor_url}
    with servers(
        ("service", "app.main:create_app", env, "/readyz"),
        ("anchors", "bench.anchors:create_app", anchor_env, "/bare"),
    ) as (service, anchors):
        client = httpx.Client(base_url=service.url, timeout=120)
        clerk = login(client, prepared["clerks"][0], password)
        cookie = page_session(
            httpx.Client(base_url=service.url, timeout=60), prepared["clerks"][1], password
        )
        submitters = {e: login(client, e, password) for e in prepared["submitters"]}
        creators = [login(client, e, password) for e in prepared["creators"]]
        pool: list[dict[str, str]] = list(prepared["drafts"])
        draft_body = json.dumps(DRAFT_BODY, separators=(",", ":"))
        numbers = list(prepared["permit_numbers"])
        unknown = _unknown_numbers(len(numbers) // 10)

        def submit_lines(need: int) -> list[str]:
            nonlocal pool
            if len(pool) < need:
                more = need * 2 - len(pool)
                pool += seed_script(env, "drafts", "--count", str(more))["drafts"]
            taken, pool = pool[:need], pool[need:]
            return [
                line("POST", f"/api/v1/applications/{d['id']}/submit", submitters[d["email"]])
                for d in taken
            ]

        cases = [
            Case(
                "submit an application",
                "insert",
                Target(">= 0.5", lambda r, p95: r >= 0.5),
                submit_lines,
                once=True,
            ),
            Case(
                "create a draft",
                "insert",
                Target(">= 0.8", lambda r, p95: r >= 0.8),
                lambda n: [
                    line("POST", "/api/v1/applications", t, "", draft_body) for t in creators
                ],
            ),
            Case(
                "clerk queue, API, 50 rows",
                "echo",
                Target(">= 0.5, p95 < 50 ms", lambda r, p95: r >= 0.5 and p95 < 50),
                lambda n: [
                    line("GET", "/api/v1/applications?limit=50" + (f"&{f}" if f else ""), clerk)
                    for f in QUEUE_FILTERS
                ],
            ),
            Case(
                "clerk queue, page /queue",
                "echo",
                Target(">= 0.5, p95 < 50 ms", lambda r, p95: r >= 0.5 and p95 < 50),
                lambda n: [
                    line("GET", "/queue" + (f"?{f}" if f else ""), "", cookie)
                    for f in QUEUE_FILTERS
                ],
            ),
            Case(
                "public permit check",
                "bare",
                Target(">= 0.6", lambda r, p95: r >= 0.6),
                lambda n: [line("GET", f"/api/v1/public/permits/{x}") for x in numbers + unknown],
            ),
        ]
        anchor_lines = {
            "bare": [line("GET", "/bare")],
            "echo": [line("POST", "/echo", "", "", ANCHOR_BODY)],
            "insert": [line("POST", "/insert", "", "", ANCHOR_BODY)],
        }
        wrk = Wrk(args, workdir)
        submit_rate = args.submit_rate_guess

        def needed(case: Case, seconds: float) -> int:
            """Request lines for a run: twice what the fastest run so far (warm-up included)
            would use, every answer counted, as each request uses a line (a draft)."""
            rate = max(case.max_rate, submit_rate)
            return int(rate * (seconds + 1) * 2) + args.connections

        def run_service(case: Case, seconds: float) -> Run:
            lines = case.lines(needed(case, seconds))
            run = wrk.run(service, lines, once=case.once, seconds=seconds)
            case.max_rate = max(case.max_rate, run.all_rps)
            return run

        if args.warmup > 0:
            print(f"  warming up ({args.warmup:g} s per server and endpoint)")
            for case in cases:
                run_service(case, args.warmup)
                wrk.run(anchors, anchor_lines[case.anchor], once=False, seconds=args.warmup)
        for round_index in range(args.rounds):
            print(f"  round {round_index + 1} of {args.rounds}")
            for case in cases:
                pair: list[tuple[Server, bool]] = [(service, True), (anchors, False)]
                if round_index % 2:
                    pair.reverse()
                runs: dict[bool, Run] = {}
                for server, is_service in pair:
                    runs[is_service] = (
                        run_service(case, args.duration)
                        if is_service
                        else wrk.run(
                            server, anchor_lines[case.anchor], once=False, seconds=args.duration
                        )
                    )
                case.service_runs.append(runs[True])
                case.anchor_runs.append(runs[False])
                case.ratios.append(runs[True].rps / runs[False].rps if runs[False].rps else 0.0)
                print(
                    f"    {case.name:<28} {runs[True].rps:8.1f} req/s "
                    f"(anchor {case.anchor} {runs[False].rps:8.1f}) non-2xx {runs[True].non2xx}"
                )
        pdf = pdf_downloads(client, prepared["pdf_permits"], password, args)
        service_peak = max((r.peak_rss_mb or 0) for c in cases for r in c.service_runs)
    simulation = simulate(env, args)
    return {
        "kind": db.kind,
        "url": db.url,
        "seed": seeded,
        "cases": cases,
        "pdf": pdf,
        "simulation": simulation,
        "service_peak_rss_mb": service_peak,
    }


def _unknown_numbers(count: int) -> list[str]:
    """Well-formed permit numbers (valid check symbols) that no permit has: a look-up that
    finds nothing, as a mistaken or fake number does."""
    sys.path.insert(0, str(ROOT))
    from app.permits import numbers

    return [numbers.generate() for _ in range(count)]


def pdf_downloads(
    client: httpx.Client, permits: list[dict[str, str]], password: str, args: argparse.Namespace
) -> dict[str, Any]:
    """A permit's first download (rendered, stored) against the same download again (the
    stored bytes), as its holder, one request at a time. The first permit warms up fonts."""
    first: list[float] = []
    again: list[float] = []
    for index, permit in enumerate(permits):
        headers = {"Authorization": login(client, permit["email"], password)}
        path = f"/api/v1/permits/{permit['number']}/pdf"
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        first_s = time.perf_counter() - start
        response.raise_for_status()
        repeats = []
        for _ in range(3):
            start = time.perf_counter()
            client.get(path, headers=headers).raise_for_status()
            repeats.append(time.perf_counter() - start)
        if index:  # the first one is the warm-up
            first.append(first_s * 1000)
            again.append(statistics.median(repeats) * 1000)
    return {
        "first_ms": median(first),
        "again_ms": median(again),
        "ratio": median(first) / median(again) if again else float("nan"),
        "permits": len(first),
    }


def simulate(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """`swl policy simulate DRAFT` over the seeded permits, as a subprocess: wall time and the
    child's own peak RSS (from wait4), median over the rounds."""
    walls, peaks, codes = [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        process = subprocess.Popen(
            [SWL, "policy", "simulate", str(args.policy_draft)],
            env={**env, "COLUMNS": "120"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)  # kB -> MB on Linux
        codes.append(process.returncode)
    return {"wall_s": median(walls), "peak_rss_mb": median(peaks), "exit_codes": codes}


# ---- report -------------------------------------------------------------------------------


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    out = []
    header = (
        f"{'endpoint':<28} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'non2xx':>9} "
        f"{'cpu ms':>8} {'anchor':>7} {'anch r/s':>9} {'ratio':>6}  {'target':<19} "
        f"{'met':<4} {'RSS MB':>7} {'load1':>6}"
    )
    seed = result["seed"]
    out.append(
        f"\n{result['kind']} — {seed['permits']} permits, {seed['queue']} queued; wrk "
        f"{args.connections} connections, {args.threads} threads, {args.duration:g} s x "
        f"{args.rounds} rounds (medians; req/s counts 2xx answers; latencies in ms, all answers; "
        "non2xx: non-2xx answers and socket errors / requests, summed over the rounds)"
    )
    out.append(header)
    out.append("-" * len(header))
    for case in result["cases"]:
        runs = case.service_runs
        p95 = median([r.p95 for r in runs])
        ratio = median(case.ratios)
        met = case.target.met(ratio, p95)
        total = sum(r.requests for r in runs)
        bad = sum(r.non2xx + r.socket_errors for r in runs)
        cpu = median([r.cpu_ms_per_request for r in runs if r.cpu_ms_per_request is not None])
        out.append(
            f"{case.name:<28} {median([r.rps for r in runs]):8.1f} "
            f"{median([r.p50 for r in runs]):7.1f} {p95:7.1f} {median([r.p99 for r in runs]):7.1f} "
            f"{f'{bad}/{total}':>9} {cpu:8.2f} {case.anchor:>7} "
            f"{median([r.rps for r in case.anchor_runs]):9.1f} {ratio:6.2f}  "
            f"{case.target.text:<19} {'yes' if met else 'NO':<4} "
            f"{max(r.peak_rss_mb or 0 for r in runs):7.0f} {median([r.load1 for r in runs]):6.2f}"
        )
    for case in result["cases"]:
        errors = [r.first_error for r in case.service_runs if r.first_error]
        exhausted = sum(r.exhausted for r in case.service_runs)
        if errors:
            out.append(f"  {case.name}: first non-2xx answer: {errors[0][:160]}")
        restarted = sum(not r.settled for r in case.service_runs)
        if restarted:
            out.append(
                f"  {case.name}: the worker was still busy {args.settle:g} s after "
                f"{restarted} run(s) and was restarted"
            )
        if exhausted:
            out.append(
                f"  {case.name}: {exhausted} requests found no fresh draft "
                "(raise --submit-rate-guess)"
            )
    pdf = result["pdf"]
    out.append(
        f"{'permit PDF again vs first':<28} first (render) {pdf['first_ms']:.1f} ms, again "
        f"(stored) {pdf['again_ms']:.2f} ms: {pdf['ratio']:.1f}x faster "
        f"(target >= 20x: {'yes' if pdf['ratio'] >= 20 else 'NO'}; {pdf['permits']} permits)"
    )
    sim = result["simulation"]
    out.append(
        f"{'swl policy simulate':<28} {sim['wall_s']:.2f} s wall (target < 10 s: "
        f"{'yes' if sim['wall_s'] < 10 else 'NO'}), peak RSS {sim['peak_rss_mb']:.0f} MB "
        f"(target < 250 MB: {'yes' if sim['peak_rss_mb'] < 250 else 'NO'}); "
        f"draft {args.policy_draft.name}, exit codes {sim['exit_codes']}"
    )
    peak = result["service_peak_rss_mb"]
    out.append(
        f"{'service worker peak RSS':<28} {peak:.0f} MB under load (target < 250 MB: "
        f"{'yes' if peak < 250 else 'NO'}); load average now "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} CPUs"
    )
    return "\n".join(out)


def as_json(result: dict[str, Any]) -> dict[str, Any]:
    def runs(items: list[Run]) -> list[dict[str, Any]]:
        return [vars(r) for r in items]

    return {
        **{k: v for k, v in result.items() if k != "cases"},
        "cases": [
            {
                "name": c.name,
                "anchor": c.anchor,
                "target": c.target.text,
                "ratios": c.ratios,
                "service": runs(c.service_runs),
                "anchor_runs": runs(c.anchor_runs),
            }
            for c in result["cases"]
        ],
    }


# ---- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--permits", type=int, default=100_000)
    parser.add_argument("--queue", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per pair")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=10, help="wrk's request timeout, s")
    parser.add_argument(
        "--settle",
        type=float,
        default=30,
        help="seconds to wait after a run for the worker to go idle before restarting it",
    )
    parser.add_argument("--pdf-permits", type=int, default=5, help="permits downloaded twice")
    parser.add_argument(
        "--submit-rate-guess",
        type=float,
        default=300,
        help="submits/s to prepare complete drafts for (topped up when runs go faster)",
    )
    parser.add_argument(
        "--policy-draft",
        type=Path,
        default=ROOT / "policies" / "strict-example.toml",
        help="the draft policy `swl policy simulate` checks the permits against",
    )
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to make the bench databases on (bench_N_M, bench_anchor)",
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the cached seed")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 2000 permits, 500 queued, 3 s runs, 1 round (flags given win)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        quick = {"--permits": 2000, "--queue": 500, "--duration": 3, "--warmup": 1, "--rounds": 1,
                 "--pdf-permits": 2}  # fmt: skip
        for flag, value in quick.items():
            if not any(g == flag or g.startswith(flag + "=") for g in given):
                setattr(args, flag[2:].replace("-", "_"), value)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"uvicorn flags (service and anchors): {' '.join(UVICORN_FLAGS)}")
    reports, results = [], []
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as workdir:
        for kind in kinds:
            if kind == "postgresql" and not postgres_reachable(args.pg_url):
                reports.append(f"\npostgresql — skipped: no server answers at {args.pg_url}")
                print(reports[-1])
                continue
            result = bench_database(database_for(kind, args), args, Path(workdir))
            results.append(as_json(result))
            reports.append(report(result, args))
            print(reports[-1])
    saved = CACHE / f"results-{datetime.now():%Y%m%d-%H%M%S}.json"
    saved.write_text(json.dumps({"args": vars(args), "results": results}, indent=1, default=str))
    print("\n".join(["", "== summary", *reports, f"\nraw figures: {saved}"]))


if __name__ == "__main__":
    main()
