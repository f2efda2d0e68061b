"""Test settings: the production settings with what a test server over plain HTTP needs."""

from batchui.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file-backed test database (in a temporary directory) instead of shared-cache in-memory
# SQLite: threads and live servers then see each other's commits and wait on locks
# (busy timeout) rather than failing with "database table is locked".
# One file per test run (the pid), so that two runs on one machine never share a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(_tempfile.gettempdir()) / f"batchui-test-{_os.getpid()}.sqlite3")  # noqa: F405
    }
