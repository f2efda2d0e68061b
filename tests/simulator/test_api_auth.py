"""ECI-ApiKey authentication and BillsAndBatches permissions on every endpoint."""

import pytest

from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import Api, batch_body, make_api_user, make_batch

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("GET", "/api/v3/batch", None),
    ("GET", "/api/v3/batch/{id}", None),
    ("POST", "/api/v3/batch", batch_body("NEW1")),
    ("PUT", "/api/v3/batch/{id}", {"batchCode": "EDITED", "note": None}),
    ("PUT", "/api/v3/batch/close/{id}", None),
    ("PUT", "/api/v202206/batch/{id}/status", {"batchStatus": "Pending"}),
    ("DELETE", "/api/v3/batch/{id}", None),
]
WRITES = ENDPOINTS[2:6]


def call(api: Api, method: str, path: str, body):
    if method == "GET":
        return api.get(path)
    if method == "DELETE":
        return api.delete(path)
    return api.put(path, body) if method == "PUT" else api.post(path, body)


@pytest.fixture
def batch():
    owner, _ = make_api_user("OWNER", "Olive Owner")
    return make_batch(user=owner, code="B1")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("key", [None, "", "sim_not-a-key"])
def test_a_missing_or_unknown_key_is_401_and_changes_nothing(batch, method, path, body, key):
    response = call(Api(key), method, path.format(id=batch.batch_id), body)

    assert response.status_code == 401
    assert "API key" in response.get_json()["message"]
    assert Batch.objects.count() == 1
    batch.refresh_from_db()
    assert (batch.batch_code, batch.batch_status) == ("B1", BatchStatus.OPEN)


def test_the_header_name_is_case_insensitive(batch):
    _, key = make_api_user(view=True, create=False)
    api = Api(None)

    response = api.get("/api/v3/batch", headers={"eci-apikey": key})

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[:2])
def test_a_user_without_view_permission_gets_401_on_get(batch, method, path, body):
    _, key = make_api_user(view=False, create=True)

    response = call(Api(key), method, path.format(id=batch.batch_id), body)

    assert response.status_code == 401
    assert "BillsAndBatches View permission" in response.get_json()["message"]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_user_without_create_permission_gets_401_on_post_and_put(batch, method, path, body):
    _, key = make_api_user(view=True, create=False)

    response = call(Api(key), method, path.format(id=batch.batch_id), body)

    assert response.status_code == 401
    assert "BillsAndBatches Create permission" in response.get_json()["message"]
    assert Batch.objects.count() == 1
    batch.refresh_from_db()
    assert (batch.batch_code, batch.batch_status) == ("B1", BatchStatus.OPEN)


def test_a_user_with_view_only_can_read(batch):
    _, key = make_api_user(view=True, create=False)

    assert Api(key).get("/api/v3/batch").status_code == 200
    assert Api(key).get(f"/api/v3/batch/{batch.batch_id}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v3/batch/999999", None),
        ("PUT", "/api/v3/batch/999999", {"batchCode": "X", "note": None}),
        ("PUT", "/api/v3/batch/close/999999", None),
        ("DELETE", "/api/v3/batch/999999", None),
        ("POST", "/api/v3/batch", {"batchCode": ""}),
        ("PUT", "/api/v3/batch/999999", {}),
        ("GET", "/api/v3/batch?pageNumber=0", None),
    ],
)
def test_auth_is_checked_before_404_and_400(batch, method, path, body):
    assert call(Api("sim_wrong"), method, path, body).status_code == 401


def test_the_key_is_never_echoed(batch):
    _, key = make_api_user(view=False, create=False)
    for api in (Api(key), Api(key + "x")):
        for response in (
            api.get("/api/v3/batch"),
            api.post("/api/v3/batch", batch_body("K")),
            api.put(f"/api/v3/batch/close/{batch.batch_id}"),
        ):
            assert response.status_code == 401
            assert key.encode() not in response.data
            assert all(key not in value for _, value in response.headers.items())
