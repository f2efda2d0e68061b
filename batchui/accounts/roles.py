"""Roles (Django groups) and the permissions each one grants.

The permission names below are what views check (`@permission_required_or_403(OPEN_BATCH)`) and
templates test (`{% if perms.accounts.open_batch %}`). The groups are created by the migration
`0002_roles`; `tests/accounts/test_roles.py` fails if the database and this mapping drift apart.
"""

from __future__ import annotations

from enum import StrEnum

APP_LABEL = "accounts"

# Codename -> human-readable name (the codenames are the `permissions` of models.DashboardAccess).
PERMISSIONS: dict[str, str] = {
    "view_batches": "See the batch list",
    "export_batches": "Export batches as CSV",
    "view_widget": "See the intranet widget",
    "open_batch": "Open a batch",
    "edit_batch": "Rename a batch or change its note",
    "close_batch": "Close a batch (own batches)",
    "close_any_batch": "Close anyone's batch",
    "view_review": "See the team review screen",
}


def _perm(codename: str) -> str:
    return f"{APP_LABEL}.{codename}"


VIEW_BATCHES = _perm("view_batches")
EXPORT_BATCHES = _perm("export_batches")
VIEW_WIDGET = _perm("view_widget")
OPEN_BATCH = _perm("open_batch")
EDIT_BATCH = _perm("edit_batch")
CLOSE_BATCH = _perm("close_batch")
CLOSE_ANY_BATCH = _perm("close_any_batch")
VIEW_REVIEW = _perm("view_review")


class Role(StrEnum):
    CLERK = "clerk"
    LEAD = "lead"
    VIEWER = "viewer"


_READ = ("view_batches", "export_batches", "view_widget")
_CLERK = (*_READ, "open_batch", "edit_batch", "close_batch")
_LEAD = (*_CLERK, "close_any_batch", "view_review")

# Role -> permission codenames (of app `accounts`). A person has one role: one group.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.VIEWER: _READ,
    Role.CLERK: _CLERK,
    Role.LEAD: _LEAD,
}


def role_of(user) -> Role | None:
    """The person's role (the highest, should they be in several role groups)."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    for role in (Role.LEAD, Role.CLERK, Role.VIEWER):
        if role.value in names:
            return role
    return None
