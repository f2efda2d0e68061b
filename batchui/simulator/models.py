"""Storage of the simulated Batch API: API users and their keys, batches, injected faults.

String fields that the filter language compares case-insensitively have a `*_ci` shadow column
holding the casefolded value, kept in step by `save()` and `fold()`; this makes `equals`/`like`
case-insensitive for any Unicode text on every database, and lets an index serve `equals`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import Q


def fold(value: str | None) -> str | None:
    """The case-insensitive form used for comparisons (None stays None)."""
    return None if value is None else value.casefold()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiUser(models.Model):
    """An EnergyCAP system user (`createdBy` of a batch) with BillsAndBatches permissions."""

    user_code = models.CharField(max_length=64, unique=True)
    user_code_ci = models.CharField(max_length=64, editable=False, db_index=True)
    full_name = models.CharField(max_length=255)
    full_name_ci = models.CharField(max_length=255, editable=False, db_index=True)
    can_view = models.BooleanField(default=True)
    can_create = models.BooleanField(default=False)
    can_manage = models.BooleanField(default=False)  # change other people's batches' status
    can_delete = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.user_code

    def save(self, *args, **kwargs):
        self.user_code_ci = fold(self.user_code)
        self.full_name_ci = fold(self.full_name)
        super().save(*args, **kwargs)

    def issue_key(self) -> str:
        """Create a new API key for this user and return it (only its hash is stored)."""
        key = "sim_" + secrets.token_urlsafe(32)
        ApiKey.objects.create(user=self, key_hash=hash_key(key))
        return key


class ApiKey(models.Model):
    user = models.ForeignKey(ApiUser, on_delete=models.CASCADE, related_name="keys")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of {self.user_id}"

    @classmethod
    def user_for(cls, key: str | None) -> ApiUser | None:
        if not key:
            return None
        found = cls.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        return found.user if found else None


class BatchStatus(models.TextChoices):
    OPEN = "Open"
    PENDING = "Pending"
    CLOSED = "Closed"


class Batch(models.Model):
    batch_id = models.AutoField(primary_key=True)
    batch_code = models.CharField(max_length=255)
    # Unique on the folded code: "ABC" and "abc" are the same code, as under SQL Server's collation.
    batch_code_ci = models.CharField(max_length=255, unique=True, editable=False)
    batch_status = models.CharField(
        max_length=7, choices=BatchStatus.choices, default=BatchStatus.OPEN
    )
    start_date = models.DateTimeField()
    end_date = models.DateTimeField(null=True, blank=True)
    bill_count = models.IntegerField(default=0)
    running_total = models.FloatField(default=0.0)
    flag_count = models.IntegerField(default=0)
    analyzing_count = models.IntegerField(default=0)
    has_imported_bills = models.BooleanField(default=False)
    has_imports_with_kickout = models.BooleanField(default=False)
    has_logs = models.BooleanField(default=False)
    created_by = models.ForeignKey(ApiUser, on_delete=models.PROTECT, related_name="batches")
    # Bill defaults ("batch settings"). Dates are kept as the ISO strings the API returns.
    due_date = models.CharField(max_length=32, null=True, blank=True)
    statement_date = models.CharField(max_length=32, null=True, blank=True)
    next_reading = models.CharField(max_length=32, null=True, blank=True)
    control_code = models.CharField(max_length=255, null=True, blank=True)
    control_code_ci = models.CharField(max_length=255, null=True, editable=False)
    invoice_number = models.CharField(max_length=255, null=True, blank=True)
    invoice_number_ci = models.CharField(max_length=255, null=True, editable=False)
    account_period_number = models.IntegerField(null=True, blank=True)
    account_period_year = models.IntegerField(null=True, blank=True)
    # year * 100 + number, the value the `accountPeriod` filter compares.
    account_period = models.IntegerField(null=True, editable=False)
    note = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["-batch_id"]
        indexes = [
            models.Index(fields=["batch_status", "-batch_id"], name="sim_batch_status_id"),
            models.Index(fields=["created_by", "-batch_id"], name="sim_batch_user_id"),
            models.Index(fields=["start_date"], name="sim_batch_start"),
            models.Index(fields=["end_date"], name="sim_batch_end"),
            models.Index(fields=["account_period"], name="sim_batch_period"),
            models.Index(fields=["running_total"], name="sim_batch_total"),
            models.Index(fields=["bill_count"], name="sim_batch_bills"),
            models.Index(
                fields=["created_by", "batch_status"],
                name="sim_batch_user_open",
                condition=Q(batch_status="Open"),
            ),
        ]

    def __str__(self) -> str:
        return self.batch_code

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the shadow columns; call before bulk_create (save() calls it itself)."""
        self.batch_code_ci = fold(self.batch_code)
        self.control_code_ci = fold(self.control_code)
        self.invoice_number_ci = fold(self.invoice_number)
        if self.account_period_year is not None and self.account_period_number is not None:
            self.account_period = self.account_period_year * 100 + self.account_period_number
        else:
            self.account_period = None

    @property
    def is_open(self) -> bool:
        return self.batch_status == BatchStatus.OPEN


class FaultKind(models.TextChoices):
    LATENCY = "latency", "added latency"
    STATUS = "status", "error status (429, 500, 502, 503, 504)"
    DROP_BEFORE = "drop_before", "connection dropped before the request is handled"
    DROP_AFTER = "drop_after", "connection dropped after the request was handled (and stored)"
    MALFORMED = "malformed", "malformed response body"


class FaultRule(models.Model):
    """A fault the simulator injects into matching calls, until `remaining` reaches 0.

    Stored in the database so that a test (or a demo operator) can inject faults into a simulator
    running in the same process or, sharing the database, in another one. Use `faults.inject()`.
    """

    kind = models.CharField(max_length=16, choices=FaultKind.choices)
    method = models.CharField(max_length=8, blank=True, help_text="HTTP method; blank = any")
    path_pattern = models.CharField(
        max_length=200, blank=True, help_text="regular expression searched in the path; blank = any"
    )
    status = models.IntegerField(null=True, blank=True)
    retry_after = models.IntegerField(null=True, blank=True)
    latency_ms = models.IntegerField(default=0)
    remaining = models.IntegerField(null=True, blank=True, help_text="null = every matching call")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.method or '*'} {self.path_pattern or '*'}"
