"""Audit lines for sign-in events (never a password, never an API key)."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.dispatch import receiver

logger = logging.getLogger("batchui.accounts")


@receiver(user_locked_out)
def log_lockout(sender, request, username=None, ip_address=None, **kwargs) -> None:
    logger.warning(
        "sign-in locked out after repeated failures: username=%r address=%s",
        username,
        ip_address,
    )
