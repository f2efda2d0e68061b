"""The roles as groups with their permissions (a frozen copy of roles.ROLE_PERMISSIONS).

A later change of roles.py needs a new migration; tests/accounts/test_roles.py checks they agree.
"""

from django.db import migrations

PERMISSIONS = {
    "view_batches": "See the batch list",
    "export_batches": "Export batches as CSV",
    "view_widget": "See the intranet widget",
    "open_batch": "Open a batch",
    "edit_batch": "Rename a batch or change its note (own batches)",
    "close_batch": "Close a batch (own batches)",
    "close_any_batch": "Close anyone's batch",
    "view_review": "See the team review screen",
}
READ = ["view_batches", "export_batches", "view_widget"]
CLERK = [*READ, "open_batch", "edit_batch", "close_batch"]
LEAD = [*CLERK, "close_any_batch", "view_review"]
ROLES = {"viewer": READ, "clerk": CLERK, "lead": LEAD}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally created after all migrations (post_migrate): create them now.
    content_type, _ = ContentType.objects.get_or_create(
        app_label="accounts", model="dashboardaccess"
    )
    permissions = {}
    for codename, name in PERMISSIONS.items():
        permissions[codename], _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([permissions[codename] for codename in codenames])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
