"""The activity log of batch actions (in the database: every worker and instance shares it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    OPEN = "open", "Open"
    EDIT = "edit", "Edit"
    CLOSE = "close", "Close"
    PENDING = "pending", "Mark pending"
    REOPEN = "reopen", "Reopen"
    DELETE = "delete", "Delete"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    # The API or the dashboard said no (validation, duplicate code, not found, already closed,
    # not the person's batch): nothing changed.
    REFUSED = "refused", "Refused"
    # The call failed (unreachable, timeout, 5xx, 429, unreadable answer) and nothing changed.
    FAILED = "failed", "Failed"
    # It is not known whether the change took effect (also the state while the call runs).
    UNKNOWN = "unknown", "Unknown"


class ActivityEntry(models.Model):
    """One attempted open, edit or close: written before the API is called, completed after."""

    created = models.DateTimeField(db_index=True)
    finished = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the entry must still say who it was after the account is deleted. The
    # login (for the person filter) and the name people read (full name, else the login).
    username = models.CharField(max_length=150)
    person_name = models.CharField(max_length=255, blank=True, default="")
    action = models.CharField(max_length=10, choices=Action.choices)
    batch_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    # The code given with the attempt: for an open the code asked for; for an edit the code it
    # was asked to set (`code_then` is the code the batch had).
    batch_code = models.CharField(max_length=255, blank=True, default="")
    # For an edit {"batchCode": {"before": ..., "after": ...}, "note": {...}}; for an open the
    # settings sent; for a close {} (a close changes only the status).
    changes = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.UNKNOWN)
    message = models.TextField(blank=True, default="")
    # The form token of the submission (several entries share it when a submission is retried).
    token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created", "-id"]
        default_permissions = ()
        verbose_name_plural = "activity entries"
        indexes = [models.Index(fields=["username", "-created"], name="activity_user_created")]

    def __str__(self) -> str:
        what = self.code_then or self.batch_id
        return f"{self.action} {what} by {self.username}: {self.outcome}"

    @property
    def who(self) -> str:
        return self.person_name or self.username

    @property
    def code_then(self) -> str:
        """The batch's code when the attempt was made ("" when unknown): an edit's code before
        the edit (unknown when the batch could not be read first), else the code recorded."""
        if self.action == Action.EDIT:
            change = self.changes.get("batchCode")
            return (change.get("before") or "") if isinstance(change, dict) else ""
        return self.batch_code

    @property
    def in_progress(self) -> bool:
        return self.finished is None
