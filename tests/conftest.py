"""Project-wide test hooks: the markers of tests/deploy and which database and cache a run uses."""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "deploy: starts real app servers (gunicorn subprocesses); a few seconds each"
    )


def pytest_report_header(config) -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"batchui: database {database}, cache {cache}"
