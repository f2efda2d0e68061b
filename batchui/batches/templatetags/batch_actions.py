"""Which actions a person may take on a batch, for the row buttons (`{% load batch_actions %}`).

    {% can_edit batch as may_edit %}{% can_close batch as may_close %}
    {% if batch|closable_by:request.user %}...{% endif %}

The same rules the views enforce (batches.action_services.may_edit / may_close).
"""

from __future__ import annotations

from typing import Any

from django import template

from batchui.batchapi import Batch
from batchui.batches.action_services import may_close, may_edit

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def can_edit(context: template.Context, batch: Batch) -> bool:
    user = _user(context)
    return bool(user and user.is_authenticated and may_edit(user=user, batch=batch))


@register.simple_tag(takes_context=True)
def can_close(context: template.Context, batch: Batch) -> bool:
    user = _user(context)
    return bool(user and user.is_authenticated and may_close(user=user, batch=batch))


@register.filter
def closable_by(batch: Batch, user: Any) -> bool:
    return bool(user and user.is_authenticated and may_close(user=user, batch=batch))
