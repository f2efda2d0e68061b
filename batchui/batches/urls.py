from django.urls import include, path

from batchui.batches import views

app_name = "batches"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("export.csv", views.batch_export, name="export"),
    path("views/", views.saved_view_save, name="view_save"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="view_delete"),
    # Open, edit and close live in action_urls (issue 6).
    path("", include("batchui.batches.action_urls")),
]
