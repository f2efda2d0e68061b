def test_healthz_answers_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_is_not_redirected_to_https(client, settings):
    """Load-balancer probes speak plain HTTP; pages go to HTTPS when SECURE_SSL_REDIRECT is on."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# --- /readyz ----------------------------------------------------------------------------------

import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from batchui.core.logging import ContextFilter, JsonFormatter  # noqa: E402
from batchui.simulator import faults  # noqa: E402
from batchui.simulator.server import SimulatorServer, start_in_thread  # noqa: E402
from tests.helpers import make_person  # noqa: E402
from tests.simulator.helpers import make_api_user  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def http_simulator(transactional_db):
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    try:
        yield server.url
    finally:
        faults.clear()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.django_db
def test_readyz_reports_each_check_without_sign_in(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "batch_api"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["ms"], float)
    assert body["checks"]["batch_api"]["target"] == "embedded simulator"


@pytest.mark.django_db
def test_readyz_is_200_degraded_when_the_cache_is_down_and_names_no_password(client, settings):
    """Pages work without the cache (slower), so the instance stays in rotation."""
    settings.CACHES = {
        "default": {
            "BACKEND": "batchui.core.cache.FallbackRedisCache",
            "LOCATION": f"redis://:cache-s3cret@127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert "cache-s3cret" not in response.content.decode()


def test_readyz_on_a_real_host_without_a_service_key_counts_401_as_reachable(
    client, settings, http_simulator
):
    settings.BATCH_API_URL, settings.ECI_API_KEY = http_simulator, ""
    check = client.get("/readyz").json()["checks"]["batch_api"]
    assert check["status"] == "ok"
    assert check["target"] == http_simulator
    assert "reachable" in check["note"]


def test_readyz_on_a_real_host_lists_one_batch_with_the_service_key(
    client, settings, http_simulator
):
    _, key = make_api_user("SERVICE")
    settings.BATCH_API_URL, settings.ECI_API_KEY = http_simulator, key
    response = client.get("/readyz")
    assert response.status_code == 200
    check = response.json()["checks"]["batch_api"]
    assert check == {"status": "ok", "target": http_simulator, "ms": check["ms"]}
    assert key not in response.content.decode()


def test_readyz_is_503_when_the_host_fails_and_does_not_retry(client, settings, http_simulator):
    _, key = make_api_user("SERVICE")
    settings.BATCH_API_URL, settings.ECI_API_KEY = http_simulator, key
    faults.inject("status", status=503, retry_after=1, times=None)
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["batch_api"]
    assert check["status"] == "error"
    assert check["ms"] < 1000, "the probe retried (or waited for Retry-After)"
    assert key not in response.content.decode()


@pytest.mark.django_db
def test_readyz_is_503_when_the_host_is_unreachable(client, settings):
    settings.BATCH_API_URL = f"http://127.0.0.1:{closed_port()}"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["batch_api"]["error"].startswith("ApiUnavailable from")


@pytest.mark.django_db
def test_readyz_says_what_is_wrong_with_a_batch_api_url_that_is_not_a_host(client, settings):
    settings.BATCH_API_URL = "https://api.example.test/api/v3"
    check = client.get("/readyz").json()["checks"]["batch_api"]
    assert check["status"] == "error"
    assert check["error"].startswith("BATCH_API_URL: ")
    assert "host only" in check["error"]


# --- request id and structured logs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("abc-123", True),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", True),
        ("has space", False),
        ("x" * 200, False),
        ("new\nline", False),
        ("", False),
    ],
)
def test_the_response_echoes_a_sane_request_id_or_a_new_one(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-ID": given} if given else {})
    if kept:
        assert response["X-Request-ID"] == given
    else:
        assert len(response["X-Request-ID"]) == 32
        assert response["X-Request-ID"] != given


@pytest.fixture
def json_log():
    """Every log record written meanwhile, as the production handler writes it (JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_api_calls_of_a_request_carry_its_id_and_their_time(json_log, client):
    from batchui.accounts.roles import Role

    person = make_person("logged", Role.CLERK, code="TLOG")
    client.force_login(person)
    client.post("/accounts/profile/test-connection/", headers={"X-Request-ID": "trace-77"})
    calls = [line for line in json_log() if line["logger"] == "batchui.batchapi"]
    assert calls, "the connection test made no Batch API call"
    for call in calls:
        assert call["request_id"] == "trace-77"
        assert call["api_method"] == "GET"
        assert call["api_path"] == "/api/v3/batch"
        assert call["api_outcome"] == 200
        assert isinstance(call["elapsed_ms"], float)
        assert {"time", "level", "message"} <= set(call)


def test_json_lines_carry_extra_fields_and_one_line_tracebacks(json_log):
    logger = logging.getLogger("batchui.test")
    logger.warning("plain %s", "text", extra={"batch_id": 7, "checks": {"db": "ok"}})
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    plain, failed = json_log()
    assert plain["message"] == "plain text"
    assert plain["level"] == "WARNING"
    assert plain["batch_id"] == 7
    assert plain["checks"] == {"db": "ok"}
    assert plain["request_id"] == "-"
    assert "ValueError: boom" in failed["exception"]


def test_the_log_format_follows_debug_unless_log_format_says_otherwise():
    def formatter(**env: str) -> str:
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.LOGGING['handlers']['console']['formatter'])"
        )
        environment = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "batchui.settings"}
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**environment, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert formatter(DEBUG="false") == "json"
    assert formatter(DEBUG="true") == "text"
    assert formatter(DEBUG="true", LOG_FORMAT="json") == "json"


def test_request_ids_of_concurrent_requests_do_not_mix(json_log, client):
    logger = logging.getLogger("batchui.test")
    from batchui.batchapi import current_request_id

    def in_thread(request_id: str) -> None:
        current_request_id.set(request_id)
        logger.info("work of %s", request_id)

    threads = [threading.Thread(target=in_thread, args=(f"r{i}",)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for line in json_log():
        assert line["message"] == f"work of {line['request_id']}"
