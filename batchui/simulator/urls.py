"""URLs of the simulated Batch API at the API's own paths (never part of the dashboard's URLs)."""

from django.urls import path, register_converter

from batchui.simulator import views
from batchui.simulator.validation import INT32_MAX


class Int32Converter:
    """A batchId: digits that fit an int32 (EnergyCAP's ids); anything else is no route (404)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > INT32_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(Int32Converter, "int32")


def _routes(route: str, view, name: str) -> list:
    # ASP.NET routing also matches a trailing slash.
    return [path(route, view, name=name), path(route + "/", view)]


urlpatterns = [
    *_routes("api/v3/batch", views.batches, "batches"),
    *_routes("api/v3/batch/<int32:batch_id>", views.batch, "batch"),
    *_routes("api/v3/batch/close/<int32:batch_id>", views.batch_close, "batch-close"),
    *_routes("api/v202206/batch/<int32:batch_id>/status", views.batch_status, "batch-status"),
]
