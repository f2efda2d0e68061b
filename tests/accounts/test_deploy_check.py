"""`manage.py check --deploy` with production settings (batchui.settings, not tests.settings)."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "batchui.settings",
    "DEBUG": "false",
    "SECRET_KEY": "k3Jx9-production-like-secret-with-enough-entropy-5vQ2mZ8rT1wY7uP0aL4",
    "ALLOWED_HOSTS": "batches.intranet.example",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    # Only what a process needs to start: nothing of this test run (DJANGO_ALLOW_ASYNC_UNSAFE...).
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env.update(PRODUCTION, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_the_encryption_key_is_unset():
    result = check_deploy(FIELD_ENCRYPTION_KEY="")
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr
