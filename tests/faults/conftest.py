"""The fault tests start real servers too: the deployment tests' fixtures (gunicorn, static)."""

from tests.deploy.conftest import app_server, collected_static  # noqa: F401
