"""Throwaway PostgreSQL and Redis servers on 127.0.0.1 for the tests, stopped however the run ends.

    python tests/services.py -- pytest -q tests/simulator     # runs the command with
                                                               # DATABASE_URL and CACHE_URL set

Both servers live in a temporary directory (fsync off, nothing saved) on free ports; the command's
exit status is returned. `initdb` refuses to run as root, so as root the cluster is made and run by
the `postgres` system user (`runuser -u postgres --`). Stopping happens in a `finally` and on
SIGTERM/SIGINT/SIGHUP, so a failing or interrupted test run never leaves a server behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14", "13")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = next((d for d in PG_BIN_DIRS if (d / "initdb").exists()), None)
    if found is None and shutil.which("initdb"):
        found = Path(shutil.which("initdb") or "").resolve().parent
    return found


def missing() -> list[str]:
    """What is missing to start the servers ([] when both can start)."""
    gaps = []
    if pg_bin() is None:
        gaps.append("PostgreSQL server (initdb, pg_ctl)")
    if shutil.which("redis-server") is None:
        gaps.append("redis-server")
    return gaps


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _wait_port(port: int, *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def postgres(workdir: Path) -> Iterator[str]:
    """A PostgreSQL cluster in workdir/pg; yields its URL (database `batchui`, user postgres)."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    data = workdir / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres")
        shutil.chown(data, user="postgres")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        ),
        **quiet,
    )
    port = free_port()
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    options += " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        _as_postgres([*pg_ctl, "-w", "-l", str(data / "server.log"), "-o", options, "start"]),
        **quiet,
    )
    try:
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "batchui",
                ]
            ),
            **quiet,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/batchui"
    finally:
        subprocess.run(
            _as_postgres([*pg_ctl, "-w", "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


@contextlib.contextmanager
def redis(workdir: Path) -> Iterator[str]:
    """A redis-server on a free port, saving nothing; yields its URL."""
    port = free_port()
    pidfile = workdir / "redis.pid"
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(workdir / "redis.log"),
        ],
        check=True,
    )
    try:
        _wait_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        deadline = time.monotonic() + 5
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """Both servers; yields the environment variables that point the project at them."""
    workdir = Path(tempfile.mkdtemp(prefix="batchui-services-"))
    try:
        with postgres(workdir) as database_url, redis(workdir) as cache_url:
            yield {"DATABASE_URL": database_url, "CACHE_URL": cache_url}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _raise_exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    gaps = missing()
    if gaps:
        print(f"cannot start the test servers: missing {', '.join(gaps)}", file=sys.stderr)
        return 2
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_exit)
    with services() as urls:
        print(f"PostgreSQL: {urls['DATABASE_URL']}  Redis: {urls['CACHE_URL']}", flush=True)
        try:
            return subprocess.run(command, env={**os.environ, **urls}, check=False).returncode
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
