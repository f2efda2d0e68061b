"""Two app instances behind no sticky load balancer: one person's session moves between them.

Both are gunicorn processes with production settings on the same PostgreSQL database and the same
Redis cache (sessions, form tokens, cached figures); nothing is shared in process memory. Runs
when the tests themselves run on PostgreSQL and Redis (`make test` starts both; by hand:
`python tests/services.py -- .venv/bin/pytest tests/deploy`).
"""

from __future__ import annotations

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from batchui.accounts.roles import Role
from tests.deploy.conftest import shared_services
from tests.deploy.forms import form_fields
from tests.helpers import PASSWORD, make_person

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]

PLAIN_HTTP = {  # the test speaks plain HTTP to the servers; a TLS proxy is not the point here
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
}


@pytest.fixture
def two_instances(app_server, settings):
    if not shared_services():
        pytest.skip(
            "needs the suite on PostgreSQL and Redis (DATABASE_URL=postgres://..., "
            "CACHE_URL=redis://...): `make test` provides both"
        )
    # Hash the password as the servers' settings do (the test settings use a fast MD5 hasher).
    settings.PASSWORD_HASHERS = [
        "tests.deploy.test_two_instances.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    return app_server(**PLAIN_HTTP), app_server(**PLAIN_HTTP)


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The production algorithm with fewer rounds: the servers verify it as any old hash."""

    iterations = 1000


def sign_in(session: requests.Session, base: str, username: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200
    _, fields, _ = form_fields(page.text, action_contains="/accounts/login/")
    fields.update(username=username, password=PASSWORD)
    done = session.post(
        f"{base}/accounts/login/", data=fields, headers={"Referer": page.url}, timeout=10
    )
    assert done.status_code == 200, done.text[:500]
    assert "/accounts/login/" not in done.url, f"sign-in failed: {done.text[:500]}"


def test_a_session_started_on_one_instance_is_valid_on_the_other(two_instances):
    a, b = two_instances
    make_person("shared-clerk", Role.CLERK, code="TSHARE")
    person = requests.Session()
    sign_in(person, a.url, "shared-clerk")

    profile = person.get(f"{b.url}/accounts/profile/", timeout=10, allow_redirects=False)
    assert profile.status_code == 200, f"B did not know A's session: {profile.status_code}"
    assert "shared-clerk" in profile.text

    # Signing out on B ends the session on A too.
    _, fields, _ = form_fields(profile.text, action_contains="/accounts/logout/")
    person.post(f"{b.url}/accounts/logout/", data=fields, timeout=10)
    again = person.get(f"{a.url}/accounts/profile/", timeout=10, allow_redirects=False)
    assert again.status_code == 302
    assert "/accounts/login/" in again.headers["Location"]


def test_open_on_one_instance_close_on_the_other_and_see_both_on_the_first(two_instances):
    from batchui.simulator.models import Batch, BatchStatus

    a, b = two_instances
    make_person("roaming", Role.CLERK, code="TROAM")
    person = requests.Session()
    sign_in(person, a.url, "roaming")

    # Open on B: the form (and its form token) comes from A, the POST goes to B.
    form_page = person.get(f"{a.url}/batches/new/", timeout=10)
    assert form_page.status_code == 200, form_page.text[:300]
    _, fields, _ = form_fields(form_page.text, action_contains="/batches/new/")
    assert fields.get("token"), "the open form carries no form token"
    code = "TWO-INSTANCES-1"
    fields.update(batch_code=code, note="opened through instance B")
    opened = person.post(f"{b.url}/batches/new/", data=fields, timeout=20, allow_redirects=False)
    assert opened.status_code in (200, 302, 303), opened.text[:500]
    batch = Batch.objects.get(batch_code=code)
    assert batch.batch_status == BatchStatus.OPEN

    # The same form sent again to A (a double submit through the other instance) opens nothing.
    person.post(f"{a.url}/batches/new/", data=fields, timeout=20, allow_redirects=False)
    assert Batch.objects.filter(batch_code__startswith="TWO-INSTANCES").count() == 1

    # Close on B, acknowledging every warning the confirmation shows.
    confirm = person.get(f"{b.url}/batches/{batch.batch_id}/close/", timeout=10)
    assert confirm.status_code == 200, confirm.text[:300]
    _, fields, checkboxes = form_fields(
        confirm.text, action_contains=f"/batches/{batch.batch_id}/close/"
    )
    fields.update({name: "on" for name in checkboxes if name.startswith("ack_")})
    closed = person.post(
        f"{b.url}/batches/{batch.batch_id}/close/", data=fields, timeout=20, allow_redirects=False
    )
    assert closed.status_code in (200, 302, 303), closed.text[:500]
    batch.refresh_from_db()
    assert batch.batch_status == BatchStatus.CLOSED

    # A shows both actions in the activity list.
    activity = person.get(f"{a.url}/activity/", timeout=10)
    assert activity.status_code == 200
    rows = [row for row in activity.text.split("<tr") if f">{code}</a>" in row]
    assert len(rows) == 2, "the open and the close are not both in A's activity"
