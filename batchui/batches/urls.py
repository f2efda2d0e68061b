from django.urls import include, path

app_name = "batches"

urlpatterns = [
    # Open, edit and close live in action_urls (issue 6).
    path("", include("batchui.batches.action_urls")),
]
