"""Permission checks in one query: the same answers as Django's ModelBackend, nothing kept."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from batchui.accounts.backends import PermissionsInOneQueryBackend
from batchui.accounts.roles import Role

pytestmark = pytest.mark.django_db

User = get_user_model()


def fresh(user):
    return User.objects.get(pk=user.pk)  # no per-request cache on it yet


@pytest.mark.parametrize("role", list(Role))
def test_the_same_permissions_as_model_backend_in_one_query(
    make_person, role, django_assert_num_queries
):
    person = make_person(role)
    extra = Permission.objects.get(codename="view_group")
    person.user_permissions.add(extra)  # one of the person's own, besides the role's

    expected = ModelBackend().get_all_permissions(fresh(person))
    mine = fresh(person)
    with django_assert_num_queries(1):
        found = PermissionsInOneQueryBackend().get_all_permissions(mine)
        again = PermissionsInOneQueryBackend().get_all_permissions(mine)

    assert found == expected
    assert again == expected
    assert "auth.view_group" in found
    assert len(found) > 1


def test_superusers_inactive_people_and_objects(make_person):
    person = make_person(Role.VIEWER)
    backend = PermissionsInOneQueryBackend()
    person.is_superuser = True
    person.save()
    assert backend.get_all_permissions(fresh(person)) == ModelBackend().get_all_permissions(
        fresh(person)
    )
    person.is_active = False
    person.save()
    assert backend.get_all_permissions(fresh(person)) == set()
    person.is_active = True
    person.save()
    assert backend.get_all_permissions(fresh(person), obj=object()) == set()


def test_a_role_change_applies_to_the_next_request(make_person):
    person = make_person(Role.CLERK)
    assert fresh(person).has_perm("accounts.close_batch")
    person.groups.set([Group.objects.get(name=Role.VIEWER.value)])
    assert not fresh(person).has_perm("accounts.close_batch")


def test_it_signs_nobody_in(make_person):
    person = make_person(Role.CLERK)
    secret = "a-good-password-123"
    person.set_password(secret)
    person.save()
    backend = PermissionsInOneQueryBackend()
    assert backend.authenticate(None, username=person.username, password=secret) is None
    signed_in = authenticate(
        RequestFactory().post("/accounts/login/"), username=person.username, password=secret
    )
    assert signed_in == person
    assert signed_in.backend == "django.contrib.auth.backends.ModelBackend"  # kept in sessions
