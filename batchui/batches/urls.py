from django.urls import path

from batchui.batches import actions, pages, views
from batchui.core import converters  # noqa: F401 - registers <batch_id:...>

app_name = "batches"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("export.csv", views.batch_export, name="export"),
    path("views/", views.saved_view_save, name="view_save"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="view_delete"),
    path("new/", actions.open_batch, name="open"),
    path("new/preview/", actions.open_preview, name="open_preview"),
    path("<batch_id:batch_id>/", pages.batch_detail, name="detail"),
    path("<batch_id:batch_id>/edit/", actions.edit_batch, name="edit"),
    path("<batch_id:batch_id>/row/", actions.batch_row, name="row"),
    path("<batch_id:batch_id>/close/", actions.close_batch, name="close"),
    path("<batch_id:batch_id>/pending/", actions.mark_pending, name="pending"),
    path("<batch_id:batch_id>/reopen/", actions.reopen_batch, name="reopen"),
    path("<batch_id:batch_id>/delete/", actions.delete_batch, name="delete"),
]
