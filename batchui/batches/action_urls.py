"""Open, edit and close (issue 6), included by batches/urls.py under /batches/ (app "batches")."""

from django.urls import path

from batchui.batches import actions

urlpatterns = [
    path("new/", actions.open_batch, name="open"),
    path("<int:batch_id>/edit/", actions.edit_batch, name="edit"),
    path("<int:batch_id>/row/", actions.batch_row, name="row"),
    path("<int:batch_id>/close/", actions.close_batch, name="close"),
]
