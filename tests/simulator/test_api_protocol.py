"""HTTP-level behaviour: Content-Type, malformed bodies, unknown routes, wrong methods."""

import pytest

from batchui.simulator.models import Batch
from tests.simulator.helpers import make_api_user, make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch():
    return make_batch(user=make_api_user("OWNER", "Olive Owner")[0], code="B1")


def body_paths(batch) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/v3/batch"),
        ("PUT", f"/api/v3/batch/{batch.batch_id}"),
        ("PUT", f"/api/v202206/batch/{batch.batch_id}/status"),
    ]


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_declared_json_is_415(api, batch, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    for method, path in body_paths(batch):
        response = api.client.open(
            path,
            method=method,
            data=b'{"batchCode": "X", "note": null, "batchStatus": "Pending"}',
            headers={**api.headers(), **headers},
        )
        assert response.status_code == 415, (method, path)
        assert response.get_json()["message"]
    assert Batch.objects.count() == 1


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_with_parameters_is_accepted(api, content_type):
    response = api.post(
        "/api/v3/batch", data=b'{"batchCode": "CT"}', headers={"Content-Type": content_type}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   ",
        b"{",
        b'{"batchCode": "X",}',
        b"[]",
        b'["batchCode"]',
        b'"batchCode"',
        b"null",
        b"42",
        b'{"batchCode": NaN}',
        b'{"batchCode": "\xff"}',
    ],
)
def test_a_malformed_or_non_object_body_is_400(api, batch, raw):
    for method, path in body_paths(batch):
        response = api.client.open(
            path,
            method=method,
            data=raw,
            headers={**api.headers(), "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (method, path)
        assert response.get_json()["message"]
    assert Batch.objects.count() == 1


def test_a_utf8_bom_is_tolerated(api):
    response = api.post(
        "/api/v3/batch",
        data='\ufeff{"batchCode": "BOM"}'.encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/v3/batches",
        "/api/v3/batch/close",
        "/api/v3/batch/1/extra",
        "/api/v2/batch",
        "/batches/",
        "/admin/",
    ],
)
def test_an_unknown_route_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["message"]


def test_a_trailing_slash_matches_like_aspnet_routing(api, batch):
    assert api.get("/api/v3/batch/").status_code == 200
    assert api.get(f"/api/v3/batch/{batch.batch_id}/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v3/batch", "GET, POST"),
        ("PUT", "/api/v3/batch", "GET, POST"),
        ("PATCH", "/api/v3/batch/{id}", "DELETE, GET, PUT"),
        ("POST", "/api/v3/batch/{id}", "DELETE, GET, PUT"),
        ("DELETE", "/api/v3/batch/close/{id}", "PUT"),
        ("GET", "/api/v3/batch/close/{id}", "PUT"),
        ("POST", "/api/v3/batch/close/{id}", "PUT"),
        ("GET", "/api/v202206/batch/{id}/status", "PUT"),
        ("HEAD", "/api/v3/batch", "GET, POST"),
        ("OPTIONS", "/api/v3/batch", "GET, POST"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(api, batch, method, path, allow):
    response = api.client.open(path.format(id=batch.batch_id), method=method, headers=api.headers())

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    if method != "HEAD":
        assert response.get_json()["message"]
    batch.refresh_from_db()
    assert batch.batch_status == "Open"
