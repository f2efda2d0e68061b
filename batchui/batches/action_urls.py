"""Open, edit and close (issue 6), included by batches/urls.py under /batches/ (app "batches")."""

from django.urls import path

from batchui.batches import actions
from batchui.core import converters  # noqa: F401 - registers <batch_id:...>

urlpatterns = [
    path("new/", actions.open_batch, name="open"),
    path("new/preview/", actions.open_preview, name="open_preview"),
    path("<batch_id:batch_id>/edit/", actions.edit_batch, name="edit"),
    path("<batch_id:batch_id>/row/", actions.batch_row, name="row"),
    path("<batch_id:batch_id>/close/", actions.close_batch, name="close"),
]
