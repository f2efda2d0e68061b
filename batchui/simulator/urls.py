"""URLs of the simulated Batch API at the API's own paths (never part of the dashboard's URLs)."""

from django.urls import path

from batchui.core import converters  # noqa: F401 - registers <int32:...>
from batchui.simulator import views


def _routes(route: str, view, name: str) -> list:
    # ASP.NET routing also matches a trailing slash.
    return [path(route, view, name=name), path(route + "/", view)]


urlpatterns = [
    *_routes("api/v3/batch", views.batches, "batches"),
    *_routes("api/v3/batch/<int32:batch_id>", views.batch, "batch"),
    *_routes("api/v3/batch/close/<int32:batch_id>", views.batch_close, "batch-close"),
    *_routes("api/v202206/batch/<int32:batch_id>/status", views.batch_status, "batch-status"),
]
