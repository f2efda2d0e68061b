"""AccountBackend: Django's ModelBackend with the signed-in person's profile loaded along."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory

from batchui.accounts import services
from batchui.accounts.backends import AccountBackend
from batchui.accounts.models import Profile
from batchui.accounts.roles import Role

pytestmark = pytest.mark.django_db

User = get_user_model()


def fresh(user):
    return User.objects.get(pk=user.pk)  # no per-request cache on it yet


def test_a_role_change_applies_to_the_next_request(make_person):
    person = make_person(Role.CLERK)
    assert fresh(person).has_perm("accounts.close_batch")
    person.groups.set([Group.objects.get(name=Role.VIEWER.value)])
    assert not fresh(person).has_perm("accounts.close_batch")


def test_it_signs_people_in_and_their_sessions_name_it(make_person):
    person = make_person(Role.CLERK)
    secret = "a-good-password-123"
    person.set_password(secret)
    person.save()
    signed_in = authenticate(
        RequestFactory().post("/accounts/login/"), username=person.username, password=secret
    )
    assert signed_in == person
    assert signed_in.backend == "batchui.accounts.backends.AccountBackend"
    wrong = authenticate(
        RequestFactory().post("/accounts/login/"), username=person.username, password="not-it"
    )
    assert wrong is None


def test_the_signed_in_person_comes_with_their_key_in_one_query(
    make_person, django_assert_num_queries
):
    person = make_person(Role.CLERK, key=False)
    services.api_key_set(user=person, api_key="a-key-of-their-own-1234")
    with django_assert_num_queries(1):
        loaded = AccountBackend().get_user(person.pk)
        caller = services.api_caller_for(loaded)
    assert caller.key == "a-key-of-their-own-1234"


def test_a_person_without_a_profile_loads_and_gets_one_when_needed(
    make_person, django_assert_num_queries, settings
):
    settings.ECI_API_KEY = ""
    person = make_person(Role.CLERK, key=False)
    Profile.objects.filter(user=person).delete()
    loaded = AccountBackend().get_user(person.pk)
    with django_assert_num_queries(0), pytest.raises(services.MissingApiKey):
        services.api_caller_for(loaded)
    services.api_key_set(user=loaded, api_key="a-key-set-just-now-5678")
    # The same user object (the request's) sees the key it was given, and so does a fresh one.
    assert services.api_caller_for(loaded).key == "a-key-set-just-now-5678"
    assert services.api_caller_for(fresh(person)).key == "a-key-set-just-now-5678"


def test_a_key_changed_in_the_request_is_the_key_its_later_calls_use(make_person):
    person = make_person(Role.CLERK, key=False)
    services.api_key_set(user=person, api_key="the-old-key-000000001")
    loaded = AccountBackend().get_user(person.pk)
    assert services.api_caller_for(loaded).key == "the-old-key-000000001"
    services.api_key_set(user=loaded, api_key="the-new-key-000000002")
    assert services.api_caller_for(loaded).key == "the-new-key-000000002"
    services.api_key_remove(user=loaded)
    with pytest.raises(services.MissingApiKey):
        services.api_caller_for(loaded)


def test_inactive_people_are_not_loaded(make_person):
    person = make_person(Role.CLERK)
    person.is_active = False
    person.save()
    assert AccountBackend().get_user(person.pk) is None
    assert AccountBackend().get_user(person.pk + 1000) is None
