"""People's API keys: encrypted at rest, masked on screen, rotation, unreadable keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.db import connection
from django.test import override_settings

from batchui.accounts import crypto, services
from batchui.accounts.models import Profile
from batchui.accounts.roles import Role
from tests.accounts.helpers import as_next_request_loads

pytestmark = pytest.mark.django_db

KEY = "sim_PlainTextKeyThatMustNeverBeStored_abcd"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored_column(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key_encrypted FROM accounts_profile WHERE user_id = %s", [user.pk]
        )
        return cursor.fetchone()[0]


def test_the_database_holds_a_token_not_the_key(make_person):
    person = make_person(Role.CLERK, key=False)
    services.api_key_set(user=person, api_key=KEY)
    raw = stored_column(person)
    assert KEY not in raw
    assert "abcd" not in raw  # not even the part shown masked
    assert services.api_key_for(person) == KEY


def test_the_key_is_shown_masked(make_person):
    person = make_person(Role.CLERK, key=False)
    services.api_key_set(user=person, api_key=KEY)
    status = services.api_key_status(user=person)
    assert status.state == services.KeyState.SET
    assert status.masked == "••••••••abcd"


def test_a_short_key_shows_no_characters():
    assert services.mask("abc123") == "••••••••"


def test_rotation_with_two_keys(make_person):
    person = make_person(Role.CLERK, key=False)
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        services.api_key_set(user=person, api_key=KEY)
        old_token = stored_column(person)
    # The new key first, the old one still listed: old tokens still decrypt.
    with override_settings(FIELD_ENCRYPTION_KEY=f"{NEW}, {OLD}"):
        assert services.api_key_for(person) == KEY
        result = services.api_keys_rekey()
        assert (result.rotated, result.unreadable) == (1, [])
        assert stored_column(person) != old_token
    # After rekey the old key can be dropped.
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):
        assert services.api_key_for(as_next_request_loads(person)) == KEY


def test_a_key_encrypted_with_an_unknown_key_asks_to_be_entered_again(make_person, client):
    person = make_person(Role.CLERK, key=False)
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        services.api_key_set(user=person, api_key=KEY)
    with override_settings(FIELD_ENCRYPTION_KEY=NEW, ECI_API_KEY="service-key-for-everyone"):
        assert services.api_key_status(user=person).state == services.KeyState.UNREADABLE
        # Not silently the service key: the person would act as someone else.
        with pytest.raises(services.ApiKeyUnreadable):
            services.api_key_for(person)
        result = services.api_keys_rekey()
        assert result.unreadable == [person.get_username()]
        client.force_login(person)
        page = client.get("/accounts/profile/")
        assert page.status_code == 200
        assert "Please enter your key again" in page.content.decode()
        outcome = client.post("/accounts/profile/test-connection/", headers={"HX-Request": "true"})
        assert "can no longer be read" in outcome.content.decode()


def test_without_a_setting_the_key_is_derived_from_the_secret_key(make_person):
    person = make_person(Role.CLERK, key=False)
    with override_settings(FIELD_ENCRYPTION_KEY="", SECRET_KEY="one-secret-" * 5):
        services.api_key_set(user=person, api_key=KEY)
        assert services.api_key_for(person) == KEY
    with (
        override_settings(FIELD_ENCRYPTION_KEY="", SECRET_KEY="another-secret-" * 5),
        pytest.raises(services.ApiKeyUnreadable),
    ):
        services.api_key_for(person)


def test_a_malformed_encryption_key_is_a_system_check_error():
    with override_settings(FIELD_ENCRYPTION_KEY="not-a-fernet-key"):
        errors = [m for m in run_checks() if m.id == "accounts.E001"]
    assert len(errors) == 1
    assert "entry 1" in errors[0].msg


def test_an_unset_encryption_key_is_a_deploy_warning_only():
    with override_settings(FIELD_ENCRYPTION_KEY=""):
        assert "accounts.W001" not in {m.id for m in run_checks()}
        assert "accounts.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    with override_settings(FIELD_ENCRYPTION_KEY=NEW):
        assert "accounts.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_the_service_key_is_the_fallback_for_people_without_a_key(make_person):
    person = make_person(Role.VIEWER, key=False)
    with override_settings(ECI_API_KEY=""), pytest.raises(services.MissingApiKey):
        services.api_key_for(person)
    with override_settings(ECI_API_KEY="shared-service-key"):
        assert services.api_key_for(person) == "shared-service-key"
        services.api_key_set(user=person, api_key=KEY)
        assert services.api_key_for(person) == KEY


def test_removing_the_key(make_person):
    person = make_person(Role.CLERK)
    services.api_key_remove(user=person)
    assert Profile.objects.get(user=person).api_key_encrypted == ""
    assert services.api_key_status(user=person).state == services.KeyState.NONE


def test_crypto_round_trip_and_wrong_token():
    token = crypto.encrypt("x")
    assert crypto.decrypt(token) == "x"
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt("gAAAAAnot-a-token")


def test_the_api_caller_is_the_key_and_the_user_code_from_one_query(
    make_person, django_assert_num_queries
):
    person = make_person(Role.CLERK)
    Profile.objects.filter(user=person).update(energycap_user_code="CCODE")
    services.api_key_set(user=person, api_key=KEY)
    plain = type(person).objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        caller = services.api_caller_for(plain)
    assert (caller.key, caller.user_code) == (KEY, "CCODE")
    assert KEY not in repr(caller)
    signed_in = as_next_request_loads(person)  # the profile came along: no query
    with django_assert_num_queries(0):
        assert services.api_caller_for(signed_in) == caller


def test_the_api_caller_falls_back_and_refuses_as_api_key_for_does(make_person):
    person = make_person(Role.VIEWER, key=False)
    with override_settings(ECI_API_KEY=""), pytest.raises(services.MissingApiKey):
        services.api_caller_for(person)
    with override_settings(ECI_API_KEY="shared-service-key"):
        assert services.api_caller_for(person).key == "shared-service-key"
    with override_settings(FIELD_ENCRYPTION_KEY=OLD):
        services.api_key_set(user=person, api_key=KEY)
    with (
        override_settings(FIELD_ENCRYPTION_KEY=NEW, ECI_API_KEY="shared-service-key"),
        pytest.raises(services.ApiKeyUnreadable),
    ):
        services.api_caller_for(person)


KEYED_PAGES = [
    "/batches/new/",
    "/batches/1/edit/",
    "/batches/1/close/",
    "/batches/1/row/",
    "/review/",
]


@pytest.mark.parametrize("url", KEYED_PAGES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_pages_that_call_the_api_ask_for_a_key_first(signed_in, url, htmx):
    client = signed_in(Role.LEAD, key=False)  # a lead may use every one of them
    headers = {"HX-Request": "true"} if htmx else {}
    with override_settings(ECI_API_KEY=""):
        response = client.get(url, headers=headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="missing-key">' in html
    assert 'href="/accounts/profile/"' in html
    if htmx:
        assert response["HX-Retarget"] == "#errors"
        assert "<h1>" not in html
    else:
        assert "<h1>Add your EnergyCAP API key</h1>" in html
