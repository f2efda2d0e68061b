"""People administration at /admin/ for superusers: people, their role, whether each has an
EnergyCAP API key (never the key itself) and the EnergyCAP user code it acts as.

`python manage.py dashboard_user` stays for scripts; both go through the same tables.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from batchui.accounts.models import Profile
from batchui.accounts.roles import role_of


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["energycap_user_code"]  # the encrypted key is never shown nor edited here


class ProfileInline(admin.StackedInline):
    model = Profile
    form = ProfileForm
    can_delete = False
    fields = ["energycap_user_code", "has_api_key", "api_key_changed"]
    readonly_fields = ["has_api_key", "api_key_changed"]
    verbose_name_plural = "EnergyCAP"

    @admin.display(boolean=True, description="Has an API key")
    def has_api_key(self, profile: Profile) -> bool:
        return bool(profile.api_key_encrypted)


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "get_full_name", "role", "has_api_key", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser"]
    list_select_related = ["dashboard_profile"]

    @admin.display(description="Role")
    def role(self, user: User) -> str:
        found = role_of(user)
        return found.value if found else "—"

    @admin.display(boolean=True, description="API key")
    def has_api_key(self, user: User) -> bool:
        profile = getattr(user, "dashboard_profile", None)
        return bool(profile and profile.api_key_encrypted)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")
