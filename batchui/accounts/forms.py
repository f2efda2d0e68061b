from __future__ import annotations

import re
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

# Printable ASCII without spaces: a key travels in an HTTP header, so no line breaks get through.
_KEY = re.compile(r"[!-~]+")


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


def _zone_choices() -> list[tuple[str, str]]:
    return [
        ("", f"The dashboard's ({settings.TIME_ZONE})"),
        *((name, name) for name in sorted(available_timezones())),
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=_zone_choices,
        required=False,
        help_text="Times on every page show in this zone.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone: choose one from the list."
        },
    )


class ApiKeyForm(forms.Form):
    api_key = forms.CharField(
        label="EnergyCAP API key",
        max_length=512,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Create a key in EnergyCAP under your user settings. It is stored encrypted.",
    )

    def clean_api_key(self) -> str:
        value = self.cleaned_data["api_key"]
        if not _KEY.fullmatch(value):
            raise forms.ValidationError(
                "An API key has no spaces or special characters. Paste it again."
            )
        return value
