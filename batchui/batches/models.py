"""A person's saved batch-list views: a name and the list's query string."""

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
