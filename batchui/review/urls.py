"""Mounted at the site root: /review/ (namespace "review"), /widget/ and /widget.json."""

from django.urls import include, path

from batchui.review import views

review_patterns = (
    [
        path("", views.review, name="index"),
        path("close/", views.review_close, name="close"),
    ],
    "review",
)

urlpatterns = [
    path("review/", include(review_patterns)),
    path("widget/", views.widget, name="widget"),
    path("widget.json", views.widget_data, name="widget_json"),
]
