"""The activity log in Django's admin, read only: nobody edits or deletes what happened."""

from __future__ import annotations

from django.contrib import admin

from batchui.activity.models import ActivityEntry


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "username", "action", "batch_code", "batch_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["username", "batch_code", "message"]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
