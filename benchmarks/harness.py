"""What every benchmark shares: timing statistics, the machine's description, result files.

A benchmark script measures, prints its table, and (with `--json PATH`, as `run_all.py` runs it)
writes a `Result` that `run_all.py` turns into its section of docs/performance.md.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def use_repo() -> None:
    """Make `batchui` importable when a script is run as `python benchmarks/bench_x.py`."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "batchui.settings")


@dataclass
class Timing:
    label: str
    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    note: str = ""


@dataclass
class Result:
    name: str  # the section name in docs/performance.md: <!-- bench:NAME -->
    title: str
    machine: dict[str, str]
    markdown: str  # the section's body
    summary: str  # one line for run_all's table
    ok: bool = True  # False when a budget is missed
    timings: list[Timing] = field(default_factory=list)

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False))


def measure(
    label: str, call: Callable[[], object], *, runs: int, warmup: int, note: str = ""
) -> Timing:
    """Call `call` warmup + runs times; statistics of the timed runs in milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return Timing(
        label=label,
        runs=runs,
        median_ms=round(statistics.median(samples), 2),
        p95_ms=round(p95, 2),
        min_ms=round(samples[0], 2),
        note=note,
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine_info() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    try:
        import django

        django_version = django.get_version()
    except ImportError:
        django_version = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB" if mem_kb else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django_version,
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(machine: dict[str, str]) -> str:
    return (
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['ram']} RAM, {machine['os']}; Python {machine['python']}, "
        f"Django {machine['django']}, SQLite {machine['sqlite']}."
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (also readable as plain text)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


# --- a served stack: gunicorn + the simulator in its own process -------------------------------

STACK_ENV = "BENCH_STACK"  # run_all.py shares one stack with every benchmark through this
BENCH_USER, BENCH_PASSWORD, BENCH_API_USER = "bench-lead", "bench-pass-20261122", "BENCH"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Stack:
    """A dashboard (gunicorn, production settings, BENCH_BARE_VIEW=1) on 127.0.0.1 talking over
    HTTP to the simulator (`runsimulator`, its own process and database)."""

    app_url: str
    simulator_url: str
    api_key: str  # the bench person's simulator key (also for bare API calls)
    session_cookie: str  # `sessionid` of the bench person, signed in (role lead)
    simulator_env: dict[str, str]  # environment for manage.py on the simulator's database
    app_pid: int = 0  # gunicorn's master process (its children are the workers)

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes (children of the master)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.app_pid:
                found.append(int(entry.name))
        return found

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> Stack | None:
        given = os.environ.get(STACK_ENV)
        return cls(**json.loads(given)) if given else None

    def manage(self, *args: str) -> str:
        """`manage.py ARGS` on the simulator's database; its standard output."""
        import subprocess

        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.simulator_env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def batch_count(self) -> int:
        import requests

        answer = requests.get(
            f"{self.simulator_url}/api/v3/batch",
            params={"pageSize": 1},
            headers={"ECI-ApiKey": self.api_key},
            timeout=30,
        )
        answer.raise_for_status()
        return int(answer.headers["TotalNumberOfRecords"])

    def grow_to(self, total: int, *, seed: int = 2026) -> float:
        """Seed batches until the simulator holds `total`; returns the seconds it took."""
        missing = total - self.batch_count()
        started = time.perf_counter()
        if missing > 0:
            self.manage("seed_batches", "--count", str(missing), "--seed", str(seed + total))
        return time.perf_counter() - started

    def session(self):
        import requests

        person = requests.Session()
        person.cookies.set("sessionid", self.session_cookie, domain="127.0.0.1", path="/")
        return person


def _base_env(workdir: Path) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "batchui.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-5d1e7c0b9a8f6e4d2c0b9a8f6e4d2c0b",
            "FIELD_ENCRYPTION_KEY": "Vy9Ozxa-kW6LAuqKyLvYd3ti1bWz-ea0Q8M9KqlXgTo=",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            # Database connections kept between requests, as docker-compose.yml runs the app.
            "CONN_MAX_AGE": "60",
            # Every /review/ is computed, not read from the cache: its cost is what is measured.
            "REVIEW_CACHE_SECONDS": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    return env


def _wait_http(url: str, process, *, seconds: float = 30) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url} within {seconds} s")


def _sign_in(app_url: str) -> str:
    import re

    import requests

    person = requests.Session()
    page = person.get(f"{app_url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    done = person.post(
        f"{app_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token[1], "username": BENCH_USER, "password": BENCH_PASSWORD},
        timeout=30,
    )
    if "/accounts/login/" in done.url:
        raise RuntimeError("the bench person could not sign in")
    return person.cookies["sessionid"]


@contextlib.contextmanager
def app_stack(
    *,
    workers: int = 2,
    threads: int = 4,
    env: dict[str, str] | None = None,
    simulator_latency_ms: int = 0,
    simulator_workers: int = 1,
):
    """Start (or, under run_all.py, reuse) the served stack; stops what it started.

    A stack whose simulator adds latency or runs several processes is always the caller's own
    (the shared one answers at once from one process).
    """
    shared = Stack.from_env()
    if shared is not None and not simulator_latency_ms and simulator_workers == 1:
        yield shared
        return
    import subprocess
    import tempfile

    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="batchui-bench-") as tmp:
        workdir = Path(tmp)
        base = _base_env(workdir)
        sim_env = {**base, "DATABASE_URL": f"sqlite:///{workdir / 'simulator.sqlite3'}"}
        app_env = {**base, "DATABASE_URL": f"sqlite:///{workdir / 'dashboard.sqlite3'}"}

        def manage(environment: dict[str, str], *args: str) -> str:
            return subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=REPO,
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout

        try:
            manage(sim_env, "migrate", "--noinput", "-v0")
            key = (
                manage(
                    sim_env,
                    "simulator_user",
                    "add",
                    BENCH_API_USER,
                    "--name",
                    "Bench Lead",
                    "--permissions",
                    "view,create",
                )
                .strip()
                .splitlines()[-1]
            )
            sim_port = free_port()
            simulator_url = f"http://127.0.0.1:{sim_port}"
            log = (workdir / "simulator.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "runsimulator",
                        f"127.0.0.1:{sim_port}",
                        f"--workers={simulator_workers}",
                    ],
                    cwd=REPO,
                    env={**sim_env, "SIMULATOR_LATENCY_MS": str(simulator_latency_ms)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            _wait_http(simulator_url + "/api/v3/batch", processes[-1])

            app_env.update({"BATCH_API_URL": simulator_url, "BENCH_BARE_VIEW": "1"})
            manage(app_env, "migrate", "--noinput", "-v0")
            manage(app_env, "collectstatic", "--noinput", "-v0")
            manage(
                app_env,
                "dashboard_user",
                "add",
                BENCH_USER,
                "--role",
                "lead",
                "--password",
                BENCH_PASSWORD,
                "--api-key",
                key,
                "--energycap-user",
                BENCH_API_USER,
            )
            app_port = free_port()
            app_url = f"http://127.0.0.1:{app_port}"
            server_env = {
                **app_env,
                "GUNICORN_BIND": f"127.0.0.1:{app_port}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_THREADS": str(threads),
                "GUNICORN_ACCESSLOG": "off",
                **(env or {}),
            }
            log = (workdir / "gunicorn.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                    cwd=REPO,
                    env=server_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            _wait_http(app_url + "/healthz", processes[-1])
            yield Stack(
                app_url=app_url,
                simulator_url=simulator_url,
                api_key=key,
                session_cookie=_sign_in(app_url),
                simulator_env=sim_env,
                app_pid=processes[-1].pid,
            )
        finally:
            for process in reversed(processes):
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
