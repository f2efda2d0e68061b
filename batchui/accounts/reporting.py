"""An exception-report filter that keeps API keys off error pages and error e-mails.

Django's default filter hides only variables marked with @sensitive_variables, and nothing at all
when DEBUG is on. This one also hides, DEBUG or not, every traceback variable whose name looks
secret (key, headers, environ...) and every variable whose value contains the API key in use for
the signed-in person or the shared service key.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

_SECRET_NAME = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|HEADERS|ENVIRON|CREDENTIAL", re.I
)


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = _SECRET_NAME

    def is_active(self, request) -> bool:
        return True

    def _secrets(self, request) -> list[str]:
        found = [settings.ECI_API_KEY] if settings.ECI_API_KEY else []
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                from batchui.accounts.services import api_key_for

                found.append(api_key_for(user))
        except Exception:  # noqa: S110 - building an error report must not fail
            pass
        return [secret for secret in found if secret]

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        secrets = self._secrets(request)
        cleansed = []
        for name, value in variables:
            if _SECRET_NAME.search(str(name)) or _contains(value, secrets):
                value = self.cleansed_substitute
            cleansed.append((name, value))
        return cleansed


def _contains(value, secrets: list[str]) -> bool:
    if not secrets:
        return False
    try:
        text = repr(value)
    except Exception:
        return False
    return any(secret in text for secret in secrets)
