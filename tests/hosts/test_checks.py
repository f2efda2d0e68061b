"""The system checks of the Batch API settings (batchui.batchapi.checks), and the cause they give
/readyz (`batch_api_url_problem`)."""

from __future__ import annotations

import pytest
import requests
import responses
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from batchui.batchapi.checks import TAG, batch_api_url_problem


def ids(*, deploy: bool = False) -> list[str]:
    return [message.id for message in run_checks(tags=[TAG], include_deployment_checks=deploy)]


def test_unset_or_a_host_only_passes_without_a_call(settings):
    for url in ("", "https://app.energycap.com", "https://intranet.example/energycap/"):
        settings.BATCH_API_URL = url
        with responses.RequestsMock():  # no call made (any call would fail)
            assert ids() == []
            assert batch_api_url_problem() is None


@pytest.mark.parametrize(
    "url",
    [
        "https://app.energycap.com/api",
        "https://app.energycap.com/api/v3",
        "https://app.energycap.com/api/v3/batch",
        "https://app.energycap.com/API/v202206/batch/",
    ],
)
def test_a_url_with_an_api_path_is_refused(settings, url):
    settings.BATCH_API_URL = url
    assert ids() == ["batchapi.E001"]
    assert batch_api_url_problem() == (
        "BATCH_API_URL: The Batch API URL must be the host only (e.g. https://app.energycap.com): "
        "the client adds /api/v3/... itself."
    )
    with pytest.raises(SystemCheckError, match=r"batchapi\.E001"):
        call_command("check")


def test_an_unknown_time_zone_is_refused(settings):
    settings.BATCH_API_TIME_ZONE = "Eastern"
    [error] = run_checks(tags=[TAG])
    assert error.id == "batchapi.E002"
    assert error.msg == (
        "BATCH_API_TIME_ZONE 'Eastern' is not an IANA time zone name (e.g. UTC, America/New_York)."
    )
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    assert ids() == []


@responses.activate
def test_a_redirect_is_refused_with_the_address_to_use_by_the_deploy_check_only(settings):
    settings.BATCH_API_URL = "http://app.energycap.example"
    responses.get(
        "http://app.energycap.example/api/v3/batch",
        status=301,
        headers={"Location": "https://app.energycap.example/api/v3/batch?pageSize=1"},
    )
    assert ids() == []
    assert len(responses.calls) == 0  # without --deploy: no network
    assert ids(deploy=True) == ["batchapi.E003"]
    [call] = responses.calls
    assert "ECI-ApiKey" not in call.request.headers
    assert batch_api_url_problem(probe=True) == (
        "BATCH_API_URL answers with a redirect (HTTP 301 to https://app.energycap.example). The "
        "dashboard never follows redirects (one could carry the API key to another host): set "
        "BATCH_API_URL to the address it redirects to, e.g. https://app.energycap.example."
    )


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [{"status": 401}, {"status": 200, "json": []}, {"body": requests.ConnectTimeout()}],
)
def test_any_other_answer_or_none_is_not_the_deploy_checks_matter(settings, answer):
    settings.BATCH_API_URL = "https://app.energycap.example"
    responses.get("https://app.energycap.example/api/v3/batch", **answer)
    assert ids(deploy=True) == []
    assert batch_api_url_problem(probe=True) is None


@pytest.mark.django_db
def test_readyz_names_the_cause_of_a_bad_batch_api_url(settings, client):
    settings.BATCH_API_URL = "https://app.example.test/api/v3"
    body = client.get("/readyz").json()
    assert body["checks"]["batch_api"]["status"] == "error"
    assert "host only" in body["checks"]["batch_api"]["error"]


@pytest.mark.django_db
@responses.activate
def test_readyz_names_a_redirecting_host(settings, client):
    settings.BATCH_API_URL = "http://app.example.test"
    responses.add(
        responses.GET,
        "http://app.example.test/api/v3/batch",
        status=301,
        headers={"Location": "https://app.example.test/api/v3/batch"},
    )
    body = client.get("/readyz").json()
    assert "redirect (HTTP 301 to https://app.example.test)" in body["checks"]["batch_api"]["error"]
