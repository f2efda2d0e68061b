"""The activity log in Django's admin, read only: nobody edits or deletes what happened."""

from __future__ import annotations

from django.contrib import admin

from batchui.activity.models import ActivityEntry


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "person", "action", "batch_code_then", "batch_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["username", "person_name", "batch_code", "message"]
    date_hierarchy = "created"

    @admin.display(description="Who", ordering="person_name")
    def person(self, entry: ActivityEntry) -> str:
        return entry.who

    @admin.display(description="Batch code")
    def batch_code_then(self, entry: ActivityEntry) -> str:
        return entry.code_then

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
