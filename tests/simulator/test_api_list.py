"""GET /api/v3/batch: paging headers and limits, order, filters, GET one."""

import pytest
from django.utils import timezone

from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import make_api_user, make_batch

pytestmark = pytest.mark.django_db

PAGING_HEADERS = ("PageNumber", "PageSize", "TotalNumberOfRecords", "TotalPages")


def make_batches(user, count: int) -> list[Batch]:
    start = timezone.now().replace(microsecond=0)
    batches = [
        Batch(batch_code=f"B{n:05d}", created_by=user, start_date=start) for n in range(count)
    ]
    for batch in batches:
        batch.refresh_derived()
    Batch.objects.bulk_create(batches)
    return list(Batch.objects.order_by("-batch_id"))


def paging(response) -> tuple[int, ...]:
    return tuple(int(response.headers[name]) for name in PAGING_HEADERS)


def ids(response) -> list[int]:
    return [row["batchId"] for row in response.get_json()]


def test_defaults_are_page_1_of_250_newest_first(api, owner):
    stored = make_batches(owner[0], 260)

    response = api.get("/api/v3/batch")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert paging(response) == (1, 250, 260, 2)
    assert ids(response) == [batch.batch_id for batch in stored[:250]]


def test_the_second_page_holds_the_rest(api, owner):
    stored = make_batches(owner[0], 260)

    response = api.get("/api/v3/batch", params={"pageNumber": 2})

    assert paging(response) == (2, 250, 260, 2)
    assert ids(response) == [batch.batch_id for batch in stored[250:]]


def test_pages_partition_the_records(api, owner):
    stored = make_batches(owner[0], 23)

    seen = []
    for number in (1, 2, 3):
        response = api.get("/api/v3/batch", params={"pageNumber": number, "pageSize": 10})
        assert paging(response) == (number, 10, 23, 3)
        seen += ids(response)

    assert seen == [batch.batch_id for batch in stored]


def test_a_page_size_over_1000_is_capped_silently(api, owner):
    make_batches(owner[0], 1001)

    response = api.get("/api/v3/batch", params={"pageSize": 5000})

    assert response.status_code == 200
    assert paging(response) == (1, 1000, 1001, 2)
    assert len(response.get_json()) == 1000


def test_a_page_past_the_end_is_empty_with_the_true_totals(api, owner):
    make_batches(owner[0], 3)

    response = api.get("/api/v3/batch", params={"pageNumber": 7, "pageSize": 2})

    assert response.status_code == 200
    assert response.get_json() == []
    assert paging(response) == (7, 2, 3, 2)


def test_no_records_means_zero_pages(api):
    response = api.get("/api/v3/batch")

    assert response.get_json() == []
    assert paging(response) == (1, 250, 0, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("pageNumber", "0"),
        ("pageNumber", "-1"),
        ("pageNumber", "abc"),
        ("pageNumber", "1.5"),
        ("pageNumber", ""),
        ("pageNumber", "99999999999"),
        ("pageSize", "0"),
        ("pageSize", "-5"),
        ("pageSize", "ten"),
        ("pageSize", "2e3"),
        ("pageSize", " 5"),
        ("pageSize", "+5"),
    ],
)
def test_a_bad_page_number_or_size_is_400(api, name, value):
    response = api.get("/api/v3/batch", params={name: value})

    assert response.status_code == 400
    body = response.get_json()
    assert name in body["message"]
    assert list(body["errors"]) == [name]


def test_the_list_costs_one_count_and_one_page_query(api, owner, django_assert_num_queries):
    make_batches(owner[0], 30)

    # The key lookup, the fault rules, the COUNT, the page (its users joined).
    with django_assert_num_queries(4):
        response = api.get("/api/v3/batch", params={"pageSize": 10})
    assert len(response.get_json()) == 10


def test_a_get_with_content_type_json_and_no_body_is_fine(api):
    # EnergyCAP's clients send Content-Type: application/json on every request, GET included.
    response = api.get("/api/v3/batch", headers={"Content-Type": "application/json"})

    assert response.status_code == 200


# --- filters: the language itself is tested with filters.py; here, its wiring -------------------


@pytest.fixture
def mixed(owner):
    user = owner[0]
    other, _ = make_api_user("OBRIEN", "Pat O'Brien")
    return {
        "small": make_batch(user=user, code="Maint_small", bill_count=2, running_total=50.0),
        "mid": make_batch(
            user=user, code="Hist_mid", bill_count=11, running_total=250.0, status="Pending"
        ),
        "big": make_batch(
            user=other, code="MaintXbig", bill_count=40, running_total=900.0, status="Closed"
        ),
    }


def codes(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {row["batchCode"] for row in response.get_json()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The examples of batch-api.md, as it describes them.
        ("billCount greater than '10'", {"Hist_mid", "MaintXbig"}),
        ("isOpen equals 'true'", {"Maint_small"}),
        ("batchStatus one of 'Open'|'Pending'", {"Maint_small", "Hist_mid"}),
        ("runningTotal between '100'|'500'", {"Hist_mid"}),
        ("fullName equals 'Pat O''Brien'", {"MaintXbig"}),
        # `like` is containment without wildcards: "_" is a literal underscore.
        ("batchCode like 'Maint_'", {"Maint_small"}),
        ("batchStatus equals 'Closed' and billCount greater than '10'", {"MaintXbig"}),
        ("", {"Maint_small", "Hist_mid", "MaintXbig"}),
    ],
)
def test_filters_select_batches(api, mixed, text, expected):
    response = api.get("/api/v3/batch", params={"filter": text})

    assert codes(response) == expected
    assert int(response.headers["TotalNumberOfRecords"]) == len(expected)


def test_filtered_totals_and_pages_count_only_the_matches(api, owner):
    make_batches(owner[0], 5)
    make_batch(user=owner[0], code="ONLY", status=BatchStatus.PENDING)

    response = api.get(
        "/api/v3/batch", params={"filter": "batchStatus equals 'Pending'", "pageSize": 1}
    )

    assert paging(response) == (1, 1, 1, 1)
    assert codes(response) == {"ONLY"}


@pytest.mark.parametrize(
    "text",
    ["nosuchfield equals '1'", "isOpen like 'true'", "billCount greater than 10", "batchCode"],
)
def test_a_bad_filter_is_400_with_a_message(api, mixed, text):
    response = api.get("/api/v3/batch", params={"filter": text})

    assert response.status_code == 400
    assert response.get_json()["message"]


# --- GET one -------------------------------------------------------------------------------------


def test_get_one_answers_the_batch(api, owner):
    batch = make_batch(user=owner[0], code="ONE", note="hello", bill_count=4, running_total=12.5)

    response = api.get(f"/api/v3/batch/{batch.batch_id}")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["batchId"], body["batchCode"], body["note"]) == (batch.batch_id, "ONE", "hello")
    assert (body["billCount"], body["runningTotal"]) == (4, 12.5)


@pytest.mark.parametrize("path", ["/api/v3/batch/424242", "/api/v3/batch/0"])
def test_get_one_of_an_unknown_id_is_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.get_json()["message"]


@pytest.mark.parametrize("path", ["/api/v3/batch/abc", "/api/v3/batch/-1", "/api/v3/batch/1.5"])
def test_a_non_integer_id_is_no_route(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.get_json()["message"]


def test_an_id_beyond_int32_is_404_not_an_error(api):
    assert api.get("/api/v3/batch/99999999999").status_code == 404
    assert api.get("/api/v3/batch/2147483648").status_code == 404
