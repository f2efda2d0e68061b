"""The simulator's provisioning commands: simulator_user, seed_batches, seed_demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from batchui.simulator.models import ApiKey, ApiUser, Batch
from batchui.simulator.seeding import DEMO_BATCH_COUNT, DEMO_USERS, seed_demo

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def test_add_creates_a_user_and_prints_a_working_key_on_the_last_line():
    out, err = run(
        "simulator_user", "add", "JSMITH", "--name", "Jane Smith", "--permissions", "view,create"
    )

    key = last_line(out)
    user = ApiKey.user_for(key)
    assert user is not None
    assert (user.user_code, user.full_name, user.can_view, user.can_create) == (
        "JSMITH",
        "Jane Smith",
        True,
        True,
    )
    assert "JSMITH" in err
    assert key not in err


@pytest.mark.parametrize(
    ("permissions", "granted"),
    [
        ("view", (True, False, False, False)),
        ("create", (False, True, False, False)),
        ("create,view", (True, True, False, False)),
        ("view,create,delete", (True, True, False, True)),
        ("delete,manage,create,view", (True, True, True, True)),
        ("none", (False, False, False, False)),
        (" VIEW ", (True, False, False, False)),
    ],
)
def test_add_sets_the_permissions_asked_for(permissions, granted):
    out, _ = run(
        "simulator_user", "add", "ZOBRIEN", "--name", "Zoë O'Brien", "--permissions", permissions
    )

    user = ApiKey.user_for(last_line(out))
    assert (user.can_view, user.can_create, user.can_manage, user.can_delete) == granted


def test_add_without_permissions_grants_view_and_create_to_a_new_user():
    out, _ = run("simulator_user", "add", "KOKAFOR", "--name", "Kemi Okafor")

    user = ApiKey.user_for(last_line(out))
    assert (user.can_view, user.can_create, user.can_manage, user.can_delete) == (
        True,
        True,
        False,
        False,
    )


def test_add_on_an_existing_code_updates_it_and_adds_a_key():
    first, _ = run(
        "simulator_user", "add", "JSMITH", "--name", "Jane Smith", "--permissions", "view,create"
    )
    second, err = run(
        "simulator_user", "add", "jsmith", "--name", "Jane Smith-Jones", "--permissions", "view"
    )

    assert ApiUser.objects.count() == 1
    user = ApiUser.objects.get()
    assert (user.user_code, user.full_name, user.can_view, user.can_create) == (
        "JSMITH",
        "Jane Smith-Jones",
        True,
        False,
    )
    assert last_line(first) != last_line(second)
    assert ApiKey.user_for(last_line(first)) == user
    assert ApiKey.user_for(last_line(second)) == user
    assert "Updated" in err


def test_add_on_an_existing_code_keeps_what_is_not_given():
    run("simulator_user", "add", "MGARCIA", "--name", "María García", "--permissions", "view")
    run("simulator_user", "add", "MGARCIA")

    user = ApiUser.objects.get()
    assert (user.full_name, user.can_view, user.can_create) == ("María García", True, False)


@pytest.mark.parametrize("permissions", ["admin", "view,", "", "none,view", "view;create"])
def test_add_refuses_bad_permissions(permissions):
    with pytest.raises(CommandError, match="permissions"):
        run("simulator_user", "add", "JSMITH", "--name", "Jane Smith", "--permissions", permissions)
    assert not ApiUser.objects.exists()


def test_add_needs_a_name_for_a_new_user():
    with pytest.raises(CommandError, match="--name"):
        run("simulator_user", "add", "NEWBIE")
    assert not ApiUser.objects.exists()


def test_list_shows_users_but_never_keys():
    key, _ = run("simulator_user", "add", "JSMITH", "--name", "Jane Smith", "--permissions", "view")
    run("simulator_user", "add", "JSMITH")
    run("simulator_user", "add", "MGARCIA", "--name", "María", "--permissions", "create,delete")
    run("simulator_user", "add", "ZOBRIEN", "--name", "Zoë O'Brien", "--permissions", "none")

    out, _ = run("simulator_user", "list")

    lines = out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "PERMISSIONS", "KEYS"]
    assert lines[1].split() == ["JSMITH", "Jane", "Smith", "view", "2"]
    assert lines[2].split() == ["MGARCIA", "María", "create,delete", "1"]
    assert lines[3].split() == ["ZOBRIEN", "Zoë", "O'Brien", "none", "1"]
    assert last_line(key) not in out
    assert "sim_" not in out


def batch_rows() -> list[tuple]:
    return list(
        Batch.objects.order_by("batch_id").values_list(
            "batch_code",
            "batch_status",
            "start_date",
            "end_date",
            "bill_count",
            "running_total",
            "flag_count",
            "created_by__user_code",
            "note",
        )
    )


def test_seed_batches_creates_the_count_asked_for():
    out, _ = run("seed_batches", "--count", "120", "--seed", "1", "--now", "2026-11-05")

    assert Batch.objects.count() == 120
    assert "Created 120 batches" in out
    assert set(ApiUser.objects.values_list("user_code", flat=True)) == {u.code for u in DEMO_USERS}


def test_seed_batches_is_deterministic_per_seed_and_now():
    run("seed_batches", "--count", "200", "--seed", "7", "--now", "2026-11-05")
    first = batch_rows()
    run("seed_batches", "--count", "200", "--seed", "7", "--now", "2026-11-05", "--replace")
    again = batch_rows()
    run("seed_batches", "--count", "200", "--seed", "8", "--now", "2026-11-05", "--replace")
    other = batch_rows()

    assert len(first) == len(again) == len(other) == 200
    assert first == again
    assert [r[0] for r in other] != [r[0] for r in first]
    assert [r[5] for r in other] != [r[5] for r in first]


def test_seed_batches_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--now"):
        run("seed_batches", "--count", "1", "--now", "05/11/2026")


def test_seed_demo_is_idempotent():
    out, _ = run("seed_demo")
    assert Batch.objects.count() == DEMO_BATCH_COUNT
    # The simulator's demo users, plus the ones the demo sign-ins act as (MLEAD, VREAD).
    users = ApiUser.objects.count()
    assert users == len(DEMO_USERS) + 2
    assert f"{DEMO_BATCH_COUNT} new" in out
    for username, password in [("clerk", "batchui-clerk-demo"), ("lead", "batchui-lead-demo")]:
        assert f"{username!r}" in out
        assert f"{password!r}" in out
    rows = batch_rows()
    keys = ApiKey.objects.count()

    again, _ = run("seed_demo")

    assert batch_rows() == rows
    assert ApiUser.objects.count() == users
    assert ApiKey.objects.count() == keys  # working keys are kept, not re-issued
    assert "(0 new)" in again
    assert "new: none" in again


def test_seed_demo_tops_up_to_the_demo_count_and_keeps_existing_users():
    run("simulator_user", "add", "JSMITH", "--name", "Jane Q. Smith", "--permissions", "view")
    run("seed_batches", "--count", "100", "--seed", "3")

    seed_demo()

    assert Batch.objects.count() == DEMO_BATCH_COUNT
    jsmith = ApiUser.objects.get(user_code="JSMITH")
    assert (jsmith.full_name, jsmith.can_create) == ("Jane Q. Smith", False)
