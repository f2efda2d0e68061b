"""Small fixtures for the simulator's API tests: API users with keys, batches, an HTTP client.

The client is werkzeug's test client over `batchui.simulator.wsgi.application`, so every call goes
through the simulator's WSGI entry point (faults, routing, auth) as a real HTTP call would.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from werkzeug.test import Client, TestResponse

from batchui.simulator.models import ApiUser, Batch, BatchStatus
from batchui.simulator.wsgi import application


def make_api_user(
    code: str = "JSMITH",
    name: str = "Jane Smith",
    *,
    view: bool = True,
    create: bool = True,
    manage: bool = False,
    delete: bool = False,
) -> tuple[ApiUser, str]:
    """An API user with the given BillsAndBatches permissions, and a new key of theirs."""
    user = ApiUser.objects.create(
        user_code=code,
        full_name=name,
        can_view=view,
        can_create=create,
        can_manage=manage,
        can_delete=delete,
    )
    return user, user.issue_key()


def make_batch(*, user: ApiUser, code: str, status: str = BatchStatus.OPEN, **fields: Any) -> Batch:
    """A stored batch; `fields` are model field names (bill_count=3, note="...")."""
    fields.setdefault("start_date", timezone.now().replace(microsecond=0))
    if status == BatchStatus.CLOSED:
        fields.setdefault("end_date", fields["start_date"])
    return Batch.objects.create(batch_code=code, batch_status=status, created_by=user, **fields)


class Api:
    """Calls to the simulator with one API key (`key=None`: no ECI-ApiKey header at all)."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.client = Client(application)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"ECI-ApiKey": self.key} if self.key is not None else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, *, params: dict[str, Any] | None = None, **kwargs) -> TestResponse:
        headers = self.headers(kwargs.pop("headers", None))
        return self.client.get(path, query_string=params, headers=headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs) -> TestResponse:
        return self._send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs) -> TestResponse:
        return self._send("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs) -> TestResponse:
        return self._send("DELETE", path, None, **kwargs)

    def _send(self, method: str, path: str, body: Any, **kwargs) -> TestResponse:
        headers = self.headers(kwargs.pop("headers", None))
        if body is not None and "data" not in kwargs:
            kwargs["json"] = body
        return self.client.open(path, method=method, headers=headers, **kwargs)


def batch_body(code: str, **fields: Any) -> dict[str, Any]:
    """A BatchCreate body (camelCase fields)."""
    return {"batchCode": code, **fields}
