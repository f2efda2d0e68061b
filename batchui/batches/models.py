"""A person's saved batch-list views, and the form tokens that make actions idempotent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_batch_views"
    )
    name = models.CharField(max_length=80)
    # The list's query string without paging ("status=open&who=mine&size=50").
    query = models.CharField(max_length=4000, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_unique_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionState(models.TextChoices):
    PENDING = "pending", "Being processed"
    DONE = "done", "Done"


class FormSubmission(models.Model):
    """A form token seen by the server (batches.idempotency). The unique `token` is the lock that
    lets one of several identical submissions act; `fingerprint` (a hash of the person, action,
    batch and submitted values) tells an identical submission from a different one."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=10, choices=SubmissionState.choices, default=SubmissionState.PENDING
    )
    result = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(db_index=True)
    updated = models.DateTimeField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"submission {self.token[:8]}… ({self.state})"
