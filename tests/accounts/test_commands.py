"""`dashboard_user` and the demo accounts."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from batchui.accounts import services
from batchui.accounts.demo import DEMO_ACCOUNTS, ensure_demo_accounts
from batchui.accounts.models import Profile
from batchui.accounts.roles import Role, role_of
from batchui.simulator.models import ApiKey, ApiUser

pytestmark = pytest.mark.django_db
User = get_user_model()


def password_works(username: str, password: str) -> bool:
    return (
        authenticate(RequestFactory().post("/"), username=username, password=password) is not None
    )


def test_add_creates_a_person_with_role_password_and_key(capsys):
    call_command(
        "dashboard_user",
        "add",
        "jane",
        "--role",
        "clerk",
        "--password",
        "s3cret-Pass-word",
        "--api-key",
        "real-energycap-key-123456",
        "--name",
        "Jane Smith",
    )
    jane = User.objects.get(username="jane")
    assert role_of(jane) is Role.CLERK
    assert password_works("jane", "s3cret-Pass-word")
    assert services.api_key_for(jane) == "real-energycap-key-123456"
    assert jane.get_full_name() == "Jane Smith"
    assert "Created jane: role clerk, API key set." in capsys.readouterr().out


def test_add_is_idempotent_and_updates_role_password_and_key():
    call_command("dashboard_user", "add", "jane", "--role", "clerk", "--password", "first-Pass-123")
    call_command(
        "dashboard_user",
        "add",
        "jane",
        "--role",
        "lead",
        "--password",
        "second-Pass-456",
        "--api-key",
        "replacement-key-98765",
    )
    jane = User.objects.get(username="jane")
    assert User.objects.filter(username="jane").count() == 1
    assert role_of(jane) is Role.LEAD
    assert list(jane.groups.values_list("name", flat=True)) == ["lead"]
    assert password_works("jane", "second-Pass-456")
    assert not password_works("jane", "first-Pass-123")
    assert services.api_key_for(jane) == "replacement-key-98765"
    # No --password: the password is kept.
    call_command("dashboard_user", "add", "jane", "--role", "viewer")
    assert password_works("jane", "second-Pass-456")


def test_a_new_person_without_password_can_only_use_single_sign_on():
    call_command("dashboard_user", "add", "sso-only", "--role", "viewer")
    assert not User.objects.get(username="sso-only").has_usable_password()


def test_a_weak_password_or_a_bad_key_is_refused():
    with pytest.raises(CommandError, match=r"too common|too short"):
        call_command("dashboard_user", "add", "jane", "--role", "clerk", "--password", "password")
    with pytest.raises(CommandError, match="no spaces"):
        call_command("dashboard_user", "add", "jane", "--role", "clerk", "--api-key", "a b")


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        # EnergyCAP's View, Create, Manage (others' batches' status), Delete, as roles.py grants
        ("viewer", (True, False, False, False)),
        ("clerk", (True, True, False, True)),
        ("lead", (True, True, True, True)),
    ],
)
def test_simulator_user_gets_matching_permissions_and_a_stored_key(role, granted):
    call_command("dashboard_user", "add", "pat", "--role", role, "--simulator-user", "PAT1")
    api_user = ApiUser.objects.get(user_code="PAT1")
    assert (api_user.can_view, api_user.can_create, api_user.can_manage, api_user.can_delete) == (
        granted
    )
    pat = User.objects.get(username="pat")
    assert ApiKey.user_for(services.api_key_for(pat)) == api_user
    assert Profile.objects.get(user=pat).energycap_user_code == "PAT1"


def test_simulator_user_reuses_an_existing_api_user_and_issues_a_new_key():
    existing = ApiUser.objects.create(user_code="PAT1", full_name="Pat Existing", can_create=False)
    call_command("dashboard_user", "add", "pat", "--role", "clerk", "--simulator-user", "PAT1")
    first = services.api_key_for(User.objects.get(username="pat"))
    call_command("dashboard_user", "add", "pat", "--role", "clerk", "--simulator-user", "PAT1")
    second = services.api_key_for(User.objects.get(username="pat"))
    assert first != second
    assert ApiUser.objects.filter(user_code="PAT1").count() == 1
    existing.refresh_from_db()
    assert existing.can_create
    assert existing.full_name == "Pat Existing"


def test_list_shows_people_and_key_states_without_keys(capsys):
    call_command("dashboard_user", "add", "jane", "--role", "clerk", "--api-key", "k" * 30)
    call_command("dashboard_user", "add", "vic", "--role", "viewer")
    capsys.readouterr()
    call_command("dashboard_user", "list")
    out = capsys.readouterr().out
    assert "k" * 30 not in out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert lines["jane"][1:3] == ["clerk", "set"]
    assert lines["vic"][1:3] == ["viewer", "none"]


def test_demo_accounts_one_per_role_signing_in_and_acting_as_their_simulator_user():
    accounts = ensure_demo_accounts()
    assert {account.role for account in accounts} == set(Role)
    for account in accounts:
        assert password_works(account.username, account.password)
        person = User.objects.get(username=account.username)
        assert role_of(person) is account.role
        owner = ApiKey.user_for(services.api_key_for(person))
        assert owner.user_code == account.simulator_user
        assert owner.full_name == account.full_name
        assert owner.can_create is (account.role is not Role.VIEWER)


def test_demo_accounts_are_idempotent_and_keep_working_keys():
    ensure_demo_accounts()
    keys_before = ApiKey.objects.count()
    stored = {p.user_id: p.api_key_encrypted for p in Profile.objects.all()}
    ensure_demo_accounts()
    assert ApiKey.objects.count() == keys_before
    assert {p.user_id: p.api_key_encrypted for p in Profile.objects.all()} == stored
    assert User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count() == 3


def test_demo_accounts_replace_a_key_that_no_longer_works():
    ensure_demo_accounts()
    clerk = User.objects.get(username="clerk")
    ApiKey.objects.filter(user__user_code="JSMITH").delete()  # the simulator forgot the key
    ensure_demo_accounts()
    assert ApiKey.user_for(services.api_key_for(clerk)).user_code == "JSMITH"


def test_rekey_command(capsys):
    call_command("dashboard_user", "add", "jane", "--role", "clerk", "--api-key", "k" * 30)
    call_command("dashboard_user", "rekey")
    assert "Re-encrypted 1 API key(s)." in capsys.readouterr().out
