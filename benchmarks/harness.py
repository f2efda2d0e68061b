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
    return _timing(label, [_time_ms(call) for _ in range(runs)], note=note)


def measure_alternated(calls: dict[str, Callable[[], object]], *, runs: int) -> list[Timing]:
    """Each call once in turn, `runs` rounds, so that drift on the shared machine (other work
    starting or stopping) hits them all alike; statistics of each in milliseconds."""
    samples: dict[str, list[float]] = {label: [] for label in calls}
    for _ in range(runs):
        for label, call in calls.items():
            samples[label].append(_time_ms(call))
    return [_timing(label, found) for label, found in samples.items()]


def _time_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - started) / 1e6


def _timing(label: str, samples: list[float], *, note: str = "") -> Timing:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    return Timing(
        label=label,
        runs=len(samples),
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


# --- servers: the simulator, the API stand-in or counting proxy, the dashboard under gunicorn ---

BENCH_USER, BENCH_PASSWORD, BENCH_API_USER = "bench-lead", "bench-pass-20261122", "BENCH"
SECRET_ENV = {
    "SECRET_KEY": "bench-only-secret-key-5d1e7c0b9a8f6e4d2c0b9a8f6e4d2c0b",
    "FIELD_ENCRYPTION_KEY": "Vy9Ozxa-kW6LAuqKyLvYd3ti1bWz-ea0Q8M9KqlXgTo=",
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(workdir: Path, database: str) -> dict[str, str]:
    """Production settings on 127.0.0.1 over plain HTTP, a database of its own in `workdir`."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(
        {
            **SECRET_ENV,
            "DJANGO_SETTINGS_MODULE": "batchui.settings",
            "DATABASE_URL": f"sqlite:///{workdir / database}",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "60",  # database connections kept, as docker-compose.yml runs the app
            "STATIC_ROOT": str(workdir / "static"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py ARGS` in `env`; its standard output."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def wait_http(url: str, process, *, seconds: float = 30) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url} within {seconds} s")


class Servers(contextlib.ExitStack):
    """Starts servers on 127.0.0.1 in a throwaway directory; stops them (by pid) at the end."""

    def __enter__(self) -> Servers:
        import tempfile

        super().__enter__()
        self.workdir = Path(
            self.enter_context(tempfile.TemporaryDirectory(prefix="batchui-bench-"))
        )
        self.pids: dict[str, int] = {}
        return self

    def start(self, name: str, args: list[str], env: dict[str, str], ready: str):
        """Run `args` (logging to WORKDIR/NAME.log) until the end; wait until `ready` answers."""
        import subprocess

        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()

        self.callback(stop)
        self.pids[name] = process.pid
        wait_http(ready, process)
        return process

    def simulator(self, *, count: int = 0, seed: int = 2026) -> tuple[str, str, dict[str, str]]:
        """`runsimulator` on its own database with `count` batches; (URL, bench key, its env)."""
        env = base_env(self.workdir, "simulator.sqlite3")
        manage(env, "migrate", "--noinput", "-v0")
        key = manage(
            env, "simulator_user", "add", BENCH_API_USER, "--name", "Bench Lead",
            "--permissions", "view,create",
        ).strip().splitlines()[-1]  # fmt: skip
        if count:
            manage(env, "seed_batches", "--count", str(count), "--seed", str(seed))
        return self.serve_simulator(env), key, env

    def serve_simulator(self, env: dict[str, str], *, workers: int = 2) -> str:
        """The simulator on the (migrated) database of `env`, under gunicorn with `workers`
        processes (benchmarks/simulator_wsgi.py); its URL."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        args = [
            sys.executable, "-m", "gunicorn", "benchmarks.simulator_wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "8",
            "--worker-class", "gthread", "--no-control-socket", "--log-level", "warning",
        ]  # fmt: skip
        self.start("simulator", args, env, ready=f"{url}/api/v3/batch")
        return url

    def api(self, *, latency_ms: int, upstream: str | None = None, port: int = 0) -> str:
        """benchmarks/api_standin.py: the stand-in, or with `upstream` the counting proxy."""
        port = port or free_port()
        args = [sys.executable, str(REPO / "benchmarks" / "api_standin.py"), f"--port={port}"]
        args += [f"--latency-ms={latency_ms}", *([f"--upstream={upstream}"] if upstream else [])]
        self.start(
            "api",
            args,
            {"PATH": os.environ.get("PATH", "")},
            ready=f"http://127.0.0.1:{port}/_calls",
        )
        return f"http://127.0.0.1:{port}"

    def dashboard(
        self, *, api_url: str, api_key: str, workers: int = 2, threads: int = 4
    ) -> Dashboard:
        """gunicorn (gunicorn.conf.py, production settings plus the floor page) calling `api_url`;
        a bench person (role lead, the given key) signed in."""
        env = {
            **base_env(self.workdir, "dashboard.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "benchmarks.dashboard_settings",
            "BATCH_API_URL": api_url,
        }
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(
            env, "dashboard_user", "add", BENCH_USER, "--role", "lead", "--password",
            BENCH_PASSWORD, "--api-key", api_key, "--energycap-user", BENCH_API_USER,
        )  # fmt: skip
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = self.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(workers),
                "GUNICORN_THREADS": str(threads),
                "GUNICORN_ACCESSLOG": "off",
            },
            ready=f"{url}/healthz",
        )
        return Dashboard(url=url, session_cookie=sign_in(url), pid=process.pid)


@dataclass
class Dashboard:
    url: str
    session_cookie: str  # `sessionid` of the bench person, signed in
    pid: int  # gunicorn's master process (its children are the workers)

    def session(self):
        import requests

        person = requests.Session()
        person.cookies.set("sessionid", self.session_cookie, domain="127.0.0.1", path="/")
        return person

    def worker_pids(self) -> list[int]:
        return children_of(self.pid)


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def sign_in(app_url: str) -> str:
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


def django_here(*, database: Path, api_url: str) -> None:
    """Set up Django in this process: the dashboard on `database`, calling `api_url`."""
    (database.parent / "static").mkdir(exist_ok=True)
    os.environ.update(
        {
            **SECRET_ENV,
            "DATABASE_URL": f"sqlite:///{database}",
            "BATCH_API_URL": api_url,
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_ROOT": str(database.parent / "static"),
        }
    )
    use_repo()
    import django

    django.setup()


def api_calls(api_url: str, *, clear: bool = True) -> list[dict]:
    """What the counting proxy recorded since it was last cleared (and clear it)."""
    import requests

    return requests.request("DELETE" if clear else "GET", f"{api_url}/_calls", timeout=30).json()


def api_replay(api_url: str) -> None:
    """From now on the counting proxy answers a GET it has answered before from memory, without
    asking the simulator (benchmarks/api_standin.py)."""
    import requests

    requests.put(f"{api_url}/_replay", timeout=30).raise_for_status()


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**MISSED**"


def dashboard_here(servers: Servers, *, latency_ms: int, seed: Callable[[], object]):
    """This process as the dashboard, on one database with the simulator, which `runsimulator`
    serves behind the counting proxy (adding `latency_ms` to every call); `seed()` fills it after
    the migrations. Returns (the proxy's URL, the bench person: role lead, a simulator key)."""
    api_url = f"http://127.0.0.1:{free_port()}"
    django_here(database=servers.workdir / "bench.sqlite3", api_url=api_url)
    from django.core.management import call_command

    from batchui.accounts.provisioning import account_upsert
    from batchui.accounts.roles import Role

    call_command("migrate", verbosity=0)
    seed()
    lead = account_upsert(
        username=BENCH_USER,
        role=Role.LEAD,
        password=BENCH_PASSWORD,
        simulator_user=BENCH_API_USER,
        full_name="Bench Lead",
    ).user
    simulator_url = servers.serve_simulator(base_env(servers.workdir, "bench.sqlite3"))
    port = int(api_url.rsplit(":", 1)[1])
    servers.api(latency_ms=latency_ms, upstream=simulator_url, port=port)
    return api_url, lead
