"""The profile page: the person's API key (set, replace, remove) and "Test connection"."""

import pytest
from django.test import override_settings

from batchui.accounts import services
from batchui.accounts.roles import Role
from batchui.simulator import faults
from batchui.simulator.models import ApiUser
from tests.accounts.helpers import as_next_request_loads
from tests.helpers import HTMX as HX

pytestmark = pytest.mark.django_db
HTMX = {**HX, "HX-Current-URL": "http://testserver/accounts/profile/"}


def test_the_profile_page_shows_the_key_masked(signed_in):
    client = signed_in(Role.CLERK)
    html = client.get("/accounts/profile/").content.decode()
    assert "••••••••" in html
    assert "Remove key" in html
    assert "sim_" not in html


def test_setting_replacing_and_removing_the_key(signed_in):
    client = signed_in(Role.CLERK, key=False)
    user = client.get("/accounts/profile/").context["user"]
    assert "You have not added a key" in client.get("/accounts/profile/").content.decode()

    response = client.post("/accounts/profile/api-key/", {"api_key": "  first-key-0123456789  "})
    assert response.status_code == 302
    assert services.api_key_for(as_next_request_loads(user)) == "first-key-0123456789"
    page = client.get("/accounts/profile/").content.decode()
    assert "••••••••6789" in page
    assert "Your API key is saved" in page

    client.post("/accounts/profile/api-key/", {"api_key": "second-key-abcdefghij"})
    assert services.api_key_for(as_next_request_loads(user)) == "second-key-abcdefghij"

    assert client.post("/accounts/profile/api-key/remove/").status_code == 302
    assert services.api_key_status(user=as_next_request_loads(user)).state == services.KeyState.NONE


@pytest.mark.parametrize("bad", ["", "has space", "line\nbreak", "tab\there"])
def test_a_key_that_cannot_be_one_is_refused_next_to_the_field(signed_in, bad):
    client = signed_in(Role.CLERK, key=False)
    response = client.post("/accounts/profile/api-key/", {"api_key": bad})
    assert response.status_code == 200
    assert 'id="id_api_key_error"' in response.content.decode()


def test_test_connection_reports_the_batches_the_key_sees(signed_in, make_person):
    client = signed_in(Role.CLERK)
    # A batch of this API user, so the count is not trivially zero.
    from tests.simulator.helpers import make_batch

    make_batch(user=ApiUser.objects.get(user_code="TCLERK"), code="Mine_1")
    response = client.post("/accounts/profile/test-connection/", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connection OK" in html
    assert "your key sees 1 batch." in html
    assert "<html" not in html  # a fragment for htmx
    # Without JS: the same form POST renders the whole page with the outcome.
    page = client.post("/accounts/profile/test-connection/")
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "your key sees 1 batch." in page.content.decode()


def test_test_connection_with_a_key_the_api_refuses(signed_in):
    client = signed_in(Role.CLERK, key=False)
    client.post("/accounts/profile/api-key/", {"api_key": "sim_not-a-key-the-api-knows"})
    html = client.post("/accounts/profile/test-connection/", headers=HTMX).content.decode()
    assert "Connection failed" in html
    assert "The API refused this key, or this user lacks permission." in html


def test_test_connection_when_the_api_fails(signed_in, no_faults):
    client = signed_in(Role.CLERK)
    faults.inject("status", status=500, times=1)
    html = client.post("/accounts/profile/test-connection/", headers=HTMX).content.decode()
    assert "Connection failed" in html


def test_test_connection_without_any_key_says_how_to_add_one(signed_in):
    client = signed_in(Role.VIEWER, key=False)
    with override_settings(ECI_API_KEY=""):
        html = client.post("/accounts/profile/test-connection/", headers=HTMX).content.decode()
    assert "You have not added your EnergyCAP API key yet" in html


def test_test_connection_with_the_shared_service_key(signed_in, make_person):
    service_user = ApiUser.objects.create(user_code="SERVICE", full_name="Service")
    with override_settings(ECI_API_KEY=service_user.issue_key()):
        client = signed_in(Role.VIEWER, key=False)
        html = client.post("/accounts/profile/test-connection/", headers=HTMX).content.decode()
        assert "the shared service key sees 0 batches." in html
        page = client.get("/accounts/profile/").content.decode()
        assert "the dashboard uses the shared service key" in page


@pytest.mark.urls("tests.accounts.urls")
class TestMissingKeyPage:
    @pytest.mark.parametrize("path", ["/test/needs-key/", "/test/needs-key-midway/"])
    def test_a_page_needing_the_api_explains_how_to_add_a_key(self, signed_in, path):
        client = signed_in(Role.CLERK, key=False)
        with override_settings(ECI_API_KEY=""):
            response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Add your EnergyCAP API key" in html
        assert 'href="/accounts/profile/"' in html

    def test_under_htmx_the_explanation_goes_to_the_error_region(self, signed_in):
        client = signed_in(Role.CLERK, key=False)
        with override_settings(ECI_API_KEY=""):
            response = client.get("/test/needs-key-midway/", headers=HTMX)
        assert response["HX-Retarget"] == "#errors"
        assert response["HX-Reswap"] == "innerHTML"
        assert "<html" not in response.content.decode()
        assert "your profile page" in response.content.decode()

    def test_with_a_key_the_view_runs(self, signed_in):
        assert signed_in(Role.CLERK).get("/test/needs-key/").content == b"had a key"


# --- time zone --------------------------------------------------------------------------------


def test_the_time_zone_setting_is_shown_saved_and_used(signed_in):
    client = signed_in(Role.CLERK)
    html = client.get("/accounts/profile/").content.decode()
    assert "Times show in <strong>UTC</strong>." in html
    assert '<option value="" selected>The dashboard&#x27;s (UTC)</option>' in html
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html

    response = client.post("/accounts/profile/time-zone/", {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    html = client.get("/accounts/profile/").content.decode()
    assert "Times now show in Europe/Berlin." in html
    assert "Times show in <strong>Europe/Berlin</strong>." in html
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in html

    client.post("/accounts/profile/time-zone/", {"time_zone": ""})
    html = client.get("/accounts/profile/").content.decode()
    assert "Times now show in UTC." in html
    assert "Times show in <strong>UTC</strong>." in html


def test_a_time_zone_that_is_not_one_is_refused_next_to_the_field(signed_in):
    client = signed_in(Role.CLERK)
    response = client.post("/accounts/profile/time-zone/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="field-error" id="id_time_zone_error">“Mars/Olympus” is not a time zone: '
        "choose one from the list.</p>"
    ) in html
    assert 'aria-describedby="id_time_zone_helptext id_time_zone_error" aria-invalid="true"' in html
    assert "Times show in <strong>UTC</strong>." in html
