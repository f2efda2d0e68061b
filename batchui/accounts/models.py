"""A person's dashboard profile (their EnergyCAP API key, encrypted) and the role permissions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from batchui.accounts.roles import PERMISSIONS


class DashboardAccess(models.Model):
    """Holds no rows: it only carries the dashboard's permissions (see roles.py)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(PERMISSIONS.items())

    def __str__(self) -> str:
        return "dashboard access"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_profile"
    )
    # A Fernet token (crypto.encrypt); "" when the person has no key of their own.
    api_key_encrypted = models.TextField(blank=True, default="")
    api_key_changed = models.DateTimeField(null=True, blank=True)
    # The EnergyCAP user code the key acts as, when known (set by `dashboard_user`); it lets later
    # screens tell a person's own batches (createdBy.userCode) from others'.
    energycap_user_code = models.CharField(max_length=64, blank=True, default="")
    # The person's time zone (an IANA name); "" means settings.TIME_ZONE.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    # The batch list's columns the person chose (column keys, in order); [] means the defaults.
    list_columns = models.JSONField(default=list, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"profile of {self.user_id}"
