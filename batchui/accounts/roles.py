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
    # EnergyCAP's status change: Create for one's own batches and to reopen anyone's pending batch
    # (it becomes the person's); Manage to mark someone else's batch pending.
    "change_batch_status": "Mark own batches pending, reopen pending batches",
    "pend_any_batch": "Mark anyone's batch pending",
    # Deleting removes the batch and its bills; the dashboard offers it only for empty batches.
    "delete_batch": "Delete an empty batch (own batches)",
    "delete_any_batch": "Delete anyone's empty batch",
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
CHANGE_BATCH_STATUS = _perm("change_batch_status")
PEND_ANY_BATCH = _perm("pend_any_batch")
DELETE_BATCH = _perm("delete_batch")
DELETE_ANY_BATCH = _perm("delete_any_batch")


class Role(StrEnum):
    CLERK = "clerk"
    LEAD = "lead"
    VIEWER = "viewer"


_READ = ("view_batches", "export_batches", "view_widget")
_CLERK = (*_READ, "open_batch", "edit_batch", "close_batch", "change_batch_status", "delete_batch")
_LEAD = (*_CLERK, "close_any_batch", "view_review", "pend_any_batch", "delete_any_batch")

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
