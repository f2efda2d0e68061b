import pytest
from django.contrib.auth.models import Group

from batchui.accounts import roles
from batchui.accounts.models import DashboardAccess
from batchui.accounts.provisioning import role_assign
from batchui.accounts.roles import Role, role_of

pytestmark = pytest.mark.django_db


def test_the_migrated_groups_grant_exactly_the_permissions_of_roles_py():
    for role, codenames in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = set(group.permissions.values_list("content_type__app_label", "codename"))
        assert granted == {(roles.APP_LABEL, codename) for codename in codenames}, role


def test_every_permission_constant_is_a_declared_permission():
    declared = {codename for codename, _ in DashboardAccess._meta.permissions}
    constants = {
        value.split(".", 1)[1]
        for name, value in vars(roles).items()
        if name.isupper() and isinstance(value, str) and value.startswith("accounts.")
    }
    assert constants == declared == set(roles.PERMISSIONS)


def test_a_lead_can_do_everything_a_clerk_can_and_a_clerk_everything_a_viewer_can():
    viewer, clerk, lead = (
        set(roles.ROLE_PERMISSIONS[r]) for r in (Role.VIEWER, Role.CLERK, Role.LEAD)
    )
    assert viewer < clerk < lead
    assert {"close_any_batch", "view_review"} <= lead - clerk
    assert not {"open_batch", "edit_batch", "close_batch"} & viewer


def test_permissions_reach_the_user(make_person):
    clerk = make_person(Role.CLERK)
    assert clerk.has_perm(roles.OPEN_BATCH)
    assert clerk.has_perm(roles.CLOSE_BATCH)
    assert not clerk.has_perm(roles.CLOSE_ANY_BATCH)
    assert not clerk.has_perm(roles.VIEW_REVIEW)
    viewer = make_person(Role.VIEWER)
    assert viewer.has_perms([roles.VIEW_BATCHES, roles.EXPORT_BATCHES, roles.VIEW_WIDGET])
    assert not viewer.has_perm(roles.OPEN_BATCH)


def test_assigning_a_role_replaces_the_previous_one(make_person):
    person = make_person(Role.VIEWER)
    role_assign(user=person, role=Role.LEAD)
    assert list(person.groups.values_list("name", flat=True)) == ["lead"]
    assert role_of(person) is Role.LEAD


def test_a_missing_role_group_is_recreated_with_its_permissions(make_person):
    Group.objects.filter(name="clerk").delete()
    person = make_person(Role.CLERK)
    assert person.has_perm(roles.OPEN_BATCH)
